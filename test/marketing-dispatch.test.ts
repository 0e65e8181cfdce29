// Dispatch end to end on a real PostgreSQL, as eva_service, against local
// Mastodon- and X-speaking servers: the dry-run default recorded and labelled,
// live posts only once Stage 23 activated distribution, a repeated publish
// that never posts twice, the governors (monthly cap, daily stop-loss, 80 %
// alert, Reddit's switch), rate limits (deferred at publish, admitted at
// scheduling, reset), the error classes (429 retried, 4xx permanent, a
// timeout after sending unconfirmed then reconciled), and polled metrics
// written as deltas.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { withRole } from "../src/db/client.ts";
import {
  collectMetrics,
  type DispatchDeps,
  publishNow,
  runDispatch,
  scheduleCheck,
} from "../src/marketing/dispatch.ts";
import { DRY_RUN_LABEL, DryRunPublisher, type Platform, type Publisher } from "../src/marketing/publishers/index.ts";
import { MastodonPublisher } from "../src/marketing/publishers/mastodon.ts";
import { XPublisher } from "../src/marketing/publishers/x.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { settleEventBus } from "./helpers/event-bus.ts";
import { createVenture } from "./helpers/fixtures.ts";
import { attemptsOf, dispatchOf, launchDistribution, scheduledContent } from "./helpers/marketing-dispatch.ts";
import { type SocialServer, startMastodonServer, startXServer } from "./helpers/social-servers.ts";

const t = await createTestDatabase();
let mastodon: SocialServer;
let x: SocialServer;
let deps: DispatchDeps;
let xTimeoutMs = 30_000;

beforeAll(async () => {
  mastodon = await startMastodonServer();
  x = await startXServer();
  deps = {
    publisherFor: (p: Platform): Publisher => {
      if (p === "mastodon") return new MastodonPublisher({ url: mastodon.url, token: "test-token", timeoutMs: 2_000 });
      if (p === "x") return new XPublisher({ baseUrl: x.url, accessToken: "x-token", timeoutMs: xTimeoutMs });
      return new DryRunPublisher(p);
    },
  };
});
afterAll(async () => {
  await mastodon?.close();
  await x?.close();
  await t.drop();
});
beforeEach(() => {
  mastodon.next.length = 0;
  x.next.length = 0;
  xTimeoutMs = 30_000;
});

const asChairman = <T>(fn: Parameters<typeof withRole<T>>[2]) => withRole(t.db, "eva_chairman", fn);

async function launchedVenture() {
  const v = await createVenture(t.db);
  await launchDistribution(t.db, v.id, "full");
  return v;
}

describe("the dry-run default and the content lifecycle", () => {
  it("schedules SCHEDULE content at the platform's default send time, then records the dry run labelled and moves the content to MEASURE", async () => {
    const v = await createVenture(t.db);
    const { contentId, variantIds } = await scheduledContent(t.db, v.id, [
      { platform: "threads", text: "Invoices, matched.", linkUrl: "https://ledgerloop.example/start" },
    ]);
    const first = await scheduleCheck(t.service);
    expect(first.scheduled).toBeGreaterThanOrEqual(1);
    const d = await t.db
      .selectFrom("marketing.marketing_dispatches")
      .selectAll()
      .where("variant_id", "=", variantIds[0] as string)
      .executeTakeFirstOrThrow();
    expect(d.status).toBe("scheduled");
    expect(new Date(d.due_at).toISOString()).toMatch(/T17:00:00\.000Z$/);
    expect(d.link).toContain(`utm_id=${d.id}`);
    expect(d.link).toContain("utm_source=threads");
    expect(d.post_text).toBe(`Invoices, matched.\n\n${d.link}`);
    // A second check plans nothing new (one dispatch per variant × platform).
    await scheduleCheck(t.service);
    const count = await t.db
      .selectFrom("marketing.marketing_dispatches")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("variant_id", "=", variantIds[0] as string)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);

    await sql`update marketing.marketing_dispatches set due_at = now() - interval '1 minute' where id = ${d.id}::uuid`.execute(
      t.db,
    );
    const released = await scheduleCheck(t.service);
    expect(released.released).toBeGreaterThanOrEqual(1);
    const job = await sql<{ n: number }>`select count(*)::int as n from graphile_worker._private_jobs
      where key = ${`marketing_dispatch:${d.id}`}`.execute(t.db);
    expect(job.rows[0]?.n).toBe(1);

    const r = await runDispatch(t.service, d.id, deps);
    expect(r).toMatchObject({ status: "dry_run", mode: "dry_run", platformPostId: `dry-run:${d.id}` });
    const after = await dispatchOf(t.db, d.id);
    expect(after.platform_ref).toMatchObject({ label: DRY_RUN_LABEL, wouldPost: { text: d.post_text } });
    expect(await attemptsOf(t.db, d.id)).toEqual([
      { attempt: 1, action: "publish", mode: "dry_run", outcome: "dry_run", error_class: null, http_status: null },
    ]);
    const moves = await t.db
      .selectFrom("marketing.marketing_content_transitions")
      .select(["from_state", "to_state"])
      .where("content_id", "=", contentId)
      .orderBy("id")
      .execute();
    expect(moves).toEqual([
      { from_state: "SCHEDULE", to_state: "DISPATCH" },
      { from_state: "DISPATCH", to_state: "MEASURE" },
    ]);
  });
});

