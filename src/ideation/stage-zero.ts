// Stage 0 end to end (spec §16): an entry path's output → the synthesis
// engine (eight components, the forecast, the evaluation profile) → a
// VentureBrief in the §16 contract → the Chairman's review (eva.chairman_decisions,
// eva.venture_briefs), every analysis call charged to the portfolio's ideation budget.
import { sql } from "kysely";
import { z } from "zod";
import type { Database } from "../db/client.ts";
import type { Analyst } from "../llm/types.ts";
import type { Toolbox } from "../tools/toolbox.ts";
import { BlueprintInputError, blueprintPath, findBlueprint } from "./blueprints.ts";
import { type IdeaInput, ideaInputSchema } from "./brief.ts";
import { chargeIdeation, type IdeationBudget, ideationAllowance } from "./budget.ts";
import { competitorTeardown, type TeardownResult, teardownSummary } from "./competitor-teardown.ts";
import {
  discoveryStrategySchema,
  type EhgArchetype,
  type Maturity,
  type PathOutput,
  type StageZeroBrief,
  type Synthesis,
  stageZeroBriefSchema,
} from "./contract.ts";
import { type DiscoveryOutcome, discover } from "./discovery.ts";
import { competitorTeardownPath, manualPath } from "./paths.ts";
import { resolveProfile } from "./profiles.ts";
import { CallLedger, type CallRecord, type StageZeroCallContext } from "./synthesis/call.ts";
import { gatherSynthesisInput, synthesize } from "./synthesis/index.ts";

export const blueprintInputSchema = z
  .object({
    path: z.literal("blueprint_browse"),
    blueprint: z
      .string({ error: "the blueprint_browse path needs --blueprint <id> (eva blueprints list)" })
      .trim()
      .min(1),
    set: z.record(z.string(), z.string()).default({}),
  })
  .strict();
export const discoveryInputSchema = z
  .object({
    path: z.literal("discovery_mode"),
    strategy: discoveryStrategySchema,
    candidates: z.number().int().min(1).max(20).optional(),
    nurseryId: z.uuid().optional(),
  })
  .strict();

export type StageZeroInput = IdeaInput | z.infer<typeof blueprintInputSchema> | z.infer<typeof discoveryInputSchema>;

/** Any path's input, validated (the manual and teardown rules are brief.ts's ideaInputSchema). */
export function parseStageZeroInput(raw: Record<string, unknown>) {
  switch (raw.path ?? "manual") {
    case "blueprint_browse":
      return blueprintInputSchema.safeParse(raw);
    case "discovery_mode":
      return discoveryInputSchema.safeParse(raw);
    default:
      return ideaInputSchema.safeParse({ path: "manual", ...raw });
  }
}

export class StageZeroInputError extends Error {}

export interface StageZeroResult {
  brief: StageZeroBrief;
  calls: CallRecord[];
  epistemic: "simulation" | "assumption";
  discovery?: DiscoveryOutcome | undefined;
  /** competitor_teardown run through the toolbox: the fetches and the gap analysis. */
  teardown?: TeardownResult | undefined;
}

const atLeast = (text: string, min: number, pad: string) =>
  text.length >= min ? text : `${text} ${pad}`.slice(0, Math.max(min, text.length + pad.length + 1));

