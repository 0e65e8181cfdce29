// Stage 3 — Individual Validation, kill gate (spec §8.1): the six Stage 2
// pre-scores, calibrated by the analyst, fused into final metrics, an
// archetype-weighted overall score and three rollups, plus the competitor
// entities Stage 4 builds on. The pass/revise/kill decision is the gate's.
import { z } from "zod";
import type { Archetype } from "./enums.ts";
import { stagePrompt, withinContract } from "./prompt.ts";
import { score, ventureProfile } from "./simulation.ts";
import { METRICS, type MetricName } from "./stage-02.ts";
import { maybeUpstream, type Rng, type StageContext, type StageDefinition } from "./types.ts";

const CONTRACT = ["idea_brief", "idea_validation"] as const;

/** The AI half of a metric may move it by at most this many points (spec §8.1). */
export const CALIBRATION_CAP = 15;
/** Pre-score used when Stage 2 did not score a metric (a neutral midpoint, not evidence). */
export const MISSING_PRE_SCORE = 50;

/**
 * Archetype → metric weights (percent, each row sums to 100) for the overall score
 * (spec §8.1: the archetype drives Stage 3 scoring weights). The reasoning per row:
 * - saas: recurring revenue and fit dominate; builds are routine.
 * - marketplace: momentum (liquidity on both sides) and the network barrier decide.
 * - deeptech: can it be built, and is it defensible once built.
 * - hardware: feasibility and a real, urgent need (buyers must pay up front).
 * - services: need and revenue; little defensibility is expected.
 * - media: audience momentum and fit; building is cheap.
 * - fintech: need, revenue and execution under regulation; trust is a barrier.
 */
export const ARCHETYPE_WEIGHTS: Record<Archetype, Record<MetricName, number>> = {
  saas: {
    marketFit: 20,
    customerNeed: 20,
    momentum: 15,
    revenuePotential: 20,
    competitiveBarrier: 10,
    executionFeasibility: 15,
  },
  marketplace: {
    marketFit: 15,
    customerNeed: 15,
    momentum: 25,
    revenuePotential: 15,
    competitiveBarrier: 15,
    executionFeasibility: 15,
  },
  deeptech: {
    marketFit: 15,
    customerNeed: 15,
    momentum: 10,
    revenuePotential: 15,
    competitiveBarrier: 20,
    executionFeasibility: 25,
  },
  hardware: {
    marketFit: 15,
    customerNeed: 20,
    momentum: 10,
    revenuePotential: 15,
    competitiveBarrier: 15,
    executionFeasibility: 25,
  },
  services: {
    marketFit: 20,
    customerNeed: 25,
    momentum: 10,
    revenuePotential: 20,
    competitiveBarrier: 5,
    executionFeasibility: 20,
  },
  media: {
    marketFit: 20,
    customerNeed: 15,
    momentum: 25,
    revenuePotential: 20,
    competitiveBarrier: 10,
    executionFeasibility: 10,
  },
  fintech: {
    marketFit: 15,
    customerNeed: 20,
    momentum: 10,
    revenuePotential: 20,
    competitiveBarrier: 15,
    executionFeasibility: 20,
  },
};

/** Governance rollups: which metrics each dimension averages. */
export const ROLLUPS = {
  market: ["marketFit", "customerNeed", "momentum"],
  technical: ["executionFeasibility", "competitiveBarrier"],
  financial: ["revenuePotential"],
} as const satisfies Record<string, readonly MetricName[]>;

const metricScore = z.number().int().min(0).max(100);
const perMetric = <T extends z.ZodType>(schema: T) =>
  z.object({
    marketFit: schema,
    customerNeed: schema,
    momentum: schema,
    revenuePotential: schema,
    competitiveBarrier: schema,
    executionFeasibility: schema,
  });

export const threatLevel = z.enum(["high", "medium", "low"]);

