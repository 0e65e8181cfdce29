// Stage 5 — Profitability Kill Gate (spec §8.1): three-year annual projections,
// unit economics, scenarios and the assumptions behind them, priced against
// Stage 4's handoff and Stage 3's market validation. Derives the LTV:CAC
// ratio, and roi3y and breakEvenMonth from the annual projections (a model's
// contradicting figures are replaced and listed in `corrections`); the banded
// pass/conditional/kill decision is the gate's.
import { z } from "zod";
import { type Archetype, pricingModel } from "./enums.ts";
import { stagePrompt, withinContract } from "./prompt.ts";
import { ventureProfile } from "./simulation.ts";
import { marketCurrency, type PricePeriod, priceRange } from "./stage-04.ts";
import { maybeUpstream, type Rng, type StageContext, type StageDefinition } from "./types.ts";

const CONTRACT = ["validation_scorecard", "competitive_analysis"] as const;

const money = z.number().min(0);
const threeYears = z.array(money).length(3);

const unitEconomicsInput = z.object({
  /** Customer acquisition cost, in the model's currency. */
  cac: z.number().positive(),
  /** Lifetime gross margin per customer, in the model's currency. */
  ltv: money,
  /** Monthly churn, a fraction (0.03 = 3% a month). */
  churnRate: z.number().min(0).max(1),
  paybackMonths: z.number().min(0),
  /** Gross margin, a fraction (0.7 = 70%). */
  grossMargin: z.number().min(-1).max(1),
});

export const robustness = z.enum(["robust", "moderate", "fragile"]);

const analysisSchema = z.object({
  projections: z.object({
    /** Revenue for years 1, 2, 3 (annual granularity only). */
    revenue: threeYears,
    /** Total costs (cost of sales and operating costs) for years 1, 2, 3. */
    costs: threeYears,
    /** First month whose revenue covers that month's costs; null if not within five years. */
    breakEvenMonth: z.number().int().min(1).nullable(),
    /** Three-year return: (total revenue − total costs) / total costs, a fraction (0.25 = 25%). */
    roi3y: z.number().min(-1),
  }),
  unitEconomics: unitEconomicsInput,
  scenarioAnalysis: z
    .object({
      /** Revenue multiplier of the pessimistic case (≤ 1). */
      pessimisticMultiplier: z.number().positive().max(1),
      /** Revenue multiplier of the optimistic case (≥ 1). */
      optimisticMultiplier: z.number().min(1),
      /** robust: still ≥ 15% return in the pessimistic case; moderate: breaks even; fragile: loses money. */
      robustness,
    })
    .refine((s) => s.pessimisticMultiplier <= s.optimisticMultiplier, {
      error: "the pessimistic multiplier cannot exceed the optimistic one",
    }),
  assumptions: z.object({
    pricingModel,
    currency: z.string().regex(/^[A-Z]{3}$/),
    /** Average revenue per customer per month, in the model's currency. */
    revenuePerCustomerMonthly: z.number().positive(),
    /** Paying customers (or units, for one-time sales) at each year end. */
    customersByYear: z.array(z.number().int().min(0)).length(3),
    /** Monthly revenue growth, a fraction. */
    monthlyRevenueGrowth: z.number().min(-1),
    /** Monthly operating cost at the start, in the model's currency. */
    startingMonthlyOpex: money,
    notes: z.array(z.string().min(1)).min(1),
  }),
  stage4Context: z.object({
    dominantPricingModel: pricingModel,
    priceRange: priceRange.nullable(),
    competitivePositioning: z.string().min(1),
    competitorsConsidered: z.array(z.string().min(1)),
  }),
  /** The stage to revisit if the gate kills, and why: e.g. "Stage 4: pricing below the market band". */
  remediationRoute: z.string().min(1),
});
export type FinancialAnalysis = z.infer<typeof analysisSchema>;

