// Stage 6 — Risk Assessment (spec §8.2): risks drawn from Stages 1-5, each
// scored on two factors (probability × consequence) and attributed to the
// stage it came from. Stage 9 reads the risk profile; Stage 15 builds on it.
import { z } from "zod";
import { stagePrompt, withinContract } from "./prompt.ts";
import { ventureProfile } from "./simulation.ts";
import { METRICS, type MetricName } from "./stage-02.ts";
import { maybeUpstream, type Rng, type StageContext, type StageDefinition } from "./types.ts";

const CONTRACT = ["idea_brief", "idea_validation", "validation_scorecard", "competitive_analysis", "financial_model"];

/** A risk scoring at least this (of 25) counts as high (spec §8.2). */
export const HIGH_RISK_SCORE = 15;

export const riskCategory = z.enum(["market", "competitive", "financial", "technical", "operational", "regulatory"]);
export const riskSource = z.enum(["stage0", "stage1", "stage2", "stage3", "stage4", "stage5", "manual"]);

const factor = z.number().int().min(1).max(5);
const risk = z.object({
  description: z.string().min(1),
  category: riskCategory,
  /** 1 (rare) to 5 (almost certain). */
  probability: factor,
  /** 1 (negligible) to 5 (fatal to the venture). */
  consequence: factor,
  source: riskSource,
  mitigationStrategy: z.string().min(1),
});

const analysisSchema = z.object({ risks: z.array(risk).min(3) });
export type RiskAnalysis = z.infer<typeof analysisSchema>;

const derivedSchema = z.object({
  risks: z.array(risk.extend({ riskScore: z.number().int().min(1).max(25) })).min(3),
  /** Mean risk score, one decimal. */
  averageRiskScore: z.number().min(1).max(25),
  maxRiskScore: z.number().int().min(1).max(25),
  /** Risks scoring 15 or more. */
  highRiskCount: z.number().int().min(0),
});
export type RiskDerived = z.infer<typeof derivedSchema>;

export function riskScore(r: { probability: number; consequence: number }): number {
  return r.probability * r.consequence;
}

