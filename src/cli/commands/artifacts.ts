// eva artifacts list | show
import type { Command } from "commander";
import { type Database, withRole } from "../../db/client.ts";
import { getArtifact, listArtifacts } from "../../portfolio/artifacts.ts";
import { withSession } from "../database.ts";
import { wholeNumber } from "../options.ts";
import { printFields, printJson, printTable, UserError } from "../output.ts";
import { namedVenture } from "../venture-ref.ts";
import { summaryOf } from "./index.ts";

const ventureId = async (db: Database, ref: string) => (await namedVenture(db, ref)).id;

export function registerArtifacts(program: Command): void {
  const artifacts = program.command("artifacts").description(summaryOf("artifacts"));

  artifacts
    .command("list <venture>")
    .description("list a venture's current artifacts (or every version with --all-versions)")
    .option("--stage <n>", "only this stage (1-25)", wholeNumber("--stage", 1, 25))
    .option("--type <artifact-type>", "only this artifact type")
    .option("--all-versions", "include retired versions")
    .option("--json", "print as JSON")
    .action(async (ref: string, options: { stage?: number; type?: string; allVersions?: boolean; json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const rows = await withRole(connection.db, "eva_chairman", async (trx) =>
          listArtifacts(trx, await ventureId(trx, ref), {
            ...(options.stage !== undefined ? { stage: options.stage } : {}),
            ...(options.type ? { type: options.type } : {}),
            allVersions: Boolean(options.allVersions),
          }),
        );
        if (options.json) return printJson(rows);
        if (rows.length === 0) {
          process.stdout.write("no artifacts match\n");
          return;
        }
        printTable(rows, [
          ["stage", "STAGE"],
          ["type", "TYPE"],
          ["version", "VERSION"],
          ["isCurrent", "CURRENT"],
          ["qualityScore", "QUALITY"],
          ["epistemic", "EPISTEMIC"],
          ["analyst", "ANALYST"],
          ["createdAt", "CREATED"],
        ]);
      });
    });

  artifacts
    .command("show <venture>")
    .description(
      "show one artifact version: the current one of a stage's primary type unless --type/--version say otherwise",
    )
    .requiredOption("--stage <n>", "the stage (1-25)", wholeNumber("--stage", 1, 25))
    .option(
      "--type <artifact-type>",
      "an artifact type other than the stage's primary one (e.g. assumptions_reality_report)",
    )
    .option("--version <v>", "a version other than the current one", wholeNumber("--version", 1))
    .option("--json", "print as JSON")
    .action(async (ref: string, options: { stage: number; type?: string; version?: number; json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const artifact = await withRole(connection.db, "eva_chairman", async (trx) =>
          getArtifact(trx, await ventureId(trx, ref), options.stage, {
            ...(options.type ? { type: options.type } : {}),
            ...(options.version !== undefined ? { version: options.version } : {}),
          }),
        );
        if (!artifact) {
          throw new UserError(
            `no ${options.type ?? "primary"} artifact at stage ${options.stage}${options.version ? ` version ${options.version}` : ""} (see npx eva artifacts list ${ref})`,
          );
        }
        if (options.json) return printJson(artifact);
        printFields([
          ["artifact", `${artifact.type} (stage ${artifact.stage})`],
          ["version", `${artifact.version}${artifact.isCurrent ? " (current)" : " (retired)"}`],
          ["epistemic", artifact.epistemic],
          ["validation", artifact.validation],
          ["quality", artifact.qualityScore],
          ["provenance", artifact.provenance],
          ["created", artifact.createdAt],
        ]);
        process.stdout.write(`\n${JSON.stringify(artifact.content, null, 2)}\n`);
      });
    });
}
