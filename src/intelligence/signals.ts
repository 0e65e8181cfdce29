// The gate signal service (spec §16 advanced analytics): at each tracked
// boundary (Stage 3, 5→6, 9→10, 12→13, 16→17, 20→21, graduation), per venture
// and evaluation profile, a survival signal: the stage-of-death predictor's
// probability of getting past the boundary, the profile's weighted score of
// the venture's Stage 0 components against the profile's threshold there
// (pass / fail; unknown without component scores), and the outcome so far.
// Several data points per venture instead of one, so a profile can be judged
// within weeks. Recorded in eva.evaluation_profile_outcomes.
import { sql } from "kysely";
import type { Database } from "../db/client.ts";
import {
  calculateWeightedScore,
  type EvaluationProfile,
  type GateBoundary,
  gateThreshold,
  LEGACY_PROFILE,
  LEGACY_WEIGHTS,
  listProfiles,
} from "../ideation/profiles.ts";
import { type ComponentScores, loadBriefScores } from "./components.ts";
import { profileKey } from "./counterfactual.ts";
import { buildMortalityCurves, type DeathPrediction, survivalTo } from "./mortality.ts";
import type { VentureOutcome } from "./outcomes.ts";
import { loadPredictionContext, predictVenture, storePrediction } from "./predictor.ts";

export const TRACKED_BOUNDARIES = ["stage_3", "5->6", "9->10", "12->13", "16->17", "20->21", "graduation"] as const;
export type TrackedBoundary = (typeof TRACKED_BOUNDARIES)[number];

/** The last stage a venture must get past to cross each boundary. */
export const BOUNDARY_LAST_STAGE: Record<TrackedBoundary, number> = {
  stage_3: 3,
  "5->6": 5,
  "9->10": 9,
  "12->13": 12,
  "16->17": 16,
  "20->21": 20,
  graduation: 25,
};

/** Stage 3 has no profile threshold: the Chairman's default score threshold (50) stands in. */
export const STAGE3_SIGNAL_THRESHOLD = 50;

export function boundaryThreshold(profile: EvaluationProfile, boundary: TrackedBoundary): number {
  if (boundary === "stage_3") return STAGE3_SIGNAL_THRESHOLD;
  return gateThreshold(profile, (boundary === "graduation" ? "20->21" : boundary) as GateBoundary);
}

export type SignalOutcome = "passed" | "failed" | "pending";

export function boundaryOutcome(o: VentureOutcome, boundary: TrackedBoundary): SignalOutcome {
  const last = BOUNDARY_LAST_STAGE[boundary];
  if (o.diedAt !== null && o.diedAt <= last) return "failed";
  if (boundary === "graduation" ? o.succeeded : o.reachedStage > last || o.succeeded) return "passed";
  return "pending";
}

export interface GateSignal {
  ventureId: string;
  boundary: TrackedBoundary;
  profileKey: string;
  profileId: string | null;
  profileVersion: number | null;
  survivalProbability: number;
  score: number | null;
  threshold: number;
  signal: "pass" | "fail" | "unknown";
  outcome: SignalOutcome;
  basis: { missingComponents: string[]; predictionFrom: number; segment: string };
}

/** The signals of one venture under one profile (pure). */
export function gateSignals(
  outcome: VentureOutcome,
  components: ComponentScores,
  profile: EvaluationProfile,
  prediction: DeathPrediction,
): GateSignal[] {
  const weighted = calculateWeightedScore(profile, components);
  return TRACKED_BOUNDARIES.map((boundary) => {
    const state = boundaryOutcome(outcome, boundary);
    const threshold = boundaryThreshold(profile, boundary);
    return {
      ventureId: outcome.id,
      boundary,
      profileKey: profileKey(profile),
      profileId: profile.id,
      profileVersion: profile.id ? profile.version : null,
      survivalProbability:
        state === "passed" ? 1 : state === "failed" ? 0 : survivalTo(prediction, BOUNDARY_LAST_STAGE[boundary]),
      score: weighted.score,
      threshold,
      signal: weighted.score === null ? "unknown" : weighted.score >= threshold ? "pass" : "fail",
      outcome: state,
      basis: { missingComponents: weighted.missing, predictionFrom: prediction.fromStage, segment: prediction.segment },
    };
  });
}

