// The SD bridge and its return path (spec §9, §15 SD Execution Saga): a Stage
// 18 sprint plan becomes engineering's work items and a saga; engineering
// reports each item once; the last report completes the saga and releases
// Stage 19. Also the `eva sd` commands as a user runs them.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Role, withRole } from "../src/db/client.ts";
import { TICKS } from "../src/tasks/scheduler.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { advance, createVenture } from "./helpers/fixtures.ts";

const t = await createTestDatabase();
afterAll(() => t.drop());

// ---------------------------------------------------------------------------
// Walking a venture to Stage 18 the way the stages would.

interface StageConfig {
  stage_number: number;
  gate_type: string;
  chairman_gate: boolean;
  chairman_decision_type: string | null;
}

let stages: StageConfig[] = [];
/** A passing decision for each gate type, read from eva.gate_decision_options. */
const passing = new Map<string, string>();

beforeAll(async () => {
  stages = await t.db
    .selectFrom("lifecycle_stage_config")
    .select(["stage_number", "gate_type", "chairman_gate", "chairman_decision_type"])
    .orderBy("stage_number")
    .execute();
  const options = await t.db
    .selectFrom("gate_decision_options")
    .select(["gate_type", "decision"])
    .where("passes", "=", true)
    .orderBy("decision")
    .execute();
  for (const o of options) if (!passing.has(o.gate_type)) passing.set(o.gate_type, o.decision);
});

async function currentStage(ventureId: string): Promise<number> {
  const row = await t.db
    .selectFrom("ventures")
    .select("current_lifecycle_stage")
    .where("id", "=", ventureId)
    .executeTakeFirstOrThrow();
  return row.current_lifecycle_stage;
}

/** The Chairman approves a Chairman gate: a decision opened as a service, decided as the Chairman. */
async function approve(ventureId: string, stage: number, type: string): Promise<void> {
  const { id } = await withRole(t.db, "eva_service", (trx) =>
    trx
      .insertInto("chairman_decisions")
      .values({ venture_id: ventureId, lifecycle_stage: stage, decision_type: type, blocking: true })
      .returning("id")
      .executeTakeFirstOrThrow(),
  );
  await withRole(t.db, "eva_chairman", (trx) =>
    sql`select eva.fn_decide(${id}::uuid, 'approve', 'approved by the test')`.execute(trx),
  );
}

async function walkTo(ventureId: string, target: number): Promise<void> {
  for (let s = await currentStage(ventureId); s < target; s = await currentStage(ventureId)) {
    const config = stages.find((c) => c.stage_number === s);
    if (!config) throw new Error(`no stage ${s}`);
    if (config.chairman_gate) {
      if (!config.chairman_decision_type) throw new Error(`stage ${s} names no Chairman decision type`);
      await approve(ventureId, s, config.chairman_decision_type);
      // Deciding may already have moved the venture on.
      if ((await currentStage(ventureId)) !== s) continue;
    }
    await advance(t.db, ventureId, s, config.gate_type === "none" ? undefined : passing.get(config.gate_type));
  }
}

// ---------------------------------------------------------------------------
// Sprint plans as Stage 18 writes them.

interface SprintItem {
  title: string;
  description: string;
  type: string;
  estimatedLoc: number;
  acceptanceCriteria: string[];
  architectureLayer: string;
  milestoneRef: string;
}

function sprintItems(n: number): SprintItem[] {
  return Array.from({ length: n }, (_, i) => ({
    title: `Item ${i + 1}: ${["Bank feed import", "Invoice matcher", "Audit trail", "Deployment pipeline"][i % 4]}`,
    description: `Build part ${i + 1} of the reconciliation workflow`,
    type: i === n - 1 ? "infrastructure" : "feature",
    estimatedLoc: 200 + 100 * i,
    acceptanceCriteria: [`Part ${i + 1} works end to end in staging`, "Covered by automated tests"],
    architectureLayer: i === n - 1 ? "infrastructure" : "business_logic",
    milestoneRef: "First release",
  }));
}

function sprintPlan(name: string, n: number, options: { bridge?: boolean } = {}) {
  const items = sprintItems(n);
  const sprintGoal = "Deliver the first release for small accounting firms";
  if (options.bridge === false) return { sprintGoal, sprintItems: items };
  return {
    sprintGoal,
    sprintItems: items,
    sdBridgeOutput: {
      orchestrator: { title: `${name} — sprint 1`, sprintGoal },
      children: items.map((i) => ({
        title: i.title,
        type: i.type,
        estimatedLoc: i.estimatedLoc,
        acceptanceCriteria: i.acceptanceCriteria,
        architectureLayer: i.architectureLayer,
      })),
    },
  };
}

