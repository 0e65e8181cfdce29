// The floor every EVA job benchmark is read against: raw graphile-worker on
// this machine and server, no-op tasks, nothing of EVA's in the path.
//  - throughput: jobs queued by one graphile_worker.add_jobs call, drained by
//    one run() at concurrency 10; first job start → queue empty again.
//  - latency: one graphile_worker.add_job per statement (autocommit), its
//    payload carrying the time just before the statement was sent → the
//    handler's first line, one job at a time, the worker idle in between.
import { EventEmitter } from "node:events";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { Logger, type Runner, run, type TaskList, type WorkerEvents } from "graphile-worker";
import pg from "pg";
import { abortable, type BenchServer, type Measurement, median, progress, summarize } from "./lib.ts";

/** Ids of the floor rows, for later benchmarks' `vsFloor`. */
export const floor = {
  jobsPerSecond: "floor.jobs_per_s",
  latencyP50: "floor.start_latency_p50",
  latencyP95: "floor.start_latency_p95",
  latencyP99: "floor.start_latency_p99",
} as const;

const CONCURRENCY = 10;
const THROUGHPUT_JOBS = 5_000;
const THROUGHPUT_ROUNDS = 3;
const WARMUP_JOBS = 500;
const LATENCY_WARMUP = 20;
const LATENCY_SAMPLES = 500;

interface Completion {
  count: number;
  target: number;
  firstStart: number | undefined;
  lastComplete: number;
  done?: () => void;
}

function latencyStart(payload: unknown): number {
  const t = (payload as { t?: unknown } | null)?.t;
  if (typeof t !== "number") throw new Error(`latency job without a numeric t: ${JSON.stringify(payload)}`);
  return t;
}

