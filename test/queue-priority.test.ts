// The decision queue ranks by a stored priority (ventures.priority_base plus
// the dwell term at read time): the stored part must follow every write of
// its inputs, whoever makes it (a service's revenue or health, a stage
// change, a dependency declared or met, a dependent's revenue), and equal the
// spec's formula computed from scratch.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Role, withRole } from "../src/db/client.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { advance, createVenture } from "./helpers/fixtures.ts";

const t = await createTestDatabase();
afterAll(() => t.drop());

async function as<R>(role: Role, statement: string): Promise<R[]> {
  return withRole(t.db, role, async (trx) => (await sql.raw<R>(statement).execute(trx)).rows);
}

async function owner(statement: string): Promise<void> {
  await sql.raw(statement).execute(t.db);
}

/** The spec's formula (eva.fn_venture_priority before it was stored), computed from scratch from the inputs. */
const FROM_SCRATCH = `round((
    0.30 * least(100, 100 * log(1 + greatest(coalesce(v.projected_revenue, 0), 0)) / 7)
  + 0.25 * 100 * coalesce(v.health_score, 0.5)
  + 0.15 * 100 * v.current_lifecycle_stage / 25.0
  + 0.20 * least(100, 100 * log(1 + greatest(coalesce((
      select sum(dv.projected_revenue) from eva.venture_dependencies vd
      join eva.ventures dv on dv.id = vd.dependent_venture_id
      where vd.provider_venture_id = v.id and vd.status = 'pending'), 0), 0)) / 7)
  + 0.10 * 100 / greatest(extract(epoch from now() - v.stage_entered_at) / 86400, 1))::numeric, 2)`;

async function priority(ventureId: string): Promise<{ stored: number; scratch: number }> {
  const [row] = await as<{ stored: string; scratch: string }>(
    "eva_viewer",
    `select eva.fn_venture_priority(v) as stored, ${FROM_SCRATCH} as scratch from eva.ventures v where v.id = '${ventureId}'`,
  );
  return { stored: Number(row?.stored), scratch: Number(row?.scratch) };
}

async function queue(): Promise<string[]> {
  const rows = await as<{ venture_id: string }>(
    "eva_chairman",
    "select venture_id from eva.decision_queue where venture_id is not null",
  );
  return rows.map((r) => r.venture_id);
}

let first: { id: string };
let second: { id: string };
let provider: { id: string };
let dependent: { id: string };

beforeAll(async () => {
  first = await createVenture(t.db);
  second = await createVenture(t.db);
  provider = await createVenture(t.db);
  dependent = await createVenture(t.db);
  // Two decisions of the same urgency: with equal priority the older (first) leads.
  for (const v of [first, second]) {
    await sql`insert into eva.chairman_decisions (venture_id, lifecycle_stage, decision_type, recommended_action, urgency)
      values (${v.id}::uuid, 25, 'venture_future', 'continue', 'daily')`.execute(t.service);
  }
});

describe("the stored venture priority", () => {
  it("follows the revenue and health written to a venture, and the queue re-ranks at once", async () => {
    expect(await queue()).toEqual([first.id, second.id]);
    // The inputs' writers are EVA's own functions and triggers (no request role updates ventures directly).
    await owner(`update eva.ventures set projected_revenue = 5000000 where id = '${second.id}'`);
    expect(await queue()).toEqual([second.id, first.id]);
    await owner(`update eva.ventures set health_score = 1, projected_revenue = 9000000 where id = '${first.id}'`);
    expect(await queue()).toEqual([first.id, second.id]);
    for (const v of [first, second]) {
      const p = await priority(v.id);
      expect(p.stored).toBe(p.scratch);
    }
  });

  it("follows a stage change", async () => {
    const before = await priority(provider.id);
    await advance(t.db, provider.id, 1);
    const after = await priority(provider.id);
    expect(after.stored).toBe(after.scratch);
    // 0.15 * 100 / 25 per stage; the dwell term is 10 in both (under a day in the stage).
    expect(after.stored - before.stored).toBeCloseTo(0.6, 2);
  });

  it("follows a dependency declared, a dependent's revenue, and the dependency met", async () => {
    const alone = await priority(provider.id);
    // The Chairman declares it through its one writer.
    await as("eva_chairman", `select eva.fn_add_venture_dependency('${dependent.id}', '${provider.id}', 5, 'hard')`);
    // The dependent projects nothing yet: the downstream term stays 0.
    expect((await priority(provider.id)).stored).toBe(alone.stored);

    await owner(`update eva.ventures set projected_revenue = 9999 where id = '${dependent.id}'`);
    const waited = await priority(provider.id);
    expect(waited.stored).toBe(waited.scratch);
    // downstream = 0.20 * 100 * log10(10000) / 7
    expect(waited.stored - alone.stored).toBeCloseTo((0.2 * 100 * 4) / 7, 1);

    // Met, as the provider's progress marks it (eva_private.tg_ventures_dependency_progress).
    await owner(
      `update eva.venture_dependencies set status = 'met', resolved_at = now() where provider_venture_id = '${provider.id}'`,
    );
    const met = await priority(provider.id);
    expect(met.stored).toBe(met.scratch);
    expect(met.stored).toBe(alone.stored);
  });

  it("equals the formula computed from scratch for every venture", async () => {
    const rows = await as<{ id: string; stored: string; scratch: string }>(
      "eva_viewer",
      `select v.id, eva.fn_venture_priority(v) as stored, ${FROM_SCRATCH} as scratch from eva.ventures v`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(4);
    for (const r of rows) expect(r.stored).toBe(r.scratch);
  });
});

describe("the queue's DFE columns", () => {
  it("are the decision's context, copied on write", async () => {
    const dfe = {
      triggers: [{ type: "cost_threshold", detail: "cost 80000 over 50000" }],
      mitigations: ["Cheaper vendor"],
    };
    const [row] = await as<{ dfe_triggers: unknown; dfe_mitigations: unknown }>(
      "eva_service",
      `insert into eva.chairman_decisions (venture_id, lifecycle_stage, decision_type, recommended_action, context)
       values ('${provider.id}', 2, 'dfe_escalation', 'proceed', '${JSON.stringify({ dfe })}')
       returning dfe_triggers, dfe_mitigations`,
    );
    expect(row).toEqual({ dfe_triggers: dfe.triggers, dfe_mitigations: dfe.mitigations });
    const [plain] = await as<{ dfe_triggers: unknown; dfe_mitigations: unknown }>(
      "eva_chairman",
      `select dfe_triggers, dfe_mitigations from eva.decision_queue where venture_id = '${first.id}'`,
    );
    expect(plain).toEqual({ dfe_triggers: [], dfe_mitigations: [] });
  });
});
