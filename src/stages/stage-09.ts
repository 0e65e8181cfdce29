// Stage 9 — Exit Strategy, reality gate (spec §8.2): the exit thesis, paths,
// target acquirers and milestones synthesised from Stages 1-8, and a
// revenue-multiple valuation whose range is derived. The reality gate itself
// (Phase 2 completeness) is the gate's.
import { z } from "zod";
import { type Archetype, buyerType, exitType } from "./enums.ts";
import { stagePrompt, withinContract } from "./prompt.ts";
import { ventureProfile } from "./simulation.ts";
import { maybeUpstream, type Rng, type StageContext, type StageDefinition } from "./types.ts";

const CONTRACT = [
  "idea_brief",
  "idea_validation",
  "validation_scorecard",
  "competitive_analysis",
  "financial_model",
  "risk_matrix",
  "pricing_model",
  "business_model_canvas",
];

export const milestoneCategory = z.enum(["financial", "product", "market", "team"]);
/** revenue_multiple (the default) applies the multiples to revenue; ebitda_multiple to EBITDA. */
export const valuationMethod = z.enum(["revenue_multiple", "ebitda_multiple"]);

const valuationInput = z.object({
  method: valuationMethod,
  /** The annual figure the multiples apply to (revenue, or EBITDA for ebitda_multiple), in `currency`. */
  revenueBase: z.number().min(0),
  currency: z.string().regex(/^[A-Z]{3}$/),
  multipleLow: z.number().min(0),
  multipleBase: z.number().min(0),
  multipleHigh: z.number().min(0),
});
const multiplesOrdered = (v: { multipleLow: number; multipleBase: number; multipleHigh: number }) =>
  v.multipleLow <= v.multipleBase && v.multipleBase <= v.multipleHigh;
const multiplesRule = { error: "multiples must satisfy low ≤ base ≤ high", path: ["multipleBase"] };

const analysisObject = z.object({
  exitThesis: z.string().min(20),
  exitHorizonMonths: z.number().int().min(1).max(120),
  exitPaths: z
    .array(
      z.object({
        type: exitType,
        description: z.string().min(1),
        probabilityPct: z.number().min(0).max(100),
      }),
    )
    .min(1),
  targetAcquirers: z
    .array(
      z.object({
        name: z.string().min(1),
        rationale: z.string().min(1),
        fitScore: z.number().int().min(1).max(5),
        buyerType,
      }),
    )
    .min(3),
  milestones: z.array(
    z.object({
      date: z.iso.date(),
      successCriteria: z.string().min(1),
      category: milestoneCategory,
    }),
  ),
  valuationEstimate: valuationInput.refine(multiplesOrdered, multiplesRule),
});

/** Exit paths are alternatives: their probabilities cannot add up to more than 100%. */
const pathsExclusive = (a: { exitPaths: { probabilityPct: number }[] }) =>
  a.exitPaths.reduce((s, p) => s + p.probabilityPct, 0) <= 100;
const pathsRule = { error: "exit path probabilities cannot sum to more than 100%", path: ["exitPaths"] };

const analysisSchema = analysisObject.refine(pathsExclusive, pathsRule);
export type ExitAnalysis = z.infer<typeof analysisObject>;

const estimatedRange = z.object({ low: z.number().min(0), base: z.number().min(0), high: z.number().min(0) });
const derivedSchema = z.object({
  valuationEstimate: valuationInput.extend({ estimatedRange }).refine(multiplesOrdered, multiplesRule),
});
export type ExitDerived = z.infer<typeof derivedSchema>;

/** revenueBase × each multiple, rounded to whole currency units. */
export function estimateRange(v: z.infer<typeof valuationInput>): z.infer<typeof estimatedRange> {
  return {
    low: Math.round(v.revenueBase * v.multipleLow),
    base: Math.round(v.revenueBase * v.multipleBase),
    high: Math.round(v.revenueBase * v.multipleHigh),
  };
}

/** Revenue multiples per archetype: [low, base, high] for an average venture (offline assumptions). */
const MULTIPLES: Record<Archetype, [number, number, number]> = {
  saas: [3, 6, 10],
  marketplace: [2, 4, 7],
  deeptech: [3, 6, 12],
  hardware: [1, 2, 3.5],
  services: [0.5, 1, 2],
  media: [1, 2.5, 4],
  fintech: [2, 5, 8],
};

const HORIZON: Record<Archetype, number> = {
  saas: 60,
  marketplace: 72,
  deeptech: 96,
  hardware: 84,
  services: 48,
  media: 60,
  fintech: 72,
};

