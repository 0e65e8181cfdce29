// Circuit breakers (spec §3) per venture and per provider, through a real
// graphile-worker and a real OpenAI-compatible HTTP server: a venture whose
// model calls fail opens its circuit after 3 consecutive failures (the
// Chairman is told), makes no call while it is open, half-opens after the
// cooldown on the breakers' own clock for ONE trial call (failure re-opens,
// success closes), while another venture on the same worker keeps advancing.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withRole } from "../src/db/client.ts";
import { askCircuits, recordCircuitCall } from "../src/orchestration/circuit-breakers.ts";
import { runStageWork } from "../src/orchestration/stage-engine.ts";
import { TICKS } from "../src/tasks/scheduler.ts";
import { startWorker, type WorkerHandle } from "../src/worker.ts";
import { runEva } from "./helpers/cli.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { type FakeOpenAIServer, reply, startFakeOpenAIServer } from "./helpers/fake-openai-server.ts";
import { createVenture } from "./helpers/fixtures.ts";
import { modelStandIn, type StandIn } from "./helpers/model-stand-in.ts";

const t = await createTestDatabase();
let server: FakeOpenAIServer;
let model: StandIn;
let worker: WorkerHandle | undefined;
/** Ventures whose model calls the server fails (HTTP 500). */
const failing = new Set<string>();