export function riskProfile(risks: RiskAnalysis["risks"]): RiskDerived {
  const scored = risks.map((r) => ({ ...r, riskScore: riskScore(r) }));
  const scores = scored.map((r) => r.riskScore);
  return {
    risks: scored,
    averageRiskScore: Math.round((scores.reduce((s, x) => s + x, 0) / scores.length) * 10) / 10,
    maxRiskScore: Math.max(...scores),
    highRiskCount: scores.filter((s) => s >= HIGH_RISK_SCORE).length,
  };
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
/** A 1-5 factor from a 0-1 level of concern, with a little jitter. */
const factorOf = (concern: number, rng: Rng) => clamp(Math.round(1 + concern * 4 + rng.float(-0.6, 0.6)), 1, 5);
const num = (x: unknown): number | null => (typeof x === "number" && Number.isFinite(x) ? x : null);

type Risk = RiskAnalysis["risks"][number];

const METRIC_RISK: Record<MetricName, { category: Risk["category"]; text: string; mitigation: string }> = {
  marketFit: {
    category: "market",
    text: "The offer may not fit how the target market works",
    mitigation: "Run a concierge pilot with five target customers before building further",
  },
  customerNeed: {
    category: "market",
    text: "The problem may not hurt enough for customers to switch",
    mitigation: "Measure willingness to pay with pre-orders or letters of intent",
  },
  momentum: {
    category: "market",
    text: "The market may not be moving now; adoption could stall",
    mitigation: "Track a leading demand indicator monthly and set a pivot threshold",
  },
  revenuePotential: {
    category: "financial",
    text: "Revenue per customer may be too low to carry the business",
    mitigation: "Test a higher price tier with new prospects before fixing the price list",
  },
  competitiveBarrier: {
    category: "competitive",
    text: "Little stops competitors from copying the offer",
    mitigation: "Invest early in the proprietary asset that compounds with each customer",
  },
  executionFeasibility: {
    category: "technical",
    text: "The build may take longer or cost more than planned",
    mitigation: "Cut the first release to the single workflow that proves the value proposition",
  },
};

function simulate(ctx: StageContext, rng: Rng): RiskAnalysis {
  const v = ctx.venture;
  const p = ventureProfile(v);
  const risks: Risk[] = [];

  // Stage 3: the two weakest validated metrics (falling back to Stage 2's pre-scores).
  const scorecard = maybeUpstream<{ metrics?: Record<string, unknown> }>(ctx, "validation_scorecard");
  const prescores = maybeUpstream<{ metrics?: Record<string, unknown> }>(ctx, "idea_validation");
  const metricSource = scorecard?.metrics ? "stage3" : "stage2";
  const metrics = scorecard?.metrics ?? prescores?.metrics ?? {};
  const weakest = METRICS.map((m) => ({ m, s: num(metrics[m]) ?? Math.round(p.strength * 100) }))
    .sort((a, b) => a.s - b.s)
    .slice(0, 2);
  for (const { m, s } of weakest) {
    const r = METRIC_RISK[m];
    risks.push({
      description: `${r.text} (${m} scored ${s}/100).`,
      category: r.category,
      probability: factorOf(1 - s / 100, rng),
      consequence: factorOf(m === "customerNeed" || m === "marketFit" ? 0.85 : 0.6, rng),
      source: metricSource,
      mitigationStrategy: r.mitigation,
    });
  }

  // Stage 4: the most threatening competitor.
  const competitive = maybeUpstream<{ competitors?: { name?: unknown; marketPosition?: unknown }[] }>(
    ctx,
    "competitive_analysis",
  );
  const leader = (Array.isArray(competitive?.competitors) ? competitive.competitors : []).find(
    (c) => typeof c?.name === "string",
  );
  risks.push({
    description: leader
      ? `${String(leader.name)} could respond on price or features once the venture shows traction.`
      : "An incumbent could respond on price or features once the venture shows traction.",
    category: "competitive",
    probability: factorOf(1 - p.moat, rng),
    consequence: factorOf(0.5 + (1 - p.moat) * 0.3, rng),
    source: leader ? "stage4" : "manual",
    mitigationStrategy: v.moatStrategy
      ? `Deepen the moat: ${v.moatStrategy}`
      : "Lock in early customers with onboarding depth and annual terms",
  });

  // Stage 5: the unit economics and break-even.
  const financial = maybeUpstream<{
    projections?: { breakEvenMonth?: unknown; roi3y?: unknown };
    unitEconomics?: { ltvCacRatio?: unknown; paybackMonths?: unknown; churnRate?: unknown };
  }>(ctx, "financial_model");
  const ratio = num(financial?.unitEconomics?.ltvCacRatio);
  const payback = num(financial?.unitEconomics?.paybackMonths);
  const breakEven = num(financial?.projections?.breakEvenMonth);
  const roi = num(financial?.projections?.roi3y);
  if (financial) {
    risks.push({
      description: `Customer economics may not hold: LTV:CAC ${ratio ?? "unknown"}, payback ${payback ?? "unknown"} months.`,
      category: "financial",
      probability: factorOf(ratio === null ? 0.6 : clamp((3.5 - ratio) / 3, 0, 1), rng),
      consequence: factorOf(0.7, rng),
      source: "stage5",
      mitigationStrategy: "Instrument CAC by channel from the first campaign; stop channels above the payback target",
    });
    risks.push({
      description:
        breakEven === null
          ? "The model does not break even within five years; runway could run out first."
          : `Break-even is projected at month ${breakEven}; any delay extends the funding need (3-year ROI ${roi ?? "unknown"}).`,
      category: "financial",
      probability: factorOf(breakEven === null ? 0.95 : clamp((breakEven - 6) / 30, 0, 1), rng),
      consequence: factorOf(breakEven === null || breakEven > 24 ? 0.9 : 0.6, rng),
      source: "stage5",
      mitigationStrategy: "Stage spending against revenue milestones and keep 12 months of runway",
    });
  }

  // Stage 1: the key assumptions nobody has tested yet.
  for (const assumption of v.keyAssumptions.slice(0, 2)) {
    risks.push({
      description: `The assumption "${assumption}" is untested.`,
      category: "market",
      probability: factorOf(0.7 - p.strength * 0.5, rng),
      consequence: factorOf(0.7, rng),
      source: "stage1",
      mitigationStrategy: `Design a cheap test that could disprove "${assumption}" within four weeks`,
    });
  }
  // Archetype-specific exposure.
  if (v.archetype === "fintech" || v.archetype === "hardware" || v.archetype === "deeptech") {
    risks.push({
      description:
        v.archetype === "fintech"
          ? "Licensing and financial regulation could delay launch or limit the product."
          : "Certification, supply chain or lab validation could delay the first sale.",
      category: v.archetype === "fintech" ? "regulatory" : "operational",
      probability: factorOf(0.5 + p.difficulty * 0.3, rng),
      consequence: factorOf(0.75, rng),
      source: "stage1",
      mitigationStrategy:
        v.archetype === "fintech"
          ? "Partner with a licensed institution for the first release; engage a compliance advisor now"
          : "Qualify two suppliers and book certification slots before committing to a launch date",
    });
  }
  while (risks.length < 3) {
    risks.push({
      description: "Key people risk: the venture depends on a small founding team.",
      category: "operational",
      probability: factorOf(0.4, rng),
      consequence: factorOf(0.6, rng),
      source: "manual",
      mitigationStrategy: "Document critical knowledge and plan the first two hires",
    });
  }
  return { risks };
}

export const stage06: StageDefinition<RiskAnalysis, RiskDerived> = {
  number: 6,
  name: "Risk Assessment",
  phase: 2,
  gateType: "none",
  consumes: [1, 2, 3, 4, 5],
  produces: ["risk_matrix"],
  analysisSchema,
  artifactSchema: analysisSchema.extend(derivedSchema.shape),
  computeDerived: (analysis) => riskProfile(analysis.risks),
  prompt: (ctx) =>
    stagePrompt(withinContract(ctx, CONTRACT), {
      role: "a venture risk analyst identifying the risks in Stages 1-5",
      task: [
        "Identify at least three risks, grounded in Stage 5's unit economics and projections and in Stages 1-4.",
        `For each: description, category (${riskCategory.options.join("|")}), probability 1-5, consequence 1-5, source (${riskSource.options.join("|")}: the stage the risk comes from) and mitigationStrategy.`,
        `The risk score (probability × consequence) and the aggregates (average, maximum, count of scores ≥ ${HIGH_RISK_SCORE}) are derived.`,
      ].join("\n"),
      rules: ["Attribute each risk to the stage whose data shows it; use manual only for risks no stage shows."],
    }),
  simulate,
  qualityScore: (artifact) => {
    const sources = new Set(artifact.risks.map((r) => r.source)).size;
    const categories = new Set(artifact.risks.map((r) => r.category)).size;
    const mitigated = artifact.risks.filter((r) => r.mitigationStrategy.length >= 30).length / artifact.risks.length;
    return Math.round(
      Math.min(100, 30 + Math.min(artifact.risks.length, 8) * 4 + sources * 4 + categories * 3 + mitigated * 15),
    );
  },
};
