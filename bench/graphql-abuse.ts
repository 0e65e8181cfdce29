// The API under abuse, as `eva start` runs it: the API server in this process
// and the stage worker on a thread of its own (src/worker-thread.ts). The Chairman reads the decision queue through
// GraphQL (one request at a time) first alone, then while 5 abusive clients
// (in a worker thread, so their own parsing does not load this process) send
// their requests back to back: the issue's introspection flood (anonymous),
// the nested-connection fan-out ×18 and `first: $n` with n = 1000000 (viewer),
// and the two heaviest requests the limits accept (GraphiQL's full
// introspection, 1000 artifacts with their content). Stage work is measured
// the same way: a portfolio run alone, then another of the same size under abuse.
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { getIntrospectionQuery } from "postgraphile/graphql";
import { type ApiServer, startApiServer } from "../graphql/server.ts";
import { mintToken } from "../src/auth/tokens.ts";
import { connect } from "../src/db/client.ts";
import { abortable, type BenchServer, type Measurement, progress, summarize } from "./lib.ts";
import { createBenchVentures, runPortfolio } from "./stage-engine.ts";

const VENTURES = Number(process.env.EVA_BENCH_ABUSE_VENTURES ?? 60);
const WARMUP = 20;
const SAMPLES = 200;

const QUEUE = `query DecisionQueue {
  allDecisionQueues(first: 1000) {
    nodes { decisionId decisionType lifecycleStage ventureId ventureName urgency blocking recommendedAction priorityScore createdAt }
  }
}`;

interface Abuser {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  as: "anonymous" | "viewer";
}

const ABUSERS: Abuser[] = [
  {
    name: "introspection flood ×640",
    as: "anonymous",
    query: `{ ${Array.from(
      { length: 640 },
      (_, i) =>
        `s${i}: __schema { types { name kind description fields { name description isDeprecated deprecationReason args { name } type { name kind } } } }`,
    ).join(" ")} }`,
  },
  {
    name: "nested fan-out ×18",
    as: "viewer",
    query: `{ ${Array.from(
      { length: 18 },
      (_, i) =>
        `a${i}: allVentureArtifacts { nodes { ventureByVentureId { evaEventLogsByVentureId { nodes { ventureByVentureId { ventureArtifactsByVentureId { nodes { content } } } } } } } }`,
    ).join(" ")} }`,
  },
  {
    name: "first: $n = 1000000",
    as: "viewer",
    query: "query Everything($n: Int) { allVentureArtifacts(first: $n) { nodes { content } } }",
    variables: { n: 1_000_000 },
  },
  { name: "GraphiQL introspection", as: "viewer", query: getIntrospectionQuery({ inputValueDeprecation: true }) },
  {
    name: "1000 artifacts with content",
    as: "viewer",
    query: "{ allVentureArtifacts(first: 1000) { nodes { rowId artifactType lifecycleStage content } } }",
  },
];

interface AbuseData {
  url: string;
  viewer: string;
}

/**
 * Runs every abuser back to back until told to stop; says once every abuser has had an answer (all of them are
 * hammering the API by then), and at the end how each was answered.
 */
async function abuse({ url, viewer }: AbuseData): Promise<void> {
  let stopping = false;
  let answering = 0;
  const outcomes: Record<string, Record<string, number>> = {};
  parentPort?.on("message", () => {
    stopping = true;
  });
  await Promise.all(
    ABUSERS.map(async (abuser) => {
      const seen: Record<string, number> = {};
      outcomes[abuser.name] = seen;
      while (!stopping) {
        let outcome: string;
        try {
          const response = await fetch(url, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              accept: "application/graphql-response+json, application/json",
              ...(abuser.as === "viewer" ? { authorization: `Bearer ${viewer}` } : {}),
            },
            body: JSON.stringify({ query: abuser.query, variables: abuser.variables ?? {} }),
          });
          const text = await response.text();
          const code = /"code":"([A-Z_]+)"/.exec(text.slice(0, 2000))?.[1];
          outcome = `${response.status}${code ? ` ${code}` : ""}`;
        } catch (error) {
          outcome = `failed: ${String(error).slice(0, 80)}`;
        }
        seen[outcome] = (seen[outcome] ?? 0) + 1;
        if (Object.keys(seen).length === 1 && seen[outcome] === 1 && ++answering === ABUSERS.length) {
          parentPort?.postMessage("running");
        }
      }
    }),
  );
  parentPort?.postMessage({ outcomes });
}

if (!isMainThread && (workerData as { abuse?: AbuseData } | null)?.abuse) {
  await abuse((workerData as { abuse: AbuseData }).abuse);
}

/**
 * The abusers on a thread of their own; `running` resolves once every one of them has had an answer: the
 * thread takes a second or more to start (it loads this module's imports), and the Chairman's reads sampled
 * meanwhile would measure that start, not the abuse.
 */
function startAbusers(data: AbuseData): {
  running: Promise<void>;
  stop(): Promise<Record<string, Record<string, number>>>;
} {
  const worker = new Worker(new URL(import.meta.url), { workerData: { abuse: data } });
  let started: () => void = () => {};
  const running = new Promise<void>((resolve) => {
    started = resolve;
  });
  const done = new Promise<Record<string, Record<string, number>>>((resolve, reject) => {
    worker.on("message", (message: "running" | { outcomes: Record<string, Record<string, number>> }) => {
      if (message === "running") started();
      else resolve(message.outcomes);
    });
    worker.once("error", reject);
  });
  return {
    running: Promise.race([running, done.then(() => {})]),
    async stop() {
      worker.postMessage("stop");
      const outcomes = await done;
      await worker.terminate();
      return outcomes;
    },
  };
}

