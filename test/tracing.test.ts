// OpenTelemetry tracing (issue #10, point 6): with OTEL_EXPORTER_OTLP_ENDPOINT
// set, a real worker running real stage runs exports its spans over OTLP/HTTP
// to a local receiver (node:http, POST /v1/traces), stage run → LLM call /
// gate / Devil's Advocate as parent and children, with the venture and stage
// on each; Chairman decisions from the CLI and the API and scheduler ticks are
// spans too. Unset, no exporter exists and the SDK is never loaded.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, startApiServer } from "../graphql/server.ts";
import { mintToken } from "../src/auth/tokens.ts";
import { projectRoot } from "../src/db/connection.ts";
import { createOfflineAnalyst } from "../src/llm/offline-analyst.ts";
import type { StageRunOutcome } from "../src/orchestration/stage-engine.ts";
import { startTracing, tracesEndpoint } from "../src/orchestration/tracing.ts";
import { startWorker } from "../src/worker.ts";
import { runEva } from "./helpers/cli.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture, walkToDecision } from "./helpers/fixtures.ts";
import { dropStageRuns, killedAtStage3, retirementOf, until } from "./helpers/sagas.ts";

const t = await createTestDatabase();

interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  status: number;
  attributes: Record<string, unknown>;
}

// The local collector: OTLP/HTTP, JSON bodies (what @opentelemetry/exporter-trace-otlp-http sends).
const spans: ReceivedSpan[] = [];
const contentTypes = new Set<string>();
type AnyValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
const anyValue = (v: AnyValue) =>
  v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.boolValue ?? v.doubleValue));
const attributes = (list: { key: string; value: AnyValue }[] = []) =>
  Object.fromEntries(list.map((a) => [a.key, anyValue(a.value)]));
const receiver = createServer((req: IncomingMessage, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    if (req.method !== "POST" || req.url !== "/v1/traces") {
      res.writeHead(404).end();
      return;
    }
    contentTypes.add(String(req.headers["content-type"]));
    let body = Buffer.concat(chunks);
    if (req.headers["content-encoding"] === "gzip") body = gunzipSync(body);
    const request = JSON.parse(body.toString("utf8"));
    for (const rs of request.resourceSpans ?? []) {
      const service = String(attributes(rs.resource?.attributes)["service.name"]);
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          spans.push({
            service,
            traceId: s.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId ?? "",
            name: s.name,
            status: s.status?.code ?? 0,
            attributes: attributes(s.attributes),
          });
        }
      }
    }
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
});
let endpoint = "";
const saved = { ...process.env };

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  process.env = saved;
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  await t.drop();
});

const named = (name: string) => spans.filter((s) => s.name === name);
const childrenOf = (parent: ReceivedSpan) =>
  spans.filter((s) => s.traceId === parent.traceId && s.parentSpanId === parent.spanId);

