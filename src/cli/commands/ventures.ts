// eva ventures create | list | show | depend | undepend | dependencies
import { type Command, Option } from "commander";
import { withRole } from "../../db/client.ts";
import { addDependency, type Dependency, listDependencies, removeDependency } from "../../portfolio/dependencies.ts";
import { createVenture, findVenture, listVentures } from "../../portfolio/ventures.ts";
import { archetype } from "../../stages/enums.ts";
import { draftIdeaSchema } from "../../stages/stage-01.ts";
import { withSession } from "../database.ts";
import { parseJsonFile, readInputFile } from "../files.ts";
import { collect, wholeNumber } from "../options.ts";
import { printFields, printJson, printTable, UserError } from "../output.ts";
import { namedVenture } from "../venture-ref.ts";
import { summaryOf } from "./index.ts";

/** Stage 1 field → its flag, for flags and for naming the wrong field in errors. */
const FIELD_FLAGS: Record<string, string> = {
  name: "--name",
  description: "--description",
  problemStatement: "--problem-statement",
  valueProp: "--value-prop",
  targetMarket: "--target-market",
  archetype: "--archetype",
  keyAssumptions: "--key-assumptions",
  successCriteria: "--success-criteria",
  moatStrategy: "--moat-strategy",
};

interface CreateOptions {
  file?: string;
  company?: string;
  json?: boolean;
  [field: string]: unknown;
}

function readIdeaFile(path: string): Record<string, unknown> {
  const parsed = parseJsonFile("--file", path, readInputFile("--file", path));
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new UserError(
      `--file ${path} must hold a JSON object with the Stage 1 fields (${Object.keys(FIELD_FLAGS).join(", ")})`,
      2,
    );
  }
  return parsed as Record<string, unknown>;
}

/** The Stage 1 input from --file and flags (flags win), validated by the stage's own schema. */
export function ideaFromOptions(options: CreateOptions) {
  const input: Record<string, unknown> = options.file ? readIdeaFile(options.file) : {};
  for (const field of Object.keys(FIELD_FLAGS)) {
    const value = options[field];
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) input[field] = value;
  }
  const result = draftIdeaSchema.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    if (issue.code === "unrecognized_keys") {
      return `  ${issue.keys.join(", ")}: not a Stage 1 field (fields: ${Object.keys(FIELD_FLAGS).join(", ")})`;
    }
    const field = String(issue.path[0] ?? "");
    const where = FIELD_FLAGS[field]
      ? `${FIELD_FLAGS[field]} (${field}${issue.path.length > 1 ? `[${String(issue.path[1])}]` : ""})`
      : field;
    return `  ${where}: ${issue.message}`;
  });
  throw new UserError(`the venture was not created; fix these fields:\n${lines.join("\n")}`, 2);
}

/** The venture an argument or flag names (id or exact name), or a usage error naming it. */

const DEPENDENCY_COLUMNS: [keyof Dependency & string, string][] = [
  ["dependent", "DEPENDENT"],
  ["provider", "PROVIDER"],
  ["requiredStage", "STAGE"],
  ["providerStage", "PROVIDER AT"],
  ["type", "TYPE"],
  ["status", "STATUS"],
  ["holding", "HOLDING"],
];

