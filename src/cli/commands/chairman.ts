// eva chairman token — mints the Bearer token the Chairman's API accepts.
import type { Command } from "commander";
import { mintToken, parseDuration, TOKEN_ROLES, type TokenRole } from "../../auth/tokens.ts";
import { printJson, UserError } from "../output.ts";
import { summaryOf } from "./index.ts";

export function registerChairman(program: Command): void {
  const chairman = program.command("chairman").description(summaryOf("chairman"));
  chairman
    .command("token")
    .description("mint a signed JWT (HS256, secret EVA_JWT_SECRET or .eva/jwt-secret) for the GraphQL API")
    .option("--role <role>", "chairman or viewer", "chairman")
    .option("--expires-in <duration>", "lifetime, e.g. 30m, 24h, 7d", "24h")
    .option("--json", "print as JSON")
    .action(async (options: { role: string; expiresIn: string; json?: boolean }) => {
      if (!(options.role in TOKEN_ROLES))
        throw new UserError(`--role must be chairman or viewer, not "${options.role}"`, 2);
      let seconds: number;
      try {
        seconds = parseDuration(options.expiresIn);
      } catch (error) {
        throw new UserError(`--expires-in: ${(error as Error).message}`, 2);
      }
      const token = await mintToken(options.role as TokenRole, seconds);
      if (options.json) {
        printJson({
          token,
          role: TOKEN_ROLES[options.role as TokenRole],
          expiresAt: new Date(Date.now() + seconds * 1000),
        });
      } else {
        process.stdout.write(`${token}\n`);
      }
    });
}