/** The §16 VentureBrief from a path output and its synthesis: pure. */
export function assembleBrief(
  path: PathOutput,
  synthesis: Synthesis,
  maturity: Maturity,
  category?: string,
): StageZeroBrief {
  const s = synthesis;
  const f = s.forecast;
  const usd = (x: number) => `$${Math.round(x).toLocaleString("en-US")}`;
  const failing = s.chairman_constraints.checks.filter((c) => c.result !== "pass");
  const triggerConditions = [
    ...(s.time_horizon.position !== "build_now"
      ? [
          `Market timing: the window opens (${s.time_horizon.position}, about ${s.time_horizon.windowMonths} months): ${s.time_horizon.rationale}`,
        ]
      : []),
    ...failing.map(
      (c) => `Constraint ${c.constraint} no longer ${c.result === "fail" ? "fails" : "needs review"}: ${c.detail}`,
    ),
    `A re-evaluation scores the venture above ${f.ventureScore.score} (today's venture score)`,
  ];
  const solution = atLeast(path.solution, 20, `for ${path.targetMarket}`);
  return {
    name: path.name,
    description: atLeast(path.description, 50, `— a Stage 0 idea for ${path.targetMarket}.`),
    problemStatement: atLeast(s.problem_reframing.recommendedProblemStatement, 20, `(${path.targetMarket})`),
    valueProp: solution,
    solution,
    targetMarket: atLeast(path.targetMarket, 10, "(to be defined)"),
    archetype: s.archetypes.ventureArchetype,
    keyAssumptions: path.draft?.keyAssumptions ?? [
      `${path.targetMarket} will pay for ${path.name}`,
      `The primary moat (${s.moat_architecture.primaryMoat.type}) compounds within ${s.moat_architecture.primaryMoat.compoundingMonths} months`,
      `Year-1 revenue of ${usd(f.revenue.year1.realistic)} (realistic scenario) is reachable`,
    ],
    successCriteria: path.draft?.successCriteria ?? [
      `${usd(f.revenue.year1.realistic)} revenue in year 1`,
      f.breakEven.months.realistic === null
        ? "A path to break-even found before Stage 5"
        : `Break-even within ${f.breakEven.months.realistic} months`,
    ],
    moatStrategy:
      path.draft?.moatStrategy ??
      `${s.moat_architecture.primaryMoat.type}: ${s.moat_architecture.primaryMoat.rationale}`,
    originType: path.origin,
    rawChairmanIntent: path.rawChairmanIntent,
    maturity,
    verticalCategory: category ?? s.archetypes.primary,
    portfolioSynergyScore: Math.round(s.portfolio_evaluation.portfolioSynergyScore),
    timeHorizonClassification: s.time_horizon.position,
    buildEstimate: { complexity: s.build_cost.complexity, months: s.build_cost.months },
    crossReferences: s.cross_reference.matches.map((m) => ({
      source: m.source,
      ref: m.ref,
      name: m.name,
      relevance: m.relevance,
    })),
    chairmanConstraintScores: {
      verdict: s.chairman_constraints.verdict,
      checks: s.chairman_constraints.checks.length,
      failing: failing.map((c) => c.constraint),
    },
    competitorRef: path.competitorRef,
    blueprintId: path.blueprintId ?? null,
    discoveryStrategy: path.discoveryStrategy ?? null,
    ventureScore: f.ventureScore.score,
    metadata: {
      synthesis,
      nursery: { triggerConditions },
      discoveryRunId: path.discoveryRunId ?? null,
      nurseryId: path.nurseryId ?? null,
    },
  };
}

/**
 * Runs Stage 0 for one input with `db` acting as eva_service: the path, the
 * synthesis, the brief. Nothing is charged or opened here (openStageZeroReview);
 * a discovery run's candidates are stored as they are ranked.
 */
export async function runStageZero(
  db: Database,
  analyst: Analyst,
  input: StageZeroInput,
  options: {
    budget?: IdeationBudget;
    profile?: string | undefined;
    signal?: AbortSignal;
    /** The competitors' pages for competitor_teardown (a fetcher under the analyst's tool policy); none: URLs only. */
    fetchPages?: ((urls: string[]) => Promise<{ url: string; text: string }[]>) | undefined;
    /**
     * competitor_teardown through the competitor_teardown agent's toolbox: each URL fetched under its tool
     * policy (when `online`, default EVA_URL_FETCH=on), then a gap analysis across them, before the path's analysis.
     */
    teardown?: { toolbox: Toolbox; online?: boolean } | undefined;
  } = {},
): Promise<StageZeroResult> {
  const resolved = await resolveProfile(db, options.profile);
  const ledger = new CallLedger(options.budget ? ideationAllowance(options.budget) : undefined);
  const ctx: StageZeroCallContext = { analyst, ledger, ...(options.signal ? { signal: options.signal } : {}) };
  let path: PathOutput;
  let archetypeHint: EhgArchetype | undefined;
  let category: string | undefined;
  let discovery: DiscoveryOutcome | undefined;
  let teardown: TeardownResult | undefined;
  switch (input.path) {
    case "manual":
      path = manualPath(input);
      break;
    case "competitor_teardown": {
      let pages = options.fetchPages ? await options.fetchPages(input.urls) : [];
      let gapAnalysis: string | undefined;
      if (options.teardown) {
        teardown = await teardownWithGaps(ctx, input.urls, options.teardown);
        pages = [...pages, ...fetchedFacts(teardown)];
        gapAnalysis = teardownSummary(teardown);
      }
      path = (await competitorTeardownPath(ctx, input, pages, gapAnalysis)).path;
      break;
    }
    case "blueprint_browse": {
      const blueprint = await findBlueprint(db, input.blueprint);
      if (!blueprint)
        throw new StageZeroInputError(`--blueprint ${input.blueprint}: no such blueprint (eva blueprints list)`);
      try {
        path = blueprintPath(blueprint, input.set);
      } catch (error) {
        if (error instanceof BlueprintInputError) throw new StageZeroInputError(error.message);
        throw error;
      }
      archetypeHint = blueprint.ehgArchetype;
      category = blueprint.category;
      break;
    }
    case "discovery_mode":
      discovery = await discover(db, ctx, input);
      path = discovery.path;
      break;
  }
  const synthesisInput = await gatherSynthesisInput(db, path);
  const { synthesis, maturity } = await synthesize(ctx, synthesisInput, resolved, { archetypeHint });
  const assembled = assembleBrief(path, synthesis, maturity, category);
  const brief = stageZeroBriefSchema.parse(
    teardown ? { ...assembled, metadata: { ...assembled.metadata, teardown: teardownRecord(teardown) } } : assembled,
  );
  return { brief, calls: ledger.calls, epistemic: ledger.epistemic(), discovery, teardown };
}

