// The learning loop's Thompson sampling through its real SQL path (issue 13):
// 10 Bernoulli arms (simulated rewards, seeded), 100,000 pulls in batches —
// each batch's arms drawn by marketing.fn_bandit_select (one recorded
// selection per pull, every draw kept), the rewards simulated here, then
// added per arm by marketing.fn_bandit_update. Rows, labelled "regret":
//  - cumulative (pseudo-)regret Σ (μ* − μ_chosen) of Thompson sampling,
//  - beside the Lai-Robbins lower bound for the same arms,
//    Σ_{a ≠ *} (μ* − μ_a) / KL(μ_a, μ*) × ln T (aim: ≤ 1.5×; the bound is
//    asymptotic, so at 100,000 pulls Thompson sampling may be below it),
//  - and beside uniform allocation's expected regret, T × (μ* − mean μ);
// plus selections per second through SQL (the batch statements alone).
// EVA_BENCH_BANDIT_PULLS and EVA_BENCH_BANDIT_BATCH change the size.
import { sql } from "kysely";
import { connect, withRole } from "../src/db/client.ts";
import type { BenchServer, Measurement } from "./lib.ts";
import { abortable, progress } from "./lib.ts";

const MEANS = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5];
const PULLS = Number(process.env.EVA_BENCH_BANDIT_PULLS ?? 100_000);
const BATCH = Number(process.env.EVA_BENCH_BANDIT_BATCH ?? 20);

/** Bernoulli KL divergence KL(p ‖ q). */
function kl(p: number, q: number): number {
  return p * Math.log(p / q) + (1 - p) * Math.log((1 - p) / (1 - q));
}

/** The asymptotic lower bound on any consistent policy's regret after `pulls` (Lai & Robbins 1985). */
export function laiRobbinsBound(means: readonly number[], pulls: number): number {
  const best = Math.max(...means);
  return means.filter((m) => m < best).reduce((sum, m) => sum + (best - m) / kl(m, best), 0) * Math.log(pulls);
}

/** A small seeded PRNG (mulberry32) for the simulated rewards. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function banditBench(server: BenchServer, signal: AbortSignal): Promise<Measurement[]> {
  const database = await server.freshDatabase("bandit");
  // One connection: the session's setseed makes the SQL draws repeat exactly.
  const c = connect(database.url, { max: 1 });
  try {
    const venture = await withRole(c.db, "eva_chairman", (trx) =>
      sql<{ id: string }>`select id from eva.fn_create_venture('Bandit bench venture',
        'An invoice reconciliation assistant for small accounting firms that drown in paperwork.',
        'Small firms lose hours every week matching invoices to payments.',
        'Matches every invoice to its payment automatically, with an audit trail.',
        'Accounting firms with 2-20 staff in the EU', 'saas'::eva.venture_archetype, array['a'], array['b'])`.execute(
        trx,
      ),
    );
    const ventureId = venture.rows[0]?.id as string;
    const names = MEANS.map((_, i) => `arm_${i}`);
    const bandit = await sql<{ id: string }>`
      select marketing.fn_bandit_ensure(${ventureId}::uuid, 'channel', 'bench', ${names}::text[]) as id`.execute(c.db);
    const banditId = bandit.rows[0]?.id as string;
    const arms = await sql<{ id: string; arm_value: string }>`
      select id, arm_value from marketing.bandit_arms where bandit_id = ${banditId}::uuid`.execute(c.db);
    const meanOf = new Map(arms.rows.map((a) => [a.id, MEANS[names.indexOf(a.arm_value)] as number]));
    await sql`select setseed(0.42)`.execute(c.db);

    const best = Math.max(...MEANS);
    const draw = rng(42);
    let regret = 0;
    let selectMs = 0;
    let pulled = 0;
    progress(`bandit: ${PULLS} pulls of ${MEANS.length} Bernoulli arms in batches of ${BATCH}`);
    while (pulled < PULLS) {
      signal.throwIfAborted();
      const n = Math.min(BATCH, PULLS - pulled);
      const t0 = performance.now();
      const chosen = await abortable(
        // In the select list, one call per row (a lateral call that names no outer column runs once).
        sql<{
          arm_id: string;
        }>`select (x.s).arm_id from (select marketing.fn_bandit_select(${banditId}::uuid, 'bench') as s
          from pg_catalog.generate_series(1, ${n}) g offset 0) x`.execute(c.db),
        signal,
      );
      selectMs += performance.now() - t0;
      const tally = new Map<string, { successes: number; trials: number }>();
      for (const { arm_id } of chosen.rows) {
        const mu = meanOf.get(arm_id) as number;
        regret += best - mu;
        const t = tally.get(arm_id) ?? { successes: 0, trials: 0 };
        t.trials += 1;
        if (draw() < mu) t.successes += 1;
        tally.set(arm_id, t);
      }
      const ids = [...tally.keys()];
      await sql`select marketing.fn_bandit_update(u.a, u.s, u.n)
        from unnest(${ids}::uuid[], ${ids.map((id) => tally.get(id)?.successes ?? 0)}::numeric[],
          ${ids.map((id) => tally.get(id)?.trials ?? 0)}::numeric[]) as u (a, s, n)`.execute(c.db);
      pulled += n;
      if (pulled % 20_000 === 0) progress(`bandit: ${pulled} pulls, regret ${regret.toFixed(1)}`);
    }
    const recorded = await sql<{ n: number }>`select count(*)::int as n from marketing.bandit_selections
      where bandit_id = ${banditId}::uuid`.execute(c.db);
    if (recorded.rows[0]?.n !== PULLS)
      throw new Error(`expected ${PULLS} recorded selections, found ${recorded.rows[0]?.n}`);

    const bound = laiRobbinsBound(MEANS, PULLS);
    const uniform = PULLS * (best - MEANS.reduce((s, m) => s + m, 0) / MEANS.length);
    const setting = `simulation: ${MEANS.length} Bernoulli arms μ ${MEANS[0]}…${best}, ${PULLS.toLocaleString("en-US")} pulls, batches of ${BATCH}`;
    return [
      {
        id: "bandit.regret.lai_robbins",
        label: "bandit regret: Lai-Robbins lower bound",
        value: bound,
        unit: "regret",
        note: `Σ (μ*−μa)/KL(μa,μ*) · ln T, asymptotic (a finite run may fall below it); ${setting}`,
      },
      {
        id: "bandit.regret.thompson",
        label: "bandit regret: Thompson sampling through SQL",
        value: regret,
        unit: "regret",
        vs: "bandit.regret.lai_robbins",
        note: `${setting}; cumulative pseudo-regret via marketing.fn_bandit_select / fn_bandit_update (aim ≤ 1.5× the bound)`,
      },
      {
        id: "bandit.regret.uniform",
        label: "bandit regret: uniform allocation",
        value: uniform,
        unit: "regret",
        vs: "bandit.regret.thompson",
        note: `expected T·(μ* − mean μ) for the same arms; ratio is uniform ÷ Thompson`,
      },
      {
        id: "bandit.select_per_s",
        label: "bandit selections through SQL",
        value: PULLS / (selectMs / 1000),
        unit: "selections/s",
        vsFloor: "floor.jobs_per_s",
        note: `marketing.fn_bandit_select, ${MEANS.length} Beta draws each, recorded with its draws, ${BATCH} per statement`,
      },
    ];
  } finally {
    await c.close();
    await database.drop();
  }
}