interface Sprint {
  ventureId: string;
  name: string;
  workId: string;
}

/** A venture at Stage 18 whose open run has written its sprint_plan (as a service, as the engine does). */
async function ventureWithSprintPlan(n = 3, options: { bridge?: boolean } = {}): Promise<Sprint> {
  const v = await createVenture(t.db);
  await walkTo(v.id, 18);
  const work = await t.db
    .selectFrom("venture_stage_work")
    .select("id")
    .where("venture_id", "=", v.id)
    .where("lifecycle_stage", "=", 18)
    .where("status", "in", ["ready", "in_progress"])
    .executeTakeFirstOrThrow();
  await withRole(t.db, "eva_service", (trx) =>
    sql`insert into eva.venture_artifacts (venture_id, lifecycle_stage, artifact_type, content, quality_score,
          validation_status, epistemic_classification, stage_work_id)
        values (${v.id}::uuid, 18, 'sprint_plan', ${JSON.stringify(sprintPlan(v.name, n, options))}::jsonb, 80,
          'validated', 'simulation', ${work.id}::uuid)`.execute(trx),
  );
  return { ventureId: v.id, name: v.name, workId: work.id };
}

/** The bridge as the stage engine calls it: as the owner, inside its own definer function. */
async function startBridge(workId: string): Promise<string> {
  const { rows } = await sql<{ saga: string }>`
    select eva_private.fn_sd_bridge_start(${workId}::uuid) as saga`.execute(t.db);
  const saga = rows[0]?.saga;
  if (!saga) throw new Error("the bridge returned no saga");
  return saga;
}

async function items(ventureId: string) {
  return t.db.selectFrom("sd_work_items").selectAll().where("venture_id", "=", ventureId).orderBy("position").execute();
}

async function children(ventureId: string) {
  return (await items(ventureId)).filter((i) => i.kind === "child");
}

async function saga(id: string) {
  return t.db.selectFrom("eva_sagas").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
}

async function events(ventureId: string, type: string) {
  return t.db
    .selectFrom("eva_event_log")
    .select(["payload", "actor"])
    .where("venture_id", "=", ventureId)
    .where("event_type", "=", type)
    .orderBy("id")
    .execute();
}

function complete(
  itemId: string,
  status: string,
  passed: number,
  failed: number,
  coverage: number | null,
  details: unknown = {},
  role: Role = "eva_service",
) {
  return withRole(t.db, role, async (trx) => {
    const { rows } = await sql<{ id: string; status: string; tests_passed: number; completed_at: Date | null }>`
      select * from eva.fn_sd_complete(${itemId}::uuid, ${status}, ${passed}, ${failed}, ${coverage},
        ${JSON.stringify(details)}::jsonb)`.execute(trx);
    return rows[0];
  });
}

function results(ventureId: string, role: Role = "eva_service") {
  return withRole(t.db, role, async (trx) => {
    const { rows } = await sql<{ r: Record<string, unknown> | null }>`
      select eva.fn_sd_results(${ventureId}::uuid) as r`.execute(trx);
    return rows[0]?.r ?? null;
  });
}

/** Closes Stage 18 and leaves Stage 19 blocked, waiting for engineering, as the stage engine does (as the table owner). */
async function blockedStage19(ventureId: string): Promise<string> {
  await advance(t.db, ventureId, 18);
  const { rows } = await sql<{ id: string }>`
    update eva.venture_stage_work set status = 'blocked', blocked_reason = 'waiting for engineering: 3 SDs open'
    where venture_id = ${ventureId}::uuid and lifecycle_stage = 19 and status = 'ready'
    returning id`.execute(t.db);
  const id = rows[0]?.id;
  if (!id) throw new Error("no Stage 19 work to block");
  // The engine would never have queued a job for it: take back the one the ready row got.
  await sql`select graphile_worker.remove_job(${`stage_run:${id}`})`.execute(t.db);
  return id;
}

