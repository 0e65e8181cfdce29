// The `eva` command line: every command has --help; every command that prints data has --json.
import { Command, CommanderError } from "commander";
import { describeDatabaseError, sqlState } from "../db/errors.ts";
import { registerArtifacts } from "./commands/artifacts.ts";
import { registerChairman } from "./commands/chairman.ts";
import { registerDb } from "./commands/db.ts";
import { registerDecisions } from "./commands/decisions.ts";
import { registerIdeate } from "./commands/ideate.ts";
import { registerMetrics } from "./commands/metrics.ts";
import { registerRun } from "./commands/run.ts";
import { registerSd } from "./commands/sd.ts";
import { registerServe } from "./commands/serve.ts";
import { registerStart } from "./commands/start.ts";
import { registerVentures } from "./commands/ventures.ts";
import { UserError } from "./output.ts";

export function buildProgram(): Command {
  const program = new Command("eva")
    .description(
      "EVA runs a portfolio of AI-operated ventures through a 25-stage lifecycle, with the Chairman deciding at the gates.",
    )
    .showHelpAfterError("(add --help for usage)")
    .exitOverride()
    .addHelpText(
      "after",
      `
Environment:
  DATABASE_URL   PostgreSQL to use; unset: an embedded PostgreSQL kept in .eva/
  EVA_DATA_DIR   where the embedded PostgreSQL keeps its data (default .eva/postgres)
  OPENAI_API_KEY, OPENAI_BASE_URL, EVA_LLM_MODEL
                 the OpenAI-compatible LLM; with neither key nor base URL, the offline analyst (simulation)`,
    );
  registerStart(program);
  registerDb(program);
  registerVentures(program);
  registerRun(program);
  registerArtifacts(program);
  registerIdeate(program);
  registerDecisions(program);
  registerChairman(program);
  registerSd(program);
  registerMetrics(program);
  registerServe(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; usage errors were already printed by commander.
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    if (error instanceof UserError) {
      process.stderr.write(`error: ${error.message}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    const code = sqlState(error);
    process.stderr.write(`error: ${describeDatabaseError(error)}${code?.startsWith("EV") ? ` [${code}]` : ""}\n`);
    if (!code && error instanceof Error && process.env.EVA_DEBUG) process.stderr.write(`${error.stack}\n`);
    process.exitCode = 1;
  }
}
