// The master scheduler's ticks (spec §4 Layer 1): small idempotent jobs that
// graphile-worker's crontab queues (src/tasks/index.ts). Glue: each calls the
// SQL function that owns its work, as eva_service, and logs what it did.
import type { Task } from "graphile-worker";
import { sql } from "kysely";
import type { Database } from "../db/client.ts";
import { runKnowledgeSync } from "../intelligence/sync.ts";
import { writeDigest } from "../notifications/outbox.ts";
import { maintainPartitions } from "../orchestration/retention.ts";
import { ATTR, withSpan } from "../orchestration/tracing.ts";

export type SchedulerTaskName =
  | "portfolio_health_scan"
  | "scheduler_due_work"
  | "nursery_review_check"
  | "knowledge_sync"
  | "notification_digest_daily"
  | "notification_digest_weekly"
  | "saga_timeout_sweep"
  | "dlq_depth_check"
  | "contract_timeout_sweep"
  | "circuit_release"
  | "saga_wake"
  | "partition_maintenance";

/** What a tick did, as its SQL function reports it. */
export type TickResult = Record<string, unknown>;

async function one<T>(db: Database, query: ReturnType<typeof sql<{ r: T }>>): Promise<T> {
  const { rows } = await query.execute(db);
  return rows[0]?.r as T;
}

/** The tick functions themselves, callable without a worker (tests, `eva schedule tick`). */
export const TICKS: Record<SchedulerTaskName, (db: Database, asOf?: Date) => Promise<TickResult>> = {
  portfolio_health_scan: async (db) => one(db, sql`select eva_private.fn_scheduler_health_scan() as r`),
  scheduler_due_work: async (db) => ({
    released: await one<number>(db, sql`select eva_private.fn_scheduler_release_due() as r`),
  }),
  // Due nursery ideas get a nursery_reeval job each (a fresh synthesis, then the Chairman's review); stale ones flagged.
  nursery_review_check: async (db) => one(db, sql`select eva_private.fn_scheduler_nursery_reeval() as r`),
  // The portfolio knowledge base (spec §10): patterns are also recorded per event by the knowledge-extraction
  // subscription; the daily sync re-extracts calibration, patterns and anti-patterns from the whole portfolio
  // and scores the stage-of-death predictions against what happened (src/intelligence/sync.ts).
  knowledge_sync: async (db) => {
    const payload = { ...(await runKnowledgeSync(db)) };
    await sql`select eva_private.fn_scheduler_record_tick('knowledge_sync', ${JSON.stringify(payload)}::jsonb)`.execute(
      db,
    );
    return payload;
  },
  // The digests of the notifications outbox (eva.fn_notification_digest), for the period up to the tick's time.
  notification_digest_daily: async (db, asOf) => digest(db, "daily", asOf),
  notification_digest_weekly: async (db, asOf) => digest(db, "weekly", asOf),
  saga_timeout_sweep: async (db) => ({
    timedOut: await one<number>(db, sql`select eva_private.fn_scheduler_saga_sweep() as r`),
  }),
  dlq_depth_check: async (db) => one(db, sql`select eva_private.fn_scheduler_dlq_check() as r`),
  // Task contracts past their timeout: failed as timeout, their stage work retried or escalated (src/orchestration/contracts.ts).
  contract_timeout_sweep: async (db) => one(db, sql`select eva_private.fn_contract_timeout_sweep() as r`),
  // Stage runs deferred by an open circuit whose half-open time came (breaker clock): queued now.
  circuit_release: async (db) => ({
    released: await one<number>(db, sql`select eva_private.fn_circuit_release_due() as r`),
  }),
  saga_wake: async (db) => ({ woken: await one<number>(db, sql`select eva_private.fn_saga_wake_due() as r`) }),
  // Retention (src/orchestration/retention.ts): partitions ahead, expired ones archived then dropped.
  partition_maintenance: async (db) => {
    const done = await maintainPartitions(db);
    const payload = {
      done: true,
      created: done.created,
      archived: done.archived.map((a) => ({ partition: a.partition, rows: a.rows, sha256: a.archive?.sha256 ?? null })),
    };
    await sql`select eva_private.fn_scheduler_record_tick('partition_maintenance', ${JSON.stringify(payload)}::jsonb)`.execute(
      db,
    );
    return payload;
  },
};

async function digest(db: Database, urgency: "daily" | "weekly", asOf = new Date()): Promise<TickResult> {
  const payload = { done: true, digest: await writeDigest(db, urgency, asOf), asOf: asOf.toISOString() };
  await sql`select eva_private.fn_scheduler_record_tick(${`notification_digest_${urgency}`}, ${JSON.stringify(payload)}::jsonb)`.execute(
    db,
  );
  return payload;
}

/**
 * A graphile-worker task running one tick. Its time is the payload's `asOf`,
 * else the crontab's `_cron.ts` (a backfilled tick's own), else now.
 */
export function schedulerTask(
  name: SchedulerTaskName,
  db: Database,
  onTick?: (name: string, r: TickResult) => void,
): Task {
  return async (raw, helpers) => {
    const payload = (raw ?? {}) as { asOf?: unknown; _cron?: { ts?: string; backfilled?: boolean } };
    const at = typeof payload.asOf === "string" ? payload.asOf : payload._cron?.ts;
    const asOf = at && !Number.isNaN(Date.parse(at)) ? new Date(at) : undefined;
    const result = await withSpan(
      "eva.scheduler_tick",
      { [ATTR.task]: name, "eva.scheduler.backfilled": payload._cron?.backfilled === true },
      () => TICKS[name](db, asOf),
    );
    helpers.logger.info(`${name}${payload._cron?.backfilled ? " (backfilled)" : ""}: ${JSON.stringify(result)}`);
    onTick?.(name, result);
  };
}
