// The stage-of-death predictor (spec §16 advanced analytics): per-stage
// mortality curves from the portfolio's own kills, and the prediction of
// where a venture will die, amplified by its weaknesses. Pure: outcomes and
// curves in, curves and predictions out.
//
// A venture's fate at a stage is known once it died there or got past it; a
// venture still in a stage is censored there (it counts for the stages it
// passed only). Hazard at stage s = (died_s + k · prior_s) / (exposed_s + k):
// the prior is what the gates' kinds suggest (STAGE_PRIORS, an assumption),
// worth k pseudo-ventures (setting knowledge.prior_strength, default 4), so
// one kill does not make a stage deadly and a stage nobody reached keeps its
// prior. Archetype curves use the portfolio curve as their prior (partial
// pooling). Every figure says how many ventures it rests on.

import type { VentureOutcome } from "./outcomes.ts";

export const STAGES = Array.from({ length: 25 }, (_, i) => i + 1);

/**
 * The prior hazard per stage (an assumption, not measured): kill gates 3, 5,
 * 13, 23 are where ventures are meant to die; Stage 5 is also a reality gate;
 * the other reality gates (9, 12, 16, 20) and the Chairman gates (10, 22, 25)
 * stop some; the rest rarely.
 */
export const STAGE_PRIORS: Readonly<Record<number, number>> = Object.fromEntries(
  STAGES.map((s) => {
    const kill = [3, 13, 23].includes(s) ? 0.2 : s === 5 ? 0.25 : 0;
    const reality = [9, 12, 16, 20].includes(s) ? 0.08 : 0;
    const chairman = [10, 22, 25].includes(s) ? 0.05 : 0;
    return [s, kill || reality || chairman || 0.02];
  }),
);

export type CurveBasis = "portfolio" | "blended" | "prior";

export interface CurvePoint {
  segment: string;
  stage: number;
  /** Ventures whose fate at the stage is known (died there or got past it). */
  exposed: number;
  died: number;
  priorHazard: number;
  hazard: number;
  basis: CurveBasis;
}

/** Below this many exposed ventures a stage's hazard is blended with its prior (and labelled so). */
export const PORTFOLIO_BASIS_MIN = 10;

const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Per-stage exposure of one venture: the stages it got past, and the one it died at. */
export function exposure(o: VentureOutcome): { passed: number[]; diedAt: number | null } {
  if (o.diedAt !== null) return { passed: STAGES.filter((s) => s < (o.diedAt as number)), diedAt: o.diedAt };
  // A venture that succeeded got past its last stage too; an open one is censored at its current stage.
  const last = o.succeeded ? o.reachedStage : o.reachedStage - 1;
  return { passed: STAGES.filter((s) => s <= last), diedAt: null };
}

/** One segment's curve: `priors` by stage (the portfolio curve for an archetype segment). */
export function buildMortalityCurve(
  outcomes: readonly VentureOutcome[],
  options: { segment?: string; priors?: Readonly<Record<number, number>>; priorStrength?: number } = {},
): CurvePoint[] {
  const segment = options.segment ?? "all";
  const priors = options.priors ?? STAGE_PRIORS;
  const k = options.priorStrength ?? 4;
  const exposed = new Map<number, number>();
  const died = new Map<number, number>();
  for (const o of outcomes) {
    const e = exposure(o);
    for (const s of e.passed) exposed.set(s, (exposed.get(s) ?? 0) + 1);
    if (e.diedAt !== null) {
      exposed.set(e.diedAt, (exposed.get(e.diedAt) ?? 0) + 1);
      died.set(e.diedAt, (died.get(e.diedAt) ?? 0) + 1);
    }
  }
  return STAGES.map((stage) => {
    const n = exposed.get(stage) ?? 0;
    const d = died.get(stage) ?? 0;
    const prior = priors[stage] ?? STAGE_PRIORS[stage] ?? 0.02;
    const hazard = n + k > 0 ? (d + k * prior) / (n + k) : prior;
    return {
      segment,
      stage,
      exposed: n,
      died: d,
      priorHazard: round(prior),
      hazard: round(hazard),
      basis: n === 0 ? "prior" : n < PORTFOLIO_BASIS_MIN ? "blended" : "portfolio",
    };
  });
}

