// eva start (npm start): the main job. Brings EVA's database up (embedded by
// default), migrates it, reports the portfolio, and keeps the database
// serving for psql and other eva commands until Ctrl-C.
import type { Command } from "commander";
import { withRole } from "../../db/client.ts";
import { defaultDataDir } from "../../db/connection.ts";
import { migrate } from "../../db/migrate.ts";
import { portfolioCounts } from "../../portfolio/ventures.ts";
import { withSession } from "../database.ts";
import { printFields, printJson, progress, untilSignal } from "../output.ts";

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "****";
  return parsed.toString();
}

export function registerStart(program: Command): void {
  program
    .command("start")
    .description(
      "start EVA: database (embedded unless DATABASE_URL is set), migrations, portfolio report; serves until Ctrl-C",
    )
    .option("--once", "exit after the report instead of serving")
    .option("--json", "print the report as JSON")
    .action(async (options: { once?: boolean; json?: boolean }) => {
      await withSession(
        async ({ location, connection }) => {
          progress(
            location.embedded
              ? `database: embedded PostgreSQL in ${defaultDataDir()}`
              : `database: ${redact(location.url)}`,
          );
          const report = await migrate(location.url, progress);
          const counts = await withRole(connection.db, "eva_chairman", (trx) => portfolioCounts(trx));
          if (options.json) {
            printJson({
              database: redact(location.url),
              embedded: Boolean(location.embedded),
              migrations: report,
              portfolio: counts,
            });
          } else {
            printFields([
              ["ventures", counts.ventures],
              [
                "by status",
                Object.entries(counts.byStatus)
                  .map(([k, v]) => `${k} ${v}`)
                  .join(", ") || "none",
              ],
              [
                "by phase",
                Object.entries(counts.byPhase)
                  .map(([k, v]) => `${k} ${v}`)
                  .join(", ") || "none",
              ],
              ["psql", location.url],
            ]);
            if (counts.ventures === 0)
              process.stdout.write("\nno ventures yet: create one with `npx eva ventures create --help`\n");
          }
          if (options.once) return;
          progress("EVA is running; press Ctrl-C to stop");
          const signal = await untilSignal();
          progress(`${signal}: stopping`);
        },
        { requireMigrated: false },
      );
    });
}