const analysisSchema = z.object({
  /** Per metric: the analyst's independent score minus the Stage 2 pre-score, with the reason. */
  calibrations: perMetric(
    z.object({
      adjustment: z.number().int().min(-100).max(100),
      rationale: z.string().min(1),
    }),
  ),
  competitorEntities: z.array(
    z.object({
      name: z.string().min(1),
      positioning: z.string().min(1),
      threatLevel,
    }),
  ),
  confidenceScores: perMetric(z.number().min(0).max(1)),
});
export type ValidationAnalysis = z.infer<typeof analysisSchema>;

const derivedSchema = z.object({
  /** The final, fused metrics the kill gate reads. */
  metrics: perMetric(metricScore),
  /** Archetype-weighted average of the metrics, one decimal. */
  overallScore: z.number().min(0).max(100),
  rollups: z.object({
    market: z.number().min(0).max(100),
    technical: z.number().min(0).max(100),
    financial: z.number().min(0).max(100),
  }),
  /** How each metric was fused: pre-score, applied (capped) calibration, final. */
  scoreBreakdown: perMetric(
    z.object({
      preScore: metricScore,
      appliedCalibration: z.number().int().min(-CALIBRATION_CAP).max(CALIBRATION_CAP),
      final: metricScore,
    }),
  ),
  /** The archetype's weights used for overallScore (percent). */
  scoringWeights: perMetric(z.number().min(0).max(100)),
});
export type ValidationDerived = z.infer<typeof derivedSchema>;

type Metrics = Record<MetricName, number>;

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
/** Rounds halves away from zero, so +7 and -7 calibrations move a metric equally. */
const roundSymmetric = (x: number) => Math.sign(x) * Math.round(Math.abs(x));
const oneDecimal = (x: number) => Math.round(x * 10) / 10;

/**
 * 50% deterministic + 50% AI: the final metric is the mean of the Stage 2
 * pre-score and the analyst's own score (pre-score + adjustment), i.e. the
 * pre-score moved by half the adjustment, and that move is capped at ±15.
 */
export function fuseMetric(preScore: number, adjustment: number): { appliedCalibration: number; final: number } {
  const applied = clamp(roundSymmetric(adjustment / 2), -CALIBRATION_CAP, CALIBRATION_CAP);
  const final = clamp(preScore + applied, 0, 100);
  return { appliedCalibration: final - preScore, final };
}

/** Weighted average of the metrics with the archetype's weights, one decimal. */
export function overallScore(metrics: Metrics, archetype: Archetype): number {
  const weights = ARCHETYPE_WEIGHTS[archetype];
  const total = METRICS.reduce((sum, m) => sum + metrics[m] * weights[m], 0);
  const weightSum = METRICS.reduce((sum, m) => sum + weights[m], 0);
  return oneDecimal(total / weightSum);
}

export function rollups(metrics: Metrics): ValidationDerived["rollups"] {
  const mean = (names: readonly MetricName[]) => oneDecimal(names.reduce((s, m) => s + metrics[m], 0) / names.length);
  return { market: mean(ROLLUPS.market), technical: mean(ROLLUPS.technical), financial: mean(ROLLUPS.financial) };
}

/** Stage 2's pre-scores, each falling back to the neutral midpoint when absent or malformed. */
export function preScores(ctx: StageContext): Metrics {
  const stage2 = maybeUpstream<{ metrics?: Partial<Record<string, unknown>> }>(ctx, "idea_validation");
  const out = {} as Metrics;
  for (const m of METRICS) {
    const v = stage2?.metrics?.[m];
    out[m] = typeof v === "number" && Number.isFinite(v) ? clamp(Math.round(v), 0, 100) : MISSING_PRE_SCORE;
  }
  return out;
}

function computeDerived(analysis: ValidationAnalysis, ctx: StageContext): ValidationDerived {
  const pre = preScores(ctx);
  const metrics = {} as Metrics;
  const scoreBreakdown = {} as ValidationDerived["scoreBreakdown"];
  for (const m of METRICS) {
    const fused = fuseMetric(pre[m], analysis.calibrations[m].adjustment);
    metrics[m] = fused.final;
    scoreBreakdown[m] = { preScore: pre[m], ...fused };
  }
  return {
    metrics,
    overallScore: overallScore(metrics, ctx.venture.archetype),
    rollups: rollups(metrics),
    scoreBreakdown,
    scoringWeights: { ...ARCHETYPE_WEIGHTS[ctx.venture.archetype] },
  };
}