/** The portfolio curve and one per archetype that has any outcome, each archetype pooled towards the portfolio's. */
export function buildMortalityCurves(outcomes: readonly VentureOutcome[], priorStrength = 4): CurvePoint[] {
  const all = buildMortalityCurve(outcomes, { priorStrength });
  const pooled = Object.fromEntries(all.map((p) => [p.stage, p.hazard]));
  const archetypes = [...new Set(outcomes.map((o) => o.archetype))].sort();
  return [
    ...all,
    ...archetypes.flatMap((a) =>
      buildMortalityCurve(
        outcomes.filter((o) => o.archetype === a),
        { segment: a, priors: pooled, priorStrength },
      ),
    ),
  ];
}

/** Something about the venture that makes some stages deadlier (a weak score, a known anti-pattern). */
export interface Amplifier {
  source: "artifact_score" | "synthesis_component" | "anti_pattern";
  name: string;
  value: number | string;
  threshold?: number;
  stages: number[];
  /** The hazard at each of `stages` becomes 1 − (1 − h)^multiplier. */
  multiplier: number;
  reason: string;
}

export interface StagePrediction {
  stage: number;
  hazard: number;
  /** The hazard after the amplifiers. */
  amplifiedHazard: number;
  /** Probability of dying at this stage (surviving every earlier one first). */
  pDeath: number;
  exposed: number;
  basis: CurveBasis;
}

export interface DeathPrediction {
  fromStage: number;
  segment: string;
  /** The likeliest stage of death, null when surviving every stage is likelier than dying at any one. */
  predictedStage: number | null;
  deathProbability: number;
  survivalProbability: number;
  distribution: StagePrediction[];
  amplifiers: Amplifier[];
}

/**
 * Where a venture at `fromStage` will die: along its archetype's curve (the
 * portfolio's when its archetype has none), each stage's hazard raised by the
 * amplifiers that name it.
 */
export function predictStageOfDeath(
  curves: readonly CurvePoint[],
  venture: { archetype: string; fromStage: number },
  amplifiers: readonly Amplifier[] = [],
): DeathPrediction {
  const own = curves.filter((c) => c.segment === venture.archetype);
  const segment = own.length ? venture.archetype : "all";
  const curve = new Map((own.length ? own : curves.filter((c) => c.segment === "all")).map((c) => [c.stage, c]));
  let survive = 1;
  const distribution: StagePrediction[] = [];
  for (const stage of STAGES.filter((s) => s >= venture.fromStage)) {
    const point = curve.get(stage);
    const hazard = point?.hazard ?? STAGE_PRIORS[stage] ?? 0.02;
    const m = amplifiers.filter((a) => a.stages.includes(stage)).reduce((x, a) => x * a.multiplier, 1);
    const amplified = Math.min(0.99, 1 - (1 - hazard) ** m);
    const pDeath = survive * amplified;
    survive *= 1 - amplified;
    distribution.push({
      stage,
      hazard,
      amplifiedHazard: round(amplified),
      pDeath: round(pDeath),
      exposed: point?.exposed ?? 0,
      basis: point?.basis ?? "prior",
    });
  }
  const likeliest = [...distribution].sort((a, b) => b.pDeath - a.pDeath || a.stage - b.stage)[0];
  return {
    fromStage: venture.fromStage,
    segment,
    predictedStage: likeliest && likeliest.pDeath > survive ? likeliest.stage : null,
    deathProbability: round(1 - survive),
    survivalProbability: round(survive),
    distribution,
    amplifiers: [...amplifiers],
  };
}

/** Probability of getting past every stage before `boundary` (a gate signal's survival), from a prediction. */
export function survivalTo(prediction: DeathPrediction, lastStage: number): number {
  return round(
    prediction.distribution.filter((d) => d.stage <= lastStage).reduce((s, d) => s * (1 - d.amplifiedHazard), 1),
  );
}

/** Brier score and log loss of one predicted hazard against what happened (log loss clipped at 1e-6). */
export function scoreHazard(hazard: number, died: boolean): { brier: number; logLoss: number } {
  const y = died ? 1 : 0;
  const p = Math.min(1 - 1e-6, Math.max(1e-6, hazard));
  return { brier: round((hazard - y) ** 2, 6), logLoss: round(-(y * Math.log(p) + (1 - y) * Math.log(1 - p)), 6) };
}
