// No token lives forever: the API (over real HTTP) refuses tokens without an
// expiry, beyond the lifetime cap, issued in the future, without an id, or
// revoked (`eva chairman revoke <jti> | --all`); `eva chairman token` refuses
// lifetimes beyond the cap; the start banner's sign-in code works once and
// expires.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { SignJWT } from "jose";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, startApiServer } from "../graphql/server.ts";
import { issueSignInCode, signInCodeHash } from "../src/auth/sign-in.ts";
import { issueToken } from "../src/auth/tokens.ts";
import { runEva } from "./helpers/cli.ts";
import { createTestDatabase } from "./helpers/database.ts";

const SECRET = "tokens-test-secret-tokens-test-secret-0123456789";
process.env.EVA_JWT_SECRET = SECRET;
const secret = new TextEncoder().encode(SECRET);
const DAY = 86400;

const t = await createTestDatabase();
let api: ApiServer;
beforeAll(async () => {
  api = await startApiServer({ url: t.url, port: 0 });
});
afterAll(async () => {
  await api?.close();
  await t.drop();
});

const _run = promisify(execFile);
const eva = (args: string[], env: Record<string, string> = {}) =>
  runEva(args, { DATABASE_URL: t.url, EVA_JWT_SECRET: SECRET, ...env });

/** `{ isChairman }` with a Bearer token, through the API at `url`: the HTTP status, and the answer or the error. */
async function ask(token: string, url = api.url): Promise<{ status: number; isChairman?: boolean; error?: string }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: "{ isChairman }" }),
  });
  const body = (await response.json()) as { data?: { isChairman?: boolean }; errors?: { message: string }[] };
  return {
    status: response.status,
    ...(body.data?.isChairman === undefined ? {} : { isChairman: body.data.isChairman }),
    ...(body.errors?.[0] ? { error: body.errors[0].message } : {}),
  };
}

const now = () => Math.floor(Date.now() / 1000);
/** A token signed with EVA's secret, with exactly these claims. */
function signed(claims: Record<string, unknown>): Promise<string> {
  return new SignJWT({ role: "eva_chairman", sub: "chairman", aud: "eva", iss: "eva", ...claims })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(secret);
}
const jti = () => crypto.randomUUID();

describe("the API's token rules", () => {
  it("accepts a fresh token, Chairman's and viewer's", async () => {
    expect(await ask((await issueToken("chairman", 600)).token)).toEqual({ status: 200, isChairman: true });
    expect(await ask((await issueToken("viewer", 600)).token)).toEqual({ status: 200, isChairman: false });
    // One signed by hand with every claim, at the cap exactly.
    expect(await ask(await signed({ jti: jti(), iat: now(), exp: now() + 30 * DAY }))).toMatchObject({
      status: 200,
      isChairman: true,
    });
  });

  it.each<[string, () => Record<string, unknown>, RegExp]>([
    ["without exp", () => ({ jti: jti(), iat: now() }), /no expiry \(exp claim\)/],
    ["without iat", () => ({ jti: jti(), exp: now() + 600 }), /no issue time \(iat claim\)/],
    ["without a token id", () => ({ iat: now(), exp: now() + 600 }), /no token id \(jti claim/],
    ["with a jti that is not a UUID", () => ({ jti: "1", iat: now(), exp: now() + 600 }), /no token id/],
    ["living beyond the cap", () => ({ jti: jti(), iat: now(), exp: now() + 31 * DAY }), /lifetime .* beyond 30 days/],
    [
      "issued longer ago than the cap",
      () => ({ jti: jti(), iat: now() - 31 * DAY, exp: now() + 600 }),
      /issued more than 30 days ago/,
    ],
    ["issued in the future", () => ({ jti: jti(), iat: now() + 3600, exp: now() + 7200 }), /iat\) is in the future/],
  ])("refuses a correctly signed token %s (401)", async (_label, claims, reason) => {
    const answer = await ask(await signed(claims()));
    expect(answer.status).toBe(401);
    expect(answer.isChairman).toBeUndefined();
    expect(answer.error).toMatch(reason);
  });

  it("takes a smaller cap from EVA_TOKEN_MAX_DAYS", async () => {
    const previous = process.env.EVA_TOKEN_MAX_DAYS;
    process.env.EVA_TOKEN_MAX_DAYS = "1";
    const strict = await startApiServer({ url: t.url, port: 0 });
    try {
      const twoDays = await signed({ jti: jti(), iat: now(), exp: now() + 2 * DAY });
      expect(await ask(twoDays)).toMatchObject({ status: 200 });
      const refused = await ask(twoDays, strict.url);
      expect(refused.status).toBe(401);
      expect(refused.error).toMatch(/beyond 1 day/);
      expect(await ask(await signed({ jti: jti(), iat: now(), exp: now() + DAY }), strict.url)).toMatchObject({
        status: 200,
        isChairman: true,
      });
    } finally {
      await strict.close();
      if (previous === undefined) delete process.env.EVA_TOKEN_MAX_DAYS;
      else process.env.EVA_TOKEN_MAX_DAYS = previous;
    }
  });
});

