// The API's PostgreSQL adaptor (graphql/pg-adaptor.ts): a request's settings
// are applied in the transaction its first round trip opens, exactly as given
// (quotes and backslashes included), and end with it.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWithPgClient } from "../graphql/pg-adaptor.ts";
import { createTestDatabase } from "./helpers/database.ts";

const t = await createTestDatabase();
// One connection, so every call below reuses the same session.
const pool = new pg.Pool({ connectionString: t.url, max: 1 });
const withPgClient = createWithPgClient({ pool });

// The pool's own role, which the session must be back to after a request.
let loginRole = "";
beforeAll(async () => {
  loginRole = (await pool.query<{ who: string }>("select current_user as who")).rows[0]?.who ?? "";
});
afterAll(async () => {
  await pool.end();
  await t.drop();
});

type Row = { who: string; sub: string | null; tx: string | null };
const probe = {
  text: `select current_user as who, current_setting('jwt.claims.sub', true) as sub,
    pg_catalog.txid_current_if_assigned()::text as tx`,
};

describe("the API's adaptor", () => {
  it("runs a request as its role with its claims, in one transaction, and leaves the session as it was", async () => {
    const sub = `o'brien \\ "x" \u00e9`;
    const rows = await withPgClient({ role: "eva_viewer", "jwt.claims.sub": sub }, async (client) => {
      const first = await client.query<Row>(probe);
      // The same transaction: a second statement sees the same settings.
      const second = await client.query<Row>(probe);
      return [...first.rows, ...second.rows];
    });
    expect(rows.map((r) => [r.who, r.sub])).toEqual([
      ["eva_viewer", sub],
      ["eva_viewer", sub],
    ]);
    const after = (await pool.query<Row>(probe)).rows[0];
    expect(loginRole).not.toBe("eva_viewer");
    expect(after?.who).toBe(loginRole);
    expect(after?.sub ?? "").toBe("");
  });

  it("rolls back when the request fails, and the connection serves the next request", async () => {
    await expect(
      withPgClient({ role: "eva_viewer" }, async (client) => {
        await client.query({ text: "select 1" });
        await client.query({ text: "select 1/0" });
      }),
    ).rejects.toThrow(/division by zero/);
    const next = await withPgClient({ role: "eva_chairman" }, async (client) => (await client.query<Row>(probe)).rows);
    expect(next[0]?.who).toBe("eva_chairman");
    const { rows } = await pool.query<{ state: string }>(
      "select state from pg_stat_activity where pid = pg_backend_pid()",
    );
    expect(rows[0]?.state).toBe("active");
  });

  it("runs a request without settings outside any transaction, and its own transactions as such", async () => {
    const who = await withPgClient(null, async (client) => {
      const outside = (await client.query<Row>(probe)).rows[0];
      const inside = await client.withTransaction(async (tx) => {
        await tx.query({ text: "select pg_catalog.txid_current()" });
        return (await tx.query<Row>(probe)).rows[0];
      });
      return { outside: outside?.tx, inside: inside?.tx };
    });
    expect(who.outside).toBeNull();
    expect(who.inside).toMatch(/^\d+$/);
  });
});
