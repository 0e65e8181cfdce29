// Inter-venture dependencies (spec §5, Decision #32) and the priority queue
// (spec §10): declared through SQL as the Chairman, the CLI and GraphQL; a
// hard one blocks the dependent's stage work and releases it when the
// provider arrives; stage_run jobs carry the venture's priority and move
// when it changes.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, startApiServer } from "../graphql/server.ts";
import { mintToken } from "../src/auth/tokens.ts";
import { withRole } from "../src/db/client.ts";
import { sqlState } from "../src/db/errors.ts";
import { createDatabaseCache } from "../src/llm/cache.ts";
import { createOfflineAnalyst } from "../src/llm/offline-analyst.ts";
import { runStageWork } from "../src/orchestration/stage-engine.ts";
import { startWorker } from "../src/worker.ts";
import { runEva } from "./helpers/cli.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { settleEventBus } from "./helpers/event-bus.ts";
import { advance, createVenture } from "./helpers/fixtures.ts";

process.env.EVA_JWT_SECRET = "dependencies-test-secret-0123456789-0123456789";
const t = await createTestDatabase();
afterAll(() => t.drop());
// The reactions (releasing dependents, breaking dependencies, re-ranking) run as event-bus deliveries.
const bus = { settle: () => settleEventBus(t) };
const analyst = createOfflineAnalyst({ cache: createDatabaseCache(t.service) });
// Stage mechanics, not the Decision Filter Engine: no stage here should escalate for a low score.
await sql`update eva.chairman_preferences set value = '0' where scope = 'global' and key = 'score_threshold'`.execute(
  t.db,
);

async function openWork(ventureId: string) {
  return t.db
    .selectFrom("venture_stage_work")
    .selectAll()
    .where("venture_id", "=", ventureId)
    .where("status", "in", ["ready", "in_progress", "blocked", "awaiting_decision"])
    .executeTakeFirstOrThrow();
}

async function queuedJob(workId: string) {
  const { rows } = await sql<{ priority: number; locked_at: Date | null }>`
    select priority, locked_at from graphile_worker.jobs where key = ${`stage_run:${workId}`}`.execute(t.db);
  return rows[0];
}

async function events(ventureId: string, type: string) {
  return t.db
    .selectFrom("eva_event_log")
    .select(["event_type", "payload"])
    .where("venture_id", "=", ventureId)
    .where("event_type", "=", type)
    .orderBy("id")
    .execute();
}

const depend = (dependent: string, provider: string, stage: number, type: "hard" | "soft" = "hard") =>
  withRole(t.db, "eva_chairman", (trx) =>
    sql<{ id: string; status: string }>`
      select id, status from eva.fn_add_venture_dependency(${dependent}::uuid, ${provider}::uuid, ${stage},
        ${type}::eva.dependency_type)`.execute(trx),
  ).then((r) => r.rows[0]);

const undepend = (dependent: string, provider: string) =>
  withRole(t.db, "eva_chairman", (trx) =>
    sql`select eva.fn_remove_venture_dependency(${dependent}::uuid, ${provider}::uuid)`.execute(trx),
  );

async function refusal(fn: () => Promise<unknown>): Promise<{ code: string | undefined; message: string }> {
  try {
    await fn();
  } catch (error) {
    return { code: sqlState(error), message: (error as Error).message };
  }
  throw new Error("expected the database to refuse");
}

