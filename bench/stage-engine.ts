// The stage engine at portfolio scale: the spec's 689 ventures (EVA_BENCH_VENTURES
// overrides) run through the pipeline by an in-process worker (concurrency 10,
// EVA_BENCH_CONCURRENCY overrides) with the offline analyst, a bench "Chairman"
// approving every Chairman gate as it opens.
// Reports stage runs per second beside the no-op floor, the portfolio's wall
// time, the worker's peak memory and the prompt tokens per stage.
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "kysely";
import pg from "pg";
import { type Connection, connect, withRole } from "../src/db/client.ts";
import { createDatabaseCache } from "../src/llm/cache.ts";
import { createOfflineAnalyst } from "../src/llm/offline-analyst.ts";
import { startWorker } from "../src/worker.ts";
import { startWorkerThread } from "../src/worker-thread.ts";
import { abortable, type BenchServer, type Measurement, progress } from "./lib.ts";
import { floor } from "./worker-floor.ts";

const VENTURES = Number(process.env.EVA_BENCH_VENTURES ?? 689);
const CONCURRENCY = Number(process.env.EVA_BENCH_CONCURRENCY ?? 10);

/** The stage_engine bench portfolio as it stands after `runPortfolio`. */
export interface PortfolioRun {
  /** Stage runs completed (stage.work_completed events). */
  runs: number;
  /** First worker start → nothing left to run or approve. */
  seconds: number;
  /**
   * Stage runs per second between 10 % and 90 % of `runs` completed: the pipeline's
   * steady state, without its start and its tail (the last ventures' stages run one after
   * another, fewer than the worker's concurrency, while the bench Chairman and engineering
   * answer). null when too few samples fall in that window.
   */
  steadyPerSecond: number | null;
}

/** Runs per second between the samples at 10 % and 90 % of the final count. */
function steadyRate(samples: readonly { t: number; runs: number }[], total: number): number | null {
  const from = samples.find((s) => s.runs >= 0.1 * total);
  const to = samples.findLast((s) => s.runs <= 0.9 * total);
  if (!from || !to || to.t - from.t < 1000 || to.runs <= from.runs) return null;
  return ((to.runs - from.runs) / (to.t - from.t)) * 1000;
}

/**
 * Creates `count` bench ventures (at Stage 1, as eva_chairman would). `wellArgued` ones state
 * more (longer problem and value proposition, four assumptions, three criteria, a moat), which
 * the offline analyst rewards: far fewer die at the Stage 3 kill gate.
 */
export async function createBenchVentures(
  db: Connection["db"],
  count: number,
  options: { wellArgued?: boolean } = {},
): Promise<void> {
  const more = options.wellArgued ?? false;
  await withRole(db, "eva_chairman", (trx) =>
    sql`select count(*) from generate_series(1, ${count}::int) as i,
      lateral eva.fn_create_venture(
        'Bench venture ' || i,
        'Venture ' || i || ' builds software for a niche of small businesses that still work on paper today.',
        'Niche ' || i || ' loses hours a week to manual paperwork and errors.' || case when ${more} then
          ' Owners re-key the same data into three systems, miss filing deadlines and pay penalties every quarter;'
          || ' none of the incumbents serves a firm this size.' else '' end,
        'Automates the paperwork of niche ' || i || ' end to end, with an audit trail.' || case when ${more} then
          ' One inbox for every form, filled from the data the firm already has, checked before it is sent and'
          || ' filed on time, with every change traceable for the auditor.' else '' end,
        'Small businesses in niche ' || i,
        (array['saas','marketplace','deeptech','hardware','services','media','fintech'])[1 + i % 7]::eva.venture_archetype,
        array['Niche ' || i || ' pays 30 EUR a month', 'Owners adopt within a quarter']
          || case when ${more} then array['Accountants refer their clients', 'Forms change at most yearly']
             else array[]::text[] end,
        array['100 customers in a year']
          || case when ${more} then array['Churn under 3% a month', 'Payback within 6 months'] else array[]::text[] end,
        case when ${more} then 'Integrations with every regional filing authority and the data they accumulate' end
      ) as v`.execute(trx),
  );
}