describe("live posts and the idempotent path", () => {
  it("waits for Stage 23's full distribution, then posts once however often it is published", async () => {
    const v = await createVenture(t.db);
    const { variantIds } = await scheduledContent(t.db, v.id, [
      { platform: "mastodon", text: "Close the month in a day." },
    ]);
    const variant = variantIds[0] as string;
    const waiting = await publishNow(t.service, variant, "mastodon", deps);
    expect(waiting).toMatchObject({ action: "deferred", status: "scheduled" });
    expect((await dispatchOf(t.db, waiting.dispatchId)).last_error).toMatch(/Stage 23/);
    const before = mastodon.posts.length;

    await launchDistribution(t.db, v.id, "full");
    const posted = await publishNow(t.service, variant, "mastodon", deps);
    expect(posted).toMatchObject({ dispatchId: waiting.dispatchId, status: "posted", mode: "live" });
    const again = await publishNow(t.service, variant, "mastodon", deps);
    expect(again).toMatchObject({ dispatchId: waiting.dispatchId, action: "skip", status: "posted" });
    expect(again.platformPostId).toBe(posted.platformPostId);
    expect(mastodon.posts.length).toBe(before + 1);
    expect(mastodon.posts.at(-1)?.text).toBe("Close the month in a day.");
    expect(posted.url).toBe(`http://masto.test/@eva/${posted.platformPostId}`);
  });
});

