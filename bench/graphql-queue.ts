// The Chairman's decision queue as the Chairman reads it: the stage engine's
// portfolio (689 ventures, EVA_BENCH_VENTURES overrides) run through the
// pipeline with its full artifact history until every venture waits on its
// Stage 25 venture_future decision, then eva.decision_queue read whole,
// (a) through GraphQL over HTTP (startApiServer, a Chairman Bearer token) and
// (b) by the same select over pg as eva_chairman, and (c) the floor: the same
// pending rows' own columns read straight from eva.chairman_decisions, no
// join, no ranking. One request at a time, the three in turn so that drift
// hits them alike; direct SQL is read against the floor, GraphQL against direct SQL.
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { type ApiServer, startApiServer } from "../graphql/server.ts";
import { mintToken } from "../src/auth/tokens.ts";
import { connect } from "../src/db/client.ts";
import { engineRead, httpRead } from "./graphql-floor.ts";
import { abortable, type BenchServer, type Measurement, progress, summarize } from "./lib.ts";
import { createBenchVentures, runPortfolio } from "./stage-engine.ts";
import { floor } from "./worker-floor.ts";

const VENTURES = Number(process.env.EVA_BENCH_VENTURES ?? 689);
const WARMUP = 30;
const SAMPLES = 300;

// The view's columns in its own order; no orderBy/ORDER BY: both read the view's ranking.
const QUERY = `query DecisionQueue {
  allDecisionQueues(first: 1000) {
    nodes {
      decisionId decisionType lifecycleStage ventureId ventureName urgency blocking
      dfeTriggers dfeMitigations recommendedAction priorityScore createdAt
      age { years months days hours minutes seconds }
    }
  }
}`;
const SQL = {
  name: "bench_decision_queue",
  text: `select decision_id, decision_type, lifecycle_stage, venture_id, venture_name, urgency, blocking,
    dfe_triggers, dfe_mitigations, recommended_action, priority_score, created_at, age
    from eva.decision_queue`,
};
// The floor: what the queue shows of each pending decision that is stored in its row (its venture's
// name too, kept there while it is pending).
const FLOOR = {
  name: "bench_decision_queue_floor",
  text: `select id, decision_type, lifecycle_stage, venture_id, venture_name, urgency, blocking,
    dfe_triggers, dfe_mitigations, recommended_action, created_at
    from eva.chairman_decisions where status = 'pending'`,
};

interface QueueNode {
  decisionId: string;
  [field: string]: unknown;
}
interface QueueResponse {
  data?: { allDecisionQueues?: { nodes: QueueNode[] } | null } | null;
  errors?: { message: string }[];
}

export async function graphqlQueue(server: BenchServer, signal: AbortSignal): Promise<Measurement[]> {
  const database = await server.freshDatabase("graphql_queue");
  const connection = connect(database.url, { max: 4, applicationName: "eva-bench" });
  const service = connect(database.url, { max: 2, applicationName: "eva-bench-cache", role: "eva_service" });
  try {
    progress(`creating ${VENTURES} ventures`);
    await createBenchVentures(connection.db, VENTURES, { wellArgued: true });
    // The worker on a thread of its own, as `eva start` runs it: the API measured below shares no heap with it.
    const portfolio = await runPortfolio(database.url, connection, service, signal, {
      engineering: true,
      thread: true,
    });
    const { rows: outcome } = await connection.pool.query<{ stage: number; status: string; n: number }>(
      `select current_lifecycle_stage as stage, status::text, count(*)::int as n from eva.ventures
       group by 1, 2 order by 1, 2`,
    );
    const { rows: artifacts } = await connection.pool.query<{ n: number }>(
      "select count(*)::int as n from eva.venture_artifacts",
    );
    const state = outcome.map((o) => `${o.n} ${o.status}@${o.stage}`).join(", ");
    progress(
      `portfolio built in ${portfolio.seconds.toFixed(1)} s (${portfolio.runs} stage runs, ` +
        `${artifacts[0]?.n ?? 0} artifacts): ${state}`,
    );
    // As a settled database would be after autovacuum, and so that none runs while sampling.
    await abortable(connection.pool.query("vacuum (analyze)"), signal);
    const rows = await measureQueue(database.url, signal);
    const first = rows[0];
    if (first) {
      first.note = `${first.note}; portfolio of ${VENTURES} built in ${portfolio.seconds.toFixed(0)} s (${state})`;
    }
    return [
      ...rows,
      {
        id: "stage_run.full_pipeline_per_s",
        label: "stage runs/s, full pipeline",
        value: portfolio.runs / portfolio.seconds,
        unit: "runs/s",
        vsFloor: floor.jobsPerSecond,
        note: `${portfolio.runs} runs building this portfolio (all 25 stages, Chairman gates, SD bridge), first start → settled`,
      },
      ...(portfolio.steadyPerSecond === null
        ? []
        : [
            {
              id: "stage_run.full_pipeline_steady_per_s",
              label: "stage runs/s, full pipeline, steady (10-90 %)",
              value: portfolio.steadyPerSecond,
              unit: "runs/s",
              vsFloor: floor.jobsPerSecond,
              note: "the same runs while the pipeline is full; a run costs 1/ratio no-op jobs (aim ≤ 5)",
            },
          ]),
    ];
  } finally {
    await connection.close();
    await service.close();
    await database.drop();
  }
}

