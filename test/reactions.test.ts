// EVA's reactions as event subscriptions (issue #10 point 1): dependency
// re-evaluation, stage-run re-ranking, the notification webhook and the
// retirement saga's start are seeded subscriptions whose deliveries are rows
// of eva.event_deliveries; their filters keep events that cannot matter from
// costing a delivery; a handler that fails is retried, dead-lettered and
// replayed like any delivery; a delivery run twice changes nothing more.
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { withRole } from "../src/db/client.ts";
import { sqlState } from "../src/db/errors.ts";
import type { HandlerContext } from "../src/orchestration/event-handlers.ts";
import { eventHandlers } from "../src/orchestration/event-handlers.ts";
import { runEva } from "./helpers/cli.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { settleEventBus } from "./helpers/event-bus.ts";
import { advance, createVenture } from "./helpers/fixtures.ts";

const t = await createTestDatabase();
afterAll(() => t.drop());

const depend = (dependent: string, provider: string, stage: number) =>
  withRole(t.db, "eva_chairman", (trx) =>
    sql`select eva.fn_add_venture_dependency(${dependent}::uuid, ${provider}::uuid, ${stage}, 'hard')`.execute(trx),
  );

/** The deliveries of a venture's events, by subscription name. */
async function deliveriesOf(ventureId: string, subscription?: string) {
  const { rows } = await sql<{
    subscription: string;
    event_type: string;
    status: string;
    attempts: number;
    result: Record<string, unknown> | null;
  }>`
    select s.name as subscription, d.event_type, d.status, d.attempts, d.result
    from eva.event_deliveries d join eva.event_subscriptions s on s.id = d.subscription_id
    where d.venture_id = ${ventureId}::uuid and (${subscription ?? null}::text is null or s.name = ${subscription ?? null})
    order by d.id`.execute(t.db);
  return rows;
}

const workOf = (ventureId: string) =>
  t.db
    .selectFrom("venture_stage_work")
    .select(["id", "status", "lifecycle_stage", "blocked_reason"])
    .where("venture_id", "=", ventureId)
    .where("status", "in", ["ready", "blocked", "in_progress", "awaiting_decision"])
    .executeTakeFirstOrThrow();

const eventCount = async (ventureId: string, type: string) =>
  Number(
    (
      await sql<{ n: number }>`select count(*)::int as n from eva.eva_event_log
        where venture_id = ${ventureId}::uuid and event_type = ${type}`.execute(t.db)
    ).rows[0]?.n,
  );

