// eva blueprints: the templates of Stage 0's blueprint_browse path, by category, with their parameters.
import type { Command } from "commander";
import { withRole } from "../../db/client.ts";
import { listBlueprints } from "../../ideation/blueprints.ts";
import { withSession } from "../database.ts";
import { printJson, printTable } from "../output.ts";
import { summaryOf } from "./index.ts";

async function list(options: { json?: boolean; category?: string }): Promise<void> {
  await withSession(async ({ connection }) => {
    const blueprints = await withRole(connection.db, "eva_chairman", (trx) => listBlueprints(trx, options.category));
    if (options.json) return printJson(blueprints);
    if (blueprints.length === 0)
      return void process.stdout.write(`no blueprint${options.category ? ` in category ${options.category}` : ""}\n`);
    printTable(
      blueprints.map((b) => ({
        ...b,
        params: b.parameters.map((p) => `${p.key}=${p.default}`).join("; "),
      })),
      [
        ["id", "ID"],
        ["category", "CATEGORY"],
        ["ehgArchetype", "ARCHETYPE"],
        ["name", "NAME"],
        ["params", "PARAMETERS (defaults)"],
      ],
    );
  });
}

export function registerBlueprints(program: Command): void {
  const cmd = program
    .command("blueprints")
    .description(summaryOf("blueprints"))
    .option("--category <category>", "only this category")
    .option("--json", "print the blueprints (templates, parameters with defaults) as JSON")
    .addHelpText(
      "after",
      `
Examples:
  eva blueprints list
  eva blueprints list --category finance --json
  eva ideate --path blueprint_browse --blueprint ai-bookkeeping --set industry="Veterinary clinic" --set region=Canada`,
    )
    .action(async (options: { json?: boolean; category?: string }) => list(options));
  cmd
    .command("list")
    .description("every blueprint with its category, archetype and parameters (the default)")
    .option("--category <category>", "only this category")
    .option("--json", "print the blueprints as JSON")
    .action(async (options: { json?: boolean; category?: string }) =>
      list({ ...cmd.opts(), ...options, json: options.json || cmd.opts().json }),
    );
}
