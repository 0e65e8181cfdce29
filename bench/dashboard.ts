// The Chairman's dashboard in headless Chromium (issue 11, "Done when"): the
// stage engine's portfolio (689 ventures, EVA_BENCH_VENTURES overrides) run
// until every venture waits for the Chairman, then the dashboard served by
// startApiServer and opened by a signed-in Chairman:
//   first load: a fresh browser context (empty cache) from navigation to the
//     ranked queue rendered (every row it lists before "Show all"), and the same in a warm context;
//   GraphQL requests the queue page makes (aim: one);
//   the queue page's data: its one query over HTTP against the same select
//     as eva_chairman over pg (aim: p95 ≤ 2× SQL);
//   the portfolio page (vital signs, heatmap, the charts' history) and a
//     venture page: GraphQL requests each makes, the portfolio page's load to
//     its charts drawn, and its query (replayed as the page sent it) against
//     the selects it reads.
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import pg from "pg";
import type { Page } from "playwright-core";
import { type ApiServer, startApiServer } from "../graphql/server.ts";
import { buildWeb } from "../graphql/web-build.ts";
import { issueToken } from "../src/auth/tokens.ts";
import { connect } from "../src/db/client.ts";
import { launchBrowser } from "../test/helpers/browser.ts";
import { engineRead, httpRead } from "./graphql-floor.ts";
import { abortable, type BenchServer, type Measurement, progress, summarize } from "./lib.ts";
import { createBenchVentures, runPortfolio } from "./stage-engine.ts";

const VENTURES = Number(process.env.EVA_BENCH_VENTURES ?? 689);
const LOADS = 15;
const DATA_SAMPLES = 100;

// The queue page's own query (web/src/pages/queue.tsx) and the select it stands for.
const ROW =
  "decisionId ventureName decisionType lifecycleStage urgency blocking createdAt reason recommendedAction priorityScore";
const QUERY = `query Queue { allDecisionQueues(first: 100) { nodes { ${ROW} } } pendingDecisionCount }`;
const SQL = {
  name: "bench_dashboard_queue",
  text: `select decision_id, venture_name, decision_type, lifecycle_stage, urgency, blocking, created_at, reason,
    recommended_action, priority_score, (select eva.fn_pending_decision_count()) as total from eva.decision_queue limit 100`,
};

