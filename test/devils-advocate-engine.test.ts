// The Devil's Advocate as the stage engine runs it: its own model on its own
// server (EVA_DA_*), its review stored as a versioned artifact of its own, and
// a high-severity challenge escalated through the DFE to the Chairman.
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { withRole } from "../src/db/client.ts";
import type { DevilsAdvocateReview } from "../src/gates/devils-advocate.ts";
import { createAdversary, createAnalyst } from "../src/llm/factory.ts";
import { promptHash, seedFromHash } from "../src/llm/hash.ts";
import { createRng } from "../src/llm/rng.ts";
import type { AnalysisRequest, Analyst } from "../src/llm/types.ts";
import { runStageWork } from "../src/orchestration/stage-engine.ts";
import { METRICS } from "../src/stages/stage-02.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { type FakeOpenAIServer, reply, startFakeOpenAIServer } from "./helpers/fake-openai-server.ts";
import { createVenture } from "./helpers/fixtures.ts";

const t = await createTestDatabase();
let analystServer: FakeOpenAIServer;
let adversaryServer: FakeOpenAIServer;
let analyst: Analyst;
let adversary: Analyst;

beforeAll(async () => {
  analystServer = await startFakeOpenAIServer();
  adversaryServer = await startFakeOpenAIServer();
  // As a deployment configures them: the analyst's server and model, and the Devil's Advocate's own.
  const env = {
    OPENAI_BASE_URL: analystServer.baseURL,
    EVA_LLM_MODEL: "analyst-model",
    EVA_DA_BASE_URL: adversaryServer.baseURL,
    EVA_DA_MODEL: "adversary-model",
    EVA_DA_API_KEY: "da-key",
  };
  analyst = createAnalyst(env);
  adversary = createAdversary(env);
  // Only the Devil's Advocate's trigger is under test: no escalation for a low score.
  await withRole(t.db, "eva_chairman", (trx) =>
    trx
      .updateTable("chairman_preferences")
      .set({ value: "0" })
      .where("scope", "=", "global")
      .where("key", "=", "score_threshold")
      .execute(),
  );
});
afterEach(() => {
  analystServer.reset();
  adversaryServer.reset();
});
afterAll(async () => {
  await analystServer.close();
  await adversaryServer.close();
  await t.drop();
});

async function openWork(ventureId: string) {
  return t.db
    .selectFrom("venture_stage_work")
    .selectAll()
    .where("venture_id", "=", ventureId)
    .where("status", "in", ["ready", "in_progress"])
    .executeTakeFirstOrThrow();
}

class Captured extends Error {}

/**
 * Runs the venture's open stage with the model analyst. The analyst's server
 * answers what the offline analyst would for the same request (taken from a
 * first, aborted attempt), made strong by `strengthen`, so the gate passes.
 */
async function runStage(ventureId: string, strengthen: (output: Record<string, unknown>) => void = () => {}) {
  const work = await openWork(ventureId);
  let request: AnalysisRequest<unknown> | undefined;
  const capture: Analyst = {
    kind: "offline",
    model: "capture",
    analyze: async (r) => {
      request = r as AnalysisRequest<unknown>;
      throw new Captured();
    },
  };
  if (work.lifecycle_stage > 1) {
    await expect(runStageWork(t.service, capture, work.id)).rejects.toBeInstanceOf(Captured);
    if (!request) throw new Error("no request captured");
    const output = request.simulate(createRng(seedFromHash(promptHash(request.prompt, request.schemaName)))) as Record<
      string,
      unknown
    >;
    strengthen(output);
    analystServer.enqueue(reply.json(output));
  }
  return runStageWork(t.service, analyst, work.id, { adversary });
}

const strongStage2 = (o: Record<string, unknown>) => {
  for (const m of METRICS) (o.metrics as Record<string, number>)[m] = 90;
};
const strongStage3 = (o: Record<string, unknown>) => {
  const calibrations = o.calibrations as Record<string, { adjustment: number }>;
  for (const m of METRICS) calibrations[m] = { ...(calibrations[m] as { adjustment: number }), adjustment: 6 };
};

