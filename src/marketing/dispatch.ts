// One dispatch attempt (a variant on a platform) from its job: SQL decides
// what the attempt does and records it before any call
// (eva_private.fn_dispatch_begin), the publisher makes the one call under a
// task contract behind the provider's circuit breaker, and the outcome is
// recorded the moment it is known (eva_private.fn_dispatch_settle). Only an
// error proven to have happened before sending is retried as a new publish;
// anything else is "unconfirmed" and the next attempt first reads the
// platform back for the post's marker. Also: scheduling SCHEDULE content's
// variants, and polling posted dispatches' metrics.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { Database } from "../db/client.ts";
import { runUnderContract, workerIdentity } from "../orchestration/contracts.ts";
import { transportError } from "./publishers/http.ts";
import {
  accountEnv,
  isPlatform,
  type OutgoingPost,
  type Platform,
  PublishError,
  type Publisher,
  publisherFor,
} from "./publishers/index.ts";

export interface DispatchDeps {
  /** Which publisher a platform gets (default: live with credentials in the environment, else dry-run). */
  publisherFor?: (platform: Platform) => Publisher;
  claimedBy?: string;
}

interface DispatchRow {
  id: string;
  variant_id: string;
  content_id: string;
  venture_id: string;
  platform: string;
  idempotency_key: string;
  status: string;
  post_text: string;
  link: string | null;
  platform_ref: Record<string, unknown>;
  created_at: string;
  attempts: number;
}

interface BeginResult {
  action: "skip" | "wait" | "deferred" | "refused" | "publish" | "reconcile";
  reason?: string;
  retry_at?: string;
  attempt?: number;
  dispatch?: DispatchRow;
}

export interface DispatchResult {
  dispatchId: string;
  action: BeginResult["action"] | "circuit_open";
  status: string | null;
  reason?: string | undefined;
  retryAt?: string | undefined;
  platformPostId?: string | null;
  url?: string | null;
  mode?: "live" | "dry_run";
}

type Outcome =
  | { kind: "posted" | "dry_run"; platformPostId: string; url: string | null; reconciled: boolean }
  | { kind: "not_found" }
  | { kind: "noop"; begin: BeginResult }
  | { kind: "error"; error: PublishError; settled: "retry" | "unconfirmed" | "failed" };

/** How long a not-sent failure waits: the platform's reset time, else 30 s doubling per attempt, at most an hour. */
export function retryDelayMs(attempt: number): number {
  return Math.min(3_600_000, 30_000 * 2 ** Math.max(0, attempt - 1));
}

/** What a PublishError means for the dispatch: retry (not sent), unconfirmed (may have posted), failed (permanent). */
export function settleKind(error: PublishError): "retry" | "unconfirmed" | "failed" {
  if (error.retryable) return "retry";
  if (error.sendState === "unknown") return "unconfirmed";
  return "failed";
}

async function begin(db: Database, id: string, mode: string, worker: string, contractId: string | null) {
  const { rows } = await sql<{ r: BeginResult }>`
    select eva_private.fn_dispatch_begin(${id}::uuid, ${mode}, ${worker}, ${contractId}::uuid) as r`.execute(db);
  return rows[0]?.r as BeginResult;
}

async function settle(db: Database, id: string, attempt: number, outcome: Record<string, unknown>) {
  const { rows } = await sql<{ r: { late: boolean; status: string } }>`
    select eva_private.fn_dispatch_settle(${id}::uuid, ${attempt}, ${JSON.stringify(outcome)}::jsonb) as r`.execute(db);
  return rows[0]?.r;
}

async function defer(db: Database, id: string, retryAt: string, reason: string) {
  await sql`select eva_private.fn_dispatch_defer(${id}::uuid, ${retryAt}::timestamptz, ${reason})`.execute(db);
}

function toPost(d: DispatchRow, platform: Platform): OutgoingPost {
  return {
    dispatchId: d.id,
    idempotencyKey: d.idempotency_key,
    platform,
    text: d.post_text,
    link: d.link,
    createdAt: new Date(d.created_at),
    ref: d.platform_ref ?? {},
  };
}

