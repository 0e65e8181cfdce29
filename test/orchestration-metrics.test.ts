// The orchestration metrics views (spec §13, issue #10 point 6), each checked
// against rows this file creates, read as the Chairman and as a viewer (RLS:
// the viewer counts no dead letters), and `eva orchestration --json`.
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { withRole } from "../src/db/client.ts";
import { createOfflineAnalyst } from "../src/llm/offline-analyst.ts";
import { createOpenAIAnalyst } from "../src/llm/openai-analyst.ts";
import { createRng } from "../src/llm/rng.ts";
import { runStageWork } from "../src/orchestration/stage-engine.ts";
import { parseStageContext, toStageContext } from "../src/stages/context.ts";
import { stage02 } from "../src/stages/stage-02.ts";
import { runEva } from "./helpers/cli.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { reply, startFakeOpenAIServer } from "./helpers/fake-openai-server.ts";
import { advance, createVenture } from "./helpers/fixtures.ts";

const t = await createTestDatabase();
const model = await startFakeOpenAIServer();
afterAll(async () => {
  await model.close();
  await t.drop();
});

type Row = Record<string, unknown>;
const read = async (role: "eva_chairman" | "eva_viewer", query: string): Promise<Row[]> =>
  withRole(t.db, role, async (trx) => (await sql.raw<Row>(query).execute(trx)).rows);

// Stage 1 of six ventures: five completed in 1, 2, 3, 4 and 10 seconds (one of them on its
// second attempt), one failed. Made through EVA's functions, timestamps then set as the owner.
const ventures: string[] = [];
for (const seconds of [1, 2, 3, 4, 10]) {
  const v = await createVenture(t.db);
  ventures.push(v.id);
  await advance(t.db, v.id, 1);
  await sql`update eva.venture_stage_work
    set attempts = ${seconds === 4 ? 2 : 1}, started_at = completed_at - make_interval(secs => ${seconds})
    where venture_id = ${v.id}::uuid and lifecycle_stage = 1`.execute(t.db);
}
const failing = await createVenture(t.db);
const failingWork = (
  await sql<{ id: string }>`select id from eva.venture_stage_work where venture_id = ${failing.id}::uuid`.execute(t.db)
).rows[0]?.id;
await sql`select eva.fn_begin_stage_run(${failingWork}::uuid)`.execute(t.service);
await sql`select eva.fn_block_stage_work(${failingWork}::uuid, 'analysis failed: probe', 'failed', '{}')`.execute(
  t.service,
);

