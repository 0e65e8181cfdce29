// eva orchestration: the orchestration metrics views (spec §13) at a glance,
// as the Chairman reads them: stage durations and failures, the job queue,
// dead letters, event subscriptions, open circuits, LLM usage per model,
// event-log partitions.
import type { Command } from "commander";
import { withRole } from "../../db/client.ts";
import { orchestrationMetrics } from "../../orchestration/metrics.ts";
import { withSession } from "../database.ts";
import { printFields, printJson, printTable } from "../output.ts";
import { summaryOf } from "./index.ts";

type Row = Record<string, unknown>;

/** Seconds as "1.23 s" / "2m 05s"; null stays empty. */
function seconds(value: unknown): string {
  if (value === null || value === undefined) return "";
  const s = Number(value);
  if (s < 60) return `${s.toFixed(2)} s`;
  return `${Math.floor(s / 60)}m ${String(Math.round(s % 60)).padStart(2, "0")}s`;
}

const percent = (value: unknown) =>
  value === null || value === undefined ? "" : `${(Number(value) * 100).toFixed(1)} %`;
const ms = (value: unknown) => (value === null || value === undefined ? "" : `${Number(value).toFixed(1)} ms`);

function section(
  title: string,
  rows: Row[],
  columns: [string, string][],
  format: Record<string, (v: unknown) => string> = {},
) {
  process.stdout.write(`\n${title}\n`);
  if (rows.length === 0) {
    process.stdout.write("  (none)\n");
    return;
  }
  printTable(
    rows.map((r) => Object.fromEntries(columns.map(([key]) => [key, format[key] ? format[key](r[key]) : r[key]]))),
    columns,
  );
}

export function registerOrchestration(program: Command): void {
  program
    .command("orchestration")
    .description(summaryOf("orchestration"))
    .option(
      "--json",
      'print { "summary", "stageDurations", "stageFailures", "jobQueue", "dlq", "openCircuits", "llmUsage", "partitions", "subscriptions" } as JSON',
    )
    .addHelpText(
      "after",
      `
Read as the Chairman from the views eva.orchestration_summary,
eva.orchestration_stage_durations, eva.orchestration_stage_failures,
eva.orchestration_job_queue, eva.orchestration_dlq, eva.orchestration_open_circuits,
eva.orchestration_llm_usage, eva.orchestration_partitions and
eva.orchestration_subscriptions (psql reads them too).

Examples:
  eva orchestration
  eva orchestration --json`,
    )
    .action(async (options: { json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const m = await withRole(connection.db, "eva_chairman", (trx) => orchestrationMetrics(trx));
        if (options.json) return printJson(m);
        const s = m.summary;
        printFields([
          [
            "stage runs (24 h)",
            `${s.stage_runs_24h} completed, ${s.stage_failures_24h} failed, p95 ${seconds(s.stage_p95_seconds_24h) || "—"}`,
          ],
          [
            "jobs",
            `${s.jobs_queued} queued, ${s.jobs_running} running, ${s.jobs_failed} failed; oldest queued ${s.oldest_job_age ?? "—"}`,
          ],
          ["dead letters pending", s.dlq_pending],
          ["open circuits", s.open_circuits],
          ["LLM (24 h)", `${s.llm_calls_24h} calls, ${s.llm_tokens_24h} tokens`],
          [
            "event log",
            `${s.event_log_partitions} monthly partitions, live since ${s.event_log_live_since ?? "—"}; last archive ${s.last_archive_at ?? "never"}`,
          ],
        ]);
        section(
          "Stage durations (completed runs)",
          m.stageDurations,
          [
            ["stage", "STAGE"],
            ["runs", "RUNS"],
            ["p50_seconds", "P50"],
            ["p95_seconds", "P95"],
            ["max_seconds", "MAX"],
          ],
          { p50_seconds: seconds, p95_seconds: seconds, max_seconds: seconds },
        );
        section(
          "Stage failures and retries",
          m.stageFailures,
          [
            ["stage", "STAGE"],
            ["runs", "RUNS"],
            ["failed", "FAILED"],
            ["failure_rate", "FAILURE RATE"],
            ["retried", "RETRIED"],
            ["retry_rate", "RETRY RATE"],
            ["reruns", "RERUNS"],
          ],
          { failure_rate: percent, retry_rate: percent },
        );
        section("Job queue", m.jobQueue, [
          ["task", "TASK"],
          ["queued", "QUEUED"],
          ["scheduled", "LATER"],
          ["running", "RUNNING"],
          ["retrying", "RETRYING"],
          ["failed", "FAILED"],
          ["oldest_queued_age", "OLDEST"],
        ]);
        section("Dead letters", m.dlq, [
          ["status", "STATUS"],
          ["events", "EVENTS"],
          ["max_retries", "MAX RETRIES"],
          ["oldest_at", "OLDEST"],
        ]);
        section(
          "Event subscriptions (deliveries in the last 24 h; open now)",
          m.subscriptions,
          [
            ["subscription", "SUBSCRIPTION"],
            ["handler", "HANDLER"],
            ["enabled", "ON"],
            ["delivered_24h", "DELIVERED"],
            ["dead_lettered_24h", "DEAD"],
            ["open", "OPEN"],
            ["retrying", "RETRYING"],
            ["last_error", "LAST ERROR"],
          ],
          { enabled: (v) => (v ? "yes" : "no"), last_error: (v) => (v ? String(v).slice(0, 60) : "") },
        );
        section("Open circuits", m.openCircuits, [
          ["venture_name", "VENTURE"],
          ["service", "SERVICE"],
          ["state", "STATE"],
          ["consecutive_failures", "FAILURES"],
          ["half_open_at", "HALF-OPEN AT"],
          ["last_error", "LAST ERROR"],
        ]);
        section(
          "LLM usage per model",
          m.llmUsage,
          [
            ["model", "MODEL"],
            ["purpose", "PURPOSE"],
            ["calls", "CALLS"],
            ["total_tokens", "TOKENS"],
            ["latency_p50_ms", "P50"],
            ["latency_p95_ms", "P95"],
            ["timed_calls", "TIMED"],
          ],
          { latency_p50_ms: ms, latency_p95_ms: ms },
        );
        section("Partitions", m.partitions, [
          ["table_name", "TABLE"],
          ["partition_name", "PARTITION"],
          ["approx_rows", "ROWS (approx.)"],
          ["expires_at", "EXPIRES"],
        ]);
      });
    });
}