/** The venture's publisher on a platform: its platform account's base URL and credentials when it has one (enabled), else the environment's. */
async function accountPublisher(db: Database, ventureId: string, platform: Platform): Promise<Publisher> {
  const account = await db
    .selectFrom("marketing.marketing_platform_accounts")
    .select(["base_url", "credential_refs"])
    .where("venture_id", "=", ventureId)
    .where("platform", "=", platform)
    .where("enabled", "=", true)
    .executeTakeFirst();
  return publisherFor(
    platform,
    accountEnv(platform, account as { base_url: string | null; credential_refs: Record<string, unknown> } | undefined),
  );
}

/** Runs one attempt of a dispatch (the marketing_dispatch job, and `eva marketing publish`). Never posts twice. */
export async function runDispatch(db: Database, dispatchId: string, deps: DispatchDeps = {}): Promise<DispatchResult> {
  const row = await db
    .selectFrom("marketing.marketing_dispatches")
    .select(["id", "platform", "venture_id"])
    .where("id", "=", dispatchId)
    .executeTakeFirst();
  if (!row) return { dispatchId, action: "skip", status: null, reason: "no such dispatch" };
  if (!isPlatform(row.platform))
    return { dispatchId, action: "skip", status: null, reason: `unknown platform ${row.platform}` };
  const platform = row.platform;
  const publisher = deps.publisherFor
    ? deps.publisherFor(platform)
    : await accountPublisher(db, row.venture_id, platform);
  const worker = deps.claimedBy ?? workerIdentity();
  const circuits = publisher.host ? [`provider:${publisher.host}`] : [];

  const run = await runUnderContract<Outcome>(
    db,
    {
      kind: "publisher_call",
      targetAgent: "PUBLISHER",
      action: `publish.${platform}`,
      ventureId: row.venture_id,
      circuits,
      timeout: "10 minutes",
      context: { dispatchId, platform, mode: publisher.mode },
    },
    async (contract) => {
      const b = await begin(db, dispatchId, publisher.mode, worker, contract.id);
      if ((b.action !== "publish" && b.action !== "reconcile") || !b.dispatch || !b.attempt)
        return { kind: "noop", begin: b };
      const attempt = b.attempt;
      const post = toPost(b.dispatch, platform);
      try {
        if (b.action === "reconcile") {
          const found = await publisher.reconcile(post);
          if (!found) {
            await settle(db, dispatchId, attempt, { kind: "not_found", detail: { reconcile: "not found" } });
            return { kind: "not_found" };
          }
          await settle(db, dispatchId, attempt, {
            kind: publisher.mode === "dry_run" ? "dry_run" : "posted",
            platform_post_id: found.platformPostId,
            url: found.url,
            reconciled: true,
            detail: found.detail ?? {},
          });
          return { kind: "posted", platformPostId: found.platformPostId, url: found.url, reconciled: true };
        }
        const published = await publisher.publish(post, {
          checkpoint: async (ref) => {
            const { rows } = await sql<{ ok: boolean }>`
              select eva_private.fn_dispatch_checkpoint(${dispatchId}::uuid, ${attempt}, ${JSON.stringify(ref)}::jsonb) as ok`.execute(
              db,
            );
            if (!rows[0]?.ok) {
              throw new PublishError("the dispatch was taken over by a later attempt", {
                errorClass: "system",
                sendState: "not_sent",
              });
            }
          },
        });
        // The post id is saved now, in its own statement: nothing after this re-runs the publish.
        await settle(db, dispatchId, attempt, {
          kind: publisher.mode === "dry_run" ? "dry_run" : "posted",
          platform_post_id: published.platformPostId,
          url: published.url,
          rate_limit: published.rateLimit ?? null,
          detail: published.detail ?? {},
        });
        return { kind: "posted", platformPostId: published.platformPostId, url: published.url, reconciled: false };
      } catch (error) {
        const e = error instanceof PublishError ? error : transportError(platform, error);
        const kind = settleKind(e);
        const retryAt =
          kind === "retry"
            ? (e.rateLimit?.resetAt ?? new Date(Date.now() + retryDelayMs(attempt)).toISOString())
            : undefined;
        await settle(db, dispatchId, attempt, {
          kind,
          error: e.message,
          error_class: e.errorClass,
          http_status: e.status,
          rate_limit: e.rateLimit ?? null,
          retry_at: retryAt ?? null,
          detail: { send_state: e.sendState, raw: e.raw ?? null, action: b.action },
        });
        return { kind: "error", error: e, settled: kind };
      }
    },
    {
      claimedBy: worker,
      settle: (v) =>
        v.kind === "error"
          ? { status: "failed", error: v.error.message, call: v.error.circuitFailure ? "failed" : "succeeded" }
          : {
              status: "completed",
              result: v.kind === "noop" ? v.begin : v,
              call: v.kind === "noop" ? null : "succeeded",
            },
    },
  );

  if (run.status === "deferred") {
    await defer(db, dispatchId, run.retryAt, `circuit open: ${run.refusedBy.join(", ")}`);
    return { dispatchId, action: "circuit_open", status: null, retryAt: run.retryAt, reason: run.refusedBy.join(", ") };
  }
  const v = run.value;
  if (v.kind === "noop" && v.begin.action === "wait" && v.begin.retry_at) {
    await defer(db, dispatchId, v.begin.retry_at, v.begin.reason ?? "an attempt is in flight");
  }
  const after = await db
    .selectFrom("marketing.marketing_dispatches")
    .select(["status", "platform_post_id", "platform_post_url", "last_error", "refusal_reason", "due_at"])
    .where("id", "=", dispatchId)
    .executeTakeFirst();
  return {
    dispatchId,
    action: v.kind === "noop" ? v.begin.action : "publish",
    status: after?.status ?? null,
    reason:
      after?.status === "refused"
        ? (after.refusal_reason ?? undefined)
        : v.kind === "noop"
          ? v.begin.reason
          : (after?.last_error ?? undefined),
    retryAt: v.kind === "noop" ? v.begin.retry_at : undefined,
    platformPostId: after?.platform_post_id ?? null,
    url: after?.platform_post_url ?? null,
    mode: publisher.mode,
  };
}