describe("budget governors", () => {
  it("X gets a $50/month budget by default, and a monthly cap refuses the dispatch with the reason", async () => {
    const v = await launchedVenture();
    const { variantIds } = await scheduledContent(t.db, v.id, [
      { platform: "x", text: "Cap test", linkUrl: "https://ledgerloop.example/" },
      { platform: "x", text: "Cap test two", linkUrl: "https://ledgerloop.example/" },
    ]);
    const first = await publishNow(t.service, variantIds[0] as string, "x", deps);
    expect(first.status).toBe("posted");
    const budget = await t.db
      .selectFrom("marketing.marketing_channel_budgets")
      .selectAll()
      .where("venture_id", "=", v.id)
      .where("platform", "=", "x")
      .executeTakeFirstOrThrow();
    expect(budget).toMatchObject({ monthly_budget_cents: "5000", source: "default" });

    await asChairman((trx) => sql`select marketing.fn_set_channel_budget(${v.id}::uuid, 'x', 30)`.execute(trx));
    const posts = x.posts.length;
    const capped = await publishNow(t.service, variantIds[1] as string, "x", deps);
    expect(capped.status).toBe("refused");
    expect(capped.reason).toBe(
      "monthly cap: x has spent $0.20 of its $0.30 x budget this month; this post would cost $0.20",
    );
    expect(x.posts.length).toBe(posts);
    const ledger = await t.db
      .selectFrom("marketing.marketing_spend_ledger")
      .select(["amount_cents", "basis", "reason"])
      .where("venture_id", "=", v.id)
      .execute();
    expect(ledger).toEqual([{ amount_cents: "20", basis: "assumption", reason: "post" }]);
  });

  it("the daily stop-loss refuses once today's spend would pass 2× the rolling average", async () => {
    const v = await launchedVenture();
    await asChairman((trx) => sql`select marketing.fn_set_channel_budget(${v.id}::uuid, 'x', 100000)`.execute(trx));
    // 7 days at $0.20 a day (average $0.20), and $0.30 already spent today.
    await sql`insert into marketing.marketing_spend_ledger (venture_id, platform, amount_cents, basis, reason, occurred_at)
      select ${v.id}::uuid, 'x', 20, 'assumption', 'post', date_trunc('day', now()) - make_interval(days => d) + interval '12 hours'
      from generate_series(1, 7) d
      union all select ${v.id}::uuid, 'x', 30, 'assumption', 'post', now()`.execute(t.db);
    const { variantIds } = await scheduledContent(t.db, v.id, [
      { platform: "x", text: "Stop-loss test", linkUrl: "https://ledgerloop.example/" },
    ]);
    const r = await publishNow(t.service, variantIds[0] as string, "x", deps);
    expect(r.status).toBe("refused");
    expect(r.reason).toBe(
      "daily stop-loss: x spend today would reach $0.50, over 2.0× the 7-day average of $0.20 a day",
    );
    const event = await sql<{ reason: string }>`select payload ->> 'reason' as reason from eva.eva_event_log
      where venture_id = ${v.id}::uuid and event_type = 'marketing.dispatch_refused'`.execute(t.db);
    expect(event.rows.map((e) => e.reason)).toEqual([r.reason]);
  });

  it("alerts the Chairman once when the month's spend reaches 80 %", async () => {
    const v = await launchedVenture();
    await asChairman((trx) => sql`select marketing.fn_set_channel_budget(${v.id}::uuid, 'x', 100)`.execute(trx));
    await sql`insert into marketing.marketing_spend_ledger (venture_id, platform, amount_cents, basis, reason, occurred_at)
      values (${v.id}::uuid, 'x', 60, 'assumption', 'post', now())`.execute(t.db);
    const { variantIds } = await scheduledContent(t.db, v.id, [
      { platform: "x", text: "Alert test", linkUrl: "https://ledgerloop.example/" },
    ]);
    expect((await publishNow(t.service, variantIds[0] as string, "x", deps)).status).toBe("posted");
    const alerts = () =>
      t.db
        .selectFrom("notifications")
        .select(["notification_type", "urgency", "summary"])
        .where("venture_id", "=", v.id)
        .where("notification_type", "=", "marketing.budget_alert")
        .execute();
    expect(await alerts()).toEqual([
      {
        notification_type: "marketing.budget_alert",
        urgency: "immediate",
        summary: `${v.name}: x has spent $0.80 of its $1.00 monthly budget (80%)`,
      },
    ]);
    await sql`select eva_private.fn_budget_governor_check()`.execute(t.service);
    expect(await alerts()).toHaveLength(1);

    // Immediate: its webhook goes out through the notification-webhook subscription, once.
    const received: { type?: string; summary?: string }[] = [];
    const receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => {
        body += d;
      });
      req.on("end", () => {
        received.push(JSON.parse(body));
        res.end("ok");
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      const webhook = () => ({
        url,
        secret: `whsec_${Buffer.from("a".repeat(32)).toString("base64")}`,
        publicUrl: "http://eva.test",
      });
      await settleEventBus(t, { notificationWebhook: webhook });
      await settleEventBus(t, { notificationWebhook: webhook });
    } finally {
      receiver.close();
    }
    expect(received.filter((r) => r.type === "marketing.budget_alert").map((r) => r.summary)).toEqual([
      `${v.name}: x has spent $0.80 of its $1.00 monthly budget (80%)`,
    ]);
  });

  it("Reddit is refused until the Chairman enables it for the venture", async () => {
    const v = await launchedVenture();
    const { variantIds } = await scheduledContent(t.db, v.id, [{ platform: "reddit", text: "Reddit test" }]);
    const refused = await publishNow(t.service, variantIds[0] as string, "reddit", deps);
    expect(refused.status).toBe("refused");
    expect(refused.reason).toMatch(/^Reddit is off for this venture until the Chairman enables it/);
    await asChairman((trx) => sql`select marketing.fn_set_reddit_enabled(${v.id}::uuid, true)`.execute(trx));
    // No Reddit credentials here: the dry-run publisher records it.
    expect((await publishNow(t.service, variantIds[0] as string, "reddit", deps)).status).toBe("dry_run");
    await expect(
      withRole(t.db, "eva_service", (trx) =>
        sql`select marketing.fn_set_reddit_enabled(${v.id}::uuid, true)`.execute(trx),
      ),
    ).rejects.toThrow(/permission denied/);
  });
});

