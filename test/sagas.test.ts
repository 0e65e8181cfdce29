// The saga engine's SQL transitions (eva_private.fn_saga_* and the Chairman's
// eva.fn_saga_pause | resume | cancel): legal moves, refusals (EV404/EV409)
// that write nothing, the retry budget with backoff, crash-recovery queueing,
// and the step definitions in TypeScript matching what SQL starts.
import { readFileSync } from "node:fs";
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { type Role, withRole } from "../src/db/client.ts";
import { defineSaga, onSagaCompleted, sagaDefinition } from "../src/orchestration/sagas/engine.ts";
import "../src/orchestration/sagas/definitions.ts";
import { runEva } from "./helpers/cli.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";
import { dropStageRuns, sagaWorker, until } from "./helpers/sagas.ts";

const t = await createTestDatabase();
afterAll(() => t.drop());

const STEPS = ["one", "two", "three"];

/** A saga on the engine (SQL-driven: no worker here), as EVA's own functions start one. */
async function newSaga(driver: "sql" | "worker" = "sql", skip: Record<string, string> = {}): Promise<string> {
  const v = await createVenture(t.db);
  const { rows } = await sql<{ id: string }>`
    select eva_private.fn_saga_start(${v.id}::uuid, 'engine_bench', ${STEPS}::text[], ${driver}, '{}'::jsonb,
      interval '1 day', ${JSON.stringify(skip)}::jsonb) as id`.execute(t.db);
  const id = rows[0]?.id;
  if (!id) throw new Error("no saga");
  return id;
}

const saga = (id: string) => t.db.selectFrom("eva_sagas").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

function as(role: Role, query: string) {
  return withRole(t.db, role, (trx) => sql.raw(query).execute(trx));
}

const done = (id: string, step: string, status = "completed") =>
  as("eva_service", `select eva_private.fn_saga_step_done('${id}', '${step}', '${status}', '{"ok": true}')`);
const failed = (id: string, step: string, rule = "pause", retry = true) =>
  as("eva_service", `select eva_private.fn_saga_step_failed('${id}', '${step}', 'boom', '${rule}', ${retry})`);