/** The teardown's fetches and gap analysis, charged to the brief's ledger like its other calls. */
async function teardownWithGaps(
  ctx: StageZeroCallContext,
  urls: string[],
  options: { toolbox: Toolbox; online?: boolean },
): Promise<TeardownResult> {
  const budget = ctx.ledger.allowance();
  const result = await competitorTeardown(ctx.analyst, urls, {
    toolbox: options.toolbox,
    ...(options.online !== undefined ? { online: options.online } : {}),
    ...(budget ? { budget } : {}),
  });
  ctx.ledger.calls.push({
    purpose: "path:competitor_teardown:gap_analysis",
    schemaName: "stage_00_competitor_gap_analysis",
    usage: result.usage,
    provenance: result.provenance,
    epistemic: result.competitors.some((c) => c.analysis.label === "simulation") ? "simulation" : "assumption",
  });
  return result;
}

/** What was fetched of each competitor (facts, with their source), as the path analysis's evidence. */
function fetchedFacts(result: TeardownResult): { url: string; text: string }[] {
  return result.competitors
    .filter((c) => c.fetched.status === "fetched")
    .map((c) => ({
      url: c.url,
      text: [
        `Fetched from ${c.fetched.source} at ${c.fetched.fetchedAt} (fact):`,
        c.fetched.title ? `title: ${c.fetched.title}` : "",
        c.fetched.description ? `description: ${c.fetched.description}` : "",
        c.fetched.headings.length ? `headings: ${c.fetched.headings.join(" | ")}` : "",
        c.fetched.pricingMentions.length ? `prices on the page: ${c.fetched.pricingMentions.join(", ")}` : "",
      ]
        .filter(Boolean)
        .join("\n"),
    }));
}

/** The brief's record of the teardown: its basis, each competitor's fetch (labelled) and reading, the gaps. */
function teardownRecord(result: TeardownResult) {
  return {
    mode: result.mode,
    basis: result.basis,
    competitors: result.competitors.map((c) => ({
      url: c.url,
      name: c.name,
      fetched: c.fetched,
      analysis: c.analysis,
    })),
    gapAnalysis: result.gapAnalysis,
    gapNote: result.gapNote,
  };
}

/**
 * Opens the Chairman's review of a brief (as eva_service, in the caller's
 * transaction): the decision, the venture_briefs row, one ideation charge per
 * analysis call. A re-evaluated nursery idea's review names its nursery row
 * and review date, so the nursery check opens it once.
 */
export async function openStageZeroReview(
  db: Database,
  result: StageZeroResult,
  options: { portfolioId: string; reviewAt?: string | undefined },
): Promise<string> {
  const { brief, calls, epistemic } = result;
  const nurseryId = brief.metadata.nurseryId;
  const provenance = {
    origin: brief.originType,
    analyst: calls[0]?.provenance.analyst ?? "none",
    model: calls[0]?.provenance.model ?? "none",
    calls: calls.map((c) => ({ purpose: c.purpose, ...c.provenance })),
  };
  const row = await db
    .insertInto("chairman_decisions")
    .values({
      lifecycle_stage: 0,
      decision_type: "venture_review",
      recommended_action: brief.maturity === "ready" ? "approve" : "park",
      context: JSON.stringify({
        brief,
        provenance,
        epistemic,
        ...(nurseryId ? { nurseryId, reviewAt: options.reviewAt ?? null, origin: "nursery_reeval" } : {}),
      }),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const synthesis = brief.metadata.synthesis;
  await db
    .insertInto("venture_briefs")
    .values({
      decision_id: row.id,
      name: brief.name,
      origin_type: brief.originType,
      maturity: brief.maturity,
      venture_score: brief.ventureScore,
      weighted_score: synthesis.weighted_score,
      profile_id: synthesis.profile.id,
      brief: JSON.stringify(brief),
      epistemic_classification: epistemic,
      provenance: JSON.stringify(provenance),
    })
    .execute();
  for (const call of calls) {
    if (call.usage.promptTokens + call.usage.completionTokens === 0) continue;
    await chargeIdeation(db, {
      portfolioId: options.portfolioId,
      decisionId: row.id,
      usage: call.usage,
      provenance: { ...call.provenance, purpose: call.purpose } as typeof call.provenance,
    });
  }
  if (nurseryId) await sql`select eva_private.fn_nursery_note_reevaluation(${nurseryId}::uuid)`.execute(db);
  return row.id;
}
