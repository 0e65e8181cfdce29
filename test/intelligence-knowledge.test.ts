// The portfolio knowledge base (spec §10) and the counterfactual engine
// (spec §16): tau-b against hand-computed values; a profile change re-scores
// ventures without any model call; patterns and anti-patterns from stage
// outcomes, and the DFE's novel_pattern trigger reading them; a template
// extracted at a Stage 25 continue is recommended to a similar new venture.
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { withRole } from "../src/db/client.ts";
import { evaluateDFE } from "../src/gates/dfe.ts";
import { createProfile, LEGACY_PROFILE, LEGACY_WEIGHTS, type ProfileWeights } from "../src/ideation/profiles.ts";
import { kendallTauB, runBatchCounterfactual } from "../src/intelligence/counterfactual.ts";
import { syncKnowledge } from "../src/intelligence/knowledge.ts";
import { recordGateSignals } from "../src/intelligence/signals.ts";
import { parseStageContext } from "../src/stages/context.ts";
import { runEva } from "./helpers/cli.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { startFakeOpenAIServer } from "./helpers/fake-openai-server.ts";
import { walkToDecision } from "./helpers/fixtures.ts";
import { contents, killAtOpenStage, walkToReview } from "./helpers/intelligence.ts";

const t = await createTestDatabase();
const model = await startFakeOpenAIServer();
afterAll(async () => {
  await model.close();
  await t.drop();
});

const decide = (id: string, decision: string) =>
  withRole(t.db, "eva_chairman", (trx) => sql`select * from eva.fn_decide(${id}::uuid, ${decision})`.execute(trx));

let counter = 0;
/** A venture approved at Stage 0 from a brief whose synthesis scored each component as given. */
async function approvedVenture(
  synthesis: Record<string, number>,
  over: {
    archetype?: string;
    targetMarket?: string;
    vertical?: string;
    problem?: string;
    description?: string;
    valueProp?: string;
  } = {},
): Promise<{ id: string; name: string }> {
  counter += 1;
  const name = `Brief venture ${counter} ${Math.random().toString(36).slice(2, 7)}`;
  const brief = {
    name,
    description:
      over.description ??
      "A reconciliation assistant that matches bank payments to invoices for small accounting firms.",
    problemStatement: over.problem ?? "Small accounting firms lose hours every week matching invoices to payments.",
    valueProp: over.valueProp ?? "Matches every invoice to its payment automatically, with an audit trail.",
    targetMarket: over.targetMarket ?? "EU accounting firms with 2-20 staff",
    archetype: over.archetype ?? "saas",
    keyAssumptions: ["Firms pay 49 EUR a month"],
    successCriteria: ["100 paying firms in 12 months"],
    moatStrategy: "Data moat from reconciled ledgers",
    rawChairmanIntent: "Help small firms reconcile",
    verticalCategory: over.vertical ?? "accounting",
    originType: "manual",
    maturity: "ready",
    ventureScore: 60,
    metadata: {
      synthesis: Object.fromEntries(Object.entries(synthesis).map(([c, score]) => [c, { score, rationale: "test" }])),
    },
  };
  const d = await withRole(t.db, "eva_service", (trx) =>
    trx
      .insertInto("chairman_decisions")
      .values({
        lifecycle_stage: 0,
        decision_type: "venture_review",
        recommended_action: "approve",
        context: JSON.stringify({ brief, provenance: {}, epistemic: "simulation" }),
      })
      .returning("id")
      .executeTakeFirstOrThrow(),
  );
  await decide(d.id, "approve");
  return t.db.selectFrom("ventures").select(["id", "name"]).where("name", "=", name).executeTakeFirstOrThrow();
}

