// Stage 7 — Revenue Architecture (spec §8.2): the pricing model, what the
// customer pays for, the price anchor and its position against Stage 4's
// competitors, revenue streams and tiers, shaped by Stage 5's economics and
// Stage 6's risks. Feeds the canvas (Stage 8) and the valuation (Stage 9).
import { z } from "zod";
import { type Archetype, pricingModel } from "./enums.ts";
import { stagePrompt, withinContract } from "./prompt.ts";
import { ventureProfile } from "./simulation.ts";
import { marketCurrency, type PricePeriod, pricePeriod, priceRange } from "./stage-04.ts";
import { MONTHLY_FACTOR } from "./stage-05.ts";
import { maybeUpstream, type Rng, type StageContext, type StageDefinition } from "./types.ts";

const CONTRACT = ["competitive_analysis", "financial_model", "risk_matrix"];

export const marketPosition = z.enum(["below_market", "at_market", "above_market"]);
export const positioningStrategy = z.enum(["premium", "parity", "penetration", "niche"]);
export const revenueStreamType = z.enum([
  "subscription",
  "transaction_fee",
  "usage",
  "one_time_sale",
  "advertising",
  "sponsorship",
  "licensing",
  "services",
]);

const currency = z.string().regex(/^[A-Z]{3}$/);

const analysisObject = z.object({
  pricingModel,
  /** What the customer pays for: the unit that grows with the value received. */
  primaryValueMetric: z.string().min(1),
  priceAnchor: z.object({ amount: z.number().min(0), currency, period: pricePeriod }),
  competitiveContext: z.object({
    position: marketPosition,
    marketPriceRange: priceRange.nullable(),
    comparedCompetitors: z.array(z.string().min(1)),
    summary: z.string().min(1),
  }),
  positioningDecision: z.object({ strategy: positioningStrategy, rationale: z.string().min(1) }),
  revenueStreams: z
    .array(
      z.object({
        name: z.string().min(1),
        type: revenueStreamType,
        description: z.string().min(1),
        /** Expected share of revenue, percent; the streams sum to 100. */
        sharePct: z.number().min(0).max(100),
      }),
    )
    .min(1),
  pricingTiers: z
    .array(
      z.object({
        name: z.string().min(1),
        price: z.number().min(0),
        period: pricePeriod,
        features: z.array(z.string().min(1)).min(1),
        targetSegment: z.string().min(1),
      }),
    )
    .min(1),
});

const sharesSumTo100 = (a: { revenueStreams: { sharePct: number }[] }) =>
  Math.abs(a.revenueStreams.reduce((s, r) => s + r.sharePct, 0) - 100) <= 1;
const sharesRule = { error: "revenue stream shares must sum to 100%", path: ["revenueStreams"] };

const analysisSchema = analysisObject.refine(sharesSumTo100, sharesRule);
export type PricingAnalysis = z.infer<typeof analysisObject>;
/** Stage 7 derives nothing: the revenue architecture is analysis throughout. */
export type PricingDerived = Record<never, never>;

/** Where a price sits in a market band: the lower third, the middle third or the upper third. */
export function positionInRange(amount: number, range: { low: number; high: number }): z.infer<typeof marketPosition> {
  if (range.high <= range.low)
    return amount < range.low ? "below_market" : amount > range.high ? "above_market" : "at_market";
  const at = (amount - range.low) / (range.high - range.low);
  return at < 1 / 3 ? "below_market" : at > 2 / 3 ? "above_market" : "at_market";
}

const VALUE_METRIC: Record<Archetype, string> = {
  saas: "per active account per month",
  marketplace: "per completed transaction",
  deeptech: "per licensed system per year",
  hardware: "per unit sold",
  services: "per engagement month",
  media: "per subscriber per month",
  fintech: "per active account per month",
};

const STREAM_FOR_MODEL: Record<z.infer<typeof pricingModel>, z.infer<typeof revenueStreamType>> = {
  freemium: "subscription",
  subscription: "subscription",
  one_time: "one_time_sale",
  usage_based: "usage",
  marketplace_commission: "transaction_fee",
  hybrid: "subscription",
};

