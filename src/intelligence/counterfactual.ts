// The counterfactual engine (spec §16 advanced analytics): "how would this
// venture score under a different evaluation profile?" Each venture's Stage 0
// synthesis component scores are re-weighted under every profile asked for
// (calculateWeightedScore, deterministic), N ventures × P profiles in one
// batch, and each profile's predictive accuracy is Kendall's tau-b between
// its scores and what became of the ventures. It re-weighs recorded scores
// only: it takes no analyst and makes no model call.
import { sql } from "kysely";
import type { Database } from "../db/client.ts";
import { calculateWeightedScore, type EvaluationProfile } from "../ideation/profiles.ts";
import { type ComponentScores, loadBriefScores } from "./components.ts";
import { loadOutcomes, type VentureOutcome } from "./outcomes.ts";

/**
 * Kendall's tau-b of two paired samples: (concordant − discordant) /
 * √((n₀ − n₁)(n₀ − n₂)), n₀ = n(n−1)/2, n₁ and n₂ the pairs tied in x and in
 * y. Null (indeterminate) with fewer than two pairs or when either side is
 * all ties.
 */
export function kendallTauB(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length) throw new Error("kendallTauB needs paired samples of one length");
  const n = x.length;
  if (n < 2) return null;
  let concordant = 0;
  let discordant = 0;
  let tiesX = 0;
  let tiesY = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = Math.sign((x[j] as number) - (x[i] as number));
      const dy = Math.sign((y[j] as number) - (y[i] as number));
      if (dx === 0 && dy === 0) continue;
      if (dx === 0) tiesX++;
      else if (dy === 0) tiesY++;
      else if (dx === dy) concordant++;
      else discordant++;
    }
  }
  // Pairs tied in both count in n₁ and n₂ alike; n₀ − n₁ = pairs untied in x.
  const untiedX = concordant + discordant + tiesY;
  const untiedY = concordant + discordant + tiesX;
  if (untiedX === 0 || untiedY === 0) return null;
  return Math.round(((concordant - discordant) / Math.sqrt(untiedX * untiedY)) * 1e4) / 1e4;
}

/**
 * What became of a venture, as a rank: the stage it died at (1-25), 26 for a
 * success (Stage 25 continue / expand / exit, or exited). Open ventures have
 * no outcome yet (null): they are scored but not counted in the accuracy.
 */
export function outcomeRank(o: VentureOutcome): number | null {
  if (o.diedAt !== null) return o.diedAt;
  if (o.succeeded) return 26;
  return null;
}

export const outcomeLabel = (o: VentureOutcome) =>
  o.diedAt !== null ? `died at ${o.diedAt}` : o.succeeded ? "succeeded" : `open at ${o.currentStage}`;

/** One venture's score under one profile. */
export function generateCounterfactual(components: ComponentScores, profile: Pick<EvaluationProfile, "weights">) {
  return calculateWeightedScore(profile, components);
}

export interface CounterfactualScore {
  ventureId: string;
  ventureName: string;
  profileKey: string;
  score: number | null;
  recordedScore: number | null;
  outcome: string;
  outcomeRank: number | null;
}

export interface ProfileAccuracy {
  profileKey: string;
  profileName: string;
  profileVersion: number;
  profileId: string | null;
  /** Ventures with both a score and an outcome (the pairs tau-b counts). */
  resolved: number;
  scored: number;
  tauB: number | null;
}

export interface CounterfactualRun {
  id: string | null;
  ventures: number;
  profiles: ProfileAccuracy[];
  scores: CounterfactualScore[];
  llmCalls: 0;
}

export const profileKey = (p: EvaluationProfile) => (p.id ? `${p.name}@${p.version}` : "legacy");

/** Re-scores N ventures × P profiles from recorded component scores (pure). */
export function batchCounterfactual(
  ventures: readonly { outcome: VentureOutcome; components: ComponentScores; recordedScore: number | null }[],
  profiles: readonly EvaluationProfile[],
): Omit<CounterfactualRun, "id"> {
  const scores: CounterfactualScore[] = [];
  const accuracy: ProfileAccuracy[] = [];
  for (const profile of profiles) {
    const key = profileKey(profile);
    const mine = ventures.map((v) => ({
      ventureId: v.outcome.id,
      ventureName: v.outcome.name,
      profileKey: key,
      score: generateCounterfactual(v.components, profile).score,
      recordedScore: v.recordedScore,
      outcome: outcomeLabel(v.outcome),
      outcomeRank: outcomeRank(v.outcome),
    }));
    scores.push(...mine);
    const pairs = mine.filter((s) => s.score !== null && s.outcomeRank !== null);
    accuracy.push({
      profileKey: key,
      profileName: profile.name,
      profileVersion: profile.version,
      profileId: profile.id,
      resolved: pairs.length,
      scored: mine.filter((s) => s.score !== null).length,
      tauB: kendallTauB(
        pairs.map((p) => p.score as number),
        pairs.map((p) => p.outcomeRank as number),
      ),
    });
  }
  return { ventures: ventures.length, profiles: accuracy, scores, llmCalls: 0 };
}

/** The batch over the portfolio's ventures with a Stage 0 brief (or `ventureIds`), stored as one run. */
export async function runBatchCounterfactual(
  db: Database,
  profiles: readonly EvaluationProfile[],
  options: { ventureIds?: readonly string[]; store?: boolean } = {},
): Promise<CounterfactualRun> {
  const briefs = await loadBriefScores(db, options.ventureIds);
  const outcomes = new Map(
    (
      await loadOutcomes(
        db,
        briefs.map((b) => b.ventureId),
      )
    ).map((o) => [o.id, o]),
  );
  const ventures = briefs.flatMap((b) => {
    const outcome = outcomes.get(b.ventureId);
    return outcome ? [{ outcome, components: b.components, recordedScore: b.recordedScore }] : [];
  });
  const run = batchCounterfactual(ventures, profiles);
  if (options.store === false) return { id: null, ...run };
  const { rows } = await sql<{ id: string }>`
    select eva_private.fn_record_counterfactual(${JSON.stringify(run)}::jsonb) as id`.execute(db);
  return { id: rows[0]?.id ?? null, ...run };
}

/** The predictive report: profiles ranked by tau-b against real outcomes (indeterminate last). */
export function predictiveReport(run: Pick<CounterfactualRun, "profiles">): ProfileAccuracy[] {
  return [...run.profiles].sort(
    (a, b) => (b.tauB ?? Number.NEGATIVE_INFINITY) - (a.tauB ?? Number.NEGATIVE_INFINITY) || b.resolved - a.resolved,
  );
}
