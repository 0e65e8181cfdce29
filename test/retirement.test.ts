// The venture retirement saga (spec §14, §15, Decision #25) with a real
// worker, a real HTTP infrastructure provider and the archive store in a
// temporary folder; time moves through the scheduler's clock.
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TICKS } from "../src/tasks/scheduler.ts";
import type { WorkerHandle } from "../src/worker.ts";
import { runEva } from "./helpers/cli.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";
import { type FakeProvider, startFakeProvider } from "./helpers/infra-provider.ts";
import {
  addResources,
  dropStageRuns,
  killedAtStage3,
  retirementOf,
  sagaWorker,
  stepsOf,
  sunset,
  until,
} from "./helpers/sagas.ts";

const t = await createTestDatabase();
const archive = await mkdtemp(join(tmpdir(), "eva-archive-"));
process.env.EVA_ARCHIVE_DIR = archive;
let provider: FakeProvider;
let worker: WorkerHandle | undefined;
const workerLog: string[] = [];

beforeAll(async () => {
  provider = await startFakeProvider();
});
afterEach(async () => {
  await stopWorker();
});
afterAll(async () => {
  await provider.close();
  await t.drop();
  await rm(archive, { recursive: true, force: true });
});

/** A worker for the sagas, started once the test's ventures are set up (their stage runs are not the subject). */
async function startWorkerOnce(): Promise<void> {
  await dropStageRuns(t.db);
  worker ??= await sagaWorker(t.url, (line) => workerLog.push(line));
}

async function stopWorker(): Promise<void> {
  await worker?.stop();
  worker = undefined;
}

const ended = (ventureId: string, statuses = ["completed", "paused", "failed"]) =>
  until(`the retirement saga of ${ventureId} to stop running`, async () => {
    const s = await retirementOf(t.db, ventureId);
    return statuses.includes(s.status) ? s : undefined;
  });

async function archiveRow(sagaId: string, kind: string) {
  return t.db
    .selectFrom("venture_archives")
    .selectAll()
    .where("saga_id", "=", sagaId)
    .where("kind", "=", kind)
    .executeTakeFirst();
}

