// eva sd list | complete | report-bug: engineering's side of the SD bridge
// (spec §9). The Stage 18 sprint plan became work items; engineering lists them
// and reports each one once, as the eva_service role, through
// eva.fn_sd_complete. After launch (§14) a reported bug becomes a bugfix item.
import { type Command, Option } from "commander";
import { sql } from "kysely";
import { type Database, withRole } from "../../db/client.ts";
import { withSession } from "../database.ts";
import { printFields, printJson, printTable, UserError } from "../output.ts";
import { namedVenture } from "../venture-ref.ts";
import { summaryOf } from "./index.ts";

const ITEM_STATUSES = ["pending", "succeeded", "failed", "blocked"] as const;
const REPORT_STATUSES = ["succeeded", "failed", "blocked"] as const;
const SEVERITIES = ["critical", "high", "medium", "low"] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface SdWorkItem {
  id: string;
  ventureId: string;
  venture: string;
  sagaId: string;
  kind: string;
  position: number;
  title: string;
  type: string | null;
  architectureLayer: string | null;
  milestoneRef: string | null;
  estimatedLoc: number | null;
  status: string;
  testsPassed: number | null;
  testsFailed: number | null;
  coveragePct: number | null;
  createdAt: Date;
  completedAt: Date | null;
}

/** What eva.fn_sd_results returns: the latest SD saga of a venture and its children's reports. */
export interface SdResults {
  sagaId: string;
  status: string;
  sprintCompletion: string | null;
  total: number;
  completed: number;
  succeeded: number;
  failed: number;
  blocked: number;
  totals: { testsPassed: number; testsFailed: number; coverageAvg: number | null };
}

const wholeNumber = (flag: string) => (value: string) => {
  const n = Number(value);
  if (value.trim() === "" || !Number.isInteger(n) || n < 0)
    throw new UserError(`${flag} must be a whole number of 0 or more, not "${value}"`, 2);
  return n;
};

const percentage = (value: string) => {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0 || n > 100)
    throw new UserError(`--coverage must be a percentage from 0 to 100, not "${value}"`, 2);
  return n;
};

/** SD work items, a venture's or every venture's, sprint by sprint in plan order. */
export async function listSdWorkItems(
  db: Database,
  filter: { id?: string; ventureId?: string; status?: string } = {},
): Promise<SdWorkItem[]> {
  let query = db
    .selectFrom("sd_work_items as i")
    .innerJoin("ventures as v", "v.id", "i.venture_id")
    .select([
      "i.id",
      "i.venture_id as ventureId",
      "v.name as venture",
      "i.saga_id as sagaId",
      "i.kind",
      "i.position",
      "i.title",
      "i.item_type as type",
      "i.architecture_layer as architectureLayer",
      "i.milestone_ref as milestoneRef",
      "i.estimated_loc as estimatedLoc",
      "i.status",
      "i.tests_passed as testsPassed",
      "i.tests_failed as testsFailed",
      "i.coverage_pct as coveragePct",
      "i.created_at as createdAt",
      "i.completed_at as completedAt",
    ])
    .orderBy("v.name")
    .orderBy("i.created_at")
    .orderBy("i.position");
  if (filter.id) query = query.where("i.id", "=", filter.id);
  if (filter.ventureId) query = query.where("i.venture_id", "=", filter.ventureId);
  if (filter.status) query = query.where("i.status", "=", filter.status);
  const rows = await query.execute();
  // numeric arrives as a string: a percentage is a number to every reader.
  return rows.map((r) => ({ ...r, coveragePct: r.coveragePct === null ? null : Number(r.coveragePct) }));
}

/** Records engineering's one report of a child item (eva.fn_sd_complete) and returns the item and its sprint's progress. */
export async function completeSdWorkItem(
  db: Database,
  itemId: string,
  report: { status: string; testsPassed: number; testsFailed: number; coverage: number; notes?: string },
): Promise<{ item: SdWorkItem; sprint: SdResults | null }> {
  const details = report.notes ? { notes: report.notes } : {};
  await sql`
    select id from eva.fn_sd_complete(${itemId}::uuid, ${report.status}, ${report.testsPassed}, ${report.testsFailed},
      ${report.coverage}, ${JSON.stringify(details)}::jsonb)`.execute(db);
  const [item] = await listSdWorkItems(db, { id: itemId });
  if (!item) throw new Error(`SD work item ${itemId} was reported but cannot be read back`);
  const { rows } = await sql<{ results: SdResults | null }>`
    select eva.fn_sd_results(${item.ventureId}::uuid) as results`.execute(db);
  return { item, sprint: rows[0]?.results ?? null };
}

function describeSprint(sprint: SdResults): string {
  const outcome = `${sprint.succeeded} succeeded, ${sprint.failed} failed, ${sprint.blocked} blocked`;
  if (sprint.status === "completed")
    return `all ${sprint.total} items reported (${outcome}): sprint ${sprint.sprintCompletion ?? "complete"}, Stage 19 may run`;
  return `${sprint.completed} of ${sprint.total} items reported (${outcome}); waiting for the rest`;
}

