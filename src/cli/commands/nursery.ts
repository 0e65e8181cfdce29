// eva nursery: Stage 0's parked ideas — reason, trigger conditions, review date, staleness, re-evaluations.
import type { Command } from "commander";
import { withRole } from "../../db/client.ts";
import { listNursery } from "../../ideation/nursery.ts";
import { withSession } from "../database.ts";
import { printJson, printTable } from "../output.ts";
import { summaryOf } from "./index.ts";

const STATUSES = ["parked", "editing", "revived", "dropped"];

async function list(options: { json?: boolean; status?: string }): Promise<void> {
  await withSession(async ({ connection }) => {
    const items = await withRole(connection.db, "eva_chairman", (trx) =>
      listNursery(trx, options.status ? { status: options.status } : {}),
    );
    if (options.json) return printJson(items);
    if (items.length === 0) return void process.stdout.write("the nursery is empty\n");
    printTable(
      items.map((i) => ({
        ...i,
        reviewAt: i.reviewAt.slice(0, 10),
        stale: i.stale ? "stale" : "",
        reason: (i.reason ?? "").replace(/\s+/g, " ").slice(0, 50),
      })),
      [
        ["id", "ID"],
        ["name", "NAME"],
        ["status", "STATUS"],
        ["maturity", "MATURITY"],
        ["reviewAt", "REVIEW ON"],
        ["reevaluations", "RE-EVALUATED"],
        ["stale", "STALE"],
        ["reason", "REASON"],
      ],
    );
  });
}

export function registerNursery(program: Command): void {
  const cmd = program
    .command("nursery")
    .description(summaryOf("nursery"))
    .option("--status <status>", `only this status (${STATUSES.join(", ")})`)
    .option("--json", "print the nursery (with trigger conditions) as JSON")
    .addHelpText(
      "after",
      `
A parked brief is reviewed again after 30 days when blocked by the Chairman's
constraints, after 90 when its time horizon parked it: the daily nursery check
re-evaluates it (discovery_mode's nursery_reeval strategy, a fresh synthesis)
and opens a new review. Ideas parked 180 days are flagged stale.

Examples:
  eva nursery list
  eva nursery list --status parked --json
  eva ideate --path discovery_mode --strategy nursery_reeval   # re-evaluate the parked ideas now`,
    )
    .action(async (options: { json?: boolean; status?: string }) => list(options));
  cmd
    .command("list")
    .description("every nursery idea, the next review first (the default)")
    .option("--status <status>", `only this status (${STATUSES.join(", ")})`)
    .option("--json", "print the nursery as JSON")
    .action(async (options: { json?: boolean; status?: string }) =>
      list({ ...cmd.opts(), ...options, json: options.json || cmd.opts().json }),
    );
}
