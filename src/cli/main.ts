// The `eva` command line: every command has --help; every command that prints data has --json.
import { Command, CommanderError } from "commander";
import { COMMANDS, type CommandName } from "./commands/index.ts";
import { UserError } from "./output.ts";

/** The top-level command `argv` runs (`eva help <command>` included), if it names one. */
function invokedCommand(argv: string[]): CommandName | undefined {
  const words = argv.slice(2).filter((a) => !a.startsWith("-"));
  const name = words[0] === "help" ? words[1] : words[0];
  return name !== undefined && Object.hasOwn(COMMANDS, name) ? (name as CommandName) : undefined;
}

/**
 * The eva program for `argv`: the command it runs is loaded whole; the others
 * are listed by name and summary only, so `eva --help` loads no database,
 * worker or GraphQL code and a query command loads only its own.
 */
export async function buildProgram(argv: string[] = process.argv): Promise<Command> {
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
  EVA_DATA_DIR   where the embedded PostgreSQL keeps its data (default .eva/postgres; as root
                 in a folder OS user postgres cannot enter, /var/lib/eva/<project>-<hash>/postgres)
  OPENAI_API_KEY, OPENAI_BASE_URL, EVA_LLM_MODEL
                 the OpenAI-compatible LLM; with neither key nor base URL, the offline analyst (simulation)`,
    );
  const invoked = invokedCommand(argv);
  for (const [name, spec] of Object.entries(COMMANDS)) {
    if (name === invoked) (await spec.load())(program);
    else program.command(spec.args ? `${name} ${spec.args}` : name).description(spec.summary);
  }
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    const program = await buildProgram(argv);
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
    const { describeDatabaseError, inputProblem, sqlState } = await import("../db/errors.ts");
    const code = sqlState(error);
    const input = inputProblem(error);
    const tag = input ? ` [${input.code}; SQLSTATE ${input.sqlstate}]` : code?.startsWith("EV") ? ` [${code}]` : "";
    process.stderr.write(`error: ${describeDatabaseError(error)}${tag}\n`);
    if (!code && error instanceof Error && process.env.EVA_DEBUG) process.stderr.write(`${error.stack}\n`);
    process.exitCode = 1;
  }
}