/**
 * Runs every venture in `url`'s database through the pipeline: an in-process worker
 * (offline analyst, `CONCURRENCY`) and a bench "Chairman" approving each Chairman gate as
 * it opens, except the final venture_future one, so each venture ends waiting on its
 * Stage 25 decision. Returns once nothing is left to run or approve; stops the worker.
 */
export async function runPortfolio(
  url: string,
  connection: Connection,
  service: Connection,
  signal: AbortSignal,
  options: {
    /**
     * Also play engineering: report every pending SD work item as succeeded (eva.fn_sd_complete,
     * as eva_service) so ventures get past Stage 19's SD bridge instead of waiting there.
     */
    engineering?: boolean;
    /** Run the worker on a thread of its own, as `eva start` does (src/worker-thread.ts), not on this event loop. */
    thread?: boolean;
  } = {},
): Promise<PortfolioRun> {
  const listener = new pg.Client({ connectionString: url, application_name: "eva-bench-chairman" });
  listener.on("error", () => {});
  let worker: { stop(): Promise<void>; failure?: Promise<never> } | undefined;
  try {
    // The bench Chairman: approves each Chairman gate as it opens (not the final venture_future one),
    // and lets every DFE escalation proceed.
    await listener.connect();
    await listener.query("listen eva_events");
    // A NOTIFY only wakes the Chairman up; the decisions to approve are read from the event feed's cursor
    // (each chairman.decision_requested once, even if its transaction committed late).
    let cursor =
      (await sql<{ cursor: string }>`select eva.fn_event_cursor() as cursor`.execute(connection.db)).rows[0]?.cursor ??
      null;
    let approving = Promise.resolve();
    const catchUp = () => {
      approving = approving.then(async () => {
        for (;;) {
          const { rows: events } = await sql<{ cursor: string; event_type: string; decision_id: string | null }>`
            select e.cursor, e.event_type, e.payload ->> 'decision_id' as decision_id
            from eva.fn_events_after(${cursor}, 100, 'chairman') e`.execute(connection.db);
          const last = events.at(-1);
          if (!last) return;
          cursor = last.cursor;
          for (const event of events) {
            if (event.event_type !== "chairman.decision_requested") continue;
            await withRole(connection.db, "eva_chairman", async (trx) => {
              const { rows } = await sql<{ id: string; decision_type: string }>`
                select d.id, d.decision_type from eva.chairman_decisions d
                where d.id = ${event.decision_id}::uuid and d.status = 'pending'`.execute(trx);
              const d = rows[0];
              if (!d || d.decision_type === "venture_future") return;
              const decision =
                d.decision_type === "release_decision"
                  ? "release"
                  : d.decision_type === "dfe_escalation"
                    ? "proceed"
                    : "approve";
              await sql`select eva.fn_decide(${d.id}::uuid, ${decision}, 'bench chairman')`.execute(trx);
            });
          }
        }
      });
    };
    listener.on("notification", catchUp);

    const analyst = createOfflineAnalyst({ cache: createDatabaseCache(service.db) });
    const started = performance.now();
    worker = options.thread
      ? await startWorkerThread({ url, analyst: "offline", concurrency: CONCURRENCY, log: progress })
      : await startWorker({ url, analyst, concurrency: CONCURRENCY, log: progress });
    const settled = async () => {
      const { rows } = await sql<{ open: number; runs: number }>`
        select (select count(*)::int from eva.venture_stage_work where status in ('ready', 'in_progress')) as open,
               (select count(*)::int from eva.eva_event_log where event_type = 'stage.work_completed') as runs`.execute(
        connection.db,
      );
      return rows[0] ?? { open: 0, runs: 0 };
    };
    // Engineering's reports, as `eva sd complete` makes them; true when there were any.
    const engineer = async () => {
      if (!options.engineering) return false;
      const { rows } = await sql<{ n: number }>`
        select count(eva.fn_sd_complete(i.id, 'succeeded', 20, 0, 85, '{"notes": "bench engineering"}'::jsonb))::int as n
        from (select id from eva.sd_work_items where kind = 'child' and status = 'pending'
              order by venture_id, saga_id, position) as i`.execute(service.db);
      return (rows[0]?.n ?? 0) > 0;
    };
    let state = await settled();
    const samples = [{ t: performance.now(), runs: state.runs }];
    let lastReport = 0;
    while (
      state.open > 0 ||
      (await engineer()) ||
      (
        await sql<{ n: number }>`select count(*)::int as n from eva.chairman_decisions
      where status = 'pending' and decision_type <> 'venture_future'`.execute(connection.db)
      ).rows[0]?.n
    ) {
      await abortable(worker.failure ? Promise.race([sleep(250), worker.failure]) : sleep(250), signal);
      // Decisions held back behind an open transaction come through on the next look.
      catchUp();
      state = await settled();
      samples.push({ t: performance.now(), runs: state.runs });
      if (performance.now() - lastReport > 5_000) {
        lastReport = performance.now();
        progress(`stage runs: ${state.runs} (${(state.runs / ((performance.now() - started) / 1000)).toFixed(0)}/s)`);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    await approving;
    return { runs: state.runs, seconds, steadyPerSecond: steadyRate(samples, state.runs) };
  } finally {
    await worker?.stop().catch(() => {});
    await listener.end().catch(() => {});
  }
}

export async function stageEngine(server: BenchServer, signal: AbortSignal): Promise<Measurement[]> {
  const database = await server.freshDatabase("stage_engine");
  const connection = connect(database.url, { max: 4, applicationName: "eva-bench" });
  const service = connect(database.url, { max: 2, applicationName: "eva-bench-cache", role: "eva_service" });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  try {
    progress(`creating ${VENTURES} ventures`);
    await createBenchVentures(connection.db, VENTURES);
    const { runs, seconds, steadyPerSecond } = await runPortfolio(database.url, connection, service, signal, {
      engineering: true,
    });
    const { rows: outcome } = await sql<{ stage: number; status: string; n: number }>`
      select current_lifecycle_stage as stage, status::text, count(*)::int as n from eva.ventures
      group by 1, 2 order by 1, 2`.execute(connection.db);
    const { rows: tokens } = await sql<{ stage: number; mean: number }>`
      select lifecycle_stage as stage, avg(prompt_tokens)::float as mean from eva.venture_budget_transactions
      group by 1 order by 1`.execute(connection.db);
    const rate = runs / seconds;
    const means = tokens.map((t) => t.mean);
    const maxStage = tokens.reduce((a, b) => (b.mean > a.mean ? b : a), tokens[0] ?? { stage: 0, mean: 0 });
    return [
      {
        id: "stage_run.per_s",
        label: "stage runs/s (offline analyst)",
        value: rate,
        unit: "runs/s",
        vsFloor: floor.jobsPerSecond,
        note: `${runs} runs, concurrency ${CONCURRENCY}, first start → settled (with the pipeline's tail); a run costs 1/ratio no-op jobs`,
      },
      ...(steadyPerSecond === null
        ? []
        : [
            {
              id: "stage_run.steady_per_s",
              label: "stage runs/s, steady (10-90 % of runs)",
              value: steadyPerSecond,
              unit: "runs/s",
              vsFloor: floor.jobsPerSecond,
              note: "the same runs while the pipeline is full; a run costs 1/ratio no-op jobs (aim ≤ 5)",
            },
          ]),
      {
        id: "portfolio.seconds",
        label: `portfolio of ${VENTURES} through the pipeline`,
        value: seconds,
        unit: "s",
        note: outcome.map((o) => `${o.n} ${o.status}@${o.stage}`).join(", "),
      },
      { id: "worker.peak_rss_mb", label: "worker peak memory (RSS)", value: peakRss / 2 ** 20, unit: "MiB" },
      {
        id: "stage_run.prompt_tokens",
        label: "prompt tokens per stage (mean)",
        value: means.length ? means.reduce((a, b) => a + b, 0) / means.length : 0,
        unit: "tokens",
        note: `estimated; largest at stage ${maxStage.stage}: ${Math.round(maxStage.mean)}`,
      },
    ];
  } finally {
    clearInterval(sampler);
    await connection.close();
    await service.close();
    await database.drop();
  }
}
