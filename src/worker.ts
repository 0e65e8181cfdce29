// An EVA worker process: graphile-worker running EVA's tasks, woken by
// LISTEN/NOTIFY, plus a heartbeat that frees the jobs of crashed workers
// (graphile-worker itself waits 4 hours before retrying a dead worker's job).

import { EventEmitter } from "node:events";
import { hostname } from "node:os";
import { Logger, makeWorkerUtils, type Runner, run, runOnce, type WorkerEvents } from "graphile-worker";
import { sql } from "kysely";
import { connect, type Database } from "./db/client.ts";
import { ownerPoolFor } from "./db/migrate.ts";
import type { Analyst } from "./llm/types.ts";
import { dispatchEvents, startDispatchWaker } from "./orchestration/event-bus.ts";
import { resumeActiveSagas } from "./orchestration/sagas/engine.ts";
import type { StageRunOutcome } from "./orchestration/stage-engine.ts";
import { startTracing } from "./orchestration/tracing.ts";
import { eventBusTasks } from "./tasks/event-bus.ts";
import { parsedCrontab, taskList } from "./tasks/index.ts";
import type { TickResult } from "./tasks/scheduler.ts";

export interface WorkerOptions {
  url: string;
  analyst: Analyst;
  /** The Devil's Advocate's own analyst (createAdversary); default: the analyst. */
  adversary?: Analyst;
  concurrency?: number;
  /** How long a silent worker counts as alive (default 30 s; EVA_WORKER_STALE_MS). */
  staleAfterMs?: number;
  log?: (line: string) => void;
  onOutcome?: (outcome: StageRunOutcome) => void;
  /** Called after each master-scheduler tick with what it did. */
  onTick?: (name: string, result: TickResult) => void;
  /** Register the master scheduler's crontab (default true; src/tasks/index.ts). */
  schedule?: boolean;
}

export interface WorkerHandle {
  runner: Runner;
  events: WorkerEvents;
  stop(): Promise<void>;
}

