// Bearer tokens the API has verified, kept while they are valid: a client
// sends the same token with every request, and verifying it (an HMAC key
// import and check, twice a request: the Chairman's lane and the request's
// role) cost more than the rest of a small request's bookkeeping. A token is
// immutable and signed, so only its expiry can change its answer; refusals
// are not kept. Revocation is asked of the database for every request all the
// same (graphql/preset.ts).
import { type TokenClaims, tokenMaxSeconds, verifyToken } from "../src/auth/tokens.ts";

const KEPT = 1000;
const bySecret = new WeakMap<Uint8Array, Map<string, TokenClaims>>();

/** verifyToken's claims for `token` (TokenRefusedError when refused), from the cache while it has not expired. */
export async function verifiedToken(
  token: string,
  secret: Uint8Array,
  maxSeconds = tokenMaxSeconds(),
): Promise<TokenClaims> {
  let kept = bySecret.get(secret);
  if (!kept) {
    kept = new Map();
    bySecret.set(secret, kept);
  }
  const key = `${maxSeconds}:${token}`;
  const hit = kept.get(key);
  if (hit && hit.exp > Date.now() / 1000) return hit;
  if (hit) kept.delete(key);
  const claims = await verifyToken(token, { secret, maxSeconds });
  // The oldest entry makes room (a Map iterates in insertion order).
  if (kept.size >= KEPT) kept.delete(kept.keys().next().value as string);
  kept.set(key, claims);
  return claims;
}