interface VariantToSchedule {
  variant_id: string;
  content_id: string;
  venture_id: string;
  venture_name: string;
  platform: string;
  asset_text: string;
  link_url: string | null;
}

/** The text and tagged link of a variant's dispatch on a platform (eva_private.fn_marketing_compose_post, the one composer). */
export async function composePost(
  db: Database,
  variantId: string,
  platform: string,
  dispatchId: string,
): Promise<{ text: string; link: string | null }> {
  const { rows } = await sql<{ post_text: string; link: string | null }>`
    select post_text, link from eva_private.fn_marketing_compose_post(${variantId}::uuid, ${platform}, ${dispatchId}::uuid)`.execute(
    db,
  );
  const row = rows[0];
  if (!row) throw new Error(`no post composed for variant ${variantId}`);
  return { text: row.post_text, link: row.link };
}

/**
 * content:schedule:check (every 5 minutes): for each content item and platform
 * of SCHEDULE content, one variant chosen by Thompson sampling (its variant
 * bandit) gets a dispatch, at a send-time slot chosen the same way when the
 * venture has a send-time bandit for the platform, else at the platform's
 * default send time (admitted against the rate limits); each selection is
 * recorded with its draws, the dispatch as its subject. Then every dispatch
 * whose time has come is made due with its job, and forgotten ones (no job, a
 * dead attempt) queued again.
 */
