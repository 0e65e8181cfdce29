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

describe("reads of the event log on long-lived connections", () => {
  // A long-lived connection (each worker's dispatch waker, the pool's connections that run
  // deliveries) plans a function's statements once, often while the log is nearly empty. A plan
  // kept from then would read the whole log on every later call as it grows: each read must go
  // by an index to the rows it needs.
  /** Pages of the log's partitions (heap and indexes) that scans have touched so far. */
  const pagesTouched = async (): Promise<number> => {
    await sql`select pg_catalog.pg_stat_clear_snapshot()`.execute(t.db);
    const { rows } = await sql<{ n: string }>`
      select coalesce(sum(s.heap_blks_hit + s.heap_blks_read
        + coalesce(s.idx_blks_hit, 0) + coalesce(s.idx_blks_read, 0)), 0)::text as n
      from pg_catalog.pg_statio_user_tables s
      join pg_catalog.pg_inherits i on i.inhrelid = s.relid
      where i.inhparent = 'eva.eva_event_log'::regclass`.execute(t.db);
    return Number(rows[0]?.n ?? 0);
  };
  /**
   * The pages of the partitions' smallest full index: reading any whole one, or the heap, touches as many. (The
   * partial indexes of a few event types hold none of the rows these functions read.)
   */
  const smallestIndexPages = async (): Promise<number> => {
    const { rows } = await sql<{ n: string }>`
      select coalesce(max(p.pages), 0)::text as n from (
        select min(pg_catalog.pg_relation_size(x.indexrelid) / 8192) as pages
        from pg_catalog.pg_inherits i join pg_catalog.pg_index x on x.indrelid = i.inhrelid
        where i.inhparent = 'eva.eva_event_log'::regclass and x.indpred is null group by i.inhrelid) p`.execute(t.db);
    return Number(rows[0]?.n ?? 0);
  };
  const logged = 20_000;
  let filled = false;
  const fill = async () => {
    if (filled) return;
    filled = true;
    await sql`insert into eva.eva_event_log (event_type, payload)
      select 'test.filler', pg_catalog.jsonb_build_object('n', i) from pg_catalog.generate_series(1, ${logged}::int) i`.execute(
      t.db,
    );
  };
  /** A delivery of an event logged now, as the dispatcher writes one. */
  const delivery = async (): Promise<unknown[]> => {
    const { rows: logged } = await sql<{ id: string }>`
      select eva_private.fn_log_event('test.delivered', null, '{}'::jsonb)::text as id`.execute(t.db);
    const { rows } = await sql<{ id: string; logged_at: string }>`
      insert into eva.event_deliveries (subscription_id, event_id, event_logged_at, event_type)
      select (select s.id from eva.event_subscriptions s order by s.id limit 1), l.id, l.created_at, l.event_type
      from eva.eva_event_log l where l.id = ${logged[0]?.id}::bigint
      returning id::text, event_logged_at::text as logged_at`.execute(t.db);
    return [rows[0]?.id, rows[0]?.logged_at];
  };
  const cases: [string, string, () => Promise<unknown[]>][] = [
    ["the dispatch waker's lookup", "select eva_private.fn_wake_event_dispatch($1::bigint[])", async () => [["1"]]],
    [
      "a delivery's read (eva_private.fn_event_delivery)",
      "select eva_private.fn_event_delivery($1::bigint, $2::timestamptz)",
      delivery,
    ],
  ];
  it.each(cases)(
    "%s reads only the rows it needs after its connection first ran it on a small log",
    async (_, text, args) => {
      const values = await args();
      const connection = new pg.Client({ connectionString: t.url, options: "-c role=eva_service" });
      await connection.connect();
      const call = async () => {
        const { rows } = await connection.query({ name: "call", text, values });
        expect(Object.values(rows[0] ?? {})[0]).not.toBeNull();
        await connection.query("select pg_catalog.pg_stat_force_next_flush()");
      };
      try {
        await call();
        await fill();
        const before = await pagesTouched();
        for (let i = 0; i < 5; i++) await call();
        // Five calls that each read a whole index or the heap touch five times as many pages as
        // the smallest index has; five lookups by key touch a few pages each.
        const onePass = await smallestIndexPages();
        expect(onePass).toBeGreaterThan(20);
        expect((await pagesTouched()) - before).toBeLessThan(onePass);
      } finally {
        await connection.end();
      }
    },
  );
});
