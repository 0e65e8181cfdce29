// Chairman decisions and preferences held by the database (spec §6, §11, §12):
// allowed decisions per type, one pending decision per question, only the
// Chairman decides, only through eva.fn_decide, once, and nothing is deleted.
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Role, withRole } from "../src/db/client.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";

const t = await createTestDatabase();
afterAll(() => t.drop());

interface Opening {
  venture_id?: string | null;
  lifecycle_stage: number;
  decision_type: string;
  recommended_action?: string;
  artifact_type?: string;
  artifact_version?: number;
}

function open(values: Opening): Promise<string> {
  return withRole(t.db, "eva_service", async (trx) => {
    const row = await trx.insertInto("chairman_decisions").values(values).returning("id").executeTakeFirstOrThrow();
    return row.id;
  });
}

/** Decides through eva.fn_decide, the one way to decide; returns the rows it decided (1). */
function decideAs(role: Role, id: string, decision: string) {
  return withRole(t.db, role, async (trx) => {
    const { rows } =
      await sql`select * from eva.fn_decide(${id}::uuid, ${decision}, ${`${decision} by ${role}`})`.execute(trx);
    return rows.length;
  });
}

/** Runs `statement` directly as `role`, the way fn_decide is meant to be bypassed. */
function updateAs(role: Role, statement: string) {
  return withRole(t.db, role, (trx) => sql.raw(statement).execute(trx));
}

