// eva.fn_decide: the one way the Chairman decides (spec §11, §12), and what
// each decision does. Ventures are walked to their Chairman gates through the
// engine's own SQL (eva.fn_begin_stage_run + eva.fn_record_stage_result) with
// passing gate outcomes, as a worker would record them.
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { type Role, withRole } from "../src/db/client.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { settleEventBus } from "./helpers/event-bus.ts";
import { createVenture, walkToDecision } from "./helpers/fixtures.ts";

const t = await createTestDatabase();
afterAll(() => t.drop());

async function openWork(ventureId: string) {
  return t.db
    .selectFrom("venture_stage_work")
    .select(["id", "lifecycle_stage", "status", "blocked_reason"])
    .where("venture_id", "=", ventureId)
    .where("status", "in", ["ready", "blocked", "awaiting_decision"])
    .executeTakeFirst();
}

/** Records passing runs, as the worker would, until the venture waits for the Chairman. */
const walk = (ventureId: string) => walkToDecision(t.db, ventureId);

const decide = (id: string, decision: string, notes: string | null = null, role: Role = "eva_chairman") =>
  withRole(t.db, role, (trx) => sql`select * from eva.fn_decide(${id}::uuid, ${decision}, ${notes})`.execute(trx));

const venture = (id: string) =>
  t.db
    .selectFrom("ventures")
    .select(["status", "current_lifecycle_stage as stage"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();

async function atGate(stage: 10 | 22 | 25) {
  const v = await createVenture(t.db);
  let id = await walk(v.id);
  if (stage > 10 && id) {
    await decide(id, "approve");
    id = await walk(v.id);
  }
  if (stage > 22 && id) {
    await decide(id, "release");
    id = await walk(v.id);
  }
  if (!id) throw new Error(`no decision at stage ${stage}`);
  expect((await venture(v.id)).stage).toBe(stage);
  return { ventureId: v.id, decisionId: id };
}

describe("deciding: integrity", () => {
  it("lets only the Chairman decide: services and viewers cannot even call it (42501)", async () => {
    const { ventureId, decisionId } = await atGate(10);
    for (const role of ["eva_service", "eva_viewer", "eva_anonymous"] as const) {
      await expect(decide(decisionId, "approve", null, role)).rejects.toMatchObject({ code: "42501" });
    }
    expect(await venture(ventureId)).toEqual({ status: "awaiting_decision", stage: 10 });
  });

  it("refuses a decision the type does not allow (EV400), changing nothing", async () => {
    const { ventureId, decisionId } = await atGate(10);
    await expect(decide(decisionId, "release")).rejects.toMatchObject({ code: "EV400" });
    expect(await venture(ventureId)).toEqual({ status: "awaiting_decision", stage: 10 });
  });

  it("refuses a replayed decision (EV409)", async () => {
    const { decisionId } = await atGate(10);
    await decide(decisionId, "approve");
    await expect(decide(decisionId, "approve")).rejects.toMatchObject({ code: "EV409" });
  });

  it("refuses a decision whose context went stale (EV428): a newer artifact version was written", async () => {
    const { ventureId, decisionId } = await atGate(10);
    await withRole(t.db, "eva_service", (trx) =>
      trx
        .insertInto("venture_artifacts")
        .values({
          venture_id: ventureId,
          lifecycle_stage: 10,
          artifact_type: "brand_package",
          content: JSON.stringify({ newer: true }),
          epistemic_classification: "simulation",
        } as never)
        .execute(),
    );
    await expect(decide(decisionId, "approve")).rejects.toMatchObject({
      code: "EV428",
      message: expect.stringContaining("it was prepared from brand_package version 1, the current version is 2"),
    });
    const d = await t.db
      .selectFrom("chairman_decisions")
      .select(["status"])
      .where("id", "=", decisionId)
      .executeTakeFirstOrThrow();
    expect(d.status).toBe("pending");
    expect(await venture(ventureId)).toEqual({ status: "awaiting_decision", stage: 10 });
  });

  it("refuses deciding around fn_decide: a stale decision updated directly changes nothing and logs no approval", async () => {
    // The issue's scenario: at Stage 25, the artifact the decision was made from gets a newer version.
    const { ventureId, decisionId } = await atGate(25);
    const { artifact_type: artifactType } = await t.db
      .selectFrom("chairman_decisions")
      .select("artifact_type")
      .where("id", "=", decisionId)
      .executeTakeFirstOrThrow();
    expect(artifactType).toEqual(expect.any(String));
    await withRole(t.db, "eva_service", (trx) =>
      trx
        .insertInto("venture_artifacts")
        .values({
          venture_id: ventureId,
          lifecycle_stage: 25,
          artifact_type: artifactType,
          content: JSON.stringify({ newer: true }),
          epistemic_classification: "simulation",
        } as never)
        .execute(),
    );
    const approvals = () =>
      t.db
        .selectFrom("eva_event_log")
        .select("id")
        .where("event_type", "like", "chairman.%")
        .where("event_type", "<>", "chairman.decision_requested")
        .where(sql<boolean>`payload ->> 'decision_id' = ${decisionId}`)
        .execute();
    const direct = `update eva.chairman_decisions set status = 'decided', decision = 'continue' where id = '${decisionId}'`;
    for (const role of ["eva_chairman", "eva_service", "eva_viewer", "eva_anonymous"] as const) {
      await expect(
        withRole(t.db, role, (trx) => sql.raw(direct).execute(trx)),
        role,
      ).rejects.toMatchObject({ code: "42501", message: "permission denied for table chairman_decisions" });
    }
    // Not even the table's owner: the guard sends every decision through fn_decide.
    await expect(
      t.db.transaction().execute(async (trx) => {
        await sql`set local role eva_owner`.execute(trx);
        await sql.raw(direct).execute(trx);
      }),
    ).rejects.toMatchObject({ code: "EV403", message: expect.stringContaining("only through eva.fn_decide") });
    expect(
      await t.db
        .selectFrom("chairman_decisions")
        .select(["status", "decision", "decided_at"])
        .where("id", "=", decisionId)
        .executeTakeFirstOrThrow(),
    ).toEqual({ status: "pending", decision: null, decided_at: null });
    expect(await approvals()).toEqual([]);
    expect(await venture(ventureId)).toEqual({ status: "awaiting_decision", stage: 25 });
    // The one way in says why: the decision is stale.
    await expect(decide(decisionId, "continue")).rejects.toMatchObject({ code: "EV428" });
    expect(await approvals()).toEqual([]);
  });

  it("lets exactly one of two concurrent submissions win", async () => {
    const { ventureId, decisionId } = await atGate(10);
    const results = await Promise.allSettled([decide(decisionId, "approve"), decide(decisionId, "reject")]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const lost = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(lost.reason).toMatchObject({ code: "EV409" });
    const d = await t.db
      .selectFrom("chairman_decisions")
      .select(["decision"])
      .where("id", "=", decisionId)
      .executeTakeFirstOrThrow();
    // The winner's effect, and only the winner's, was applied.
    expect(await venture(ventureId)).toEqual(
      d.decision === "approve" ? { status: "active", stage: 11 } : { status: "killed", stage: 10 },
    );
  });

  it("queues the resuming job in the deciding transaction", async () => {
    const { ventureId, decisionId } = await atGate(10);
    await decide(decisionId, "approve", "good brand");
    const next = await openWork(ventureId);
    expect(next).toMatchObject({ lifecycle_stage: 11, status: "ready" });
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from graphile_worker.jobs where key = ${`stage_run:${next?.id}`}`.execute(t.db);
    expect(rows[0]?.n).toBe(1);
  });
});

describe("deciding: what each decision does", () => {
  it("brand revise runs Stage 10 again with the notes as feedback; reject kills", async () => {
    const a = await atGate(10);
    await decide(a.decisionId, "revise", "warmer voice");
    const work = await openWork(a.ventureId);
    expect(work).toMatchObject({ lifecycle_stage: 10, status: "ready" });
    const ctx = await withRole(
      t.db,
      "eva_service",
      async (trx) =>
        (await sql<{ c: { feedback: string[] } }>`select eva.fn_stage_context(${work?.id}::uuid) as c`.execute(trx))
          .rows[0]?.c,
    );
    expect(ctx?.feedback).toEqual(['The Chairman decided "revise" at stage 10: warmer voice']);
    const b = await atGate(10);
    await decide(b.decisionId, "reject");
    expect((await venture(b.ventureId)).status).toBe("killed");
  });

  it("release hold sends the build loop back to Stage 17; cancel kills", async () => {
    const a = await atGate(22);
    await decide(a.decisionId, "hold", "not yet");
    expect(await openWork(a.ventureId)).toMatchObject({ lifecycle_stage: 17, status: "ready" });
    expect(await venture(a.ventureId)).toEqual({ status: "active", stage: 17 });
    const b = await atGate(22);
    await decide(b.decisionId, "cancel");
    expect((await venture(b.ventureId)).status).toBe("killed");
  });

  it.each([
    ["continue", 24, "ops_cycle"],
    ["expand", 24, "ops_cycle"],
    ["pivot", 6, "pivot"],
  ])("venture future %s goes back to Stage %i (%s)", async (decision, stage, transition) => {
    const g = await atGate(25);
    await decide(g.decisionId, decision);
    expect(await venture(g.ventureId)).toEqual({ status: "active", stage });
    const last = await t.db
      .selectFrom("venture_stage_transitions")
      .select(["to_stage", "transition_type"])
      .where("venture_id", "=", g.ventureId)
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    expect(last).toEqual({ to_stage: stage, transition_type: transition });
  });

  it.each([
    ["sunset", "sunset"],
    ["exit", "exited"],
  ])("venture future %s ends the venture and starts its retirement saga", async (decision, status) => {
    const g = await atGate(25);
    await decide(g.decisionId, decision);
    expect((await venture(g.ventureId)).status).toBe(status);
    // The saga starts from the venture's end event (the venture-retirement subscription), with the decision.
    await settleEventBus(t);
    const saga = await t.db
      .selectFrom("eva_sagas")
      .select(["saga_type", "current_step", "status", "context"])
      .where("venture_id", "=", g.ventureId)
      .where("saga_type", "=", "venture_retirement")
      .executeTakeFirstOrThrow();
    expect(saga).toMatchObject({ saga_type: "venture_retirement", current_step: "notify_users", status: "active" });
    expect(saga.context).toMatchObject({ ended_as: status, kill_source: "chairman", decision_id: g.decisionId });
    expect(await openWork(g.ventureId)).toBeUndefined();
  });

  it("a DFE escalation: proceed moves on, block blocks the stage, modify_thresholds runs it again", async () => {
    const escalate = async () => {
      const v = await createVenture(t.db);
      const work = await openWork(v.id);
      await sql`select eva.fn_begin_stage_run(${work?.id}::uuid)`.execute(t.service);
      await sql`select eva.fn_record_stage_result(${work?.id}::uuid, '[]'::jsonb, null, '[]'::jsonb,
        '{"action": "escalate", "reason": "cost", "recommendedAction": "proceed", "dfe": {"output": "PRESENT_TO_CHAIRMAN", "triggers": [], "patternSignature": ""}}'::jsonb)`.execute(
        t.service,
      );
      const d = await t.db
        .selectFrom("chairman_decisions")
        .select("id")
        .where("venture_id", "=", v.id)
        .where("status", "=", "pending")
        .executeTakeFirstOrThrow();
      expect(await venture(v.id)).toEqual({ status: "awaiting_decision", stage: 1 });
      return { ventureId: v.id, decisionId: d.id };
    };
    const a = await escalate();
    await decide(a.decisionId, "proceed");
    expect(await venture(a.ventureId)).toEqual({ status: "active", stage: 2 });
    const b = await escalate();
    await decide(b.decisionId, "block", "too costly");
    expect(await openWork(b.ventureId)).toMatchObject({
      status: "blocked",
      // What happened, not why: the notes stay in the decision (test/readers-and-audit.test.ts).
      blocked_reason: 'Chairman decided "block" at stage 1',
    });
  });
});

describe("Stage 0 review", () => {
  const openReview = async (name: string) =>
    withRole(t.db, "eva_service", (trx) =>
      trx
        .insertInto("chairman_decisions")
        .values({
          lifecycle_stage: 0,
          decision_type: "venture_review",
          context: JSON.stringify({
            brief: {
              name,
              description: "A brief long enough to become a venture description at Stage 1, surely.",
              problemStatement: "A real problem that people have",
              valueProp: "A value proposition that helps",
              targetMarket: "Small firms in Europe",
              archetype: "saas",
              keyAssumptions: ["People pay"],
              successCriteria: ["10 customers"],
              originType: "manual",
              rawChairmanIntent: "my idea",
              ventureScore: 71,
            },
          }),
        })
        .returning("id")
        .executeTakeFirstOrThrow(),
    );

  it("approve creates the venture at Stage 1 with its brief as the Stage 0 artifact", async () => {
    const d = await openReview("Brief Approved");
    await decide(d.id, "approve");
    const row = await t.db
      .selectFrom("chairman_decisions")
      .select(["venture_id"])
      .where("id", "=", d.id)
      .executeTakeFirstOrThrow();
    expect(row.venture_id).not.toBeNull();
    const v = await t.db
      .selectFrom("ventures")
      .select(["name", "current_lifecycle_stage", "raw_chairman_intent"])
      .where("id", "=", row.venture_id as string)
      .executeTakeFirstOrThrow();
    expect(v).toEqual({ name: "Brief Approved", current_lifecycle_stage: 1, raw_chairman_intent: "my idea" });
    const artifacts = await t.db
      .selectFrom("venture_artifacts")
      .select(["lifecycle_stage", "artifact_type"])
      .where("venture_id", "=", row.venture_id as string)
      .orderBy("lifecycle_stage")
      .execute();
    expect(artifacts).toEqual([
      { lifecycle_stage: 0, artifact_type: "venture_brief" },
      { lifecycle_stage: 1, artifact_type: "idea_brief" },
    ]);
  });

  it("park keeps the brief in the nursery; kill creates nothing", async () => {
    const parked = await openReview("Brief Parked");
    await decide(parked.id, "park", "later");
    const nursery = await t.db
      .selectFrom("venture_nursery")
      .select(["name", "status", "reason"])
      .where("decision_id", "=", parked.id)
      .executeTakeFirstOrThrow();
    expect(nursery).toEqual({ name: "Brief Parked", status: "parked", reason: "later" });
    const killed = await openReview("Brief Killed");
    await decide(killed.id, "kill");
    expect(await t.db.selectFrom("ventures").select("id").where("name", "=", "Brief Killed").execute()).toEqual([]);
  });
});
