// The marketing engine's jobs of the cron manifest (spec §17.11) that
// measure: rollup:materialize (daily 6:30 UTC) and email:drip:send (every 5
// minutes). Glue: each calls what owns its work and logs what it did;
// both are idempotent (a run with nothing due changes nothing).
import type { Task } from "graphile-worker";
import { sql } from "kysely";
import type { Database } from "../db/client.ts";
import { type EmailClient, resendClient, sendDueEmails } from "../marketing/email.ts";
import { posthogCapture } from "../marketing/posthog.ts";

export type MarketingTaskName = "rollup:materialize" | "email:drip:send";

/** rollup:materialize: the queued counts into the daily rollups, the touched days into the venture metrics. */
export async function materializeRollups(db: Database): Promise<Record<string, unknown>> {
  const { rows } = await sql<{ r: Record<string, unknown> }>`select marketing.fn_materialize_rollups() as r`.execute(
    db,
  );
  return rows[0]?.r ?? {};
}

export function marketingTasks(deps: { db: Database; email?: EmailClient | null }): Record<MarketingTaskName, Task> {
  return {
    "rollup:materialize": async (_payload, helpers) => {
      const result = await materializeRollups(deps.db);
      helpers.logger.info(`rollup:materialize ${JSON.stringify(result)}`);
    },
    "email:drip:send": async (_payload, helpers) => {
      const capture = posthogCapture();
      try {
        const report = await sendDueEmails(deps.db, deps.email === undefined ? resendClient() : deps.email, {
          capture,
          log: (line) => helpers.logger.info(line),
        });
        helpers.logger.info(`email:drip:send ${JSON.stringify(report)}`);
      } finally {
        await capture?.close();
      }
    },
  };
}
