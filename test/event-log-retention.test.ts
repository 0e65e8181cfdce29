// Retention by design (issue #10, point 7): the event log is partitioned by
// month, stays append-only, gets its partitions ahead, and a partition past
// retention is archived (checksum and row count recorded) before it is
// dropped, with the feed still working afterwards.
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { withRole } from "../src/db/client.ts";
import { maintainPartitions } from "../src/orchestration/retention.ts";
import { CRONTAB_LINES } from "../src/tasks/index.ts";
import { TICKS } from "../src/tasks/scheduler.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";

const t = await createTestDatabase();
const archiveDir = await mkdtemp(join(tmpdir(), "eva-retention-"));
afterAll(async () => {
  await t.drop();
  await rm(archiveDir, { recursive: true, force: true });
});

const monthName = (d: Date) => `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
const monthsFromNow = (n: number) => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + n, 1));
};

async function partitionOf(id: string): Promise<string> {
  const { rows } = await sql<{ p: string }>`
    select tableoid::regclass::text as p from eva.eva_event_log where id = ${id}::bigint`.execute(t.db);
  return rows[0]?.p ?? "";
}

async function partitions(): Promise<string[]> {
  const { rows } = await sql<{ partition_name: string }>`
    select partition_name from eva_private.fn_partitions() where table_name = 'eva.eva_event_log'`.execute(t.db);
  return rows.map((r) => r.partition_name);
}

describe("the partitioned event log", () => {
  it("is partitioned by range on created_at, its key includes created_at, and every old trigger came along", async () => {
    const { rows } = await sql<{ strategy: string; key: string; pk: string }>`
      select pt.partstrat as strategy, pg_get_partkeydef(pt.partrelid) as key,
        (select pg_get_constraintdef(c.oid) from pg_constraint c
          where c.conrelid = 'eva.eva_event_log'::regclass and c.contype = 'p') as pk
      from pg_partitioned_table pt where pt.partrelid = 'eva.eva_event_log'::regclass`.execute(t.db);
    expect(rows[0]).toEqual({ strategy: "r", key: "RANGE (created_at)", pk: "PRIMARY KEY (id, created_at)" });
    const triggers = await sql<{ tgname: string }>`
      select tgname from pg_trigger where tgrelid = 'eva.eva_event_log'::regclass and not tgisinternal order by 1`.execute(
      t.db,
    );
    expect(triggers.rows.map((r) => r.tgname)).toEqual(
      expect.arrayContaining(["_010_refuse_change", "_011_refuse_truncate", "_500_notifications", "_900_notify"]),
    );
    // The identity and the generated cursor are still the database's.
    const columns = await sql<{ attname: string; identity: string; generated: string }>`
      select attname, attidentity as identity, attgenerated as generated from pg_attribute
      where attrelid = 'eva.eva_event_log'::regclass and attname in ('id', 'cursor') order by attname`.execute(t.db);
    expect(columns.rows).toEqual([
      { attname: "cursor", identity: "", generated: "s" },
      { attname: "id", identity: "a", generated: "" },
    ]);
  });

  it("routes a new event to this month's partition, and an event of another month to that month's", async () => {
    const v = await createVenture(t.db);
    const { rows } = await sql<{ id: string }>`
      select id::text from eva.eva_event_log where venture_id = ${v.id}::uuid order by id desc limit 1`.execute(t.db);
    expect(await partitionOf(rows[0]?.id ?? "")).toBe(`eva_partitions.eva_event_log_p${monthName(monthsFromNow(0))}`);

    const next = monthsFromNow(1);
    const { rows: later } = await sql<{ id: string }>`
      insert into eva.eva_event_log (event_type, payload, created_at)
      values ('test.next_month', '{}', ${next.toISOString()}::timestamptz + interval '1 hour') returning id::text`.execute(
      t.db,
    );
    expect(await partitionOf(later[0]?.id ?? "")).toBe(`eva_partitions.eva_event_log_p${monthName(next)}`);
  });

  it("still refuses updates, deletes and truncation, on the log and on a partition itself", async () => {
    const month = `eva_partitions.eva_event_log_p${monthName(monthsFromNow(0))}`;
    await expect(sql`update eva.eva_event_log set payload = '{}'`.execute(t.db)).rejects.toMatchObject({
      code: "EV430",
      message: "eva_event_log rows are immutable: update is refused",
    });
    await expect(sql`delete from eva.eva_event_log`.execute(t.db)).rejects.toMatchObject({ code: "EV430" });
    await expect(sql`truncate eva.eva_event_log`.execute(t.db)).rejects.toMatchObject({ code: "EV430" });
    await expect(sql.raw(`delete from ${month}`).execute(t.db)).rejects.toMatchObject({
      code: "EV430",
      message: "eva_event_log rows are immutable: delete is refused",
    });
    // A service may append, and may not reach the partitions at all.
    await expect(
      withRole(t.db, "eva_service", (trx) => sql.raw(`select count(*) from ${month}`).execute(trx)),
    ).rejects.toMatchObject({ code: "42501" });
  });

  it("keeps references by event id checked on write, now that they cannot be foreign keys", async () => {
    await expect(
      sql`insert into eva.eva_event_dlq (event_id, event_type, failure_reason) values (999999999, 'x.y', 'probe')`.execute(
        t.db,
      ),
    ).rejects.toMatchObject({ code: "23503" });
    const { rows } = await sql<{ id: string }>`select max(id)::text as id from eva.eva_event_log`.execute(t.db);
    await sql`insert into eva.eva_event_dlq (event_id, event_type, failure_reason)
      values (${rows[0]?.id}::bigint, 'x.y', 'probe')`.execute(t.db);
  });
});

describe("the partition manager", () => {
  it("is a daily tick of the master scheduler", () => {
    expect(CRONTAB_LINES.partition_maintenance).toMatch(/^45 3 \* \* \* partition_maintenance \?fill=1d/);
  });

  it("keeps the event deliveries the same way: registered, partitions in eva_partitions, three months ahead", async () => {
    const { rows } = await sql<{ partition_name: string }>`
      select partition_name from eva_private.fn_partitions() where table_name = 'eva.event_deliveries'`.execute(t.db);
    const names = rows.map((r) => r.partition_name);
    expect(names).toContain("eva_partitions.event_deliveries_default");
    for (const n of [0, 1, 2, 3]) {
      expect(names).toContain(`eva_partitions.event_deliveries_p${monthName(monthsFromNow(n))}`);
    }
    expect(names.every((n) => n.startsWith("eva_partitions."))).toBe(true);
    const policy = await sql<{ keep_months: number }>`
      select keep_months from eva_private.partition_policies where table_name = 'eva.event_deliveries'`.execute(t.db);
    expect(policy.rows).toEqual([{ keep_months: 13 }]);
  });

  it("creates partitions ahead on the scheduler's clock", async () => {
    const before = await partitions();
    expect(before).toContain(`eva_partitions.eva_event_log_p${monthName(monthsFromNow(3))}`);
    expect(before).not.toContain(`eva_partitions.eva_event_log_p${monthName(monthsFromNow(5))}`);
    await sql`select eva.fn_set_scheduler_clock('2 months')`.execute(t.db);
    try {
      const result = await TICKS.partition_maintenance(t.service);
      // The event log, the event deliveries and the marketing events (all registered), each four months ahead of the clock.
      expect(result.created).toEqual([
        `eva_partitions.eva_event_log_p${monthName(monthsFromNow(4))}`,
        `eva_partitions.eva_event_log_p${monthName(monthsFromNow(5))}`,
        `eva_partitions.event_deliveries_p${monthName(monthsFromNow(4))}`,
        `eva_partitions.event_deliveries_p${monthName(monthsFromNow(5))}`,
        `eva_partitions.marketing_events_p${monthName(monthsFromNow(4))}`,
        `eva_partitions.marketing_events_p${monthName(monthsFromNow(5))}`,
      ]);
      expect(await partitions()).toContain(`eva_partitions.eva_event_log_p${monthName(monthsFromNow(5))}`);
      // Running it again creates nothing more.
      expect((await TICKS.partition_maintenance(t.service)).created).toEqual([]);
    } finally {
      await sql`select eva.fn_set_scheduler_clock(null, true)`.execute(t.db);
    }
  });

  it("archives an expired partition with its checksum and row count, then drops it; the feed still works", async () => {
    // Thirty months ago, beyond the default 24 months: a partition made as the owner, three events in it.
    const old = monthsFromNow(-30);
    const oldName = `eva_partitions.eva_event_log_p${monthName(old)}`;
    await sql`select eva_private.fn_create_partition('eva.eva_event_log', ${old.toISOString().slice(0, 10)}::date)`.execute(
      t.db,
    );
    const inserted = await sql<{ id: string; cursor: string }>`
      insert into eva.eva_event_log (event_type, payload, created_at)
      select 'test.old_event', jsonb_build_object('n', n), ${old.toISOString()}::timestamptz + n * interval '1 day'
      from generate_series(1, 3) n returning id::text, cursor`.execute(t.db);
    expect(await partitionOf(inserted.rows[0]?.id ?? "")).toBe(oldName);

    const expired = await sql<{ partition_name: string }>`
      select partition_name from eva_private.fn_expired_partitions()`.execute(t.db);
    expect(expired.rows.map((r) => r.partition_name)).toEqual([oldName]);

    // An archive that misses a row is refused and nothing is dropped.
    await expect(
      withRole(t.db, "eva_service", (trx) =>
        sql`select eva_private.fn_archive_partition(${oldName}, 2, 'file:///nowhere', ${"0".repeat(64)}, 1)`.execute(
          trx,
        ),
      ),
    ).rejects.toMatchObject({ code: "EV409" });
    expect(await partitions()).toContain(oldName);

    const done = await maintainPartitions(t.service, { archiveDir });
    expect(done.archived).toHaveLength(1);
    const archived = done.archived[0];
    expect(archived).toMatchObject({ table: "eva.eva_event_log", partition: oldName, rows: 3 });
    const file = archived?.archive?.uri.replace("file://", "") ?? "";
    const bytes = await readFile(file);
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(archived?.archive?.sha256);
    const lines = gunzipSync(bytes)
      .toString()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id).sort()).toEqual(inserted.rows.map((r) => Number(r.id)).sort());
    expect(lines.map((l) => l.payload.n).sort()).toEqual([1, 2, 3]);
    expect(lines[0]).toHaveProperty("cursor");

    // Recorded with what it held, dropped, and said in the log.
    const record = await sql<{ row_count: string; sha256: string; uri: string; bytes: string }>`
      select row_count::text, sha256, uri, bytes::text from eva.partition_archives where partition_name = ${oldName}`.execute(
      t.db,
    );
    expect(record.rows[0]).toEqual({
      row_count: "3",
      sha256: archived?.archive?.sha256,
      uri: archived?.archive?.uri,
      bytes: String(bytes.length),
    });
    expect(await partitions()).not.toContain(oldName);
    expect((await sql`select to_regclass(${oldName}) as r`.execute(t.db)).rows[0]).toEqual({ r: null });
    const logged = await sql<{ payload: { rows: number; sha256: string } }>`
      select payload from eva.eva_event_log where event_type = 'retention.partition_archived'`.execute(t.db);
    expect(logged.rows.map((r) => r.payload)).toEqual([
      expect.objectContaining({ rows: 3, sha256: archived?.archive?.sha256 }),
    ]);

    // The feed reads on, as the Chairman, from the start and after a cursor. It lists an event once
    // every older transaction on the server has ended (other test files' included): ask until it does.
    const readFeed = () =>
      withRole(t.db, "eva_chairman", (trx) =>
        sql<{
          event_type: string;
          cursor: string;
        }>`select event_type, cursor from eva.fn_events_after(null, 10000, 'all')`.execute(trx),
      );
    let feed = await readFeed();
    for (let i = 0; i < 400 && !feed.rows.some((r) => r.event_type === "retention.partition_archived"); i++) {
      await new Promise((r) => setTimeout(r, 25));
      feed = await readFeed();
    }
    expect(feed.rows.some((r) => r.event_type === "test.old_event")).toBe(false);
    expect(feed.rows.some((r) => r.event_type === "retention.partition_archived")).toBe(true);
    const last = feed.rows.at(-1)?.cursor;
    await sql`select eva_private.fn_log_event('test.after_archive', null, '{}')`.execute(t.db);
    const readAfter = () =>
      withRole(t.db, "eva_chairman", (trx) =>
        sql<{ event_type: string }>`select event_type from eva.fn_events_after(${last ?? null}, 100, 'all')`.execute(
          trx,
        ),
      );
    let after = await readAfter();
    for (let i = 0; i < 400 && after.rows.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 25));
      after = await readAfter();
    }
    expect(after.rows.map((r) => r.event_type)).toEqual(["test.after_archive"]);

    // Nothing else is due now.
    expect((await maintainPartitions(t.service, { archiveDir })).archived).toEqual([]);
  });

  it("never expires the partition holding the present, however far the scheduler's clock is moved", async () => {
    await sql`select eva.fn_set_scheduler_clock('40 months')`.execute(t.db);
    try {
      const { rows } = await sql<{ partition_name: string }>`
        select partition_name from eva_private.fn_expired_partitions()`.execute(t.db);
      const names = rows.map((r) => r.partition_name);
      expect(names).not.toContain(`eva_partitions.eva_event_log_p${monthName(monthsFromNow(0))}`);
      expect(names).not.toContain("eva_partitions.eva_event_log_default");
    } finally {
      await sql`select eva.fn_set_scheduler_clock(null, true)`.execute(t.db);
    }
  });

  it("takes its retention from the registry: keeping fewer months expires more", async () => {
    const last = monthsFromNow(-1);
    await sql`select eva_private.fn_create_partition('eva.eva_event_log', ${last.toISOString().slice(0, 10)}::date)`.execute(
      t.db,
    );
    const expiredNames = async () =>
      (
        await sql<{ partition_name: string }>`select partition_name from eva_private.fn_expired_partitions()`.execute(
          t.db,
        )
      ).rows.map((r) => r.partition_name);
    expect(await expiredNames()).toEqual([]);
    await sql`update eva_private.partition_policies set keep_months = 1 where table_name = 'eva.eva_event_log'`.execute(
      t.db,
    );
    try {
      // Keeping one whole month before the current one: last month stays, the month before would go.
      expect(await expiredNames()).toEqual([]);
      await sql`select eva.fn_set_scheduler_clock('1 month')`.execute(t.db);
      expect(await expiredNames()).toEqual([`eva_partitions.eva_event_log_p${monthName(last)}`]);
    } finally {
      await sql`select eva.fn_set_scheduler_clock(null, true)`.execute(t.db);
      await sql`update eva_private.partition_policies set keep_months = 24 where table_name = 'eva.eva_event_log'`.execute(
        t.db,
      );
    }
  });
});
