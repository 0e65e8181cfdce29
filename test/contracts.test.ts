// Task contracts (spec §3): every stage run (and its Devil's Advocate review)
// runs under a contract through pending → assigned → in_progress → completed,
// with its events; a contract past its timeout (the scheduler's clock) is
// failed as timeout by the sweep and its work retried, then escalated to the
// Chairman after the last attempt; a late result of a timed-out run does not
// land. Through a real graphile-worker and a real OpenAI-compatible server.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withRole } from "../src/db/client.ts";
import { createOfflineAnalyst } from "../src/llm/offline-analyst.ts";
import { runUnderContract } from "../src/orchestration/contracts.ts";
import type { StageRunOutcome } from "../src/orchestration/stage-engine.ts";
import { CRONTAB_LINES } from "../src/tasks/index.ts";
import { TICKS } from "../src/tasks/scheduler.ts";
import { startWorker, type WorkerHandle } from "../src/worker.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { settleEventBus } from "./helpers/event-bus.ts";
import { type FakeOpenAIServer, startFakeOpenAIServer } from "./helpers/fake-openai-server.ts";
import { createVenture } from "./helpers/fixtures.ts";
import { modelStandIn, type StandIn } from "./helpers/model-stand-in.ts";

const t = await createTestDatabase();
afterAll(() => t.drop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: string, check: () => Promise<T | undefined | null | false>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function contractsOf(workId: string) {
  return t.db
    .selectFrom("agent_task_contracts")
    .selectAll()
    .where("stage_work_id", "=", workId)
    .orderBy("attempt")
    .orderBy("created_at")
    .execute();
}

async function contractEvents(contractId: string) {
  const rows = await t.db
    .selectFrom("eva_event_log")
    .select(["event_type", "payload"])
    .where("event_type", "like", "contract.%")
    .where(sql<boolean>`payload ->> 'contract_id' = ${contractId}`)
    .orderBy("id")
    .execute();
  return rows;
}

describe("every stage run under a contract", () => {
  it("leaves one completed contract per run with created, claimed, started, completed; the Devil's Advocate a child contract", {
    timeout: 120_000,
  }, async () => {
    const v = await createVenture(t.db, { name: "Contract Works" });
    const outcomes: StageRunOutcome[] = [];
    const worker = await startWorker({
      url: t.url,
      analyst: createOfflineAnalyst(),
      concurrency: 2,
      schedule: false,
      onOutcome: (o) => outcomes.push(o),
    });
    try {
      // Stage 3 has a Devil's Advocate; run until the venture stops (a gate, the Chairman, a kill) past it.
      await until("the venture to pass stage 3", async () => {
        const open = await t.db
          .selectFrom("venture_stage_work")
          .select(["lifecycle_stage", "status"])
          .where("venture_id", "=", v.id)
          .where("status", "in", ["ready", "in_progress"])
          .execute();
        const venture = await t.db
          .selectFrom("ventures")
          .select("status")
          .where("id", "=", v.id)
          .executeTakeFirstOrThrow();
        return venture.status !== "active" || open.every((w) => w.lifecycle_stage > 3) ? true : undefined;
      });
    } finally {
      await worker.stop();
    }
    // Nothing of this venture may run under the next tests' worker.
    const { status } = await t.db
      .selectFrom("ventures")
      .select("status")
      .where("id", "=", v.id)
      .executeTakeFirstOrThrow();
    if (status === "active")
      await sql`select eva.fn_set_venture_status(${v.id}::uuid, 'paused', 'test done')`.execute(t.db);
    const runs = await t.db
      .selectFrom("venture_stage_work")
      .selectAll()
      .where("venture_id", "=", v.id)
      .where("status", "=", "completed")
      .orderBy("lifecycle_stage")
      .execute();
    expect(runs.map((w) => w.lifecycle_stage).slice(0, 3)).toEqual([1, 2, 3]);
    for (const work of runs) {
      const contracts = (await contractsOf(work.id)).filter((c) => c.kind === "stage_analysis");
      expect(contracts, `stage ${work.lifecycle_stage}`).toHaveLength(1);
      const c = contracts[0];
      if (!c) continue;
      expect(c).toMatchObject({
        status: "completed",
        parent_agent: "EVA",
        target_agent: "CEO_SERVICE",
        action: "execute_analysis_step",
        lifecycle_stage: work.lifecycle_stage,
        venture_id: v.id,
        attempt: 1,
        priority: 3,
      });
      expect(c.timeout).toMatchObject({ minutes: 30 });
      expect(c.claimed_by).toMatch(/:\d+$/);
      expect(c.timeout_at).not.toBeNull();
      expect(c.result).toMatchObject({ route: expect.any(String) });
      expect((await contractEvents(c.id)).map((e) => e.event_type)).toEqual([
        "contract.created",
        "contract.claimed",
        "contract.started",
        "contract.completed",
      ]);
    }
    // The Devil's Advocate review at stage 3: a child of stage 3's contract, completed with its verdict.
    const stage3 = runs.find((w) => w.lifecycle_stage === 3);
    if (!stage3) throw new Error("no stage 3 run");
    const all = await contractsOf(stage3.id);
    const parent = all.find((c) => c.kind === "stage_analysis");
    const child = all.find((c) => c.kind === "devils_advocate");
    expect(child).toMatchObject({
      status: "completed",
      target_agent: "DEVILS_ADVOCATE",
      action: "devils_advocate_review",
      parent_contract_id: parent?.id,
      lifecycle_stage: 3,
    });
    expect(child?.result).toMatchObject({ verdict: expect.stringMatching(/concur|challenge/) });
    expect(child?.token_budget).toBeGreaterThan(0);
    expect((await contractEvents(child?.id ?? "")).map((e) => e.event_type)).toEqual([
      "contract.created",
      "contract.claimed",
      "contract.started",
      "contract.completed",
    ]);
    expect(outcomes.every((o) => o.outcome !== "deferred")).toBe(true);
  });
});

describe("the timeout sweep", () => {
  let server: FakeOpenAIServer;
  let model: StandIn;
  let worker: WorkerHandle;
  const outcomes: StageRunOutcome[] = [];
  /** Held model answers per venture name: the test releases them. */
  const held = new Map<string, (() => void)[]>();
  const holding = new Set<string>();

  beforeAll(async () => {
    // What the first describe left (the venture's retirement saga, its later stages) is not this one's
    // subject: the sweep's counts below are of this describe's contracts only. Its reactions (the saga's
    // start among them) are delivered first.
    await settleEventBus(t);
    await withRole(t.db, "eva_chairman", (trx) =>
      sql`select eva.fn_saga_cancel(s.id, 'not the subject of the timeout tests') from eva.eva_sagas s
        where s.status in ('active', 'paused')`.execute(trx),
    );
    await sql`select eva.fn_set_venture_status(v.id, 'paused', 'not the subject of the timeout tests')
      from eva.ventures v where v.status = 'active'`.execute(t.db);
    server = await startFakeOpenAIServer();
    model = modelStandIn(server, (user) => {
      const name = [...holding].find((n) => user.includes(n));
      if (!name) return "answer";
      return new Promise<void>((resolve) => held.set(name, [...(held.get(name) ?? []), resolve]));
    });
    worker = await startWorker({
      url: t.url,
      analyst: model.analyst,
      concurrency: 5,
      schedule: false,
      onOutcome: (o) => outcomes.push(o),
    });
  });
  afterAll(async () => {
    for (const list of held.values()) for (const release of list) release();
    await worker?.stop();
    await server?.close();
  });

  const advanceScheduler = (interval: string) =>
    withRole(t.db, "eva_chairman", (trx) => sql`select eva.fn_set_scheduler_clock(${interval}::interval)`.execute(trx));

  async function stage2(ventureId: string) {
    return t.db
      .selectFrom("venture_stage_work")
      .selectAll()
      .where("venture_id", "=", ventureId)
      .where("lifecycle_stage", "=", 2)
      .executeTakeFirstOrThrow();
  }
  /**
   * Pauses a venture so the next test's clock moves touch nothing of it: its running job ends (a run
   * cut short by the pause leaves its contract in progress), then the sweep times out what it left.
   */
  async function park(ventureId: string) {
    await sql`select eva.fn_set_venture_status(${ventureId}::uuid, 'paused', 'test done')`.execute(t.db);
    await until("the venture's running job to end", async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from graphile_worker.jobs
        where task_identifier = 'stage_run' and locked_at is not null`.execute(t.db);
      return rows[0]?.n === 0;
    });
    await advanceScheduler("31 minutes");
    await TICKS.contract_timeout_sweep(t.service);
    const open = await t.db
      .selectFrom("agent_task_contracts")
      .select("id")
      .where("status", "in", ["assigned", "in_progress"])
      .execute();
    expect(open).toEqual([]);
  }
  const heldCount = (name: string) => held.get(name)?.length ?? 0;
  async function artifactsOfStage2(ventureId: string) {
    return t.db
      .selectFrom("venture_artifacts")
      .select(["version", "stage_work_id"])
      .where("venture_id", "=", ventureId)
      .where("lifecycle_stage", "=", 2)
      .execute();
  }

  it("is on the crontab every minute", () => {
    expect(CRONTAB_LINES.contract_timeout_sweep).toMatch(/^\* \* \* \* \* contract_timeout_sweep /);
    expect(CRONTAB_LINES.circuit_release).toMatch(/^\* \* \* \* \* circuit_release /);
  });

  it("fails a contract past its timeout, retries its stage with a new job, and ignores the late result", {
    timeout: 120_000,
  }, async () => {
    const v = await createVenture(t.db, { name: "Slow Lantern" });
    holding.add(v.name);
    await until("stage 2's first call to reach the server", async () => heldCount(v.name) === 1);
    const work = await stage2(v.id);
    const [first] = await contractsOf(work.id);
    expect(first).toMatchObject({ status: "in_progress", attempt: 1 });
    // Not yet due: the sweep leaves it.
    expect(await TICKS.contract_timeout_sweep(t.service)).toEqual({ timedOut: 0, retried: 0, escalated: 0 });

    await advanceScheduler("31 minutes");
    expect(await TICKS.contract_timeout_sweep(t.service)).toEqual({ timedOut: 1, retried: 1, escalated: 0 });
    expect(await TICKS.contract_timeout_sweep(t.service)).toEqual({ timedOut: 0, retried: 0, escalated: 0 });
    const timedOut = (await contractsOf(work.id))[0];
    expect(timedOut).toMatchObject({ status: "timeout" });
    expect(timedOut?.last_error).toMatch(/timed out: no result within 00:30:00/);
    expect((await contractEvents(first?.id ?? "")).at(-1)).toMatchObject({
      event_type: "contract.timeout",
      payload: { next: "retried", attempt: 1 },
    });

    // Attempt 2 runs on a new job (a second worker slot: the first is still hung) and is held too.
    await until("attempt 2's call to reach the server", async () => heldCount(v.name) === 2);
    expect((await contractsOf(work.id)).map((c) => [c.attempt, c.status])).toEqual([
      [1, "timeout"],
      [2, "in_progress"],
    ]);
    // The hung first attempt answers while attempt 2 runs: refused in SQL (its contract timed out), not recorded.
    held.get(v.name)?.[0]?.();
    await until("the late result to be refused", async () =>
      outcomes.find((o) => o.workId === work.id && o.outcome === "noop"),
    ).then((late) => expect(late).toMatchObject({ detail: "late result ignored: the run's contract is timeout" }));
    expect(await artifactsOfStage2(v.id)).toHaveLength(0);
    expect((await stage2(v.id)).status).toBe("in_progress");
    expect((await contractsOf(work.id)).map((c) => c.status)).toEqual(["timeout", "in_progress"]);

    // Attempt 2 answers: the stage is recorded once, under its contract.
    holding.delete(v.name);
    held.get(v.name)?.[1]?.();
    await until("the retried stage to complete", async () => (await stage2(v.id)).status === "completed");
    expect((await contractsOf(work.id)).map((c) => [c.attempt, c.status])).toEqual([
      [1, "timeout"],
      [2, "completed"],
    ]);
    expect(await artifactsOfStage2(v.id)).toHaveLength(1);
    expect(model.requestsFor(v.name, "stage_02_")).toBe(2);
    await park(v.id);
  });

  it("escalates after the last attempt: the stage blocked, a P1 alert, the Chairman notified; no late result lands", {
    timeout: 120_000,
  }, async () => {
    const v = await createVenture(t.db, { name: "Stuck Beacon" });
    holding.add(v.name);
    for (let attempt = 1; attempt <= 3; attempt++) {
      await until(`attempt ${attempt}'s call to reach the server`, async () => heldCount(v.name) === attempt);
      await advanceScheduler("31 minutes");
      expect(await TICKS.contract_timeout_sweep(t.service)).toEqual({
        timedOut: 1,
        retried: attempt < 3 ? 1 : 0,
        escalated: attempt < 3 ? 0 : 1,
      });
    }
    const work = await stage2(v.id);
    expect(work.status).toBe("blocked");
    expect(work.blocked_reason).toMatch(/stage 2 timed out 3 time\(s\)/);
    expect((await contractsOf(work.id)).map((c) => [c.attempt, c.status])).toEqual([
      [1, "timeout"],
      [2, "timeout"],
      [3, "timeout"],
    ]);
    const alert = await t.db
      .selectFrom("eva_alerts")
      .selectAll()
      .where("venture_id", "=", v.id)
      .where("alert_type", "=", "contract_timeout")
      .executeTakeFirstOrThrow();
    expect(alert.severity).toBe("P1");
    const notice = await t.db
      .selectFrom("notifications")
      .selectAll()
      .where("venture_id", "=", v.id)
      .where("notification_type", "=", "contract.escalated")
      .executeTakeFirstOrThrow();
    expect(notice.urgency).toBe("immediate");
    expect(notice.summary).toMatch(/Stuck Beacon: stage 2 gave no result in 3 attempt/);

    // All three hung runs answer: none lands.
    for (const release of held.get(v.name) ?? []) release();
    await sleep(1500);
    expect(await artifactsOfStage2(v.id)).toHaveLength(0);
    expect((await stage2(v.id)).status).toBe("blocked");
    expect((await contractsOf(work.id)).every((c) => c.status === "timeout")).toBe(true);
  });
});

