// The stage-of-death predictor's I/O: a venture's prediction from the
// portfolio's outcomes as they are now (so every kill feeds the next
// prediction at once), amplified by the venture's weak scores and the
// anti-patterns it matches; stored, and calibrated as outcomes arrive
// (Brier score and log loss per stage). No model call.
import { sql } from "kysely";
import type { Database } from "../db/client.ts";
import { keyChoice, signature } from "../gates/dfe.ts";
import type { Archetype } from "../stages/enums.ts";
import { knowledgeSettings } from "./knowledge.ts";
import {
  type Amplifier,
  buildMortalityCurves,
  type CurvePoint,
  type DeathPrediction,
  exposure,
  predictStageOfDeath,
  scoreHazard,
} from "./mortality.ts";
import { loadOutcomes, type VentureOutcome } from "./outcomes.ts";

const rec = (x: unknown): Record<string, unknown> =>
  x && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, unknown>) : {};
const num = (x: unknown): number | null => (typeof x === "number" && Number.isFinite(x) ? x : null);
const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/** A 0-100 score below WEAK_SCORE amplifies the stages it feeds by 1 + (WEAK_SCORE − score) / WEAK_SCORE (at most 2). */
export const WEAK_SCORE = 60;
/** A Stage 5 LTV:CAC below this amplifies Stages 5, 16 and 23 by 1 + (3 − ratio) / 3. */
export const WEAK_LTV_CAC = 3;

/** Which stages a 0-100 score feeds: a weak one makes them deadlier. */
export const SCORE_STAGES: Record<string, { stages: number[]; what: string }> = {
  "stage2.compositeScore": { stages: [3], what: "the Stage 2 composite score" },
  "stage3.overallScore": { stages: [3, 5], what: "the Stage 3 overall score" },
  "stage3.rollups.market": { stages: [5, 23], what: "the Stage 3 market rollup" },
  "stage3.rollups.technical": { stages: [13, 20], what: "the Stage 3 technical rollup" },
  "stage3.rollups.financial": { stages: [5, 16], what: "the Stage 3 financial rollup" },
};

/** The stages each synthesis component (Stage 0, spec §16) bears on, by the component's name. */
export const COMPONENT_STAGES: Record<string, number[]> = {
  cross_reference: [3],
  portfolio_evaluation: [3, 5],
  problem_reframing: [3],
  moat_architecture: [5, 23],
  chairman_constraints: [3, 10],
  time_horizon: [5],
  archetypes: [3],
  build_cost: [13, 20],
  virality: [23],
};

export function scoreAmplifier(
  source: Amplifier["source"],
  name: string,
  what: string,
  score: number,
  stages: number[],
): Amplifier | null {
  if (!(score < WEAK_SCORE)) return null;
  const multiplier = round(Math.min(2, 1 + (WEAK_SCORE - Math.max(0, score)) / WEAK_SCORE));
  return {
    source,
    name,
    value: score,
    threshold: WEAK_SCORE,
    stages,
    multiplier,
    reason: `${what} is ${score}, below ${WEAK_SCORE}: Stage ${stages.join(", ")} hazard ×${multiplier} (as exponent)`,
  };
}

export interface AntiPattern {
  stage: number;
  signature: string;
  rate: number;
  lift: number | null;
  ventures: number;
  died: number;
  deathStages: Record<string, number>;
}

