// What became of each venture, read from the state machine's own records: the
// furthest stage it reached (stage transitions), whether it died (killed or
// sunset, at the stage it was in) or succeeded (exited, or a Stage 25
// continue / expand / exit decision), else it is still open.
import { sql } from "kysely";
import type { Database } from "../db/client.ts";

export interface VentureOutcome {
  id: string;
  name: string;
  archetype: string;
  status: string;
  currentStage: number;
  reachedStage: number;
  /** The stage it died at (killed or sunset), else null. */
  diedAt: number | null;
  succeeded: boolean;
  /** The Chairman's last Stage 25 decision, if any. */
  stage25Decision: string | null;
}

export const DEAD = new Set(["killed", "sunset"]);
const SUCCESS_DECISIONS = new Set(["continue", "expand", "exit"]);

export function toOutcome(row: {
  id: string;
  name: string;
  archetype: string;
  status: string;
  current_stage: number;
  reached_stage: number;
  stage25_decision: string | null;
}): VentureOutcome {
  const died = DEAD.has(row.status);
  return {
    id: row.id,
    name: row.name,
    archetype: row.archetype,
    status: row.status,
    currentStage: row.current_stage,
    reachedStage: Math.max(row.reached_stage, row.current_stage),
    diedAt: died ? row.current_stage : null,
    succeeded: !died && (row.status === "exited" || SUCCESS_DECISIONS.has(row.stage25_decision ?? "")),
    stage25Decision: row.stage25_decision,
  };
}

/** Every venture's outcome (or only `ids`'). */
export async function loadOutcomes(db: Database, ids?: readonly string[]): Promise<VentureOutcome[]> {
  if (ids && ids.length === 0) return [];
  const { rows } = await sql<Parameters<typeof toOutcome>[0]>`
    select v.id, v.name, v.archetype::text as archetype, v.status::text as status,
      v.current_lifecycle_stage as current_stage,
      coalesce((select max(t.to_stage) from eva.venture_stage_transitions t where t.venture_id = v.id), 1) as reached_stage,
      (select d.decision from eva.chairman_decisions d
        where d.venture_id = v.id and d.decision_type = 'venture_future' and d.status = 'decided'
        order by d.decided_at desc limit 1) as stage25_decision
    from eva.ventures v
    ${ids ? sql`where v.id = any(${ids as string[]}::uuid[])` : sql``}
    order by v.created_at, v.id`.execute(db);
  return rows.map(toOutcome);
}