/** Typical kinds of competitor per archetype; the offline analyst names categories, never real companies. */
const COMPETITOR_KINDS: Record<Archetype, [string, string][]> = {
  saas: [
    ["Spreadsheets and manual workflow", "the status quo most prospects use today"],
    ["Horizontal suite incumbent", "a broad platform with this as one module among many"],
    ["Vertical point-solution startups", "young tools aimed at the same niche"],
  ],
  marketplace: [
    ["Informal groups and classifieds", "where supply and demand meet today, unmanaged"],
    ["General-purpose marketplace", "a large platform where this is a minor category"],
    ["Organiser-run waiting lists", "the intermediaries who control access today"],
  ],
  deeptech: [
    ["Established lab-equipment vendors", "proven but expensive and slow to adopt new methods"],
    ["Research-group spinouts", "technically strong, commercially early"],
    ["Outsourced testing facilities", "the service buyers rent instead of owning"],
  ],
  hardware: [
    ["Shared test facilities", "the service buyers book and wait for today"],
    ["Industrial equipment incumbents", "full-size equipment priced for large programmes"],
    ["DIY and open-source rigs", "home-built setups with no qualification guarantee"],
  ],
  services: [
    ["Freelancers and local agencies", "flexible but inconsistent quality"],
    ["Large consultancies", "trusted brands priced out of small clients"],
    ["In-house staff", "doing the job themselves, as most buyers do now"],
  ],
  media: [
    ["Official sources and trade associations", "authoritative but hard to read"],
    ["General business news outlets", "broad coverage, little sector depth"],
    ["Social media commentators", "free, fast and unreliable"],
  ],
  fintech: [
    ["Incumbent banks' built-in tools", "bundled, trusted, rarely specialised"],
    ["Established fintech platforms", "well-funded generalists with distribution"],
    ["Manual processes and accountants", "the status quo paid by the hour"],
  ],
};

/**
 * Where the analyst's independent view of each metric settles (0-1): mostly the
 * venture's overall strength, which it weighs more decisively than Stage 2's
 * per-metric pre-scores, nudged by the metric's own driver.
 */
function independentView(p: ReturnType<typeof ventureProfile>): Metrics {
  const overall = clamp(0.5 + (p.strength - 0.5) * 1.5, 0, 1);
  const view = (driver: number) => overall * 0.8 + driver * 0.2;
  return {
    marketFit: view(p.market),
    customerNeed: view(p.strength),
    momentum: view(p.market),
    revenuePotential: view((p.market + p.strength) / 2),
    competitiveBarrier: view(p.moat),
    executionFeasibility: view(1 - p.difficulty),
  };
}

