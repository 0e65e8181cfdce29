// EVA's reactions run as event-bus deliveries after the change commits. Tests
// that drive the database without a worker let the bus catch up here, as a
// worker would: the dispatcher (eva_private.fn_event_dispatch) reads what has
// committed, then each event_deliver job that is due is run (deliverEvent,
// what the job runs) and taken off the queue once its delivery is settled.
// Nothing else runs: stage_run and saga jobs stay queued.
import { sql } from "kysely";
import type { Database } from "../../src/db/client.ts";
import type { WebhookConfig } from "../../src/notifications/outbox.ts";
import { deliverEvent, dispatchEvents } from "../../src/orchestration/event-bus.ts";
import { type EventHandlers, eventHandlers } from "../../src/orchestration/event-handlers.ts";

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
    // Every event_deliver job due now: deliveries, their retries, and dead-letter replays.
    const { rows: due } = await sql<{ key: string; payload: Record<string, unknown> }>`
      select j.key, j.payload from graphile_worker._private_jobs j
      join graphile_worker._private_tasks k on k.id = j.task_id and k.identifier = 'event_deliver'
      where j.run_at <= now() and j.locked_at is null
        and j.attempts < j.max_attempts
      order by j.run_at, j.id`.execute(t.db);
    for (const job of due) {
      const p = job.payload;
      const ref = {
        deliveryId: Number(p.delivery_id),
        loggedAt: String(p.logged_at),
        dlqId: p.dlq_id === undefined ? undefined : Number(p.dlq_id),
        replay: p.replay === undefined ? undefined : Number(p.replay),
      };
      const outcome = await deliverEvent(t.service, ref, handlers);
      // A settled delivery's job has nothing left to do; a retry's job was moved to its backoff.
      if (outcome.status !== "retrying") await sql`select graphile_worker.remove_job(${job.key})`.execute(t.db);
    }
    if (dispatched.read === 0 && due.length === 0) return;
  }
  throw new Error("the event bus did not settle in 50 rounds");
}