const SECONDARY_STREAM: Record<Archetype, { type: z.infer<typeof revenueStreamType>; name: string }> = {
  saas: { type: "services", name: "Onboarding and data migration" },
  marketplace: { type: "subscription", name: "Featured listings" },
  deeptech: { type: "services", name: "Integration and support contracts" },
  hardware: { type: "services", name: "Calibration and maintenance plans" },
  services: { type: "subscription", name: "Retainer packages" },
  media: { type: "sponsorship", name: "Sector sponsorships" },
  fintech: { type: "transaction_fee", name: "Transaction fees" },
};

const round = (x: number, decimals = 2) => Math.round(x * 10 ** decimals) / 10 ** decimals;
const num = (x: unknown): number | null => (typeof x === "number" && Number.isFinite(x) ? x : null);

function simulate(ctx: StageContext, rng: Rng): PricingAnalysis {
  const v = ctx.venture;
  const p = ventureProfile(v);
  const financial = maybeUpstream<{
    assumptions?: { pricingModel?: unknown; currency?: unknown; revenuePerCustomerMonthly?: unknown };
    stage4Context?: { priceRange?: unknown };
    unitEconomics?: { ltvCacRatio?: unknown };
  }>(ctx, "financial_model");
  const competitive = maybeUpstream<{
    competitors?: { name?: unknown }[];
    stage5Handoff?: { pricingLandscape?: { priceRange?: unknown; dominantModel?: unknown } };
  }>(ctx, "competitive_analysis");
  const risks = maybeUpstream<{ risks?: { description?: unknown; category?: unknown; riskScore?: unknown }[] }>(
    ctx,
    "risk_matrix",
  );

  const rangeParse = priceRange.safeParse(
    financial?.stage4Context?.priceRange ?? competitive?.stage5Handoff?.pricingLandscape?.priceRange,
  );
  const range = rangeParse.success ? rangeParse.data : null;
  const modelParse = pricingModel.safeParse(
    financial?.assumptions?.pricingModel ?? competitive?.stage5Handoff?.pricingLandscape?.dominantModel,
  );
  const model = modelParse.success ? modelParse.data : "subscription";
  const period: PricePeriod = range?.period ?? "month";
  const cur =
    typeof financial?.assumptions?.currency === "string" && /^[A-Z]{3}$/.test(financial.assumptions.currency)
      ? financial.assumptions.currency
      : (range?.currency ?? marketCurrency(v.targetMarket));
  const monthly = num(financial?.assumptions?.revenuePerCustomerMonthly);
  const anchor = round(
    monthly !== null
      ? monthly / MONTHLY_FACTOR[period]
      : range
        ? (range.low + range.high) / 2
        : 50 * (0.8 + p.strength * 0.4),
  );
  const position = range ? positionInRange(anchor, range) : "at_market";
  const competitors = (Array.isArray(competitive?.competitors) ? competitive.competitors : [])
    .map((c) => c?.name)
    .filter((n): n is string => typeof n === "string" && n.length > 0);
  const financialRisk = (Array.isArray(risks?.risks) ? risks.risks : [])
    .filter((r) => r?.category === "financial" && typeof r.description === "string")
    .sort((a, b) => (num(b.riskScore) ?? 0) - (num(a.riskScore) ?? 0))[0];
  const ratio = num(financial?.unitEconomics?.ltvCacRatio);

  const strategy: z.infer<typeof positioningStrategy> =
    p.moat > 0.6 && position !== "below_market"
      ? "premium"
      : p.market > 0.6 && p.moat < 0.4
        ? "penetration"
        : v.targetMarket.length < 45 && p.moat > 0.45
          ? "niche"
          : "parity";

  const secondary = SECONDARY_STREAM[v.archetype];
  const primaryShare = rng.int(70, 90);
  const revenueStreams = [
    {
      name: `${model === "marketplace_commission" ? "Commission" : model === "one_time" ? "Unit sales" : "Core plan"} revenue`,
      type: STREAM_FOR_MODEL[model],
      description: `${model.charAt(0).toUpperCase()}${model.slice(1).replace("_", " ")} revenue from ${v.targetMarket}, ${VALUE_METRIC[v.archetype]}.`,
      sharePct: primaryShare,
    },
    {
      name: secondary.name,
      type: secondary.type === STREAM_FOR_MODEL[model] ? "services" : secondary.type,
      description: `Secondary revenue from ${v.targetMarket} once the core offer is adopted.`,
      sharePct: 100 - primaryShare,
    },
  ];

  const free = model === "freemium";
  const pricingTiers = [
    {
      name: free ? "Free" : "Starter",
      price: free ? 0 : round(anchor * 0.5),
      period,
      features: ["The core workflow", "Email support"],
      targetSegment: `Smallest buyers in ${v.targetMarket}`,
    },
    {
      name: "Standard",
      price: anchor,
      period,
      features: ["Everything in the first tier", v.valueProp.slice(0, 80), "Priority support"],
      targetSegment: `Typical buyers in ${v.targetMarket}`,
    },
    {
      name: "Pro",
      price: round(anchor * rng.float(2.2, 3)),
      period,
      features: ["Everything in Standard", "Multi-team administration", "Dedicated onboarding"],
      targetSegment: `Largest buyers in ${v.targetMarket}`,
    },
  ];

  return {
    pricingModel: model,
    primaryValueMetric: VALUE_METRIC[v.archetype],
    priceAnchor: { amount: anchor, currency: cur, period },
    competitiveContext: {
      position,
      marketPriceRange: range,
      comparedCompetitors: competitors,
      summary: range
        ? `Anchor ${anchor} ${cur} per ${period.replace("_", " ")} against a market band of ${range.low}-${range.high} (${position.replace("_", " ")}); the band is Stage 4's estimate.`
        : "No market price band from Stage 4; the anchor is an assumption to test.",
    },
    positioningDecision: {
      strategy,
      rationale: [
        strategy === "premium"
          ? `A defensible position (${v.moatStrategy ?? "segment focus"}) supports pricing above the band.`
          : strategy === "penetration"
            ? "A large market and a weak moat favour fast adoption over margin."
            : strategy === "niche"
              ? `A focused segment (${v.targetMarket}) values fit over price.`
              : "Little protects a premium yet; price where buyers already are.",
        ratio !== null ? `Stage 5 LTV:CAC is ${ratio}.` : "",
        financialRisk ? `Guarding against: ${String(financialRisk.description)}` : "",
      ]
        .filter(Boolean)
        .join(" "),
    },
    revenueStreams,
    pricingTiers,
  };
}

