// The demo portfolio `eva start` seeds on first run: ideas through Stage 0's
// competitor teardown, approved as the Chairman would, so the portfolio shows
// every fate — ventures the gates kill, ones the DFE escalates, ones waiting
// for the Chairman's brand, release or future decision. With the offline
// analyst each idea's fate is deterministic.
import { sql } from "kysely";
import { type Database, withRole } from "../db/client.ts";
import { synthesizeBrief } from "../ideation/brief.ts";
import { ideationAllowance, ideationBudget } from "../ideation/budget.ts";
import type { Analyst } from "../llm/types.ts";
import { openVentureReview } from "./decisions.ts";

export const DEMO_COMPETITORS = [
  "https://wonka.com",
  "https://globex.com",
  "https://umbrella.com",
  "https://initech.com",
  "https://wayne.com",
  "https://soylent.com",
  "https://acme.com",
  "https://hooli.com",
  "https://tyrell.com",
  "https://cyberdyne.com",
  "https://piedpiper.com",
  "https://stark.com",
];

/** Creates the demo ventures (Stage 0 brief → the Chairman's approval → Stage 1); returns their ids. */
export async function seedDemoPortfolio(
  db: Database,
  analyst: Analyst,
  log: (line: string) => void,
): Promise<string[]> {
  const ids: string[] = [];
  for (const url of DEMO_COMPETITORS) {
    const budget = await withRole(db, "eva_service", (trx) => ideationBudget(trx));
    const synthesized = await synthesizeBrief(
      analyst,
      { path: "competitor_teardown", urls: [url] },
      { budget: ideationAllowance(budget) },
    );
    const { brief } = synthesized;
    const reviewId = await withRole(db, "eva_service", (trx) =>
      openVentureReview(trx, synthesized, { portfolioId: budget.portfolioId }),
    );
    const ventureId = await withRole(db, "eva_chairman", async (trx) => {
      await sql`select eva.fn_decide(${reviewId}::uuid, 'approve', 'demo portfolio, seeded by eva start')`.execute(trx);
      const row = await trx
        .selectFrom("chairman_decisions")
        .select("venture_id")
        .where("id", "=", reviewId)
        .executeTakeFirstOrThrow();
      return row.venture_id;
    });
    if (ventureId) ids.push(ventureId);
    log(`seeded ${brief.name} (from ${url})`);
  }
  return ids;
}

export interface PortfolioProgress {
  /** Stage work ready or running, plus marketing content still being generated or reviewed. */
  running: number;
  /** Marketing content in IDEATE, GENERATE or REVIEW (not blocked). */
  contentInProgress: number;
  stageRuns: number;
  byStatus: Record<string, number>;
}

export async function portfolioProgress(db: Database): Promise<PortfolioProgress> {
  const { rows } = await sql<{ running: number; content: number; runs: number; status: string | null; n: number }>`
    select (select count(*)::int from eva.venture_stage_work where status in ('ready', 'in_progress')) as running,
           (select count(*)::int from marketing.marketing_content
             where status = 'active' and lifecycle_state in ('IDEATE', 'GENERATE', 'REVIEW')) as content,
           (select count(*)::int from eva.eva_event_log where event_type = 'stage.work_completed') as runs,
           v.status::text as status, count(v.id)::int as n
    from eva.ventures v group by v.status`.execute(db);
  const byStatus: Record<string, number> = {};
  for (const r of rows) if (r.status) byStatus[r.status] = r.n;
  const content = rows[0]?.content ?? 0;
  return {
    running: (rows[0]?.running ?? 0) + content,
    contentInProgress: content,
    stageRuns: rows[0]?.runs ?? 0,
    byStatus,
  };
}