describe("Kendall's tau-b", () => {
  it("matches hand-computed values, with and without ties", () => {
    // Pairs of (1,2,3,4,5) against (1,3,2,5,4): 8 concordant, 2 discordant → (8 − 2) / 10.
    expect(kendallTauB([1, 2, 3, 4, 5], [1, 3, 2, 5, 4])).toBe(0.6);
    // (1,1,2,3) against (1,2,2,3): 4 concordant, 0 discordant, one tie in each → 4 / √(5·5).
    expect(kendallTauB([1, 1, 2, 3], [1, 2, 2, 3])).toBe(0.8);
    // Reversed order: −1; x = (1,2,3), y = (2,1,2): C 1, D 1, a tie in y → 0 / √(3·2).
    expect(kendallTauB([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
    expect(kendallTauB([1, 2, 3], [2, 1, 2])).toBe(0);
    // Indeterminate: one pair, or one side all ties.
    expect(kendallTauB([1], [1])).toBeNull();
    expect(kendallTauB([1, 1, 1], [1, 2, 3])).toBeNull();
  });
});

describe("the counterfactual engine", () => {
  const moatHeavy: ProfileWeights = {
    ...Object.fromEntries(Object.keys(LEGACY_WEIGHTS).map((k) => [k, 0])),
    moat_architecture: 0.8,
    virality: 0.2,
  } as ProfileWeights;
  const reframeHeavy: ProfileWeights = {
    ...Object.fromEntries(Object.keys(LEGACY_WEIGHTS).map((k) => [k, 0])),
    problem_reframing: 1,
  } as ProfileWeights;
  const ids: string[] = [];

  it("re-scores ventures under another profile without any model call, and ranks profiles by tau-b", async () => {
    // Three ventures: strong moat → succeeded, middling → died at 5, weak → died at 3; reframing the other way round.
    const strong = await approvedVenture({ moat_architecture: 90, virality: 80, problem_reframing: 20 });
    const middling = await approvedVenture({ moat_architecture: 60, virality: 50, problem_reframing: 50 });
    const weak = await approvedVenture({ moat_architecture: 20, virality: 30, problem_reframing: 90 });
    ids.push(strong.id, middling.id, weak.id);
    await walkToDecision(t.db, weak.id, 2, contents());
    await killAtOpenStage(t.db, weak.id);
    await walkToDecision(t.db, middling.id, 4, contents());
    await killAtOpenStage(t.db, middling.id);
    await decide(await walkToReview(t.db, strong.id), "continue");

    const moat = await withRole(t.db, "eva_chairman", (trx) =>
      createProfile(trx, { name: "moat-first", weights: moatHeavy }),
    );
    const reframe = await withRole(t.db, "eva_chairman", (trx) =>
      createProfile(trx, { name: "reframe-first", weights: reframeHeavy }),
    );
    const before = model.requests.length;
    const run = await runBatchCounterfactual(t.service, [moat, reframe], { ventureIds: ids });
    expect(model.requests.length).toBe(before);
    expect(run.llmCalls).toBe(0);
    const score = (v: string, key: string) => run.scores.find((s) => s.ventureId === v && s.profileKey === key)?.score;
    // moat-first: 0.8·moat + 0.2·virality.
    expect(score(strong.id, "moat-first@1")).toBe(88);
    expect(score(middling.id, "moat-first@1")).toBe(58);
    expect(score(weak.id, "moat-first@1")).toBe(22);
    expect(score(weak.id, "reframe-first@1")).toBe(90);
    // Outcome ranks 26 (succeeded), 5, 3: moat-first orders them exactly (tau-b 1), reframe-first backwards (−1).
    expect(run.profiles.map((p) => [p.profileKey, p.resolved, p.tauB])).toEqual([
      ["moat-first@1", 3, 1],
      ["reframe-first@1", 3, -1],
    ]);
    const stored = await t.db
      .selectFrom("counterfactual_runs")
      .select(["llm_calls", "accuracy"])
      .where("id", "=", run.id as string)
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ llm_calls: 0, accuracy: { "moat-first@1": { tauB: 1 } } });
    const rows = await t.db
      .selectFrom("counterfactual_scores")
      .selectAll()
      .where("run_id", "=", run.id as string)
      .execute();
    expect(rows).toHaveLength(6);

    // A new version of the profile re-scores at once, again without the model.
    const moat2 = await withRole(t.db, "eva_chairman", (trx) =>
      createProfile(trx, { name: "moat-first", weights: { ...moatHeavy, moat_architecture: 0.5, virality: 0.5 } }),
    );
    const again = await runBatchCounterfactual(t.service, [moat2], { ventureIds: ids, store: false });
    expect(again.scores.find((s) => s.ventureId === strong.id)?.score).toBe(85);
    expect(model.requests.length).toBe(before);
  });

  it("records gate signals per boundary and profile, with outcomes", async () => {
    const [strong, , weak] = ids as [string, string, string];
    const signals = await recordGateSignals(t.service, {
      ventureIds: [strong, weak],
      profiles: [{ ...LEGACY_PROFILE, weights: { ...LEGACY_WEIGHTS } }],
    });
    const of = (v: string, b: string) => signals.find((s) => s.ventureId === v && s.boundary === b);
    expect(of(weak, "stage_3")).toMatchObject({ outcome: "failed", survivalProbability: 0 });
    expect(of(strong, "graduation")).toMatchObject({ outcome: "passed", survivalProbability: 1 });
    expect(signals.filter((s) => s.ventureId === strong)).toHaveLength(7);
    const rows = await t.db
      .selectFrom("evaluation_profile_outcomes")
      .select(["boundary", "outcome", "signal"])
      .where("venture_id", "=", weak)
      .where("profile_key", "=", "legacy")
      .execute();
    expect(rows.find((r) => r.boundary === "5->6")).toMatchObject({ outcome: "failed" });
  });

  it("the CLI runs the counterfactual with a counting model server and calls it zero times", async () => {
    const env = {
      DATABASE_URL: t.url,
      OPENAI_BASE_URL: model.baseURL,
      OPENAI_API_KEY: "test-key",
      EVA_LLM_MODEL: "counting-model",
    };
    const before = model.requests.length;
    const r = await runEva(["knowledge", "counterfactual", "--profiles", "moat-first@1,legacy", "--json"], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const run = JSON.parse(r.stdout) as { llmCalls: number; profiles: { profileKey: string; tauB: number | null }[] };
    expect(run.llmCalls).toBe(0);
    expect(run.profiles.find((p) => p.profileKey === "moat-first@1")?.tauB).toBe(1);
    expect(model.requests.length).toBe(before);
    const bad = await runEva(["knowledge", "counterfactual", "--profiles", "no-such-profile"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('no evaluation profile "no-such-profile"');
  });
});

describe("patterns, anti-patterns and the DFE", () => {
  it("stage outcomes become anti-patterns the DFE's novel_pattern trigger reports", async () => {
    // Three fintech ventures priced usage_based at Stage 5 die there; two priced by subscription get past it.
    for (let i = 0; i < 3; i++) {
      const v = await approvedVenture({}, { archetype: "fintech" });
      await walkToDecision(t.db, v.id, 4, contents({ pricing5: "usage_based" }));
      await killAtOpenStage(t.db, v.id, contents({ pricing5: "usage_based" }));
    }
    for (let i = 0; i < 2; i++) {
      const v = await approvedVenture({}, { archetype: "fintech" });
      await walkToDecision(t.db, v.id, 5, contents({ pricing5: "subscription" }));
    }
    const knowledge = await syncKnowledge(t.service);
    const anti = knowledge.antiPatterns.find((p) => p.signature === "fintech:5:usage_based");
    expect(anti).toMatchObject({ stage: 5, ventures: 3, died: 3, rate: 1, evidence: { deathStages: { "5": 3 } } });
    const stored = await t.db
      .selectFrom("portfolio_anti_patterns")
      .selectAll()
      .where("pattern_signature", "=", "fintech:5:usage_based")
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ lifecycle_stage: 5, died: 3 });

    // A new fintech venture's Stage 5 context carries the anti-pattern; the DFE reports it.
    const next = await approvedVenture({}, { archetype: "fintech" });
    await walkToDecision(t.db, next.id, 4, contents());
    const work = await t.db
      .selectFrom("venture_stage_work")
      .select("id")
      .where("venture_id", "=", next.id)
      .where("status", "=", "ready")
      .executeTakeFirstOrThrow();
    const { rows } = await withRole(t.db, "eva_service", (trx) =>
      sql<{ ctx: unknown }>`select eva.fn_begin_stage_run(${work.id}::uuid) as ctx`.execute(trx),
    );
    const ctx = parseStageContext(rows[0]?.ctx);
    expect(ctx.antiPatterns.map((p) => p.signature)).toContain("fintech:5:usage_based");
    const dfe = evaluateDFE({
      stage: 5,
      artifact: contents({ pricing5: "usage_based" })[5] as Record<string, unknown>,
      upstream: {},
      venture: { ...ctx.venture, archetype: "fintech" } as never,
      gate: null,
      preferences: ctx.preferences,
      knownPatterns: ctx.knownPatterns,
      antiPatterns: ctx.antiPatterns,
    });
    const fired = dfe.triggers.find((tr) => tr.type === "novel_pattern");
    expect(fired?.detail).toContain("fintech:5:usage_based is a known anti-pattern: 3 of 3 ventures");
    expect(dfe.output).toBe("PRESENT_TO_CHAIRMAN");
    // The same stage priced by subscription is no anti-pattern: no such trigger.
    const fine = evaluateDFE({
      stage: 5,
      artifact: contents({ pricing5: "subscription" })[5] as Record<string, unknown>,
      upstream: {},
      venture: { ...ctx.venture, archetype: "fintech" } as never,
      gate: null,
      preferences: ctx.preferences,
      knownPatterns: ctx.knownPatterns,
      antiPatterns: ctx.antiPatterns,
    });
    expect(fine.triggers.filter((tr) => tr.detail.includes("anti-pattern"))).toEqual([]);
  });

  it("calibration counts the Stage 3 scores' bands against outcomes", async () => {
    await syncKnowledge(t.service);
    const rows = await t.db.selectFrom("portfolio_calibration").selectAll().where("lifecycle_stage", "=", 3).execute();
    const total = rows.reduce((s, r) => s + r.ventures, 0);
    const withScore = await t.db
      .selectFrom("venture_artifacts")
      .select(sql<string>`count(*)`.as("n"))
      .where("lifecycle_stage", "=", 3)
      .where("is_current", "=", true)
      .executeTakeFirstOrThrow();
    expect(total).toBe(Number(withScore.n));
    expect(rows.find((r) => r.band === "65-80")?.passed_gate).toBeGreaterThan(0);
  });
});

describe("venture templates", () => {
  it("a venture reaching Stage 25 with continue becomes a template recommended to a similar new venture", async () => {
    const templates = await t.db.selectFrom("venture_templates").selectAll().execute();
    // The strong venture of the counterfactual test decided continue at Stage 25.
    expect(templates).toHaveLength(1);
    const template = templates[0];
    expect(template).toMatchObject({ archetype: "saas", source_decision: "continue", domain: "saas:accounting" });
    expect(template?.scoring_thresholds).toMatchObject({ stage3: { overallScore: 72, passThreshold: "70" } });
    expect(template?.dfe_thresholds).toMatchObject({ score_threshold: "50" });

    const similar = await approvedVenture(
      {},
      { targetMarket: "Accounting firms in the EU with 5-20 staff", vertical: "accounting" },
    );
    const other = await approvedVenture(
      {},
      {
        archetype: "hardware",
        targetMarket: "Hobby beekeepers in rural Canada",
        vertical: "agritech",
        problem: "Beekeepers cannot tell when a hive swarms until the bees have left.",
        description: "A hive sensor that listens for the sound of a colony about to swarm and texts the beekeeper.",
        valueProp: "Warns a day before a swarm so no colony is lost.",
      },
    );
    const recs = await t.db
      .selectFrom("venture_template_recommendations")
      .select(["venture_id", "template_id", "similarity"])
      .where("venture_id", "in", [similar.id, other.id])
      .execute();
    expect(recs.map((r) => r.venture_id)).toEqual([similar.id]);
    expect(recs[0]?.template_id).toBe(template?.id);

    const env = { DATABASE_URL: t.url, OPENAI_API_KEY: undefined };
    const r = await runEva(["templates", "recommend", similar.name, "--json"], env);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { template_id: string; archetype_match: boolean; score: number }[];
    expect(out[0]).toMatchObject({ template_id: template?.id, archetype_match: true });
    expect(out[0]?.score).toBeGreaterThan(0.5);
    const none = await runEva(["templates", "recommend", other.name, "--json"], env);
    expect(JSON.parse(none.stdout)).toEqual([]);
    const list = await runEva(["templates", "list"], env);
    expect(list.stdout).toContain("saas:accounting");
  });
});

describe("component scores of a Stage 0 brief", () => {
  it("reads the synthesis engine's componentScore per component, its categorical verdicts, and says nothing of a missing one", async () => {
    const { briefComponentScores } = await import("../src/intelligence/components.ts");
    expect(
      briefComponentScores({
        metadata: {
          synthesis: {
            moat_architecture: { componentScore: 72, primary_moat: "data_moat" },
            chairman_constraints: { verdict: "review" },
            time_horizon: { position: "build_soon" },
            virality: { componentScore: null, basis: "indeterminate" },
            archetypes: { primary_confidence: 0.8 },
          },
        },
      }),
    ).toEqual({ moat_architecture: 72, chairman_constraints: 50, time_horizon: 60, archetypes: 80 });
    // A brief from before the synthesis engine: its own fields.
    expect(
      briefComponentScores({
        portfolioSynergyScore: 64,
        timeHorizonClassification: "build_now",
        buildEstimate: { complexity: "high", months: 9 },
      }),
    ).toEqual({ portfolio_evaluation: 64, time_horizon: 100, build_cost: 25 });
  });
});