export async function dashboard(server: BenchServer, signal: AbortSignal): Promise<Measurement[]> {
  const web = await buildWeb();
  if (!web.built && web.reason === "no-vite") throw new Error("the dashboard is not built and Vite is not installed");
  const database = await server.freshDatabase("dashboard");
  const connection = connect(database.url, { max: 4, applicationName: "eva-bench" });
  const service = connect(database.url, { max: 2, applicationName: "eva-bench-cache", role: "eva_service" });
  const previousSecret = process.env.EVA_JWT_SECRET;
  process.env.EVA_JWT_SECRET = randomBytes(36).toString("base64url");
  let api: ApiServer | undefined;
  const chairman = new pg.Client({ connectionString: database.url, options: "-c role=eva_chairman" });
  chairman.on("error", () => {});
  const browser = await launchBrowser();
  try {
    progress(`creating ${VENTURES} ventures`);
    await createBenchVentures(connection.db, VENTURES, { wellArgued: true });
    // The worker on a thread of its own, as `eva start` runs it: the API measured below shares no heap with it.
    const portfolio = await runPortfolio(database.url, connection, service, signal, {
      engineering: true,
      thread: true,
    });
    await abortable(connection.pool.query("vacuum (analyze)"), signal);
    api = await startApiServer({ url: database.url, port: 0 });
    await chairman.connect();
    const pending = Number(
      (await chairman.query<{ n: string }>("select count(*) as n from eva.decision_queue")).rows[0]?.n,
    );
    // The rows the queue page reads and lists before its "Show all" (QUEUE_ROWS in web/src/pages/queue.tsx).
    const shown = Math.min(pending, 100);
    if (shown === 0) throw new Error("the decision queue is empty: nothing to measure");
    progress(
      `portfolio built in ${portfolio.seconds.toFixed(0)} s; ${pending} pending decisions; dashboard at ${api.dashboardUrl}`,
    );
    const { token } = await issueToken("chairman", 3600);

    const origin = api.dashboardUrl;
    let graphqlRequests = 0;
    let lastGraphqlBody = "";
    /** Opens the queue in `page` (signed in) and answers ms from navigation to every listed row rendered. */
    const openQueue = async (page: Page): Promise<number> => {
      const t0 = performance.now();
      await page.goto(origin);
      await page
        .locator("tbody tr")
        .nth(shown - 1)
        .waitFor({ timeout: 60_000 });
      return performance.now() - t0;
    };
    const signedIn = async () => {
      const context = await browser.newContext();
      // The session as sign-in leaves it, set before any page script runs (not through the app's own code).
      await context.addInitScript((t) => sessionStorage.setItem("eva.session", t), token);
      const page = await context.newPage();
      page.on("request", (r) => {
        if (r.method() === "POST" && new URL(r.url()).pathname === "/graphql") {
          graphqlRequests++;
          lastGraphqlBody = r.postData() ?? "";
        }
      });
      return { context, page };
    };

    const cold: number[] = [];
    const requestsPerLoad: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      signal.throwIfAborted();
      const { context, page } = await signedIn();
      graphqlRequests = 0;
      cold.push(await openQueue(page));
      requestsPerLoad.push(graphqlRequests);
      await context.close();
    }
    const warm: number[] = [];
    const { context, page } = await signedIn();
    await openQueue(page);
    for (let i = 0; i < LOADS; i++) {
      signal.throwIfAborted();
      warm.push(await openQueue(page));
    }
    // The portfolio page (to its four charts drawn) and the venture page with the most artifact versions.
    const portfolioLoads: number[] = [];
    let portfolioRequests = 0;
    let portfolioBody = "";
    for (let i = 0; i < 5; i++) {
      graphqlRequests = 0;
      const t0 = performance.now();
      await page.goto(`${origin}portfolio`);
      await page.locator('[data-testid="chart-revenue"] .plot canvas').waitFor({ timeout: 60_000 });
      portfolioLoads.push(performance.now() - t0);
      portfolioRequests = Math.max(portfolioRequests, graphqlRequests);
      portfolioBody = lastGraphqlBody;
    }
    const busiest = (
      await chairman.query<{ id: string }>(
        "select venture_id as id from eva.venture_artifacts group by 1 order by count(*) desc limit 1",
      )
    ).rows[0]?.id;
    graphqlRequests = 0;
    await page.goto(`${origin}ventures/${busiest}`);
    await page.getByRole("heading", { name: "All artifact versions" }).waitFor({ timeout: 60_000 });
    const ventureRequests = graphqlRequests;
    await context.close();

    const portfolioSql =
      "select * from eva.portfolio_metrics limit 1; select * from eva.venture_health_heatmap limit 1000; select * from eva.fn_portfolio_metrics_history(12)";
    const pgqlMs: number[] = [];
    const psqlMs: number[] = [];
    for (let i = 0; i < 40; i++) {
      signal.throwIfAborted();
      let t0 = performance.now();
      await abortable(chairman.query(portfolioSql), signal);
      const s = performance.now() - t0;
      t0 = performance.now();
      const response = await fetch(api?.url ?? "", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: portfolioBody,
        signal,
      });
      const parsed = (await response.json()) as { errors?: unknown };
      if (parsed.errors) throw new Error("the portfolio query failed");
      const g = performance.now() - t0;
      if (i >= 5) {
        psqlMs.push(s);
        pgqlMs.push(g);
      }
    }
    const pl = summarize(portfolioLoads);
    const pg95 = summarize(pgqlMs);
    const ps95 = summarize(psqlMs);

    const body = JSON.stringify({ query: QUERY });
    const viaGraphql = async (): Promise<Record<string, unknown>[]> => {
      const response = await fetch(api?.url ?? "", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body,
        signal,
      });
      const parsed = (await response.json()) as {
        data?: { allDecisionQueues?: { nodes: Record<string, unknown>[] } };
        errors?: unknown;
      };
      const nodes = parsed.data?.allDecisionQueues?.nodes;
      if (parsed.errors || nodes?.length !== shown) throw new Error("the queue query failed");
      return nodes;
    };
    const viaSql = async () => {
      const { rows } = await abortable(chairman.query(SQL), signal);
      if (rows.length !== shown) throw new Error("the queue select read another number of rows");
    };
    // What GraphQL costs before the database (graphql-floor.ts): grafast making the page's rows from
    // memory, and a request that reads nothing.
    const viaEngine = await engineRead(await viaGraphql());
    const viaHttp = httpRead(api?.url ?? "", token, signal);
    const gqlMs: number[] = [];
    const sqlMs: number[] = [];
    const engineMs: number[] = [];
    const httpMs: number[] = [];
    const time = async (read: () => Promise<unknown>, into: number[], keep: boolean) => {
      const t0 = performance.now();
      await read();
      if (keep) into.push(performance.now() - t0);
    };
    for (let i = 0; i < DATA_SAMPLES + 10; i++) {
      signal.throwIfAborted();
      await time(viaSql, sqlMs, i >= 10);
      await time(viaGraphql, gqlMs, i >= 10);
    }
    // Apart, after the page's two reads, so that their allocations weigh on neither's samples.
    for (let i = 0; i < DATA_SAMPLES + 10; i++) {
      signal.throwIfAborted();
      await time(viaEngine, engineMs, i >= 10);
      await time(viaHttp, httpMs, i >= 10);
    }
    const c = summarize(cold);
    const w = summarize(warm);
    const g = summarize(gqlMs);
    const q = summarize(sqlMs);
    const e = summarize(engineMs);
    const h = summarize(httpMs);
    const requests = Math.max(...requestsPerLoad);
    return [
      {
        id: "dashboard.queue_sql_p95_ms",
        label: "queue page data, direct SQL p95",
        value: q.p95,
        unit: "ms",
        note: `${shown} rows of ${pending} pending (eva.decision_queue as eva_chairman); p50 ${q.p50.toFixed(2)} ms`,
      },
      {
        id: "dashboard.queue_graphql_p95_ms",
        label: "queue page data, its GraphQL query p95",
        value: g.p95,
        unit: "ms",
        vs: "dashboard.queue_sql_p95_ms",
        note: `aim ≤ 2× SQL; p50 ${g.p50.toFixed(2)} ms`,
      },
      {
        id: "dashboard.queue_engine_p95_ms",
        label: "queue page data, graphql engine alone p95",
        value: e.p95,
        unit: "ms",
        vs: "dashboard.queue_sql_p95_ms",
        note: `the page's ${shown} rows made again by PostGraphile's executor from memory, no database, no HTTP; p50 ${e.p50.toFixed(2)} ms`,
      },
      {
        id: "dashboard.queue_http_p95_ms",
        label: "graphql request that reads nothing p95",
        value: h.p95,
        unit: "ms",
        vs: "dashboard.queue_sql_p95_ms",
        note: `{ __typename } with the same token: HTTP, authentication, response; p50 ${h.p50.toFixed(2)} ms`,
      },
      {
        id: "dashboard.first_load_ms",
        label: "dashboard first load → queue interactive (cold)",
        value: c.p50,
        unit: "ms",
        vs: "dashboard.queue_graphql_p95_ms",
        note: `median of ${LOADS} fresh browser contexts, headless Chromium, to the ${shown} rows listed of ${pending}; p95 ${c.p95.toFixed(0)} ms; ${VENTURES} ventures`,
      },
      {
        id: "dashboard.warm_load_ms",
        label: "dashboard reload → queue interactive (warm cache)",
        value: w.p50,
        unit: "ms",
        vs: "dashboard.first_load_ms",
        note: `median of ${LOADS}; p95 ${w.p95.toFixed(0)} ms`,
      },
      {
        id: "dashboard.queue_graphql_requests",
        label: "GraphQL requests to load the queue page",
        value: requests,
        unit: "requests",
        note: "aim: one query per page (the live updates come over the websocket)",
      },
      {
        id: "dashboard.portfolio_graphql_requests",
        label: "GraphQL requests to load the portfolio page",
        value: portfolioRequests,
        unit: "requests",
        note: `metrics, heatmap and the charts' history in one query; a venture page: ${ventureRequests}`,
      },
      {
        id: "dashboard.portfolio_load_ms",
        label: "portfolio page → its charts drawn (warm)",
        value: pl.p50,
        unit: "ms",
        note: `median of ${portfolioLoads.length}, uPlot fetched beside the page's data; p95 ${pl.p95.toFixed(0)} ms`,
      },
      {
        id: "dashboard.portfolio_sql_p95_ms",
        label: "portfolio page data, direct SQL p95",
        value: ps95.p95,
        unit: "ms",
        note: `portfolio_metrics, venture_health_heatmap, fn_portfolio_metrics_history(12) as eva_chairman; p50 ${ps95.p50.toFixed(2)} ms`,
      },
      {
        id: "dashboard.portfolio_graphql_p95_ms",
        label: "portfolio page data, its GraphQL query p95",
        value: pg95.p95,
        unit: "ms",
        vs: "dashboard.portfolio_sql_p95_ms",
        note: `the page's own request replayed; aim ≤ 2× SQL; p50 ${pg95.p50.toFixed(2)} ms`,
      },
    ];
  } finally {
    await browser.close();
    await api?.close();
    await chairman.end().catch(() => {});
    if (previousSecret === undefined) delete process.env.EVA_JWT_SECRET;
    else process.env.EVA_JWT_SECRET = previousSecret;
    await connection.close();
    await service.close();
    await database.drop();
  }
}