const derivedSchema = z.object({
  /** The analysis's projections with roi3y and breakEvenMonth derived from its annual revenue and costs. */
  projections: analysisSchema.shape.projections,
  unitEconomics: unitEconomicsInput.extend({
    /** ltv / cac, two decimals. */
    ltvCacRatio: z.number().min(0),
  }),
  /** Figures the analysis stated that contradict its own projections, replaced by the derived ones. */
  corrections: z.array(
    z.object({
      field: z.string(),
      stated: z.number().nullable(),
      derived: z.number().nullable(),
      rule: z.string(),
    }),
  ),
});
export type FinancialDerived = z.infer<typeof derivedSchema>;

const ROI_RULE = "(Σ revenue − Σ costs) / Σ costs over years 1-3, three decimals";
const BREAK_EVEN_RULE =
  "first month whose revenue covers its costs on the monthly path of the annual figures (each year's total spread over its months, growing at the rate to the next year's; after year 3 at the year 2→3 rate; within five years, else null)";
/** A stated roi3y within this of the derived one is rounding, not a contradiction. */
const ROI_TOLERANCE = 0.005;

/** roi3y from the annual projections: (Σ revenue − Σ costs) / Σ costs, three decimals (−1 without costs to divide by). */
export function derivedRoi3y(revenue: readonly number[], costs: readonly number[]): number {
  const r = revenue.reduce((s, x) => s + x, 0);
  const c = costs.reduce((s, x) => s + x, 0);
  return c > 0 ? Math.max(-1, round((r - c) / c, 3)) : r > 0 ? 0 : -1;
}

/** The monthly path of three annual totals (60 months): see BREAK_EVEN_RULE. */
export function monthlyPath(annual: readonly number[]): number[] {
  const [y1 = 0, y2 = 0, y3 = 0] = annual;
  const rate = (a: number, b: number) => (a > 0 && b > 0 ? (b / a) ** (1 / 12) : 1);
  const rates = [rate(y1, y2), rate(y2, y3), rate(y2, y3)];
  const months: number[] = [];
  [y1, y2, y3].forEach((total, y) => {
    const g = rates[y] as number;
    const first = Math.abs(g - 1) < 1e-12 ? total / 12 : (total * (g - 1)) / (g ** 12 - 1);
    for (let m = 0; m < 12; m++) months.push(first * g ** m);
  });
  const last = months[35] ?? 0;
  for (let k = 1; k <= HORIZON_MONTHS - 36; k++) months.push(last * (rates[2] as number) ** k);
  return months;
}

/** breakEvenMonth from the annual projections (see BREAK_EVEN_RULE). */
export function derivedBreakEvenMonth(revenue: readonly number[], costs: readonly number[]): number | null {
  const r = monthlyPath(revenue);
  const c = monthlyPath(costs);
  const month = r.findIndex((x, i) => x > 0 && x >= (c[i] ?? 0));
  return month === -1 ? null : month + 1;
}

/** The projections with roi3y and breakEvenMonth derived, and what the analysis stated that contradicts them. */
export function deriveProjections(projections: FinancialAnalysis["projections"]): {
  projections: FinancialAnalysis["projections"];
  corrections: FinancialDerived["corrections"];
} {
  const roi3y = derivedRoi3y(projections.revenue, projections.costs);
  const breakEvenMonth = derivedBreakEvenMonth(projections.revenue, projections.costs);
  const corrections: FinancialDerived["corrections"] = [];
  if (Math.abs(projections.roi3y - roi3y) > ROI_TOLERANCE)
    corrections.push({ field: "projections.roi3y", stated: projections.roi3y, derived: roi3y, rule: ROI_RULE });
  if (projections.breakEvenMonth !== breakEvenMonth)
    corrections.push({
      field: "projections.breakEvenMonth",
      stated: projections.breakEvenMonth,
      derived: breakEvenMonth,
      rule: BREAK_EVEN_RULE,
    });
  return { projections: { ...projections, roi3y, breakEvenMonth }, corrections };
}