describe("a hard dependency", () => {
  it("blocks the dependent's work with the provider named, and releases it when the provider reaches the stage", async () => {
    const provider = await createVenture(t.db, { name: "Provider Hard" });
    const dependent = await createVenture(t.db, { name: "Dependent Hard" });
    const before = await openWork(dependent.id);
    expect(await queuedJob(before.id)).toBeDefined();

    expect((await depend(dependent.id, provider.id, 2))?.status).toBe("pending");
    const held = await openWork(dependent.id);
    expect(held).toMatchObject({ id: before.id, status: "blocked", blocked_on_dependency: true });
    expect(held.blocked_reason).toBe(
      'waiting for "Provider Hard" to reach stage 2 (hard dependency; it is at stage 1)',
    );
    expect(await queuedJob(held.id)).toBeUndefined();
    // A worker that picks up a stale job runs nothing.
    expect((await runStageWork(t.service, analyst, held.id)).outcome).toBe("noop");
    // A retry does not get past it either.
    await sql`select eva.fn_retry_stage_work(${held.id}::uuid)`.execute(t.db);
    expect((await openWork(dependent.id)).status).toBe("blocked");

    // The provider runs its Stage 1 (as a worker would) and reaches Stage 2: the dependent is released, by the
    // dependency-reevaluation subscription's delivery of the provider's stage.entered, once it has committed.
    const providerWork = await openWork(provider.id);
    expect((await runStageWork(t.service, analyst, providerWork.id)).outcome).toBe("advanced");
    expect((await openWork(dependent.id)).status).toBe("blocked");
    await bus.settle();
    const { rows: deliveries } = await sql<{ event_type: string; status: string; attempts: number; result: unknown }>`
      select d.event_type, d.status, d.attempts, d.result from eva.event_deliveries d
      join eva.event_subscriptions s on s.id = d.subscription_id
      where s.name = 'dependency-reevaluation' and d.venture_id = ${provider.id}::uuid`.execute(t.db);
    expect(deliveries).toEqual([
      {
        event_type: "stage.entered",
        status: "delivered",
        attempts: 1,
        result: { venture: provider.id, stage: 2, status: "active", met: 1, broken: 0 },
      },
    ]);
    const released = await openWork(dependent.id);
    expect(released).toMatchObject({
      id: before.id,
      status: "ready",
      blocked_reason: null,
      blocked_on_dependency: false,
    });
    expect(await queuedJob(released.id)).toBeDefined();
    const met = await events(dependent.id, "dependency.met");
    expect(met).toHaveLength(1);
    expect(met[0]?.payload).toMatchObject({ provider: "Provider Hard", required_stage: 2, provider_stage: 2 });
    expect(await events(dependent.id, "stage.unblocked")).toHaveLength(1);

    // And its work runs.
    expect((await runStageWork(t.service, analyst, released.id)).outcome).toBe("advanced");
    expect((await openWork(dependent.id)).lifecycle_stage).toBe(2);
  });

  it("holds the dependent's next stage when declared while its current one runs", async () => {
    const provider = await createVenture(t.db);
    const dependent = await createVenture(t.db);
    const work = await openWork(dependent.id);
    await sql`select eva.fn_begin_stage_run(${work.id}::uuid)`.execute(t.service);
    await depend(dependent.id, provider.id, 3);
    expect((await openWork(dependent.id)).status).toBe("in_progress");
    await advance(t.db, dependent.id, 1);
    const next = await openWork(dependent.id);
    expect(next).toMatchObject({ lifecycle_stage: 2, status: "blocked", blocked_on_dependency: true });
    expect(next.blocked_reason).toContain(`"${provider.name}" to reach stage 3`);
    expect(await queuedJob(next.id)).toBeUndefined();
    // Removing the dependency releases it.
    await undepend(dependent.id, provider.id);
    expect((await openWork(dependent.id)).status).toBe("ready");
    expect(await events(dependent.id, "dependency.removed")).toHaveLength(1);
  });

  it("is met at once when the provider is already there", async () => {
    const provider = await createVenture(t.db);
    const dependent = await createVenture(t.db);
    await advance(t.db, provider.id, 1);
    expect((await depend(dependent.id, provider.id, 2))?.status).toBe("met");
    expect((await openWork(dependent.id)).status).toBe("ready");
  });

  it("breaks when the dependent itself ends, and says so (not that the provider will not get there)", async () => {
    const provider = await createVenture(t.db);
    const dependent = await createVenture(t.db);
    await depend(dependent.id, provider.id, 5);
    await sql`select eva.fn_set_venture_status(${dependent.id}::uuid, 'killed', 'kill gate')`.execute(t.db);
    await bus.settle();
    const broken = await events(dependent.id, "dependency.broken");
    expect(broken).toHaveLength(1);
    expect(broken[0]?.payload).toMatchObject({
      reason: `"${dependent.name}" is killed: it no longer waits on "${provider.name}"`,
    });
  });

  it("breaks when the provider is killed: an event, and the work stays blocked until the Chairman removes it", async () => {
    const provider = await createVenture(t.db);
    const dependent = await createVenture(t.db);
    await depend(dependent.id, provider.id, 5);
    // As EVA's own functions kill a venture (no request role may call the state functions).
    await sql`select eva.fn_set_venture_status(${provider.id}::uuid, 'killed', 'kill gate')`.execute(t.db);
    // Until the reaction runs, the dependency holds as unmet (the provider is short of stage 5).
    expect((await openWork(dependent.id)).blocked_reason).toContain(`waiting for "${provider.name}"`);
    await bus.settle();
    const row = await t.db
      .selectFrom("venture_dependencies")
      .select(["status", "resolved_at"])
      .where("dependent_venture_id", "=", dependent.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe("broken");
    expect(row.resolved_at).not.toBeNull();
    const broken = await events(dependent.id, "dependency.broken");
    expect(broken).toHaveLength(1);
    expect(broken[0]?.payload).toMatchObject({ provider: provider.name, provider_status: "killed" });
    expect(broken[0]?.payload).toMatchObject({ reason: expect.stringContaining("will not reach stage 5") });
    const held = await openWork(dependent.id);
    expect(held.status).toBe("blocked");
    expect(held.blocked_reason).toContain(`hard dependency on "${provider.name}" is broken`);
    await undepend(dependent.id, provider.id);
    expect((await openWork(dependent.id)).status).toBe("ready");
  });
});

describe("a soft dependency", () => {
  it("lets the work run and warns, at declaration and when the next stage becomes ready", async () => {
    const provider = await createVenture(t.db);
    const dependent = await createVenture(t.db);
    await depend(dependent.id, provider.id, 4, "soft");
    expect((await openWork(dependent.id)).status).toBe("ready");
    await advance(t.db, dependent.id, 1);
    expect((await openWork(dependent.id)).status).toBe("ready");
    const warnings = await events(dependent.id, "dependency.warning");
    expect(warnings).toHaveLength(2);
    expect(warnings[1]?.payload).toMatchObject({ provider: provider.name, required_stage: 4, stage: 2 });
  });
});

describe("bad input writes nothing", () => {
  it("refuses self-dependency, a stage outside 1-25, unknown ventures and cycles, naming what is wrong", async () => {
    const a = await createVenture(t.db, { name: "Cycle A" });
    const b = await createVenture(t.db, { name: "Cycle B" });
    const c = await createVenture(t.db, { name: "Cycle C" });
    await depend(b.id, a.id, 3);
    await depend(c.id, b.id, 3);
    const count = async () => {
      const d = await t.db
        .selectFrom("venture_dependencies")
        .select(sql<number>`count(*)::int`.as("n"))
        .executeTakeFirstOrThrow();
      const e = await t.db
        .selectFrom("eva_event_log")
        .select(sql<number>`count(*)::int`.as("n"))
        .executeTakeFirstOrThrow();
      return [d.n, e.n];
    };
    const before = await count();
    expect(await refusal(() => depend(a.id, c.id, 3))).toEqual({
      code: "EV409",
      message:
        'dependency cycle: "Cycle A" → "Cycle C" → "Cycle B" → "Cycle A" (each waits on the next); remove one of them first',
    });
    expect(await refusal(() => depend(a.id, a.id, 3))).toMatchObject({
      code: "EV400",
      message: expect.stringContaining("cannot depend on itself"),
    });
    for (const stage of [0, 26]) {
      expect(await refusal(() => depend(a.id, b.id, stage))).toMatchObject({
        code: "EV400",
        message: `required stage must be a stage from 1 to 25, not ${stage}`,
      });
    }
    const nobody = "00000000-0000-4000-8000-000000000000";
    expect(await refusal(() => depend(nobody, a.id, 3))).toMatchObject({
      code: "EV404",
      message: expect.stringContaining("dependent venture"),
    });
    expect(await refusal(() => depend(a.id, nobody, 3))).toMatchObject({
      code: "EV404",
      message: expect.stringContaining("provider venture"),
    });
    expect(await refusal(() => undepend(a.id, b.id))).toMatchObject({
      code: "EV404",
      message: 'venture "Cycle A" has no dependency on "Cycle B"',
    });
    expect(await count()).toEqual(before);
  });

  it("lets only the Chairman declare them, and nobody write the table directly", async () => {
    const a = await createVenture(t.db);
    const b = await createVenture(t.db);
    for (const role of ["eva_service", "eva_viewer"] as const) {
      const r = await refusal(() =>
        withRole(t.db, role, (trx) =>
          sql`select eva.fn_add_venture_dependency(${a.id}::uuid, ${b.id}::uuid, 2)`.execute(trx),
        ),
      );
      expect(r.code).toBe("42501");
    }
    const direct = await refusal(() =>
      withRole(t.db, "eva_chairman", (trx) =>
        sql`insert into eva.venture_dependencies (dependent_venture_id, provider_venture_id, required_stage, dependency_type)
          values (${a.id}::uuid, ${b.id}::uuid, 2, 'hard')`.execute(trx),
      ),
    );
    expect(direct.code).toBe("42501");
  });
});

describe("the priority queue", () => {
  const priorityOf = async (ventureId: string) => {
    const { rows } = await sql<{
      p: number;
    }>`select eva_private.fn_stage_run_priority(${ventureId}::uuid) as p`.execute(t.db);
    return Number(rows[0]?.p);
  };

  it("queues stage jobs with the venture's priority (lower runs first) and re-ranks them when it changes", async () => {
    const rich = await createVenture(t.db);
    const poor = await createVenture(t.db);
    const richWork = await openWork(rich.id);
    const poorWork = await openWork(poor.id);
    const { rows } = await sql<{ score: number }>`
      select eva.fn_venture_priority(v) as score from eva.ventures v where v.id = ${rich.id}::uuid`.execute(t.db);
    expect((await queuedJob(richWork.id))?.priority).toBe(Math.round((100 - Number(rows[0]?.score)) * 100));
    expect((await queuedJob(richWork.id))?.priority).toBe((await queuedJob(poorWork.id))?.priority);

    // A revenue projection (Stage 5's, written by the artifact trigger in real runs) raises the score.
    await sql`update eva.ventures set projected_revenue = 2000000 where id = ${rich.id}::uuid`.execute(t.db);
    // The stage-run-rerank subscription moves the queued job (venture.priority_changed).
    await bus.settle();
    const richAfter = (await queuedJob(richWork.id))?.priority ?? 0;
    expect(richAfter).toBe(await priorityOf(rich.id));
    expect(richAfter).toBeLessThan((await queuedJob(poorWork.id))?.priority ?? 0);

    // A provider with a pending dependent gets the dependent's downstream value (spec §10) ...
    const provider = await createVenture(t.db);
    const providerWork = await openWork(provider.id);
    const alone = (await queuedJob(providerWork.id))?.priority ?? 0;
    await depend(rich.id, provider.id, 3, "soft");
    await bus.settle();
    const boosted = (await queuedJob(providerWork.id))?.priority ?? 0;
    expect(boosted).toBeLessThan(alone);
    expect(boosted).toBe(await priorityOf(provider.id));
    // ... and loses it when the dependency goes.
    await undepend(rich.id, provider.id);
    await bus.settle();
    expect((await queuedJob(providerWork.id))?.priority).toBe(alone);
  });

  it("re-ranks a provider's queued job after its dependent's decision, and leaves a job a worker holds alone", async () => {
    const provider = await createVenture(t.db);
    const dependent = await createVenture(t.db);
    await depend(dependent.id, provider.id, 3, "soft");
    const work = await openWork(provider.id);
    const key = `stage_run:${work.id}`;
    // The dependent's Stage 1 escalates to the Chairman (as the engine records it).
    const dependentWork = await openWork(dependent.id);
    await sql`select eva.fn_begin_stage_run(${dependentWork.id}::uuid)`.execute(t.service);
    await sql`select eva.fn_record_stage_result(${dependentWork.id}::uuid, '[]'::jsonb, null, '[]'::jsonb,
      '{"action": "escalate", "reason": "cost", "recommendedAction": "proceed", "dfe": {"output": "PRESENT_TO_CHAIRMAN", "triggers": [], "patternSignature": ""}}'::jsonb)`.execute(
      t.service,
    );
    const decision = await t.db
      .selectFrom("chairman_decisions")
      .select("id")
      .where("venture_id", "=", dependent.id)
      .where("status", "=", "pending")
      .executeTakeFirstOrThrow();
    // The provider's job has drifted (as the dwell term does with time); the decision puts it right.
    await sql`update graphile_worker._private_jobs set priority = 1 where key = ${key}`.execute(t.db);
    await withRole(t.db, "eva_chairman", (trx) =>
      sql`select eva.fn_decide(${decision.id}::uuid, 'proceed')`.execute(trx),
    );
    await bus.settle();
    expect((await queuedJob(work.id))?.priority).toBe(await priorityOf(provider.id));

    // A job a worker holds is not moved.
    await sql`update graphile_worker._private_jobs set priority = 1, locked_at = now(), locked_by = 'test' where key = ${key}`.execute(
      t.db,
    );
    const { rows } = await sql<{ n: number }>`select eva_private.fn_rerank_stage_runs(null) as n`.execute(t.service);
    expect(rows[0]?.n).toBe(0);
    expect((await queuedJob(work.id))?.priority).toBe(1);
    await sql`update graphile_worker._private_jobs set locked_at = null, locked_by = null where key = ${key}`.execute(
      t.db,
    );
    expect(
      (await sql<{ n: number }>`select eva_private.fn_rerank_stage_runs(null) as n`.execute(t.service)).rows[0]?.n,
    ).toBe(1);
  });
});

describe("through a real worker", () => {
  it("runs the dependent's stage only after the provider's has brought it to the required stage", async () => {
    const provider = await createVenture(t.db, { name: "Worker Provider" });
    const dependent = await createVenture(t.db, { name: "Worker Dependent" });
    await depend(dependent.id, provider.id, 2);
    const worker = await startWorker({ url: t.url, analyst, concurrency: 2 });
    try {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const w = await t.db
          .selectFrom("venture_stage_work")
          .select("status")
          .where("venture_id", "=", dependent.id)
          .where("lifecycle_stage", "=", 1)
          .executeTakeFirstOrThrow();
        if (w.status === "completed") break;
        if (Date.now() > deadline) throw new Error(`the dependent's Stage 1 is still ${w.status}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      await worker.stop();
    }
    // The order the database recorded: provider entered Stage 2, dependency met, then the dependent's work started.
    const { rows } = await sql<{ event_type: string; venture_id: string }>`
      select event_type, venture_id from eva.eva_event_log
      where venture_id in (${provider.id}::uuid, ${dependent.id}::uuid)
        and event_type in ('stage.entered', 'dependency.met', 'stage.work_started', 'stage.unblocked')
      order by id`.execute(t.db);
    const seen = rows.map((r) => `${r.venture_id === provider.id ? "provider" : "dependent"}:${r.event_type}`);
    const at = (what: string) => seen.indexOf(what);
    // (The release is the dependency-reevaluation delivery's transaction: met and unblocked are logged inside it.)
    expect(at("dependent:dependency.met")).toBeGreaterThanOrEqual(0);
    expect(at("dependent:stage.unblocked")).toBeGreaterThan(at("dependent:dependency.met"));
    expect(at("dependent:stage.work_started")).toBeGreaterThan(at("provider:stage.entered"));
    expect(at("dependent:stage.work_started")).toBeGreaterThan(at("dependent:stage.unblocked"));
    expect(at("provider:stage.work_started")).toBeLessThan(at("dependent:dependency.met"));
  }, 180_000);
});

const _run = promisify(execFile);
const eva = (args: string[]) => runEva(args, { DATABASE_URL: t.url });

describe("eva ventures depend | undepend | dependencies", () => {
  it("declares, lists and removes a dependency; bad input names the flag and writes nothing", async () => {
    const provider = await createVenture(t.db, { name: "CLI Provider" });
    const dependent = await createVenture(t.db, { name: "CLI Dependent" });
    const added = await eva(["ventures", "depend", "CLI Dependent", "--on", "CLI Provider", "--stage", "4", "--json"]);
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({
      dependent: "CLI Dependent",
      provider: "CLI Provider",
      requiredStage: 4,
      type: "hard",
      status: "pending",
      holding: true,
    });
    const shown = await eva(["ventures", "show", "CLI Dependent"]);
    expect(shown.stdout).toContain('waiting for "CLI Provider" to reach stage 4');
    const listed = await eva(["ventures", "dependencies", "CLI Provider", "--json"]);
    expect(JSON.parse(listed.stdout)).toHaveLength(1);

    const rows = async () => (await t.db.selectFrom("venture_dependencies").selectAll().execute()).length;
    const before = await rows();
    const bad: [string[], RegExp, number][] = [
      [["--on", "Nobody Here", "--stage", "4"], /--on: no venture "Nobody Here"/, 2],
      [["--on", "CLI Provider", "--stage", "26"], /--stage must be a whole number from 1 to 25, not "26"/, 2],
      [["--on", "CLI Provider", "--stage", "0"], /--stage must be a whole number from 1 to 25/, 2],
      [["--on", "CLI Dependent", "--stage", "4"], /--on: a venture cannot depend on itself/, 2],
      [["--on", "CLI Provider"], /required option '--stage <n>'/, 2],
    ];
    for (const [flags, message, code] of bad) {
      const r = await eva(["ventures", "depend", "CLI Dependent", ...flags]);
      expect(r.stderr).toMatch(message);
      expect(r.code).toBe(code);
    }
    const unknown = await eva(["ventures", "depend", "Nobody Here", "--on", "CLI Provider", "--stage", "4"]);
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringMatching(/<dependent>: no venture "Nobody Here"/) });
    const cycle = await eva(["ventures", "depend", "CLI Provider", "--on", "CLI Dependent", "--stage", "2", "--soft"]);
    expect(cycle.code).toBe(1);
    expect(cycle.stderr).toContain('dependency cycle: "CLI Provider" → "CLI Dependent" → "CLI Provider"');
    expect(cycle.stderr).toContain("[EV409]");
    expect(await rows()).toBe(before);

    const removed = await eva(["ventures", "undepend", "CLI Dependent", "--on", "CLI Provider"]);
    expect(removed).toMatchObject({ code: 0, stdout: '"CLI Dependent" no longer waits on "CLI Provider"\n' });
    expect((await openWork(dependent.id)).status).toBe("ready");
    expect((await openWork(provider.id)).status).toBe("ready");
    const again = await eva(["ventures", "undepend", "CLI Dependent", "--on", "CLI Provider"]);
    expect(again).toMatchObject({ code: 1, stderr: expect.stringContaining("has no dependency on") });
  }, 240_000);
});

describe("GraphQL", () => {
  let api: ApiServer;
  beforeAll(async () => {
    api = await startApiServer({ url: t.url, port: 0 });
  });
  afterAll(async () => {
    await api?.close();
  });
  async function gql(query: string, variables: Record<string, unknown>, role: "chairman" | "viewer" = "chairman") {
    const response = await fetch(api.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await mintToken(role, 600)}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: Record<string, unknown>; errors?: { message: string }[] };
  }
  const ADD = `mutation Add($d: UUID!, $p: UUID!, $s: Int!, $t: DependencyType) {
    addVentureDependency(input: { pDependentVentureId: $d, pProviderVentureId: $p, pRequiredStage: $s, pDependencyType: $t }) {
      result { status dependencyType requiredStage }
    }
  }`;
  const REMOVE = `mutation Remove($d: UUID!, $p: UUID!) {
    removeVentureDependency(input: { pDependentVentureId: $d, pProviderVentureId: $p }) { result }
  }`;

  it("adds and removes dependencies as mutations, with the database's refusals as errors", async () => {
    const provider = await createVenture(t.db);
    const dependent = await createVenture(t.db);
    const added = await gql(ADD, { d: dependent.id, p: provider.id, s: 3, t: "hard" });
    expect(added.errors).toBeUndefined();
    expect(added.data?.addVentureDependency).toEqual({
      result: { status: "pending", dependencyType: "hard", requiredStage: 3 },
    });
    expect((await openWork(dependent.id)).status).toBe("blocked");
    const cycle = await gql(ADD, { d: provider.id, p: dependent.id, s: 2 });
    expect(cycle.errors?.[0]?.message).toMatch(/^dependency cycle: /);
    const self = await gql(ADD, { d: provider.id, p: provider.id, s: 2 });
    expect(self.errors?.[0]?.message).toMatch(/cannot depend on itself/);
    const viewer = await gql(ADD, { d: provider.id, p: dependent.id, s: 2 }, "viewer");
    expect(viewer.errors?.[0]?.message).toMatch(/permission denied|not allowed/i);
    const removed = await gql(REMOVE, { d: dependent.id, p: provider.id });
    expect(removed.errors).toBeUndefined();
    expect(removed.data?.removeVentureDependency).toEqual({ result: 1 });
    expect((await openWork(dependent.id)).status).toBe("ready");
  });
});
