// Event delivery (issue #10, event subscriptions): events logged → the
// dispatcher (event_dispatch) → one event_deliver job per delivery → a no-op
// handler, through EVA's own worker (startWorker, concurrency 10, the
// scheduler's crontab off), beside raw graphile-worker's no-op floor.
//  - throughput: 5,000 events logged by one statement (one transaction) for one
//    `noop` subscription; the statement's return → every delivery recorded
//    delivered (eva_private.fn_record_event_delivery), 3 rounds.
//  - latency: one event per statement (autocommit), its commit → its delivery's
//    job completed, one at a time.
// Writers pay nothing for the bus beyond the NOTIFY they always sent: each
// worker's dispatch waker queues the dispatcher after their commit.
// A delivery costs a dispatcher share, a job and two SQL calls (load, record),
// so the ratio to the floor says what the bus adds to a bare job.
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "kysely";
import { connect, withRole } from "../src/db/client.ts";
import { createOfflineAnalyst } from "../src/llm/offline-analyst.ts";
import { startWorker } from "../src/worker.ts";
import { abortable, type BenchServer, type Measurement, median, progress, summarize } from "./lib.ts";
import { floor } from "./worker-floor.ts";

const CONCURRENCY = 10;
const EVENTS = 5_000;
const ROUNDS = 3;
const WARMUP = 500;
const LATENCY_SAMPLES = 200;

export async function eventDelivery(server: BenchServer, signal: AbortSignal): Promise<Measurement[]> {
  const database = await server.freshDatabase("event_delivery");
  const connection = connect(database.url, { max: 3, applicationName: "eva-bench" });
  let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
  try {
    const db = connection.db;
    // Only the bench's subscription: the seeded knowledge extraction would not match bench.* anyway.
    await withRole(db, "eva_chairman", (trx) =>
      sql`select eva.fn_create_event_subscription('bench-noop', array['bench.*'], 'noop', '{}'::jsonb, 3)`.execute(trx),
    );
    let completed = 0;
    let onDelivered: (() => void) | undefined;
    worker = await startWorker({
      url: database.url,
      analyst: createOfflineAnalyst(),
      concurrency: CONCURRENCY,
      schedule: false,
      log: progress,
    });
    worker.events.on("job:complete", ({ job, error }) => {
      if (job.task_identifier !== "event_deliver") return;
      if (error) process.stderr.write(`bench: a delivery job failed: ${String(error)}\n`);
      completed += 1;
      onDelivered?.();
    });
    const delivered = async () =>
      (
        await sql<{
          n: number;
        }>`select count(*)::int as n from eva.event_deliveries where status = 'delivered'`.execute(db)
      ).rows[0]?.n ?? 0;
    const logMany = (n: number) =>
      sql`select count(eva_private.fn_log_event('bench.event', null, jsonb_build_object('i', i)))
          from generate_series(1, ${n}::int) i`.execute(db);
    /** Waits until `target` deliveries are recorded delivered. */
    const until = async (target: number, timeoutMs = 120_000) => {
      const deadline = performance.now() + timeoutMs;
      while ((await delivered()) < target) {
        if (performance.now() > deadline) throw new Error(`only ${await delivered()}/${target} delivered`);
        await abortable(sleep(10), signal);
      }
    };

    let total = WARMUP;
    await logMany(WARMUP);
    await until(total);
    progress(`event delivery: warmed up with ${WARMUP} events`);

    const rates: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      await abortable(sleep(200), signal);
      const t0 = performance.now();
      await logMany(EVENTS);
      total += EVENTS;
      await until(total);
      const ms = performance.now() - t0;
      rates.push((EVENTS / ms) * 1000);
      progress(`event delivery round ${round}/${ROUNDS}: ${EVENTS} events delivered in ${ms.toFixed(0)} ms`);
    }

    const samples: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      await abortable(sleep(3 + Math.random() * 5), signal);
      const before = completed;
      const done = new Promise<number>((resolve) => {
        onDelivered = () => {
          if (completed > before) resolve(performance.now());
        };
      });
      const t0 = performance.now();
      await sql`select eva_private.fn_log_event('bench.latency', null, '{}'::jsonb)`.execute(db);
      samples.push((await abortable(done, signal)) - t0);
    }
    onDelivered = undefined;
    const latency = summarize(samples);
    const { rows } = await sql<{ dispatched: string }>`
      select dispatched::text from eva_private.event_dispatch_cursor`.execute(db);
    return [
      {
        id: "event_delivery.events_per_s",
        label: "event delivery: events/s (noop handler)",
        value: median(rates),
        unit: "events/s",
        vsFloor: floor.jobsPerSecond,
        note: `${ROUNDS} rounds of ${EVENTS} events in one transaction: ${rates.map((r) => r.toFixed(0)).join(", ")}; dispatcher + event_deliver, concurrency ${CONCURRENCY}`,
      },
      {
        id: "event_delivery.latency_p50",
        label: "event commit→delivered p50",
        value: latency.p50,
        unit: "ms",
        vsFloor: floor.latencyP50,
        note: `n=${latency.n}, one event per transaction; two jobs in the path (dispatch, deliver); ${rows[0]?.dispatched} deliveries dispatched in all`,
      },
      {
        id: "event_delivery.latency_p95",
        label: "event commit→delivered p95",
        value: latency.p95,
        unit: "ms",
        vsFloor: floor.latencyP95,
      },
    ];
  } finally {
    await worker?.stop().catch(() => {});
    await connection.close();
    await database.drop();
  }
}
