// The synthesis engine (spec §16): the eight components on a path output —
// 1-4 and 6-8 side by side (with the forecast), then 5, the Chairman's
// constraints, which reads them — combined by the evaluation profile into a
// weighted score, with the maturity the spec's rules give:
//   constraints fail → blocked; time horizon park_and_build_later → nursery; otherwise ready.
import { sql } from "kysely";
import type { Database } from "../../db/client.ts";
import type { EhgArchetype, Maturity, PathOutput, Synthesis } from "../contract.ts";
import { forecastVenture, viralityScore } from "../forecast.ts";
import { calculateWeightedScore, type ProfileComponent, type ResolvedProfile } from "../profiles.ts";
import { recognizeArchetype } from "./archetypes.ts";
import { estimateBuildCost } from "./build-cost.ts";
import type { StageZeroCallContext } from "./call.ts";
import { chairmanConstraints } from "./chairman-constraints.ts";
import { type CapitalItem, pathText, type SynthesisInput, similarity } from "./common.ts";
import { crossReference } from "./cross-reference.ts";
import { moatArchitecture } from "./moat-architecture.ts";
import { portfolioEvaluation } from "./portfolio-evaluation.ts";
import { problemReframing } from "./problem-reframing.ts";
import { timeHorizon } from "./time-horizon.ts";

export const SYNTHESIS_COMPONENTS = [
  "cross_reference",
  "portfolio_evaluation",
  "problem_reframing",
  "moat_architecture",
  "chairman_constraints",
  "time_horizon",
  "archetypes",
  "build_cost",
] as const;

/** The spec's maturity rules. */
export function maturityOf(verdict: "pass" | "review" | "fail", position: string): Maturity {
  if (verdict === "fail") return "blocked";
  if (position === "park_and_build_later") return "nursery";
  return "ready";
}

export interface SynthesisResult {
  synthesis: Synthesis;
  maturity: Maturity;
}

export async function synthesize(
  ctx: StageZeroCallContext,
  input: SynthesisInput,
  resolved: ResolvedProfile,
  options: { archetypeHint?: EhgArchetype | undefined } = {},
): Promise<SynthesisResult> {
  // Seven components and the forecast side by side: each may spend an eighth of what is left.
  const parallel = 8;
  const [cross, portfolio, reframing, moat, horizon, archetypes, buildCost, forecast] = await Promise.all([
    crossReference(ctx, input, parallel),
    portfolioEvaluation(ctx, input, parallel),
    problemReframing(ctx, input, parallel),
    moatArchitecture(ctx, input, parallel),
    timeHorizon(ctx, input, parallel),
    recognizeArchetype(ctx, input, parallel, options.archetypeHint),
    estimateBuildCost(ctx, input, parallel),
    forecastVenture(ctx, input.path, parallel),
  ]);
  const virality = viralityScore(forecast.growth);
  const scores: Partial<Record<ProfileComponent, number | null>> = {
    cross_reference: cross.componentScore,
    portfolio_evaluation: portfolio.componentScore,
    problem_reframing: reframing.componentScore,
    moat_architecture: moat.componentScore,
    time_horizon: horizon.componentScore,
    archetypes: archetypes.componentScore,
    build_cost: buildCost.componentScore,
    virality,
  };
  const preliminary = calculateWeightedScore(resolved.profile, scores);
  const constraints = await chairmanConstraints(ctx, input, {
    buildCost,
    forecast,
    preliminaryScore: preliminary.score,
  });
  const weighted = calculateWeightedScore(resolved.profile, {
    ...scores,
    chairman_constraints: constraints.componentScore,
  });
  const { profile } = resolved;
  return {
    maturity: maturityOf(constraints.verdict, horizon.position),
    synthesis: {
      cross_reference: cross,
      portfolio_evaluation: portfolio,
      problem_reframing: reframing,
      moat_architecture: moat,
      chairman_constraints: constraints,
      time_horizon: horizon,
      archetypes,
      build_cost: buildCost,
      virality: {
        componentScore: virality,
        basis:
          virality === null
            ? "indeterminate: the forecast has no users at months 3 and 12"
            : "computed from the forecast's 3 → 12 month user multiple (20 points per doubling)",
      },
      profile: { id: profile.id, name: profile.name, version: profile.version, source: resolved.source },
      weighted_score: weighted.score,
      missing_components: weighted.missing,
      forecast,
    },
  };
}

interface CapitalRow {
  source: CapitalItem["source"];
  ref: string;
  name: string;
  text: string | null;
  outcome: string | null;
}

/**
 * What the components read from EVA's own records: the portfolio's
 * intellectual capital ranked by word overlap with the idea (the eight
 * closest), the active ventures, and the Chairman's global preferences.
 */
export async function gatherSynthesisInput(db: Database, path: PathOutput): Promise<SynthesisInput> {
  const { rows } = await sql<CapitalRow>`
    select 'nursery' as source, n.id::text as ref, n.name,
      concat_ws(' ', n.brief ->> 'problemStatement', n.brief ->> 'solution', n.reason) as text, n.status::text as outcome
    from eva.venture_nursery n where n.id is distinct from ${path.nurseryId ?? null}::uuid
    union all
    select 'brief', b.id::text, b.name, concat_ws(' ', b.brief ->> 'problemStatement', b.brief ->> 'solution'), null
    from (select * from eva.venture_briefs order by created_at desc limit 500) b
    union all
    select 'retrospective', r.saga_id::text, v.name, concat_ws(' ', v.problem_statement, r.kill_reason, r.pattern_signature),
      r.ended_as
    from eva.venture_retrospectives r join eva.ventures v on v.id = r.venture_id
    union all
    select 'pattern', p.lifecycle_stage || ':' || p.pattern_signature, p.pattern_signature,
      pg_catalog.replace(p.pattern_signature, ':', ' '), null
    from eva.portfolio_patterns p
    union all
    select 'feedback', f.id::text, f.name, concat_ws(' ', f.problem_statement, f.notes), f.outcome
    from (select * from eva.venture_synthesis_feedback order by created_at desc limit 500) f`.execute(db);
  const idea = pathText(path);
  const capital = rows
    .map((r) => ({ ...r, text: r.text ?? "", similarity: similarity(idea, `${r.name} ${r.text ?? ""}`) }))
    .filter((c) => c.similarity >= 0.05)
    .sort((a, b) => b.similarity - a.similarity || a.ref.localeCompare(b.ref))
    .slice(0, 8);
  const portfolio = await db
    .selectFrom("ventures")
    .select(["name", "archetype", "current_lifecycle_stage as stage", "status"])
    .where("status", "not in", ["killed", "sunset", "exited"])
    .orderBy("name")
    .limit(200)
    .execute();
  const prefs = await db
    .selectFrom("chairman_preferences")
    .select(["key", "value"])
    .where("scope", "=", "global")
    .orderBy("key")
    .execute();
  return {
    path,
    capital,
    portfolio: portfolio.map((v) => ({ name: v.name, archetype: v.archetype, stage: v.stage, status: v.status })),
    preferences: Object.fromEntries(prefs.map((p) => [p.key, p.value])),
  };
}
