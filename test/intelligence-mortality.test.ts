// The stage-of-death predictor (spec §16): the portfolio's kills feed its
// mortality curve and the next prediction at once; predictions are stored
// and scored (Brier, log loss per stage) as their ventures' outcomes arrive.
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { syncKnowledge } from "../src/intelligence/knowledge.ts";
import { buildMortalityCurve, STAGE_PRIORS } from "../src/intelligence/mortality.ts";
import { loadOutcomes } from "../src/intelligence/outcomes.ts";
import { calibratePredictions, predictionCalibration, predictVenture } from "../src/intelligence/predictor.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { walkToDecision } from "./helpers/fixtures.ts";
import { contents, killAtOpenStage, killedAtFive, ventureThrough } from "./helpers/intelligence.ts";

const t = await createTestDatabase();
afterAll(() => t.drop());

const at = (
  p: { distribution: { stage: number; hazard: number; amplifiedHazard: number; pDeath: number }[] },
  s: number,
) => {
  const d = p.distribution.find((x) => x.stage === s);
  if (!d) throw new Error(`no stage ${s} in the prediction`);
  return d;
};

describe("stage-of-death predictor", () => {
  let early: { id: string; name: string };
  let firstPrediction: Awaited<ReturnType<typeof predictVenture>>;

  it("with no history, predicts from the prior and says so", async () => {
    early = await ventureThrough(t.db, 0, { archetype: "saas" });
    firstPrediction = await predictVenture(t.service, early.id);
    expect(firstPrediction.basis).toMatchObject({ ventures: 0, kills: 0 });
    expect(at(firstPrediction, 5).hazard).toBe(STAGE_PRIORS[5]);
    expect(firstPrediction.distribution.find((d) => d.stage === 5)).toMatchObject({ exposed: 0, basis: "prior" });
    const stored = await t.db
      .selectFrom("stage_of_death_predictions")
      .selectAll()
      .where("id", "=", firstPrediction.id)
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ venture_id: early.id, from_stage: 1, outcome: null });
  });

  it("kills feed the mortality curve and the next prediction", async () => {
    // Three saas ventures die at Stage 5; one saas and two marketplace ventures get past it.
    for (let i = 0; i < 3; i++)
      await killedAtFive(t.db, { archetype: "saas" }, contents({ score3: 45, pricing5: "usage_based" }));
    await ventureThrough(t.db, 5, { archetype: "saas" });
    for (let i = 0; i < 2; i++) await ventureThrough(t.db, 5, { archetype: "marketplace" }, contents({ score3: 85 }));

    const outcomes = await loadOutcomes(t.db);
    expect(outcomes.filter((o) => o.diedAt === 5)).toHaveLength(3);
    const curve = buildMortalityCurve(outcomes);
    // Exposed at Stage 5: the three that died there and the three that passed; hazard (3 + 4·0.25) / (6 + 4).
    expect(curve.find((c) => c.stage === 5)).toMatchObject({ exposed: 6, died: 3, hazard: 0.4, basis: "blended" });
    expect(curve.find((c) => c.stage === 4)).toMatchObject({ exposed: 6, died: 0 });

    const next = await ventureThrough(t.db, 0, { archetype: "saas" });
    const prediction = await predictVenture(t.service, next.id);
    expect(prediction.basis).toMatchObject({ kills: 3 });
    expect(prediction.segment).toBe("saas");
    // The saas curve, pooled towards the portfolio's 0.4 with k = 4: (3 + 4·0.4) / (4 + 4) = 0.575.
    expect(at(prediction, 5).hazard).toBe(0.575);
    expect(at(prediction, 5).hazard).toBeGreaterThan(at(firstPrediction, 5).hazard);
    expect(prediction.predictedStage).toBe(5);
    // Marketplace ventures all passed Stage 5: their prediction stays below the portfolio's there.
    const market = await ventureThrough(t.db, 0, { archetype: "marketplace" });
    const m = await predictVenture(t.service, market.id, { store: false });
    expect(at(m, 5).hazard).toBe(Math.round(((0 + 4 * 0.4) / (2 + 4)) * 1e4) / 1e4);
  });

  it("one more kill moves the next prediction again", async () => {
    const before = await predictVenture(t.service, early.id, { store: false });
    await killedAtFive(t.db, { archetype: "saas" });
    const after = await predictVenture(t.service, early.id, { store: false });
    expect(after.basis.kills).toBe(before.basis.kills + 1);
    expect(at(after, 5).hazard).toBeGreaterThan(at(before, 5).hazard);
  });

  it("weak scores and anti-patterns amplify the stages they bear on", async () => {
    const weak = await ventureThrough(t.db, 3, { archetype: "saas" }, contents({ score3: 30 }));
    const p = await predictVenture(t.service, weak.id, { store: false });
    const amp = p.amplifiers.find((a) => a.name === "stage3.overallScore");
    expect(amp).toMatchObject({ source: "artifact_score", value: 30, stages: [3, 5], multiplier: 1.5 });
    const d5 = at(p, 5);
    expect(d5.amplifiedHazard).toBeCloseTo(1 - (1 - d5.hazard) ** 1.5, 4);

    // After the knowledge sync, saas's Stage 5 deaths are an anti-pattern the predictor reads.
    const knowledge = await syncKnowledge(t.service);
    const anti = knowledge.antiPatterns.find((a) => a.signature === "saas:5:died-here");
    expect(anti).toMatchObject({ stage: 5, died: 4 });
    const fresh = await ventureThrough(t.db, 0, { archetype: "saas" });
    const q = await predictVenture(t.service, fresh.id, { store: false });
    expect(q.amplifiers.find((a) => a.source === "anti_pattern")).toMatchObject({
      name: "saas:5:died-here",
      stages: [5],
    });
    expect(at(q, 5).amplifiedHazard).toBeGreaterThan(at(q, 5).hazard);
  });

  it("predictions are scored per stage as outcomes arrive, and resolved", async () => {
    // The first prediction's venture now runs to Stage 5 and dies there.
    await walkToDecision(t.db, early.id, 4, contents());
    await killAtOpenStage(t.db, early.id);
    const r = await calibratePredictions(t.service);
    expect(r.resolved).toBeGreaterThanOrEqual(1);
    const scores = await t.db
      .selectFrom("stage_of_death_prediction_scores")
      .selectAll()
      .where("prediction_id", "=", firstPrediction.id)
      .orderBy("lifecycle_stage")
      .execute();
    expect(scores.map((s) => [s.lifecycle_stage, s.died])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, false],
      [5, true],
    ]);
    const h5 = at(firstPrediction, 5).amplifiedHazard;
    expect(Number(scores[4]?.brier)).toBeCloseTo((h5 - 1) ** 2, 5);
    expect(Number(scores[4]?.log_loss)).toBeCloseTo(-Math.log(h5), 5);
    const resolved = await t.db
      .selectFrom("stage_of_death_predictions")
      .select(["outcome", "outcome_stage"])
      .where("id", "=", firstPrediction.id)
      .executeTakeFirstOrThrow();
    expect(resolved).toEqual({ outcome: "died", outcome_stage: 5 });
    // Scoring again adds nothing.
    expect(await calibratePredictions(t.service)).toMatchObject({ scored: 0 });
    const byStage = await predictionCalibration(t.service);
    expect(byStage.find((s) => s.stage === 5)).toMatchObject({ scored: 1, deaths: 1 });
  });

  it("the knowledge sync predicts every open venture once per stage it reaches, and scores as it goes", async () => {
    const { runKnowledgeSync } = await import("../src/intelligence/sync.ts");
    const open = (await loadOutcomes(t.db)).filter((o) => o.diedAt === null && !o.succeeded);
    const first = await runKnowledgeSync(t.service);
    const fromNow = await t.db
      .selectFrom("stage_of_death_predictions")
      .select(["venture_id", "from_stage"])
      .where(
        "venture_id",
        "in",
        open.map((o) => o.id),
      )
      .execute();
    for (const o of open) expect(fromNow).toContainEqual({ venture_id: o.id, from_stage: o.currentStage });
    expect(first.predictionsStored).toBeGreaterThan(0);
    expect((await runKnowledgeSync(t.service)).predictionsStored).toBe(0);
    // One of them moves on a stage: the next sync scores its stage and predicts it from the new one.
    const mover = open.find((o) => o.currentStage === 1) as (typeof open)[number];
    await walkToDecision(t.db, mover.id, 1, contents());
    const next = await runKnowledgeSync(t.service);
    expect(next.predictionsStored).toBe(1);
    expect(next.predictionsScored).toBeGreaterThanOrEqual(1);
  });

  it("services write predictions only through the knowledge functions", async () => {
    const denied =
      await sql`insert into eva.stage_of_death_predictions (venture_id, from_stage, death_probability, distribution)
      values (${early.id}::uuid, 1, 0.5, '[]')`
        .execute(t.service)
        .then(
          () => null,
          (e: { code?: string }) => e.code,
        );
    expect(denied).toBe("42501");
  });
});
