// eva ideate — Stage 0: an idea becomes a VentureBrief and waits for the Chairman.
import { type Command, Option } from "commander";
import { connect, withRole } from "../../db/client.ts";
import { ideaInputSchema, synthesizeBrief } from "../../ideation/brief.ts";
import { ideationAllowance, ideationBudget } from "../../ideation/budget.ts";
import { createDatabaseCache } from "../../llm/cache.ts";
import { createAnalyst, describeAnalyst } from "../../llm/factory.ts";
import { TokenBudgetExceeded } from "../../llm/types.ts";
import { openVentureReview } from "../../portfolio/decisions.ts";
import { archetype } from "../../stages/enums.ts";
import { withSession } from "../database.ts";
import { parseJsonFile, readInputFile } from "../files.ts";
import { collect } from "../options.ts";
import { printFields, printJson, progress, UserError } from "../output.ts";
import { summaryOf } from "./index.ts";

const FLAGS: Record<string, string> = {
  name: "--name",
  description: "--description",
  problemStatement: "--problem-statement",
  solution: "--solution",
  targetMarket: "--target-market",
  archetype: "--archetype",
  urls: "--urls",
  path: "--path",
};

export function registerIdeate(program: Command): void {
  program
    .command("ideate")
    .description(summaryOf("ideate"))
    .addOption(new Option("--path <path>", "entry path").choices(["manual", "competitor_teardown"]).default("manual"))
    .option("--urls <url>", "a competitor to tear down (repeatable; competitor_teardown path)", collect)
    .option("--name <name>", "the idea's name")
    .option("--description <text>", "what it is")
    .option("--problem-statement <text>", "the problem it solves")
    .option("--solution <text>", "how it solves it")
    .option("--target-market <text>", "who it is for")
    .addOption(new Option("--archetype <archetype>", "business archetype").choices(archetype.options))
    .option("--file <path>", "the same fields as JSON (camelCase); flags override")
    .option(
      "--portfolio <name>",
      "the portfolio whose ideation budget pays for the brief (name or id; default: the only one)",
    )
    .option("--json", "print the brief and the decision as JSON")
    .addHelpText(
      "after",
      `
Examples:
  eva ideate --path manual --name "LedgerLoop" --description "Invoice reconciliation for small accounting firms" \\
    --problem-statement "Matching invoices to payments by hand" --target-market "EU accounting firms"
  eva ideate --path competitor_teardown --urls https://competitor.example

Then: eva decisions approve <id> (creates the venture at Stage 1) or eva decisions decide <id> park.

The brief's tokens are charged to the portfolio's ideation budget; a brief that could exceed what is left is refused.`,
    )
    .action(async (options: Record<string, unknown>) => {
      let input: Record<string, unknown> = {};
      if (typeof options.file === "string") {
        const parsed = parseJsonFile("--file", options.file, readInputFile("--file", options.file));
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
          throw new UserError(`--file ${options.file} must hold a JSON object with the fields of the flags`, 2);
        input = parsed as Record<string, unknown>;
      }
      for (const key of Object.keys(FLAGS)) if (options[key] !== undefined) input[key] = options[key];
      const parsed = ideaInputSchema.safeParse(input);
      if (!parsed.success) {
        const lines = parsed.error.issues.map((i) => {
          const field = String(i.path[0] ?? "");
          return `  ${FLAGS[field] ?? field}: ${i.message}`;
        });
        throw new UserError(`no brief was made; fix these:\n${lines.join("\n")}`, 2);
      }
      await withSession(async ({ connection, location }) => {
        const service = connect(location.url, { max: 2, applicationName: "eva-ideate", role: "eva_service" });
        try {
          const portfolio = typeof options.portfolio === "string" ? options.portfolio : undefined;
          const budget = await withRole(connection.db, "eva_service", (trx) => ideationBudget(trx, portfolio));
          const analyst = createAnalyst(process.env, { cache: createDatabaseCache(service.db) });
          progress(`synthesizing the brief with the ${describeAnalyst(analyst)}`);
          let synthesized: Awaited<ReturnType<typeof synthesizeBrief>>;
          try {
            synthesized = await synthesizeBrief(analyst, parsed.data, { budget: ideationAllowance(budget) });
          } catch (error) {
            if (error instanceof TokenBudgetExceeded) throw new UserError(`no brief was made: ${error.message}`, 1);
            throw error;
          }
          const { brief, provenance, epistemic } = synthesized;
          const decisionId = await withRole(connection.db, "eva_service", (trx) =>
            openVentureReview(trx, synthesized, { portfolioId: budget.portfolioId }),
          );
          const after = await withRole(connection.db, "eva_service", (trx) => ideationBudget(trx, budget.portfolioId));
          const ideation = {
            portfolio: after.portfolioName,
            usedTokens: after.consumedTokens,
            budgetTokens: after.budgetTokens,
            remainingTokens: after.remainingTokens,
          };
          if (options.json) return printJson({ decisionId: decisionId, brief, epistemic, provenance, ideation });
          printFields([
            ["brief", `${brief.name} (${brief.archetype}, ${brief.maturity})`],
            ["problem", brief.problemStatement],
            ["solution", brief.solution],
            ["market", brief.targetMarket],
            ["venture score", brief.ventureScore],
            ["epistemic", epistemic],
            [
              "ideation budget",
              `${ideation.remainingTokens.toLocaleString("en-US")} of ${ideation.budgetTokens.toLocaleString("en-US")} tokens left (portfolio ${ideation.portfolio})`,
            ],
            ["decision", decisionId],
          ]);
          process.stdout.write(`\nnext: npx eva decisions approve ${decisionId}   (or decide ${decisionId} park)\n`);
        } finally {
          await service.close();
        }
      });
    });
}
