// The publishing jobs (spec §17.11): one marketing_dispatch per dispatch
// (job_key marketing_dispatch:<id>), and the manifest's ticks —
// content:schedule:check (5 min), publisher:rate-limit:reset (15 min),
// metrics:collect:all (hourly), budget:governor:check (daily 7:00 UTC). Each
// is idempotent: it acts on what is due now and writes through SQL functions.
import type { Task } from "graphile-worker";
import { sql } from "kysely";
import { z } from "zod";
import type { Database } from "../db/client.ts";
import { collectMetrics, type DispatchDeps, runDispatch, scheduleCheck } from "../marketing/dispatch.ts";

const dispatchPayload = z.object({ dispatch_id: z.string().uuid() });

/** The manifest's publishing ticks (their crontab lines are in src/tasks/index.ts). */
export type MarketingPublishTickName =
  | "content:schedule:check"
  | "publisher:rate-limit:reset"
  | "metrics:collect:all"
  | "budget:governor:check";

export function marketingPublishTasks(deps: { db: Database } & DispatchDeps): Record<string, Task> {
  const { db } = deps;
  return {
    marketing_dispatch: async (raw, helpers) => {
      const parsed = dispatchPayload.safeParse(raw);
      if (!parsed.success) {
        helpers.logger.error(`marketing_dispatch: unusable payload ${JSON.stringify(raw)}`);
        return;
      }
      const r = await runDispatch(db, parsed.data.dispatch_id, deps);
      helpers.logger.info(
        `dispatch ${r.dispatchId}: ${r.action} → ${r.status ?? "gone"}${r.reason ? ` (${r.reason})` : ""}`,
      );
    },
    "content:schedule:check": async (_raw, helpers) => {
      const r = await scheduleCheck(db);
      helpers.logger.info(`content:schedule:check: ${r.scheduled} scheduled, ${r.released} queued`);
    },
    "publisher:rate-limit:reset": async (_raw, helpers) => {
      const { rows } = await sql<{ n: number }>`select eva_private.fn_rate_limit_reset() as n`.execute(db);
      helpers.logger.info(`publisher:rate-limit:reset: ${rows[0]?.n ?? 0} windows reset`);
    },
    "metrics:collect:all": async (_raw, helpers) => {
      const r = await collectMetrics(db, deps);
      helpers.logger.info(`metrics:collect:all: ${r.polled} posts, ${r.events} events`);
      for (const e of r.errors) helpers.logger.warn(`metrics:collect:all: ${e.platform}: ${e.error}`);
    },
    "budget:governor:check": async (_raw, helpers) => {
      const { rows } = await sql<{ n: number }>`select eva_private.fn_budget_governor_check() as n`.execute(db);
      helpers.logger.info(`budget:governor:check: ${rows[0]?.n ?? 0} alerts`);
    },
  };
}
