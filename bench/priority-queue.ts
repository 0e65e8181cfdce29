// The priority queue (spec §10): 400 ventures ready at once, 4 workers. Each
// venture gets a different projected revenue (in an order unrelated to the
// order the ventures and their jobs were created), which re-ranks its queued
// stage_run job; then an in-process worker (offline analyst, concurrency 4)
// runs them. Every Stage 1 run escalates to the Chairman (global
// score_threshold 100), so each venture runs exactly one stage and the order
// is the queue's alone. Reports the Spearman rank correlation between a
// venture's priority rank and the order its run started (1 = strictly by
// priority, 0 = unrelated, as first-in first-out would be here), and how long
// before the bottom decile's first start the top decile had all finished.
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "kysely";
import { connect } from "../src/db/client.ts";
import { createDatabaseCache } from "../src/llm/cache.ts";
import { createOfflineAnalyst } from "../src/llm/offline-analyst.ts";
import { startWorker } from "../src/worker.ts";
import { abortable, type BenchServer, type Measurement, progress } from "./lib.ts";
import { createBenchVentures } from "./stage-engine.ts";

const VENTURES = 400;
const WORKERS = 4;

/** Spearman's ρ of two rankings of the same items (ranks 1..n, no ties). */
export function spearman(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  if (n < 2 || b.length !== n) return Number.NaN;
  let d2 = 0;
  for (let i = 0; i < n; i++) d2 += ((a[i] ?? 0) - (b[i] ?? 0)) ** 2;
  return 1 - (6 * d2) / (n * (n * n - 1));
}

export async function priorityQueue(server: BenchServer, signal: AbortSignal): Promise<Measurement[]> {
  const database = await server.freshDatabase("priority_queue");
  const connection = connect(database.url, { max: 2, applicationName: "eva-bench" });
  const service = connect(database.url, { max: 2, applicationName: "eva-bench-cache", role: "eva_service" });
  let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
  try {
    progress(`creating ${VENTURES} ready ventures with different projected revenue`);
    await createBenchVentures(connection.db, VENTURES);
    await sql`update eva.chairman_preferences set value = '100' where scope = 'global' and key = 'score_threshold'`.execute(
      connection.db,
    );
    // Revenue 1 .. 10^7 on a log scale, in an order scattered against creation (7919 is prime to 400).
    await sql`
      update eva.ventures v set projected_revenue = round(power(10, 7.0 * ((r.n * 7919) % ${VENTURES}) / ${VENTURES}))
      from (select id, row_number() over (order by created_at, name) as n from eva.ventures) r
      where r.id = v.id`.execute(connection.db);
    // The stage-run-rerank subscription re-ranks the queued jobs once a worker delivers their ventures'
    // venture.priority_changed events; a worker started now would take its first jobs before that. The
    // re-rank it would make, made here before the worker starts, so that every job starts at its priority.
    await sql`select eva_private.fn_rerank_stage_runs(null)`.execute(connection.db);
    const { rows: queued } = await sql<{ venture_id: string; priority: number; created: number }>`
      select w.venture_id, j.priority, row_number() over (order by j.id)::int as created from eva.venture_stage_work w
      join graphile_worker.jobs j on j.key = 'stage_run:' || w.id
      where w.status = 'ready' order by j.priority, w.venture_id`.execute(connection.db);
    const { rows: expected } = await sql<{ n: number }>`
      select count(*)::int as n from eva.venture_stage_work w
      join graphile_worker.jobs j on j.key = 'stage_run:' || w.id
      where j.priority = eva_private.fn_stage_run_priority(w.venture_id)`.execute(connection.db);
    if (queued.length !== VENTURES || expected[0]?.n !== VENTURES) {
      throw new Error(
        `expected ${VENTURES} re-ranked jobs, found ${queued.length} (${expected[0]?.n} at their priority)`,
      );
    }

    const analyst = createOfflineAnalyst({ cache: createDatabaseCache(service.db) });
    const started = performance.now();
    worker = await startWorker({ url: database.url, analyst, concurrency: WORKERS, log: progress });
    for (;;) {
      const { rows } = await sql<{ n: number }>`
        select count(distinct venture_id)::int as n from eva.eva_event_log
        where event_type = 'stage.work_completed' and (payload ->> 'stage')::int = 1`.execute(connection.db);
      if ((rows[0]?.n ?? 0) >= VENTURES) break;
      await abortable(sleep(250), signal);
    }
    const seconds = (performance.now() - started) / 1000;
    await worker.stop();
    worker = undefined;

    const { rows: runs } = await sql<{ venture_id: string; started: Date; finished: Date }>`
      select s.venture_id, min(s.created_at) as started, min(c.created_at) as finished
      from eva.eva_event_log s
      join eva.eva_event_log c on c.venture_id = s.venture_id and c.event_type = 'stage.work_completed'
        and (c.payload ->> 'stage')::int = 1
      where s.event_type = 'stage.work_started' and (s.payload ->> 'stage')::int = 1
      group by s.venture_id`.execute(connection.db);
    const byVenture = new Map(runs.map((r) => [r.venture_id, r]));
    const startRank = new Map(
      [...runs].sort((x, y) => x.started.getTime() - y.started.getTime()).map((r, i) => [r.venture_id, i + 1]),
    );
    const priorityRanks = queued.map((_, i) => i + 1);
    const startRanks = queued.map((q) => startRank.get(q.venture_id) ?? VENTURES);
    const rho = spearman(priorityRanks, startRanks);
    // What first-in first-out (job creation order) would have given on the same portfolio.
    const fifo = spearman(
      priorityRanks,
      queued.map((q) => q.created),
    );
    const decile = VENTURES / 10;
    const top = queued.slice(0, decile).map((q) => byVenture.get(q.venture_id));
    const bottom = queued.slice(-decile).map((q) => byVenture.get(q.venture_id));
    const topLastFinish = Math.max(...top.map((r) => r?.finished.getTime() ?? Number.POSITIVE_INFINITY));
    const bottomFirstStart = Math.min(...bottom.map((r) => r?.started.getTime() ?? Number.NEGATIVE_INFINITY));
    const gap = (bottomFirstStart - topLastFinish) / 1000;
    return [
      {
        id: "priority.spearman",
        label: `priority rank vs start order (${VENTURES} ready, ${WORKERS} workers)`,
        value: rho,
        unit: "ρ",
        note: `Spearman ρ = ${rho.toFixed(4)} (first-in first-out here: ${fifo.toFixed(4)}); ${VENTURES} runs in ${seconds.toFixed(1)} s`,
      },
      {
        id: "priority.decile_gap",
        label: "top decile all finished → bottom decile's first start",
        value: gap,
        unit: "s",
        note:
          gap > 0 ? "top decile finished before the bottom decile started" : "overlap: the bottom decile started first",
      },
    ];
  } finally {
    await worker?.stop().catch(() => {});
    await connection.close();
    await service.close();
    await database.drop();
  }
}
