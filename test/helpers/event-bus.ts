// EVA's reactions run as event-bus deliveries after the change commits. Tests
// that drive the database without a worker let the bus catch up here, as a
// worker would: the dispatcher (eva_private.fn_event_dispatch) reads what has
// committed, then each event_deliver job that is due is run (deliverEvent,
// what the job runs) and taken off the queue once its delivery is settled.
// Nothing else runs: stage_run and saga jobs stay queued.
import { sql } from "kysely";
import type { Database } from "../../src/db/client.ts";
import { deliverEvent, dispatchEvents } from "../../src/orchestration/event-bus.ts";
import { type EventHandlers, eventHandlers } from "../../src/orchestration/event-handlers.ts";
import type { WebhookConfig } from "../../src/notifications/outbox.ts";

export interface SettleOptions {
  handlers?: EventHandlers;
  notificationWebhook?: () => WebhookConfig;
}

/**
 * Dispatches every committed event and runs every delivery due now, until none is left. `db` reads
 * graphile-worker's queue (the superuser connection); deliveries run as `service` (eva_service).
 */
export async function settleEventBus(
  t: { db: Database; service: Database },
  options: SettleOptions = {},
): Promise<void> {
  const handlers = options.handlers ?? eventHandlers({ notificationWebhook: options.notificationWebhook });
  for (let round = 0; round < 50; round++) {
    const dispatched = await dispatchEvents(t.service, { successor: false });
    const { rows: due } = await sql<{ id: string; logged_at: string; key: string }>`
      select d.id, d.event_logged_at::text as logged_at, j.key
      from eva.event_deliveries d
      join graphile_worker.jobs j on j.key = 'event_deliver:' || d.subscription_id || ':' || d.event_id
      where d.status in ('pending', 'retrying') and j.run_at <= now() and j.locked_at is null
      order by j.run_at, d.id`.execute(t.db);
    for (const d of due) {
      const outcome = await deliverEvent(t.service, { deliveryId: Number(d.id), loggedAt: d.logged_at }, handlers);
      // A settled delivery's job has nothing left to do; a retry's job was moved to its backoff.
      if (outcome.status !== "retrying") await sql`select graphile_worker.remove_job(${d.key})`.execute(t.db);
    }
    if (dispatched.read === 0 && due.length === 0) return;
  }
  throw new Error("the event bus did not settle in 50 rounds");
}
