// The portfolio's vital signs over time (eva.fn_portfolio_metrics_history, the
// dashboard's charts): a portfolio whose events are placed on known days, read
// back per period as the Chairman and a viewer. Every figure is counted in
// SQL; a period with nothing to count is null, never carried over.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withRole } from "../src/db/client.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";

const t = await createTestDatabase();
afterAll(() => t.drop());

interface Period {
  period: number;
  ventures_created: number;
  ventures_ended: number;
  ventures_killed: number;
  kill_rate: string | null;
  outcomes: number;
  successes: number;
  success_rate: string | null;
  stage_transitions: number;
  cycle_days: string | null;
  dfe_evaluated: number;
  auto_proceed_rate: string | null;
  revenue: string | null;
  revenue_ventures: number;
  revenue_simulated: boolean;
}

const ago = (days: number) => sql`now() - make_interval(secs => ${days * 86400})`;

beforeAll(async () => {
  // Four ventures, created 4 days ago (a, b, c) and 1.5 days ago (d): with 4 periods, each period is one day.
  const [a, b, c, d] = [
    await createVenture(t.db),
    await createVenture(t.db),
    await createVenture(t.db),
    await createVenture(t.db),
  ];
  for (const [v, days] of [
    [a, 4],
    [b, 4],
    [c, 4],
    [d, 1.5],
  ] as const)
    await sql`update eva.ventures set created_at = ${ago(days)} where id = ${v?.id}::uuid`.execute(t.db);
  // Period 1: b is killed; period 3: c is killed, a reaches Stage 23 (a success).
  await sql`update eva.ventures set status = 'killed' where id in (${b?.id}::uuid, ${c?.id}::uuid)`.execute(t.db);
  await sql`update eva.ventures set status_changed_at = ${ago(3.5)} where id = ${b?.id}::uuid`.execute(t.db);
  await sql`update eva.ventures set status_changed_at = ${ago(1.2)} where id = ${c?.id}::uuid`.execute(t.db);
  await sql`delete from eva.venture_stage_transitions`.execute(t.db);
  // a: Stage 1 → 2 three days ago (it took 1 day), 22 → 23 1.2 days ago (it took 1.8 days).
  await sql`insert into eva.venture_stage_transitions (venture_id, from_stage, to_stage, transition_type, created_at)
    values (${a?.id}::uuid, 1, 2, 'advance', ${ago(3)}), (${a?.id}::uuid, 22, 23, 'advance', ${ago(1.2)})`.execute(
    t.db,
  );
  await sql`delete from eva.eva_event_log where event_type = 'dfe.evaluated'`.execute(t.db);
  // DFE: period 2 two evaluations, one AUTO_PROCEED; none elsewhere.
  await sql`insert into eva.eva_event_log (event_type, venture_id, payload, created_at) values
    ('dfe.evaluated', ${a?.id}::uuid, '{"output":"AUTO_PROCEED"}', ${ago(2.5)}),
    ('dfe.evaluated', ${a?.id}::uuid, '{"output":"ESCALATE"}', ${ago(2.4)})`.execute(t.db);
  // Revenue: a's launch scorecard (measured) half a day ago, d's (a simulation) now.
  const card = (mrr: number) =>
    JSON.stringify({
      aarrr: {
        revenue: [
          { name: "MRR", value: mrr },
          { name: "Revenue growth %", value: 12 },
        ],
      },
    });
  await sql`insert into eva.venture_artifacts (venture_id, lifecycle_stage, artifact_type, content, epistemic_classification, created_at)
    values (${a?.id}::uuid, 24, 'launch_scorecard', ${card(1200)}::jsonb, 'fact', ${ago(0.5)})`.execute(t.db);
  await sql`insert into eva.venture_artifacts (venture_id, lifecycle_stage, artifact_type, content, epistemic_classification)
    values (${d?.id}::uuid, 24, 'launch_scorecard', ${card(300)}::jsonb, 'simulation')`.execute(t.db);
});

