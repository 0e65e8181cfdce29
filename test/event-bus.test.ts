// Event subscriptions and the dead-letter queue (issue #10 points 1-2), with a
// real graphile-worker and a real webhook subscriber (node:http): matching
// events arrive in commit order, one held back by a transaction that commits
// late included; a subscriber answering 500 until the attempts run out leaves
// a dead letter; a replay after it recovers delivers once; knowledge
// extraction writes the portfolio's patterns.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withRole } from "../src/db/client.ts";
import { createOfflineAnalyst } from "../src/llm/offline-analyst.ts";
import { verifyWebhook } from "../src/notifications/signature.ts";
import { startWorker, type WorkerHandle } from "../src/worker.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";

const t = await createTestDatabase();
const SECRET_ENV = "EVA_TEST_EVENT_HOOK_SECRET";
const SECRET = `whsec_${Buffer.from("the event subscriber's secret").toString("base64")}`;
process.env[SECRET_ENV] = SECRET;

interface Received {
  id: string;
  type: string;
  eventId: number;
  status: number;
  signed: boolean;
}
const received: Received[] = [];
/** What the subscriber answers, by event type (default 200). */
const answers = new Map<string, number>();
const server = createServer((req, res) => {
  let raw = "";
  req.on("data", (c) => {
    raw += c;
  });
  req.on("end", () => {
    const body = JSON.parse(raw) as { type: string; eventId: number };
    const status = answers.get(body.type) ?? 200;
    received.push({
      id: String(req.headers["webhook-id"]),
      type: body.type,
      eventId: body.eventId,
      status,
      signed: verifyWebhook(
        SECRET,
        String(req.headers["webhook-id"]),
        String(req.headers["webhook-timestamp"]),
        raw,
        String(req.headers["webhook-signature"]),
      ),
    });
    res.statusCode = status;
    res.end();
  });
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const URL_ = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;

let worker: WorkerHandle;
beforeAll(async () => {
  worker = await startWorker({ url: t.url, analyst: createOfflineAnalyst(), concurrency: 4, schedule: false });
});
afterAll(async () => {
  await worker?.stop();
  await new Promise((resolve) => server.close(resolve));
  delete process.env[SECRET_ENV];
  await t.drop();
});

async function subscribe(name: string, types: string[], options: { maxAttempts?: number; ordered?: boolean } = {}) {
  const config = JSON.stringify({ url: URL_, secretEnv: SECRET_ENV });
  const { rows } = await withRole(t.db, "eva_chairman", (trx) =>
    sql<{ id: string }>`select id from eva.fn_create_event_subscription(${name}, ${types}::text[], 'webhook',
      ${config}::jsonb, ${options.maxAttempts ?? 3}, interval '20 milliseconds', null, ${options.ordered ?? false})`.execute(
      trx,
    ),
  );
  return Number(rows[0]?.id);
}

async function logEvent(type: string, payload: Record<string, unknown> = {}, ventureId: string | null = null) {
  const { rows } = await sql<{ id: string }>`
    select eva_private.fn_log_event(${type}, ${ventureId}::uuid, ${JSON.stringify(payload)}::jsonb) as id`.execute(
    t.db,
  );
  return Number(rows[0]?.id);
}

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const dlqRow = (eventId: number) =>
  t.db.selectFrom("eva_event_dlq").selectAll().where("event_id", "=", String(eventId)).executeTakeFirst();

async function replay(id: string) {
  return withRole(t.db, "eva_chairman", (trx) => sql`select id from eva.fn_dlq_replay(${id}::bigint)`.execute(trx));
}

async function sqlState(run: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe("subscriptions", () => {
  it("delivers matching events once each, in commit order, including one held back by a transaction that commits late", async () => {
    await subscribe("ordered-hook", ["order.*"], { ordered: true });
    // A transaction that logs first and commits last: its event sorts first, so the ones after it wait.
    const late = new pg.Client({ connectionString: t.url });
    await late.connect();
    try {
      await late.query("begin");
      const { rows } = await late.query<{ id: string }>(
        "select eva_private.fn_log_event('order.late', null, '{}'::jsonb) as id",
      );
      const lateId = Number(rows[0]?.id);
      const first = await logEvent("order.first");
      const ignored = await logEvent("other.thing");
      await sql`select eva_private.fn_log_event('order.batch', null, jsonb_build_object('i', i))
                from generate_series(1, 3) i`.execute(t.db);
      // Nothing of the later transactions is delivered while the older one is open (nothing skipped past it).
      await new Promise((r) => setTimeout(r, 150));
      expect(received.filter((r) => r.type.startsWith("order."))).toEqual([]);
      await late.query("commit");
      const got = await until("five order.* deliveries", async () => {
        const mine = received.filter((r) => r.type.startsWith("order."));
        return mine.length >= 5 && mine;
      });
      await new Promise((r) => setTimeout(r, 200));
      expect(received.filter((r) => r.type.startsWith("order.")).length).toBe(5);
      expect(got.map((r) => r.type)).toEqual([
        "order.late",
        "order.first",
        "order.batch",
        "order.batch",
        "order.batch",
      ]);
      expect(got[0]?.eventId).toBe(lateId);
      expect(got[1]?.eventId).toBe(first);
      expect(new Set(got.map((r) => r.eventId)).size).toBe(5);
      expect(got.every((r) => r.signed && r.status === 200)).toBe(true);
      expect(received.some((r) => r.eventId === ignored)).toBe(false);
      const deliveries = await t.db
        .selectFrom("event_deliveries")
        .select(["status", "attempts"])
        .where("event_type", "like", "order.%")
        .execute();
      expect(deliveries).toHaveLength(5);
      expect(deliveries.every((d) => d.status === "delivered" && d.attempts === 1)).toBe(true);
    } finally {
      await late.end();
    }
  });

  it("refuses a subscription whose config carries a secret, and one without a url (EV400), and a taken name (EV409)", async () => {
    const create = (name: string, config: string) => () =>
      withRole(t.db, "eva_chairman", (trx) =>
        sql`select eva.fn_create_event_subscription(${name}, array['x.*'], 'webhook', ${config}::jsonb)`.execute(trx),
      );
    expect(await sqlState(create("leaky", `{"url": "${URL_}", "secret": "whsec_abc"}`))).toBe("EV400");
    expect(await sqlState(create("no-url", `{"secretEnv": "${SECRET_ENV}"}`))).toBe("EV400");
    expect(await sqlState(create("knowledge-extraction", `{"url": "${URL_}", "secretEnv": "X"}`))).toBe("EV409");
    expect(
      await t.db.selectFrom("event_subscriptions").select("name").where("name", "in", ["leaky", "no-url"]).execute(),
    ).toEqual([]);
  });
});

describe("the dead-letter queue", () => {
  let failed: number;
  let dlqId: string;

  it("a delivery the subscriber refuses until its attempts run out lands in the DLQ with its event, handler, error and attempts", async () => {
    const sub = await subscribe("flaky-hook", ["flaky.*"], { maxAttempts: 3 });
    answers.set("flaky.event", 500);
    failed = await logEvent("flaky.event", { detail: "kept in the dead letter" });
    const row = await until("the dead letter", () => dlqRow(failed));
    dlqId = row.id;
    const tries = received.filter((r) => r.eventId === failed);
    expect(tries.map((r) => r.status)).toEqual([500, 500, 500]);
    expect(new Set(tries.map((r) => r.id))).toEqual(new Set([`flaky-hook:${failed}`]));
    expect(row).toMatchObject({
      event_type: "flaky.event",
      payload: { detail: "kept in the dead letter" },
      handler: "webhook",
      subscription_id: String(sub),
      retry_count: 3,
      status: "pending",
    });
    expect(row.failure_reason).toContain("answered 500");
    const delivery = await t.db
      .selectFrom("event_deliveries")
      .select(["status", "attempts", "last_error"])
      .where("event_id", "=", String(failed))
      .executeTakeFirstOrThrow();
    expect(delivery).toMatchObject({ status: "dead_lettered", attempts: 3 });
    const dead = await t.db
      .selectFrom("eva_event_log")
      .select("payload")
      .where("event_type", "=", "system.dead_letter")
      .execute();
    expect(dead.map((d) => (d.payload as { dlq_id: number }).dlq_id)).toContain(Number(dlqId));
    // The job ended: nothing of it waits in the queue.
    const jobs = await sql<{ n: number }>`select count(*)::int as n from graphile_worker.jobs
      where key = ${`event_deliver:${sub}:${failed}`}`.execute(t.db);
    expect(jobs.rows[0]?.n).toBe(0);
  });

  it("a replay after the subscriber recovers delivers it exactly once; a second replay of the row is refused (EV409)", async () => {
    answers.delete("flaky.event");
    await replay(dlqId);
    const row = await until("the replay's result", async () => {
      const r = await dlqRow(failed);
      return r?.replay_status === "delivered" && r;
    });
    expect(row).toMatchObject({ status: "replayed", replays: 1, replayed_by: "eva_chairman", retry_count: 4 });
    expect(received.filter((r) => r.eventId === failed).map((r) => r.status)).toEqual([500, 500, 500, 200]);
    expect(await sqlState(() => replay(dlqId))).toBe("EV409");
    await new Promise((r) => setTimeout(r, 200));
    expect(received.filter((r) => r.eventId === failed)).toHaveLength(4);
    const delivery = await t.db
      .selectFrom("event_deliveries")
      .select(["status"])
      .where("event_id", "=", String(failed))
      .executeTakeFirstOrThrow();
    expect(delivery.status).toBe("delivered");
  });

  it("a failed replay leaves the dead letter pending for another; drop discards it with who and when; unknown ids are EV404", async () => {
    answers.set("flaky.other", 500);
    const other = await logEvent("flaky.other");
    const row = await until("the second dead letter", () => dlqRow(other));
    await replay(row.id);
    const after = await until("the failed replay", async () => {
      const r = await dlqRow(other);
      return r?.replay_status === "failed" && r;
    });
    expect(after).toMatchObject({ status: "pending", replays: 1, retry_count: 4 });
    expect(received.filter((r) => r.eventId === other)).toHaveLength(4);

    await withRole(t.db, "eva_chairman", (trx) => sql`select eva.fn_dlq_drop(${row.id}::bigint)`.execute(trx));
    const dropped = await dlqRow(other);
    expect(dropped).toMatchObject({ status: "discarded", discarded_by: "eva_chairman" });
    expect(dropped?.discarded_at).toBeInstanceOf(Date);
    const drop = (id: string) => () =>
      withRole(t.db, "eva_chairman", (trx) => sql`select eva.fn_dlq_drop(${id}::bigint)`.execute(trx));
    expect(await sqlState(drop(row.id))).toBe("EV409");
    expect(await sqlState(() => replay(row.id))).toBe("EV409");
    expect(await sqlState(drop("999999"))).toBe("EV404");
    expect(await sqlState(() => replay("999999"))).toBe("EV404");
    // Viewers cannot replay or drop.
    expect(
      await sqlState(() => withRole(t.db, "eva_viewer", (trx) => sql`select eva.fn_dlq_drop(1)`.execute(trx))),
    ).toBe("42501");
  });
});

describe("knowledge extraction", () => {
  it("writes what gate outcomes and kills teach into the portfolio patterns and logs eva.insight", async () => {
    const v = await createVenture(t.db, { name: "Learned Venture" });
    const gate = await logEvent("gate.evaluated", { stage: 3, gate_type: "kill", decision: "pass" }, v.id);
    // The worker may be running the venture's Stage 1 meanwhile: the kill waits for it (one lock order), never deadlocks.
    await sql`select eva.fn_set_venture_status(${v.id}::uuid, 'killed', 'the portfolio learns from it')`.execute(t.db);
    const patterns = await until("two learned patterns", async () => {
      const rows = await t.db
        .selectFrom("portfolio_patterns")
        .select(["lifecycle_stage", "pattern_signature", "first_venture_id"])
        .where("first_venture_id", "=", v.id)
        .orderBy("pattern_signature")
        .execute();
      return rows.length >= 2 && rows;
    });
    expect(patterns).toEqual([
      { lifecycle_stage: 3, pattern_signature: "gate.kill.pass", first_venture_id: v.id },
      { lifecycle_stage: 1, pattern_signature: expect.stringMatching(/^killed\./), first_venture_id: v.id },
    ]);
    const insights = await until("two eva.insight events", async () => {
      const rows = await t.db
        .selectFrom("eva_event_log")
        .select("payload")
        .where("event_type", "=", "eva.insight")
        .where("venture_id", "=", v.id)
        .execute();
      return rows.length >= 2 && rows;
    });
    expect(insights.map((i) => (i.payload as { source_event_id: number }).source_event_id)).toContain(gate);
  });
});
