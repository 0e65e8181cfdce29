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

describe("the dispatch waker's lookup", () => {
  // A long-lived connection (each worker's waker) plans its lookup on its first call, often
  // while the log is nearly empty. A plan kept from then would read the whole log on every
  // later call as it grows; each call's lookup must go by the (xact_id, id) index instead.
  it("reads only the notified transactions' events, not the whole log, on a connection that first called it on an empty log", async () => {
    const waker = new pg.Client({ connectionString: t.url, options: "-c role=eva_service" });
    await waker.connect();
    const scanned = async (): Promise<number> => {
      await sql`select pg_catalog.pg_stat_clear_snapshot()`.execute(t.db);
      const { rows } = await sql<{ n: string }>`
        select coalesce(sum(s.seq_tup_read), 0)::text as n from pg_catalog.pg_stat_user_tables s
        join pg_catalog.pg_inherits i on i.inhrelid = s.relid
        where i.inhparent = 'eva.eva_event_log'::regclass`.execute(t.db);
      return Number(rows[0]?.n ?? 0);
    };
    const wake = async () => {
      await waker.query({
        name: "wake",
        text: "select eva_private.fn_wake_event_dispatch($1::bigint[])",
        values: [["1"]],
      });
      await waker.query("select pg_catalog.pg_stat_force_next_flush()");
    };
    try {
      await wake();
      const logged = 20_000;
      await sql`insert into eva.eva_event_log (event_type, payload)
        select 'test.filler', pg_catalog.jsonb_build_object('n', i) from pg_catalog.generate_series(1, ${logged}::int) i`.execute(
        t.db,
      );
      const before = await scanned();
      for (let i = 0; i < 5; i++) await wake();
      // Five calls that each read the log would add 5 × 20,000 rows read.
      expect(await scanned()).toBeLessThan(before + logged);
    } finally {
      await waker.end();
    }
  });
});
