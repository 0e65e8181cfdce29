// The synthesis component scores (0-100) of a venture's Stage 0 brief, as
// the evaluation profiles weigh them (src/ideation/profiles.ts): read from
// the brief the venture was created with (its Stage 0 venture_brief
// artifact). The synthesis engine's components (metadata.synthesis.<name>)
// are read first; a brief without them gives what its own fields say
// (portfolio synergy, time horizon, build estimate). A component nothing
// scores is left out (unknown), never read as 0.
import { sql } from "kysely";
import type { Database } from "../db/client.ts";
import { PROFILE_COMPONENTS, type ProfileComponent } from "../ideation/profiles.ts";

export type ComponentScores = Partial<Record<ProfileComponent, number>>;

const rec = (x: unknown): Record<string, unknown> =>
  x && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, unknown>) : {};
const num = (x: unknown): number | null => (typeof x === "number" && Number.isFinite(x) ? x : null);
const clamp = (x: number) => Math.min(100, Math.max(0, x));

/** Categorical outcomes of components, as 0-100 (the spec's enums, best first). */
const CATEGORIES: Record<string, number> = {
  pass: 100,
  review: 50,
  fail: 0,
  build_now: 100,
  build_soon: 60,
  park_and_build_later: 20,
  simple: 100,
  moderate: 60,
  complex: 25,
  low: 100,
  medium: 60,
  high: 25,
};

const SCORE_KEYS = [
  "componentScore",
  "component_score",
  "score",
  "weighted_score",
  "relevance_score",
  "relevanceScore",
  "composite_score",
  "compositeScore",
  "moat_score",
  "moatScore",
  "virality_score",
  "viralityScore",
];
const CATEGORY_KEYS = ["verdict", "position", "complexity"];

/** One component's 0-100 score from its synthesis result, or null when it carries none. */
export function componentScore(result: unknown): number | null {
  if (typeof result === "number") return Number.isFinite(result) ? clamp(result) : null;
  const r = rec(result);
  for (const k of SCORE_KEYS) {
    const v = num(r[k]);
    if (v !== null) return clamp(v);
  }
  const confidence = num(r.primary_confidence ?? r.primaryConfidence);
  if (confidence !== null) return clamp(confidence * 100);
  for (const k of CATEGORY_KEYS) {
    const v = r[k];
    if (typeof v === "string" && v in CATEGORIES) return CATEGORIES[v] as number;
  }
  const reframings = r.reframings ?? r.alternatives;
  if (Array.isArray(reframings)) return clamp(reframings.length * 25);
  return null;
}

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The component scores a brief carries (its synthesis, else its own fields). */
export function briefComponentScores(brief: Record<string, unknown>): ComponentScores {
  const synthesis = rec(rec(brief.metadata).synthesis);
  const scores: ComponentScores = {};
  for (const c of PROFILE_COMPONENTS) {
    const s = componentScore(synthesis[c] ?? synthesis[camel(c)]);
    if (s !== null) scores[c] = s;
  }
  if (Object.keys(scores).length) return scores;
  const synergy = num(brief.portfolioSynergyScore ?? brief.portfolio_synergy_score);
  if (synergy !== null) scores.portfolio_evaluation = clamp(synergy);
  const horizon = brief.timeHorizonClassification ?? brief.time_horizon_classification;
  if (typeof horizon === "string" && horizon in CATEGORIES) scores.time_horizon = CATEGORIES[horizon] as number;
  const complexity = rec(brief.buildEstimate ?? brief.build_estimate).complexity;
  if (typeof complexity === "string" && complexity in CATEGORIES) scores.build_cost = CATEGORIES[complexity] as number;
  return scores;
}

export interface VentureBriefScores {
  ventureId: string;
  components: ComponentScores;
  /** The score the brief itself recorded (the synthesis's weighted score, else its venture score). */
  recordedScore: number | null;
}

/** The Stage 0 briefs' component scores of the given ventures (all when `ids` is absent); ventures without a brief are left out. */
export async function loadBriefScores(db: Database, ids?: readonly string[]): Promise<VentureBriefScores[]> {
  const { rows } = await sql<{ venture_id: string; content: Record<string, unknown> }>`
    select a.venture_id, a.content from eva.venture_artifacts a
    where a.lifecycle_stage = 0 and a.artifact_type = 'venture_brief' and a.is_current
      ${ids ? sql`and a.venture_id = any(${ids as string[]}::uuid[])` : sql``}
    order by a.venture_id`.execute(db);
  return rows.map((r) => {
    const brief = rec(r.content);
    const synthesis = rec(rec(brief.metadata).synthesis);
    // The profile's own weighted score when the synthesis recorded one, else the brief's venture score.
    const recorded = num(
      synthesis.weighted_score ?? synthesis.weightedScore ?? brief.venture_score ?? brief.ventureScore,
    );
    return { ventureId: r.venture_id, components: briefComponentScores(brief), recordedScore: recorded };
  });
}

/** The predictor's component reader (src/intelligence/predictor.ts ComponentReader). */
export async function briefComponents(db: Database, ventureId: string): Promise<Record<string, number>> {
  return (await loadBriefScores(db, [ventureId]))[0]?.components ?? {};
}