/** Runs until done or until `signal` aborts (then stops the worker and drops its database before rethrowing). */
export async function workerFloor(server: BenchServer, signal: AbortSignal): Promise<Measurement[]> {
  // Worker's own lines would mix with the table on stdout: keep only warnings and errors, on
  // stderr, and none once interrupted (the server going away makes every connection complain).
  const logger = new Logger(() => (level, message) => {
    if (signal.aborted || (level !== "error" && level !== "warning")) return;
    process.stderr.write(`graphile-worker ${level}: ${message}\n`);
  });
  const database = await server.freshDatabase("worker_floor");
  const client = new pg.Client({ connectionString: database.url, application_name: "eva-bench-enqueue" });
  // An idle client's error (server gone) must not crash the run; its next query fails anyway.
  client.on("error", () => {});
  await client.connect();
  // The worker's own pool, so that its idle connections' errors are ours to ignore too.
  const workerPool = new pg.Pool({
    connectionString: database.url,
    max: CONCURRENCY + 2,
    application_name: "eva-bench-worker",
  });
  workerPool.on("error", () => {});
  workerPool.on("connect", (c) => c.on("error", () => {}));
  // Every wait below ends early when the run is interrupted or the worker dies.
  const workerDied = new AbortController();
  const until = AbortSignal.any([signal, workerDied.signal]);
  let runner: Runner | undefined;
  try {
    const events = new EventEmitter() as WorkerEvents;
    const batch: Completion = { count: 0, target: 0, firstStart: undefined, lastComplete: 0 };
    events.on("job:start", () => {
      batch.firstStart ??= performance.now();
    });
    events.on("job:complete", ({ error }) => {
      if (error) process.stderr.write(`bench: a no-op job failed: ${String(error)}\n`);
      batch.count += 1;
      batch.lastComplete = performance.now();
      if (batch.count === batch.target) batch.done?.();
    });

    let onLatencyStart: ((startedAt: number, payload: unknown) => void) | undefined;
    const taskList: TaskList = {
      noop: () => {},
      latency: (payload) => {
        const startedAt = performance.now();
        onLatencyStart?.(startedAt, payload);
      },
    };

    const enqueue = async (n: number) => {
      const t0 = performance.now();
      const { rows } = await client.query<{ n: number }>(
        `select count(*)::int as n from graphile_worker.add_jobs(array(
           select row('noop', json_build_object('i', i), null, null, null, null, null, null)::graphile_worker.job_spec
           from generate_series(1, $1::int) as i))`,
        [n],
      );
      if (rows[0]?.n !== n) throw new Error(`add_jobs returned ${rows[0]?.n} jobs, expected ${n}`);
      return performance.now() - t0;
    };
    /**
     * Waits until `n` more jobs have completed and the queue is empty (job:complete fires when a
     * completion is handed to the batcher, just before it is written); resolves with first start → empty, in ms.
     */
    const drain = (n: number, timeoutMs = 60_000) => {
      const completed = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`only ${batch.count}/${n} jobs done after ${timeoutMs} ms`)),
          timeoutMs,
        );
        timer.unref();
        Object.assign(batch, { count: 0, target: n, firstStart: undefined, lastComplete: 0 });
        batch.done = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      const drained = completed.then(async () => {
        const deadline = performance.now() + 5_000;
        while ((await queued()) > 0) {
          if (performance.now() > deadline) throw new Error("jobs still queued 5 s after the last completion");
        }
        return performance.now() - (batch.firstStart ?? batch.lastComplete);
      });
      const result = abortable(drained, until);
      result.catch(() => {}); // awaited later; an interruption before then is not "unhandled"
      return result;
    };
    const queued = async () => {
      const { rows } = await client.query<{ n: number }>({
        name: "bench_queued",
        text: "select count(*)::int as n from graphile_worker.jobs",
      });
      return rows[0]?.n ?? 0;
    };

    // Warm-up: the runner starts on a queue that already holds jobs (connections, prepared statements, JIT).
    await enqueue(WARMUP_JOBS);
    const warm = drain(WARMUP_JOBS);
    runner = await run({
      pgPool: workerPool,
      concurrency: CONCURRENCY,
      noHandleSignals: true,
      crontab: "",
      logger,
      events,
      taskList,
    });
    runner.promise.catch((error: unknown) => workerDied.abort(error));
    await warm;
    progress(`worker running (concurrency ${CONCURRENCY}); warmed up with ${WARMUP_JOBS} jobs`);

    const rates: number[] = [];
    const enqueueRates: number[] = [];
    for (let round = 1; round <= THROUGHPUT_ROUNDS; round++) {
      await sleep(100, undefined, { signal: until }); // workers back to waiting for a notification
      const done = drain(THROUGHPUT_JOBS);
      const enqueueMs = await enqueue(THROUGHPUT_JOBS);
      const ms = await done;
      rates.push((THROUGHPUT_JOBS / ms) * 1000);
      enqueueRates.push((THROUGHPUT_JOBS / enqueueMs) * 1000);
      progress(
        `throughput round ${round}/${THROUGHPUT_ROUNDS}: ${THROUGHPUT_JOBS} jobs in ${ms.toFixed(0)} ms ` +
          `(add_jobs took ${enqueueMs.toFixed(0)} ms)`,
      );
    }

    const samples: number[] = [];
    const total = LATENCY_WARMUP + LATENCY_SAMPLES;
    const addJob = {
      name: "bench_add_job",
      text: "select (graphile_worker.add_job('latency', json_build_object('t', $1::float8))).id",
    };
    for (let i = 0; i < total; i++) {
      // Idle between jobs, with jitter so enqueues do not line up with any timer in the worker.
      await sleep(3 + Math.random() * 5, undefined, { signal: until });
      const started = new Promise<number>((resolve, reject) => {
        onLatencyStart = (startedAt, payload) => {
          try {
            resolve(startedAt - latencyStart(payload));
          } catch (error) {
            reject(error);
          }
        };
      });
      const done = drain(1, 10_000);
      await client.query({ ...addJob, values: [performance.now()] });
      const latency = await abortable(started, until);
      await done;
      if (i >= LATENCY_WARMUP) samples.push(latency);
      if ((i + 1) % 100 === 0) progress(`latency: ${i + 1}/${total} jobs`);
    }
    onLatencyStart = undefined;
    const latency = summarize(samples);
    const rate = median(rates);
    const spread = `${THROUGHPUT_ROUNDS} rounds of ${THROUGHPUT_JOBS}: ${rates.map((r) => r.toFixed(0)).join(", ")}`;
    const latencyNote = `n=${latency.n}, min ${latency.min.toFixed(2)}, max ${latency.max.toFixed(2)} ms`;

    return [
      { id: floor.jobsPerSecond, label: "worker floor: no-op jobs/s", value: rate, unit: "jobs/s", note: spread },
      {
        id: "floor.add_jobs_per_s",
        label: "worker floor: add_jobs enqueue",
        value: median(enqueueRates),
        unit: "jobs/s",
        note: `one call of ${THROUGHPUT_JOBS}`,
      },
      { id: floor.latencyP50, label: "add_job→start latency p50", value: latency.p50, unit: "ms", note: latencyNote },
      { id: floor.latencyP95, label: "add_job→start latency p95", value: latency.p95, unit: "ms" },
      { id: floor.latencyP99, label: "add_job→start latency p99", value: latency.p99, unit: "ms" },
    ];
  } finally {
    await runner?.stop();
    await workerPool.end();
    await client.end();
    await database.drop();
  }
}