describe("rate limits", () => {
  it("a full window defers the dispatch to its reset; the reset job empties passed windows", async () => {
    const v = await launchedVenture();
    await asChairman((trx) => sql`select marketing.fn_set_rate_limit('mastodon', 'test1h', '1 hour', 1)`.execute(trx));
    await sql`update marketing.marketing_rate_limits set used = 0, window_started_at = now()
      where platform = 'mastodon'`.execute(t.db);
    const { variantIds } = await scheduledContent(t.db, v.id, [
      { platform: "mastodon", text: "Rate one" },
      { platform: "mastodon", text: "Rate two" },
    ]);
    expect((await publishNow(t.service, variantIds[0] as string, "mastodon", deps)).status).toBe("posted");
    const deferred = await publishNow(t.service, variantIds[1] as string, "mastodon", deps);
    expect(deferred).toMatchObject({ action: "deferred", status: "scheduled", reason: "rate limit" });
    const d = await dispatchOf(t.db, deferred.dispatchId);
    expect(d.error_class).toBe("rate_limited");
    expect(new Date(d.due_at).getTime()).toBeGreaterThan(Date.now() + 55 * 60_000);

    await sql`update marketing.marketing_rate_limits set window_started_at = now() - interval '2 hours'
      where platform = 'mastodon'`.execute(t.db);
    const { rows } = await sql<{ n: number }>`select eva_private.fn_rate_limit_reset() as n`.execute(t.service);
    expect(rows[0]?.n).toBeGreaterThanOrEqual(1);
    const again = await sql<{ n: number }>`select eva_private.fn_rate_limit_reset() as n`.execute(t.service);
    expect(again.rows[0]?.n).toBe(0);
    await sql`delete from marketing.marketing_rate_limits where window_name = 'test1h'`.execute(t.db);
  });

  it("scheduling admits dispatches against the limits: the one that does not fit moves to the next window", async () => {
    const v = await createVenture(t.db);
    await asChairman((trx) => sql`select marketing.fn_set_rate_limit('youtube', '24h', '24 hours', 2)`.execute(trx));
    // Three content items (the schedule sends one variant of each per platform).
    const variantIds: string[] = [];
    for (const text of ["Video one", "Video two", "Video three"]) {
      variantIds.push(...(await scheduledContent(t.db, v.id, [{ platform: "youtube", text }])).variantIds);
    }
    await scheduleCheck(t.service);
    const rows = await t.db
      .selectFrom("marketing.marketing_dispatches")
      .select(["variant_id", "due_at", "status"])
      .where("variant_id", "in", variantIds)
      .orderBy("due_at")
      .execute();
    expect(rows.map((r) => r.status)).toEqual(["scheduled", "scheduled", "scheduled"]);
    const [a, b, c] = rows.map((r) => new Date(r.due_at).getTime());
    expect(b).toBe(a);
    expect((c as number) - (a as number)).toBeGreaterThan(24 * 3600_000);
  });
});