export const stage07: StageDefinition<PricingAnalysis, PricingDerived> = {
  number: 7,
  name: "Revenue Architecture",
  phase: 2,
  gateType: "none",
  consumes: [4, 5, 6],
  produces: ["pricing_model"],
  analysisSchema,
  artifactSchema: analysisObject.refine(sharesSumTo100, sharesRule),
  computeDerived: () => ({}),
  prompt: (ctx) =>
    stagePrompt(withinContract(ctx, CONTRACT), {
      role: "a pricing strategist designing the venture's revenue architecture",
      task: [
        "Design the pricing from Stage 4's competitive landscape, Stage 5's unit economics and Stage 6's risks.",
        `pricingModel (${pricingModel.options.join("|")}), primaryValueMetric (what the customer pays for), priceAnchor {amount, currency, period month|year|one_time|transaction}.`,
        `competitiveContext: position (${marketPosition.options.join("|")}) against the Stage 4 price band, marketPriceRange, comparedCompetitors (Stage 4 names), summary.`,
        `positioningDecision: strategy (${positioningStrategy.options.join("|")}) and rationale.`,
        `revenueStreams[] (name, type ${revenueStreamType.options.join("|")}, description, sharePct; shares sum to 100) and pricingTiers[] (name, price, period, features[], targetSegment).`,
      ].join("\n"),
      rules: ["Keep the anchor consistent with the revenue per customer Stage 5 assumed, or say why it changes."],
    }),
  simulate,
  qualityScore: (artifact) =>
    Math.round(
      Math.min(
        100,
        40 +
          Math.min(artifact.pricingTiers.length, 3) * 8 +
          Math.min(artifact.revenueStreams.length, 3) * 5 +
          (artifact.competitiveContext.marketPriceRange ? 10 : 0) +
          Math.min(artifact.competitiveContext.comparedCompetitors.length, 3) * 3,
      ),
    ),
};
