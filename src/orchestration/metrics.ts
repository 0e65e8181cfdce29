// The orchestration metrics views (spec §13) read together, for
// `eva orchestration` and anything else that wants them in one object. Each
// view is read as the caller: RLS decides what it counts.
import { sql } from "kysely";
import type { Database } from "../db/client.ts";

type Row = Record<string, unknown>;

export interface OrchestrationMetrics {
  summary: Row;
  stageDurations: Row[];
  stageFailures: Row[];
  jobQueue: Row[];
  dlq: Row[];
  openCircuits: Row[];
  llmUsage: Row[];
  partitions: Row[];
  subscriptions: Row[];
}

export const ORCHESTRATION_VIEWS = {
  stageDurations: "orchestration_stage_durations",
  stageFailures: "orchestration_stage_failures",
  jobQueue: "orchestration_job_queue",
  dlq: "orchestration_dlq",
  openCircuits: "orchestration_open_circuits",
  llmUsage: "orchestration_llm_usage",
  partitions: "orchestration_partitions",
  subscriptions: "orchestration_subscriptions",
} as const;

/** A view's rows as JSON (numbers as numbers, times as ISO text, intervals as PostgreSQL writes them). */
async function rowsOf(db: Database, view: string): Promise<Row[]> {
  const { rows } = await sql<{ row: Row }>`select to_jsonb(v) as row from ${sql.table(`eva.${view}`)} v`.execute(db);
  return rows.map((r) => r.row);
}

export async function orchestrationMetrics(db: Database): Promise<OrchestrationMetrics> {
  const summary = (await rowsOf(db, "orchestration_summary"))[0] ?? {};
  const out: Partial<OrchestrationMetrics> = { summary };
  for (const [key, view] of Object.entries(ORCHESTRATION_VIEWS)) {
    out[key as keyof typeof ORCHESTRATION_VIEWS] = await rowsOf(db, view);
  }
  return out as OrchestrationMetrics;
}
