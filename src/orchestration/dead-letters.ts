// The dead-letter queue read and acted on (eva.eva_event_dlq): the rows
// `eva dlq list` shows, and replay / drop through their SQL functions.
import { sql } from "kysely";
import type { Database } from "../db/client.ts";

export type DeadLetterStatus = "pending" | "replayed" | "discarded";
export const DEAD_LETTER_STATUSES: readonly DeadLetterStatus[] = ["pending", "replayed", "discarded"];

export interface DeadLetter {
  id: number;
  status: DeadLetterStatus;
  eventId: number | null;
  eventType: string;
  ventureId: string | null;
  venture: string | null;
  subscription: string | null;
  handler: string | null;
  attempts: number;
  lastError: string;
  replays: number;
  replayStatus: string | null;
  replayedAt: Date | null;
  replayedBy: string | null;
  discardedAt: Date | null;
  discardedBy: string | null;
  createdAt: Date;
  lastFailedAt: Date;
}

/** Dead letters, oldest first (optionally of one status). */
export async function listDeadLetters(db: Database, filter: { status?: DeadLetterStatus } = {}): Promise<DeadLetter[]> {
  let query = db
    .selectFrom("eva_event_dlq as q")
    .leftJoin("ventures as v", "v.id", "q.venture_id")
    .leftJoin("event_subscriptions as s", "s.id", "q.subscription_id")
    .select([
      "q.id",
      "q.status",
      "q.event_id as eventId",
      "q.event_type as eventType",
      "q.venture_id as ventureId",
      "v.name as venture",
      "s.name as subscription",
      "q.handler",
      "q.retry_count as attempts",
      "q.failure_reason as lastError",
      "q.replays",
      "q.replay_status as replayStatus",
      "q.replayed_at as replayedAt",
      "q.replayed_by as replayedBy",
      "q.discarded_at as discardedAt",
      "q.discarded_by as discardedBy",
      "q.created_at as createdAt",
      "q.last_failed_at as lastFailedAt",
    ])
    .orderBy("q.id");
  if (filter.status) query = query.where("q.status", "=", filter.status);
  return (await query.execute()).map((r) => ({
    ...r,
    id: Number(r.id),
    eventId: r.eventId === null ? null : Number(r.eventId),
    status: r.status as DeadLetterStatus,
  }));
}

/** Queues one replay of a dead letter (eva.fn_dlq_replay; EV404 / EV409 refusals). */
export async function replayDeadLetter(db: Database, id: number): Promise<{ id: number; replay: number }> {
  const { rows } = await sql<{
    id: string;
    replays: number;
  }>`select id, replays from eva.fn_dlq_replay(${id}::bigint)`.execute(db);
  return { id: Number(rows[0]?.id), replay: rows[0]?.replays ?? 0 };
}

/** Queues one replay of every pending dead letter without one queued (eva.fn_dlq_replay_all). */
export async function replayAllDeadLetters(db: Database): Promise<{ id: number; replay: number }[]> {
  const { rows } = await sql<{ id: string; replays: number }>`select id, replays from eva.fn_dlq_replay_all()`.execute(
    db,
  );
  return rows.map((r) => ({ id: Number(r.id), replay: r.replays }));
}

/** Discards a dead letter (eva.fn_dlq_drop; EV404 / EV409 refusals). */
export async function dropDeadLetter(db: Database, id: number): Promise<{ id: number; discardedBy: string | null }> {
  const { rows } = await sql<{ id: string; discarded_by: string | null }>`
    select id, discarded_by from eva.fn_dlq_drop(${id}::bigint)`.execute(db);
  return { id: Number(rows[0]?.id), discardedBy: rows[0]?.discarded_by ?? null };
}