export async function startWorker(options: WorkerOptions): Promise<WorkerHandle> {
  const log = options.log ?? (() => {});
  // Spans go to the OTLP collector when OTEL_EXPORTER_OTLP_ENDPOINT is set (src/orchestration/tracing.ts).
  const tracing = await startTracing("worker");
  const concurrency = options.concurrency ?? 4;
  const staleAfterMs = options.staleAfterMs ?? Number(process.env.EVA_WORKER_STALE_MS ?? 30_000);
  // Tasks write as eva_service, under RLS; only graphile-worker's own pool acts as eva_owner.
  const connection = connect(options.url, { max: concurrency + 2, applicationName: "eva-worker", role: "eva_service" });
  // graphile-worker runs as eva_owner, the owner of its schema (see src/db/migrate.ts).
  const workerPool = ownerPoolFor(options.url, concurrency + 2);
  const utils = await makeWorkerUtils({ pgPool: workerPool });
  const events = new EventEmitter() as WorkerEvents;
  const workerIds = new Set<string>();
  events.on("worker:create", ({ worker }) => {
    workerIds.add(worker.workerId);
  });
  const logger = new Logger(() => (level, message) => {
    if (level === "error" || level === "warning") log(`worker ${level}: ${message}`);
  });

  // Crash recovery (spec §15): every active saga continues from its last persisted step
  // (queued before this worker takes jobs, so a queued step is not queued beside itself).
  const resumed = await resumeActiveSagas(connection.db);
  if (resumed > 0) log(`resumed ${resumed} active saga(s) at their last persisted step`);

  // With an embedding model (and pgvector), new and changed search documents queue their embeddings.
  const embeddingModel = process.env.EVA_EMBEDDING_MODEL?.trim();
  if (embeddingModel) {
    const { rows } = await sql<{ recorded: boolean }>`
      select eva_private.fn_search_set_embedder(${embeddingModel}) as recorded`.execute(connection.db);
    log(
      rows[0]?.recorded
        ? `search by meaning: embedding new documents with ${embeddingModel}`
        : `EVA_EMBEDDING_MODEL is set, but this database has no pgvector: search is keyword-only`,
    );
  }

  const runner = await run({
    pgPool: workerPool,
    concurrency,
    noHandleSignals: true,
    // Job completions and failures go through graphile-worker's batchers, which its shutdown
    // flushes: unbatched, a completion is sent without being awaited, and a job that finished
    // just before shutdown could stay locked by the stopped worker.
    preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
    // A job queued for later (a retry, the event dispatcher's successor) is found by a poll when idle.
    pollInterval: 500,
    logger,
    events,
    // The master scheduler: graphile-worker's crontab queues the ticks (src/tasks/index.ts).
    ...(options.schedule === false ? {} : { parsedCronItems: parsedCrontab() }),
    taskList: taskList({
      db: connection.db,
      analyst: options.analyst,
      adversary: options.adversary,
      onOutcome: options.onOutcome,
      onTick: options.onTick,
    }),
  });

  const beat = async () => {
    const { rows } = await sql<{ dead: string[] }>`
      select eva_private.fn_worker_heartbeat(${[...workerIds]}::text[], ${hostname()}, ${process.pid},
        make_interval(secs => ${staleAfterMs / 1000})) as dead`.execute(connection.db);
    const dead = rows[0]?.dead ?? [];
    if (dead.length > 0) {
      log(`freeing the jobs of ${dead.length} crashed worker(s): ${dead.join(", ")}`);
      await utils.forceUnlockWorkers(dead);
    }
  };
  await beat();
  let beating = Promise.resolve();
  const timer = setInterval(
    () => {
      beating = beat().catch((error: unknown) => log(`heartbeat failed: ${String(error)}`));
    },
    Math.max(250, Math.floor(staleAfterMs / 3)),
  );

  // The event bus's dispatcher is woken from here, after each commit that logged events.
  const waker = await startDispatchWaker(options.url, log);

  let stopped = false;
  return {
    runner,
    events,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await waker.stop();
      await beating;
      await runner.stop();
      await tracing.shutdown();
      await utils.release();
      await workerPool.end();
      await connection.close();
    },
  };
}

/**
 * EVA's reactions to what has committed so far, delivered in this process, without a worker: the
 * dispatcher, then every event_deliver job due now (graphile-worker's runOnce with that task alone:
 * stage runs and saga steps stay queued for a worker), again while the deliveries log events of their own.
 * `eva run` calls it after a venture's stages, so a dependent is released (or a retirement saga started)
 * as a worker would. A delivery that fails waits for its retry in the queue. Returns the deliveries queued.
 */
export async function deliverCommittedEvents(url: string, db: Database): Promise<number> {
  const pool = ownerPoolFor(url, 2);
  const { event_deliver } = eventBusTasks({ db });
  const quiet = new Logger(() => () => {});
  const workerId = `eva-deliver-once-${process.pid}-${Date.now()}`;
  let queued = 0;
  try {
    for (let round = 0; round < 20; round++) {
      const dispatched = await dispatchEvents(db, { successor: false });
      queued += dispatched.queued;
      if (event_deliver)
        await runOnce({
          pgPool: pool,
          taskList: { event_deliver },
          concurrency: 1,
          // Read by graphile-worker from the raw options (one worker), though its types leave it out.
          ...({ workerId } as object),
          noHandleSignals: true,
          logger: quiet,
        });
      // graphile-worker records a finished job's outcome in the background: wait for it before going on.
      for (let i = 0; i < 200; i++) {
        const { rows } = await pool.query<{ n: number }>(
          "select count(*)::int as n from graphile_worker._private_jobs where locked_by = $1",
          [workerId],
        );
        if ((rows[0]?.n ?? 0) === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      if (dispatched.read === 0) break;
    }
  } finally {
    await pool.end();
  }
  return queued;
}