describe("errors: retried only when proven not sent", () => {
  it("a 429 is retried at the platform's reset time and then posts once", async () => {
    const v = await launchedVenture();
    const { variantIds } = await scheduledContent(t.db, v.id, [{ platform: "x", text: "Retry after 429" }]);
    x.next.push(429);
    const first = await publishNow(t.service, variantIds[0] as string, "x", deps);
    expect(first.status).toBe("due");
    const d = await dispatchOf(t.db, first.dispatchId);
    expect(d.error_class).toBe("rate_limited");
    expect(new Date(d.due_at).getTime()).toBeGreaterThan(Date.now() - 2_000);
    // The 429's headers said no calls until its reset: the next attempt waits for it.
    const early = await runDispatch(t.service, first.dispatchId, deps);
    expect(early).toMatchObject({ action: "deferred", reason: "rate limit" });
    await sql`update marketing.marketing_dispatches set due_at = now() where id = ${first.dispatchId}::uuid`.execute(
      t.db,
    );
    await new Promise((r) => setTimeout(r, Math.max(0, new Date(d.due_at).getTime() - Date.now()) + 200));
    const second = await runDispatch(t.service, first.dispatchId, deps);
    expect(second.status).toBe("posted");
    expect(x.posts.filter((p) => p.text === "Retry after 429")).toHaveLength(1);
    expect((await attemptsOf(t.db, first.dispatchId)).map((a) => [a.outcome, a.error_class, a.http_status])).toEqual([
      ["deferred", "rate_limited", 429],
      ["posted", null, null],
    ]);
  });

  it("a 4xx is permanent: failed with its class, no job left", async () => {
    const v = await launchedVenture();
    const { variantIds } = await scheduledContent(t.db, v.id, [{ platform: "x", text: "Bad request" }]);
    x.next.push(400);
    const r = await publishNow(t.service, variantIds[0] as string, "x", deps);
    expect(r.status).toBe("failed");
    expect((await dispatchOf(t.db, r.dispatchId)).error_class).toBe("user_content");
    const again = await runDispatch(t.service, r.dispatchId, deps);
    expect(again).toMatchObject({ action: "skip", status: "failed" });
    expect(x.posts.filter((p) => p.text === "Bad request")).toHaveLength(0);
  });

  it("a timeout after sending is unconfirmed, then reconciled from the platform: one post, one charge", async () => {
    const v = await launchedVenture();
    const { variantIds } = await scheduledContent(t.db, v.id, [
      { platform: "x", text: "Timeout after send", linkUrl: "https://ledgerloop.example/t" },
    ]);
    x.next.push("hang");
    xTimeoutMs = 500;
    const first = await publishNow(t.service, variantIds[0] as string, "x", deps);
    expect(first.status).toBe("unconfirmed");
    expect(x.posts.filter((p) => p.text.startsWith("Timeout after send"))).toHaveLength(1);
    const second = await runDispatch(t.service, first.dispatchId, deps);
    expect(second.status).toBe("posted");
    expect(second.platformPostId).toBe(x.posts.find((p) => p.text.startsWith("Timeout after send"))?.id);
    expect(x.posts.filter((p) => p.text.startsWith("Timeout after send"))).toHaveLength(1);
    expect((await attemptsOf(t.db, first.dispatchId)).map((a) => [a.action, a.outcome])).toEqual([
      ["publish", "unconfirmed"],
      ["reconcile", "reconciled"],
    ]);
    const ledger = await t.db
      .selectFrom("marketing.marketing_spend_ledger")
      .select(["attempt", "reason"])
      .where("dispatch_id", "=", first.dispatchId)
      .execute();
    expect(ledger).toEqual([{ attempt: 1, reason: "post (unconfirmed: may have been charged)" }]);
  });
});

describe("metrics:collect:all", () => {
  it("writes each post's increase since the last poll as marketing events, nothing for unchanged counts", async () => {
    const v = await launchedVenture();
    const { variantIds } = await scheduledContent(t.db, v.id, [{ platform: "x", text: "Metrics post" }]);
    const r = await publishNow(t.service, variantIds[0] as string, "x", deps);
    x.counts.set(r.platformPostId as string, { impressions: 100, likes: 5 });
    const first = await collectMetrics(t.service, deps, new Date(Date.now() - 3 * 3600_000));
    expect(first.errors).toEqual([]);
    const events = () =>
      t.db
        .selectFrom("marketing.marketing_events")
        .select(["event_type", "quantity", "source"])
        .where("variant_id", "=", variantIds[0] as string)
        .orderBy("occurred_at")
        .orderBy("event_type")
        .execute();
    expect(await events()).toEqual([
      { event_type: "engagement", quantity: "5", source: "x" },
      { event_type: "impression", quantity: "100", source: "x" },
    ]);
    await collectMetrics(t.service, deps, new Date(Date.now() - 2 * 3600_000));
    expect(await events()).toHaveLength(2);
    x.counts.set(r.platformPostId as string, { impressions: 100, likes: 8 });
    await collectMetrics(t.service, deps, new Date(Date.now() - 3600_000));
    expect((await events()).at(-1)).toEqual({ event_type: "engagement", quantity: "3", source: "x" });
  });
});
