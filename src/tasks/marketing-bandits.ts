// The learning loop's jobs of the cron manifest (spec §17.5, §17.11), thin
// glue over its SQL functions (src/marketing/bandits.ts): hourly channel
// allocation, daily Champion-Challenger at 06:00 UTC, the weekly transfer
// (Monday 02:00) and decay (Monday 03:00), and the daily snapshot of every
// arm (23:55). Each is idempotent: decay once per week, a snapshot once per
// arm and day, a window observed once, an allocation once per hour.
import type { Task } from "graphile-worker";
import { z } from "zod";
import type { Database } from "../db/client.ts";
import { applyDecay, promoteVariants, rebalanceChannels, snapshotArms, transferPriors } from "../marketing/bandits.ts";

export type MarketingBanditTaskName =
  | "optimizer:channel:rebalance"
  | "optimizer:variant:promote"
  | "intelligence:transfer"
  | "bandit:decay:apply"
  | "bandit:snapshot";

/** graphile-worker's crontab payload: the tick's own time (a backfilled tick keeps the time it was due). */
const cronPayload = z.object({ _cron: z.object({ ts: z.string() }).optional() }).passthrough();

/** The UTC day of the tick (today for a job queued by hand). */
function tickDate(payload: unknown): string | null {
  const parsed = cronPayload.safeParse(payload ?? {});
  const ts = parsed.success ? parsed.data._cron?.ts : undefined;
  const at = ts ? new Date(ts) : null;
  return at && !Number.isNaN(at.getTime()) ? at.toISOString().slice(0, 10) : null;
}

export function marketingBanditTasks(deps: { db: Database }): Record<MarketingBanditTaskName, Task> {
  return {
    "optimizer:channel:rebalance": async (_payload, helpers) => {
      helpers.logger.info(`optimizer:channel:rebalance ${JSON.stringify(await rebalanceChannels(deps.db))}`);
    },
    "optimizer:variant:promote": async (_payload, helpers) => {
      helpers.logger.info(`optimizer:variant:promote ${JSON.stringify(await promoteVariants(deps.db))}`);
    },
    "intelligence:transfer": async (_payload, helpers) => {
      helpers.logger.info(`intelligence:transfer ${JSON.stringify({ arms: await transferPriors(deps.db) })}`);
    },
    "bandit:decay:apply": async (payload, helpers) => {
      helpers.logger.info(
        `bandit:decay:apply ${JSON.stringify({ arms: await applyDecay(deps.db, tickDate(payload)) })}`,
      );
    },
    "bandit:snapshot": async (payload, helpers) => {
      helpers.logger.info(
        `bandit:snapshot ${JSON.stringify({ arms: await snapshotArms(deps.db, tickDate(payload)) })}`,
      );
    },
  };
}
