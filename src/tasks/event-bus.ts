// The event bus's jobs (src/orchestration/event-bus.ts): event_dispatch (one
// job_key, queued by the transaction that logs events) and event_deliver
// (one per subscription × event, or per dead-letter replay). Glue.
import type { Task } from "graphile-worker";
import { z } from "zod";
import type { Database } from "../db/client.ts";
import type { WebhookConfig } from "../notifications/outbox.ts";
import {
  type DeliveryRef,
  deliverEvent,
  dispatchEvents,
  errorMessage,
  recordOutcome,
} from "../orchestration/event-bus.ts";
import { type EventHandlers, eventHandlers } from "../orchestration/event-handlers.ts";

export function eventDispatchTask(deps: { db: Database }): Task {
  return async (_raw, helpers) => {
    const result = await dispatchEvents(deps.db);
    if (result.read > 0) helpers.logger.info(`event_dispatch: ${JSON.stringify(result)}`);
  };
}

const deliverPayload = z.object({
  delivery_id: z.coerce.number().int().positive(),
  logged_at: z.string().min(1),
  dlq_id: z.coerce.number().int().positive().optional(),
  replay: z.coerce.number().int().positive().optional(),
});

export function eventDeliverTask(deps: { db: Database; handlers: EventHandlers }): Task {
  return async (raw, helpers) => {
    const parsed = deliverPayload.safeParse(raw);
    if (!parsed.success) {
      helpers.logger.error(`event_deliver: unusable payload ${JSON.stringify(raw)}`);
      return;
    }
    const ref: DeliveryRef = {
      deliveryId: parsed.data.delivery_id,
      loggedAt: parsed.data.logged_at,
      dlqId: parsed.data.dlq_id,
      replay: parsed.data.replay,
    };
    try {
      const outcome = await deliverEvent(deps.db, ref, deps.handlers);
      helpers.logger.info(`event_deliver ${ref.deliveryId}: ${JSON.stringify(outcome)}`);
    } catch (error) {
      // The job's own last attempt (the database failed under it each time): the delivery goes to the DLQ.
      if (helpers.job.attempts >= helpers.job.max_attempts)
        await recordOutcome(deps.db, ref, `the delivery job failed: ${errorMessage(error)}`, null, false);
      throw error;
    }
  };
}

/** The event bus's tasks, by graphile-worker task name. */
export function eventBusTasks(deps: {
  db: Database;
  handlers?: EventHandlers;
  notificationWebhook?: () => WebhookConfig;
}): Record<string, Task> {
  return {
    event_dispatch: eventDispatchTask({ db: deps.db }),
    event_deliver: eventDeliverTask({
      db: deps.db,
      handlers: deps.handlers ?? eventHandlers({ notificationWebhook: deps.notificationWebhook }),
    }),
  };
}
