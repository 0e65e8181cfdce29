// Crash recovery (spec §15): a worker SIGKILLed in the middle of a saga step
// (the teardown waits on a provider that never answers) and a new worker
// started: the saga resumes at its last persisted step and finishes, and no
// completed step or sub-step runs twice (counted at the provider and in
// eva.eva_saga_steps). Real worker processes, a real HTTP provider.
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, expect, it } from "vitest";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";
import { startFakeProvider } from "./helpers/infra-provider.ts";
import { addResources, dropStageRuns, retirementOf, stepsOf, sunset, until } from "./helpers/sagas.ts";

const t = await createTestDatabase();
const provider = await startFakeProvider();
const archive = await mkdtemp(join(tmpdir(), "eva-archive-crash-"));
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && !c.signalCode) c.kill("SIGKILL");
  await provider.close();
  await t.drop();
  await rm(archive, { recursive: true, force: true });
});

function startWorkerProcess(): ChildProcess {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: t.url,
    EVA_ARCHIVE_DIR: archive,
    EVA_WORKER_STALE_MS: "1000",
    EVA_INFRA_TIMEOUT_MS: "120000",
  };
  delete env.OPENAI_API_KEY;
  delete env.OPENAI_BASE_URL;
  const child = spawn(process.execPath, ["bin/eva.js", "worker", "--concurrency", "2"], {
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.stderr?.resume();
  children.push(child);
  return child;
}

it("a worker SIGKILLed mid-step: a new worker resumes the saga at its last step, nothing done twice", async () => {
  // No notice period here (the sunset's wait is test/retirement.test.ts's subject): the saga reaches the teardown at once.
  await sql`update eva_private.settings set value = '0' where key = 'saga.notice_days'`.execute(t.db);
  const v = await createVenture(t.db);
  const id = (name: string) => `${name}-${v.id}`;
  await addResources(t.db, v.id, [
    { kind: "dns", name: "dns", externalId: id("dns"), dependsOn: ["app"], providerUrl: provider.baseURL },
    { kind: "compute", name: "app", externalId: id("app"), dependsOn: ["db"], providerUrl: provider.baseURL },
    { kind: "db", name: "db", externalId: id("db"), providerUrl: provider.baseURL },
  ]);
  provider.hang.add(id("app"));
  await sunset(t.db, t.service, v.id);
  await dropStageRuns(t.db);

  const doomed = startWorkerProcess();
  await until("the worker to be inside the teardown of app", async () =>
    provider.requests.some((r) => r.id === id("app")) ? true : undefined,
  );
  const saga = await retirementOf(t.db, v.id);
  expect(saga).toMatchObject({ status: "active", current_step: "teardown_infra" });
  doomed.kill("SIGKILL");
  await until("the worker to die", async () => (doomed.exitCode !== null || doomed.signalCode ? true : undefined));

  // What the dead worker left: two steps done, one sub-step done, the one it was in not.
  expect((await stepsOf(t.db, saga.id)).map((s) => [s.step, s.status, s.attempts])).toEqual([
    ["notify_users", "completed", 1],
    ["export_data", "completed", 1],
  ]);
  const subs = () =>
    t.db
      .selectFrom("eva_saga_substeps")
      .select(["key", "status"])
      .where("saga_id", "=", saga.id)
      .where("step", "=", "teardown_infra")
      .orderBy("position")
      .execute();
  expect(await subs()).toEqual([
    { key: "dns:dns", status: "completed" },
    { key: "compute:app", status: "pending" },
    { key: "db:db", status: "pending" },
  ]);

  const restarted = startWorkerProcess();
  const done = await until(
    "the saga to complete after the restart",
    async () => {
      const s = await retirementOf(t.db, v.id);
      return s.status === "completed" ? s : undefined;
    },
    60_000,
  );
  restarted.kill("SIGTERM");
  expect(done.current_step).toBe("retrospective");

  // Every step once; the crashed teardown attempt recorded nothing, so its retry is attempt 1.
  expect((await stepsOf(t.db, saga.id)).map((s) => [s.step, s.status, s.attempts])).toEqual([
    ["notify_users", "completed", 1],
    ["export_data", "completed", 1],
    ["teardown_infra", "completed", 1],
    ["archive_code", "completed", 1],
    ["retrospective", "completed", 1],
  ]);
  expect(await subs()).toEqual([
    { key: "dns:dns", status: "completed" },
    { key: "compute:app", status: "completed" },
    { key: "db:db", status: "completed" },
  ]);
  // At the provider: dns and db once; app twice (the call the dead worker never heard back from, then its
  // retry, with the same idempotency key so the provider can tell), torn down once.
  const calls = (name: string) => provider.requests.filter((r) => r.id === id(name));
  expect(calls("dns")).toHaveLength(1);
  expect(calls("db")).toHaveLength(1);
  expect(calls("app")).toHaveLength(2);
  expect(new Set(calls("app").map((r) => r.idempotencyKey)).size).toBe(1);
  expect(provider.done(id("app"))).toBe(1);

  // One export, intact; one notice; one retrospective; one saga.completed.
  const archives = await t.db
    .selectFrom("venture_archives")
    .selectAll()
    .where("saga_id", "=", saga.id)
    .orderBy("kind")
    .execute();
  expect(archives.map((a) => a.kind)).toEqual(["export", "records"]);
  for (const a of archives) {
    const data = await readFile(a.uri.replace(/^file:\/\//, ""));
    expect(createHash("sha256").update(data).digest("hex")).toBe(a.sha256);
  }
  const { rows } = await sql<{ event_type: string; step: string | null; n: number }>`
    select event_type, payload ->> 'step' as step, count(*)::int as n from eva.eva_event_log
    where venture_id = ${v.id}::uuid and event_type in ('saga.step', 'saga.completed', 'archive.written', 'knowledge.retrospective')
    group by 1, 2 order by 1, 2`.execute(t.db);
  expect(rows).toEqual([
    { event_type: "archive.written", step: null, n: 2 },
    { event_type: "knowledge.retrospective", step: null, n: 1 },
    { event_type: "saga.completed", step: null, n: 1 },
    { event_type: "saga.step", step: "archive_code", n: 1 },
    { event_type: "saga.step", step: "export_data", n: 1 },
    { event_type: "saga.step", step: "notify_users", n: 1 },
    { event_type: "saga.step", step: "retrospective", n: 1 },
    { event_type: "saga.step", step: "teardown_infra", n: 1 },
  ]);
}, 120_000);
