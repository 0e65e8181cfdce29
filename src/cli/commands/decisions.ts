// eva decisions list | view | approve | reject | decide — the Chairman's queue.
import type { Command } from "commander";
import { withRole } from "../../db/client.ts";
import { decide, decisionForVerb, getDecision, listDecisions, tracedDecision } from "../../portfolio/decisions.ts";
import { withSession } from "../database.ts";
import { printFields, printJson, printTable, UserError } from "../output.ts";
import { summaryOf } from "./index.ts";

async function show(id: string, json: boolean | undefined) {
  await withSession(async ({ connection }) => {
    const d = await withRole(connection.db, "eva_chairman", (trx) => getDecision(trx, id));
    if (!d) throw new UserError(`no decision ${id} (see npx eva decisions list)`);
    if (json) return printJson(d);
    printFields([
      ["decision", d.id],
      ["type", `${d.type} at stage ${d.stage}`],
      ["venture", d.venture ?? "(new idea)"],
      ["status", d.status + (d.decision ? ` (${d.decision})` : "")],
      ["recommended", d.recommendedAction],
      ["urgency", d.urgency],
      ["context from", d.artifactType ? `${d.artifactType} version ${d.artifactVersion}` : "—"],
      ["why", d.reason ?? "—"],
    ]);
    // The same readable summary every GraphQL client gets (eva.chairman_decisions_summary); the raw context is behind --json.
    for (const section of d.summary) {
      process.stdout.write(`\n${section.heading}\n${section.lines.map((line) => `  ${line}`).join("\n")}\n`);
    }
    process.stdout.write("\nOptions (npx eva decisions decide <id> <option>):\n");
    for (const c of d.choices) {
      process.stdout.write(`  ${c.decision}${c.recommended ? " (recommended)" : ""}: ${c.effect}\n`);
    }
  });
}

async function submit(
  id: string,
  decision: string | { verb: "approve" | "reject" },
  options: { notes?: string; json?: boolean },
) {
  await withSession(async ({ connection }) => {
    const decided = await tracedDecision(id, () =>
      withRole(connection.db, "eva_chairman", async (trx) => {
        const d = await getDecision(trx, id);
        if (!d) throw new UserError(`no decision ${id} (see npx eva decisions list)`);
        const chosen = typeof decision === "string" ? decision : decisionForVerb(d.type, decision.verb);
        return decide(trx, id, chosen, options.notes);
      }),
    );
    if (options.json) return printJson(decided);
    printFields([
      ["decided", `${decided.decision} (${decided.type} at stage ${decided.stage})`],
      ["venture", decided.venture ?? "—"],
      ["by", decided.decidedBy],
    ]);
  });
}

export function registerDecisions(program: Command): void {
  const decisions = program.command("decisions").description(summaryOf("decisions"));

  decisions
    .command("list")
    .description("pending decisions as the queue ranks them: most urgent first, then venture priority, then oldest")
    .option("--all", "every decision, decided ones too, oldest first")
    .option("--json", "print as JSON")
    .action(async (options: { all?: boolean; json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const rows = await withRole(connection.db, "eva_chairman", (trx) =>
          listDecisions(trx, { all: Boolean(options.all) }),
        );
        if (options.json) return printJson(rows);
        if (rows.length === 0) {
          process.stdout.write("no pending decisions\n");
          return;
        }
        printTable(rows, [
          ["id", "ID"],
          ["type", "TYPE"],
          ["stage", "STAGE"],
          ["venture", "VENTURE"],
          ["recommendedAction", "RECOMMENDED"],
          ["status", "STATUS"],
          ["decision", "DECISION"],
          ["reason", "REASON"],
        ]);
      });
    });

  decisions
    .command("view <id>")
    .description(
      "one decision: what the Chairman sees (the readable summary, DFE triggers, options and their effects; raw context with --json)",
    )
    .option("--json", "print as JSON")
    .action((id: string, options: { json?: boolean }) => show(id, options.json));

  const notes = ["--notes <text>", "why (recorded with the decision; a revise's notes feed the re-run)"] as const;
  decisions
    .command("approve <id>")
    .description("the type's approving decision: approve, release, continue or proceed")
    .option(...notes)
    .option("--json", "print as JSON")
    .action((id: string, options: { notes?: string; json?: boolean }) => submit(id, { verb: "approve" }, options));
  decisions
    .command("reject <id>")
    .description("the type's rejecting decision: reject, cancel, sunset, block or kill")
    .option(...notes)
    .option("--json", "print as JSON")
    .action((id: string, options: { notes?: string; json?: boolean }) => submit(id, { verb: "reject" }, options));
  decisions
    .command("decide <id> <decision>")
    .description(
      "any decision the type allows (eva decisions view <id> lists them), e.g. revise, park, hold, pivot, exit",
    )
    .option(...notes)
    .option("--json", "print as JSON")
    .action((id: string, decision: string, options: { notes?: string; json?: boolean }) =>
      submit(id, decision, options),
    );
}
