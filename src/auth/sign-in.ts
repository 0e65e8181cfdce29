// One-time sign-in codes: `eva start` prints a link carrying one instead of a
// long-lived token, and the API's /sign-in exchanges it, once and within a few
// minutes, for a session token (graphql/sign-in.ts). SQL records each code's
// SHA-256 and its use (eva_private.sign_in_codes).
import { createHash, randomBytes } from "node:crypto";
import { TOKEN_ROLES, type TokenRole } from "./tokens.ts";

/** How long a printed sign-in link works. */
export const SIGN_IN_CODE_SECONDS = 10 * 60;
/** The lifetime of the session token a code is exchanged for (capped by EVA_TOKEN_MAX_DAYS). */
export const SESSION_TOKEN_SECONDS = 24 * 3600;

/** Anything with pg's `query(text, values)`: a pg.Pool or pg.Client. */
export interface Queryable {
  query<R extends object>(text: string, values: unknown[]): Promise<{ rows: R[] }>;
}

export function signInCodeHash(code: string): string {
  return createHash("sha256").update(code, "utf8").digest("hex");
}

/** A new one-time code for `role`, recorded (as its hash) in SQL; run as the login that runs EVA. */
export async function issueSignInCode(
  db: Queryable,
  role: TokenRole = "chairman",
  validForSeconds = SIGN_IN_CODE_SECONDS,
): Promise<{ code: string; expiresAt: Date }> {
  const code = randomBytes(24).toString("base64url");
  const { rows } = await db.query<{ expires_at: Date }>(
    "select eva_private.fn_issue_sign_in_code($1, $2, make_interval(secs => $3)) as expires_at",
    [signInCodeHash(code), TOKEN_ROLES[role], validForSeconds],
  );
  return { code, expiresAt: new Date(rows[0]?.expires_at ?? Date.now()) };
}

export type Redeemed = { role: TokenRole } | { refused: "used" | "expired" | "unknown" };

/** Uses a code once: the role it signs in as, or why it cannot. */
export async function redeemSignInCode(db: Queryable, code: string): Promise<Redeemed> {
  const { rows } = await db.query<{ role: string | null; outcome: "ok" | "used" | "expired" | "unknown" }>(
    "select role, outcome from eva_private.fn_redeem_sign_in_code($1)",
    [signInCodeHash(code)],
  );
  const row = rows[0];
  if (row?.outcome === "ok") {
    const role = (Object.keys(TOKEN_ROLES) as TokenRole[]).find((r) => TOKEN_ROLES[r] === row.role);
    if (role) return { role };
  }
  return { refused: row?.outcome === "ok" || !row ? "unknown" : row.outcome };
}