/** The profiles a sync signals under: each profile's newest version, and the legacy defaults. */
export async function signalProfiles(db: Database): Promise<EvaluationProfile[]> {
  const newest = new Map<string, EvaluationProfile>();
  for (const p of await listProfiles(db)) if (!newest.has(p.name)) newest.set(p.name, p);
  return [{ ...LEGACY_PROFILE, weights: { ...LEGACY_WEIGHTS } }, ...newest.values()];
}

/** Computes and records the gate signals of `ventureIds` (all ventures when absent) under `profiles`. */
export async function recordGateSignals(
  db: Database,
  options: {
    ventureIds?: readonly string[];
    profiles?: readonly EvaluationProfile[];
    /**
     * Also store the prediction of every open venture that has none from its current stage yet (the
     * knowledge sync does), so each stage a venture reaches is predicted once and scored as it resolves.
     */
    storeDuePredictions?: boolean;
  } = {},
): Promise<GateSignal[] & { predictionsStored?: number }> {
  const profiles = options.profiles ?? (await signalProfiles(db));
  const context = await loadPredictionContext(db, options.ventureIds);
  const wanted = options.ventureIds ? new Set(options.ventureIds) : null;
  const briefs = new Map((await loadBriefScores(db, options.ventureIds)).map((b) => [b.ventureId, b.components]));
  context.components = briefs;
  context.curves = buildMortalityCurves(context.outcomes, context.priorStrength);
  const signals: GateSignal[] & { predictionsStored?: number } = [];
  const predicted = new Set(
    options.storeDuePredictions
      ? (
          await sql<{ key: string }>`
            select venture_id || ':' || from_stage as key from eva.stage_of_death_predictions`.execute(db)
        ).rows.map((r) => r.key)
      : [],
  );
  let stored = 0;
  for (const o of context.outcomes) {
    if (wanted && !wanted.has(o.id)) continue;
    const prediction = await predictVenture(db, o.id, { context, store: false });
    const open = o.diedAt === null && !o.succeeded && !["exited", "sunset", "killed"].includes(o.status);
    if (options.storeDuePredictions && open && !predicted.has(`${o.id}:${prediction.fromStage}`)) {
      await storePrediction(db, prediction);
      stored++;
    }
    for (const profile of profiles) signals.push(...gateSignals(o, briefs.get(o.id) ?? {}, profile, prediction));
  }
  await sql`select eva_private.fn_record_gate_signals(${JSON.stringify(signals)}::jsonb)`.execute(db);
  signals.predictionsStored = stored;
  return signals;
}

export interface SignalSummary {
  profileKey: string;
  boundary: string;
  signals: number;
  settled: number;
  /** Settled signals whose pass/fail matched the outcome (unknown signals not counted). */
  correct: number;
  accuracy: number | null;
  meanSurvival: number | null;
}

/** Per profile and boundary: how often the recorded signals matched what happened. */
export async function signalsSummary(db: Database): Promise<SignalSummary[]> {
  const { rows } = await sql<{
    profile_key: string;
    boundary: string;
    signals: string;
    settled: string;
    correct: string;
    mean_survival: string | null;
  }>`
    select profile_key, boundary, count(*) as signals,
      count(*) filter (where outcome <> 'pending' and signal <> 'unknown') as settled,
      count(*) filter (where (signal = 'pass' and outcome = 'passed') or (signal = 'fail' and outcome = 'failed')) as correct,
      round(avg(survival_probability), 4) as mean_survival
    from eva.evaluation_profile_outcomes
    group by profile_key, boundary
    order by profile_key, array_position(${[...TRACKED_BOUNDARIES]}::text[], boundary)`.execute(db);
  return rows.map((r) => ({
    profileKey: r.profile_key,
    boundary: r.boundary,
    signals: Number(r.signals),
    settled: Number(r.settled),
    correct: Number(r.correct),
    accuracy: Number(r.settled) > 0 ? Math.round((Number(r.correct) / Number(r.settled)) * 1e4) / 1e4 : null,
    meanSurvival: r.mean_survival === null ? null : Number(r.mean_survival),
  }));
}