/** A venture at Stage 3 with strong Stage 2 scores. */
async function ventureAtStage3() {
  const v = await createVenture(t.db);
  expect(await runStage(v.id)).toMatchObject({ outcome: "advanced", stage: 1 });
  expect(await runStage(v.id, strongStage2)).toMatchObject({ outcome: "advanced", stage: 2 });
  analystServer.reset();
  return v;
}

const review = (verdict: "concur" | "challenge", severity: "critical" | "high" | "medium" | "low") =>
  ({
    counterArguments: [
      "Every metric was raised by the analyst's own calibration; none was measured with a customer.",
      "Bank-feed access is assumed for all EU firms, but coverage varies by country.",
    ],
    risks: [
      { risk: "Firms churn once the first year's discount ends.", severity },
      { risk: "A bank changes its feed terms.", severity: "low" },
    ],
    alternatives: ["Pilot with five firms before Stage 4."],
    verdict,
    summary: "The scores are the analyst's, not the market's.",
  }) satisfies DevilsAdvocateReview;

async function reviews(ventureId: string) {
  return t.db
    .selectFrom("venture_artifacts")
    .selectAll()
    .where("venture_id", "=", ventureId)
    .where("artifact_type", "=", "devils_advocate_review")
    .orderBy("version")
    .execute();
}

