// The zod mirrors of the database's enum types stay identical to them.
import { sql } from "kysely";
import { afterAll, expect, it } from "vitest";
import { databaseEnums } from "../src/stages/enums.ts";
import { createTestDatabase } from "./helpers/database.ts";

const t = await createTestDatabase();
afterAll(() => t.drop());

it.each(Object.entries(databaseEnums))("eva.%s has the same values as its zod enum", async (typeName, schema) => {
  const { rows } = await sql<{ label: string }>`
    select e.enumlabel as label from pg_enum e
    join pg_type ty on ty.oid = e.enumtypid join pg_namespace n on n.oid = ty.typnamespace
    where n.nspname = 'eva' and ty.typname = ${typeName} order by e.enumsortorder`.execute(t.db);
  expect(rows.map((r) => r.label)).toEqual(schema.options);
});