async function fileMatches(uri: string, sha256: string, bytes: number | string): Promise<Buffer> {
  const data = await readFile(uri.replace(/^file:\/\//, ""));
  expect(createHash("sha256").update(data).digest("hex")).toBe(sha256);
  expect(data.length).toBe(Number(bytes));
  return data;
}

describe("the venture retirement saga", () => {
  it("starts exactly once when a venture ends, at the first step the kill leaves", async () => {
    const v = await killedAtStage3(t.db, t.service);
    const saga = await retirementOf(t.db, v.id);
    expect(saga).toMatchObject({ status: "active", current_step: "teardown_infra", driver: "worker" });
    expect(saga.steps).toEqual(["notify_users", "export_data", "teardown_infra", "archive_code", "retrospective"]);
    expect(saga.context).toMatchObject({ ended_as: "killed", stage_of_death: 3, kill_source: "kill_gate" });
    // The same venture cannot retire twice.
    await expect(
      sql`select eva_private.fn_saga_start(${v.id}::uuid, 'venture_retirement', array['x'], 'worker')`.execute(t.db),
    ).rejects.toMatchObject({ code: "23505" });
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from graphile_worker.jobs where task_identifier = 'saga_step'
        and key = ${`saga_step:${saga.id}:teardown_infra:1`}`.execute(t.db);
    expect(rows[0]?.n).toBe(1);
  });

  it("a venture killed at Stage 3 skips notify and export, tears down, archives, writes its retrospective", async () => {
    const v = await killedAtStage3(t.db, t.service, (venture) =>
      addResources(t.db, venture.id, [
        {
          kind: "compute",
          name: "app",
          externalId: `app-${venture.id}`,
          dependsOn: ["db"],
          providerUrl: provider.baseURL,
        },
        { kind: "db", name: "db", externalId: `db-${venture.id}` },
        { kind: "repo", name: "code", externalId: `code-${venture.id}`, providerUrl: provider.baseURL },
      ]),
    );
    await startWorkerOnce();
    const saga = await ended(v.id);
    expect(saga.status).toBe("completed");

    const steps = await stepsOf(t.db, saga.id);
    expect(steps.map((s) => [s.step, s.status, s.attempts])).toEqual([
      ["notify_users", "skipped", 1],
      ["export_data", "skipped", 1],
      ["teardown_infra", "completed", 1],
      ["archive_code", "completed", 1],
      ["retrospective", "completed", 1],
    ]);
    expect(steps[0]?.result.reason).toMatch(/killed at the stage 3 kill gate: the venture has no users yet/);
    expect(steps[2]?.result).toMatchObject({ order: ["app", "db"], tornDown: 1, notTornDown: 1 });

    // The resource with a provider was torn down once; the one without was not, and says so.
    expect(provider.done(`app-${v.id}`)).toBe(1);
    const resources = await t.db
      .selectFrom("venture_infra_resources")
      .select(["name", "status", "status_detail"])
      .where("venture_id", "=", v.id)
      .orderBy("name")
      .execute();
    // The repository is archived by its provider in archive_code, not deleted in the teardown.
    expect(provider.requests.filter((r) => r.id === `code-${v.id}`).map((r) => [r.method, r.action])).toEqual([
      ["POST", "archive"],
    ]);
    expect(resources).toEqual([
      { name: "app", status: "torn_down", status_detail: "provider answered 200" },
      { name: "code", status: "archived", status_detail: "provider answered 200" },
      {
        name: "db",
        status: "not_torn_down",
        status_detail: expect.stringMatching(/^not torn down: no provider configured/),
      },
    ]);

    // No export for a venture without users; its records are in cold storage, checksum intact.
    expect(await archiveRow(saga.id, "export")).toBeUndefined();
    const records = await archiveRow(saga.id, "records");
    if (!records) throw new Error("no records archive");
    const data = await fileMatches(records.uri, records.sha256, records.bytes);
    const parsed = JSON.parse(gunzipSync(data).toString()) as { venture: { id: string }; infrastructure: unknown[] };
    expect(parsed.venture.id).toBe(v.id);
    expect(parsed.infrastructure).toHaveLength(3);
    expect(steps[3]?.result).toMatchObject({ repositories: [{ name: "code", status: "archived" }] });

    // The post-mortem, in the knowledge base: stage of death, kill reason, gate signals, offline = simulation.
    const retro = await t.db
      .selectFrom("venture_retrospectives")
      .selectAll()
      .where("saga_id", "=", saga.id)
      .executeTakeFirstOrThrow();
    expect(retro).toMatchObject({
      stage_of_death: 3,
      ended_as: "killed",
      epistemic_classification: "simulation",
      pattern_signature: "retired:killed:kill_gate",
    });
    expect(retro.kill_reason).toMatch(/^killed at stage 3: the market is too small/);
    expect(retro.gate_signals).toEqual([expect.objectContaining({ stage: 3, decision: "kill" })]);
    expect(retro.provenance).toMatchObject({ analyst: "offline" });
    expect((retro.analysis as { lessons: string[] }).lessons.length).toBeGreaterThan(0);
    const pattern = await t.db
      .selectFrom("portfolio_patterns")
      .selectAll()
      .where("lifecycle_stage", "=", 3)
      .where("pattern_signature", "=", "retired:killed:kill_gate")
      .executeTakeFirstOrThrow();
    expect(pattern.ventures_seen).toBeGreaterThanOrEqual(1);

    const { rows: events } = await sql<{ payload: { saga_id: string } }>`
      select payload from eva.eva_event_log where venture_id = ${v.id}::uuid and event_type = 'saga.completed'`.execute(
      t.db,
    );
    expect(events.map((e) => e.payload.saga_id)).toEqual([saga.id]);
  }, 60_000);

  it("a sunset venture runs all five steps; the notice period waits on the scheduler's clock", async () => {
    const v = await createVenture(t.db);
    await sql`select eva.fn_record_venture_metrics(${v.id}::uuid, ${JSON.stringify([
      {
        category: "acquisition",
        metric_name: "signups",
        value: 12,
        observed_at: "2026-11-01T00:00:00Z",
        source: "test",
      },
    ])}::jsonb)`
      .execute(t.service)
      .catch(() => undefined);
    await sunset(t.db, t.service, v.id);
    await startWorkerOnce();
    const waiting = await until("the notice to be recorded and the saga to wait", async () => {
      const s = await retirementOf(t.db, v.id);
      return s.wait_until ? s : undefined;
    }).catch(async (error: unknown) => {
      const state = await retirementOf(t.db, v.id);
      throw new Error(`${String(error)}; saga ${JSON.stringify(state)}; worker said: ${workerLog.join(" | ")}`);
    });
    expect(waiting).toMatchObject({ status: "active", current_step: "notify_users" });
    const { rows: now } = await sql<{ now: Date }>`select eva.fn_scheduler_now() as now`.execute(t.db);
    const days = ((waiting.wait_until?.getTime() ?? 0) - (now[0]?.now.getTime() ?? 0)) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    const notice = await t.db
      .selectFrom("eva_saga_substeps")
      .select(["status", "result"])
      .where("saga_id", "=", waiting.id)
      .where("step", "=", "notify_users")
      .executeTakeFirstOrThrow();
    expect(notice.status).toBe("completed");
    expect(notice.result).toMatchObject({
      notice: { recipients: [], delivered: false, noticeDays: 30, honesty: expect.stringMatching(/no user table/) },
    });

    // Nothing is due yet; a day later still nothing.
    expect(await TICKS.saga_wake(t.service)).toEqual({ woken: 0 });
    await sql`select eva.fn_set_scheduler_clock(interval '1 day')`.execute(t.db);
    expect(await TICKS.saga_wake(t.service)).toEqual({ woken: 0 });
    expect(await stepsOf(t.db, waiting.id)).toEqual([]);

    // The period ends on the scheduler's clock: the saga runs on.
    await sql`select eva.fn_set_scheduler_clock(interval '29 days 1 minute')`.execute(t.db);
    try {
      expect(await TICKS.saga_wake(t.service)).toEqual({ woken: 1 });
      const saga = await ended(v.id);
      expect(saga.status).toBe("completed");
      const steps = await stepsOf(t.db, saga.id);
      expect(steps.map((s) => [s.step, s.status])).toEqual([
        ["notify_users", "completed"],
        ["export_data", "completed"],
        ["teardown_infra", "completed"],
        ["archive_code", "completed"],
        ["retrospective", "completed"],
      ]);
      expect(steps[1]?.attempts).toBe(1);
      expect(steps[2]?.result).toMatchObject({ tornDown: 0, note: expect.stringMatching(/no infrastructure/) });

      const exported = await archiveRow(saga.id, "export");
      if (!exported) throw new Error("no export");
      const data = await fileMatches(exported.uri, exported.sha256, exported.bytes);
      const pkg = JSON.parse(gunzipSync(data).toString()) as {
        format: string;
        venture: { id: string; status: string };
        artifacts: unknown[];
        decisions: unknown[];
        metrics: unknown[];
        events: { type: string }[];
      };
      expect(pkg).toMatchObject({ format: "eva.venture_export/1", venture: { id: v.id, status: "sunset" } });
      expect(pkg.events.map((e) => e.type)).toContain("venture.created");
      expect(exported.details).toMatchObject({
        counts: { events: pkg.events.length, artifacts: pkg.artifacts.length },
      });
      const retro = await t.db
        .selectFrom("venture_retrospectives")
        .selectAll()
        .where("saga_id", "=", saga.id)
        .executeTakeFirstOrThrow();
      expect(retro).toMatchObject({
        ended_as: "sunset",
        stage_of_death: 1,
        pattern_signature: "retired:sunset:status_change",
      });
    } finally {
      await sql`select eva.fn_set_scheduler_clock(null, true)`.execute(t.db);
    }
  }, 60_000);

  it("a failing teardown pauses the saga and alerts; resume after the provider recovers finishes it, nothing twice", async () => {
    let id = (name: string) => name;
    const v = await killedAtStage3(t.db, t.service, async (venture) => {
      id = (name: string) => `${name}-${venture.id}`;
      await addResources(t.db, venture.id, [
        { kind: "dns", name: "dns", externalId: id("dns"), dependsOn: ["app"], providerUrl: provider.baseURL },
        {
          kind: "compute",
          name: "app",
          externalId: id("app"),
          dependsOn: ["db", "files"],
          providerUrl: provider.baseURL,
        },
        { kind: "db", name: "db", externalId: id("db"), providerUrl: provider.baseURL },
        { kind: "storage", name: "files", externalId: id("files"), providerUrl: provider.baseURL },
      ]);
      provider.failing.add(id("app"));
    });
    // Another retired venture, for the refusals below.
    const other = await killedAtStage3(t.db, t.service);
    await startWorkerOnce();
    const paused = await ended(v.id);
    expect(paused.status).toBe("paused");
    expect(paused.current_step).toBe("teardown_infra");
    expect(paused.pause_reason).toMatch(/^step teardown_infra failed: teardown of compute app: DELETE .* answered 500/);

    // Torn down in reverse dependency order up to the failure, nothing after it touched.
    const mine = () => provider.requests.filter((r) => r.id.endsWith(v.id)).map((r) => r.id.replace(`-${v.id}`, ""));
    expect(mine(), workerLog.join("\n")).toEqual(["dns", "app"]);
    const state = async () =>
      Object.fromEntries(
        (
          await t.db
            .selectFrom("venture_infra_resources")
            .select(["name", "status"])
            .where("venture_id", "=", v.id)
            .execute()
        ).map((r) => [r.name, r.status]),
      );
    expect(await state()).toEqual({ dns: "torn_down", app: "failed", db: "active", files: "active" });
    const subs = await t.db
      .selectFrom("eva_saga_substeps")
      .select(["key", "status", "attempts"])
      .where("saga_id", "=", paused.id)
      .orderBy("position")
      .execute();
    expect(subs).toEqual([
      { key: "dns:dns", status: "completed", attempts: 1 },
      { key: "compute:app", status: "failed", attempts: 1 },
      { key: "storage:files", status: "pending", attempts: 0 },
      { key: "db:db", status: "pending", attempts: 0 },
    ]);
    const alert = await t.db
      .selectFrom("eva_alerts")
      .select(["severity", "status", "message"])
      .where("venture_id", "=", v.id)
      .where("alert_type", "=", "saga_paused")
      .executeTakeFirstOrThrow();
    expect(alert).toMatchObject({ severity: "P1", status: "open" });
    expect(alert.message).toContain(`eva sagas resume ${paused.id}`);
    // The Chairman is notified at once (inbox and webhook), with what to do.
    const notice = await t.db
      .selectFrom("notifications")
      .select(["notification_type", "urgency", "summary"])
      .where("venture_id", "=", v.id)
      .where("notification_type", "=", "saga.paused")
      .executeTakeFirstOrThrow();
    expect(notice).toMatchObject({ urgency: "immediate" });
    expect(notice.summary).toMatch(
      new RegExp(
        `venture retirement saga paused at teardown_infra \\(eva sagas resume ${paused.id}\\): step teardown_infra failed`,
      ),
    );

    // Resuming a saga that is not paused, or that does not exist, is refused and writes nothing.
    const active = await retirementOf(t.db, other.id);
    await ended(other.id);
    const refused = await runEva(["sagas", "resume", active.id], { DATABASE_URL: t.url });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/only a paused saga resumes[\s\S]*\[EV409\]/);
    const missing = await runEva(["sagas", "resume", "00000000-0000-4000-8000-000000000000"], { DATABASE_URL: t.url });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/\[EV404\]/);
    expect((await retirementOf(t.db, v.id)).status).toBe("paused");

    const shown = await runEva(["sagas", "show", paused.id], { DATABASE_URL: t.url });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/pause reason:\s+step teardown_infra failed/);
    expect(shown.stdout).toMatch(/teardown_infra\s+failed\s+1/);

    provider.failing.delete(id("app"));
    const resumed = await runEva(["sagas", "resume", paused.id], { DATABASE_URL: t.url });
    expect(resumed.code, resumed.stderr).toBe(0);
    const done = await ended(v.id, ["completed", "failed"]);
    expect(done.status).toBe("completed");
    expect(mine().slice(0, 3)).toEqual(["dns", "app", "app"]);
    expect(mine().slice(3).sort()).toEqual(["db", "files"]);
    for (const name of ["dns", "app", "db", "files"]) expect(provider.done(id(name)), name).toBe(1);
    expect(await state()).toEqual({ dns: "torn_down", app: "torn_down", db: "torn_down", files: "torn_down" });
    const steps = await stepsOf(t.db, done.id);
    expect(steps.find((s) => s.step === "teardown_infra")).toMatchObject({ status: "completed", attempts: 2 });
    const resolved = await t.db
      .selectFrom("eva_alerts")
      .select("status")
      .where("venture_id", "=", v.id)
      .where("alert_type", "=", "saga_paused")
      .executeTakeFirstOrThrow();
    expect(resolved.status).toBe("resolved");

    const list = await runEva(["sagas", "list", "--venture", v.id, "--json"], { DATABASE_URL: t.url });
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({ id: done.id, status: "completed", type: "venture_retirement" }),
    ]);
  }, 90_000);
});