/** The amplifiers of a venture: weak stage scores, weak synthesis components, anti-patterns it matches. */
export function amplifiersFor(input: {
  archetype: string;
  artifacts: { stage: number; content: Record<string, unknown> }[];
  components?: Record<string, number>;
  antiPatterns: readonly AntiPattern[];
  fromStage: number;
}): Amplifier[] {
  const out: Amplifier[] = [];
  const byStage = new Map(input.artifacts.map((a) => [a.stage, a.content]));
  const reads: Record<string, number | null> = {
    "stage2.compositeScore": num(byStage.get(2)?.compositeScore),
    "stage3.overallScore": num(byStage.get(3)?.overallScore),
    "stage3.rollups.market": num(rec(byStage.get(3)?.rollups).market),
    "stage3.rollups.technical": num(rec(byStage.get(3)?.rollups).technical),
    "stage3.rollups.financial": num(rec(byStage.get(3)?.rollups).financial),
  };
  for (const [name, value] of Object.entries(reads)) {
    const spec = SCORE_STAGES[name];
    if (value === null || !spec) continue;
    const a = scoreAmplifier("artifact_score", name, spec.what, value, spec.stages);
    if (a) out.push(a);
  }
  const ratio = num(rec(byStage.get(5)?.unitEconomics).ltvCacRatio);
  if (ratio !== null && ratio < WEAK_LTV_CAC) {
    const multiplier = round(1 + (WEAK_LTV_CAC - Math.max(0, ratio)) / WEAK_LTV_CAC);
    out.push({
      source: "artifact_score",
      name: "stage5.unitEconomics.ltvCacRatio",
      value: ratio,
      threshold: WEAK_LTV_CAC,
      stages: [5, 16, 23],
      multiplier,
      reason: `the Stage 5 LTV:CAC is ${ratio}, below ${WEAK_LTV_CAC}: Stage 5, 16, 23 hazard ×${multiplier} (as exponent)`,
    });
  }
  for (const [component, score] of Object.entries(input.components ?? {})) {
    const stages = COMPONENT_STAGES[component];
    if (!stages) continue;
    const a = scoreAmplifier("synthesis_component", component, `the ${component} synthesis score`, score, stages);
    if (a) out.push(a);
  }
  // Anti-patterns the venture matches: its own choices at stages it ran, and where its archetype dies.
  const own = new Set<string>();
  for (const a of input.artifacts) {
    const choice = keyChoice(a.stage, a.content);
    if (choice !== null) own.add(`${a.stage}\u0000${signature(input.archetype as Archetype, a.stage, choice)}`);
  }
  for (const p of input.antiPatterns) {
    const archetypeDeath = p.signature === `${input.archetype}:${p.stage}:died-here`;
    if (!archetypeDeath && !own.has(`${p.stage}\u0000${p.signature}`)) continue;
    const stages = archetypeDeath
      ? [p.stage]
      : Object.keys(p.deathStages)
          .map(Number)
          .filter((s) => s >= input.fromStage);
    if (!stages.length) continue;
    const multiplier = round(Math.min(3, Math.max(1, p.lift ?? 2)));
    out.push({
      source: "anti_pattern",
      name: p.signature,
      value: p.rate,
      stages: stages.filter((s) => s >= input.fromStage),
      multiplier,
      reason: `anti-pattern ${p.signature}: ${p.died} of ${p.ventures} ventures died (${Math.round(p.rate * 100)}%, ${p.lift === null ? "the stage's baseline is 0" : `${p.lift}× the stage's rate`})`,
    });
  }
  return out.filter((a) => a.stages.length > 0);
}

export async function loadAntiPatterns(db: Database): Promise<AntiPattern[]> {
  const { rows } = await sql<{
    lifecycle_stage: number;
    pattern_signature: string;
    rate: string;
    lift: string | null;
    ventures: number;
    died: number;
    evidence: { deathStages?: Record<string, number> };
  }>`select lifecycle_stage, pattern_signature, rate, lift, ventures, died, evidence
     from eva.portfolio_anti_patterns order by lifecycle_stage, pattern_signature`.execute(db);
  return rows.map((r) => ({
    stage: r.lifecycle_stage,
    signature: r.pattern_signature,
    rate: Number(r.rate),
    lift: r.lift === null ? null : Number(r.lift),
    ventures: r.ventures,
    died: r.died,
    deathStages: r.evidence?.deathStages ?? {},
  }));
}

export interface StoredPrediction extends DeathPrediction {
  id: string;
  ventureId: string;
  ventureName: string;
  /** The venture's status now (a prediction for a venture already ended is for comparison only). */
  ventureStatus: string;
  basis: { ventures: number; kills: number; segmentVentures: number; curve: "live"; note: string };
  profile: { id: string | null; name: string | null; version: number | null };
}

/** Synthesis component scores of a venture's Stage 0 brief, when it has one (0-100 each). */
export type ComponentReader = (db: Database, ventureId: string) => Promise<Record<string, number>>;