const STATUS_QUO = /status quo|manual|spreadsheet|in-house|diy|informal|by hand|waiting list/i;

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const round = (x: number, decimals = 1) => Math.round(x * 10 ** decimals) / 10 ** decimals;
const num = (x: unknown): number | null => (typeof x === "number" && Number.isFinite(x) ? x : null);
const str = (x: unknown): string | null => (typeof x === "string" && x.length > 0 ? x : null);

/** The run's date: the anchor for milestone dates, stated in the prompt too. */
function today(ctx: StageContext): string {
  return ctx.asOf.slice(0, 10);
}

/** An ISO date `months` after `from` (day clamped to 28 so every month has it). */
export function addMonths(from: string, months: number): string {
  const [y, m, d] = from.split("-").map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  return `${year}-${String(month).padStart(2, "0")}-${String(Math.min(d, 28)).padStart(2, "0")}`;
}

function simulate(ctx: StageContext, rng: Rng): ExitAnalysis {
  const v = ctx.venture;
  const p = ventureProfile(v);
  const financial = maybeUpstream<{
    projections?: { revenue?: unknown; breakEvenMonth?: unknown };
    assumptions?: { currency?: unknown; customersByYear?: unknown };
  }>(ctx, "financial_model");
  const pricing = maybeUpstream<{ priceAnchor?: { currency?: unknown } }>(ctx, "pricing_model");
  const competitive = maybeUpstream<{ competitors?: { name?: unknown; marketPosition?: unknown }[] }>(
    ctx,
    "competitive_analysis",
  );
  const risks = maybeUpstream<{ highRiskCount?: unknown; maxRiskScore?: unknown }>(ctx, "risk_matrix");
  const canvas = maybeUpstream<{ keyResources?: { text?: unknown; priority?: unknown }[] }>(
    ctx,
    "business_model_canvas",
  );

  const revenue = Array.isArray(financial?.projections?.revenue)
    ? (financial.projections.revenue as unknown[]).map(num)
    : [];
  const revenueBase = Math.round(revenue[2] ?? revenue[revenue.length - 1] ?? 0);
  const currency = str(pricing?.priceAnchor?.currency) ?? str(financial?.assumptions?.currency) ?? ("USD" as string);
  const highRisks = num(risks?.highRiskCount) ?? 0;
  // Stronger, less risky ventures earn higher multiples.
  const quality = clamp(0.6 + p.strength * 0.6 + p.moat * 0.2 - highRisks * 0.05 + rng.float(-0.05, 0.05), 0.4, 1.5);
  const [lo, mid, hi] = MULTIPLES[v.archetype];
  const horizon = clamp(HORIZON[v.archetype] + rng.int(-12, 12), 24, 120);

  // Competitors that could buy: real players, not the status quo (manual work, in-house, DIY).
  const competitors = (Array.isArray(competitive?.competitors) ? competitive.competitors : [])
    .map((c) => str(c?.name))
    .filter((n): n is string => !!n && !STATUS_QUO.test(n));
  const coreAsset =
    (Array.isArray(canvas?.keyResources) ? canvas.keyResources : [])
      .map((r) => str(r?.text))
      .find((t): t is string => !!t) ?? v.valueProp;

  const acquisition = clamp(Math.round(40 + p.strength * 25 + rng.int(-5, 5)), 20, 75);
  const ipo = p.strength > 0.7 && p.market > 0.5 ? rng.int(5, 10) : 0;
  const mbo = v.archetype === "services" || v.archetype === "media" ? rng.int(10, 20) : rng.int(0, 8);
  const liquidation = clamp(Math.round((1 - p.strength) * 25), 3, 30);
  const exitPaths = [
    {
      type: "acquisition" as const,
      description: `A strategic buyer acquires ${v.name} for: ${coreAsset.slice(0, 80).replace(/[.\s]+$/, "")}.`,
      probabilityPct: acquisition,
    },
    ...(ipo ? [{ type: "ipo" as const, description: "Public listing if growth compounds.", probabilityPct: ipo }] : []),
    ...(mbo
      ? [{ type: "mbo" as const, description: "The operating team buys out the investors.", probabilityPct: mbo }]
      : []),
    {
      type: "liquidation" as const,
      description: "Wind-down if the Stage 5 economics do not materialise.",
      probabilityPct: liquidation,
    },
  ];

  const targetAcquirers: ExitAnalysis["targetAcquirers"] = [
    ...competitors.slice(0, 2).map((name) => ({
      name,
      rationale: `Buying ${v.name} removes a challenger and adds its ${v.targetMarket} customers.`,
      fitScore: clamp(Math.round(2 + p.strength * 3), 1, 5),
      buyerType: "competitor" as const,
    })),
    {
      name: `Adjacent platform serving ${v.targetMarket}`,
      rationale: `Extends its offer with: ${v.valueProp.slice(0, 80).replace(/[.\s]+$/, "")}.`,
      fitScore: clamp(Math.round(2.5 + p.market * 2.5), 1, 5),
      buyerType: "strategic" as const,
    },
    {
      name: `Sector-focused private equity (${v.archetype} buy-and-build)`,
      rationale: "Consolidates profitable niche players once revenue is recurring and predictable.",
      fitScore: clamp(Math.round(1.5 + p.strength * 3), 1, 5),
      buyerType: "pe" as const,
    },
  ];
  while (targetAcquirers.length < 3) {
    targetAcquirers.push({
      name: "Growth-stage financial investor",
      rationale: "Buys into category leaders with proven unit economics.",
      fitScore: 2,
      buyerType: "financial" as const,
    });
  }

  const from = today(ctx);
  const breakEven = num(financial?.projections?.breakEvenMonth);
  const customers = Array.isArray(financial?.assumptions?.customersByYear)
    ? (financial.assumptions.customersByYear as unknown[]).map(num)
    : [];
  const milestones = [
    {
      date: addMonths(from, 12),
      successCriteria: v.successCriteria[0] ?? `${customers[0] ?? "First"} paying customers in ${v.targetMarket}`,
      category: "market" as const,
    },
    {
      date: addMonths(from, clamp(breakEven ?? 30, 6, horizon)),
      successCriteria: "Monthly revenue covers monthly costs (operating break-even).",
      category: "financial" as const,
    },
    {
      date: addMonths(from, 18),
      successCriteria: "Leadership team complete: commercial and technical leads hired.",
      category: "team" as const,
    },
    {
      date: addMonths(from, Math.min(36, horizon)),
      successCriteria: `Revenue of ${revenueBase} ${currency} a year, the valuation base.`,
      category: "financial" as const,
    },
    {
      date: addMonths(from, 9),
      successCriteria: "The core workflow is in production with retention measured.",
      category: "product" as const,
    },
  ].sort((a, b) => a.date.localeCompare(b.date));

  return {
    exitThesis: `${v.name} becomes the reference ${v.archetype} offer for ${v.targetMarket}; its exit value rests on: ${coreAsset.slice(0, 100).replace(/[.\s]+$/, "")}.`,
    exitHorizonMonths: horizon,
    exitPaths,
    targetAcquirers,
    milestones,
    valuationEstimate: {
      method: "revenue_multiple",
      revenueBase,
      currency,
      multipleLow: round(lo * quality),
      multipleBase: round(mid * quality),
      multipleHigh: round(hi * quality),
    },
  };
}