describe("the transition function and who may use it", () => {
  const transition = (id: string, to: string) =>
    withRole(t.db, "eva_service", (trx) =>
      sql`select (eva_private.fn_contract_transition(${id}::uuid, ${to}::eva.contract_status)).status`.execute(trx),
    );

  it("moves a contract only along its lifecycle (EV409 otherwise)", async () => {
    const v = await createVenture(t.db);
    const created = await withRole(t.db, "eva_service", (trx) =>
      sql<{
        id: string;
        status: string;
      }>`select (c).id, (c).status from eva_private.fn_contract_create(${JSON.stringify({
        kind: "saga_step",
        targetAgent: "SAGA_ENGINE",
        action: "retirement.export_data",
        ventureId: v.id,
        sagaId: null,
      })}::jsonb) c`.execute(trx),
    ).catch((e: { code?: string }) => e);
    // A saga step needs its saga.
    expect(created).toMatchObject({ code: "23514" });
    const { rows } = await withRole(t.db, "eva_service", (trx) =>
      sql<{
        id: string;
        status: string;
      }>`select (c).id, (c).status from eva_private.fn_contract_create(${JSON.stringify({
        kind: "service",
        targetAgent: "PUBLISHER",
        action: "publish_post",
        ventureId: v.id,
        priority: 2,
        tokenBudget: 1000,
        timeout: "10 minutes",
      })}::jsonb) c`.execute(trx),
    );
    const id = rows[0]?.id ?? "";
    expect(rows[0]?.status).toBe("pending");
    await expect(transition(id, "in_progress")).rejects.toMatchObject({ code: "EV409" });
    await expect(transition(id, "completed")).rejects.toMatchObject({ code: "EV409" });
    await expect(transition(id, "timeout")).rejects.toMatchObject({ code: "EV409" });
    await transition(id, "assigned");
    await expect(transition(id, "assigned")).rejects.toMatchObject({ code: "EV409" });
    await expect(transition(id, "completed")).rejects.toMatchObject({ code: "EV409" });
    await transition(id, "in_progress");
    await transition(id, "completed");
    for (const to of ["pending", "assigned", "in_progress", "failed", "timeout", "completed"]) {
      await expect(transition(id, to)).rejects.toMatchObject({ code: "EV409" });
    }
    const row = await t.db
      .selectFrom("agent_task_contracts")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ priority: 2, token_budget: 1000, status: "completed" });
    expect(row.timeout).toMatchObject({ minutes: 10 });
    expect((await contractEvents(id)).map((e) => e.event_type)).toEqual([
      "contract.created",
      "contract.claimed",
      "contract.started",
      "contract.completed",
    ]);
  });

  it("viewers read contracts but cannot write them; services write only through the functions", async () => {
    const v = await createVenture(t.db);
    const viewer = await withRole(t.db, "eva_viewer", (trx) =>
      trx.selectFrom("agent_task_contracts").select("id").limit(1).execute(),
    );
    expect(Array.isArray(viewer)).toBe(true);
    for (const role of ["eva_viewer", "eva_service"] as const) {
      await expect(
        withRole(t.db, role, (trx) =>
          sql`insert into eva.agent_task_contracts (parent_agent, target_agent, venture_id, action)
              values ('EVA', 'X', ${v.id}, 'y')`.execute(trx),
        ),
      ).rejects.toMatchObject({ code: "42501" });
      await expect(
        withRole(t.db, role, (trx) => sql`update eva.agent_task_contracts set status = 'completed'`.execute(trx)),
      ).rejects.toMatchObject({ code: "42501" });
    }
    await expect(
      withRole(t.db, "eva_viewer", (trx) =>
        sql`select eva_private.fn_contract_create('{"targetAgent":"X","action":"y"}'::jsonb)`.execute(trx),
      ),
    ).rejects.toMatchObject({ code: "42501" });
  });

  it("runUnderContract completes with the result, or fails with the error and rethrows", async () => {
    const v = await createVenture(t.db);
    const spec = { kind: "publisher_call" as const, targetAgent: "PUBLISHER", action: "post", ventureId: v.id };
    const ok = await runUnderContract(t.service, spec, async (c) => {
      expect(c.status).toBe("in_progress");
      return { posted: 1 };
    });
    expect(ok).toMatchObject({ status: "completed", value: { posted: 1 }, late: false });
    if (ok.status === "deferred") throw new Error("deferred");
    expect(ok.contract).toMatchObject({ status: "completed", result: { posted: 1 } });

    await expect(
      runUnderContract(t.service, spec, async () => {
        throw new Error("the platform said no");
      }),
    ).rejects.toThrow("the platform said no");
    const failed = await t.db
      .selectFrom("agent_task_contracts")
      .selectAll()
      .where("venture_id", "=", v.id)
      .where("status", "=", "failed")
      .executeTakeFirstOrThrow();
    expect(failed.last_error).toBe("the platform said no");
  });
});