/** Stages whose artifacts the amplifiers read: the scored ones and those with a DFE key choice. */
const AMPLIFIER_STAGES = [2, 3, 4, 5, 7, 9, 10, 11, 14, 23, 25];

/** What predictions read, loaded once for many of them (the knowledge sync's gate signals). */
export interface PredictionContext {
  outcomes: VentureOutcome[];
  priorStrength: number;
  antiPatterns: AntiPattern[];
  artifacts: Map<string, { stage: number; content: Record<string, unknown> }[]>;
  components?: Map<string, Record<string, number>>;
  /**
   * Curves built once from every outcome, for many predictions at once (the sync): an open venture's
   * own passed stages are facts known at prediction time. Without them each prediction leaves its
   * venture out.
   */
  curves?: CurvePoint[];
}

async function loadArtifacts(db: Database, ids?: readonly string[]) {
  const { rows } = await sql<{ venture_id: string; stage: number; content: Record<string, unknown> }>`
    select a.venture_id, a.lifecycle_stage as stage, a.content from eva.venture_artifacts a
    join eva.lifecycle_stage_config s on s.stage_number = a.lifecycle_stage and a.artifact_type = s.produces[1]
    where a.is_current and a.lifecycle_stage = any(${AMPLIFIER_STAGES}::int[])
      ${ids ? sql`and a.venture_id = any(${ids as string[]}::uuid[])` : sql``}`.execute(db);
  const byVenture = new Map<string, { stage: number; content: Record<string, unknown> }[]>();
  for (const r of rows) {
    const list = byVenture.get(r.venture_id) ?? [];
    list.push({ stage: r.stage, content: rec(r.content) });
    byVenture.set(r.venture_id, list);
  }
  return byVenture;
}

/** The context of predictions for `ventureIds` (all ventures when absent). */
export async function loadPredictionContext(db: Database, ventureIds?: readonly string[]): Promise<PredictionContext> {
  const settings = await knowledgeSettings(db);
  return {
    outcomes: await loadOutcomes(db),
    priorStrength: settings.priorStrength,
    antiPatterns: await loadAntiPatterns(db),
    artifacts: await loadArtifacts(db, ventureIds),
  };
}

