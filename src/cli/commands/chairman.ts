// eva chairman token | revoke — the Bearer tokens the Chairman's API accepts:
// minting one (capped lifetime, a token id), and revoking one or all of them.
import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import { sql } from "kysely";
import {
  describeSeconds,
  issueToken,
  parseDuration,
  TOKEN_ROLES,
  TokenLifetimeError,
  type TokenRole,
  tokenMaxSeconds,
} from "../../auth/tokens.ts";
import { withRole } from "../../db/client.ts";
import { withSession } from "../database.ts";
import { printJson, progress, UserError } from "../output.ts";
import { summaryOf } from "./index.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function maxSeconds(): number {
  try {
    return tokenMaxSeconds();
  } catch (error) {
    throw new UserError((error as Error).message, 2);
  }
}

export function registerChairman(program: Command): void {
  const chairman = program.command("chairman").description(summaryOf("chairman"));
  chairman
    .command("token")
    .description(
      "mint a signed JWT (HS256, secret EVA_JWT_SECRET or .eva/jwt-secret) for the GraphQL API; its id (jti) goes to stderr",
    )
    .option("--role <role>", "chairman or viewer", "chairman")
    .option(
      "--expires-in <duration>",
      "lifetime, e.g. 30m, 24h, 7d (at most EVA_TOKEN_MAX_DAYS, default 30 days)",
      "24h",
    )
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
      if (seconds < 1) throw new UserError("--expires-in must be at least 1s", 2);
      let minted: Awaited<ReturnType<typeof issueToken>>;
      try {
        minted = await issueToken(options.role as TokenRole, seconds, { maxSeconds: maxSeconds() });
      } catch (error) {
        if (error instanceof TokenLifetimeError) throw new UserError(`--expires-in: ${error.message}`, 2);
        throw error;
      }
      if (options.json) {
        printJson({
          token: minted.token,
          jti: minted.jti,
          role: minted.role,
          issuedAt: minted.issuedAt,
          expiresAt: minted.expiresAt,
        });
      } else {
        process.stdout.write(`${minted.token}\n`);
        progress(
          `token id (jti) ${minted.jti}, ${minted.role}, expires ${minted.expiresAt.toISOString()} ` +
            `(${describeSeconds(seconds)}); revoke it with: npx eva chairman revoke ${minted.jti}`,
        );
      }
    });

  chairman
    .command("revoke [jti]")
    .description("refuse a token from now on, by its id (jti), or with --all every token issued until now")
    .option("--all", "revoke every token issued before now (mint new ones afterwards)")
    .option("--json", "print as JSON")
    .action(async (jti: string | undefined, options: { all?: boolean; json?: boolean }) => {
      if (options.all && jti !== undefined) throw new UserError("give a token id (jti) or --all, not both", 2);
      if (!options.all && jti === undefined) {
        throw new UserError("give the token id (jti) to revoke, as `eva chairman token` prints it, or --all", 2);
      }
      if (jti !== undefined && !UUID.test(jti)) {
        throw new UserError(`<jti> must be a token id (a UUID, as \`eva chairman token\` prints it), not "${jti}"`, 2);
      }
      await withSession(async ({ connection }) => {
        if (jti !== undefined) {
          const revokedAt = await withRole(connection.db, "eva_chairman", async (trx) => {
            const { rows } = await sql<{ at: Date }>`select eva.fn_revoke_token(${jti}::uuid) as at`.execute(trx);
            return rows[0]?.at;
          });
          if (options.json) return printJson({ revoked: jti, revokedAt });
          process.stdout.write(`revoked ${jti} (since ${revokedAt?.toISOString()}): the API refuses it\n`);
          return;
        }
        const notBefore = await withRole(connection.db, "eva_chairman", async (trx) => {
          const { rows } = await sql<{ at: Date }>`select eva.fn_revoke_all_tokens() as at`.execute(trx);
          return new Date(rows[0]?.at ?? Date.now());
        });
        // Token times are whole seconds: wait for the instant (at most a second or two), so that a
        // token minted after this command returns is accepted.
        await sleep(Math.min(2000, Math.max(0, notBefore.getTime() - Date.now())));
        if (options.json) return printJson({ revokedBefore: notBefore });
        process.stdout.write(
          `revoked every token issued before ${notBefore.toISOString()}; mint a new one with: npx eva chairman token\n`,
        );
      });
    });
}