describe("with OTEL_EXPORTER_OTLP_ENDPOINT set", () => {
  it("a worker exports its stage runs with the LLM call, gate and Devil's Advocate as children", async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = endpoint;
    delete process.env.OTEL_SERVICE_NAME;
    // A fixed name: the offline analyst is deterministic per prompt, and this venture's Stage 2 advances to Stage 3.
    const venture = await createVenture(t.db, { name: "Tracing Probe Ledger" });
    const outcomes: StageRunOutcome[] = [];
    let settled: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      settled = resolve;
    });
    const worker = await startWorker({
      url: t.url,
      analyst: createOfflineAnalyst(),
      concurrency: 1,
      schedule: false,
      onOutcome: (o) => {
        outcomes.push(o);
        // (A duplicate job's noop has no stage.)
        if ("stage" in o && o.stage >= 3) settled();
      },
    });
    try {
      await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error("no stage 3")), 25_000))]);
      // A scheduler tick, queued the way the crontab queues it.
      await sql`select graphile_worker.add_job('knowledge_sync', '{}'::json, job_key := 'knowledge_sync')`.execute(
        t.db,
      );
      for (let i = 0; i < 100; i++) {
        const { rows } = await sql<{ n: string }>`
          select count(*)::text as n from graphile_worker._private_jobs j
          join graphile_worker._private_tasks k on k.id = j.task_id where k.identifier = 'knowledge_sync'`.execute(
          t.db,
        );
        if (rows[0]?.n === "0") break;
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      // Stopping flushes what is buffered.
      await worker.stop();
    }
    expect(contentTypes).toEqual(new Set(["application/json"]));

    const runs = named("eva.stage_run").filter((s) => s.attributes["eva.venture.id"] === venture.id);
    expect(runs.map((s) => s.attributes["eva.stage"]).sort()).toEqual(expect.arrayContaining([1, 2, 3]));
    for (const run of runs) expect(run.service).toBe("eva-worker");
    const stage2 = runs.find((s) => s.attributes["eva.stage"] === 2);
    expect(stage2?.attributes["eva.outcome"]).toBe("advanced");

    // Stage 2: the offline analyst's call, a child of the run, with gen_ai.* and the run's venture and stage.
    const llm = childrenOf(stage2 as ReceivedSpan).find((s) => s.name === "chat eva-offline-analyst-v1");
    expect(llm?.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "eva-offline-analyst-v1",
      "gen_ai.response.model": "eva-offline-analyst-v1",
      "eva.venture.id": venture.id,
      "eva.stage": 2,
      "eva.llm.cached": false,
    });
    expect(llm?.attributes["gen_ai.usage.input_tokens"]).toBeGreaterThan(0);
    expect(llm?.attributes["gen_ai.usage.output_tokens"]).toBeGreaterThan(0);
    // The same tokens the ledger charged for that run.
    const { rows: ledger } = await sql<{ prompt_tokens: number; completion_tokens: number }>`
      select prompt_tokens, completion_tokens from eva.venture_budget_transactions
      where venture_id = ${venture.id}::uuid and lifecycle_stage = 2 and purpose = 'analysis'`.execute(t.db);
    expect(ledger[0]).toEqual({
      prompt_tokens: llm?.attributes["gen_ai.usage.input_tokens"],
      completion_tokens: llm?.attributes["gen_ai.usage.output_tokens"],
    });

    // Stage 3 (a kill gate with the Devil's Advocate): the gate, the DFE and the review, each a child of the run.
    const stage3 = runs.find((s) => s.attributes["eva.stage"] === 3) as ReceivedSpan;
    const children = childrenOf(stage3);
    const gate = children.find((s) => s.name === "eva.gate");
    const outcome3 = outcomes.find((o) => "stage" in o && o.stage === 3);
    expect(gate?.attributes).toMatchObject({ "eva.venture.id": venture.id, "eva.stage": 3, "eva.gate.type": "kill" });
    expect(["pass", "revise", "kill"]).toContain(gate?.attributes["eva.outcome"]);
    expect(children.map((s) => s.name)).toEqual(
      expect.arrayContaining(["chat eva-offline-analyst-v1", "eva.gate", "eva.dfe", "eva.devils_advocate"]),
    );
    const review = children.find((s) => s.name === "eva.devils_advocate") as ReceivedSpan;
    expect(review.attributes["eva.outcome"]).toBe("reviewed");
    expect(childrenOf(review).map((s) => s.name)).toEqual(["chat eva-offline-analyst-v1"]);
    expect(stage3.attributes["eva.outcome"]).toBe(outcome3?.outcome);

    const tick = named("eva.scheduler_tick").find((s) => s.attributes["eva.task"] === "knowledge_sync");
    expect(tick?.service).toBe("eva-worker");
  });

  it("saga steps and event deliveries are spans too, with their venture, saga, step and event", async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = endpoint;
    const archive = mkdtempSync(join(tmpdir(), "eva-tracing-archive-"));
    process.env.EVA_ARCHIVE_DIR = archive;
    // The worker delivers the kill's events (the retirement saga's start among them).
    const v = await killedAtStage3(t.db, t.service, undefined, { settle: false });
    await dropStageRuns(t.db);
    const worker = await startWorker({ url: t.url, analyst: createOfflineAnalyst(), concurrency: 2, schedule: false });
    try {
      await until("the retirement saga to complete", async () => {
        const s = await retirementOf(t.db, v.id).catch(() => undefined);
        return s?.status === "completed" ? s : undefined;
      });
      await until("the kill's deliveries", async () => {
        const { rows } = await sql<{ n: number }>`
          select count(*)::int as n from eva.event_deliveries
          where venture_id = ${v.id}::uuid and status = 'delivered'`.execute(t.db);
        return (rows[0]?.n ?? 0) >= 3 ? true : undefined;
      });
    } finally {
      await worker.stop();
      rmSync(archive, { recursive: true, force: true });
    }
    const steps = named("eva.saga_step").filter((s) => s.attributes["eva.venture.id"] === v.id);
    expect(steps.map((s) => s.attributes["eva.saga.step"])).toEqual(
      expect.arrayContaining(["teardown_infra", "archive_code", "retrospective"]),
    );
    for (const step of steps) {
      expect(step.attributes).toMatchObject({ "eva.saga.type": "venture_retirement", "eva.outcome": "completed" });
      expect(step.service).toBe("eva-worker");
    }
    // The retrospective's model call is a child of its step.
    const retro = steps.find((s) => s.attributes["eva.saga.step"] === "retrospective") as ReceivedSpan;
    expect(childrenOf(retro).map((s) => s.name)).toEqual(["chat eva-offline-analyst-v1"]);
    const deliveries = named("eva.event_delivery").filter((s) => s.attributes["eva.venture.id"] === v.id);
    expect(deliveries.map((s) => s.attributes["eva.event.type"])).toEqual(
      expect.arrayContaining(["gate.evaluated", "venture.killed"]),
    );
    expect(
      deliveries.map((s) => `${s.attributes["eva.subscription"]} ${s.attributes["eva.event.type"]}`).sort(),
    ).toEqual([
      "knowledge-extraction gate.evaluated",
      "knowledge-extraction venture.killed",
      "venture-retirement venture.killed",
    ]);
    for (const d of deliveries) expect(d.attributes).toMatchObject({ "eva.outcome": "delivered" });
  });

  it("a Chairman decision from the CLI is a span of eva-cli, and one through the API a span of eva-api", async () => {
    const [one, two] = [await createVenture(t.db), await createVenture(t.db)];
    const first = await walkToDecision(t.db, one.id);
    const second = await walkToDecision(t.db, two.id);
    const { rows } = await sql<{ lifecycle_stage: number }>`
      select lifecycle_stage from eva.chairman_decisions where id = ${first}::uuid`.execute(t.db);
    const stage = rows[0]?.lifecycle_stage;

    const cli = await runEva(["decisions", "approve", first ?? ""], {
      DATABASE_URL: t.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_SERVICE_NAME: undefined,
    });
    expect(cli.code).toBe(0);
    const fromCli = named("eva.chairman.decide").find((s) => s.attributes["eva.decision.id"] === first);
    expect(fromCli).toMatchObject({
      service: "eva-cli",
      attributes: { "eva.via": "cli", "eva.venture.id": one.id, "eva.stage": stage, "eva.outcome": "decided" },
    });

    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = endpoint;
    process.env.OTEL_SERVICE_NAME = "eva-api-under-test";
    let api: ApiServer | undefined;
    try {
      api = await startApiServer({ url: t.url, port: 0 });
      const response = await fetch(api.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${await mintToken("chairman", 600)}` },
        body: JSON.stringify({
          query:
            'mutation ($id: UUID!) { decide(input: { pDecisionId: $id, pDecision: "approve" }) { clientMutationId } }',
          variables: { id: second },
        }),
      });
      expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();
    } finally {
      await api?.close();
    }
    const fromApi = named("eva.chairman.decide").find((s) => s.attributes["eva.decision.id"] === second);
    expect(fromApi).toMatchObject({
      service: "eva-api-under-test",
      attributes: {
        "eva.via": "graphql",
        "eva.decision": "approve",
        "eva.venture.id": two.id,
        "eva.outcome": "decided",
      },
    });
  });
});

describe("with no OTLP endpoint", () => {
  it("creates no exporter", async () => {
    expect(tracesEndpoint({})).toBeUndefined();
    const handle = await startTracing("worker", {});
    expect(handle).toMatchObject({ enabled: false, endpoint: undefined });
    expect(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" })).toBe(
      "http://collector:4318/v1/traces",
    );
    expect(
      tracesEndpoint({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://a:4318",
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://b/t",
      }),
    ).toBe("http://b/t");
  });

  it("a deciding CLI command loads none of the SDK; with the variable set it does", async () => {
    const exec = promisify(execFile);
    const scratch = mkdtempSync(join(tmpdir(), "eva-tracing-"));
    const tracer = fileURLToPath(new URL("./helpers/import-trace.mjs", import.meta.url));
    const loaded = async (env: Record<string, string | undefined>) => {
      const file = join(scratch, `trace-${Math.random().toString(36).slice(2)}.txt`);
      const environment: NodeJS.ProcessEnv = { ...saved, DATABASE_URL: t.url, EVA_IMPORT_TRACE: file, ...env };
      for (const [k, v] of Object.entries(env)) if (v === undefined) delete environment[k];
      // An unknown decision: the command opens the database, refuses, and exits.
      await exec(process.execPath, ["--import", tracer, "bin/eva.js", "decisions", "approve", crypto.randomUUID()], {
        cwd: projectRoot,
        env: environment,
      }).catch(() => {});
      return readFileSync(file, "utf8")
        .split("\n")
        .filter((u) => u.includes("/node_modules/@opentelemetry/"))
        .map((u) => /@opentelemetry\/([^/]+)/.exec(u)?.[1]);
    };
    try {
      const unset = await loaded({
        OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined,
      });
      expect(unset).toEqual([]);
      const set = await loaded({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });
      expect(set).toEqual(expect.arrayContaining(["api", "sdk-trace", "exporter-trace-otlp-http"]));
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
