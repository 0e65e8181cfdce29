// EVA's reactions run as event-bus deliveries after the change commits. Tests
// that drive the database without a worker let the bus catch up here, the way
// a worker would: the dispatcher (eva_private.fn_event_dispatch) reads what
// committed, then graphile-worker's own runner runs the event_deliver jobs that
// are due (and nothing else: stage_run and saga jobs stay queued).
import { Logger, runOnce } from "graphile-worker";
import { sql } from "kysely";
import type { Database } from "../../src/db/client.ts";
import { ownerPoolFor } from "../../src/db/migrate.ts";
import { dispatchEvents } from "../../src/orchestration/event-bus.ts";
import type { EventHandlers } from "../../src/orchestration/event-handlers.ts";
import type { WebhookConfig } from "../../src/notifications/outbox.ts";
import { eventBusTasks } from "../../src/tasks/event-bus.ts";

export interface EventBusDriver {
  /** Dispatches every committed event and runs every delivery due now, until none is left. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export function eventBusDriver(
  t: { url: string; db: Database; service: Database },
  options: { handlers?: EventHandlers; notificationWebhook?: () => WebhookConfig } = {},
): EventBusDriver {
  const pool = ownerPoolFor(t.url, 2);
  const { event_deliver } = eventBusTasks({
    db: t.service,
    handlers: options.handlers,
    notificationWebhook: options.notificationWebhook,
  });
  if (!event_deliver) throw new Error("no event_deliver task");
  const taskList = { event_deliver };
  const quiet = new Logger(() => () => {});
  return {
    async settle() {
      for (let round = 0; round < 50; round++) {
        const dispatched = await dispatchEvents(t.service, { successor: false });
        await runOnce({ pgPool: pool, taskList, noHandleSignals: true, logger: quiet });
        // The runner's bookkeeping is batched: a failed job's backoff can land just after runOnce returns.
        for (let i = 0; i < 100; i++) {
          const { rows } = await sql`select 1 from graphile_worker._private_jobs where locked_at is not null`.execute(
            t.db,
          );
          if (rows.length === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        const { rows } = await sql<{ n: number }>`
          select count(*)::int as n from graphile_worker.jobs
          where task_identifier = 'event_deliver' and run_at <= now() and attempts < max_attempts`.execute(t.db);
        if (dispatched.read === 0 && (rows[0]?.n ?? 0) === 0) return;
      }
      throw new Error("the event bus did not settle in 50 rounds");
    },
    async close() {
      await pool.end();
    },
  };
}
