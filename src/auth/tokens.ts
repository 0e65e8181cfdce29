// Bearer tokens for the Chairman's API: HS256 JWTs whose `role` claim becomes
// the request's database role. The secret is EVA_JWT_SECRET, else one EVA
// keeps for this installation in .eva/jwt-secret (created on first use).
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { SignJWT } from "jose";
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

export async function mintToken(role: TokenRole, expiresInSeconds: number, secret = jwtSecret()): Promise<string> {
  return new SignJWT({ role: TOKEN_ROLES[role] })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(role)
    .setAudience("eva")
    .setIssuer("eva")
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + expiresInSeconds)
    .sign(secret);
}
