// The event log's horizon (eva.fn_event_horizon): an event is listed once its
// transaction and every older one that could have logged an event have ended.
// Only this database's transactions count: one left open in another database
// on the same server no longer holds the feed back, one open here still does.

import { sql } from "kysely";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { withRole } from "../src/db/client.ts";
import { createTestDatabase } from "./helpers/database.ts";

const t = await createTestDatabase();
const other = await createTestDatabase();
afterAll(async () => {
  await t.drop();
  await other.drop();
});

/** A transaction with an xid of its own, left open until `end` is called. */
async function openTransaction(url: string): Promise<{ xid: string; end: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query("begin");
  const { rows } = await client.query<{ xid: string }>("select pg_current_xact_id()::text as xid");
  return {
    xid: rows[0]?.xid ?? "",
    end: async () => {
      await client.query("commit");
      await client.end();
    },
  };
}

async function logEvent(type: string): Promise<string> {
  const { rows } = await sql<{ id: string }>`
    select eva_private.fn_log_event(${type}, null, '{}'::jsonb)::text as id`.execute(t.db);
  return rows[0]?.id ?? "";
}

const listed = async (after: string) =>
  withRole(t.db, "eva_viewer", async (trx) => {
    const { rows } = await sql<{ id: string }>`select id::text from eva.fn_events_after(${after}, 1000, 'all')`.execute(
      trx,
    );
    return rows.map((r) => r.id);
  });

const cursorNow = async () =>
  (await sql<{ c: string }>`select eva.fn_event_cursor() as c`.execute(t.db)).rows[0]?.c ?? "";

describe("the event horizon", () => {
  it("is not held back by a transaction left open in another database", async () => {
    const start = await cursorNow();
    const elsewhere = await openTransaction(other.url);
    try {
      const id = await logEvent("test.elsewhere_open");
      expect(await listed(start)).toContain(id);
    } finally {
      await elsewhere.end();
    }
  });

  it("is held back by an older transaction of this database until it ends, then lists the event once", async () => {
    const start = await cursorNow();
    const here = await openTransaction(t.url);
    let id = "";
    try {
      id = await logEvent("test.behind_older");
      // Committed, but an older transaction of this database may still log an event that sorts before it.
      expect(await listed(start)).not.toContain(id);
      const { rows } = await sql<{ h: string }>`select eva.fn_event_horizon()::text as h`.execute(t.db);
      expect(rows[0]?.h).toBe(here.xid);
    } finally {
      await here.end();
    }
    const after = await listed(start);
    expect(after.filter((x) => x === id)).toHaveLength(1);
  });
});