export async function graphqlAbuse(server: BenchServer, signal: AbortSignal): Promise<Measurement[]> {
  const database = await server.freshDatabase("graphql_abuse");
  const connection = connect(database.url, { max: 4, applicationName: "eva-bench" });
  const service = connect(database.url, { max: 2, applicationName: "eva-bench-cache", role: "eva_service" });
  const previousSecret = process.env.EVA_JWT_SECRET;
  process.env.EVA_JWT_SECRET = randomBytes(36).toString("base64url");
  let api: ApiServer | undefined;
  let abusers: ReturnType<typeof startAbusers> | undefined;
  try {
    api = await startApiServer({ url: database.url, port: 0 });
    const chairman = await mintToken("chairman", 3600);
    const viewer = await mintToken("viewer", 3600);
    const url = api.url;

    progress(`portfolio of ${VENTURES} ventures with the API idle`);
    await createBenchVentures(connection.db, VENTURES, { wellArgued: true });
    const quietRun = await runPortfolio(database.url, connection, service, signal, { engineering: true, thread: true });
    await abortable(connection.pool.query("vacuum (analyze)"), signal);

    const body = JSON.stringify({ query: QUEUE });
    let queueLength = 0;
    const readQueue = async () => {
      const t0 = performance.now();
      const response = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/graphql-response+json, application/json",
          authorization: `Bearer ${chairman}`,
        },
        body,
        signal,
      });
      const parsed = (await response.json()) as {
        data?: { allDecisionQueues?: { nodes: unknown[] } };
        errors?: unknown;
      };
      const nodes = parsed.data?.allDecisionQueues?.nodes;
      if (!response.ok || parsed.errors || !nodes) {
        throw new Error(
          `the Chairman's queue read failed (HTTP ${response.status}): ${JSON.stringify(parsed).slice(0, 300)}`,
        );
      }
      queueLength = nodes.length;
      return performance.now() - t0;
    };
    const sample = async (label: string) => {
      const ms: number[] = [];
      for (let i = 0; i < WARMUP + SAMPLES; i++) {
        signal.throwIfAborted();
        const t = await readQueue();
        if (i >= WARMUP) ms.push(t);
      }
      progress(`${label}: ${SAMPLES} queue reads`);
      return summarize(ms);
    };

    const quiet = await sample("alone");
    abusers = startAbusers({ url, viewer });
    await abortable(abusers.running, signal);
    const loud = await sample("under abuse");
    progress(
      `p50/p99 alone ${quiet.p50.toFixed(2)}/${quiet.p99.toFixed(2)} ms, under abuse ${loud.p50.toFixed(2)}/${loud.p99.toFixed(2)} ms`,
    );
    progress(`portfolio of ${VENTURES} more ventures under abuse`);
    // The bench ventures' names are taken by the first portfolio.
    await connection.pool.query("update eva.ventures set name = name || ' (first run)'");
    await createBenchVentures(connection.db, VENTURES, { wellArgued: true });
    const loudRun = await runPortfolio(database.url, connection, service, signal, { engineering: true, thread: true });
    const outcomes = await abusers.stop();
    abusers = undefined;
    const answered = Object.entries(outcomes)
      .map(
        ([name, seen]) =>
          `${name}: ${Object.entries(seen)
            .map(([o, n]) => `${n}× ${o}`)
            .join(", ")}`,
      )
      .join("; ");
    progress(`abusive requests answered: ${answered}`);

    const quietRate = quietRun.runs / quietRun.seconds;
    const loudRate = (loudRun.runs - quietRun.runs) / loudRun.seconds;
    const range = (x: typeof quiet) => `n=${x.n}, min ${x.min.toFixed(2)}, max ${x.max.toFixed(2)} ms`;
    return [
      {
        id: "abuse.queue_p50_alone",
        label: "graphql queue p50, API alone",
        value: quiet.p50,
        unit: "ms",
        note: `${queueLength} pending decisions, ${range(quiet)}; the worker on its own thread, as eva start runs it`,
      },
      { id: "abuse.queue_p99_alone", label: "graphql queue p99, API alone", value: quiet.p99, unit: "ms" },
      {
        id: "abuse.queue_p50",
        label: "graphql queue p50, 5 abusive requests",
        value: loud.p50,
        unit: "ms",
        vs: "abuse.queue_p50_alone",
        note: `vs alone; ${range(loud)}`,
      },
      {
        id: "abuse.queue_p99",
        label: "graphql queue p99, 5 abusive requests",
        value: loud.p99,
        unit: "ms",
        vs: "abuse.queue_p99_alone",
        note: `vs alone; aim ≤ 2×. Answers: ${answered}`,
      },
      {
        id: "abuse.stage_runs_alone",
        label: "stage runs, API alone",
        value: quietRate,
        unit: "runs/s",
        note: `${quietRun.runs} runs in ${quietRun.seconds.toFixed(1)} s (${VENTURES} ventures, offline analyst)`,
      },
      {
        id: "abuse.stage_runs",
        label: "stage runs, 5 abusive requests",
        value: loudRate,
        unit: "runs/s",
        vs: "abuse.stage_runs_alone",
        note: `vs alone; ${loudRun.runs - quietRun.runs} runs in ${loudRun.seconds.toFixed(1)} s, worker on its own thread beside the API`,
      },
    ];
  } finally {
    await abusers?.stop().catch(() => {});
    await api?.close().catch(() => {});
    if (previousSecret === undefined) delete process.env.EVA_JWT_SECRET;
    else process.env.EVA_JWT_SECRET = previousSecret;
    await connection.close();
    await service.close();
    await database.drop();
  }
}
