// Immutable artifact versioning (spec §5, Decision #34).
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { withRole } from "../src/db/client.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";

const t = await createTestDatabase();
afterAll(() => t.drop());

async function writeVersion(ventureId: string, content: object) {
  return withRole(t.db, "eva_service", (trx) =>
    trx
      .insertInto("venture_artifacts")
      .values({
        venture_id: ventureId,
        lifecycle_stage: 2,
        artifact_type: "idea_validation",
        content: JSON.stringify(content),
        epistemic_classification: "simulation",
        quality_score: 70,
      } as never)
      .returning(["id", "version", "is_current"])
      .executeTakeFirstOrThrow(),
  );
}

describe("venture artifact versions", () => {
  it("numbers versions and flips the previous current version in the same transaction", async () => {
    const v = await createVenture(t.db);
    const first = await writeVersion(v.id, { compositeScore: 61 });
    const second = await writeVersion(v.id, { compositeScore: 72 });
    expect(first).toMatchObject({ version: 1, is_current: true });
    expect(second).toMatchObject({ version: 2, is_current: true });
    const rows = await t.db
      .selectFrom("venture_artifacts")
      .select(["version", "is_current", "content"])
      .where("venture_id", "=", v.id)
      .where("lifecycle_stage", "=", 2)
      .orderBy("version")
      .execute();
    expect(rows.map((r) => [r.version, r.is_current])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(rows[0]?.content).toEqual({ compositeScore: 61 });
  });

  it("keeps exactly one current version under concurrent writers", async () => {
    const v = await createVenture(t.db);
    await Promise.all(Array.from({ length: 8 }, (_, i) => writeVersion(v.id, { n: i })));
    const rows = await t.db
      .selectFrom("venture_artifacts")
      .select(["version", "is_current"])
      .where("venture_id", "=", v.id)
      .where("lifecycle_stage", "=", 2)
      .orderBy("version")
      .execute();
    expect(rows.map((r) => r.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(rows.filter((r) => r.is_current)).toHaveLength(1);
  });

  it("refuses to update a version's content, even as the table owner", async () => {
    const v = await createVenture(t.db);
    await writeVersion(v.id, { compositeScore: 50 });
    await expect(
      sql`update eva.venture_artifacts set content = '{"compositeScore": 99}' where venture_id = ${v.id}`.execute(t.db),
    ).rejects.toMatchObject({ code: "EV430" });
    await expect(
      withRole(t.db, "eva_service", (trx) =>
        sql`update eva.venture_artifacts set quality_score = 99 where venture_id = ${v.id}`.execute(trx),
      ),
    ).rejects.toMatchObject({ code: "42501" });
  });

  it("refuses to delete or truncate versions", async () => {
    const v = await createVenture(t.db);
    await writeVersion(v.id, { compositeScore: 50 });
    await expect(sql`delete from eva.venture_artifacts where venture_id = ${v.id}`.execute(t.db)).rejects.toMatchObject(
      {
        code: "EV430",
      },
    );
    await expect(sql`truncate eva.venture_artifacts cascade`.execute(t.db)).rejects.toMatchObject({ code: "EV430" });
  });

  it("never lets a retired version become current again", async () => {
    const v = await createVenture(t.db);
    const first = await writeVersion(v.id, { a: 1 });
    await writeVersion(v.id, { a: 2 });
    await expect(
      sql`update eva.venture_artifacts set is_current = true where id = ${first.id}`.execute(t.db),
    ).rejects.toMatchObject({ code: "EV430" });
  });

  it("lets the validation verdict change on a version", async () => {
    const v = await createVenture(t.db);
    const a = await writeVersion(v.id, { a: 1 });
    await withRole(t.db, "eva_chairman", (trx) =>
      trx.updateTable("venture_artifacts").set({ validation_status: "rejected" }).where("id", "=", a.id).execute(),
    );
    const row = await t.db
      .selectFrom("venture_artifacts")
      .select("validation_status")
      .where("id", "=", a.id)
      .executeTakeFirst();
    expect(row?.validation_status).toBe("rejected");
  });
});