export async function scheduleCheck(db: Database): Promise<{ scheduled: number; released: number }> {
  const { rows } = await sql<VariantToSchedule>`
    select * from eva_private.fn_marketing_variants_to_schedule(500)`.execute(db);
  const groups = new Map<string, VariantToSchedule[]>();
  for (const v of rows) {
    const key = `${v.content_id}/${v.platform}`;
    groups.set(key, [...(groups.get(key) ?? []), v]);
  }
  let scheduled = 0;
  for (const group of groups.values()) {
    const first = group[0] as VariantToSchedule;
    const id = randomUUID();
    const chosen = await sql<{ variant_id: string; due_at: Date | null }>`
      select eva_private.fn_bandit_choose_variant(${first.content_id}::uuid, ${first.platform},
          ${group.map((v) => v.variant_id)}::uuid[], ${id}::uuid) as variant_id,
        eva_private.fn_bandit_send_time(${first.venture_id}::uuid, ${first.platform}, now(), ${id}::uuid) as due_at`.execute(
      db,
    );
    const variantId = chosen.rows[0]?.variant_id ?? first.variant_id;
    const dueAt = chosen.rows[0]?.due_at ?? null;
    const { text, link } = await composePost(db, variantId, first.platform, id);
    await sql`select id from marketing.fn_schedule_dispatch(${id}::uuid, ${variantId}::uuid, ${first.platform},
      ${text}, ${link}, ${dueAt}, 'schedule', '')`.execute(db);
    scheduled += 1;
  }
  const released = await sql<{ n: number }>`select eva_private.fn_marketing_release_due() as n`.execute(db);
  return { scheduled, released: Number(released.rows[0]?.n ?? 0) };
}

/** `eva marketing publish <variant> --platform <name>`: the variant's dispatch, due now, then one attempt of it here. */
export async function publishNow(
  db: Database,
  variantId: string,
  platform: Platform,
  deps: DispatchDeps = {},
): Promise<DispatchResult> {
  const v = await db
    .selectFrom("marketing.marketing_content_variants")
    .select(["id"])
    .where("id", "=", variantId)
    .executeTakeFirst();
  if (!v) {
    throw Object.assign(new Error(`no marketing variant ${variantId}`), { code: "EV404" });
  }
  const existing = await db
    .selectFrom("marketing.marketing_dispatches")
    .select(["id"])
    .where("variant_id", "=", variantId)
    .where("platform", "=", platform)
    .where("account_key", "=", "")
    .executeTakeFirst();
  const id = existing?.id ?? randomUUID();
  const { text, link } = await composePost(db, variantId, platform, id);
  const { rows } = await sql<{ id: string }>`
    select id from marketing.fn_publish_now(${id}::uuid, ${variantId}::uuid, ${platform}, ${text}, ${link})`.execute(
    db,
  );
  const dispatchId = rows[0]?.id as string;
  return runDispatch(db, dispatchId, deps);
}

export interface MetricsCollection {
  polled: number;
  events: number;
  errors: { platform: string; error: string }[];
}

/**
 * metrics:collect:all (hourly): each platform's counts for the posts of the
 * last marketing.metrics_days days, their increase written as marketing events
 * (eva_private.fn_record_post_metrics → marketing.fn_ingest_events). A platform
 * that gives no count leaves it unknown; one that fails is reported, the others go on.
 */
export async function collectMetrics(
  db: Database,
  deps: DispatchDeps = {},
  now = new Date(),
): Promise<MetricsCollection> {
  const { rows } = await sql<{ id: string; platform: string; platform_post_id: string }>`
    select dispatch_id as id, platform, platform_post_id from eva_private.fn_marketing_posts_to_poll()`.execute(db);
  const byPlatform = new Map<Platform, typeof rows>();
  for (const r of rows) {
    if (!isPlatform(r.platform)) continue;
    byPlatform.set(r.platform, [...(byPlatform.get(r.platform) ?? []), r]);
  }
  const result: MetricsCollection = { polled: 0, events: 0, errors: [] };
  for (const [platform, posts] of byPlatform) {
    const publisher = (deps.publisherFor ?? ((p) => publisherFor(p)))(platform);
    if (publisher.mode === "dry_run") continue;
    let metrics: Awaited<ReturnType<Publisher["fetchMetrics"]>>;
    try {
      metrics = await publisher.fetchMetrics(posts.map((p) => ({ platformPostId: p.platform_post_id })));
    } catch (error) {
      result.errors.push({ platform, error: error instanceof Error ? error.message : String(error) });
      continue;
    }
    for (const p of posts) {
      const m = metrics.get(p.platform_post_id);
      if (!m) continue;
      result.polled += 1;
      const { rows: n } = await sql<{ n: number }>`
        select eva_private.fn_record_post_metrics(${p.id}::uuid, ${JSON.stringify(m)}::jsonb, ${now.toISOString()}::timestamptz) as n`.execute(
        db,
      );
      result.events += Number(n[0]?.n ?? 0);
    }
  }
  return result;
}