describe("the seeded reactions", () => {
  it("are subscriptions with their handlers and filters, shown by eva orchestration", async () => {
    const { rows } = await sql<{ name: string; handler: string; filter: unknown; enabled: boolean }>`
      select name, handler, filter, enabled from eva.event_subscriptions order by name`.execute(t.db);
    expect(rows).toEqual([
      {
        name: "dependency-reevaluation",
        handler: "dependency_reevaluation",
        filter: { state: "dependency_party" },
        enabled: true,
      },
      { name: "knowledge-extraction", handler: "knowledge_extraction", filter: null, enabled: true },
      {
        name: "notification-webhook",
        handler: "notification_webhook",
        filter: { state: "notification_webhook" },
        enabled: true,
      },
      { name: "stage-run-rerank", handler: "stage_run_rerank", filter: { state: "queue_stale" }, enabled: true },
      { name: "venture-retirement", handler: "venture_retirement", filter: null, enabled: true },
    ]);
    // Every seeded handler is one a worker runs.
    const known = Object.keys(eventHandlers());
    for (const r of rows) expect(known).toContain(r.handler);

    const out = await runEva(["orchestration", "--json"], { DATABASE_URL: t.url });
    expect(out.code).toBe(0);
    const subscriptions = (JSON.parse(out.stdout) as { subscriptions: { subscription: string; handler: string }[] })
      .subscriptions;
    expect(subscriptions.map((s) => s.subscription)).toEqual(rows.map((r) => r.name));
    const plain = await runEva(["orchestration"], { DATABASE_URL: t.url });
    expect(plain.stdout).toMatch(/Event subscriptions[^\n]*\n[^\n]*SUBSCRIPTION[^\n]*HANDLER/);
    expect(plain.stdout).toMatch(/dependency-reevaluation\s+dependency_reevaluation\s+yes/);
  });

  it("write deliveries only for events that can matter: a venture in no dependency costs none", async () => {
    const loner = await createVenture(t.db);
    const provider = await createVenture(t.db);
    const dependent = await createVenture(t.db);
    await depend(dependent.id, provider.id, 3);
    await advance(t.db, loner.id, 1);
    await advance(t.db, provider.id, 1);
    await settleEventBus(t);
    // The loner's stage change passed no filter; the provider's is re-evaluated (not yet at stage 3: nothing met).
    expect(await deliveriesOf(loner.id, "dependency-reevaluation")).toEqual([]);
    expect(await deliveriesOf(loner.id, "stage-run-rerank")).toEqual([]);
    expect(await deliveriesOf(provider.id, "dependency-reevaluation")).toEqual([
      {
        subscription: "dependency-reevaluation",
        event_type: "stage.entered",
        status: "delivered",
        attempts: 1,
        result: { venture: provider.id, stage: 2, status: "active", met: 0, broken: 0 },
      },
    ]);
    expect((await workOf(dependent.id)).status).toBe("blocked");
  });

  it("re-rank a venture's queued job when its priority moves, through a delivery", async () => {
    const v = await createVenture(t.db);
    const work = await workOf(v.id);
    const jobPriority = async () =>
      Number(
        (
          await sql<{
            p: number;
          }>`select priority as p from graphile_worker.jobs where key = ${`stage_run:${work.id}`}`.execute(t.db)
        ).rows[0]?.p,
      );
    const before = await jobPriority();
    await sql`update eva.ventures set projected_revenue = 5000000 where id = ${v.id}::uuid`.execute(t.db);
    expect(await jobPriority()).toBe(before);
    await settleEventBus(t);
    const { rows } = await sql<{ p: number }>`select eva_private.fn_stage_run_priority(${v.id}::uuid) as p`.execute(
      t.db,
    );
    expect(await jobPriority()).toBe(Number(rows[0]?.p));
    expect(await jobPriority()).toBeLessThan(before);
    expect(await deliveriesOf(v.id, "stage-run-rerank")).toEqual([
      expect.objectContaining({ event_type: "venture.priority_changed", status: "delivered", result: { moved: 1 } }),
    ]);
  });

  it("start a retirement saga from the end event once, however often it is delivered", async () => {
    const v = await createVenture(t.db);
    await sql`select eva.fn_set_venture_status(${v.id}::uuid, 'killed', 'kill gate')`.execute(t.db);
    const sagas = () =>
      t.db
        .selectFrom("eva_sagas")
        .select(["id", "saga_type", "status"])
        .where("venture_id", "=", v.id)
        .where("saga_type", "=", "venture_retirement")
        .execute();
    expect(await sagas()).toEqual([]);
    await settleEventBus(t);
    const [saga] = await sagas();
    expect(saga).toMatchObject({ saga_type: "venture_retirement", status: "active" });
    const [delivery] = await deliveriesOf(v.id, "venture-retirement");
    expect(delivery).toMatchObject({ event_type: "venture.killed", status: "delivered" });
    expect(delivery?.result).toMatchObject({ venture: v.id, status: "killed", saga: saga?.id });

    // The same event delivered again (a worker died before recording the outcome): still one saga.
    const handlers = eventHandlers();
    const { rows } = await sql<{ id: string; created_at: string; payload: Record<string, unknown> }>`
      select id, created_at::text, payload from eva.eva_event_log
      where venture_id = ${v.id}::uuid and event_type = 'venture.killed'`.execute(t.db);
    const event = rows[0];
    if (!event) throw new Error("no venture.killed event");
    const ctx: HandlerContext = {
      db: t.service,
      event: {
        id: Number(event.id),
        type: "venture.killed",
        ventureId: v.id,
        payload: event.payload,
        actor: null,
        createdAt: event.created_at,
        cursor: "",
      },
      subscription: { id: 0, name: "venture-retirement", handler: "venture_retirement", config: {}, maxAttempts: 1 },
    };
    expect(await handlers.venture_retirement?.(ctx)).toMatchObject({ saga: saga?.id });
    expect(await sagas()).toHaveLength(1);
    expect(await eventCount(v.id, "saga.started")).toBe(1);
  });
});