async function stageRunJobs(workId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from graphile_worker.jobs
    where task_identifier = 'stage_run' and key = ${`stage_run:${workId}`}`.execute(t.db);
  return rows[0]?.n ?? 0;
}

// ---------------------------------------------------------------------------

describe("the SD bridge (Stage 18 → engineering)", () => {
  it("creates one orchestrator and one child per sprint item, and a saga waiting for them", async () => {
    const s = await ventureWithSprintPlan(3);
    const before = Date.now();
    const sagaId = await startBridge(s.workId);

    const all = await items(s.ventureId);
    expect(all).toHaveLength(4);
    const [orchestrator, ...kids] = all;
    expect(orchestrator).toMatchObject({
      kind: "orchestrator",
      position: 0,
      parent_id: null,
      saga_id: sagaId,
      stage_work_id: s.workId,
      title: `${s.name} — sprint 1`,
      status: "pending",
      item_type: null,
    });
    expect(orchestrator?.details).toMatchObject({
      venture_id: s.ventureId,
      venture_name: s.name,
      sprint_goal: "Deliver the first release for small accounting firms",
    });
    const plan = sprintItems(3);
    expect(
      kids.map((k) => ({
        kind: k.kind,
        parent: k.parent_id,
        position: k.position,
        title: k.title,
        type: k.item_type,
        loc: k.estimated_loc,
        criteria: k.acceptance_criteria,
        layer: k.architecture_layer,
        milestone: k.milestone_ref,
        status: k.status,
      })),
    ).toEqual(
      plan.map((p, i) => ({
        kind: "child",
        parent: orchestrator?.id,
        position: i + 1,
        title: p.title,
        type: p.type,
        loc: p.estimatedLoc,
        criteria: p.acceptanceCriteria,
        layer: p.architectureLayer,
        // Not in sdBridgeOutput's children: read from the sprint item of the same title.
        milestone: "First release",
        status: "pending",
      })),
    );

    const row = await saga(sagaId);
    expect(row).toMatchObject({
      venture_id: s.ventureId,
      saga_type: "sd_execution",
      current_step: "await_completion",
      status: "active",
      completed_at: null,
    });
    expect(row.context).toMatchObject({ total: 3, completed: 0, failed: 0, work_id: s.workId });
    // Default timeout: 7 days.
    const days = ((row.timeout_at?.getTime() ?? 0) - before) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThan(7.01);

    const created = await events(s.ventureId, "sd.bridge_created");
    expect(created).toHaveLength(1);
    expect(created[0]?.payload).toMatchObject({
      saga_id: sagaId,
      work_id: s.workId,
      orchestrator: orchestrator?.id,
      children: 3,
      source: "sdBridgeOutput",
    });
  });

  it("starts once per Stage 18 run: a second call returns the same saga and creates nothing", async () => {
    const s = await ventureWithSprintPlan(2);
    const first = await startBridge(s.workId);
    const second = await startBridge(s.workId);
    expect(second).toBe(first);
    expect(await items(s.ventureId)).toHaveLength(3);
    const sagas = await t.db
      .selectFrom("eva_sagas")
      .select("id")
      .where("venture_id", "=", s.ventureId)
      .where("saga_type", "=", "sd_execution")
      .execute();
    expect(sagas).toHaveLength(1);
    expect(await events(s.ventureId, "sd.bridge_created")).toHaveLength(1);
  });

  it("falls back to the sprint items when the plan has no sdBridgeOutput", async () => {
    const s = await ventureWithSprintPlan(2, { bridge: false });
    await startBridge(s.workId);
    const all = await items(s.ventureId);
    expect(all.map((i) => [i.kind, i.title, i.item_type])).toEqual([
      ["orchestrator", `${s.name} — sprint 1`, null],
      ["child", sprintItems(2)[0]?.title, "feature"],
      ["child", sprintItems(2)[1]?.title, "infrastructure"],
    ]);
    expect(all[0]?.details).toMatchObject({ sprint_goal: "Deliver the first release for small accounting firms" });
    expect((await events(s.ventureId, "sd.bridge_created"))[0]?.payload).toMatchObject({ source: "sprintItems" });
  });

  it("times out after the venture's sd_timeout_days preference, which wins over the global one", async () => {
    const s = await ventureWithSprintPlan(1);
    await withRole(t.db, "eva_chairman", (trx) =>
      trx
        .insertInto("chairman_preferences")
        .values([
          { scope: "global", venture_id: null, key: "sd_timeout_days", value: "10" },
          { scope: "venture", venture_id: s.ventureId, key: "sd_timeout_days", value: "3" },
        ])
        .execute(),
    );
    const row = await saga(await startBridge(s.workId));
    const days = ((row.timeout_at?.getTime() ?? 0) - row.started_at.getTime()) / 86_400_000;
    expect(days).toBeCloseTo(3, 5);
    await t.db.deleteFrom("chairman_preferences").where("key", "=", "sd_timeout_days").execute();
  });

  it("refuses a run that does not exist (EV404), is not Stage 18 (EV400) or has no sprint_plan (EV404)", async () => {
    await expect(startBridge("00000000-0000-4000-8000-000000000000")).rejects.toMatchObject({ code: "EV404" });
    const v = await createVenture(t.db);
    const stage1 = await t.db
      .selectFrom("venture_stage_work")
      .select("id")
      .where("venture_id", "=", v.id)
      .executeTakeFirstOrThrow();
    await expect(startBridge(stage1.id)).rejects.toMatchObject({ code: "EV400" });
    await walkTo(v.id, 18);
    const stage18 = await t.db
      .selectFrom("venture_stage_work")
      .select("id")
      .where("venture_id", "=", v.id)
      .where("lifecycle_stage", "=", 18)
      .executeTakeFirstOrThrow();
    await expect(startBridge(stage18.id)).rejects.toMatchObject({ code: "EV404" });
    expect(await items(v.id)).toEqual([]);
  });

  it("is the engine's to call: services and the Chairman cannot start it directly", async () => {
    const s = await ventureWithSprintPlan(1);
    for (const role of ["eva_service", "eva_chairman", "eva_viewer", "eva_anonymous"] as Role[]) {
      await expect(
        withRole(t.db, role, (trx) => sql`select eva_private.fn_sd_bridge_start(${s.workId}::uuid)`.execute(trx)),
      ).rejects.toMatchObject({ code: "42501" });
    }
    expect(await items(s.ventureId)).toEqual([]);
  });
});

describe("the return path (engineering → Stage 19)", () => {
  it("records each report once, logs it, and keeps waiting while children are open", async () => {
    const s = await ventureWithSprintPlan(3);
    const sagaId = await startBridge(s.workId);
    const [first] = await children(s.ventureId);
    if (!first) throw new Error("no child");
    const reported = await complete(first.id, "succeeded", 42, 0, 87.5, { notes: "merged" });
    expect(reported).toMatchObject({ id: first.id, status: "succeeded", tests_passed: 42 });
    expect(reported?.completed_at).toBeInstanceOf(Date);

    const [row] = await children(s.ventureId);
    expect(row).toMatchObject({ status: "succeeded", tests_passed: 42, tests_failed: 0, coverage_pct: "87.5" });
    expect(row?.details).toMatchObject({ notes: "merged" });

    const state = await saga(sagaId);
    expect(state).toMatchObject({ status: "active", current_step: "await_completion", completed_at: null });
    expect(state.context).toMatchObject({ total: 3, completed: 1, failed: 0, work_id: s.workId });

    const logged = await events(s.ventureId, "sd.completed");
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      actor: "eva_service",
      payload: {
        item: first.id,
        status: "succeeded",
        tests: { passed: 42, failed: 0, coverage: 87.5 },
      },
    });
  });

  it("records a failed child in the saga and keeps waiting for the others", async () => {
    const s = await ventureWithSprintPlan(3);
    const sagaId = await startBridge(s.workId);
    const [a, b] = await children(s.ventureId);
    if (!a || !b) throw new Error("no children");
    await complete(a.id, "failed", 10, 5, 40);
    await complete(b.id, "blocked", 0, 0, null, { notes: "no bank API keys" });
    const state = await saga(sagaId);
    expect(state).toMatchObject({ status: "active", current_step: "await_completion" });
    expect(state.context).toMatchObject({
      total: 3,
      completed: 2,
      failed: 1,
      blocked: 1,
      failures: [
        { item: a.id, title: a.title, status: "failed" },
        { item: b.id, title: b.title, status: "blocked" },
      ],
    });
    const orchestrator = (await items(s.ventureId))[0];
    expect(orchestrator).toMatchObject({ kind: "orchestrator", status: "pending" });
  });

  it("refuses unknown items, the orchestrator, bad input and a second report, changing nothing", async () => {
    const s = await ventureWithSprintPlan(2);
    await startBridge(s.workId);
    const [orchestrator, child] = await items(s.ventureId);
    if (!orchestrator || !child) throw new Error("no items");

    await expect(complete("00000000-0000-4000-8000-000000000000", "succeeded", 1, 0, 90)).rejects.toMatchObject({
      code: "EV404",
    });
    await expect(complete(orchestrator.id, "succeeded", 1, 0, 90)).rejects.toMatchObject({ code: "EV400" });
    for (const [status, passed, failed, coverage, details] of [
      ["done", 1, 0, 90, {}],
      ["pending", 1, 0, 90, {}],
      ["succeeded", -1, 0, 90, {}],
      ["succeeded", 1, -2, 90, {}],
      ["succeeded", 1, 0, 100.5, {}],
      ["succeeded", 1, 0, -1, {}],
      ["succeeded", 1, 0, 90, ["not", "an", "object"]],
    ] as const) {
      await expect(complete(child.id, status, passed, failed, coverage, details), status).rejects.toMatchObject({
        code: "EV400",
      });
    }
    expect((await items(s.ventureId)).map((i) => i.status)).toEqual(["pending", "pending", "pending"]);
    expect(await events(s.ventureId, "sd.completed")).toEqual([]);

    await complete(child.id, "succeeded", 12, 0, 80);
    await expect(complete(child.id, "failed", 0, 12, 0)).rejects.toMatchObject({ code: "EV409" });
    expect((await children(s.ventureId))[0]).toMatchObject({ status: "succeeded", tests_passed: 12 });
    expect(await events(s.ventureId, "sd.completed")).toHaveLength(1);
  });

  it("takes reports from services only", async () => {
    const s = await ventureWithSprintPlan(1);
    await startBridge(s.workId);
    const [child] = await children(s.ventureId);
    if (!child) throw new Error("no child");
    for (const role of ["eva_chairman", "eva_viewer", "eva_anonymous"] as Role[]) {
      await expect(complete(child.id, "succeeded", 1, 0, 90, {}, role)).rejects.toMatchObject({ code: "42501" });
    }
    // Nobody writes the items directly, services included.
    await expect(
      withRole(t.db, "eva_service", (trx) =>
        trx.updateTable("sd_work_items").set({ status: "succeeded" }).where("id", "=", child.id).execute(),
      ),
    ).rejects.toMatchObject({ code: "42501" });
    expect((await children(s.ventureId))[0]?.status).toBe("pending");
  });

  it("completes the saga with the last report, partial when some failed, and makes the blocked Stage 19 ready", async () => {
    const s = await ventureWithSprintPlan(3);
    const sagaId = await startBridge(s.workId);
    const stage19 = await blockedStage19(s.ventureId);
    expect(await stageRunJobs(stage19)).toBe(0);
    const [a, b, c] = await children(s.ventureId);
    if (!a || !b || !c) throw new Error("no children");

    await complete(a.id, "succeeded", 40, 0, 90);
    await complete(b.id, "failed", 20, 4, 60);
    let work = await t.db
      .selectFrom("venture_stage_work")
      .selectAll()
      .where("id", "=", stage19)
      .executeTakeFirstOrThrow();
    expect(work).toMatchObject({ status: "blocked", blocked_reason: "waiting for engineering: 3 SDs open" });
    expect(await stageRunJobs(stage19)).toBe(0);

    await complete(c.id, "succeeded", 15, 1, 75);
    const state = await saga(sagaId);
    expect(state).toMatchObject({ status: "completed", current_step: "update_stage" });
    expect(state.completed_at).toBeInstanceOf(Date);
    expect(state.context).toMatchObject({
      total: 3,
      completed: 3,
      succeeded: 2,
      failed: 1,
      sprint_completion: "partial",
      tests: { passed: 75, failed: 5, coverage_avg: 75 },
    });

    const orchestrator = (await items(s.ventureId))[0];
    expect(orchestrator).toMatchObject({
      kind: "orchestrator",
      status: "failed",
      tests_passed: 75,
      tests_failed: 5,
      coverage_pct: "75.00",
    });
    expect(orchestrator?.completed_at).toBeInstanceOf(Date);

    work = await t.db.selectFrom("venture_stage_work").selectAll().where("id", "=", stage19).executeTakeFirstOrThrow();
    expect(work).toMatchObject({ status: "ready", blocked_reason: null });
    expect(await stageRunJobs(stage19)).toBe(1);

    const done = await events(s.ventureId, "saga.completed");
    expect(done).toHaveLength(1);
    expect(done[0]?.payload).toMatchObject({
      saga_id: sagaId,
      saga_type: "sd_execution",
      sprint_completion: "partial",
      stage19_work_id: stage19,
    });
    expect(await events(s.ventureId, "sd.completed")).toHaveLength(3);
    // The saga is over: nothing more is taken.
    await expect(complete(a.id, "succeeded", 1, 0, 1)).rejects.toMatchObject({ code: "EV409" });
  });

  it("supersedes a waiting sprint when Stage 18 runs again, so its late reports cannot release Stage 19", async () => {
    const s = await ventureWithSprintPlan(2);
    const oldSaga = await startBridge(s.workId);
    const [stale] = await children(s.ventureId);
    if (!stale) throw new Error("no child");
    // No request role runs the state functions (EVA's own functions do): the superuser stands in for them.
    const rerun = await t.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ id: string }>`
        select id from eva.fn_rerun_stage(${s.ventureId}::uuid, 18, 'replan the sprint')`.execute(trx);
      return rows[0]?.id ?? "";
    });
    await withRole(t.db, "eva_service", (trx) =>
      sql`insert into eva.venture_artifacts (venture_id, lifecycle_stage, artifact_type, content,
            epistemic_classification, stage_work_id)
          values (${s.ventureId}::uuid, 18, 'sprint_plan', ${JSON.stringify(sprintPlan(s.name, 1))}::jsonb,
            'simulation', ${rerun}::uuid)`.execute(trx),
    );
    const newSaga = await startBridge(rerun);
    expect(newSaga).not.toBe(oldSaga);
    expect(await saga(oldSaga)).toMatchObject({
      status: "failed",
      context: expect.objectContaining({ superseded_by: newSaga }),
    });
    expect(await saga(newSaga)).toMatchObject({ status: "active", context: expect.objectContaining({ total: 1 }) });
    await expect(complete(stale.id, "succeeded", 1, 0, 90)).rejects.toMatchObject({
      code: "EV409",
      message: expect.stringContaining("a newer sprint superseded it"),
    });
    expect(await results(s.ventureId)).toMatchObject({ sagaId: newSaga, total: 1 });
  });

  it("counts concurrent reports of the last two children exactly once", async () => {
    const s = await ventureWithSprintPlan(2);
    const sagaId = await startBridge(s.workId);
    const [a, b] = await children(s.ventureId);
    if (!a || !b) throw new Error("no children");
    await Promise.all([complete(a.id, "succeeded", 3, 0, 80), complete(b.id, "succeeded", 4, 0, 90)]);
    const state = await saga(sagaId);
    expect(state).toMatchObject({ status: "completed", current_step: "update_stage" });
    expect(state.context).toMatchObject({ completed: 2, succeeded: 2, failed: 0, sprint_completion: "complete" });
    expect((await items(s.ventureId))[0]).toMatchObject({ status: "succeeded", tests_passed: 7 });
    expect(await events(s.ventureId, "saga.completed")).toHaveLength(1);
  });
});

describe("eva.fn_sd_results", () => {
  it("is null for a venture engineering was never asked about", async () => {
    const v = await createVenture(t.db);
    expect(await results(v.id)).toBeNull();
  });

  it("gives the latest saga's items and totals to services, the Chairman and viewers", async () => {
    const s = await ventureWithSprintPlan(3);
    const sagaId = await startBridge(s.workId);
    const [a, b, c] = await children(s.ventureId);
    if (!a || !b || !c) throw new Error("no children");
    await complete(a.id, "succeeded", 30, 0, 90);
    await complete(b.id, "failed", 10, 2, 70);

    const r = await results(s.ventureId);
    expect(r).toMatchObject({
      sagaId,
      status: "active",
      total: 3,
      completed: 2,
      failed: 1,
      totals: { testsPassed: 40, testsFailed: 2, coverageAvg: 80 },
    });
    expect(r?.items).toEqual([
      expect.objectContaining({
        id: a.id,
        title: a.title,
        status: "succeeded",
        testsPassed: 30,
        testsFailed: 0,
        coveragePct: 90,
      }),
      expect.objectContaining({ id: b.id, status: "failed", testsPassed: 10, testsFailed: 2, coveragePct: 70 }),
      expect.objectContaining({ id: c.id, status: "pending", testsPassed: null, testsFailed: null, coveragePct: null }),
    ]);
    expect(await results(s.ventureId, "eva_chairman")).toEqual(r);
    expect(await results(s.ventureId, "eva_viewer")).toEqual(r);
    await expect(results(s.ventureId, "eva_anonymous")).rejects.toMatchObject({ code: "42501" });
  });
});

// ---------------------------------------------------------------------------

const exec = promisify(execFile);

async function eva(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, ["bin/eva.js", ...args], {
      env: { ...process.env, DATABASE_URL: t.url },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("eva sd", () => {
  it("lists a venture's work items, filtered by status, as JSON and as text", async () => {
    const s = await ventureWithSprintPlan(2);
    await startBridge(s.workId);
    const [first] = await children(s.ventureId);
    if (!first) throw new Error("no child");
    await complete(first.id, "succeeded", 5, 0, 95);

    const all = await eva(["sd", "list", s.name, "--json"]);
    expect(all.code).toBe(0);
    const listed = JSON.parse(all.stdout) as { kind: string; title: string; status: string; coveragePct: number }[];
    expect(listed.map((i) => [i.kind, i.status])).toEqual([
      ["orchestrator", "pending"],
      ["child", "succeeded"],
      ["child", "pending"],
    ]);
    expect(listed[1]).toMatchObject({ title: first.title, coveragePct: 95, testsPassed: 5 });

    const pending = JSON.parse((await eva(["sd", "list", s.ventureId, "--status", "pending", "--json"])).stdout);
    expect(pending.map((i: { status: string }) => i.status)).toEqual(["pending", "pending"]);

    const text = await eva(["sd", "list", s.name]);
    expect(text.stdout).toMatch(/^ID\s+VENTURE\s+KIND\s+TITLE/m);
    expect(text.stdout).toContain(first.title);
    expect(text.stdout).toContain("95%");
  });

  it("refuses an unknown venture and an unknown status", async () => {
    const missing = await eva(["sd", "list", "No Such Venture"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no venture "No Such Venture"');
    const status = await eva(["sd", "list", "--status", "done"]);
    expect(status.code).toBe(2);
    expect(status.stderr).toMatch(/done.*pending, succeeded, failed, blocked/s);
  });

  it("reports an item once, printing the sprint's progress, and refuses a second report with EV409", async () => {
    const s = await ventureWithSprintPlan(2);
    const sagaId = await startBridge(s.workId);
    const [a, b] = await children(s.ventureId);
    if (!a || !b) throw new Error("no children");

    const first = await eva([
      "sd",
      "complete",
      a.id,
      "--status",
      "failed",
      "--tests-passed",
      "8",
      "--tests-failed",
      "2",
      "--coverage",
      "61.5",
      "--notes",
      "flaky bank sandbox",
    ]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^status:\s+failed$/m);
    expect(first.stdout).toContain("1 of 2 items reported");
    expect((await children(s.ventureId))[0]).toMatchObject({
      status: "failed",
      tests_passed: 8,
      tests_failed: 2,
      coverage_pct: "61.5",
      details: expect.objectContaining({ notes: "flaky bank sandbox" }),
    });
    expect((await events(s.ventureId, "sd.completed"))[0]?.actor).toBe("eva_service");

    const again = await eva([
      "sd",
      "complete",
      a.id,
      "--status",
      "succeeded",
      "--tests-passed",
      "10",
      "--tests-failed",
      "0",
      "--coverage",
      "70",
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("a report is made once");
    expect(again.stderr).toContain("[EV409]");

    const last = await eva([
      "sd",
      "complete",
      b.id,
      "--status",
      "succeeded",
      "--tests-passed",
      "12",
      "--tests-failed",
      "0",
      "--coverage",
      "80",
      "--json",
    ]);
    expect(last.code).toBe(0);
    expect(JSON.parse(last.stdout)).toMatchObject({
      item: { id: b.id, status: "succeeded", testsPassed: 12, coveragePct: 80 },
      sprint: { sagaId, status: "completed", sprintCompletion: "partial", completed: 2, failed: 1 },
    });
  });

  it("refuses bad flags before touching the database", async () => {
    const id = "00000000-0000-4000-8000-000000000000";
    const base = ["--tests-passed", "1", "--tests-failed", "0", "--coverage", "50"];
    const badStatus = await eva(["sd", "complete", id, "--status", "done", ...base]);
    expect(badStatus.code).toBe(2);
    expect(badStatus.stderr).toMatch(/succeeded, failed, blocked/);
    const missing = await eva(["sd", "complete", id, "--status", "succeeded", "--coverage", "50"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--tests-passed");
    const overCoverage = await eva(["sd", "complete", id, "--status", "succeeded", ...base.slice(0, 5), "101"]);
    expect(overCoverage.code).toBe(2);
    expect(overCoverage.stderr).toContain("--coverage must be a percentage from 0 to 100");
    const notUuid = await eva(["sd", "complete", "item-7", "--status", "succeeded", ...base]);
    expect(notUuid.code).toBe(2);
    expect(notUuid.stderr).toContain('"item-7" is not an SD work item id');
    const unknown = await eva(["sd", "complete", id, "--status", "succeeded", ...base]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("[EV404]");
  });

  it("explains itself with --help", async () => {
    const help = await eva(["sd", "complete", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--tests-passed <n>");
    expect(help.stdout).toContain("--status <status>");
    const group = await eva(["sd", "--help"]);
    expect(group.stdout).toContain("list [options] [venture]");
    expect(group.stdout).toContain("complete [options] <item-id>");
  });
});

// Last in this file: the timeout test moves the scheduler's clock past every open sprint's timeout.
describe("the SD execution saga on the saga engine", () => {
  const steps = (sagaId: string) =>
    t.db
      .selectFrom("eva_saga_steps")
      .select(["step", "status", "attempts", "result"])
      .where("saga_id", "=", sagaId)
      .orderBy("id")
      .execute();

  it("records the bridge and the return path as its steps", async () => {
    const s = await ventureWithSprintPlan(2);
    const sagaId = await startBridge(s.workId);
    const stage19 = await blockedStage19(s.ventureId);
    expect((await saga(sagaId)).steps).toEqual([
      "bridge_create",
      "await_completion",
      "collect_results",
      "update_stage",
      "advance",
    ]);
    expect(await steps(sagaId)).toEqual([
      { step: "bridge_create", status: "completed", attempts: 1, result: expect.objectContaining({ children: 2 }) },
    ]);
    const [a, b] = await children(s.ventureId);
    if (!a || !b) throw new Error("no children");
    await complete(a.id, "succeeded", 10, 0, 80);
    expect(await steps(sagaId)).toHaveLength(1);
    await complete(b.id, "failed", 3, 2, 50);
    expect((await steps(sagaId)).map((r) => [r.step, r.status])).toEqual([
      ["bridge_create", "completed"],
      ["await_completion", "completed"],
      ["collect_results", "completed"],
      ["update_stage", "completed"],
      ["advance", "completed"],
    ]);
    const recorded = await steps(sagaId);
    expect(recorded[3]?.result).toMatchObject({ sprint_completion: "partial", stage19_work_id: stage19 });
  });

  it("times out after 7 days on the scheduler's clock: sprint_completion blocked and a DFE escalation", async () => {
    const s = await ventureWithSprintPlan(2);
    const sagaId = await startBridge(s.workId);
    const stage19 = await blockedStage19(s.ventureId);
    const [a] = await children(s.ventureId);
    if (!a) throw new Error("no children");
    await complete(a.id, "succeeded", 10, 0, 80);
    await TICKS.saga_timeout_sweep(t.service);
    expect((await saga(sagaId)).status).toBe("active");
    await sql`select eva.fn_set_scheduler_clock(interval '7 days 1 minute')`.execute(t.db);
    try {
      const swept = await TICKS.saga_timeout_sweep(t.service);
      expect(swept.timedOut).toBeGreaterThanOrEqual(1);
      expect(await saga(sagaId)).toMatchObject({
        status: "failed",
        context: expect.objectContaining({
          sprint_completion: "blocked",
          timedOut: expect.objectContaining({ step: "await_completion" }),
        }),
      });
      expect((await steps(sagaId)).find((r) => r.step === "await_completion")).toMatchObject({
        status: "failed",
        result: expect.objectContaining({ timedOut: true, completed: 1, total: 2 }),
      });
      const escalation = await t.db
        .selectFrom("chairman_decisions")
        .select(["id", "decision_type", "lifecycle_stage", "status", "context"])
        .where("venture_id", "=", s.ventureId)
        .where("status", "=", "pending")
        .executeTakeFirstOrThrow();
      expect(escalation).toMatchObject({
        decision_type: "dfe_escalation",
        lifecycle_stage: 19,
        context: expect.objectContaining({ kind: "sd_timeout", sagaId, sprint_completion: "blocked" }),
      });
      const work = () =>
        t.db.selectFrom("venture_stage_work").select(["status"]).where("id", "=", stage19).executeTakeFirstOrThrow();
      expect((await work()).status).toBe("awaiting_decision");
      // The Chairman proceeds: Stage 19 runs on what engineering delivered.
      await withRole(t.db, "eva_chairman", (trx) =>
        sql`select eva.fn_decide(${escalation.id}::uuid, 'proceed', 'go with what was built')`.execute(trx),
      );
      expect((await work()).status).toBe("ready");
    } finally {
      await sql`select eva.fn_set_scheduler_clock(null, true)`.execute(t.db);
    }
  });
});