describe("eva chairman token", () => {
  it("prints the token id and refuses a lifetime beyond the cap, naming the flag", async () => {
    const minted = await eva(["chairman", "token", "--expires-in", "7d", "--json"]);
    expect(minted.code).toBe(0);
    const out = JSON.parse(minted.stdout);
    expect(out.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(out.expiresAt).getTime() - new Date(out.issuedAt).getTime()).toBe(7 * DAY * 1000);
    expect(await ask(out.token)).toEqual({ status: 200, isChairman: true });
    const text = await eva(["chairman", "token"]);
    expect(text.stderr).toMatch(/token id \(jti\) [0-9a-f-]{36}.*npx eva chairman revoke/);

    const forever = await eva(["chairman", "token", "--expires-in", "100000000d"]);
    expect(forever.code).toBe(2);
    expect(forever.stdout).toBe("");
    expect(forever.stderr).toContain("--expires-in: a token lives at most 30 days (EVA_TOKEN_MAX_DAYS)");
    expect((await eva(["chairman", "token", "--expires-in", "31d"])).code).toBe(2);
    expect((await eva(["chairman", "token", "--role", "viewer", "--expires-in", "31d"])).code).toBe(2);
    const capped = await eva(["chairman", "token", "--expires-in", "2d"], { EVA_TOKEN_MAX_DAYS: "1" });
    expect(capped.code).toBe(2);
    expect(capped.stderr).toContain("--expires-in: a token lives at most 1 day");
    const badCap = await eva(["chairman", "token"], { EVA_TOKEN_MAX_DAYS: "forever" });
    expect(badCap.code).toBe(2);
    expect(badCap.stderr).toContain("EVA_TOKEN_MAX_DAYS must be a number of days");
  });
});