/** Predicts where the venture will die, from the portfolio's outcomes now, and stores the prediction. */
export async function predictVenture(
  db: Database,
  ventureId: string,
  options: {
    components?: ComponentReader;
    profile?: { id: string | null; name: string | null; version: number | null };
    store?: boolean;
    context?: PredictionContext;
  } = {},
): Promise<StoredPrediction> {
  const context = options.context ?? (await loadPredictionContext(db, [ventureId]));
  const outcomes = context.outcomes;
  const venture = outcomes.find((o) => o.id === ventureId);
  if (!venture) throw new Error(`venture ${ventureId} does not exist`);
  // The venture's own outcome is not evidence for its own prediction.
  const others = outcomes.filter((o) => o.id !== ventureId);
  const curves = context.curves ?? buildMortalityCurves(others, context.priorStrength);
  const fromStage = venture.diedAt ?? venture.currentStage;
  const amplifiers = amplifiersFor({
    archetype: venture.archetype,
    artifacts: context.artifacts.get(ventureId) ?? [],
    components:
      context.components?.get(ventureId) ?? (options.components ? await options.components(db, ventureId) : {}),
    antiPatterns: context.antiPatterns,
    fromStage,
  });
  const prediction = predictStageOfDeath(curves, { archetype: venture.archetype, fromStage }, amplifiers);
  const kills = others.filter((o) => o.diedAt !== null).length;
  const segmentVentures = others.filter((o) => o.archetype === venture.archetype).length;
  const basis = {
    ventures: others.length,
    kills,
    segmentVentures,
    curve: "live" as const,
    note: `mortality from ${others.length} other ventures (${kills} died); ${prediction.segment === "all" ? "the portfolio curve" : `the ${prediction.segment} curve (${segmentVentures} ventures, pooled towards the portfolio's)`}; stages with few exposed ventures lean on the prior (basis per stage)`,
  };
  const profile = options.profile ?? { id: null, name: null, version: null };
  const stored = {
    ...prediction,
    id: "",
    ventureId,
    ventureName: venture.name,
    ventureStatus: venture.status,
    basis,
    profile,
  };
  if (options.store !== false) stored.id = await storePrediction(db, stored);
  return stored;
}

/** Stores a prediction (eva_private.fn_record_death_prediction) and answers its id. */
export async function storePrediction(db: Database, p: StoredPrediction): Promise<string> {
  const { rows } = await sql<{ id: string }>`
    select eva_private.fn_record_death_prediction(${JSON.stringify({
      ventureId: p.ventureId,
      profileId: p.profile.id,
      profileName: p.profile.name,
      profileVersion: p.profile.version,
      fromStage: p.fromStage,
      predictedStage: p.predictedStage,
      deathProbability: p.deathProbability,
      distribution: p.distribution,
      amplifiers: p.amplifiers,
      basis: p.basis,
    })}::jsonb) as id`.execute(db);
  return rows[0]?.id ?? "";
}

export interface CalibrationByStage {
  stage: number;
  scored: number;
  deaths: number;
  meanHazard: number;
  brier: number;
  logLoss: number;
}

/**
 * Scores every open prediction against what has happened since: each stage
 * the venture got past (died = false) or died at (died = true) gets the
 * hazard predicted for it, its Brier score and log loss; a prediction whose
 * venture died or succeeded is resolved.
 */
export async function calibratePredictions(db: Database): Promise<{ scored: number; resolved: number }> {
  const { rows } = await sql<{ id: string; venture_id: string; from_stage: number; distribution: unknown }>`
    select p.id, p.venture_id, p.from_stage, p.distribution from eva.stage_of_death_predictions p
    where p.resolved_at is null`.execute(db);
  if (!rows.length) return { scored: 0, resolved: 0 };
  const outcomes = new Map((await loadOutcomes(db, [...new Set(rows.map((r) => r.venture_id))])).map((o) => [o.id, o]));
  const scores: {
    predictionId: string;
    stage: number;
    hazard: number;
    died: boolean;
    brier: number;
    logLoss: number;
  }[] = [];
  const resolutions: { predictionId: string; outcome: "died" | "survived"; stage: number }[] = [];
  for (const r of rows) {
    const o = outcomes.get(r.venture_id);
    if (!o) continue;
    const e = exposure(o);
    const dist = Array.isArray(r.distribution) ? (r.distribution as { stage: number; amplifiedHazard: number }[]) : [];
    for (const d of dist) {
      const died = e.diedAt === d.stage;
      if (!died && !e.passed.includes(d.stage)) continue;
      scores.push({
        predictionId: r.id,
        stage: d.stage,
        hazard: d.amplifiedHazard,
        died,
        ...scoreHazard(d.amplifiedHazard, died),
      });
    }
    if (o.diedAt !== null) resolutions.push({ predictionId: r.id, outcome: "died", stage: o.diedAt });
    else if (o.succeeded) resolutions.push({ predictionId: r.id, outcome: "survived", stage: o.reachedStage });
  }
  const { rows: done } = await sql<{ r: { scored: number; resolved: number } }>`
    select eva_private.fn_score_death_predictions(${JSON.stringify({ scores, resolutions })}::jsonb) as r`.execute(db);
  return done[0]?.r ?? { scored: 0, resolved: 0 };
}

/** Brier score and log loss per stage over every scored prediction. */
export async function predictionCalibration(db: Database): Promise<CalibrationByStage[]> {
  const { rows } = await sql<{
    stage: number;
    scored: string;
    deaths: string;
    mean_hazard: string;
    brier: string;
    log_loss: string;
  }>`select stage, scored, deaths, mean_hazard, brier, log_loss from eva.stage_of_death_calibration order by stage`.execute(
    db,
  );
  return rows.map((r) => ({
    stage: r.stage,
    scored: Number(r.scored),
    deaths: Number(r.deaths),
    meanHazard: Number(r.mean_hazard),
    brier: Number(r.brier),
    logLoss: Number(r.log_loss),
  }));
}
