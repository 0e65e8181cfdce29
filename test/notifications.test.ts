// Notifications (spec §11, Decision #30): the outbox filled from the event log,
// the decisions' urgency, delivery to a local Standard Webhooks receiver
// (signatures checked here with node:crypto, independently of EVA's signer),
// retries, digests by venture, and the Chairman's inbox.
import { execFile } from "node:child_process";
import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { Logger, runOnce } from "graphile-worker";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Role, withRole } from "../src/db/client.ts";
import { ownerPoolFor } from "../src/db/migrate.ts";
import { recordVentureMetrics } from "../src/metrics/venture-metrics.ts";
import { deliverWebhook, type WebhookConfig } from "../src/notifications/outbox.ts";
import { dispatchEvents } from "../src/orchestration/event-bus.ts";
import { eventBusTasks } from "../src/tasks/event-bus.ts";
import { notificationTasks } from "../src/tasks/notifications.ts";
import { schedulerTask } from "../src/tasks/scheduler.ts";
import { runEva } from "./helpers/cli.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture, walkToDecision } from "./helpers/fixtures.ts";

const t = await createTestDatabase();
const SECRET = `whsec_${Buffer.from("a test secret of twenty-four!").toString("base64")}`;
const PUBLIC_URL = "http://eva.test";

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}
const received: Received[] = [];
/** Status codes the receiver answers with, in order; then 200. */
const answers: number[] = [];
const receiver = createServer((req, res) => {
  let body = "";
  req.on("data", (chunk) => {
    body += chunk;
  });
  req.on("end", () => {
    received.push({ headers: req.headers, body });
    res.statusCode = answers.shift() ?? 200;
    res.end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const webhook: WebhookConfig = {
  url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/eva`,
  secret: SECRET,
  publicUrl: PUBLIC_URL,
};
const ownerPool = ownerPoolFor(t.url, 2);
// The anomaly job, the event bus's deliveries (the notification-webhook subscription's among them) and the
// digests (master-scheduler ticks), as a worker registers them.
const { event_deliver } = eventBusTasks({ db: t.service, notificationWebhook: () => webhook });
const taskList = {
  ...notificationTasks({ db: t.service }),
  ...(event_deliver ? { event_deliver } : {}),
  notification_digest_daily: schedulerTask("notification_digest_daily", t.service),
  notification_digest_weekly: schedulerTask("notification_digest_weekly", t.service),
};
/**
 * Dispatches the committed events to their subscriptions (the event bus's dispatcher, as a worker's
 * waker calls it), runs every job that is due now (graphile-worker's own runner), then waits for the
 * runner's batched bookkeeping (a failed job's error and backoff can land just after runOnce returns);
 * again while the jobs logged events of their own (a digest's notification.digest).
 */
async function runJobs(): Promise<void> {
  for (let round = 0; round < 10; round++) {
    const dispatched = await dispatchEvents(t.service, { successor: false });
    await runOnce({ pgPool: ownerPool, taskList, noHandleSignals: true, logger: quietLogger() });
    let unlocked = false;
    for (let i = 0; i < 100 && !unlocked; i++) {
      const { rows } = await sql`select 1 from graphile_worker._private_jobs where locked_at is not null`.execute(t.db);
      unlocked = rows.length === 0;
      if (!unlocked) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (!unlocked) throw new Error("graphile-worker left jobs locked");
    if (dispatched.read === 0) return;
  }
  throw new Error("the jobs kept logging events");
}

/** The notification-webhook subscription's delivery of a notification's event, with its job. */
async function webhookDelivery(notificationId: string) {
  const { rows } = await sql<{
    id: string;
    status: string;
    attempts: number;
    last_error: string | null;
    job_key: string;
    later: boolean | null;
  }>`
    select d.id, d.status, d.attempts, d.last_error, 'event_deliver:' || d.subscription_id || ':' || d.event_id as job_key,
      (select j.run_at > now() from graphile_worker._private_jobs j
       where j.key = 'event_deliver:' || d.subscription_id || ':' || d.event_id) as later
    from eva.notifications n
    join eva.event_deliveries d on d.event_id = n.event_id
    join eva.event_subscriptions s on s.id = d.subscription_id and s.name = 'notification-webhook'
    where n.id = ${notificationId}::uuid`.execute(t.db);
  return rows[0];
}

beforeAll(() => {
  received.length = 0;
});
afterAll(async () => {
  await ownerPool.end();
  await new Promise((resolve) => receiver.close(resolve));
  await t.drop();
});

function quietLogger() {
  return new Logger(() => () => {});
}

/** What a receiver does, per the Standard Webhooks spec, computed here without EVA's signer. */
function expectedSignature(id: string, timestamp: string, body: string): string {
  const key = Buffer.from(SECRET.slice("whsec_".length), "base64");
  return createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64");
}

const notificationsOf = (ventureId: string) =>
  t.db.selectFrom("notifications").selectAll().where("venture_id", "=", ventureId).orderBy("created_at").execute();

const asRole = <T>(role: Role, fn: Parameters<typeof withRole<T>>[2]) => withRole(t.db, role, fn);

describe("decisions' urgency (Decision #30)", () => {
  it("blocking gates and DFE escalations are immediate, non-blocking advisory ones daily, others weekly", async () => {
    const v = await createVenture(t.db);
    const open = (type: string, stage: number, blocking: boolean, urgency: string) =>
      asRole("eva_service", (trx) =>
        sql<{ urgency: string }>`
          insert into eva.chairman_decisions (venture_id, lifecycle_stage, decision_type, urgency, blocking)
          values (${v.id}::uuid, ${stage}, ${type}, ${urgency}::eva.decision_urgency, ${blocking})
          returning urgency`.execute(trx),
      ).then((r) => r.rows[0]?.urgency);
    expect(await open("brand_approval", 10, true, "weekly")).toBe("immediate");
    expect(await open("release_decision", 22, true, "daily")).toBe("immediate");
    expect(await open("dfe_escalation", 7, true, "weekly")).toBe("immediate");
    expect(await open("dfe_escalation", 3, false, "immediate")).toBe("daily");
    expect(await open("dfe_escalation", 16, false, "immediate")).toBe("daily");
    expect(await open("dfe_escalation", 8, false, "immediate")).toBe("weekly");
    // The notification carries the decision's urgency: only immediate ones go to the webhook at once.
    const rows = await notificationsOf(v.id);
    expect(rows.map((n) => [n.notification_type, n.urgency, n.channels])).toEqual([
      ["decision.requested", "immediate", ["inbox", "webhook"]],
      ["decision.requested", "immediate", ["inbox", "webhook"]],
      ["decision.requested", "immediate", ["inbox", "webhook"]],
      ["decision.requested", "daily", ["inbox"]],
      ["decision.requested", "daily", ["inbox"]],
      ["decision.requested", "weekly", ["inbox"]],
    ]);
    // The immediate ones reach the webhook (the notification-webhook subscription), the others wait for their digest.
    received.length = 0;
    await runJobs();
    const sent = received.map((r) => JSON.parse(r.body) as { ventureId: string; urgency: string });
    expect(sent.filter((b) => b.ventureId === v.id).map((b) => b.urgency)).toEqual([
      "immediate",
      "immediate",
      "immediate",
    ]);
  });
});

describe("the webhook channel", () => {
  it("delivers a blocking decision at once, signed per Standard Webhooks", async () => {
    const v = await createVenture(t.db);
    const decisionId = await walkToDecision(t.db, v.id);
    expect(decisionId).toBeDefined();
    const decision = await t.db
      .selectFrom("chairman_decisions")
      .select(["lifecycle_stage", "urgency"])
      .where("id", "=", decisionId as string)
      .executeTakeFirstOrThrow();
    expect(decision).toEqual({ lifecycle_stage: 10, urgency: "immediate" });
    const [n] = (await notificationsOf(v.id)).filter((x) => x.decision_id === decisionId);
    expect(n).toMatchObject({ notification_type: "decision.requested", urgency: "immediate" });

    received.length = 0;
    await runJobs();
    expect(received).toHaveLength(1);
    const [hit] = received;
    if (!hit || !n) throw new Error("unreachable");
    const id = hit.headers["webhook-id"] as string;
    const timestamp = hit.headers["webhook-timestamp"] as string;
    expect(id).toBe(n.id);
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(300);
    expect(hit.headers["webhook-signature"]).toBe(`v1,${expectedSignature(id, timestamp, hit.body)}`);
    expect(hit.headers["content-type"]).toBe("application/json");
    const body = JSON.parse(hit.body);
    expect(body).toMatchObject({
      type: "decision.requested",
      urgency: "immediate",
      decisionId,
      ventureId: v.id,
      url: `${PUBLIC_URL}/decisions/${decisionId}`,
    });
    expect(body.summary).toMatch(new RegExp(`^${v.name}: brand approval at stage 10 waits for your decision`));
    expect(body.summary).not.toMatch(/\n/);
    const attempts = await t.db
      .selectFrom("notification_attempts")
      .select(["attempt", "outcome", "http_status"])
      .where("notification_id", "=", n.id)
      .execute();
    expect(attempts).toEqual([{ attempt: 1, outcome: "delivered", http_status: 200 }]);
  });

  it("retries a receiver that fails (500, then 200) after the subscription's backoff and delivers once", async () => {
    const v = await createVenture(t.db);
    const decisionId = await walkToDecision(t.db, v.id);
    const n = (await notificationsOf(v.id)).find((x) => x.decision_id === decisionId);
    if (!n) throw new Error("no notification for the decision");
    received.length = 0;
    answers.push(500);
    await runJobs();
    expect(received).toHaveLength(1);
    // The event bus keeps the delivery retrying, its next attempt due after the subscription's backoff.
    const retrying = await webhookDelivery(n.id);
    expect(retrying).toMatchObject({ status: "retrying", attempts: 1, later: true });
    expect(retrying?.last_error).toMatch(/500/);
    await runJobs();
    expect(received).toHaveLength(1);

    // Move the queue's clock to the retry instead of sleeping through the backoff.
    await sql`update graphile_worker._private_jobs set run_at = now() where key = ${retrying?.job_key}`.execute(t.db);
    await runJobs();
    expect(received).toHaveLength(2);
    expect(received.map((r) => r.headers["webhook-id"])).toEqual([n.id, n.id]);
    const last = received[1];
    if (!last) throw new Error("unreachable");
    expect(last.headers["webhook-signature"]).toBe(
      `v1,${expectedSignature(n.id, last.headers["webhook-timestamp"] as string, last.body)}`,
    );
    const attempts = await t.db
      .selectFrom("notification_attempts")
      .select(["attempt", "outcome", "http_status"])
      .where("notification_id", "=", n.id)
      .orderBy("attempt")
      .execute();
    expect(attempts).toEqual([
      { attempt: 1, outcome: "failed", http_status: 500 },
      { attempt: 2, outcome: "delivered", http_status: 200 },
    ]);
    // Done is done: the delivery is delivered, no job left, and a repeated delivery sends nothing.
    expect(await webhookDelivery(n.id)).toMatchObject({ status: "delivered", attempts: 2, later: null });
    expect(await deliverWebhook(t.service, n.id, webhook)).toBe("already_delivered");
    expect(received).toHaveLength(2);
  });

  it("a receiver failing every attempt leaves a dead letter (eva dlq list); a replay delivers it once", {
    timeout: 120_000,
  }, async () => {
    const v = await createVenture(t.db);
    const decisionId = await walkToDecision(t.db, v.id);
    const n = (await notificationsOf(v.id)).find((x) => x.decision_id === decisionId);
    if (!n) throw new Error("no notification for the decision");
    const { rows: sub } = await sql<{ max_attempts: number }>`
      select max_attempts from eva.event_subscriptions where name = 'notification-webhook'`.execute(t.db);
    const max = sub[0]?.max_attempts ?? 0;
    expect(max).toBeGreaterThan(1);
    received.length = 0;
    for (let i = 0; i < max; i++) answers.push(503);
    await runJobs();
    for (let attempt = 2; attempt <= max; attempt++) {
      const d = await webhookDelivery(n.id);
      expect(d).toMatchObject({ status: "retrying", attempts: attempt - 1 });
      await sql`update graphile_worker._private_jobs set run_at = now() where key = ${d?.job_key}`.execute(t.db);
      await runJobs();
    }
    expect(received).toHaveLength(max);
    expect(await webhookDelivery(n.id)).toMatchObject({ status: "dead_lettered", attempts: max });
    const dead = await t.db
      .selectFrom("eva_event_dlq")
      .selectAll()
      .where("event_id", "=", String(n.event_id))
      .executeTakeFirstOrThrow();
    expect(dead).toMatchObject({ status: "pending", handler: "notification_webhook", retry_count: max });
    expect(dead.failure_reason).toMatch(new RegExp(`^notification ${n.id}: the webhook answered 503`));
    const listed = await runEva(["dlq", "list", "--json"], { DATABASE_URL: t.url });
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: Number(dead.id),
          handler: "notification_webhook",
          eventType: "chairman.decision_requested",
        }),
      ]),
    );

    // The receiver is back: one replay sends it once, and a second replay is refused.
    await asRole("eva_chairman", (trx) => sql`select id from eva.fn_dlq_replay(${dead.id}::bigint)`.execute(trx));
    await runJobs();
    expect(received).toHaveLength(max + 1);
    expect(received.every((r) => r.headers["webhook-id"] === n.id)).toBe(true);
    const replayed = await t.db
      .selectFrom("eva_event_dlq")
      .select(["status", "replays"])
      .where("id", "=", dead.id)
      .executeTakeFirstOrThrow();
    expect(replayed).toEqual({ status: "replayed", replays: 1 });
    await expect(
      asRole("eva_chairman", (trx) => sql`select id from eva.fn_dlq_replay(${dead.id}::bigint)`.execute(trx)),
    ).rejects.toMatchObject({ code: "EV409" });
    const outcomes = await t.db
      .selectFrom("notification_attempts")
      .select("outcome")
      .where("notification_id", "=", n.id)
      .orderBy("attempt")
      .execute();
    expect(outcomes.map((o) => o.outcome)).toEqual([...Array(max).fill("failed"), "delivered"]);
  });

  it("records a skipped attempt when no webhook is configured (the inbox still has it)", async () => {
    const v = await createVenture(t.db);
    const decisionId = await walkToDecision(t.db, v.id);
    const n = (await notificationsOf(v.id)).find((x) => x.decision_id === decisionId);
    if (!n) throw new Error("no notification");
    expect(await deliverWebhook(t.service, n.id, { publicUrl: PUBLIC_URL })).toBe("skipped");
  });
});

describe("daily and weekly notifications", () => {
  it("classifies advisory checkpoints daily and routine completions weekly", async () => {
    const v = await createVenture(t.db);
    await walkToDecision(t.db, v.id, 6);
    const rows = await notificationsOf(v.id);
    expect(rows.map((n) => [n.notification_type, n.urgency, (n.payload as { stage?: number }).stage])).toEqual([
      ["stage.completed", "weekly", 1],
      ["stage.completed", "weekly", 2],
      ["checkpoint.advisory", "daily", 3],
      ["stage.completed", "weekly", 4],
      ["checkpoint.advisory", "daily", 5],
      ["stage.completed", "weekly", 6],
    ]);
  });

  it("a failed reality gate and an automatic kill go to the daily digest", async () => {
    const v = await createVenture(t.db);
    await walkToDecision(t.db, v.id, 4);
    const work = await t.db
      .selectFrom("venture_stage_work")
      .select("id")
      .where("venture_id", "=", v.id)
      .where("status", "=", "ready")
      .executeTakeFirstOrThrow();
    await asRole("eva_service", async (trx) => {
      await sql`select eva.fn_begin_stage_run(${work.id}::uuid)`.execute(trx);
      await sql`select eva.fn_record_stage_result(${work.id}::uuid,
        '[{"artifactType": "financial_model", "content": {"stage": 5}, "qualityScore": 20, "epistemicClassification": "simulation"}]'::jsonb,
        '{"decision": "kill", "rationale": "margins never turn positive"}'::jsonb, '[]'::jsonb,
        '{"action": "kill", "reason": "margins never turn positive"}'::jsonb)`.execute(trx);
    });
    const rows = (await notificationsOf(v.id)).filter((n) => n.urgency === "daily");
    expect(rows.map((n) => [n.notification_type, n.summary])).toEqual([
      ["checkpoint.advisory", `${v.name}: advisory checkpoint stage 3 completed (gate: pass)`],
      ["reality_gate.failed", `${v.name}: the reality gate at stage 5 failed (kill)`],
      ["venture.auto_killed", `${v.name} was killed at stage 5: margins never turn positive`],
    ]);
  });

  it("the daily digest groups by venture, is delivered once, and a second run sends nothing", async () => {
    const a = await createVenture(t.db);
    const b = await createVenture(t.db);
    await walkToDecision(t.db, a.id, 6);
    await walkToDecision(t.db, b.id, 4);
    const dailyOf = async (id: string) =>
      (await notificationsOf(id)).filter((n) => n.urgency === "daily").map((n) => n.id);
    const dailyA = await dailyOf(a.id);
    const dailyB = await dailyOf(b.id);
    expect([dailyA.length, dailyB.length]).toEqual([2, 1]);

    received.length = 0;
    const asOf = new Date(Date.now() + 1000).toISOString();
    await sql`select graphile_worker.add_job('notification_digest_daily', json_build_object('asOf', ${asOf}::text))`.execute(
      t.db,
    );
    await runJobs();
    const digest = await t.db
      .selectFrom("notifications")
      .selectAll()
      .where("notification_type", "=", "digest.daily")
      .executeTakeFirstOrThrow();
    const groups = (digest.payload as { ventures: unknown }).ventures as {
      ventureId: string;
      venture: string;
      count: number;
      items: { id: string }[];
    }[];
    const groupOf = (id: string) => groups.find((g) => g.ventureId === id);
    expect(groupOf(a.id)).toMatchObject({ venture: a.name, count: 2 });
    expect(groupOf(a.id)?.items.map((i) => i.id)).toEqual(dailyA);
    expect(groupOf(b.id)?.items.map((i) => i.id)).toEqual(dailyB);
    // Every daily notification is carried by this digest; none by another.
    const { rows: left } = await sql`select id from eva.notifications
      where urgency = 'daily' and digest_id is null and notification_type <> 'digest.daily'`.execute(t.db);
    expect(left).toEqual([]);

    const digestHits = received.filter((r) => JSON.parse(r.body).type === "digest.daily");
    expect(digestHits).toHaveLength(1);
    const body = JSON.parse(digestHits[0]?.body ?? "{}");
    expect(body).toMatchObject({ urgency: "daily", url: `${PUBLIC_URL}/notifications/${digest.id}` });
    expect(body.summary).toBe(digest.summary);
    expect(body.ventures.find((g: { ventureId: string }) => g.ventureId === b.id).count).toBe(1);

    await sql`select graphile_worker.add_job('notification_digest_daily', json_build_object('asOf', ${asOf}::text))`.execute(
      t.db,
    );
    await runJobs();
    const { rows: digests } =
      await sql`select id from eva.notifications where notification_type = 'digest.daily'`.execute(t.db);
    expect(digests).toHaveLength(1);
  });

  it("the weekly summary carries routine stage completions, grouped by venture", async () => {
    const v = await createVenture(t.db);
    await walkToDecision(t.db, v.id, 2);
    const id = await t.service.transaction().execute(async (trx) => {
      const { rows } = await sql<{ id: string }>`select eva.fn_notification_digest('weekly', now()) as id`.execute(trx);
      return rows[0]?.id;
    });
    const digest = await t.db
      .selectFrom("notifications")
      .selectAll()
      .where("id", "=", id as string)
      .executeTakeFirstOrThrow();
    const group = ((digest.payload as { ventures: unknown }).ventures as { ventureId: string; count: number }[]).find(
      (g) => g.ventureId === v.id,
    );
    expect(group?.count).toBe(2);
    await expect(sql`select eva.fn_notification_digest('immediate', now())`.execute(t.service)).rejects.toMatchObject({
      code: "EV400",
    });
  });
});

describe("the Chairman's inbox", () => {
  it("is the Chairman's: read and unread through SQL functions, refused to viewers", async () => {
    const v = await createVenture(t.db);
    await walkToDecision(t.db, v.id, 1);
    const [n] = await notificationsOf(v.id);
    if (!n) throw new Error("no notification");
    const seen = await asRole("eva_chairman", (trx) =>
      trx.selectFrom("notifications").select(["id", "read_at"]).where("id", "=", n.id).execute(),
    );
    expect(seen).toEqual([{ id: n.id, read_at: null }]);
    await expect(
      asRole("eva_viewer", (trx) => trx.selectFrom("notifications").select("id").execute()),
    ).rejects.toMatchObject({
      code: "42501",
    });
    await expect(
      asRole("eva_viewer", (trx) => sql`select eva.fn_notification_read(${n.id}::uuid)`.execute(trx)),
    ).rejects.toMatchObject({ code: "42501" });
    await expect(
      asRole("eva_service", (trx) => sql`select eva.fn_notification_read(${n.id}::uuid)`.execute(trx)),
    ).rejects.toMatchObject({ code: "42501" });

    const readAt = async () =>
      (await t.db.selectFrom("notifications").select("read_at").where("id", "=", n.id).executeTakeFirstOrThrow())
        .read_at;
    await asRole("eva_chairman", (trx) => sql`select eva.fn_notification_read(${n.id}::uuid)`.execute(trx));
    expect(await readAt()).toBeInstanceOf(Date);
    await asRole("eva_chairman", (trx) => sql`select eva.fn_notification_read(${n.id}::uuid, false)`.execute(trx));
    expect(await readAt()).toBeNull();
    await expect(
      asRole("eva_chairman", (trx) => sql`select eva.fn_notification_read(gen_random_uuid())`.execute(trx)),
    ).rejects.toMatchObject({ code: "EV404" });
    const { rows } = await asRole("eva_chairman", (trx) =>
      sql<{ n: number }>`select eva.fn_notifications_read_all() as n`.execute(trx),
    );
    expect(rows[0]?.n).toBeGreaterThanOrEqual(1);
    expect(await readAt()).toBeInstanceOf(Date);
  });
});

describe("post-launch operations: metric anomalies (spec §14)", () => {
  const day = (d: number) => new Date(Date.UTC(2026, 10, d, 9)).toISOString();
  const record = (ventureId: string, name: string, values: [number, number][]) =>
    asRole("eva_chairman", (trx) =>
      recordVentureMetrics(
        trx,
        ventureId,
        values.map(([d, value]) => ({
          category: "revenue" as const,
          name,
          value,
          observedAt: day(d),
          source: "stripe",
        })),
      ),
    );
  const anomalies = (ventureId: string) =>
    t.db.selectFrom("metric_anomalies").selectAll().where("venture_id", "=", ventureId).orderBy("created_at").execute();

  it("judges nothing before 5 observations, flags a value outside median ± 3·MAD, and the DFE escalates a large one", async () => {
    const v = await createVenture(t.db);
    await record(v.id, "MRR (EUR)", [
      [1, 100],
      [2, 102],
      [3, 98],
      [4, 101],
      [5, 250],
    ]);
    expect(await anomalies(v.id)).toEqual([]);
    await record(v.id, "MRR (EUR)", [[6, 99]]);
    expect(await anomalies(v.id)).toEqual([]);
    await record(v.id, "MRR (EUR)", [[7, 160]]);
    const [a] = await anomalies(v.id);
    // History 100, 102, 98, 101, 250, 99: median 100.5, MAD 1.5 (the 250 does not widen it).
    expect(a).toMatchObject({ metric_name: "MRR (EUR)", history: 6, resolution: null });
    expect([Number(a?.median), Number(a?.mad), Number(a?.robust_z)]).toEqual([100.5, 1.5, 26.755]);
    const { rows: events } = await sql<{ payload: { rule: { k: number; window: number; min_history: number } } }>`
      select payload from eva.eva_event_log where venture_id = ${v.id} and event_type = 'metric.anomaly'`.execute(t.db);
    expect(events.map((e) => e.payload.rule)).toEqual([{ k: 3, window: 12, min_history: 5, history: 6 }]);

    received.length = 0;
    await runJobs();
    const [resolved] = await anomalies(v.id);
    expect(resolved).toMatchObject({ resolution: "escalate" });
    expect(resolved?.dfe).toMatchObject({ output: "PRESENT_TO_CHAIRMAN", escalateAtZ: 6 });
    const decision = await t.db
      .selectFrom("chairman_decisions")
      .selectAll()
      .where("id", "=", resolved?.decision_id as string)
      .executeTakeFirstOrThrow();
    expect(decision).toMatchObject({ decision_type: "dfe_escalation", urgency: "immediate", status: "pending" });
    expect(decision.context).toMatchObject({ kind: "metric_anomaly", anomaly: { metric_name: "MRR (EUR)" } });
    // The escalation is a blocking decision: it reached the webhook at once.
    await runJobs();
    const hit = received.find((r) => JSON.parse(r.body).decisionId === decision.id);
    expect(JSON.parse(hit?.body ?? "{}")).toMatchObject({
      type: "decision.requested",
      urgency: "immediate",
      ventureId: v.id,
    });

    // The Chairman's "proceed" acknowledges it; the venture's stage work is untouched.
    const before = await t.db
      .selectFrom("ventures")
      .select(["status", "current_lifecycle_stage"])
      .where("id", "=", v.id)
      .executeTakeFirstOrThrow();
    await asRole("eva_chairman", (trx) =>
      sql`select eva.fn_decide(${decision.id}::uuid, 'proceed', 'seasonal')`.execute(trx),
    );
    const after = await t.db
      .selectFrom("ventures")
      .select(["status", "current_lifecycle_stage"])
      .where("id", "=", v.id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual(before);
  });

  it("the DFE lets a moderate anomaly proceed, reported in the daily digest", async () => {
    const v = await createVenture(t.db);
    await record(v.id, "Paying customers", [
      [1, 40],
      [2, 42],
      [3, 38],
      [4, 41],
      [5, 39],
      [6, 40],
      [7, 47],
    ]);
    const [a] = await anomalies(v.id);
    expect(Number(a?.robust_z)).toBeGreaterThan(3);
    expect(Number(a?.robust_z)).toBeLessThan(6);
    await runJobs();
    const [resolved] = await anomalies(v.id);
    expect(resolved).toMatchObject({ resolution: "auto_proceed", decision_id: null });
    const rows = await notificationsOf(v.id);
    expect(rows.map((n) => [n.notification_type, n.urgency])).toEqual([["metric.auto_proceeded", "daily"]]);
    const { rows: pending } = await sql`select 1 from eva.chairman_decisions where venture_id = ${v.id}`.execute(t.db);
    expect(pending).toEqual([]);
  });
});

describe("eva notifications", () => {
  const _exec = promisify(execFile);
  const eva = (args: string[]) => runEva(args, { DATABASE_URL: t.url });

  it("lists the inbox as JSON, marks one read and then all, and refuses a bad id", { timeout: 120_000 }, async () => {
    const v = await createVenture(t.db);
    const decisionId = await walkToDecision(t.db, v.id);
    await asRole("eva_chairman", (trx) => sql`select eva.fn_notifications_read_all()`.execute(trx));
    const n = (await notificationsOf(v.id)).find((x) => x.decision_id === decisionId);
    if (!n) throw new Error("no notification");
    await asRole("eva_chairman", (trx) => sql`select eva.fn_notification_read(${n.id}::uuid, false)`.execute(trx));

    const unread = await eva(["notifications", "--unread", "--json"]);
    expect(unread.code).toBe(0);
    const rows = JSON.parse(unread.stdout) as {
      id: string;
      type: string;
      urgency: string;
      decisionId: string;
      read: boolean;
    }[];
    expect(rows.map((r) => [r.id, r.type, r.urgency, r.decisionId, r.read])).toEqual([
      [n.id, "decision.requested", "immediate", decisionId, false],
    ]);

    const read = await eva(["notifications", "read", n.id]);
    expect([read.code, read.stdout]).toEqual([0, `notification ${n.id} marked read\n`]);
    expect(JSON.parse((await eva(["notifications", "--unread", "--json"])).stdout)).toEqual([]);

    const bad = await eva(["notifications", "read", "not-an-id"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/"not-an-id" is not a notification id/);
    const missing = await eva(["notifications", "read", "00000000-0000-4000-8000-000000000000"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/there is no notification 00000000-0000-4000-8000-000000000000[\s\S]*EV404/);

    await asRole("eva_chairman", (trx) => sql`select eva.fn_notification_read(${n.id}::uuid, false)`.execute(trx));
    const all = await eva(["notifications", "read", "--all", "--json"]);
    expect(JSON.parse(all.stdout)).toEqual({ read: 1 });
  });
});

describe("post-launch operations: KPI decline and reported bugs (spec §14)", () => {
  const decideAs = (id: string, decision: string) =>
    asRole("eva_chairman", (trx) => sql`select eva.fn_decide(${id}::uuid, ${decision}, null)`.execute(trx));
  const NEXT: Record<string, string> = {
    brand_approval: "approve",
    release_decision: "release",
    venture_future: "continue",
    dfe_escalation: "proceed",
  };

  /** Walks a venture through launch and `runs` Stage 24 ops cycles, deciding as the Chairman on the way. */
  async function launched(runs: number): Promise<{ id: string; name: string }> {
    const v = await createVenture(t.db);
    for (let guard = 0; guard < 20; guard++) {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from eva.venture_stage_work
        where venture_id = ${v.id} and lifecycle_stage = 24 and started_at is not null`.execute(t.db);
      if ((rows[0]?.n ?? 0) >= runs) break;
      const decisionId = await walkToDecision(t.db, v.id);
      if (!decisionId) throw new Error("the walk stopped without a decision");
      const d = await t.db
        .selectFrom("chairman_decisions")
        .select("decision_type")
        .where("id", "=", decisionId)
        .executeTakeFirstOrThrow();
      await decideAs(decisionId, NEXT[d.decision_type] ?? "approve");
      // "continue" schedules the next ops cycle on the venture's cadence: the Chairman makes it due now.
      if (d.decision_type === "venture_future") {
        await asRole("eva_chairman", (trx) => sql`select eva.fn_schedule_run_now(${v.id}::uuid)`.execute(trx));
      }
    }
    return v;
  }

  it("a KPI that fell in 3 consecutive ops cycles becomes one enhancement SD work item", {
    timeout: 60_000,
  }, async () => {
    const v = await launched(3);
    // Place the three Stage 24 runs a week apart, so observations fall into cycles 1-4.
    await sql`update eva.venture_stage_work set started_at = timestamptz '2026-10-01' + (run_number - 1) * interval '7 days'
      where venture_id = ${v.id} and lifecycle_stage = 24 and started_at is not null`.execute(t.db);
    const recordAt = (at: string, value: number, name = "Week-4 retention (%)") =>
      asRole("eva_chairman", (trx) =>
        recordVentureMetrics(trx, v.id, [{ category: "retention", name, value, observedAt: at, source: "posthog" }]),
      );
    const items = () =>
      t.db
        .selectFrom("sd_work_items")
        .select(["title", "item_type", "status", "details"])
        .where("venture_id", "=", v.id)
        .where("kind", "=", "child")
        .where(sql<boolean>`details ->> 'origin' = 'post_launch'`)
        .execute();
    await recordAt("2026-09-28T00:00:00Z", 40);
    await recordAt("2026-10-05T00:00:00Z", 36);
    await recordAt("2026-10-12T00:00:00Z", 33);
    // Two cycles of decline are not yet three.
    expect(await items()).toEqual([]);
    await recordAt("2026-10-20T00:00:00Z", 30);
    const [item, ...more] = await items();
    expect(more).toEqual([]);
    expect(item).toMatchObject({
      title: "Reverse the decline of Week-4 retention (%) (3 cycles: 40 → 36 → 33 → 30)",
      item_type: "feature",
      status: "pending",
      details: { kind: "enhancement", metric: "Week-4 retention (%)", through_cycle: 4, cycles: 3 },
    });
    // Another ingest in the same cycle, still declining, adds nothing while the item is pending.
    await recordAt("2026-10-21T00:00:00Z", 29);
    expect(await items()).toHaveLength(1);
    // Churn is lower-is-better: it rising for 3 cycles is the decline.
    for (const [at, value] of [
      ["2026-09-28T00:00:00Z", 2],
      ["2026-10-05T00:00:00Z", 3],
      ["2026-10-12T00:00:00Z", 4],
      ["2026-10-20T00:00:00Z", 5],
    ] as const)
      await recordAt(at, value, "Monthly churn (%)");
    expect((await items()).map((i) => i.title)).toContain(
      "Reverse the decline of Monthly churn (%) (3 cycles: 2 → 3 → 4 → 5)",
    );
    // Engineering reports it like sprint work.
    const { rows } = await sql<{ id: string }>`select id from eva.sd_work_items where venture_id = ${v.id}
      and kind = 'child' and details ->> 'series' = 'week-4 retention (%)'`.execute(t.db);
    await sql`select eva.fn_sd_complete(${rows[0]?.id}::uuid, 'succeeded', 12, 0, 80)`.execute(t.service);
    expect((await items()).find((i) => i.title.includes("Week-4"))?.status).toBe("succeeded");
  });

  it("eva sd report-bug makes a bugfix SD item; before launch and bad input are refused", {
    timeout: 120_000,
  }, async () => {
    const _exec = promisify(execFile);
    const eva = (args: string[]) => runEva(args, { DATABASE_URL: t.url });
    const v = await launched(1);
    const ok = await eva([
      "sd",
      "report-bug",
      v.name,
      "--title",
      "CSV export drops the last row",
      "--severity",
      "high",
      "--json",
    ]);
    expect(ok.code).toBe(0);
    const item = JSON.parse(ok.stdout);
    expect(item).toMatchObject({
      venture: v.name,
      title: "CSV export drops the last row",
      type: "bugfix",
      status: "pending",
      severity: "high",
    });
    const saved = await t.db
      .selectFrom("sd_work_items")
      .select("details")
      .where("id", "=", item.id)
      .executeTakeFirstOrThrow();
    expect(saved.details).toMatchObject({ kind: "bugfix", severity: "high", reported_by: "eva_service" });

    const count = async () =>
      Number((await sql<{ n: string }>`select count(*) as n from eva.sd_work_items`.execute(t.db)).rows[0]?.n);
    const before = await count();
    const bad = await eva(["sd", "report-bug", v.name, "--title", "x", "--severity", "urgent"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--severity/);
    const early = await createVenture(t.db);
    const refused = await eva(["sd", "report-bug", early.name, "--title", "Broken signup"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/still building[\s\S]*EV409/);
    const unknown = await eva(["sd", "report-bug", "No Such Venture", "--title", "Broken"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no venture "No Such Venture"/);
    expect(await count()).toBe(before);
  });
});

describe("pure parts", () => {
  it("verifyWebhook accepts EVA's signature, refuses a changed body, and a secret must be base64", async () => {
    const { signWebhook, verifyWebhook, webhookKey } = await import("../src/notifications/signature.ts");
    const body = '{"type":"decision.requested"}';
    const header = `v0,bogus ${signWebhook(SECRET, "msg_1", 1_700_000_000, body)}`;
    expect(header.split(" ")[1]).toBe(`v1,${expectedSignature("msg_1", "1700000000", body)}`);
    expect(verifyWebhook(SECRET, "msg_1", "1700000000", body, header)).toBe(true);
    expect(verifyWebhook(SECRET, "msg_1", "1700000000", `${body} `, header)).toBe(false);
    expect(verifyWebhook(SECRET, "msg_2", "1700000000", body, header)).toBe(false);
    expect(() => webhookKey("whsec_not base64!")).toThrow(/EVA_NOTIFY_SECRET/);
  });

  it("the DFE escalates an anomaly from 6 robust SDs, or of unknown size, and lets a smaller one proceed", async () => {
    const { evaluateMetricAnomaly } = await import("../src/gates/dfe.ts");
    const at = (robustZ: number | null) =>
      evaluateMetricAnomaly({ metric: "MRR (EUR)", value: 160, median: 100, mad: 2, robustZ }).resolution;
    expect([at(3.5), at(-5.99), at(6), at(-12), at(null)]).toEqual([
      "auto_proceed",
      "auto_proceed",
      "escalate",
      "escalate",
      "escalate",
    ]);
  });
});