export function ltvCacRatio(ltv: number, cac: number): number {
  return Math.round((ltv / cac) * 100) / 100;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const round = (x: number, decimals = 0) => Math.round(x * 10 ** decimals) / 10 ** decimals;

/** Per archetype: gross margin and starting monthly operating cost (offline assumptions). */
const ARCHETYPE_ECONOMICS: Record<Archetype, { grossMargin: number; opex: number }> = {
  saas: { grossMargin: 0.78, opex: 30000 },
  marketplace: { grossMargin: 0.7, opex: 35000 },
  deeptech: { grossMargin: 0.6, opex: 90000 },
  hardware: { grossMargin: 0.42, opex: 70000 },
  services: { grossMargin: 0.45, opex: 20000 },
  media: { grossMargin: 0.62, opex: 15000 },
  fintech: { grossMargin: 0.65, opex: 50000 },
};

/** Monthly operating costs grow 1.5% a month (hiring, tooling). */
const OPEX_GROWTH = 0.015;
/** The break-even search horizon: five years. */
const HORIZON_MONTHS = 60;

/** How many months of revenue a price represents, so any price period maps to a monthly figure. */
export const MONTHLY_FACTOR: Record<PricePeriod, number> = { month: 1, year: 1 / 12, one_time: 1 / 24, transaction: 4 };

/**
 * The offline analyst's monthly model behind the annual figures: revenue grows
 * geometrically from `startRevenue`, costs are operating costs plus cost of
 * sales at (1 − grossMargin). Returns the annual sums, break-even month and ROI.
 */
export function projectMonthly(input: {
  startRevenue: number;
  revenueGrowth: number;
  startOpex: number;
  grossMargin: number;
}): { revenue: number[]; costs: number[]; breakEvenMonth: number | null; roi3y: number; monthlyRevenue: number[] } {
  const revenue = [0, 0, 0];
  const costs = [0, 0, 0];
  const monthlyRevenue: number[] = [];
  let breakEvenMonth: number | null = null;
  for (let m = 1; m <= HORIZON_MONTHS; m++) {
    const r = input.startRevenue * (1 + input.revenueGrowth) ** (m - 1);
    const c = input.startOpex * (1 + OPEX_GROWTH) ** (m - 1) + r * (1 - input.grossMargin);
    if (breakEvenMonth === null && r >= c) breakEvenMonth = m;
    if (m <= 36) {
      const y = Math.floor((m - 1) / 12);
      revenue[y] = (revenue[y] ?? 0) + r;
      costs[y] = (costs[y] ?? 0) + c;
      monthlyRevenue.push(r);
    }
  }
  const totalRevenue = revenue.reduce((s, x) => s + x, 0);
  const totalCosts = costs.reduce((s, x) => s + x, 0);
  return {
    revenue: revenue.map((x) => round(x)),
    costs: costs.map((x) => round(x)),
    breakEvenMonth,
    roi3y: round((totalRevenue - totalCosts) / totalCosts, 3),
    monthlyRevenue,
  };
}

const CURRENCY_WORDS: Record<string, string> = {
  "€": "EUR",
  eur: "EUR",
  euro: "EUR",
  euros: "EUR",
  $: "USD",
  usd: "USD",
  dollar: "USD",
  dollars: "USD",
  "£": "GBP",
  gbp: "GBP",
  pound: "GBP",
  pounds: "GBP",
};

/**
 * A price the venture states in its key assumptions ("Firms pay 49 EUR a
 * month"), so the model prices what the founder believes before the category norm.
 */
export function statedPrice(
  assumptions: readonly string[],
): { amount: number; currency: string; period: PricePeriod | null } | null {
  // A number is "1,200" or "1,200.50" (grouped thousands) or "49", "49.5", "49,50" (decimal comma).
  const numberPattern = String.raw`\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d{1,2})?`;
  const pattern = new RegExp(
    String.raw`(?:([€$£])\s?(${numberPattern}))|(?:(${numberPattern})\s?(eur|euros?|usd|dollars?|gbp|pounds?)\b)`,
    "i",
  );
  for (const text of assumptions) {
    const m = pattern.exec(text);
    if (!m) continue;
    const token = m[2] ?? m[3] ?? "";
    const amount = Number(/,\d{3}/.test(token) ? token.replaceAll(",", "") : token.replace(",", "."));
    const currency = CURRENCY_WORDS[(m[1] ?? m[4] ?? "").toLowerCase()];
    if (!currency || !Number.isFinite(amount) || amount <= 0) continue;
    const period = /\b(a|per|each|every)\s+month\b|\bmonthly\b/i.test(text)
      ? "month"
      : /\b(a|per|each|every)\s+year\b|\bannual(ly)?\b|\byearly\b/i.test(text)
        ? "year"
        : /\bper\s+(transaction|sale|booking|order)\b/i.test(text)
          ? "transaction"
          : null;
    return { amount, currency, period };
  }
  return null;
}

interface Handoff {
  pricingLandscape?: {
    dominantModel?: unknown;
    priceRange?: { low?: unknown; high?: unknown; currency?: unknown; period?: unknown };
  };
  competitivePositioning?: unknown;
}

/** Stage 4's pricing handoff, read defensively: anything malformed becomes null. */
function stage4Pricing(ctx: StageContext) {
  const analysis = maybeUpstream<{ competitors?: { name?: unknown }[]; stage5Handoff?: Handoff }>(
    ctx,
    "competitive_analysis",
  );
  const handoff = analysis?.stage5Handoff;
  const range = priceRange.safeParse(handoff?.pricingLandscape?.priceRange);
  const model = pricingModel.safeParse(handoff?.pricingLandscape?.dominantModel);
  return {
    priceRange: range.success ? range.data : null,
    dominantModel: model.success ? model.data : null,
    positioning: typeof handoff?.competitivePositioning === "string" ? handoff.competitivePositioning : null,
    competitors: (Array.isArray(analysis?.competitors) ? analysis.competitors : [])
      .map((c) => c?.name)
      .filter((n): n is string => typeof n === "string" && n.length > 0),
  };
}

/** Stage 3's overall score as a 0-1 figure, if present. */
function stage3Score(ctx: StageContext): number | null {
  const s = maybeUpstream<{ overallScore?: unknown }>(ctx, "validation_scorecard")?.overallScore;
  return typeof s === "number" && Number.isFinite(s) ? clamp(s / 100, 0, 1) : null;
}

const DEFAULT_MODEL: Record<Archetype, z.infer<typeof pricingModel>> = {
  saas: "subscription",
  marketplace: "marketplace_commission",
  deeptech: "hybrid",
  hardware: "one_time",
  services: "usage_based",
  media: "freemium",
  fintech: "subscription",
};

function simulate(ctx: StageContext, rng: Rng): FinancialAnalysis {
  const v = ctx.venture;
  const p = ventureProfile(v);
  const pricing = stage4Pricing(ctx);
  const validated = stage3Score(ctx);
  // Financial quality: the venture's strength, its market and what Stage 3 validated.
  const q = clamp(
    p.strength * 0.5 + p.market * 0.2 + (validated ?? p.strength) * 0.3 + rng.float(-0.06, 0.06, 3),
    0,
    1,
  );
  // Retention and acquisition efficiency lean on defensibility as much as on quality.
  const q2 = clamp(q * 0.5 + p.moat * 0.5 + rng.float(-0.15, 0.15, 3), 0, 1);
  const econ = ARCHETYPE_ECONOMICS[v.archetype];
  const grossMargin = round(clamp(econ.grossMargin + rng.float(-0.05, 0.05, 3), 0.1, 0.95), 2);
  const currency = pricing.priceRange?.currency ?? marketCurrency(v.targetMarket);
  const range = pricing.priceRange;
  const period = range?.period ?? "month";
  // The founder's stated price first (converted to the band's period); else within the band, higher with a stronger moat.
  const stated = statedPrice(v.keyAssumptions);
  const usable = stated && stated.currency === currency ? stated : null;
  const price = usable
    ? (usable.amount * MONTHLY_FACTOR[usable.period ?? period]) / MONTHLY_FACTOR[period]
    : range
      ? range.low + (range.high - range.low) * clamp(0.25 + p.moat * 0.5, 0, 1)
      : 50;
  const revenuePerCustomerMonthly = round(Math.max(1, price * MONTHLY_FACTOR[period]), 2);
  const startOpex = round(econ.opex * rng.float(0.85, 1.15));
  const revenueGrowth = round(clamp(0.03 + 0.07 * q + rng.float(-0.005, 0.005, 4), 0.005, 0.2), 4);
  const startRevenue = (startOpex * (0.1 + 0.5 * q)) / grossMargin;
  const monthly = projectMonthly({ startRevenue, revenueGrowth, startOpex, grossMargin });
  // The figures the kill gate reads, as EVA derives them from the annual projections (so nothing needs correcting).
  const model = { ...monthly, ...deriveProjections({ ...monthly }).projections };

  const churnRate = round(clamp(0.01 + 0.05 * (1 - q2) + rng.float(-0.005, 0.005, 4), 0.003, 0.2), 3);
  const paybackMonths = round(clamp(4 + 18 * (1 - q2) + rng.float(-3, 3), 1, 48), 1);
  const monthlyMargin = revenuePerCustomerMonthly * grossMargin;
  const cac = round(paybackMonths * monthlyMargin, 2);
  const ltv = round(monthlyMargin / churnRate, 2);

  const pessimisticMultiplier = round(clamp(0.55 + 0.3 * q + rng.float(-0.05, 0.05), 0.3, 1), 2);
  const optimisticMultiplier = round(1.1 + 0.4 * q + rng.float(0, 0.1), 2);
  const totalRevenue = model.revenue.reduce((s, x) => s + x, 0);
  const totalCosts = model.costs.reduce((s, x) => s + x, 0);
  // Costs of sales scale with revenue in the pessimistic case; operating costs do not.
  const pessimisticCosts = totalCosts - totalRevenue * (1 - grossMargin) * (1 - pessimisticMultiplier);
  const pessimisticRoi = (totalRevenue * pessimisticMultiplier - pessimisticCosts) / pessimisticCosts;
  const scenarioRobustness = pessimisticRoi >= 0.15 ? "robust" : pessimisticRoi >= 0 ? "moderate" : "fragile";

  const customersByYear = [11, 23, 35].map((m) =>
    Math.round((model.monthlyRevenue[m] ?? 0) / revenuePerCustomerMonthly),
  );
  const weakest =
    model.roi3y < 0.15
      ? "Stage 4: the price band and positioning do not cover costs; revisit pricing and competitive positioning"
      : model.breakEvenMonth === null || model.breakEvenMonth > 24
        ? "Stage 3: growth is too slow to break even within 24 months; revisit market validation and demand"
        : ltvCacRatio(ltv, cac) < 2
          ? "Stage 4: acquisition costs outrun customer value; revisit channels and positioning"
          : "None expected; if the gate disagrees, revisit Stage 4 pricing first";

  return {
    projections: {
      revenue: model.revenue,
      costs: model.costs,
      breakEvenMonth: model.breakEvenMonth,
      roi3y: model.roi3y,
    },
    unitEconomics: { cac, ltv, churnRate, paybackMonths, grossMargin },
    scenarioAnalysis: { pessimisticMultiplier, optimisticMultiplier, robustness: scenarioRobustness },
    assumptions: {
      pricingModel: pricing.dominantModel ?? DEFAULT_MODEL[v.archetype],
      currency,
      revenuePerCustomerMonthly,
      customersByYear,
      monthlyRevenueGrowth: revenueGrowth,
      startingMonthlyOpex: startOpex,
      notes: [
        usable
          ? `Price ${round(price, 2)} ${currency} per ${period.replace("_", " ")}, as the venture's key assumptions state${range ? ` (Stage 4 band ${range.low}-${range.high})` : ""}.`
          : range
            ? `Price ${round(price, 2)} ${currency} per ${range.period.replace("_", " ")}, inside Stage 4's ${range.low}-${range.high} band.`
            : `No Stage 4 price band: assumed ${round(price, 2)} ${currency} a month.`,
        `Gross margin ${Math.round(grossMargin * 100)}% and starting opex ${startOpex} ${currency}/month are ${v.archetype} norms, not quotes.`,
        ...v.keyAssumptions.map((a) => `Rests on the unverified assumption: ${a}`),
      ],
    },
    stage4Context: {
      dominantPricingModel: pricing.dominantModel ?? DEFAULT_MODEL[v.archetype],
      priceRange: pricing.priceRange,
      competitivePositioning: pricing.positioning ?? "No Stage 4 positioning available.",
      competitorsConsidered: pricing.competitors,
    },
    remediationRoute: weakest,
  };
}

export const stage05: StageDefinition<FinancialAnalysis, FinancialDerived> = {
  number: 5,
  name: "Profitability Kill Gate",
  phase: 1,
  gateType: "kill",
  consumes: [3, 4],
  produces: ["financial_model"],
  analysisSchema,
  artifactSchema: analysisSchema.extend(derivedSchema.shape),
  computeDerived: (analysis) => ({
    ...deriveProjections(analysis.projections),
    unitEconomics: {
      ...analysis.unitEconomics,
      ltvCacRatio: ltvCacRatio(analysis.unitEconomics.ltv, analysis.unitEconomics.cac),
    },
  }),
  prompt: (ctx) =>
    stagePrompt(withinContract(ctx, CONTRACT), {
      role: "a venture finance analyst building the Stage 5 profitability model",
      task: [
        "Build a three-year model at annual granularity from Stage 4's stage5Handoff (pricing landscape, positioning) and Stage 3's validated scores.",
        "projections: revenue[3] and costs[3] (years 1-3), breakEvenMonth (first month revenue covers that month's costs; null if not within five years), roi3y ((total revenue − total costs) / total costs, a fraction). EVA derives roi3y and breakEvenMonth from revenue and costs; figures that contradict them are replaced and noted as corrections.",
        "unitEconomics: cac, ltv, churnRate (monthly fraction), paybackMonths, grossMargin (fraction). The LTV:CAC ratio is derived from ltv and cac.",
        "scenarioAnalysis: pessimisticMultiplier (≤ 1) and optimisticMultiplier (≥ 1) on revenue, robustness robust|moderate|fragile.",
        "assumptions: pricingModel, currency, revenuePerCustomerMonthly, customersByYear[3], monthlyRevenueGrowth, startingMonthlyOpex, notes[]. stage4Context: the pricing and competitive data you used. remediationRoute: which earlier stage to revisit if this fails, and why.",
      ].join("\n"),
      rules: [
        "Keep roi3y, breakEvenMonth and the annual figures consistent with each other.",
        "The kill gate reads roi3y, breakEvenMonth, ltvCacRatio and paybackMonths; do not decide it yourself.",
      ],
    }),
  simulate,
  qualityScore: (artifact) => {
    // An analysis whose stated figures contradict its own projections loses the consistency points.
    const consistent = artifact.corrections.length === 0 && artifact.projections.costs.some((c) => c > 0);
    return Math.round(
      Math.min(
        100,
        40 +
          (consistent ? 25 : 0) +
          Math.min(artifact.assumptions.notes.length, 4) * 5 +
          (artifact.stage4Context.priceRange ? 10 : 0) +
          (artifact.stage4Context.competitorsConsidered.length >= 3 ? 5 : 0),
      ),
    );
  },
};
