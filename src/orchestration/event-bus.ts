// The event bus's moving parts in TypeScript (spec §3): the dispatcher's call
// and one delivery run. SQL owns the state (eva.event_subscriptions,
// eva.event_deliveries, eva.eva_event_dlq and their functions); this runs the
// subscription's handler and reports what happened.
import { sql } from "kysely";
import pg from "pg";
import type { Database } from "../db/client.ts";
import { type EventHandlers, PermanentDeliveryError } from "./event-handlers.ts";
import { ATTR, SpanStatusCode, withSpan } from "./tracing.ts";

export interface DispatchResult {
  read: number;
  queued: number;
  /** now: a full batch, its successor queued; blocked: committed events wait for an older transaction; soon: another transaction is logging. */
  next: "now" | "blocked" | "soon" | null;
  cursor: string;
}

/**
 * One batch of the dispatcher (eva_private.fn_event_dispatch): events after its cursor →
 * deliveries and jobs. `successor` false leaves a blocked / soon successor to the caller.
 */
export async function dispatchEvents(
  db: Database,
  options: { limit?: number; successor?: boolean } = {},
): Promise<DispatchResult> {
  const { rows } = await sql<{ r: DispatchResult }>`
    select eva_private.fn_event_dispatch(${options.limit ?? 500}::int, ${options.successor ?? true}) as r`.execute(db);
  return rows[0]?.r as DispatchResult;
}

/** What an event_deliver job names: a delivery, and for a replay the dead letter and replay number. */
export interface DeliveryRef {
  deliveryId: number;
  loggedAt: string;
  dlqId?: number | undefined;
  replay?: number | undefined;
}

export interface BusEvent {
  id: number;
  type: string;
  ventureId: string | null;
  payload: Record<string, unknown>;
  actor: string | null;
  createdAt: string;
  cursor: string;
}

export interface Subscription {
  id: number;
  name: string;
  handler: string;
  config: Record<string, unknown>;
  maxAttempts: number;
}

interface DeliveryRow {
  runnable: boolean;
  delivery: { id: number; status: string; attempts: number; loggedAt: string };
  subscription: Subscription;
  event: BusEvent;
}

/** What a delivery run did: the handler's outcome as SQL recorded it, or why it did not run. */
export type DeliveryOutcome =
  | { status: "gone" | "skipped"; reason: string }
  | { status: string; attempts?: number; retryIn?: number; dlqId?: number; outcome?: string };

function message(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 2000) || "failed without a message";
}

/**
 * Runs one delivery: loads it, runs its subscription's handler, records the
 * outcome in SQL (delivered; or the attempt, then a retry after the
 * subscription's backoff or the dead letter queue; for a replay, the replay's
 * result). A delivery already delivered or dead-lettered is not run again.
 * Errors of the database itself propagate (graphile-worker retries the job).
 */
export async function deliverEvent(db: Database, ref: DeliveryRef, handlers: EventHandlers): Promise<DeliveryOutcome> {
  const { rows } = await sql<{ r: DeliveryRow | null }>`
    select eva_private.fn_event_delivery(${ref.deliveryId}::bigint, ${ref.loggedAt}::timestamptz,
      ${ref.dlqId ?? null}::bigint, ${ref.replay ?? null}::int) as r`.execute(db);
  const row = rows[0]?.r;
  if (!row) return { status: "gone", reason: `delivery ${ref.deliveryId} does not exist` };
  if (!row.runnable)
    return {
      status: "skipped",
      reason: ref.dlqId
        ? `dead letter ${ref.dlqId} has no queued replay ${ref.replay}`
        : `delivery ${ref.deliveryId} is ${row.delivery.status}`,
    };

  const handler = handlers[row.subscription.handler];
  let error: string | null = null;
  let retryable = true;
  let result: unknown = null;
  if (!handler) {
    error = `no event handler named "${row.subscription.handler}" (known: ${Object.keys(handlers).join(", ")})`;
    retryable = false;
  } else {
    const attributes = {
      "eva.subscription": row.subscription.name,
      "eva.event.id": String(row.event.id),
      "eva.event.type": row.event.type,
      ...(row.event.ventureId ? { [ATTR.ventureId]: row.event.ventureId } : {}),
      ...(ref.dlqId !== undefined ? { "eva.dlq.id": ref.dlqId } : {}),
    };
    await withSpan("eva.event_delivery", attributes, async (span) => {
      try {
        result = (await handler({ db, event: row.event, subscription: row.subscription })) ?? null;
        span.setAttribute(ATTR.outcome, "delivered");
      } catch (e) {
        error = message(e);
        retryable = !(e instanceof PermanentDeliveryError);
        span.setAttribute(ATTR.outcome, "failed");
        span.setStatus({ code: SpanStatusCode.ERROR, message: error });
      }
    });
  }
  return recordOutcome(db, ref, error, result, retryable);
}