describe("a failing re-evaluation", () => {
  it("is retried, dead-lettered when its attempts run out, shown by eva dlq, and a replay releases the dependent once", {
    timeout: 120_000,
  }, async () => {
    const provider = await createVenture(t.db, { name: "Flaky Provider" });
    const dependent = await createVenture(t.db, { name: "Waiting Dependent" });
    await depend(dependent.id, provider.id, 2);
    await settleEventBus(t);
    expect((await workOf(dependent.id)).status).toBe("blocked");

    // The re-evaluation fails (as when its connection drops) until the test lets it through.
    const real = eventHandlers();
    let failing = true;
    const handlers = {
      ...real,
      dependency_reevaluation: async (ctx: HandlerContext) => {
        if (failing && ctx.event.ventureId === provider.id) throw new Error("connection to the database was lost");
        return real.dependency_reevaluation?.(ctx);
      },
    };
    await advance(t.db, provider.id, 1);
    const { rows: sub } = await sql<{ id: string; max_attempts: number }>`
      select id, max_attempts from eva.event_subscriptions where name = 'dependency-reevaluation'`.execute(t.db);
    const max = sub[0]?.max_attempts ?? 0;
    await settleEventBus(t, { handlers });
    for (let attempt = 1; attempt < max; attempt++) {
      const [d] = await deliveriesOf(provider.id, "dependency-reevaluation");
      expect(d).toMatchObject({ status: "retrying", attempts: attempt });
      // The retry waits for the subscription's backoff: move the queue's clock to it.
      await sql`update graphile_worker._private_jobs set run_at = now()
        where key like ${`event_deliver:${sub[0]?.id}:%`}`.execute(t.db);
      await settleEventBus(t, { handlers });
    }
    const [dead] = await deliveriesOf(provider.id, "dependency-reevaluation");
    expect(dead).toMatchObject({ status: "dead_lettered", attempts: max });
    expect((await workOf(dependent.id)).status).toBe("blocked");

    const listed = await runEva(["dlq", "list", "--json"], { DATABASE_URL: t.url });
    const letter = (
      JSON.parse(listed.stdout) as {
        id: number;
        handler: string;
        subscription: string;
        venture: string;
        lastError: string;
      }[]
    ).find((l) => l.handler === "dependency_reevaluation");
    expect(letter).toMatchObject({
      subscription: "dependency-reevaluation",
      venture: "Flaky Provider",
      lastError: "connection to the database was lost",
    });

    // Mended: one replay delivers it once; the dependent is released, the dependency met once.
    failing = false;
    const replay = await runEva(["dlq", "replay", String(letter?.id)], { DATABASE_URL: t.url });
    expect(replay.code).toBe(0);
    await settleEventBus(t, { handlers });
    expect((await workOf(dependent.id)).status).toBe("ready");
    expect(await eventCount(dependent.id, "dependency.met")).toBe(1);
    expect(await eventCount(dependent.id, "stage.unblocked")).toBe(1);
    const again = await runEva(["dlq", "replay", String(letter?.id)], { DATABASE_URL: t.url });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("EV409");
    await settleEventBus(t, { handlers });
    expect(await eventCount(dependent.id, "dependency.met")).toBe(1);
  });
});

describe("a subscription's filter", () => {
  const subscribe = (name: string, filter: unknown) =>
    withRole(t.db, "eva_chairman", (trx) =>
      sql`select id from eva.fn_create_event_subscription(${name}, array['probe.*'], 'noop', '{}'::jsonb, 1,
        interval '1 second', null, false, ${filter === undefined ? null : JSON.stringify(filter)}::jsonb)`.execute(trx),
    );

  it("creates deliveries only for the events whose payload matches", async () => {
    await subscribe("probe-stage-5", { payload: { stage: 5 } });
    await subscribe("probe-3-or-4", { payload_any: [{ stage: 3 }, { stage: 4 }] });
    for (const stage of [3, 4, 5, 6])
      await sql`select eva_private.fn_log_event('probe.happened', null, ${JSON.stringify({ stage, more: true })}::jsonb)`.execute(
        t.db,
      );
    await settleEventBus(t);
    const { rows } = await sql<{ name: string; stages: number[] }>`
      select s.name, array_agg((e.payload ->> 'stage')::int order by e.id) as stages
      from eva.event_deliveries d
      join eva.event_subscriptions s on s.id = d.subscription_id
      join eva.eva_event_log e on e.id = d.event_id and e.created_at = d.event_logged_at
      where s.name like 'probe-%' and d.status = 'delivered' group by s.name order by s.name`.execute(t.db);
    expect(rows).toEqual([
      { name: "probe-3-or-4", stages: [3, 4] },
      { name: "probe-stage-5", stages: [5] },
    ]);
  });

  it("is refused when it is not one EVA understands (EV400), and nothing is written", async () => {
    for (const filter of [
      ["stage", 5],
      { where: "1 = 1" },
      { state: "drop table" },
      { payload: [1] },
      { payload_any: [1, 2] },
    ]) {
      const code = await subscribe(`probe-bad-${Math.random().toString(36).slice(2, 8)}`, filter).then(
        () => "accepted",
        (e: unknown) => sqlState(e),
      );
      expect(code, JSON.stringify(filter)).toBe("EV400");
    }
    const { rows } = await sql`select 1 from eva.event_subscriptions where name like 'probe-bad-%'`.execute(t.db);
    expect(rows).toEqual([]);
  });
});