function simulate(ctx: StageContext, rng: Rng): ValidationAnalysis {
  const v = ctx.venture;
  const p = ventureProfile(v);
  const pre = preScores(ctx);
  const view = independentView(p);
  const stage2 = maybeUpstream<{ evidence?: Record<string, unknown> }>(ctx, "idea_validation");
  const evidenceCount = Object.values(stage2?.evidence ?? {}).reduce<number>(
    (n, e) => n + (Array.isArray(e) ? e.length : 0),
    0,
  );
  const assumption = v.keyAssumptions[0] ?? "demand exists at the intended price";
  const reasons: Record<MetricName, string> = {
    marketFit: `Fit of "${v.valueProp.slice(0, 60)}" with ${v.targetMarket}`,
    customerNeed: `Urgency of the stated problem: ${v.problemStatement.slice(0, 80)}`,
    momentum: `Signs that ${v.targetMarket} is moving now; unverified offline`,
    revenuePotential: `Willingness to pay rests on the assumption "${assumption}"`,
    competitiveBarrier: v.moatStrategy ? `Moat as stated: ${v.moatStrategy}` : "No moat stated; barrier assumed low",
    executionFeasibility: `A ${v.archetype} build; difficulty ${Math.round(p.difficulty * 100)}/100`,
  };
  const calibrations = {} as ValidationAnalysis["calibrations"];
  const confidenceScores = {} as ValidationAnalysis["confidenceScores"];
  for (const m of METRICS) {
    const independent = score(view[m], rng, 6);
    const adjustment = clamp(independent - pre[m], -100, 100);
    const direction = adjustment > 0 ? "raised" : adjustment < 0 ? "lowered" : "kept";
    calibrations[m] = {
      adjustment,
      rationale: `${reasons[m]}. Independent estimate ${independent} vs pre-score ${pre[m]}: ${direction}. Offline estimate from the venture's own inputs, not from market data.`,
    };
    // No external evidence offline: confidence stays modest and grows a little with Stage 2's evidence.
    confidenceScores[m] = Math.round(clamp(0.3 + evidenceCount * 0.03 + rng.float(0, 0.15), 0, 0.7) * 100) / 100;
  }
  const kinds = COMPETITOR_KINDS[v.archetype];
  const competitorEntities = kinds.map(([name, positioning], i) => ({
    name,
    positioning: `${positioning}, serving ${v.targetMarket}`,
    // A weak moat leaves the status quo (first kind) and the incumbents most threatening.
    threatLevel: threatLevel.options[clamp(Math.round((p.moat - 0.2) * 3 + i * 0.6 + rng.float(-0.4, 0.4)), 0, 2)] as
      | "high"
      | "medium"
      | "low",
  }));
  return { calibrations, competitorEntities, confidenceScores };
}

export const stage03: StageDefinition<ValidationAnalysis, ValidationDerived> = {
  number: 3,
  name: "Individual Validation",
  phase: 1,
  gateType: "kill",
  consumes: [1, 2],
  produces: ["validation_scorecard"],
  analysisSchema,
  artifactSchema: analysisSchema.extend(derivedSchema.shape),
  computeDerived,
  prompt: (ctx) => {
    const pre = preScores(ctx);
    const weights = ARCHETYPE_WEIGHTS[ctx.venture.archetype];
    return stagePrompt(withinContract(ctx, CONTRACT), {
      role: "a venture validation analyst calibrating the Stage 3 kill-gate scorecard",
      task: [
        "Calibrate the six Stage 2 pre-scores. For each metric (marketFit, customerNeed, momentum, revenuePotential, competitiveBarrier, executionFeasibility) give calibrations.<metric>.adjustment: your own 0-100 score minus the pre-score (an integer), and a rationale grounded in the evidence.",
        `Pre-scores: ${METRICS.map((m) => `${m} ${pre[m]}`).join(", ")}.`,
        `The final metric is 50% pre-score + 50% your score, moving at most ±${CALIBRATION_CAP} points; the overall score weights them for a ${ctx.venture.archetype} venture as ${METRICS.map((m) => `${m} ${weights[m]}%`).join(", ")}.`,
        "Test the key assumptions against the evidence; where a score rests on an untested assumption, say so in the rationale.",
        "List competitorEntities (name, positioning, threatLevel high|medium|low) for Stage 4, including the status quo the customer uses today.",
        "Give confidenceScores per metric (0-1): how well the evidence supports the score.",
      ].join("\n"),
      rules: ["Do not decide pass/revise/kill: the gate decides from the fused scores."],
    });
  },
  simulate,
  qualityScore: (artifact) => {
    const confidences = METRICS.map((m) => artifact.confidenceScores[m]);
    const meanConfidence = confidences.reduce((s, c) => s + c, 0) / confidences.length;
    const reasoned = METRICS.filter((m) => artifact.calibrations[m].rationale.length >= 40).length;
    const competitors = Math.min(artifact.competitorEntities.length, 3);
    return Math.round(Math.min(100, 30 + competitors * 8 + reasoned * 3 + meanConfidence * 30));
  },
};