export const stage09: StageDefinition<ExitAnalysis, ExitDerived> = {
  number: 9,
  name: "Exit Strategy",
  phase: 2,
  gateType: "reality",
  consumes: [1, 2, 3, 4, 5, 6, 7, 8],
  produces: ["exit_strategy"],
  analysisSchema,
  artifactSchema: analysisObject.extend(derivedSchema.shape).refine(pathsExclusive, pathsRule),
  computeDerived: (analysis) => ({
    valuationEstimate: { ...analysis.valuationEstimate, estimatedRange: estimateRange(analysis.valuationEstimate) },
  }),
  prompt: (ctx) =>
    stagePrompt(withinContract(ctx, CONTRACT), {
      role: "an exit strategist synthesising the venture's exit from Stages 1-8",
      task: [
        "exitThesis (why someone will buy or list this venture) and exitHorizonMonths (1-120).",
        `exitPaths[] (type ${exitType.options.join("|")}, description, probabilityPct; alternatives, so at most 100 in total).`,
        `targetAcquirers[] (at least 3: name, rationale, fitScore 1-5, buyerType ${buyerType.options.join("|")}); map the canvas's key resources to what each buyer wants.`,
        `milestones[] (date as an ISO date counted from ${today(ctx)}; successCriteria; category ${milestoneCategory.options.join("|")}).`,
        "valuationEstimate: method (revenue_multiple by default), revenueBase (from Stage 5's projections), currency, multipleLow ≤ multipleBase ≤ multipleHigh. The estimated range is derived.",
      ].join("\n"),
      rules: ["Name acquirer categories rather than companies you cannot justify from the upstream artifacts."],
    }),
  simulate,
  qualityScore: (artifact) =>
    Math.round(
      Math.min(
        100,
        35 +
          Math.min(artifact.targetAcquirers.length, 5) * 5 +
          Math.min(new Set(artifact.milestones.map((m) => m.category)).size, 4) * 5 +
          Math.min(artifact.exitPaths.length, 3) * 5 +
          (artifact.valuationEstimate.revenueBase > 0 ? 10 : 0),
      ),
    ),
};