export function registerVentures(program: Command): void {
  const ventures = program.command("ventures").description(summaryOf("ventures"));

  ventures
    .command("create")
    .description("create a venture at Stage 1 (Draft Idea) from flags and/or a JSON file")
    .option("--file <path>", "JSON file with the Stage 1 fields (camelCase keys); flags override it")
    .option("--name <name>", "the venture's name (unique)")
    .option("--description <text>", "what the venture is (at least 50 characters)")
    .option("--problem-statement <text>", "the problem it solves (at least 20 characters)")
    .option("--value-prop <text>", "its value proposition (at least 20 characters)")
    .option("--target-market <text>", "who it serves (at least 10 characters)")
    .addOption(new Option("--archetype <archetype>", "business archetype").choices(archetype.options))
    .option("--key-assumptions <text>", "a key assumption to test at Stages 3 and 5 (repeatable)", collect)
    .option("--success-criteria <text>", "a success criterion for launch (repeatable)", collect)
    .option("--moat-strategy <text>", "how it will defend its position")
    .option("--company <id>", "the company (uuid) it belongs to")
    .option("--json", "print the created venture as JSON")
    .addHelpText(
      "after",
      `
Example:
  eva ventures create --name "LedgerLoop" --archetype saas \\
    --description "An invoice reconciliation assistant for small accounting firms that drown in paperwork." \\
    --problem-statement "Small firms lose hours every week matching invoices to payments." \\
    --value-prop "Matches every invoice to its payment automatically, with an audit trail." \\
    --target-market "EU accounting firms with 2-20 staff" \\
    --key-assumptions "Firms pay 49 EUR a month" --key-assumptions "Bank feeds are available"`,
    )
    .action(async (options: CreateOptions) => {
      const idea = ideaFromOptions(options);
      await withSession(async ({ connection }) => {
        const venture = await withRole(connection.db, "eva_chairman", (trx) =>
          createVenture(trx, idea, options.company),
        );
        if (options.json) printJson(venture);
        else
          printFields([
            ["created", venture.name],
            ["id", venture.id],
            ["stage", `${venture.stage} ${venture.stageName} (${venture.phase})`],
            ["status", venture.status],
          ]);
      });
    });

  ventures
    .command("list")
    .description("list ventures with their status and stage")
    .option(
      "--status <status>",
      "only ventures with this status (active, awaiting_decision, paused, killed, sunset, exited)",
    )
    .option("--stage <n>", "only ventures at this stage (1-25)", wholeNumber("--stage", 1, 25))
    .option("--json", "print as JSON")
    .action(async (options: { status?: string; stage?: number; json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const rows = await withRole(connection.db, "eva_chairman", (trx) =>
          listVentures(trx, {
            ...(options.status ? { status: options.status } : {}),
            ...(options.stage !== undefined ? { stage: options.stage } : {}),
          }),
        );
        if (options.json) return printJson(rows);
        if (rows.length === 0) {
          process.stdout.write("no ventures yet: create one with `npx eva ventures create --help`\n");
          return;
        }
        printTable(rows, [
          ["name", "NAME"],
          ["status", "STATUS"],
          ["stage", "STAGE"],
          ["stageName", "STAGE NAME"],
          ["phase", "PHASE"],
          ["id", "ID"],
        ]);
      });
    });

  ventures
    .command("show <venture>")
    .description("show one venture (by id or name): its idea, stage work, current artifacts and recent events")
    .option("--json", "print as JSON")
    .action(async (ref: string, options: { json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const venture = await withRole(connection.db, "eva_chairman", (trx) => findVenture(trx, ref));
        if (!venture) throw new UserError(`no venture "${ref}" (give its id or exact name; see npx eva ventures list)`);
        if (options.json) return printJson(venture);
        const s = venture.summary;
        printFields([
          ["venture", s.name],
          ["id", s.id],
          ["status", s.status],
          ...(venture.statusReason && s.status !== "active" ? [["why", venture.statusReason] as [string, string]] : []),
          ["stage", `${s.stage} ${s.stageName} (${s.phase})`],
          ["archetype", s.archetype],
          ["description", venture.idea.description],
          ["problem", venture.idea.problemStatement],
          ["value prop", venture.idea.valueProp],
          ["target market", venture.idea.targetMarket],
          ["key assumptions", venture.idea.keyAssumptions.join("; ")],
          ["success criteria", venture.idea.successCriteria.join("; ")],
        ]);
        process.stdout.write("\nstage work\n");
        printTable(venture.stageWork, [
          ["stage", "STAGE"],
          ["run", "RUN"],
          ["status", "STATUS"],
          ["gateDecision", "GATE"],
          ["blockedReason", "BLOCKED"],
        ]);
        process.stdout.write("\ncurrent artifacts\n");
        printTable(venture.artifacts, [
          ["stage", "STAGE"],
          ["type", "TYPE"],
          ["version", "VERSION"],
          ["epistemic", "EPISTEMIC"],
          ["validation", "VALIDATION"],
        ]);
        process.stdout.write("\nrecent events (task-contract bookkeeping left out)\n");
        printTable(venture.history, [
          ["at", "AT"],
          ["event", "EVENT"],
          ["detail", "DETAIL"],
        ]);
      });
    });

  ventures
    .command("depend <dependent>")
    .description(
      "declare that a venture waits on another until it reaches a stage: hard (default) blocks the dependent's stage work, --soft only warns",
    )
    .requiredOption("--on <provider>", "the venture waited on (id or name)")
    .requiredOption("--stage <n>", "the stage the provider must reach (1-25)", wholeNumber("--stage", 1, 25))
    .option("--soft", "warn (dependency.warning events) instead of blocking")
    .option("--json", "print the dependency as JSON")
    .addHelpText(
      "after",
      `
A hard dependency keeps the dependent's stage work blocked (eva ventures show names the provider)
until the provider reaches the stage; then the work is released and runs. A provider killed,
sunset or exited breaks it (a dependency.broken event); undepend to go on without it.
Declaring the same pair again changes its stage or kind. Cycles are refused.

Example:
  eva ventures depend "LedgerLoop" --on "PayRail" --stage 5`,
    )
    .action(async (ref: string, options: { on: string; stage: number; soft?: boolean; json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const dependency = await withRole(connection.db, "eva_chairman", async (trx) => {
          const dependent = await namedVenture(trx, ref, { what: "<dependent>", exitCode: 2 });
          const provider = await namedVenture(trx, options.on, { what: "--on", exitCode: 2 });
          if (dependent.id === provider.id) {
            throw new UserError(`--on: a venture cannot depend on itself ("${provider.name}" is the dependent)`, 2);
          }
          return addDependency(trx, dependent.id, provider.id, options.stage, options.soft ? "soft" : "hard");
        });
        if (options.json) return printJson(dependency);
        printFields([
          ["dependent", dependency.dependent],
          [
            "waits on",
            `${dependency.provider} reaching stage ${dependency.requiredStage} (it is at stage ${dependency.providerStage})`,
          ],
          ["type", dependency.type],
          ["status", dependency.status],
          ["holding", dependency.holding ? "yes: the dependent's stage work is blocked until then" : "no"],
        ]);
      });
    });

  ventures
    .command("undepend <dependent>")
    .description("remove a venture's dependency on another (its held stage work is released)")
    .requiredOption("--on <provider>", "the venture it waits on (id or name)")
    .option("--json", "print what was removed as JSON")
    .action(async (ref: string, options: { on: string; json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const result = await withRole(connection.db, "eva_chairman", async (trx) => {
          const dependent = await namedVenture(trx, ref, { what: "<dependent>", exitCode: 2 });
          const provider = await namedVenture(trx, options.on, { what: "--on", exitCode: 2 });
          const removed = await removeDependency(trx, dependent.id, provider.id);
          return { dependent: dependent.name, provider: provider.name, removed };
        });
        if (options.json) return printJson(result);
        process.stdout.write(`"${result.dependent}" no longer waits on "${result.provider}"\n`);
      });
    });

  ventures
    .command("dependencies [venture]")
    .description("inter-venture dependencies (of and on one venture, or all) with what each holds")
    .option("--json", "print as JSON")
    .action(async (ref: string | undefined, options: { json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const rows = await withRole(connection.db, "eva_chairman", async (trx) =>
          listDependencies(
            trx,
            ref === undefined ? undefined : (await namedVenture(trx, ref, { what: "[venture]", exitCode: 2 })).id,
          ),
        );
        if (options.json) return printJson(rows);
        if (rows.length === 0) {
          process.stdout.write("no dependencies: declare one with `npx eva ventures depend --help`\n");
          return;
        }
        printTable(rows, DEPENDENCY_COLUMNS);
      });
    });
}