describe("the saga engine", () => {
  it("advances step by step, skips what was skipped at the start, completes after the last", async () => {
    const id = await newSaga("sql", { two: "not needed here" });
    expect(await saga(id)).toMatchObject({ status: "active", current_step: "one", steps: STEPS });
    await done(id, "one");
    expect((await saga(id)).current_step).toBe("three");
    await done(id, "three");
    const end = await saga(id);
    expect(end).toMatchObject({ status: "completed", current_step: "three" });
    expect(end.completed_at).not.toBeNull();
    const steps = await t.db
      .selectFrom("eva_saga_steps")
      .select(["step", "status", "result"])
      .where("saga_id", "=", id)
      .orderBy("id")
      .execute();
    expect(steps).toEqual([
      { step: "two", status: "skipped", result: { reason: "not needed here" } },
      { step: "one", status: "completed", result: { ok: true } },
      { step: "three", status: "completed", result: { ok: true } },
    ]);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from eva.eva_event_log
      where event_type = 'saga.completed' and payload ->> 'saga_id' = ${id}`.execute(t.db);
    expect(rows[0]?.n).toBe(1);
  });

  it("refuses illegal transitions with EV409 and unknown sagas with EV404, changing nothing", async () => {
    const id = await newSaga();
    await expect(done(id, "two")).rejects.toMatchObject({ code: "EV409" });
    await done(id, "one");
    await expect(done(id, "one")).rejects.toMatchObject({ code: "EV409" });
    await expect(as("eva_chairman", `select eva.fn_saga_resume('${id}')`)).rejects.toMatchObject({ code: "EV409" });
    await as("eva_chairman", `select eva.fn_saga_pause('${id}', 'the Chairman wants to look first')`);
    await expect(as("eva_chairman", `select eva.fn_saga_pause('${id}', 'again')`)).rejects.toMatchObject({
      code: "EV409",
    });
    await expect(done(id, "two")).rejects.toMatchObject({ code: "EV409" });
    await as("eva_chairman", `select eva.fn_saga_cancel('${id}', 'not needed')`);
    const before = await saga(id);
    expect(before).toMatchObject({ status: "cancelled", current_step: "two" });
    await expect(as("eva_chairman", `select eva.fn_saga_cancel('${id}')`)).rejects.toMatchObject({ code: "EV409" });
    await expect(as("eva_chairman", `select eva.fn_saga_resume('${id}')`)).rejects.toMatchObject({ code: "EV409" });
    expect(await saga(id)).toEqual(before);
    const nobody = "00000000-0000-4000-8000-000000000000";
    for (const q of [
      `eva.fn_saga_resume('${nobody}')`,
      `eva.fn_saga_cancel('${nobody}')`,
      `eva.fn_saga_pause('${nobody}', 'x')`,
    ])
      await expect(as("eva_chairman", `select ${q}`)).rejects.toMatchObject({ code: "EV404" });
    await expect(as("eva_chairman", `select eva.fn_saga_pause('${id}', ' ')`)).rejects.toMatchObject({ code: "EV400" });
  });

  it("lets only the Chairman cancel, and nobody but services record steps", async () => {
    const id = await newSaga();
    await expect(as("eva_service", `select eva.fn_saga_cancel('${id}')`)).rejects.toMatchObject({ code: "42501" });
    await expect(as("eva_viewer", `select eva.fn_saga_resume('${id}')`)).rejects.toMatchObject({ code: "42501" });
    await expect(
      as("eva_chairman", `select eva_private.fn_saga_step_done('${id}', 'one', 'completed')`),
    ).rejects.toMatchObject({
      code: "42501",
    });
    await expect(
      as("eva_service", `update eva.eva_sagas set status = 'completed' where id = '${id}'`),
    ).rejects.toMatchObject({
      code: "42501",
    });
    expect((await saga(id)).status).toBe("active");
  });

  it("retries a failing step with growing backoff up to max_retries, then pauses with a P1 alert; resume refills the budget", async () => {
    const id = await newSaga();
    const waits: number[] = [];
    for (let n = 1; n <= 3; n++) {
      await failed(id, "one");
      const s = await saga(id);
      expect(s).toMatchObject({ status: "active", step_attempts: n, last_error: "boom" });
      waits.push((s.next_attempt_at?.getTime() ?? 0) - s.updated_at.getTime());
    }
    expect(waits[0]).toBeGreaterThan(500);
    expect(waits[1]).toBeGreaterThan(waits[0] ?? 0);
    expect(waits[2]).toBeGreaterThan(waits[1] ?? 0);
    await failed(id, "one");
    const paused = await saga(id);
    expect(paused).toMatchObject({ status: "paused", pause_reason: "step one failed after 4 attempts: boom" });
    const step = await t.db
      .selectFrom("eva_saga_steps")
      .selectAll()
      .where("saga_id", "=", id)
      .executeTakeFirstOrThrow();
    expect(step).toMatchObject({ step: "one", status: "failed", attempts: 4, error: "boom" });
    const alert = await t.db
      .selectFrom("eva_alerts")
      .select(["severity", "status"])
      .where("alert_type", "=", "saga_paused")
      .where("venture_id", "=", paused.venture_id)
      .executeTakeFirstOrThrow();
    expect(alert).toEqual({ severity: "P1", status: "open" });

    await as("eva_chairman", `select eva.fn_saga_resume('${id}')`);
    expect(await saga(id)).toMatchObject({
      status: "active",
      step_attempts: 0,
      pause_reason: null,
      current_step: "one",
    });
    await done(id, "one");
    expect(
      await t.db
        .selectFrom("eva_saga_steps")
        .select(["status", "attempts"])
        .where("saga_id", "=", id)
        .executeTakeFirstOrThrow(),
    ).toEqual({
      status: "completed",
      attempts: 5,
    });
  });

  it("fails the saga instead when the step's rule says fail, at once when a retry cannot help", async () => {
    const id = await newSaga();
    await failed(id, "one", "fail", false);
    expect(await saga(id)).toMatchObject({ status: "failed", last_error: "step one failed: boom" });
  });

  it("queues a worker saga's step once per attempt; recovery re-queues an active saga whose job is gone", async () => {
    const id = await newSaga("worker");
    const jobs = async () => {
      const { rows } = await sql<{ key: string }>`select key from graphile_worker.jobs
        where task_identifier = 'saga_step' and key like ${`saga_step:${id}:%`} order by key`.execute(t.db);
      return rows.map((r) => r.key);
    };
    expect(await jobs()).toEqual([`saga_step:${id}:one:1`]);
    await sql`select eva_private.fn_saga_resume_all()`.execute(t.db);
    expect(await jobs()).toEqual([`saga_step:${id}:one:1`]);
    await sql`select graphile_worker.remove_job(${`saga_step:${id}:one:1`})`.execute(t.db);
    expect(await jobs()).toEqual([]);
    const { rows } = await sql<{ n: number }>`select eva_private.fn_saga_resume_all() as n`.execute(t.db);
    expect(rows[0]?.n).toBeGreaterThanOrEqual(1);
    expect(await jobs()).toEqual([`saga_step:${id}:one:1`]);
    await failed(id, "one");
    expect(await jobs()).toEqual([`saga_step:${id}:one:1`, `saga_step:${id}:one:2`]);
    // A paused saga is not resumed by a restart.
    await as("eva_chairman", `select eva.fn_saga_pause('${id}', 'hold')`);
    await sql`select graphile_worker.remove_job(key) from graphile_worker.jobs where key like ${`saga_step:${id}:%`}`.execute(
      t.db,
    );
    await sql`select eva_private.fn_saga_resume_all()`.execute(t.db);
    expect(await jobs()).toEqual([]);
  });

  it("a step recorded by the job that runs the next one queues no job for it; a job the saga is past follows it", async () => {
    const id = await newSaga("worker");
    const jobs = async () => {
      const { rows } = await sql<{ key: string }>`select key from graphile_worker.jobs
        where task_identifier = 'saga_step' and key like ${`saga_step:${id}:%`} order by key`.execute(t.db);
      return rows.map((r) => r.key);
    };
    const begin = async (step: string, follow: boolean) => {
      const { rows } = await sql<{ r: Record<string, unknown> }>`
        select eva_private.fn_saga_step_begin(${id}::uuid, ${step}, null, 'test:1', ${follow}) as r`.execute(t.db);
      return rows[0]?.r ?? {};
    };
    const started = await begin("one", false);
    expect(started).toMatchObject({ run: true, attempt: 1, contract: { attempt: 1, circuits: [], clean: true } });
    const contractId = (started.contract as { id: string }).id;
    await as(
      "eva_service",
      `select eva_private.fn_saga_step_done('${id}', 'one', 'completed', '{}', '${contractId}', null, true)`,
    );
    // The step's contract completed with the step's record; step two runs in the same job, so none is queued.
    const contract = await t.db
      .selectFrom("agent_task_contracts")
      .selectAll()
      .where("id", "=", contractId)
      .executeTakeFirstOrThrow();
    expect(contract).toMatchObject({
      status: "completed",
      kind: "saga_step",
      saga_step: "one",
      result: { outcome: "completed" },
    });
    expect(await jobs()).toEqual([`saga_step:${id}:one:1`]);
    expect((await saga(id)).current_step).toBe("two");
    // Step one's job, run again (its worker died after the chain moved on), is told to continue at step two.
    expect(await begin("one", false)).toMatchObject({ run: false, reason: "the saga is at step two" });
    expect(await begin("one", true)).toMatchObject({ run: false, follow: "two" });
    // Without the chain flag the next step is queued as before.
    await as("eva_service", `select eva_private.fn_saga_step_done('${id}', 'two', 'completed')`);
    expect(await jobs()).toEqual([`saga_step:${id}:one:1`, `saga_step:${id}:three:1`]);
    // A step waiting for a retry's backoff is not followed into early.
    await failed(id, "three");
    await sql`update eva.eva_sagas set next_attempt_at = now() + interval '1 hour' where id = ${id}::uuid`.execute(
      t.db,
    );
    expect(await begin("one", true)).toMatchObject({ run: false, reason: "the saga is at step three" });
    expect((await begin("one", true)).follow).toBeUndefined();
    // Nothing of this saga is left for the worker the next test starts.
    await as("eva_chairman", `select eva.fn_saga_cancel('${id}', 'test done')`);
    await sql`select graphile_worker.remove_job(key) from graphile_worker.jobs where key like ${`saga_step:${id}:%`}`.execute(
      t.db,
    );
  });

  it("logs a begun step's contract events through an inlined function, not one planned per contract", async () => {
    const { rows } = await sql<{ "QUERY PLAN": string }>`explain
      select x.* from eva.agent_task_contracts n, lateral eva_private.fn_contract_opened_events(n) x`.execute(t.db);
    const plan = rows.map((r) => r["QUERY PLAN"]).join("\n");
    expect(plan).not.toMatch(/Function Scan on fn_contract_opened_events/);
    expect(plan).toMatch(/Values Scan/);
  });

  it("defines in TypeScript the same steps SQL starts each saga with", () => {
    const sqlSteps = (file: string, first: string) => {
      const text = readFileSync(`db/functions/${file}`, "utf8");
      const match = new RegExp(`array\\[('${first}'[^\\]]*)\\]`).exec(text);
      return match?.[1]?.split(",").map((s) => s.trim().replace(/'/g, ""));
    };
    const names = (type: string) => sagaDefinition(type)?.steps.map((s) => s.name);
    expect(names("sd_execution")).toEqual(sqlSteps("eva_private.fn_sd_bridge_start.sql", "bridge_create"));
    expect(names("reality_gate_retry")).toEqual(sqlSteps("eva_private.fn_reality_retry_step.sql", "identify_failure"));
    expect(names("venture_retirement")).toEqual(sqlSteps("eva_private.fn_retirement_start.sql", "notify_users"));
    expect(sagaDefinition("venture_retirement")?.steps.every((s) => typeof s.run === "function")).toBe(true);
  });

  it("eva sagas: bad input is refused before anything is written", async () => {
    const id = await newSaga();
    const bad = await runEva(["sagas", "cancel", "not-a-saga"], { DATABASE_URL: t.url });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/is not a saga id/);
    const help = await runEva(["sagas", "--help"], { DATABASE_URL: t.url });
    expect(help.stdout).toMatch(
      /venture_retirement\s+notify_users, export_data, teardown_infra, archive_code, retrospective/,
    );
    const cancelled = await runEva(["sagas", "cancel", id, "--reason", "test"], { DATABASE_URL: t.url });
    expect(cancelled.code, cancelled.stderr).toBe(0);
    const again = await runEva(["sagas", "cancel", id], { DATABASE_URL: t.url });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/\[EV409\]/);
    expect(await saga(id)).toMatchObject({ status: "cancelled", context: { cancelled: { reason: "test" } } });
    const listed = await runEva(["sagas", "list", "--status", "cancelled", "--json"], { DATABASE_URL: t.url });
    expect(JSON.parse(listed.stdout).map((s: { id: string }) => s.id)).toContain(id);
  });

  it("a step that returns pause (an open circuit) pauses the saga without burning a retry; resume runs it again", async () => {
    let circuitOpen = true;
    const runs: string[] = [];
    defineSaga({
      type: "engine_bench",
      driver: "worker",
      summary: "test: a step behind a circuit breaker",
      steps: STEPS.map((name) => ({
        name,
        onExhausted: "fail" as const,
        run: async () => {
          runs.push(name);
          if (name === "two" && circuitOpen)
            return { status: "pause" as const, reason: "circuit open for service llm" };
          return { status: "completed" as const };
        },
      })),
    });
    const id = await newSaga("worker");
    await dropStageRuns(t.db);
    // The worker's process is told when the saga completes (not when it pauses), once.
    const completed: string[] = [];
    const unsubscribe = onSagaCompleted((sagaId) => {
      completed.push(sagaId);
    });
    const worker = await sagaWorker(t.url);
    try {
      const paused = await until("the saga to pause", async () => {
        const s = await saga(id);
        return s.status === "paused" ? s : undefined;
      });
      expect(paused).toMatchObject({
        current_step: "two",
        pause_reason: "circuit open for service llm",
        step_attempts: 0,
      });
      const recorded = () =>
        t.db
          .selectFrom("eva_saga_steps")
          .select(["step", "status", "attempts"])
          .where("saga_id", "=", id)
          .orderBy("id")
          .execute();
      expect(await recorded()).toEqual([{ step: "one", status: "completed", attempts: 1 }]);
      expect(completed).toEqual([]);
      circuitOpen = false;
      await as("eva_service", `select eva.fn_saga_resume('${id}')`);
      await until("the saga to complete", async () => (completed.length > 0 ? true : undefined));
      // Told after the completion committed: the saga row already says so.
      expect((await saga(id)).status).toBe("completed");
      expect(completed).toEqual([id]);
      expect(runs).toEqual(["one", "two", "two", "three"]);
      expect(await recorded()).toEqual([
        { step: "one", status: "completed", attempts: 1 },
        { step: "two", status: "completed", attempts: 1 },
        { step: "three", status: "completed", attempts: 1 },
      ]);
    } finally {
      unsubscribe();
      await worker.stop();
    }
  });
});
