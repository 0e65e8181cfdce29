// The Venture Nursery (spec §16): parked Stage 0 ideas with their reason,
// trigger conditions and review date (30 days blocked, 90 nursery: set by
// eva_private.tg_venture_nursery_park), flagged stale after 180 days, and
// re-evaluated when due through discovery_mode's nursery_reeval strategy:
// a fresh synthesis and a new review for the Chairman (approve or park again).
import { sql } from "kysely";
import type { Database } from "../db/client.ts";
import type { Analyst } from "../llm/types.ts";
import { TokenBudgetExceeded } from "../llm/types.ts";
import { ideationBudget } from "./budget.ts";
import { openStageZeroReview, runStageZero } from "./stage-zero.ts";

export const STALE_AFTER_DAYS = 180;

export interface NurseryItem {
  id: string;
  name: string;
  status: string;
  maturity: string | null;
  reason: string | null;
  reviewAt: string;
  parkedAt: string;
  /** Parked 180 days or more (scheduler time), flagged by the nursery check or seen now. */
  stale: boolean;
  triggerConditions: string[];
  reevaluations: number;
  ventureScore: number | null;
}

interface Row {
  id: string;
  name: string;
  status: string;
  maturity: string | null;
  reason: string | null;
  review_at: Date;
  parked_at: Date;
  stale: boolean;
  trigger_conditions: unknown;
  reevaluations: number;
  venture_score: string | null;
}

export async function listNursery(db: Database, options: { status?: string } = {}): Promise<NurseryItem[]> {
  const { rows } = await sql<Row>`
    select n.id, n.name, n.status::text, n.maturity, n.reason, n.review_at, n.parked_at,
      (n.stale_at is not null or n.parked_at <= eva.fn_scheduler_now() - make_interval(days => ${STALE_AFTER_DAYS})) as stale,
      n.trigger_conditions, n.reevaluations, n.brief ->> 'ventureScore' as venture_score
    from eva.venture_nursery n
    where ${options.status ?? null}::text is null or n.status::text = ${options.status ?? null}
    order by n.review_at, n.id`.execute(db);
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    status: r.status,
    maturity: r.maturity,
    reason: r.reason,
    reviewAt: new Date(r.review_at).toISOString(),
    parkedAt: new Date(r.parked_at).toISOString(),
    stale: r.stale,
    triggerConditions: Array.isArray(r.trigger_conditions) ? (r.trigger_conditions as string[]) : [],
    reevaluations: r.reevaluations,
    ventureScore: r.venture_score === null ? null : Number(r.venture_score),
  }));
}

export type ReevaluationOutcome = { status: "opened"; decisionId: string } | { status: "skipped"; reason: string };

/**
 * Re-evaluates one due nursery idea (the nursery_reeval job): `db` acts as
 * eva_service. Skipped when the idea is no longer parked for that review
 * date, when its review is already open, or when the ideation budget cannot
 * pay for the synthesis (it waits for the next review date or the Chairman).
 */
export async function reevaluateNurseryItem(
  db: Database,
  analyst: Analyst,
  job: { nurseryId: string; reviewAt: string },
): Promise<ReevaluationOutcome> {
  const row = await db
    .selectFrom("venture_nursery")
    .select(["id", "status", "review_at"])
    .where("id", "=", job.nurseryId)
    .executeTakeFirst();
  if (!row) return { status: "skipped", reason: "the nursery item is gone" };
  if (row.status !== "parked") return { status: "skipped", reason: `the idea is ${row.status}, not parked` };
  if (new Date(row.review_at).getTime() !== new Date(job.reviewAt).getTime())
    return { status: "skipped", reason: "the idea's review date changed since the job was queued" };
  const { rows: open } = await sql<{ id: string }>`
    select id from eva.chairman_decisions where decision_type = 'venture_review' and lifecycle_stage = 0
      and context ->> 'nurseryId' = ${job.nurseryId}
      and ((context ->> 'reviewAt')::timestamptz = ${job.reviewAt}::timestamptz or status = 'pending')`.execute(db);
  if (open[0])
    return { status: "skipped", reason: `a review of it is already open or was opened for this date (${open[0].id})` };
  const budget = await ideationBudget(db);
  let result: Awaited<ReturnType<typeof runStageZero>>;
  try {
    result = await runStageZero(
      db,
      analyst,
      { path: "discovery_mode", strategy: "nursery_reeval", candidates: 1, nurseryId: job.nurseryId },
      { budget },
    );
  } catch (error) {
    if (error instanceof TokenBudgetExceeded) return { status: "skipped", reason: error.message };
    throw error;
  }
  const decisionId = await db.transaction().execute((trx) =>
    openStageZeroReview(trx, result, {
      portfolioId: budget.portfolioId,
      // verbatim: the timestamp's microseconds must match the nursery row's review_at
      reviewAt: job.reviewAt,
    }),
  );
  return { status: "opened", decisionId };
}