function read(id: string) {
  return t.db
    .selectFrom("chairman_decisions")
    .select(["status", "decision", "decided_at", "notes"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
}

/** As the table owner, committed (setup the request roles cannot do). */
async function ownerDoes(statement: string): Promise<void> {
  await t.db.transaction().execute(async (trx) => {
    await sql`set local role eva_owner`.execute(trx);
    await sql.raw(statement).execute(trx);
  });
}

/** Runs `statement` as the table owner (all privileges, no RLS), always rolled back. */
async function asOwner(statement: string): Promise<void> {
  await t.db.transaction().execute(async (trx) => {
    await sql`set local role eva_owner`.execute(trx);
    await sql.raw(statement).execute(trx);
    throw new Error(`"${statement}" was not refused`);
  });
}

// Fresh ventures per test, so no test sees another's pending decisions.
let ventureId = "";
let otherVentureId = "";

beforeEach(async () => {
  ventureId = (await createVenture(t.db)).id;
  otherVentureId = (await createVenture(t.db)).id;
});

describe("chairman decisions", () => {
  it("allows only the decisions of the decision's type (EV400 when deciding, 23503 when opening)", async () => {
    const brand = await open({ venture_id: ventureId, lifecycle_stage: 10, decision_type: "brand_approval" });
    await expect(decideAs("eva_chairman", brand, "release")).rejects.toMatchObject({ code: "EV400" });
    await expect(decideAs("eva_chairman", brand, "continue")).rejects.toMatchObject({ code: "EV400" });
    expect(await read(brand)).toMatchObject({ status: "pending", decision: null });
    await expect(
      open({
        venture_id: ventureId,
        lifecycle_stage: 22,
        decision_type: "brand_approval",
        recommended_action: "release",
      }),
    ).rejects.toMatchObject({ code: "23503" });
    await expect(
      open({ venture_id: ventureId, lifecycle_stage: 10, decision_type: "brand_review" }),
    ).rejects.toMatchObject({
      code: "23503",
    });

    await expect(decideAs("eva_chairman", brand, "reject")).resolves.toBe(1);
    expect(await read(brand)).toMatchObject({ status: "decided", decision: "reject" });
  });

  it("keeps one pending decision per venture, stage and type (23505)", async () => {
    const first = await open({ venture_id: ventureId, lifecycle_stage: 22, decision_type: "dfe_escalation" });
    await expect(
      open({ venture_id: ventureId, lifecycle_stage: 22, decision_type: "dfe_escalation" }),
    ).rejects.toMatchObject({
      code: "23505",
    });
    // Another type at the same stage, or the same question for another venture, is a different decision.
    await open({ venture_id: ventureId, lifecycle_stage: 22, decision_type: "release_decision" });
    await open({ venture_id: otherVentureId, lifecycle_stage: 22, decision_type: "dfe_escalation" });
    // Once decided, the question can be asked again.
    await decideAs("eva_chairman", first, "block");
    await expect(
      open({ venture_id: ventureId, lifecycle_stage: 22, decision_type: "dfe_escalation" }),
    ).resolves.toEqual(expect.any(String));
  });

  it("lets the Chairman decide a pending decision and records when", async () => {
    const id = await open({ venture_id: ventureId, lifecycle_stage: 10, decision_type: "dfe_escalation" });
    const before = Date.now() - 5_000;
    await expect(decideAs("eva_chairman", id, "block")).resolves.toBe(1);
    const row = await read(id);
    expect(row).toMatchObject({ status: "decided", decision: "block", notes: "block by eva_chairman" });
    expect(row.decided_at?.getTime()).toBeGreaterThan(before);
  });

  it("refuses every other role deciding (42501), any role updating a decision directly (42501), and the table owner too (EV403)", async () => {
    const id = await open({ venture_id: ventureId, lifecycle_stage: 12, decision_type: "dfe_escalation" });
    for (const role of ["eva_service", "eva_viewer", "eva_anonymous"] as const) {
      await expect(decideAs(role, id, "proceed")).rejects.toMatchObject({ code: "42501" });
    }
    for (const role of ["eva_chairman", "eva_service", "eva_viewer", "eva_anonymous"] as const) {
      for (const set of ["status = 'decided', decision = 'proceed'", "status = 'withdrawn'", "notes = 'edited'"]) {
        await expect(
          updateAs(role, `update eva.chairman_decisions set ${set} where id = '${id}'`),
          `${role}: ${set}`,
        ).rejects.toMatchObject({ code: "42501", message: "permission denied for table chairman_decisions" });
      }
    }
    // A client cannot pretend to be fn_decide: the flag it sets for the guard opens no grant.
    await expect(
      withRole(t.db, "eva_chairman", async (trx) => {
        await sql`select set_config('eva.deciding', ${id}, true)`.execute(trx);
        await sql
          .raw(`update eva.chairman_decisions set status = 'decided', decision = 'proceed' where id = '${id}'`)
          .execute(trx);
      }),
    ).rejects.toMatchObject({ code: "42501" });
    await expect(
      asOwner(
        `update eva.chairman_decisions set status = 'decided', decision = 'proceed', decided_at = now() where id = '${id}'`,
      ),
    ).rejects.toMatchObject({ code: "EV403" });
    expect(await read(id)).toMatchObject({ status: "pending", decision: null });
  });

  it("refuses re-deciding a decided decision (EV409): a replay changes nothing", async () => {
    const id = await open({ venture_id: ventureId, lifecycle_stage: 13, decision_type: "dfe_escalation" });
    await decideAs("eva_chairman", id, "block");
    const decided = await read(id);
    await expect(decideAs("eva_chairman", id, "proceed")).rejects.toMatchObject({ code: "EV409" });
    await expect(decideAs("eva_chairman", id, "block")).rejects.toMatchObject({ code: "EV409" });
    await expect(
      updateAs("eva_chairman", `update eva.chairman_decisions set notes = 'second thoughts' where id = '${id}'`),
    ).rejects.toMatchObject({ code: "42501" });
    await expect(
      asOwner(`update eva.chairman_decisions set decision = 'proceed' where id = '${id}'`),
    ).rejects.toMatchObject({ code: "EV409" });
    expect(await read(id)).toEqual(decided);
  });

  it("refuses deciding a withdrawn decision (EV409)", async () => {
    const id = await open({ venture_id: ventureId, lifecycle_stage: 14, decision_type: "dfe_escalation" });
    await ownerDoes(`update eva.chairman_decisions set status = 'withdrawn' where id = '${id}'`);
    await expect(decideAs("eva_chairman", id, "proceed")).rejects.toMatchObject({ code: "EV409" });
  });

  it("never deletes a decision, pending or decided (EV430 for the owner, 42501 for every role)", async () => {
    const pending = await open({ venture_id: ventureId, lifecycle_stage: 15, decision_type: "dfe_escalation" });
    const decided = await open({ venture_id: ventureId, lifecycle_stage: 16, decision_type: "dfe_escalation" });
    await decideAs("eva_chairman", decided, "block");
    for (const id of [pending, decided]) {
      await expect(asOwner(`delete from eva.chairman_decisions where id = '${id}'`)).rejects.toMatchObject({
        code: "EV430",
      });
      for (const role of ["eva_chairman", "eva_service", "eva_viewer", "eva_anonymous"] as const) {
        await expect(
          withRole(t.db, role, (trx) => trx.deleteFrom("chairman_decisions").where("id", "=", id).execute()),
        ).rejects.toMatchObject({ code: "42501" });
      }
    }
    await expect(read(pending)).resolves.toMatchObject({ status: "pending" });
  });

  it("stamps who decided and when itself", async () => {
    const id = await open({ venture_id: ventureId, lifecycle_stage: 16, decision_type: "dfe_escalation" });
    const before = new Date(Date.now() - 60_000);
    await decideAs("eva_chairman", id, "block");
    const row = await t.db
      .selectFrom("chairman_decisions")
      .select(["decided_by", "decided_at"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(row.decided_by).toBe("eva_chairman");
    expect(row.decided_at?.getTime()).toBeGreaterThan(before.getTime() + 30_000);
  });

  it("needs a decision with status decided (23514), even from the table owner, who cannot decide at all (EV403)", async () => {
    const id = await open({ venture_id: ventureId, lifecycle_stage: 17, decision_type: "dfe_escalation" });
    const partial = (set: string) => asOwner(`update eva.chairman_decisions set ${set} where id = '${id}'`);
    await expect(partial("decision = 'proceed'")).rejects.toMatchObject({ code: "23514" });
    await expect(partial("status = 'decided'")).rejects.toMatchObject({ code: "EV403" });
    await expect(partial("status = 'withdrawn', decided_at = now()")).rejects.toMatchObject({ code: "23514" });
    expect(await read(id)).toMatchObject({ status: "pending", decision: null, decided_at: null });
  });

  it("opens decisions as pending only, even for the table owner (EV400)", async () => {
    await expect(
      asOwner(
        `insert into eva.chairman_decisions (venture_id, lifecycle_stage, decision_type, status, decision, decided_at) values ('${ventureId}', 18, 'dfe_escalation', 'decided', 'proceed', now())`,
      ),
    ).rejects.toMatchObject({ code: "EV400" });
  });

  it("keeps a decision's venture, stage and type fixed; only a Stage 0 review gains its venture", async () => {
    const id = await open({ venture_id: ventureId, lifecycle_stage: 19, decision_type: "dfe_escalation" });
    await expect(
      asOwner(`update eva.chairman_decisions set venture_id = '${otherVentureId}' where id = '${id}'`),
    ).rejects.toMatchObject({ code: "EV400" });
    await expect(
      asOwner(`update eva.chairman_decisions set lifecycle_stage = 20 where id = '${id}'`),
    ).rejects.toMatchObject({ code: "EV400" });

    // A Stage 0 venture review has no venture until the Chairman approves the brief.
    await expect(open({ venture_id: null, lifecycle_stage: 3, decision_type: "venture_review" })).rejects.toMatchObject(
      {
        code: "23514",
      },
    );
    const review = await open({ venture_id: null, lifecycle_stage: 0, decision_type: "venture_review" });
    await decideAs("eva_chairman", review, "kill");
    // What fn_decide's approval does (as the owner): the decided review gains the venture it created, once.
    await ownerDoes(`update eva.chairman_decisions set venture_id = '${ventureId}' where id = '${review}'`);
    await expect(
      asOwner(`update eva.chairman_decisions set venture_id = '${otherVentureId}' where id = '${review}'`),
    ).rejects.toMatchObject({ code: "EV409" });
    const row = await t.db
      .selectFrom("chairman_decisions")
      .select(["venture_id", "decision"])
      .where("id", "=", review)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ venture_id: ventureId, decision: "kill" });
  });

  it("references the artifact version its context was made from, which must exist (23503)", async () => {
    const writeBrand = () =>
      withRole(t.db, "eva_service", (trx) =>
        trx
          .insertInto("venture_artifacts")
          .values({
            venture_id: ventureId,
            lifecycle_stage: 10,
            artifact_type: "brand_package",
            content: JSON.stringify({ name: "Ledgerly" }),
            epistemic_classification: "simulation",
          } as never)
          .returning("version")
          .executeTakeFirstOrThrow(),
      );
    expect(await writeBrand()).toEqual({ version: 1 });
    const base = { venture_id: ventureId, lifecycle_stage: 10, decision_type: "brand_approval" } as const;
    await expect(open({ ...base, artifact_type: "brand_package", artifact_version: 2 })).rejects.toMatchObject({
      code: "23503",
    });
    // The version must be of this venture's artifact at the decision's stage.
    await expect(
      open({ ...base, venture_id: otherVentureId, artifact_type: "brand_package", artifact_version: 1 }),
    ).rejects.toMatchObject({ code: "23503" });
    await expect(
      open({ ...base, lifecycle_stage: 11, artifact_type: "brand_package", artifact_version: 1 }),
    ).rejects.toMatchObject({ code: "23503" });
    await expect(open({ ...base, artifact_type: "brand_package" })).rejects.toMatchObject({ code: "23514" });

    const id = await open({ ...base, artifact_type: "brand_package", artifact_version: 1 });
    // A newer version retires the one the decision was made from; the reference keeps pointing at it.
    expect(await writeBrand()).toEqual({ version: 2 });
    const referenced = await t.db
      .selectFrom("chairman_decisions as d")
      .innerJoin("venture_artifacts as a", (join) =>
        join
          .onRef("a.venture_id", "=", "d.venture_id")
          .onRef("a.lifecycle_stage", "=", "d.lifecycle_stage")
          .onRef("a.artifact_type", "=", "d.artifact_type")
          .onRef("a.version", "=", "d.artifact_version"),
      )
      .select(["a.version", "a.is_current"])
      .where("d.id", "=", id)
      .executeTakeFirstOrThrow();
    expect(referenced).toEqual({ version: 1, is_current: false });
  });
});

describe("chairman preferences", () => {
  let ventureA = "";
  let ventureB = "";

  beforeAll(async () => {
    ventureA = (await createVenture(t.db)).id;
    ventureB = (await createVenture(t.db)).id;
    await withRole(t.db, "eva_chairman", (trx) =>
      trx
        .insertInto("chairman_preferences")
        .values([
          { scope: "global", venture_id: null, key: "kill_threshold", value: "0.40" },
          { scope: "global", venture_id: null, key: "max_monthly_burn", value: "5000" },
          { scope: "venture", venture_id: ventureA, key: "kill_threshold", value: "0.25" },
          { scope: "venture", venture_id: ventureB, key: "risk_appetite", value: "high" },
        ])
        .execute(),
    );
  });

  const resolve = (role: Role, venture: string | null) =>
    withRole(t.db, role, async (trx) => {
      const { rows } = await sql<{ key: string; value: string; scope: string }>`
        select key, value, scope from eva.fn_resolve_chairman_preferences(${venture}::uuid)
        where key in ('kill_threshold', 'max_monthly_burn', 'risk_appetite') order by key`.execute(trx);
      return rows;
    });

  it("resolves a venture's own value over the global one, falls back to global, and leaves missing keys absent", async () => {
    expect(await resolve("eva_service", ventureA)).toEqual([
      { key: "kill_threshold", value: "0.25", scope: "venture" },
      { key: "max_monthly_burn", value: "5000", scope: "global" },
    ]);
    // Venture B's own key does not leak to A; B falls back to the global threshold.
    expect(await resolve("eva_chairman", ventureB)).toEqual([
      { key: "kill_threshold", value: "0.40", scope: "global" },
      { key: "max_monthly_burn", value: "5000", scope: "global" },
      { key: "risk_appetite", value: "high", scope: "venture" },
    ]);
    expect(await resolve("eva_service", null)).toEqual([
      { key: "kill_threshold", value: "0.40", scope: "global" },
      { key: "max_monthly_burn", value: "5000", scope: "global" },
    ]);
  });

  it("is not resolvable by viewers or anonymous (42501)", async () => {
    await expect(resolve("eva_viewer", ventureA)).rejects.toMatchObject({ code: "42501" });
    await expect(resolve("eva_anonymous", ventureA)).rejects.toMatchObject({ code: "42501" });
  });

  it("keeps one global value per key (NULLS NOT DISTINCT) and one per venture and key (23505)", async () => {
    const add = (scope: "global" | "venture", venture: string | null, key: string) =>
      withRole(t.db, "eva_chairman", (trx) =>
        trx.insertInto("chairman_preferences").values({ scope, venture_id: venture, key, value: "1" }).execute(),
      );
    await expect(add("global", null, "kill_threshold")).rejects.toMatchObject({ code: "23505" });
    await expect(add("venture", ventureA, "kill_threshold")).rejects.toMatchObject({ code: "23505" });
    await expect(add("venture", ventureB, "kill_threshold")).resolves.toBeDefined();
    // Scope and venture agree: a global value names no venture, a venture value names one.
    await expect(add("global", ventureA, "new_key")).rejects.toMatchObject({ code: "23514" });
    await expect(add("venture", null, "new_key")).rejects.toMatchObject({ code: "23514" });
  });
});