async function history(role: "eva_chairman" | "eva_viewer"): Promise<Period[]> {
  return withRole(
    t.db,
    role,
    async (trx) => (await sql<Period>`select * from eva.fn_portfolio_metrics_history(4)`.execute(trx)).rows,
  );
}

describe("eva.fn_portfolio_metrics_history", () => {
  it("counts what happened in each period and leaves periods with nothing to count empty", async () => {
    const rows = await history("eva_chairman");
    expect(rows.map((r) => r.period)).toEqual([1, 2, 3, 4]);
    expect(rows.map((r) => r.ventures_created)).toEqual([3, 0, 1, 0]);
    // Kill rate: killed / ended in the period; null where nothing ended.
    expect(rows.map((r) => [r.ventures_ended, r.ventures_killed, r.kill_rate])).toEqual([
      [1, 1, "1.0000"],
      [0, 0, null],
      [1, 1, "1.0000"],
      [0, 0, null],
    ]);
    // Success rate: period 3 holds a's success (Stage 23) and c's kill.
    expect(rows.map((r) => [r.outcomes, r.successes, r.success_rate])).toEqual([
      [1, 0, "0.0000"],
      [0, 0, null],
      [2, 1, "0.5000"],
      [0, 0, null],
    ]);
    expect(rows.map((r) => [r.stage_transitions, r.cycle_days])).toEqual([
      [0, null],
      [1, "1.00"],
      [1, "1.80"],
      [0, null],
    ]);
    expect(rows.map((r) => [r.dfe_evaluated, r.auto_proceed_rate])).toEqual([
      [0, null],
      [2, "0.5000"],
      [0, null],
      [0, null],
    ]);
    // Revenue at each period's end: MRR only (the percentage is left out); the last period includes d's simulation.
    expect(rows.map((r) => [r.revenue, r.revenue_ventures, r.revenue_simulated])).toEqual([
      [null, 0, false],
      [null, 0, false],
      [null, 0, false],
      ["1500", 2, true],
    ]);
  });

  it("takes each venture's highest scorecard version written before the period's end", async () => {
    // A second version of a's scorecard, dated 2.5 days ago (period 2): from period 2 on it is a's latest
    // (the first version, half a day ago, has the lower version number). Rolled back afterwards.
    const [a] = (
      await sql<{ id: string }>`select venture_id as id from eva.venture_artifacts
      where artifact_type = 'launch_scorecard' and epistemic_classification = 'fact'`.execute(t.db)
    ).rows;
    const rows = await t.db
      .transaction()
      .execute(async (trx) => {
        // Written as if 2.5 days ago: past the triggers that stamp a new version with now() (replica role).
        await sql`set local session_replication_role = replica`.execute(trx);
        await sql`insert into eva.venture_artifacts
            (venture_id, lifecycle_stage, artifact_type, version, is_current, content, epistemic_classification, created_at)
          values (${a?.id}::uuid, 24, 'launch_scorecard', 2, false, '{"aarrr":{"revenue":[{"name":"MRR","value":1000}]}}'::jsonb,
                  'fact', ${ago(2.5)})`.execute(trx);
        await sql`set local session_replication_role = origin`.execute(trx);
        await sql`set local role eva_chairman`.execute(trx);
        const { rows } = await sql<Period>`select * from eva.fn_portfolio_metrics_history(4)`.execute(trx);
        throw Object.assign(new Error("roll back"), { rows });
      })
      .catch((error: { rows?: Period[] }) => error.rows);
    expect(rows?.map((r) => [r.revenue, r.revenue_ventures, r.revenue_simulated])).toEqual([
      [null, 0, false],
      ["1000", 1, false],
      ["1000", 1, false],
      ["1300", 2, true],
    ]);
  });

  it("lets viewers read it, and bounds the number of periods", async () => {
    expect((await history("eva_viewer")).length).toBe(4);
    const n = async (p: number) =>
      withRole(t.db, "eva_chairman", async (trx) =>
        Number(
          (await sql<{ n: string }>`select count(*) as n from eva.fn_portfolio_metrics_history(${p})`.execute(trx))
            .rows[0]?.n,
        ),
      );
    expect([await n(0), await n(500)]).toEqual([1, 120]);
  });
});
