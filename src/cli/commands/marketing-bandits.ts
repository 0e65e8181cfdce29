// eva marketing bandits <venture> [--scope …] [--at DATE] [--json]: a
// venture's bandit arms as the learning loop sees them (live) or saw them at
// the end of a past UTC day (the daily snapshots), with each posterior's mean
// and exact 95 % interval, read as the Chairman.
import type { Command } from "commander";
import { withRole } from "../../db/client.ts";
import { BANDIT_SCOPES, type BanditScope, banditArmsAt } from "../../marketing/bandits.ts";
import { withSession } from "../database.ts";
import { printJson, printTable, progress, UserError } from "../output.ts";
import { namedVenture } from "../venture-ref.ts";

function dateOption(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)))
    throw new UserError(`--at must be a date (YYYY-MM-DD, UTC), not "${value}"`, 2);
  return value;
}

function scopeOption(value: string): BanditScope {
  if (!(BANDIT_SCOPES as readonly string[]).includes(value))
    throw new UserError(`--scope must be one of ${BANDIT_SCOPES.join(", ")}, not "${value}"`, 2);
  return value as BanditScope;
}

export function registerMarketingBandits(marketing: Command): void {
  marketing
    .command("bandits <venture>")
    .description(
      "a venture's bandit arms (channel, variant, send time): posterior mean and 95 % interval, now or as of a day",
    )
    .option("--scope <scope>", `one scope: ${BANDIT_SCOPES.join(" | ")}`, scopeOption)
    .option(
      "--at <date>",
      "as the optimizer believed at the end of that UTC day (YYYY-MM-DD; its daily snapshot)",
      dateOption,
    )
    .option("--json", "print the arms as JSON")
    .addHelpText(
      "after",
      `
Each arm is Beta(alpha, beta): mean = alpha / (alpha + beta); the interval is
its exact 0.025 and 0.975 quantiles. Observations count exposures; reward =
0.3 × engagements / exposures + 0.7 × conversions / clicks per daily window.

Examples:
  eva marketing bandits LedgerLoop
  eva marketing bandits LedgerLoop --scope channel --at 2026-03-03 --json`,
    )
    .action(async (ref: string, options: { scope?: BanditScope; at?: string; json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const { venture, arms } = await withRole(connection.db, "eva_chairman", async (trx) => {
          const venture = await namedVenture(trx, ref);
          return { venture, arms: await banditArmsAt(trx, venture.id, { scope: options.scope, at: options.at }) };
        });
        if (options.json) return printJson({ venture: venture.name, at: options.at ?? null, arms });
        if (!arms.length) {
          progress(
            options.at
              ? `no arms of ${venture.name} were kept on or before ${options.at}`
              : `${venture.name} has no bandit arms yet`,
          );
          return;
        }
        const f = (x: number) => x.toFixed(4);
        printTable(
          arms.map((a) => ({
            ...a,
            key: a.scope === "variant" ? a.scopeKey.replace(/^(.{8})[^/]*/, "$1") : a.scopeKey,
            arm: a.scope === "variant" ? a.armValue.slice(0, 8) : a.armValue,
            mean: f(a.posteriorMean),
            interval: `[${f(a.intervalLow)}, ${f(a.intervalHigh)}]`,
            a: Number(a.alpha.toFixed(3)),
            b: Number(a.beta.toFixed(3)),
            picked: a.lastSelectedAt ?? "",
          })),
          [
            ["scope", "SCOPE"],
            ["key", "KEY"],
            ["arm", "ARM"],
            ["status", "STATUS"],
            ["observations", "OBS"],
            ["mean", "MEAN"],
            ["interval", "95% INTERVAL"],
            ["a", "ALPHA"],
            ["b", "BETA"],
            ["asOf", "AS OF"],
            ["picked", "LAST PICKED"],
          ],
        );
      });
    });
}
