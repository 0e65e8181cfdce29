// eva metrics record | import | history: a venture's measured metrics (AARRR),
// written through eva.fn_record_venture_metrics (all or none) and read per ops
// cycle from eva.venture_metric_history. Stage 24 reads them as facts.
import { basename, extname } from "node:path";
import { type Command, Option } from "commander";
import { type Database, withRole } from "../../db/client.ts";
import { sqlState } from "../../db/errors.ts";
import {
  DEFAULT_RECORD_SOURCE,
  locateRows,
  type MetricInput,
  metricHistory,
  parseMetricsCsv,
  parseMetricsJson,
  recordVentureMetrics,
} from "../../metrics/venture-metrics.ts";
import { AARRR } from "../../stages/stage-24.ts";
import { withSession } from "../database.ts";
import { parseJsonFile, readInputFile } from "../files.ts";
import { printFields, printJson, printTable, UserError } from "../output.ts";
import { namedVenture } from "../venture-ref.ts";
import { summaryOf } from "./index.ts";

const ventureRef = (db: Database, ref: string) => namedVenture(db, ref);

const numberOption = (flag: string) => (value: string) => {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new UserError(`${flag} must be a number, not "${value}"`, 2);
  return n;
};

const timeOption = (flag: string) => (value: string) => {
  const at = Date.parse(value);
  if (Number.isNaN(at))
    throw new UserError(`${flag} must be a date and time (ISO 8601, e.g. 2026-11-30T09:00:00Z), not "${value}"`, 2);
  if (at > Date.now() + 5 * 60_000)
    throw new UserError(`${flag} ${value} is in the future: record what was observed`, 2);
  return new Date(at).toISOString();
};

const nonEmpty = (flag: string) => (value: string) => {
  if (value.trim() === "") throw new UserError(`${flag} must not be empty`, 2);
  return value.trim();
};