beforeAll(async () => {
  server = await startFakeOpenAIServer();
  model = modelStandIn(server, (user) => ([...failing].some((name) => user.includes(name)) ? "fail" : "answer"));
  worker = await startWorker({ url: t.url, analyst: model.analyst, concurrency: 3, schedule: false });
});
afterAll(async () => {
  await worker?.stop();
  await server?.close();
  await t.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits for `check` to hold. graphile-worker retries a failed job after exp(attempts) seconds:
 * retries (jobs already attempted) are brought forward to now meanwhile — the queue's clock, not
 * the breakers'. Jobs deferred by an open circuit are new jobs (no attempts) and are left alone.
 */
async function until<T>(what: string, check: () => Promise<T | undefined | null | false>, ms = 45_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sql`update graphile_worker._private_jobs set run_at = now()
      where locked_at is null and attempts > 0 and run_at > now()`.execute(t.db);
    await sleep(150);
  }
}

async function breaker(ventureId: string | null, service = "llm") {
  return t.db
    .selectFrom("venture_circuit_breakers")
    .selectAll()
    .where((eb) => (ventureId ? eb("venture_id", "=", ventureId) : eb("venture_id", "is", null)))
    .where("service", ventureId ? "=" : "like", ventureId ? service : "provider:%")
    .executeTakeFirst();
}

async function currentWork(ventureId: string) {
  return t.db
    .selectFrom("venture_stage_work")
    .selectAll()
    .where("venture_id", "=", ventureId)
    .orderBy("created_at", "desc")
    .orderBy("lifecycle_stage", "desc")
    .executeTakeFirstOrThrow();
}

async function events(ventureId: string | null, type: string) {
  return t.db
    .selectFrom("eva_event_log")
    .select(["payload", "created_at"])
    .where((eb) => (ventureId ? eb("venture_id", "=", ventureId) : eb("venture_id", "is", null)))
    .where("event_type", "=", type)
    .orderBy("id")
    .execute();
}

const moveBreakerClock = (interval: string) =>
  withRole(t.db, "eva_chairman", (trx) => sql`select eva.fn_set_circuit_clock(${interval}::interval)`.execute(trx));

describe("a venture whose model calls fail", () => {
  it("opens its circuit after 3 failures, stops calling, half-opens for one trial, re-opens on failure, closes on success; another venture keeps running", {
    timeout: 180_000,
  }, async () => {
    const sick = await createVenture(t.db, { name: "Sick Ledger" });
    failing.add(sick.name);

    // Stage 1 makes no call; Stage 2's call fails three times (two job retries), then the circuit opens.
    const opened = await until("the circuit to open", async () => {
      const b = await breaker(sick.id);
      return b?.state === "open" ? b : undefined;
    });
    expect(opened).toMatchObject({ consecutive_failures: 3, failure_threshold: 3 });
    expect(opened.last_error).toMatch(/500/);
    expect(model.requestsFor(sick.name)).toBe(3);
    // The stage is not failed and no attempt is burned while open: the work is ready, its contract pending.
    const work = await currentWork(sick.id);
    expect(work).toMatchObject({ lifecycle_stage: 2, status: "ready", attempts: 3 });
    const pending = await t.db
      .selectFrom("agent_task_contracts")
      .selectAll()
      .where("stage_work_id", "=", work.id)
      .where("status", "=", "pending")
      .executeTakeFirstOrThrow();
    expect(pending.deferred_until).not.toBeNull();
    // Its provider's breaker counted the failures too, below its own threshold (5).
    expect(await breaker(null)).toMatchObject({ state: "closed", consecutive_failures: 3, failure_threshold: 5 });

    // The Chairman hears of it: an event, a P1 alert, an immediate notification.
    const degradation = await events(sick.id, "system.degradation");
    expect(degradation).toHaveLength(1);
    expect(degradation[0]?.payload).toMatchObject({ circuit: "llm", state: "open", reopened: false, failures: 3 });
    const alert = await t.db
      .selectFrom("eva_alerts")
      .selectAll()
      .where("venture_id", "=", sick.id)
      .where("alert_type", "=", "circuit_open")
      .executeTakeFirstOrThrow();
    expect(alert).toMatchObject({ severity: "P1", status: "open" });
    const notice = await t.db
      .selectFrom("notifications")
      .selectAll()
      .where("venture_id", "=", sick.id)
      .where("notification_type", "=", "circuit.opened")
      .executeTakeFirstOrThrow();
    expect(notice.urgency).toBe("immediate");
    expect(notice.summary).toContain("Sick Ledger");

    // `eva circuits` shows it open, with when it half-opens.
    const listed = await runEva(["circuits", "list", "--json"], { DATABASE_URL: t.url });
    expect(listed.code).toBe(0);
    const rows = JSON.parse(listed.stdout) as {
      venture: string;
      service: string;
      state: string;
      halfOpensAt: string;
    }[];
    expect(rows.find((r) => r.venture === "Sick Ledger")).toMatchObject({ service: "llm", state: "open" });
    expect(rows.find((r) => r.venture === "Sick Ledger")?.halfOpensAt).toBeTruthy();

    // Another venture on the same worker advances while the first is open.
    const healthy = await createVenture(t.db, { name: "Healthy Harbor" });
    await until("the healthy venture to pass stage 2", async () => {
      const w = await currentWork(healthy.id);
      return w.lifecycle_stage >= 3 || (w.lifecycle_stage === 2 && w.status === "completed") ? w : undefined;
    });
    expect((await breaker(sick.id))?.state).toBe("open");
    // Its success reset the provider's count; the open venture made no call meanwhile.
    expect((await breaker(null))?.consecutive_failures).toBe(0);
    await TICKS.circuit_release(t.service);
    await sleep(500);
    expect(model.requestsFor(sick.name)).toBe(3);

    // The cooldown passes on the breakers' own clock: one trial call, which fails → open again.
    await moveBreakerClock("5 minutes 1 second");
    expect(await TICKS.circuit_release(t.service)).toEqual({ released: 1 });
    const reopened = await until("the failed trial to re-open the circuit", async () => {
      const again = await events(sick.id, "system.degradation");
      return again.length === 2 ? again[1] : undefined;
    });
    expect(reopened?.payload).toMatchObject({ state: "open", from: "half_open", reopened: true });
    expect(model.requestsFor(sick.name)).toBe(4);
    expect((await events(sick.id, "system.health_change")).map((e) => e.payload)).toEqual([
      expect.objectContaining({ circuit: "llm", state: "half_open", from: "open" }),
    ]);
    // A re-opening does not notify again, nor raise a second alert.
    expect(
      await t.db
        .selectFrom("notifications")
        .select("id")
        .where("venture_id", "=", sick.id)
        .where("notification_type", "=", "circuit.opened")
        .execute(),
    ).toHaveLength(1);
    expect((await breaker(sick.id))?.state).toBe("open");

    // The provider recovers; after the next cooldown the trial succeeds and closes the circuit.
    failing.delete(sick.name);
    await sleep(300);
    expect(model.requestsFor(sick.name)).toBe(4);
    await moveBreakerClock("5 minutes 1 second");
    expect(await TICKS.circuit_release(t.service)).toEqual({ released: 1 });
    await until("the circuit to close", async () => {
      const b = await breaker(sick.id);
      return b?.state === "closed" ? b : undefined;
    });
    expect(await breaker(sick.id)).toMatchObject({ state: "closed", consecutive_failures: 0, times_opened: 2 });
    expect((await events(sick.id, "system.recovery")).map((e) => e.payload)).toEqual([
      expect.objectContaining({ circuit: "llm", state: "closed", from: "half_open" }),
    ]);
    expect(
      (await t.db.selectFrom("eva_alerts").select("status").where("id", "=", alert.id).executeTakeFirstOrThrow())
        .status,
    ).toBe("resolved");
    // And the stage it waited on completes.
    await until("the sick venture's stage 2 to complete", async () => {
      const w = await t.db
        .selectFrom("venture_stage_work")
        .select("status")
        .where("id", "=", work.id)
        .executeTakeFirstOrThrow();
      return w.status === "completed" ? w : undefined;
    });
    expect(model.requestsFor(sick.name)).toBeGreaterThanOrEqual(5);
  });
});

describe("the breaker functions", () => {
  // Called directly here: no worker may run these ventures' stages meanwhile.
  beforeAll(async () => {
    await worker?.stop();
    worker = undefined;
  });

  it("grant exactly one half-open trial at a time, and refuse while open", async () => {
    const v = await createVenture(t.db);
    const svc = ["llm"];
    for (let i = 0; i < 3; i++) await recordCircuitCall(t.service, v.id, svc, false, "HTTP 503");
    expect(await askCircuits(t.service, v.id, svc)).toMatchObject({ allowed: false, refusedBy: ["llm"] });
    await moveBreakerClock("6 minutes");
    expect(await askCircuits(t.service, v.id, svc)).toMatchObject({ allowed: true, clean: false });
    expect((await breaker(v.id))?.state).toBe("half_open");
    // The trial is out: a second caller waits.
    expect(await askCircuits(t.service, v.id, svc)).toMatchObject({ allowed: false, refusedBy: ["llm"] });
    // An unanswered trial is granted again after a cooldown (its holder may have died).
    await moveBreakerClock("6 minutes");
    expect(await askCircuits(t.service, v.id, svc)).toMatchObject({ allowed: true });
    await recordCircuitCall(t.service, v.id, svc, true);
    expect(await breaker(v.id)).toMatchObject({ state: "closed", consecutive_failures: 0 });
    expect(await askCircuits(t.service, v.id, svc)).toMatchObject({ allowed: true, clean: true });
  });

  it("a success before the threshold resets the count; viewers read breakers but cannot change them; the Chairman resets, audited", async () => {
    const v = await createVenture(t.db);
    await recordCircuitCall(t.service, v.id, ["llm"], false, "timeout");
    await recordCircuitCall(t.service, v.id, ["llm"], false, "timeout");
    await recordCircuitCall(t.service, v.id, ["llm"], true);
    await recordCircuitCall(t.service, v.id, ["llm"], false, "timeout");
    expect(await breaker(v.id)).toMatchObject({ state: "closed", consecutive_failures: 1 });
    await recordCircuitCall(t.service, v.id, ["llm"], false, "timeout");
    await recordCircuitCall(t.service, v.id, ["llm"], false, "timeout");
    expect((await breaker(v.id))?.state).toBe("open");

    const viewerRows = await withRole(t.db, "eva_viewer", (trx) =>
      trx.selectFrom("venture_circuit_breakers").select("state").where("venture_id", "=", v.id).execute(),
    );
    expect(viewerRows).toEqual([{ state: "open" }]);
    for (const role of ["eva_viewer", "eva_service"] as const) {
      await expect(
        withRole(t.db, role, (trx) =>
          sql`update eva.venture_circuit_breakers set state = 'closed' where venture_id = ${v.id}`.execute(trx),
        ),
      ).rejects.toMatchObject({ code: "42501" });
    }
    await expect(
      withRole(t.db, "eva_viewer", (trx) => sql`select eva.fn_circuit_reset(${v.id}::uuid)`.execute(trx)),
    ).rejects.toMatchObject({ code: "42501" });
    await expect(
      withRole(t.db, "eva_viewer", (trx) =>
        sql`select eva_private.fn_circuit_record(${v.id}::uuid, '{llm}', true, null)`.execute(trx),
      ),
    ).rejects.toMatchObject({ code: "42501" });

    const reset = await runEva(["circuits", "reset", v.name, "--service", "llm", "--json"], { DATABASE_URL: t.url });
    expect(reset.code).toBe(0);
    expect(JSON.parse(reset.stdout)).toMatchObject({ venture: v.name, reset: 1 });
    expect(await breaker(v.id)).toMatchObject({ state: "closed", consecutive_failures: 0 });
    const audit = await events(v.id, "circuit.reset");
    expect(audit).toHaveLength(1);
    expect(audit[0]?.payload).toMatchObject({ circuit: "llm", from: "open", failures: 3 });
    const actor = await t.db
      .selectFrom("eva_event_log")
      .select("actor")
      .where("venture_id", "=", v.id)
      .where("event_type", "=", "circuit.reset")
      .executeTakeFirstOrThrow();
    expect(actor.actor).toBe("eva_chairman");
    // A venture with no breaker to reset: nothing to do, and the CLI says so.
    const none = await runEva(["circuits", "reset", (await createVenture(t.db)).name], { DATABASE_URL: t.url });
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/nothing to reset/);
    // Resetting a provider needs its provider:<host> service.
    const bad = await runEva(["circuits", "reset"], { DATABASE_URL: t.url });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/provider:<host>/);
  });

  it("an answer that fails its schema is not a circuit failure: the stage fails, the breakers stay as they were", async () => {
    const v = await createVenture(t.db, { name: "Garbled Answers" });
    expect(await runStageWork(t.service, model.analyst, (await currentWork(v.id)).id)).toMatchObject({
      outcome: "advanced",
      stage: 1,
    });
    const providerBefore = await breaker(null);
    server.enqueue(reply.content("this is not JSON"));
    const outcome = await runStageWork(t.service, model.analyst, (await currentWork(v.id)).id);
    expect(outcome).toMatchObject({ outcome: "failed", stage: 2 });
    expect(model.requestsFor(v.name, "stage_02_")).toBe(1);
    expect(await breaker(v.id)).toBeUndefined();
    expect((await breaker(null))?.consecutive_failures).toBe(providerBefore?.consecutive_failures);
    // Its contract failed with the reason.
    const contract = await t.db
      .selectFrom("agent_task_contracts")
      .selectAll()
      .where("venture_id", "=", v.id)
      .where("lifecycle_stage", "=", 2)
      .executeTakeFirstOrThrow();
    expect(contract.status).toBe("failed");
    expect(contract.last_error).toMatch(/gave no valid/);
  });
});
