// Bearer tokens for the Chairman's API: HS256 JWTs whose `role` claim becomes
// the request's database role. The secret is EVA_JWT_SECRET, else one EVA
// keeps for this installation in .eva/jwt-secret (created on first use).
// Every token has an id (jti), an issue time (iat) and an expiry (exp) at
// most EVA_TOKEN_MAX_DAYS (default 30) after it; the API refuses any other
// and asks the database whether the token was revoked (graphql/preset.ts).
import { randomBytes, randomUUID } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { projectRoot } from "../db/connection.ts";

export const TOKEN_ROLES = { chairman: "eva_chairman", viewer: "eva_viewer" } as const;
export type TokenRole = keyof typeof TOKEN_ROLES;

const SECRET_FILE = () => process.env.EVA_JWT_SECRET_FILE ?? `${projectRoot}.eva/jwt-secret`;

export function jwtSecret(env: NodeJS.ProcessEnv = process.env): Uint8Array {
  const configured = env.EVA_JWT_SECRET;
  if (configured) {
    if (configured.length < 32) throw new Error("EVA_JWT_SECRET must be at least 32 characters");
    return new TextEncoder().encode(configured);
  }
  const file = SECRET_FILE();
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(48).toString("base64url"), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return new TextEncoder().encode(readFileSync(file, "utf8").trim());
}

/** "24h", "30m", "7d" or seconds → seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a duration (e.g. 30m, 24h, 7d)`);
  const n = Number(m[1]);
  const unit = { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "" | "s" | "m" | "h" | "d"];
  return n * unit;
}

/** The longest lifetime a token may have, when EVA_TOKEN_MAX_DAYS does not say. */
export const DEFAULT_TOKEN_MAX_DAYS = 30;
/** How far a token's iat may be ahead of this clock (the minting machine's clock may run ahead). */
export const CLOCK_SKEW_SECONDS = 60;

/** The longest lifetime (seconds) a token may have: EVA_TOKEN_MAX_DAYS days, default 30, for every role. */
export function tokenMaxSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.EVA_TOKEN_MAX_DAYS?.trim();
  if (!raw) return DEFAULT_TOKEN_MAX_DAYS * 86400;
  const days = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !(days > 0) || days > 366) {
    throw new Error(`EVA_TOKEN_MAX_DAYS must be a number of days above 0 and at most 366, not "${raw}"`);
  }
  return Math.round(days * 86400);
}

/** "30 days", "12 hours": a lifetime as a person reads it. */
export function describeSeconds(seconds: number): string {
  const [n, unit] =
    seconds % 86400 === 0
      ? [seconds / 86400, "day"]
      : seconds % 3600 === 0
        ? [seconds / 3600, "hour"]
        : [seconds, "second"];
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

export interface MintedToken {
  token: string;
  /** The token id, for `eva chairman revoke <jti>`. */
  jti: string;
  role: (typeof TOKEN_ROLES)[TokenRole];
  issuedAt: Date;
  expiresAt: Date;
}

/** A lifetime beyond the cap (tokenMaxSeconds): nothing is minted. */
export class TokenLifetimeError extends Error {}

/** Mints a token with a fresh id; refuses a lifetime beyond `maxSeconds` (default tokenMaxSeconds()). */
export async function issueToken(
  role: TokenRole,
  expiresInSeconds: number,
  options: { secret?: Uint8Array; maxSeconds?: number } = {},
): Promise<MintedToken> {
  const maxSeconds = options.maxSeconds ?? tokenMaxSeconds();
  if (expiresInSeconds > maxSeconds) {
    throw new TokenLifetimeError(
      `a token lives at most ${describeSeconds(maxSeconds)} (EVA_TOKEN_MAX_DAYS), not ${describeSeconds(expiresInSeconds)}`,
    );
  }
  const jti = randomUUID();
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + expiresInSeconds;
  const token = await new SignJWT({ role: TOKEN_ROLES[role] })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(role)
    .setAudience("eva")
    .setIssuer("eva")
    .setJti(jti)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(options.secret ?? jwtSecret());
  return { token, jti, role: TOKEN_ROLES[role], issuedAt: new Date(iat * 1000), expiresAt: new Date(exp * 1000) };
}

export async function mintToken(role: TokenRole, expiresInSeconds: number, secret = jwtSecret()): Promise<string> {
  return (await issueToken(role, expiresInSeconds, { secret })).token;
}

/** A token the API must not honour; the message says why. */
export class TokenRefusedError extends Error {}

export interface TokenClaims {
  role: string;
  sub?: string;
  jti: string;
  /** Seconds since the epoch. */
  iat: number;
  exp: number;
}

const API_ROLES: ReadonlySet<string> = new Set(Object.values(TOKEN_ROLES));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The claims of a token EVA signed that may be used now: HS256 with `secret`,
 * audience and issuer eva, a role the API serves, an id, issued (iat) not in
 * the future beyond the clock skew and not longer ago than the cap, expiring
 * (exp, required) no later than the cap after its issue. Revocation is the
 * database's to say (eva_private.fn_token_refused).
 */
export async function verifyToken(
  token: string,
  options: { secret?: Uint8Array; maxSeconds?: number; now?: number } = {},
): Promise<TokenClaims> {
  const maxSeconds = options.maxSeconds ?? tokenMaxSeconds();
  const now = options.now ?? Math.floor(Date.now() / 1000);
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, options.secret ?? jwtSecret(), {
      algorithms: ["HS256"],
      audience: "eva",
      issuer: "eva",
      currentDate: new Date(now * 1000),
    }));
  } catch (error) {
    throw new TokenRefusedError(
      error instanceof joseErrors.JWTExpired
        ? "the token has expired"
        : error instanceof joseErrors.JWTClaimValidationFailed
          ? `the token's ${error.claim} claim is not accepted`
          : "the token is not one EVA signed",
    );
  }
  const { role, sub, jti, iat, exp } = payload;
  if (typeof role !== "string" || !API_ROLES.has(role)) {
    throw new TokenRefusedError(`the token's role must be one of ${[...API_ROLES].join(", ")}`);
  }
  if (typeof exp !== "number") throw new TokenRefusedError("the token has no expiry (exp claim): EVA requires one");
  if (typeof iat !== "number") throw new TokenRefusedError("the token has no issue time (iat claim): EVA requires one");
  if (iat > now + CLOCK_SKEW_SECONDS) throw new TokenRefusedError("the token's issue time (iat) is in the future");
  if (now - iat > maxSeconds) {
    throw new TokenRefusedError(
      `the token was issued more than ${describeSeconds(maxSeconds)} ago (EVA_TOKEN_MAX_DAYS)`,
    );
  }
  if (exp - iat > maxSeconds) {
    throw new TokenRefusedError(
      `the token's lifetime (exp - iat) is beyond ${describeSeconds(maxSeconds)} (EVA_TOKEN_MAX_DAYS)`,
    );
  }
  if (typeof jti !== "string" || !UUID.test(jti)) {
    throw new TokenRefusedError("the token has no token id (jti claim, a UUID): EVA requires one");
  }
  return { role, jti, iat, exp, ...(typeof sub === "string" ? { sub } : {}) };
}