export function registerSd(program: Command): void {
  const sd = program
    .command("sd")
    .description(summaryOf("sd"))
    .addHelpText(
      "after",
      `
Each Stage 18 sprint becomes one orchestrator item and one child item per sprint
item. Engineering reports every child once; the last report completes the sprint
and lets Stage 19 (Sprint Execution) run.`,
    );

  sd.command("list [venture]")
    .description("list SD work items, of one venture (id or name) or of all")
    .addOption(new Option("--status <status>", "only items with this status").choices(ITEM_STATUSES))
    .option("--json", "print as JSON")
    .action(async (ref: string | undefined, options: { status?: string; json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const rows = await withRole(connection.db, "eva_service", async (trx) => {
          let ventureId: string | undefined;
          if (ref !== undefined) {
            ventureId = (await namedVenture(trx, ref)).id;
          }
          return listSdWorkItems(trx, {
            ...(ventureId ? { ventureId } : {}),
            ...(options.status ? { status: options.status } : {}),
          });
        });
        if (options.json) return printJson(rows);
        if (rows.length === 0) {
          process.stdout.write(
            `no SD work items${options.status ? ` with status ${options.status}` : ""}${ref ? ` for ${ref}` : ""}: Stage 18 creates them\n`,
          );
          return;
        }
        printTable(
          rows.map((r) => ({
            ...r,
            tests: r.testsPassed === null ? "" : `${r.testsPassed}/${(r.testsPassed ?? 0) + (r.testsFailed ?? 0)}`,
            coverage: r.coveragePct === null ? "" : `${r.coveragePct}%`,
          })),
          [
            ["id", "ID"],
            ["venture", "VENTURE"],
            ["kind", "KIND"],
            ["title", "TITLE"],
            ["type", "TYPE"],
            ["architectureLayer", "LAYER"],
            ["status", "STATUS"],
            ["tests", "TESTS PASSED"],
            ["coverage", "COVERAGE"],
          ],
        );
      });
    });

  sd.command("report-bug <venture>")
    .description("report a bug in a launched venture (Stage 20 on): a bugfix SD work item for engineering")
    .requiredOption("--title <text>", "what is wrong, in one line")
    .addOption(new Option("--severity <level>", "how bad it is").choices(SEVERITIES).default("medium"))
    .option("--notes <text>", "steps to reproduce, where it was seen")
    .option("--json", "print the item as JSON")
    .addHelpText(
      "after",
      `
Examples:
  eva sd report-bug LedgerLoop --title "CSV export drops the last row" --severity high
  eva sd report-bug LedgerLoop --title "Typo on the pricing page" --severity low --json`,
    )
    .action(async (ref: string, options: { title: string; severity: string; notes?: string; json?: boolean }) => {
      if (options.title.trim() === "") throw new UserError("--title must say what is wrong, not be empty", 2);
      await withSession(async ({ connection }) => {
        const item = await withRole(connection.db, "eva_service", async (trx) => {
          const venture = await namedVenture(trx, ref);
          const details = options.notes ? { notes: options.notes } : {};
          const { rows } = await sql<{ id: string }>`
            select id from eva.fn_sd_report_bug(${venture.id}::uuid, ${options.title}, ${options.severity},
              ${JSON.stringify(details)}::jsonb)`.execute(trx);
          const [row] = await listSdWorkItems(trx, { id: rows[0]?.id ?? "" });
          if (!row) throw new Error("the bug was reported but its work item cannot be read back");
          return row;
        });
        if (options.json) return printJson({ ...item, severity: options.severity });
        printFields([
          ["reported", item.title],
          ["id", item.id],
          ["venture", item.venture],
          ["type", item.type],
          ["severity", options.severity],
          ["status", item.status],
          ["next", `engineering reports it: npx eva sd complete ${item.id} --status succeeded …`],
        ]);
      });
    });

  sd.command("complete <item-id>")
    .description("report a child item's result, once: its status, test counts and coverage")
    .addOption(new Option("--status <status>", "how the item ended").choices(REPORT_STATUSES).makeOptionMandatory())
    .requiredOption("--tests-passed <n>", "tests that passed", wholeNumber("--tests-passed"))
    .requiredOption("--tests-failed <n>", "tests that failed", wholeNumber("--tests-failed"))
    .requiredOption("--coverage <percent>", "test coverage, 0-100", percentage)
    .option("--notes <text>", "what engineering wants the sprint review to know (blockers, debt)")
    .option("--json", "print the item and its sprint's progress as JSON")
    .addHelpText(
      "after",
      `
Examples:
  eva sd list LedgerLoop --status pending
  eva sd complete <item-id> --status succeeded --tests-passed 42 --tests-failed 0 --coverage 87.5
  eva sd complete <item-id> --status blocked --tests-passed 0 --tests-failed 0 --coverage 0 \\
    --notes "waiting for the bank's API keys"`,
    )
    .action(
      async (
        itemId: string,
        options: {
          status: string;
          testsPassed: number;
          testsFailed: number;
          coverage: number;
          notes?: string;
          json?: boolean;
        },
      ) => {
        if (!UUID.test(itemId))
          throw new UserError(`"${itemId}" is not an SD work item id (a uuid; see npx eva sd list)`, 2);
        await withSession(async ({ connection }) => {
          const { item, sprint } = await withRole(connection.db, "eva_service", (trx) =>
            completeSdWorkItem(trx, itemId, {
              status: options.status,
              testsPassed: options.testsPassed,
              testsFailed: options.testsFailed,
              coverage: options.coverage,
              ...(options.notes ? { notes: options.notes } : {}),
            }),
          );
          if (options.json) return printJson({ item, sprint });
          printFields([
            ["reported", item.title],
            ["id", item.id],
            ["venture", item.venture],
            ["status", item.status],
            ["tests", `${item.testsPassed} passed, ${item.testsFailed} failed`],
            ["coverage", item.coveragePct === null ? "" : `${item.coveragePct}%`],
            ["sprint", sprint ? describeSprint(sprint) : ""],
          ]);
        });
      },
    );
}