describe("revocation", () => {
  it("refuses a revoked token from the next request on, and leaves the others alone", async () => {
    const kept = await issueToken("chairman", 600);
    const revoked = await issueToken("viewer", 600);
    expect(await ask(revoked.token)).toMatchObject({ status: 200 });
    const r = await eva(["chairman", "revoke", revoked.jti, "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ revoked: revoked.jti });
    const refused = await ask(revoked.token);
    expect(refused.status).toBe(401);
    expect(refused.error).toContain(`the token ${revoked.jti} was revoked`);
    expect(await ask(kept.token)).toEqual({ status: 200, isChairman: true });
    // Twice is harmless; the audit trail has one Chairman event.
    expect((await eva(["chairman", "revoke", revoked.jti])).code).toBe(0);
    const events = await t.db
      .selectFrom("eva_event_log")
      .select(["actor", "payload"])
      .where("event_type", "=", "chairman.token_revoked")
      .execute();
    expect(events).toEqual([{ actor: "eva_chairman", payload: { jti: revoked.jti } }]);
  });

  it("refuses a revoked token whatever it asks: a read answered without the database, a write", async () => {
    const revoked = await issueToken("chairman", 600);
    expect((await eva(["chairman", "revoke", revoked.jti])).code).toBe(0);
    // Introspection is answered without the database (and from a cache once answered): refused all the same.
    const post = async (query: string) => {
      const response = await fetch(api.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${revoked.token}` },
        body: JSON.stringify({ query }),
      });
      const body = (await response.json()) as { data?: unknown; errors?: { message: string }[] };
      return { status: response.status, data: body.data, error: body.errors?.[0]?.message };
    };
    for (const query of ["{ __schema { queryType { name } } }", "{ __typename }", "{ isChairman }"]) {
      const r = await post(query);
      expect(r, query).toMatchObject({
        status: 401,
        error: expect.stringContaining(`the token ${revoked.jti} was revoked`),
      });
      expect(r.data, query).toBeUndefined();
    }
    const other = jti();
    const write = await post(`mutation { revokeToken(input: { pJti: "${other}" }) { clientMutationId } }`);
    expect(write.status).toBe(401);
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from eva_private.revoked_tokens where jti = ${other}::uuid`.execute(t.db);
    expect(rows[0]?.n).toBe(0);
  });

  it("names the bad argument and writes nothing", async () => {
    const count = async () => {
      const { rows } = await sql<{ n: number }>`
        select (select count(*) from eva_private.revoked_tokens)::int
             + (select count(*) from eva_private.token_epoch)::int as n`.execute(t.db);
      return rows[0]?.n;
    };
    const before = await count();
    for (const args of [["revoke"], ["revoke", "not-a-uuid"], ["revoke", jti(), "--all"]]) {
      const r = await eva(["chairman", ...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/jti|--all/);
    }
    expect(await count()).toBe(before);
  });

  it("lets only the Chairman revoke, in SQL too", async () => {
    for (const role of ["eva_service", "eva_viewer", "eva_anonymous"]) {
      for (const call of [`select eva.fn_revoke_token('${jti()}')`, "select eva.fn_revoke_all_tokens()"]) {
        await expect(
          t.db.transaction().execute(async (trx) => {
            await sql.raw(`set local role ${role}`).execute(trx);
            await sql.raw(call).execute(trx);
          }),
          `${role}: ${call}`,
        ).rejects.toMatchObject({ code: "42501" });
      }
    }
  });

  it("--all refuses every token issued before it, and accepts those minted after", async () => {
    const before = [await issueToken("chairman", 600), await issueToken("viewer", 3600)];
    for (const m of before) expect(await ask(m.token)).toMatchObject({ status: 200 });
    const r = await eva(["chairman", "revoke", "--all"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/revoked every token issued before/);
    for (const m of before) {
      const refused = await ask(m.token);
      expect(refused.status).toBe(401);
      expect(refused.error).toContain("issued before `eva chairman revoke --all`");
    }
    const fresh = await eva(["chairman", "token", "--json"]);
    expect(await ask(JSON.parse(fresh.stdout).token)).toEqual({ status: 200, isChairman: true });
  });
});

describe("the sign-in link", () => {
  const signInUrl = (code: string, url = api.url) => new URL(`/sign-in?code=${code}`, url).toString();

  it("exchanges its code once for a session token the API accepts", async () => {
    const { code } = await issueSignInCode(t.pool, "chairman");
    const response = await fetch(signInUrl(code));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const session = (await response.json()) as { token: string; jti: string; role: string; expiresAt: string };
    expect(session).toMatchObject({ role: "eva_chairman", jti: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(new Date(session.expiresAt).getTime() - Date.now()).toBeGreaterThan(23 * 3600 * 1000);
    expect(await ask(session.token)).toEqual({ status: 200, isChairman: true });

    const again = await fetch(signInUrl(code));
    expect(again.status).toBe(401);
    expect(((await again.json()) as { error: string }).error).toContain("was already used");
    // Only the code's hash is kept.
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from eva_private.sign_in_codes where code_hash = ${code}`.execute(t.db);
    expect(rows[0]?.n).toBe(0);
  });

  it("takes the code by POST too, and refuses an expired, unknown or missing one", async () => {
    const viewer = await issueSignInCode(t.pool, "viewer");
    const posted = await fetch(new URL("/sign-in", api.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ code: viewer.code }),
    });
    expect(posted.status).toBe(200);
    expect(await ask(((await posted.json()) as { token: string }).token)).toEqual({ status: 200, isChairman: false });

    const late = await issueSignInCode(t.pool, "chairman");
    // As it stands ten minutes later.
    await sql`update eva_private.sign_in_codes
      set created_at = created_at - interval '11 minutes', expires_at = expires_at - interval '11 minutes'
      where code_hash = ${signInCodeHash(late.code)}`.execute(t.db);
    const expired = await fetch(signInUrl(late.code));
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { error: string }).error).toContain("has expired");
    expect((await fetch(signInUrl("made-up-code"))).status).toBe(401);
    expect((await fetch(new URL("/sign-in", api.url))).status).toBe(400);
  });

  it("works with the API's real login role (eva_authenticator), which cannot issue codes itself", async () => {
    const asAuthenticator = new URL(t.url);
    asAuthenticator.username = "eva_authenticator";
    asAuthenticator.password = "";
    const real = await startApiServer({ url: asAuthenticator.toString(), port: 0 });
    try {
      const { code } = await issueSignInCode(t.pool, "chairman");
      const response = await fetch(signInUrl(code, real.url));
      expect(response.status).toBe(200);
      const session = (await response.json()) as { token: string; jti: string };
      expect(await ask(session.token, real.url)).toEqual({ status: 200, isChairman: true });
      expect((await eva(["chairman", "revoke", session.jti])).code).toBe(0);
      expect((await ask(session.token, real.url)).status).toBe(401);
    } finally {
      await real.close();
    }
    const refused = await import("pg").then(async ({ default: pg }) => {
      const client = new pg.Client({ connectionString: asAuthenticator.toString() });
      await client.connect();
      try {
        await issueSignInCode(client, "chairman");
        return null;
      } catch (error) {
        return error;
      } finally {
        await client.end();
      }
    });
    expect(refused).toMatchObject({ code: "42501" });
  });
});
