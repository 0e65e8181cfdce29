// A saga step that calls the model runs under a task contract and through the
// venture's circuit breakers (spec §3, §15): while the circuit is open the
// saga pauses instead of burning retries, and the half-open release resumes
// it; the step then runs once, under the same contract. Real worker, the real
// OpenAI-compatible client against a local server.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { withRole } from "../src/db/client.ts";
import { recordCircuitCall } from "../src/orchestration/circuit-breakers.ts";
import { TICKS } from "../src/tasks/scheduler.ts";
import { startWorker, type WorkerHandle } from "../src/worker.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { startFakeOpenAIServer } from "./helpers/fake-openai-server.ts";
import { modelStandIn } from "./helpers/model-stand-in.ts";
import { dropStageRuns, killedAtStage3, retirementOf, stepsOf, until } from "./helpers/sagas.ts";

const t = await createTestDatabase();
const archive = await mkdtemp(join(tmpdir(), "eva-archive-"));
process.env.EVA_ARCHIVE_DIR = archive;
const server = await startFakeOpenAIServer();
const model = modelStandIn(server);
let worker: WorkerHandle | undefined;

afterAll(async () => {
  await worker?.stop();
  await server.close();
  await t.drop();
  await rm(archive, { recursive: true, force: true });
});

describe("a saga step behind an open circuit", () => {
  it("pauses the saga without a call or a spent retry; the half-open release resumes it under the same contract", async () => {
    const v = await killedAtStage3(t.db, t.service);
    // The venture's model calls failed three times in a row: its circuit is open.
    for (let i = 0; i < 3; i++) await recordCircuitCall(t.service, v.id, ["llm"], false, "HTTP 503");
    await dropStageRuns(t.db);
    worker = await startWorker({ url: t.url, analyst: model.analyst, schedule: false, concurrency: 2 });

    const paused = await until("the saga to pause at the retrospective", async () => {
      const s = await retirementOf(t.db, v.id);
      return s.status === "paused" ? s : undefined;
    });
    expect(paused.current_step).toBe("retrospective");
    expect(paused.pause_reason).toMatch(/^circuit open: llm.*half-opens at/);
    expect(paused.step_attempts).toBe(0);
    expect(model.requestsFor(v.name)).toBe(0);
    const steps = await stepsOf(t.db, paused.id);
    expect(steps.map((s) => [s.step, s.status])).toEqual([
      ["notify_users", "skipped"],
      ["export_data", "skipped"],
      ["teardown_infra", "completed"],
      ["archive_code", "completed"],
    ]);
    const contractsOf = () =>
      t.db
        .selectFrom("agent_task_contracts")
        .select(["id", "saga_step", "status", "deferred_until"])
        .where("saga_id", "=", paused.id)
        .orderBy("created_at")
        .execute();
    const before = await contractsOf();
    // Every worker step ran under its contract; the deferred one waits, pending.
    expect(before.map((c) => [c.saga_step, c.status])).toEqual([
      ["teardown_infra", "completed"],
      ["archive_code", "completed"],
      ["retrospective", "pending"],
    ]);
    expect(before[2]?.deferred_until).not.toBeNull();

    // Nothing is released before the cooldown; after it, the saga resumes and the step runs once.
    expect(await TICKS.circuit_release(t.service)).toEqual({ released: 0 });
    await withRole(t.db, "eva_chairman", (trx) =>
      sql`select eva.fn_set_circuit_clock('5 minutes 1 second'::interval)`.execute(trx),
    );
    expect(await TICKS.circuit_release(t.service)).toEqual({ released: 1 });
    const done = await until("the saga to complete", async () => {
      const s = await retirementOf(t.db, v.id);
      return s.status === "completed" ? s : undefined;
    });
    expect(model.requestsFor(v.name)).toBe(1);
    const after = await contractsOf();
    expect(after.map((c) => [c.saga_step, c.status])).toEqual([
      ["teardown_infra", "completed"],
      ["archive_code", "completed"],
      ["retrospective", "completed"],
    ]);
    expect(after[2]?.id).toBe(before[2]?.id);
    const retro = (await stepsOf(t.db, done.id)).at(-1);
    expect(retro).toMatchObject({ step: "retrospective", status: "completed", attempts: 1 });
    expect(retro?.result).toMatchObject({ analyst: "openai", epistemic: expect.any(String) });
    // The call's tokens are charged to the venture, once.
    const charges = await t.db
      .selectFrom("venture_budget_transactions")
      .select(["prompt_tokens", "completion_tokens", "lifecycle_stage"])
      .where("venture_id", "=", v.id)
      .where("purpose", "=", "retrospective")
      .execute();
    expect(charges).toHaveLength(1);
    expect(charges[0]?.lifecycle_stage).toBe(3);
    expect(Number(charges[0]?.prompt_tokens)).toBeGreaterThan(0);
    // The trial call succeeded: the venture's circuit is closed again.
    const breaker = await t.db
      .selectFrom("venture_circuit_breakers")
      .select("state")
      .where("venture_id", "=", v.id)
      .where("service", "=", "llm")
      .executeTakeFirstOrThrow();
    expect(breaker.state).toBe("closed");
  }, 90_000);
});