describe("orchestration metrics views", () => {
  it("per-stage durations: p50 and p95 of started_at → completed_at", async () => {
    const [stage1] = await read("eva_chairman", "select * from eva.orchestration_stage_durations where stage = 1");
    expect(stage1).toMatchObject({ stage: 1, runs: "5", p50_seconds: 3, max_seconds: "10.000000" });
    // percentile_cont: 4 + 0.8 × (10 - 4)
    expect(stage1?.p95_seconds).toBeCloseTo(8.8, 6);
    expect(await read("eva_viewer", "select * from eva.orchestration_stage_durations where stage = 1")).toEqual([
      stage1,
    ]);
  });

  it("per-stage failure and retry rates", async () => {
    const [stage1] = await read("eva_chairman", "select * from eva.orchestration_stage_failures where stage = 1");
    expect(stage1).toMatchObject({
      runs: "6",
      completed: "5",
      failed: "1",
      failure_rate: "0.1667",
      retried: "1",
      retry_rate: "0.1667",
      reruns: "0",
    });
  });

  it("the job queue per task: depth, scheduled, oldest age (graphile-worker's private tables, through a definer function)", async () => {
    await sql`select graphile_worker.add_job('probe_task', '{}'::json, run_at := now() - interval '10 minutes')`.execute(
      t.db,
    );
    await sql`select graphile_worker.add_job('probe_task', '{}'::json, run_at := now() - interval '1 minute')`.execute(
      t.db,
    );
    await sql`select graphile_worker.add_job('probe_task', '{}'::json, run_at := now() + interval '1 hour')`.execute(
      t.db,
    );
    for (const role of ["eva_chairman", "eva_viewer"] as const) {
      const [probe] = await read(
        role,
        "select task, queued, scheduled, running, failed, extract(epoch from oldest_queued_age) as age from eva.orchestration_job_queue where task = 'probe_task'",
      );
      expect(probe).toMatchObject({ task: "probe_task", queued: "2", scheduled: "1", running: "0", failed: "0" });
      expect(Number(probe?.age)).toBeGreaterThanOrEqual(600);
    }
    // The stage_run jobs the ventures' ready work queued are there too.
    const stageRuns = await read(
      "eva_chairman",
      "select queued from eva.orchestration_job_queue where task = 'stage_run'",
    );
    expect(Number(stageRuns[0]?.queued)).toBeGreaterThanOrEqual(1);
  });

  it("dead letters by status, which a viewer may not see", async () => {
    await sql`insert into eva.eva_event_dlq (event_type, failure_reason, retry_count, status) values
      ('stage.entered', 'probe', 5, 'pending'), ('stage.entered', 'probe', 7, 'pending'),
      ('stage.entered', 'probe', 1, 'discarded')`.execute(t.db);
    const rows = await read("eva_chairman", "select status, events, max_retries from eva.orchestration_dlq");
    // In the status's own order (pending, replayed, discarded).
    expect(rows).toEqual([
      { status: "pending", events: "2", max_retries: 7 },
      { status: "discarded", events: "1", max_retries: 1 },
    ]);
    expect(await read("eva_viewer", "select * from eva.orchestration_dlq")).toEqual([]);
  });

  it("open circuits, with when each may half-open", async () => {
    await sql`insert into eva.venture_circuit_breakers (venture_id, service, state, consecutive_failures, opened_at, last_error)
      values (${ventures[0]}::uuid, 'llm', 'open', 3, now() - interval '1 minute', 'HTTP 500'),
             (${ventures[1]}::uuid, 'llm', 'closed', 0, null, null)`.execute(t.db);
    for (const role of ["eva_chairman", "eva_viewer"] as const) {
      const rows = await read(
        role,
        "select venture_id, service, state, consecutive_failures, half_open_at - opened_at as cooldown, last_error from eva.orchestration_open_circuits",
      );
      expect(rows).toEqual([
        {
          venture_id: ventures[0],
          service: "llm",
          state: "open",
          consecutive_failures: 3,
          cooldown: { minutes: 5 },
          last_error: "HTTP 500",
        },
      ]);
    }
  });

  it("LLM tokens and latency per model, from the ledger and the analysts' recorded latency", async () => {
    const charge = (prompt: number, completion: number, provenance: object) =>
      sql`select eva.fn_charge_tokens(${ventures[2]}::uuid, 2, null, 'analysis', ${prompt}, ${completion}, false,
        ${JSON.stringify(provenance)}::jsonb)`.execute(t.service);
    await charge(100, 50, { model: "probe-model", latencyMs: 100 });
    await charge(200, 60, { model: "probe-model", latencyMs: 300 });
    await charge(300, 70, { model: "probe-model" });
    const [probe] = await read(
      "eva_viewer",
      "select * from eva.orchestration_llm_usage where model = 'probe-model' and purpose = 'analysis'",
    );
    expect(probe).toMatchObject({
      calls: "3",
      prompt_tokens: "600",
      completion_tokens: "180",
      total_tokens: "780",
      timed_calls: "2",
      latency_p50_ms: 200,
    });
    expect(probe?.latency_p95_ms).toBeCloseTo(290, 6);
  });

  it("the engine records each charged analysis's latency, so a real stage run lands in the latency columns", async () => {
    // The offline analyst through the engine: the ledger row carries latencyMs.
    const v = await createVenture(t.db);
    await advance(t.db, v.id, 1);
    const work = (
      await sql<{
        id: string;
      }>`select id from eva.venture_stage_work where venture_id = ${v.id}::uuid and status = 'ready'`.execute(t.db)
    ).rows[0]?.id;
    await runStageWork(t.service, createOfflineAnalyst(), work ?? "");
    const [offline] = await read(
      "eva_chairman",
      "select calls, timed_calls, latency_p50_ms from eva.orchestration_llm_usage where model = 'eva-offline-analyst-v1'",
    );
    expect(Number(offline?.calls)).toBeGreaterThanOrEqual(1);
    expect(offline?.timed_calls).toBe(offline?.calls);
    // Measured, not absent: a number of milliseconds (an offline call may take well under one).
    expect(offline?.latency_p50_ms).not.toBeNull();
    expect(Number.isFinite(Number(offline?.latency_p50_ms))).toBe(true);
    expect(Number(offline?.latency_p50_ms)).toBeGreaterThanOrEqual(0);

    // A model over HTTP (a local OpenAI-compatible server) answering Stage 2 of another venture.
    const w = await createVenture(t.db);
    await advance(t.db, w.id, 1);
    const stage2 = (
      await sql<{
        id: string;
      }>`select id from eva.venture_stage_work where venture_id = ${w.id}::uuid and status = 'ready'`.execute(t.db)
    ).rows[0]?.id as string;
    const ctx = await withRole(t.db, "eva_service", async (trx) => {
      const { rows } = await sql<{ ctx: unknown }>`select eva.fn_stage_context(${stage2}::uuid) as ctx`.execute(trx);
      return toStageContext(parseStageContext(rows[0]?.ctx));
    });
    model.enqueue(reply.json(stage02.simulate(ctx, createRng(42)), { prompt_tokens: 900, completion_tokens: 400 }));
    const analyst = createOpenAIAnalyst({ apiKey: "test", baseURL: model.baseURL, model: "probe-llm", maxRetries: 0 });
    const outcome = await runStageWork(t.service, analyst, stage2);
    expect(outcome.outcome).not.toBe("failed");
    const [served] = await read(
      "eva_chairman",
      "select calls, prompt_tokens, completion_tokens, timed_calls, latency_p50_ms from eva.orchestration_llm_usage where model = 'probe-llm' and purpose = 'analysis'",
    );
    expect(served).toMatchObject({ calls: "1", prompt_tokens: "900", completion_tokens: "400", timed_calls: "1" });
    expect(Number(served?.latency_p50_ms)).toBeGreaterThan(0);
  });

  it("one summary row, counted as the reader may see", async () => {
    const query =
      "select stage_runs_24h, stage_failures_24h, jobs_queued, dlq_pending, open_circuits, llm_calls_24h, event_log_partitions from eva.orchestration_summary";
    const [chairman] = await read("eva_chairman", query);
    const [viewer] = await read("eva_viewer", query);
    expect(chairman).toMatchObject({ stage_failures_24h: "1", dlq_pending: "2", open_circuits: "1" });
    expect(Number(chairman?.stage_runs_24h)).toBeGreaterThanOrEqual(6);
    expect(Number(chairman?.jobs_queued)).toBeGreaterThanOrEqual(2);
    expect(Number(chairman?.llm_calls_24h)).toBeGreaterThanOrEqual(4);
    expect(Number(chairman?.event_log_partitions)).toBeGreaterThanOrEqual(4);
    expect(viewer).toEqual({ ...chairman, dlq_pending: "0" });
  });

  it("the partitions of the event log, with when each expires", async () => {
    const rows = await read(
      "eva_viewer",
      "select partition_name, is_default, range_to, expires_at from eva.orchestration_partitions where table_name = 'eva.eva_event_log'",
    );
    const now = new Date();
    const current = `eva_partitions.eva_event_log_p${now.getUTCFullYear()}${String(now.getUTCMonth() + 1).padStart(2, "0")}`;
    const row = rows.find((r) => r.partition_name === current);
    expect(row).toBeDefined();
    const rangeTo = new Date(row?.range_to as string);
    const expires = new Date(row?.expires_at as string);
    expect(
      expires.getUTCFullYear() * 12 + expires.getUTCMonth() - (rangeTo.getUTCFullYear() * 12 + rangeTo.getUTCMonth()),
    ).toBe(24);
    expect(rows.filter((r) => r.is_default)).toHaveLength(1);
  });

  it("`eva orchestration --json` prints them, and the plain form reads for a person", async () => {
    const json = await runEva(["orchestration", "--json"], { DATABASE_URL: t.url });
    expect(json.code).toBe(0);
    const m = JSON.parse(json.stdout);
    expect(m.summary).toMatchObject({ dlq_pending: 2, open_circuits: 1 });
    expect(m.stageDurations).toContainEqual(expect.objectContaining({ stage: 1, runs: 5, p50_seconds: 3 }));
    expect(m.jobQueue).toContainEqual(expect.objectContaining({ task: "probe_task", queued: 2, scheduled: 1 }));
    expect(m.llmUsage).toContainEqual(expect.objectContaining({ model: "probe-model", latency_p50_ms: 200 }));
    const plain = await runEva(["orchestration"], { DATABASE_URL: t.url });
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/dead letters pending:\s+2/);
    expect(plain.stdout).toMatch(/^1\s+5\s+3\.00 s\s+8\.80 s\s+10\.00 s$/m);
    expect(plain.stdout).toContain("probe_task");
  });
});
