// The notification outbox (eva.notifications, filled by SQL triggers) read and
// delivered: the Chairman's inbox, the webhook channel (sent by the
// notification-webhook subscription's handler, src/orchestration/event-handlers.ts)
// and the digests.
import { sql } from "kysely";
import type { Database } from "../db/client.ts";
import { webhookHeaders } from "./signature.ts";

export interface Notification {
  id: string;
  type: string;
  urgency: "immediate" | "daily" | "weekly";
  channels: string[];
  ventureId: string | null;
  venture: string | null;
  decisionId: string | null;
  summary: string;
  actionPath: string;
  payload: Record<string, unknown>;
  digestId: string | null;
  read: boolean;
  readAt: Date | null;
  createdAt: Date;
}

/** The webhook channel's settings (EVA_NOTIFY_WEBHOOK_URL, EVA_NOTIFY_SECRET, EVA_PUBLIC_URL). */
export interface WebhookConfig {
  url?: string | undefined;
  secret?: string | undefined;
  /** Where the Chairman acts (the body's url is this + the notification's path). */
  publicUrl: string;
  /** Seconds since the epoch, for webhook-timestamp (tests pass their clock). */
  now?: () => number;
  timeoutMs?: number;
}

export function webhookConfigFromEnv(env: NodeJS.ProcessEnv = process.env): WebhookConfig {
  return {
    url: env.EVA_NOTIFY_WEBHOOK_URL || undefined,
    secret: env.EVA_NOTIFY_SECRET || undefined,
    publicUrl: (env.EVA_PUBLIC_URL || `http://localhost:${env.EVA_PORT || 5678}`).replace(/\/+$/, ""),
  };
}

function notificationQuery(db: Database) {
  return db
    .selectFrom("notifications as n")
    .leftJoin("ventures as v", "v.id", "n.venture_id")
    .select([
      "n.id",
      "n.notification_type as type",
      "n.urgency",
      "n.channels",
      "n.venture_id as ventureId",
      "v.name as venture",
      "n.decision_id as decisionId",
      "n.summary",
      "n.action_path as actionPath",
      "n.payload",
      "n.digest_id as digestId",
      "n.read_at as readAt",
      "n.created_at as createdAt",
    ]);
}

type NotificationRow = Awaited<ReturnType<ReturnType<typeof notificationQuery>["execute"]>>[number];

function toNotification(r: NotificationRow): Notification {
  return {
    ...r,
    urgency: r.urgency as Notification["urgency"],
    payload: (r.payload ?? {}) as Record<string, unknown>,
    read: r.readAt !== null,
  };
}

/** The Chairman's inbox, newest first. */
export async function listNotifications(
  db: Database,
  filter: { unread?: boolean; limit?: number } = {},
): Promise<Notification[]> {
  let query = notificationQuery(db)
    .orderBy("n.created_at", "desc")
    .orderBy("n.id")
    .limit(filter.limit ?? 200);
  if (filter.unread) query = query.where("n.read_at", "is", null);
  return (await query.execute()).map(toNotification);
}

/** Marks one notification read (or unread) as the Chairman, through eva.fn_notification_read. */
export async function markNotificationRead(db: Database, id: string, read = true): Promise<void> {
  await sql`select id from eva.fn_notification_read(${id}::uuid, ${read})`.execute(db);
}

export async function markAllNotificationsRead(db: Database): Promise<number> {
  const { rows } = await sql<{ n: number }>`select eva.fn_notifications_read_all() as n`.execute(db);
  return rows[0]?.n ?? 0;
}

/** What the webhook receives: the notification in the words the Chairman acts on. */
export function webhookBody(n: Notification, publicUrl: string): Record<string, unknown> {
  return {
    type: n.type,
    urgency: n.urgency,
    ...(n.decisionId ? { decisionId: n.decisionId } : {}),
    ventureId: n.ventureId,
    summary: n.summary,
    url: `${publicUrl}${n.actionPath}`,
    notificationId: n.id,
    createdAt: n.createdAt.toISOString(),
    ...(n.type.startsWith("digest.") ? { ventures: n.payload.ventures ?? [] } : {}),
  };
}

export type DeliveryResult = "delivered" | "already_delivered" | "skipped" | "gone";

/** Raised when the receiver did not take the notification; the job fails and graphile-worker retries it. */
export class DeliveryFailed extends Error {}

/**
 * Delivers one notification to the webhook once: a notification already
 * delivered is not sent again (a retried job after a lost acknowledgement is
 * the only duplicate at-least-once allows, and the receiver dedupes by
 * webhook-id, which is the notification's id). Every try is recorded.
 */
export async function deliverWebhook(
  db: Database,
  notificationId: string,
  config: WebhookConfig,
): Promise<DeliveryResult> {
  const [n] = await listNotificationsById(db, notificationId);
  if (!n?.channels.includes("webhook")) return "gone";
  const delivered = await db
    .selectFrom("notification_attempts")
    .select("id")
    .where("notification_id", "=", notificationId)
    .where("channel", "=", "webhook")
    .where("outcome", "=", "delivered")
    .executeTakeFirst();
  if (delivered) return "already_delivered";
  const record = (outcome: string, status: number | null, error: string | null) =>
    sql`select id from eva.fn_record_notification_attempt(${notificationId}::uuid, 'webhook', ${outcome}, ${status}::int, ${error})`.execute(
      db,
    );
  if (!config.url || !config.secret) {
    await record("skipped", null, "EVA_NOTIFY_WEBHOOK_URL or EVA_NOTIFY_SECRET is not set: the inbox has it");
    return "skipped";
  }
  const body = JSON.stringify(webhookBody(n, config.publicUrl));
  const timestamp = Math.floor(config.now ? config.now() : Date.now() / 1000);
  let status: number | null = null;
  try {
    const response = await fetch(config.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...webhookHeaders(config.secret, n.id, timestamp, body) },
      body,
      signal: AbortSignal.timeout(config.timeoutMs ?? 10_000),
    });
    status = response.status;
    await response.body?.cancel();
    if (!response.ok) throw new DeliveryFailed(`the webhook answered ${response.status} ${response.statusText}`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await record("failed", status, message);
    throw error instanceof DeliveryFailed ? error : new DeliveryFailed(`the webhook could not be reached: ${message}`);
  }
  await record("delivered", status, null);
  return "delivered";
}

async function listNotificationsById(db: Database, id: string): Promise<Notification[]> {
  return (await notificationQuery(db).where("n.id", "=", id).execute()).map(toNotification);
}

/** Writes the daily or weekly digest up to `asOf` (eva.fn_notification_digest); null when nothing waited. */
export async function writeDigest(db: Database, urgency: "daily" | "weekly", asOf: Date): Promise<string | null> {
  const { rows } = await sql<{ id: string | null }>`
    select eva.fn_notification_digest(${urgency}::eva.decision_urgency, ${asOf.toISOString()}::timestamptz) as id`.execute(
    db,
  );
  return rows[0]?.id ?? null;
}