/** Records a delivery's (or replay's) outcome; `error` null is success. */
export async function recordOutcome(
  db: Database,
  ref: DeliveryRef,
  error: string | null,
  result: unknown,
  retryable: boolean,
): Promise<DeliveryOutcome> {
  const json = result === null || result === undefined ? null : JSON.stringify(result);
  const query =
    ref.dlqId !== undefined && ref.replay !== undefined
      ? sql<{ r: DeliveryOutcome }>`select eva_private.fn_record_dlq_replay(${ref.dlqId}::bigint, ${ref.replay}::int,
          ${error}, ${json}::jsonb) as r`
      : sql<{ r: DeliveryOutcome }>`select eva_private.fn_record_event_delivery(${ref.deliveryId}::bigint,
          ${ref.loggedAt}::timestamptz, ${error}, ${json}::jsonb, ${retryable}) as r`;
  const { rows } = await query.execute(db);
  return rows[0]?.r as DeliveryOutcome;
}

export { message as errorMessage };

export interface DispatchWaker {
  stop(): Promise<void>;
}

/**
 * Wakes the dispatcher for every transaction that logged events: LISTEN
 * eva_events (one NOTIFY per such transaction, eva_private.tg_event_log_notify,
 * its payload the transaction's id) and call eva_private.fn_wake_event_dispatch
 * with the transactions' ids, at most one call in flight and notifications
 * arriving meanwhile folded into one more (with all their ids), sent no sooner
 * than WAKE_GAP_MS after the one before: a busy writer (a saga's steps, a
 * few milliseconds apart) costs the waker a call per gap, not one per
 * commit, and a reaction waits at most that long more. The dispatcher
 * is queued only when one of those transactions logged an event some enabled
 * subscription takes: a saga step's events, which none does, wake nothing.
 * Outside the writers' transactions, so they never wait on the dispatcher's
 * job row. Once at start (events logged while no worker listened: every
 * transaction), and again after a lost connection.
 */
const WAKE_GAP_MS = 5;

export async function startDispatchWaker(url: string, log: (line: string) => void): Promise<DispatchWaker> {
  let client: pg.Client | undefined;
  let stopped = false;
  let inFlight: Promise<void> | undefined;
  let again = false;
  let retry: NodeJS.Timeout | undefined;
  let gap: NodeJS.Timeout | undefined;

  // The transactions notified since the last call; null: every one (at start, after a reconnect,
  // or a notification whose payload names none).
  let pending: Set<string> | null = null;

  const wake = (): void => {
    if (stopped || !client) return;
    if (inFlight || gap) {
      again = true;
      return;
    }
    const c = client;
    const xacts = pending ? [...pending] : null;
    pending = new Set();
    inFlight = c
      .query({
        name: "eva-wake-event-dispatch",
        text: "select eva_private.fn_wake_event_dispatch($1::bigint[])",
        values: [xacts],
      })
      .then(
        () => undefined,
        (error: unknown) => {
          if (!stopped) log(`dispatch waker: ${error instanceof Error ? error.message : String(error)}`);
        },
      )
      .finally(() => {
        inFlight = undefined;
        if (stopped) return;
        gap = setTimeout(() => {
          gap = undefined;
          if (again) {
            again = false;
            wake();
          }
        }, WAKE_GAP_MS);
      });
  };

  const notified = (message: pg.Notification): void => {
    let xact: unknown;
    try {
      xact = (JSON.parse(message.payload ?? "") as { xact_id?: unknown }).xact_id;
    } catch {
      xact = undefined;
    }
    if (typeof xact === "string" && /^[0-9]+$/.test(xact)) pending?.add(xact);
    else pending = null;
    wake();
  };

  const open = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url, application_name: "eva-dispatch-waker" });
    c.on("error", (error) => {
      if (stopped) return;
      log(`dispatch waker: connection lost (${error.message}); reconnecting`);
      client = undefined;
      c.end().catch(() => {});
      retry = setTimeout(() => void open().catch(() => {}), 1_000);
    });
    c.on("notification", notified);
    await c.connect();
    await c.query("set role eva_service");
    await c.query("listen eva_events");
    client = c;
    pending = null;
    wake();
  };

  await open();
  return {
    async stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      if (gap) clearTimeout(gap);
      await inFlight;
      await client?.end().catch(() => {});
      client = undefined;
    },
  };
}
