// `eva db migrate` is idempotent: a second run applies no migration and leaves
// the catalog as it was, and it puts back what was changed by hand.
import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { type Role, withRole } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import { createTestDatabase } from "./helpers/database.ts";

const t = await createTestDatabase();
afterAll(() => t.drop());

// What db/functions and db/policies define, read back from the catalog.
const CATALOG = {
  functions: sql<{ row: string }>`
    select p.oid::regprocedure::text || ' owner=' || p.proowner::regrole::text || ' acl=' || coalesce(p.proacl::text, 'default')
           || E'\n' || pg_get_functiondef(p.oid) as row
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname in ('eva', 'eva_private')
    order by 1`,
  policies: sql<{ row: string }>`
    select concat_ws(' | ', schemaname, tablename, policyname, permissive, roles::text, cmd, qual, with_check) as row
    from pg_policies where schemaname in ('eva', 'eva_private')
    order by 1`,
  tableAcls: sql<{ row: string }>`
    select concat_ws(' | ', c.oid::regclass::text, c.relrowsecurity, c.relforcerowsecurity, coalesce(c.relacl::text, 'default')) as row
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname in ('eva', 'eva_private') and c.relkind in ('r', 'p', 'v', 'm', 'S')
    order by 1`,
  columnAcls: sql<{ row: string }>`
    select concat_ws(' | ', a.attrelid::regclass::text, a.attname, a.attacl::text) as row
    from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname in ('eva', 'eva_private') and a.attacl is not null and not a.attisdropped
    order by 1`,
  triggers: sql<{ row: string }>`
    select pg_get_triggerdef(tg.oid) || ' enabled=' || tg.tgenabled::text as row
    from pg_trigger tg join pg_class c on c.oid = tg.tgrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname in ('eva', 'eva_private') and not tg.tgisinternal
    order by 1`,
  schemas: sql<{ row: string }>`
    select n.nspname || ' ' || coalesce(n.nspacl::text, 'default') as row
    from pg_namespace n where n.nspname in ('eva', 'eva_private')
    order by 1`,
};

type Fingerprint = Record<keyof typeof CATALOG, string>;

async function catalogRows(): Promise<Record<keyof typeof CATALOG, string[]>> {
  const entries = await Promise.all(
    Object.entries(CATALOG).map(
      async ([name, query]) => [name, (await query.execute(t.db)).rows.map((r) => r.row)] as const,
    ),
  );
  return Object.fromEntries(entries) as Record<keyof typeof CATALOG, string[]>;
}

/** One hash per part of the catalog, so a difference says where it is. */
async function fingerprint(): Promise<Fingerprint> {
  const rows = await catalogRows();
  return Object.fromEntries(
    Object.entries(rows).map(([name, list]) => [name, createHash("sha256").update(list.join("\n")).digest("hex")]),
  ) as Fingerprint;
}

describe("migrate", () => {
  it("reads a catalog that holds EVA's functions, policies, grants and triggers", async () => {
    const rows = await catalogRows();
    expect(rows.functions.some((r) => r.startsWith("eva.fn_advance_venture_stage("))).toBe(true);
    expect(rows.policies.some((r) => r.includes("services add chairman decisions"))).toBe(true);
    expect(rows.tableAcls.some((r) => r.startsWith("eva.ventures |") && r.includes("eva_viewer=r/"))).toBe(true);
    expect(rows.columnAcls.some((r) => r.startsWith("eva.chairman_decisions | venture_id |"))).toBe(true);
    expect(rows.triggers.some((r) => r.includes("_010_guard"))).toBe(true);
  });

  it("applies nothing and changes no function, policy, grant or trigger when run again", async () => {
    const before = await catalogRows();
    const report = await migrate(t.url);
    expect(report.applied).toEqual([]);
    expect(report.functions).toBeGreaterThan(0);
    expect(report.policies).toBeGreaterThan(0);
    // Rows rather than hashes here: a failure shows the line that moved.
    expect(await catalogRows()).toEqual(before);
    const { rows } = await sql<{ n: string }>`select count(*) as n from eva_private.migrations`.execute(t.db);
    const files = readdirSync(new URL("../db/migrations/", import.meta.url)).filter((f) => f.endsWith(".sql"));
    expect(Number(rows[0]?.n)).toBe(files.length);
  });

  it("restores a policy, a grant and a function body changed by hand", async () => {
    const before = await fingerprint();
    await sql`drop policy "services add chairman decisions" on eva.chairman_decisions`.execute(t.db);
    await sql`revoke select on eva.ventures from eva_viewer`.execute(t.db);
    await sql`grant insert on eva.ventures to eva_service`.execute(t.db);
    await sql`create or replace function eva.fn_is_chairman() returns boolean language sql stable
              security definer set search_path = pg_catalog, pg_temp as $$ select true $$`.execute(t.db);
    const tampered = await fingerprint();
    expect(tampered.policies).not.toBe(before.policies);
    expect(tampered.tableAcls).not.toBe(before.tableAcls);
    expect(tampered.functions).not.toBe(before.functions);

    const report = await migrate(t.url);
    expect(report.applied).toEqual([]);
    expect(await fingerprint()).toEqual(before);
    const isChairman = (role: Role) =>
      withRole(
        t.db,
        role,
        async (trx) => (await sql<{ yes: boolean }>`select eva.fn_is_chairman() as yes`.execute(trx)).rows[0]?.yes,
      );
    expect(await isChairman("eva_service")).toBe(false);
    expect(await isChairman("eva_chairman")).toBe(true);
  });
});
