// eva db migrate | reset
import type { Command } from "commander";
import { migrate, resetDatabase } from "../../db/migrate.ts";
import { withSession } from "../database.ts";
import { printJson, progress, UserError } from "../output.ts";
import { summaryOf } from "./index.ts";

export function registerDb(program: Command): void {
  const db = program
    .command("db")
    .description(summaryOf("db"))
    .addHelpText(
      "after",
      "\nThe database is DATABASE_URL when set, otherwise an embedded PostgreSQL kept in .eva/ (EVA_DATA_DIR overrides).",
    );

  db.command("migrate")
    .description("apply pending migrations, then re-apply db/functions and db/policies (safe to run again)")
    .option("--json", "print the result as JSON")
    .action(async (options: { json?: boolean }) => {
      await withSession(
        async ({ location }) => {
          const report = await migrate(location.url, progress);
          if (options.json) printJson(report);
          else
            progress(
              report.applied.length
                ? `database migrated (${report.applied.length} new migration${report.applied.length === 1 ? "" : "s"})`
                : "database schema already up to date",
            );
        },
        { requireMigrated: false },
      );
    });

  db.command("reset")
    .description("drop everything EVA stores and migrate afresh (development only: all data is lost)")
    .option("--yes", "confirm that all ventures, artifacts, decisions and events may be deleted")
    .option("--json", "print the result as JSON")
    .action(async (options: { yes?: boolean; json?: boolean }) => {
      if (!options.yes) {
        throw new UserError(
          "eva db reset deletes every venture, artifact, decision and event in the database; run it again with --yes to confirm",
          2,
        );
      }
      await withSession(
        async ({ location }) => {
          progress("dropping schemas eva, eva_private and graphile_worker");
          await resetDatabase(location.url);
          const report = await migrate(location.url, progress);
          if (options.json) printJson({ reset: true, ...report });
          else progress("database reset and migrated");
        },
        { requireMigrated: false },
      );
    });
}