/**
 * Reads `url`'s decision queue (a built, settled portfolio) the three ways in turn and
 * returns the floor, direct SQL and GraphQL rows.
 */
export async function measureQueue(url: string, signal: AbortSignal): Promise<Measurement[]> {
  const chairman = new pg.Client({
    connectionString: url,
    application_name: "eva-bench-chairman-sql",
    options: "-c role=eva_chairman",
  });
  chairman.on("error", () => {});
  // A secret for this run only: the token and the server agree without touching .eva/jwt-secret.
  const previousSecret = process.env.EVA_JWT_SECRET;
  process.env.EVA_JWT_SECRET = randomBytes(36).toString("base64url");
  let api: ApiServer | undefined;
  try {
    api = await startApiServer({ url, port: 0 });
    const token = await mintToken("chairman", 3600);
    await chairman.connect();
    progress(`API at ${api.url}`);

    const endpoint = api.url;
    const body = JSON.stringify({ query: QUERY });
    let bytes = 0;
    const viaGraphql = async (): Promise<QueueNode[]> => {
      const response = await fetch(endpoint, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/graphql-response+json, application/json",
          authorization: `Bearer ${token}`,
        },
        body,
        signal,
      });
      const text = await response.text();
      bytes = Buffer.byteLength(text);
      const parsed = JSON.parse(text) as QueueResponse;
      const nodes = parsed.data?.allDecisionQueues?.nodes;
      if (!response.ok || parsed.errors || !nodes) {
        throw new Error(`GraphQL queue read failed (HTTP ${response.status}): ${text.slice(0, 500)}`);
      }
      return nodes;
    };
    const viaSql = async () => (await abortable(chairman.query<{ decision_id: string }>(SQL), signal)).rows;
    const viaFloor = async () => (await abortable(chairman.query<{ id: string }>(FLOOR), signal)).rows;

    // GraphQL and SQL read the same queue in the same order; the floor reads the same rows.
    const [nodes, rows, floorRows] = [await viaGraphql(), await viaSql(), await viaFloor()];
    const graphqlIds = nodes.map((n) => n.decisionId).join();
    const sqlIds = rows.map((r) => r.decision_id).join();
    if (graphqlIds !== sqlIds) {
      throw new Error(`GraphQL read ${nodes.length} decisions, SQL ${rows.length}, or in another order`);
    }
    if (
      floorRows
        .map((r) => r.id)
        .sort()
        .join() !==
      rows
        .map((r) => r.decision_id)
        .sort()
        .join()
    ) {
      throw new Error(`the floor read ${floorRows.length} decisions, the queue ${rows.length}, or others`);
    }
    if (rows.length === 0) throw new Error("the decision queue is empty: nothing to measure");
    // What GraphQL costs before the database: grafast making this very response's rows from memory,
    // and a request that reads nothing (graphql-floor.ts).
    const viaEngine = await engineRead(nodes);
    const viaHttp = httpRead(endpoint, token, signal);
    progress(`queue holds ${rows.length} pending decisions; ${WARMUP} warm-up + ${SAMPLES} samples each`);

    const timed = async <T extends unknown[]>(read: () => Promise<T>): Promise<[T, number]> => {
      const t0 = performance.now();
      const result = await read();
      return [result, performance.now() - t0];
    };
    const floorMs: number[] = [];
    const sqlMs: number[] = [];
    const graphqlMs: number[] = [];
    const engineMs: number[] = [];
    const httpMs: number[] = [];
    for (let i = 0; i < WARMUP + SAMPLES; i++) {
      signal.throwIfAborted();
      const [floorRead, floorTime] = await timed(viaFloor);
      const [read, sqlTime] = await timed(viaSql);
      const [nodesRead, graphqlTime] = await timed(viaGraphql);
      if (floorRead.length !== rows.length || read.length !== rows.length || nodesRead.length !== rows.length) {
        throw new Error(`queue length changed while sampling: ${floorRead.length}/${read.length}/${nodesRead.length}`);
      }
      if (i >= WARMUP) {
        floorMs.push(floorTime);
        sqlMs.push(sqlTime);
        graphqlMs.push(graphqlTime);
      }
      if ((i + 1) % 100 === 0) progress(`queue reads: ${i + 1}/${WARMUP + SAMPLES}`);
    }
    // Apart, after the three, so that their allocations weigh on none of the three's samples.
    for (let i = 0; i < WARMUP + SAMPLES; i++) {
      signal.throwIfAborted();
      const [, engineTime] = await timed(async () => [await viaEngine()]);
      const [, httpTime] = await timed(async () => [await viaHttp()]);
      if (i >= WARMUP) {
        engineMs.push(engineTime);
        httpMs.push(httpTime);
      }
    }
    const f = summarize(floorMs);
    const s = summarize(sqlMs);
    const g = summarize(graphqlMs);
    const e = summarize(engineMs);
    const h = summarize(httpMs);
    const range = (x: typeof s) => `n=${x.n}, min ${x.min.toFixed(2)}, max ${x.max.toFixed(2)} ms`;
    return [
      {
        id: "floor.queue_rows_p50",
        label: "floor: pending decisions' rows p50",
        value: f.p50,
        unit: "ms",
        note:
          `${rows.length} pending decisions' own columns from eva.chairman_decisions, no join, no ranking; ` +
          `${range(f)}; pg as eva_chairman, prepared`,
      },
      { id: "floor.queue_rows_p95", label: "floor: pending decisions' rows p95", value: f.p95, unit: "ms" },
      {
        id: "queue.sql_p50",
        label: "direct SQL queue p50",
        value: s.p50,
        unit: "ms",
        vsFloor: "floor.queue_rows_p50",
        note: `eva.decision_queue whole, ranked; ${range(s)}; pg as eva_chairman, prepared`,
      },
      {
        id: "queue.sql_p95",
        label: "direct SQL queue p95",
        value: s.p95,
        unit: "ms",
        vsFloor: "floor.queue_rows_p95",
        note: "aim: within 2x of the floor",
      },
      {
        id: "queue.graphql_p50",
        label: "graphql queue p50",
        value: g.p50,
        unit: "ms",
        vs: "queue.sql_p50",
        note: `vs direct SQL; ${range(g)}; HTTP keep-alive, ${(bytes / 1024).toFixed(0)} KiB response`,
      },
      {
        id: "queue.graphql_p95",
        label: "graphql queue p95",
        value: g.p95,
        unit: "ms",
        vs: "queue.sql_p95",
        note: "vs direct SQL; aim: within 2x of direct SQL",
      },
      {
        id: "queue.graphql_engine_p95",
        label: "graphql engine alone, same rows from memory p95",
        value: e.p95,
        unit: "ms",
        vs: "queue.sql_p95",
        note:
          `the response's ${nodes.length} rows made again by PostGraphile's executor with no database and no HTTP ` +
          `(bench/graphql-floor.ts); p50 ${e.p50.toFixed(2)} ms`,
      },
      {
        id: "queue.graphql_http_p95",
        label: "graphql request that reads nothing p95",
        value: h.p95,
        unit: "ms",
        vs: "queue.sql_p95",
        note: `{ __typename } with the same token: HTTP, authentication, response; p50 ${h.p50.toFixed(2)} ms`,
      },
    ];
  } finally {
    await api?.close().catch(() => {});
    await chairman.end().catch(() => {});
    if (previousSecret === undefined) delete process.env.EVA_JWT_SECRET;
    else process.env.EVA_JWT_SECRET = previousSecret;
  }
}