export function registerMetrics(program: Command): void {
  const metrics = program
    .command("metrics")
    .description(summaryOf("metrics"))
    .addHelpText(
      "after",
      `
Measured metrics are facts with their source. Stage 24 (Metrics & Learning) reads the
ones observed in its ops cycle; ops cycle k is the venture's k-th Stage 24 run and holds
what was observed after run k-1 started (for cycle 1: everything before it) up to run
k's start. Rows are never changed: record a correction as a new observation.`,
    );

  metrics
    .command("record <venture>")
    .description("record one measured value of a venture (id or name)")
    .requiredOption("--metric <name>", 'the metric, e.g. "Week-4 retention (%)"', nonEmpty("--metric"))
    .requiredOption("--value <n>", "the measured value", numberOption("--value"))
    .addOption(
      new Option(
        "--category <stage>",
        "its AARRR stage (default: the one the metric was recorded under before, else read from its name)",
      ).choices(AARRR),
    )
    .option("--at <time>", "when it was observed (ISO 8601; default now)", timeOption("--at"))
    .option("--source <text>", `where the value comes from (default "${DEFAULT_RECORD_SOURCE}")`, nonEmpty("--source"))
    .option("--criterion <metric>", "the Stage 23 success criterion it measures", nonEmpty("--criterion"))
    .option("--json", "print the recorded row as JSON")
    .addHelpText(
      "after",
      `
Examples:
  eva metrics record LedgerLoop --metric "Week-4 retention (%)" --value 31.5
  eva metrics record LedgerLoop --metric "MRR (EUR)" --value 4200 --category revenue \\
    --at 2026-11-30T09:00:00Z --source "stripe dashboard"`,
    )
    .action(
      async (
        ref: string,
        options: {
          metric: string;
          value: number;
          category?: (typeof AARRR)[number];
          at?: string;
          source?: string;
          criterion?: string;
          json?: boolean;
        },
      ) => {
        const metric: MetricInput = {
          ...(options.category ? { category: options.category } : {}),
          name: options.metric,
          value: options.value,
          ...(options.at ? { observedAt: options.at } : {}),
          source: options.source ?? DEFAULT_RECORD_SOURCE,
          ...(options.criterion ? { criterionRef: options.criterion } : {}),
        };
        await withSession(async ({ connection }) => {
          const { venture, rows } = await withRole(connection.db, "eva_chairman", async (trx) => {
            const venture = await ventureRef(trx, ref);
            return { venture, rows: await recordVentureMetrics(trx, venture.id, [metric]) };
          });
          const [row] = rows;
          if (options.json) return printJson(row);
          if (!row) return;
          printFields([
            ["recorded", `${row.name} = ${row.value}`],
            ["venture", venture.name],
            ["category", row.category],
            ["observed at", row.observedAt],
            ["source", row.source],
            ["criterion", row.criterionRef ?? ""],
            ["id", row.id],
          ]);
        });
      },
    );

  metrics
    .command("import <venture>")
    .description("record the measured values of a CSV or JSON file, all or none")
    .requiredOption("--file <path>", "metrics.csv (a header line naming the columns) or metrics.json (an array)")
    .addOption(
      new Option("--format <format>", "the file's format (default: from its extension)").choices(["csv", "json"]),
    )
    .option("--source <text>", 'the source of rows that name none (default "import <file> (eva metrics import)")')
    .option("--json", "print the recorded rows as JSON")
    .addHelpText(
      "after",
      `
Columns (CSV) or fields (JSON): name and value are required; category (default: the one the
metric was recorded under before, else read from its name), observedAt (ISO 8601, default now), source, sourceRef (the source's own id,
recorded once) and criterionRef (a Stage 23 success criterion) are optional. Every bad row
is named with its line (CSV) or index (JSON) and nothing is recorded.

Example metrics.csv:
  name,value,category,observedAt
  Week-4 retention (%),31.5,retention,2026-11-30T09:00:00Z
  MRR (EUR),4200,revenue,2026-11-30T09:00:00Z`,
    )
    .action(async (ref: string, options: { file: string; format?: string; source?: string; json?: boolean }) => {
      const format = options.format ?? extname(options.file).slice(1).toLowerCase();
      if (format !== "csv" && format !== "json")
        throw new UserError(`--file ${options.file}: give a .csv or .json file, or say which with --format`, 2);
      const text = readInputFile("--file", options.file);
      if (format === "json") parseJsonFile("--file", options.file, text);
      const source = options.source?.trim() || `import ${basename(options.file)} (eva metrics import)`;
      const parsed = format === "csv" ? parseMetricsCsv(text, { source }) : parseMetricsJson(text, { source });
      if (!parsed.ok)
        throw new UserError(
          `--file ${options.file}: ${parsed.problems.length} problem${parsed.problems.length === 1 ? "" : "s"}, nothing recorded:\n  ${parsed.problems.join("\n  ")}`,
          2,
        );
      await withSession(async ({ connection }) => {
        const { venture, rows } = await withRole(connection.db, "eva_chairman", async (trx) => {
          const venture = await ventureRef(trx, ref);
          try {
            return { venture, rows: await recordVentureMetrics(trx, venture.id, parsed.rows) };
          } catch (error) {
            // The database counts rows from 1; the file's reader knows them by line or index.
            if (error instanceof Error && sqlState(error)?.startsWith("EV"))
              error.message = locateRows(error.message, parsed.where);
            throw error;
          }
        });
        if (options.json) return printJson(rows);
        process.stdout.write(
          `recorded ${rows.length} metric value${rows.length === 1 ? "" : "s"} of ${venture.name}\n`,
        );
        printTable(rows, [
          ["id", "ID"],
          ["category", "CATEGORY"],
          ["name", "METRIC"],
          ["value", "VALUE"],
          ["observedAt", "OBSERVED"],
          ["source", "SOURCE"],
        ]);
      });
    });

  metrics
    .command("history <venture>")
    .description("a venture's measured metrics per ops cycle, with the change against the previous cycle")
    .option("--metric <name>", "only this metric (case-insensitive)")
    .option("--json", "print as JSON")
    .addHelpText(
      "after",
      `
Example: how has retention changed across the ops cycles?
  eva metrics history LedgerLoop --metric "Week-4 retention (%)"`,
    )
    .action(async (ref: string, options: { metric?: string; json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const rows = await withRole(connection.db, "eva_chairman", async (trx) =>
          metricHistory(trx, (await ventureRef(trx, ref)).id, options.metric ? { metric: options.metric } : {}),
        );
        if (options.json) return printJson(rows);
        if (rows.length === 0) {
          process.stdout.write(
            `no measured metrics${options.metric ? ` named "${options.metric}"` : ""} for ${ref}: record them with npx eva metrics record\n`,
          );
          return;
        }
        printTable(
          rows.map((r) => ({
            ...r,
            cycle: `${r.opsCycle}${r.cycleScored ? "" : " (open)"}`,
            changeText: r.change === null ? "" : `${r.change > 0 ? "+" : ""}${r.change}`,
            pct: r.changePct === null ? "" : `${r.changePct > 0 ? "+" : ""}${r.changePct}%`,
          })),
          [
            ["category", "CATEGORY"],
            ["metric", "METRIC"],
            ["cycle", "CYCLE"],
            ["value", "VALUE"],
            ["previousValue", "PREVIOUS"],
            ["changeText", "CHANGE"],
            ["pct", "CHANGE %"],
            ["observedAt", "OBSERVED"],
            ["source", "SOURCE"],
          ],
        );
      });
    });
}