describe("the Devil's Advocate's own model", () => {
  it("sends the review to the Devil's Advocate's server and model, and the analysis to the analyst's", async () => {
    const v = await ventureAtStage3();
    adversaryServer.enqueue(reply.json(review("concur", "medium"), { prompt_tokens: 900, completion_tokens: 150 }));
    const outcome = await runStage(v.id, strongStage3);
    expect(outcome).toMatchObject({ outcome: "advanced", stage: 3, nextStage: 4 });

    expect(adversaryServer.requests).toHaveLength(1);
    expect(adversaryServer.requests[0]?.body.model).toBe("adversary-model");
    expect(adversaryServer.requests[0]?.headers.authorization).toBe("Bearer da-key");
    expect(adversaryServer.requests[0]?.body.messages[0]?.content).toContain("Devil's Advocate");
    // The analyst's server answered the analysis alone.
    expect(analystServer.requests).toHaveLength(1);
    expect(analystServer.requests[0]?.body.model).toBe("analyst-model");
    expect(analystServer.requests.some((r) => r.body.messages[0]?.content.includes("Devil's Advocate"))).toBe(false);

    // Its own artifact: its model's provenance, a model's judgement (assumption), the reviewed artifact as evidence.
    const [stored] = await reviews(v.id);
    expect(stored).toMatchObject({
      lifecycle_stage: 3,
      version: 1,
      is_current: true,
      epistemic_classification: "assumption",
      content: review("concur", "medium"),
      provenance: expect.objectContaining({
        analyst: "openai",
        model: "adversary-model",
        baseUrl: adversaryServer.baseURL,
      }),
      epistemic_evidence: expect.objectContaining({
        role: "devils_advocate",
        reviewed: { stage: 3, type: "validation_scorecard" },
      }),
    });
    // The gate outcome refers to it (same run, same type) and the DA's tokens are charged as such.
    const work = await t.db
      .selectFrom("venture_stage_work")
      .select(["id", "gate_outcome"])
      .where("venture_id", "=", v.id)
      .where("lifecycle_stage", "=", 3)
      .executeTakeFirstOrThrow();
    expect(stored?.stage_work_id).toBe(work.id);
    expect((work.gate_outcome as Record<string, unknown>).devilsAdvocate).toMatchObject({
      status: "reviewed",
      artifactType: "devils_advocate_review",
      verdict: "concur",
      provenance: expect.objectContaining({ model: "adversary-model" }),
    });
    const charged = await t.db
      .selectFrom("venture_budget_transactions")
      .select(["prompt_tokens", "completion_tokens", "estimated", "provenance"])
      .where("venture_id", "=", v.id)
      .where("purpose", "=", "devils_advocate")
      .execute();
    expect(charged).toEqual([
      expect.objectContaining({ prompt_tokens: 900, completion_tokens: 150, estimated: false }),
    ]);
  });

  it("escalates a challenge with high-severity risks to the Chairman, with its arguments in the decision's context", async () => {
    const v = await ventureAtStage3();
    adversaryServer.enqueue(reply.json(review("challenge", "high")));
    const outcome = await runStage(v.id, strongStage3);
    expect(outcome).toMatchObject({ outcome: "awaiting_decision", stage: 3 });
    const work = await t.db
      .selectFrom("venture_stage_work")
      .select("gate_decision")
      .where("venture_id", "=", v.id)
      .where("lifecycle_stage", "=", 3)
      .executeTakeFirstOrThrow();
    // The gate passed: the Devil's Advocate is what stopped the venture.
    expect(work.gate_decision).toBe("pass");

    const decision = await withRole(t.db, "eva_chairman", (trx) =>
      trx
        .selectFrom("chairman_decisions")
        .selectAll()
        .where("venture_id", "=", v.id)
        .where("status", "=", "pending")
        .executeTakeFirstOrThrow(),
    );
    expect(decision.decision_type).toBe("dfe_escalation");
    const context = decision.context as {
      reason: string;
      dfe: { output: string; triggers: { type: string; devilsAdvocate?: unknown; value?: unknown }[] };
    };
    expect(context.reason).toContain("devils_advocate_challenge");
    expect(context.reason).toContain("high: Firms churn once the first year's discount ends.");
    expect(context.dfe.output).toBe("PRESENT_TO_CHAIRMAN");
    const trigger = context.dfe.triggers.find((x) => x.type === "devils_advocate_challenge");
    expect(trigger?.devilsAdvocate).toEqual({
      summary: "The scores are the analyst's, not the market's.",
      counterArguments: review("challenge", "high").counterArguments,
      risks: [{ risk: "Firms churn once the first year's discount ends.", severity: "high" }],
      model: "adversary-model",
    });
  });

  it("lets a challenge with only medium and low risks pass without asking the Chairman", async () => {
    const v = await ventureAtStage3();
    adversaryServer.enqueue(reply.json(review("challenge", "medium")));
    const outcome = await runStage(v.id, strongStage3);
    expect(outcome).toMatchObject({ outcome: "advanced", stage: 3, nextStage: 4 });
    const pending = await t.db.selectFrom("chairman_decisions").select("id").where("venture_id", "=", v.id).execute();
    expect(pending).toEqual([]);
    const stored = await reviews(v.id);
    expect(stored.map((r) => (r.content as DevilsAdvocateReview).verdict)).toEqual(["challenge"]);
  });

  it("keeps every review: a re-run of the stage writes version 2 and retires version 1", async () => {
    const v = await ventureAtStage3();
    adversaryServer.enqueue(reply.json(review("concur", "low")));
    expect(await runStage(v.id, strongStage3)).toMatchObject({ outcome: "advanced", stage: 3 });
    // No request role runs the state functions (EVA's own functions do): the superuser stands in for them.
    await sql`select eva.fn_rerun_stage(${v.id}::uuid, 3, 'the Chairman asked for a second look', 'revise')`.execute(
      t.db,
    );
    adversaryServer.enqueue(reply.json(review("challenge", "medium")));
    expect(await runStage(v.id, strongStage3)).toMatchObject({ outcome: "advanced", stage: 3 });

    const all = await reviews(v.id);
    expect(all.map((r) => [r.version, r.is_current, (r.content as DevilsAdvocateReview).verdict])).toEqual([
      [1, false, "concur"],
      [2, true, "challenge"],
    ]);
    expect(new Set(all.map((r) => r.stage_work_id)).size).toBe(2);
    expect(adversaryServer.requests).toHaveLength(2);
  });
});
