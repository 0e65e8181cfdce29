// A worker killed (SIGKILL) in the middle of a stage: the venture continues
// after a restart and no stage has a duplicate version. The model is a real
// HTTP server speaking the Chat Completions API; the first answer never comes,
// so the worker is mid-analysis when it dies.
import { type ChildProcess, spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "kysely";
import { afterAll, expect, it } from "vitest";
import { withRole } from "../src/db/client.ts";
import { createOfflineAnalyst } from "../src/llm/offline-analyst.ts";
import { createRng } from "../src/llm/rng.ts";
import { runStageWork } from "../src/orchestration/stage-engine.ts";
import { parseStageContext, toStageContext } from "../src/stages/context.ts";
import { stage02 } from "../src/stages/stage-02.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { reply, startFakeOpenAIServer } from "./helpers/fake-openai-server.ts";
import { createVenture } from "./helpers/fixtures.ts";

const t = await createTestDatabase();
const model = await startFakeOpenAIServer();
// This test is about crashes, not the Decision Filter Engine: no low-score escalation.
await withRole(t.db, "eva_chairman", (trx) =>
  trx
    .updateTable("chairman_preferences")
    .set({ value: "0" })
    .where("scope", "=", "global")
    .where("key", "=", "score_threshold")
    .execute(),
);
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  await model.close();
  await t.drop();
});

function startWorkerProcess(): ChildProcess {
  const child = spawn(process.execPath, ["bin/eva.js", "worker", "--concurrency", "2"], {
    env: {
      ...process.env,
      DATABASE_URL: t.url,
      OPENAI_BASE_URL: model.baseURL,
      OPENAI_API_KEY: "test-key",
      EVA_LLM_TIMEOUT_MS: "60000",
      EVA_WORKER_STALE_MS: "1000",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.stderr?.resume();
  children.push(child);
  return child;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const stage2Work = (ventureId: string) =>
  t.db
    .selectFrom("venture_stage_work")
    .select(["id", "status", "attempts"])
    .where("venture_id", "=", ventureId)
    .where("lifecycle_stage", "=", 2)
    .executeTakeFirstOrThrow();

it("a worker SIGKILLed mid-stage: after a restart the venture continues, with one version of the stage", async () => {
  const v = await createVenture(t.db);
  const first = await t.db
    .selectFrom("venture_stage_work")
    .select("id")
    .where("venture_id", "=", v.id)
    .executeTakeFirstOrThrow();
  await runStageWork(t.service, createOfflineAnalyst(), first.id);
  const work = await stage2Work(v.id);

  // What the model will eventually answer: a valid Stage 2 analysis for this venture.
  const ctx = await withRole(t.db, "eva_service", async (trx) => {
    const { rows } = await sql<{ ctx: unknown }>`select eva.fn_stage_context(${work.id}::uuid) as ctx`.execute(trx);
    return toStageContext(parseStageContext(rows[0]?.ctx));
  });
  const answer = stage02.simulate(ctx, createRng(42));

  model.enqueue(reply.hang());
  model.setFallback(reply.error(400, "this test has no more answers"));
  const doomed = startWorkerProcess();
  await until("the worker to ask the model", async () => (model.requests.length > 0 ? true : undefined));
  expect((await stage2Work(v.id)).status).toBe("in_progress");
  doomed.kill("SIGKILL");
  await until("the worker to die", async () => (doomed.exitCode !== null || doomed.signalCode ? true : undefined));
  expect(
    await t.db
      .selectFrom("venture_artifacts")
      .select("id")
      .where("venture_id", "=", v.id)
      .where("lifecycle_stage", "=", 2)
      .execute(),
  ).toEqual([]);

  model.enqueue(reply.json(answer, { prompt_tokens: 900, completion_tokens: 400 }));
  const restarted = startWorkerProcess();
  const done = await until("stage 2 to complete after the restart", async () => {
    const w = await stage2Work(v.id);
    return w.status === "completed" ? w : undefined;
  });
  expect(done.attempts).toBe(2);
  restarted.kill("SIGTERM");

  const versions = await t.db
    .selectFrom("venture_artifacts")
    .select(["version", "is_current", "content", "provenance"])
    .where("venture_id", "=", v.id)
    .where("lifecycle_stage", "=", 2)
    .execute();
  expect(versions).toHaveLength(1);
  expect(versions[0]).toMatchObject({ version: 1, is_current: true });
  expect(versions[0]?.content).toMatchObject({ metrics: answer.metrics });
  expect(versions[0]?.provenance).toMatchObject({ analyst: "openai", baseUrl: model.baseURL });
  const venture = await t.db
    .selectFrom("ventures")
    .select("current_lifecycle_stage")
    .where("id", "=", v.id)
    .executeTakeFirstOrThrow();
  expect(venture.current_lifecycle_stage).toBeGreaterThanOrEqual(3);
  const charged = await t.db
    .selectFrom("venture_budget_transactions")
    .selectAll()
    .where("venture_id", "=", v.id)
    .where("lifecycle_stage", "=", 2)
    .execute();
  expect(charged).toEqual([expect.objectContaining({ prompt_tokens: 900, completion_tokens: 400, estimated: false })]);
  const { rows: leftover } = await sql<{ n: number }>`
    select count(*)::int as n from graphile_worker.jobs where key = ${`stage_run:${work.id}`}`.execute(t.db);
  expect(leftover[0]?.n).toBe(0);
}, 60_000);
