// Scheduler tick cost (spec §4 Layer 1): the portfolio health scan and the
// due-work tick over 689 and then 6,890 ventures in one database, every
// venture due (the scheduler's clock is moved past every due time between
// ticks, not measured). A tenth of the ventures carry a Stage 25 review
// (their health is read from it); each due-work tick releases one scheduled
// Stage 24 run per venture, whose stage_run job the ready trigger queues.
// Aim: linear, the per-venture cost at 6,890 within 1.2× of that at 689.
import { performance } from "node:perf_hooks";
import { sql } from "kysely";
import { connect, withRole } from "../src/db/client.ts";
import { type BenchServer, type Measurement, median, progress } from "./lib.ts";

const SIZES = [689, 6890] as const;
const ROUNDS = 5;

export async function schedulerTick(server: BenchServer, signal: AbortSignal): Promise<Measurement[]> {
  const database = await server.freshDatabase("scheduler_tick");
  const connection = connect(database.url, { max: 2, applicationName: "eva-bench" });
  const service = connect(database.url, { max: 1, applicationName: "eva-bench-service", role: "eva_service" });
  const rows: Measurement[] = [];
  try {
    let have = 0;
    for (const size of SIZES) {
      signal.throwIfAborted();
      progress(`scheduler tick: creating ventures ${have + 1}-${size}`);
      await withRole(connection.db, "eva_chairman", (trx) =>
        sql`select count(*) from generate_series(${have + 1}::int, ${size}::int) as i,
          lateral eva.fn_create_venture('Tick bench ' || i, repeat('A venture the scheduler looks after. ', 3),
            'A problem worth scheduling, number ' || i, 'A value proposition worth a cadence', 'Small firms everywhere',
            'saas') as v`.execute(trx),
      );
      // A tenth get a Stage 25 review with a health figure; the scan reads it.
      await sql`insert into eva.venture_artifacts (venture_id, lifecycle_stage, artifact_type, content, quality_score,
                  validation_status, epistemic_classification)
                select v.id, 25, 'venture_review', jsonb_build_object('ventureHealth',
                  jsonb_build_object('overall', 30 + (row_number() over (order by v.id)) % 60)), 80, 'validated', 'simulation'
                from eva.ventures v
                where v.name ~ '^Tick bench ' and substring(v.name from 12)::int > ${have}::int
                  and substring(v.name from 12)::int % 10 = 0`.execute(connection.db);
      // Stage 1's jobs queued at creation are not what is measured.
      await sql`delete from graphile_worker._private_jobs`.execute(connection.db);
      have = size;

      // Warm-up scan: creates the ventures' cadence rows.
      await sql`select eva.fn_set_scheduler_clock('400 days')`.execute(connection.db);
      await sql`select eva_private.fn_scheduler_health_scan()`.execute(service.db);
      const scan: number[] = [];
      const due: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        signal.throwIfAborted();
        await sql`select eva.fn_set_scheduler_clock('8 days')`.execute(connection.db);
        let t0 = performance.now();
        const { rows: scanned } = await sql<{ r: { examined: number } }>`
          select eva_private.fn_scheduler_health_scan() as r`.execute(service.db);
        scan.push(performance.now() - t0);
        if (scanned[0]?.r.examined !== size)
          throw new Error(`the scan examined ${scanned[0]?.r.examined}, not ${size}`);

        // Every venture's open work becomes a scheduled run that is due.
        await sql`update eva.venture_stage_work set status = 'scheduled', due_at = eva.fn_scheduler_now() - interval '1 minute'
                  where status = 'ready'`.execute(connection.db);
        t0 = performance.now();
        const { rows: released } = await sql<{ n: number }>`
          select eva_private.fn_scheduler_release_due() as n`.execute(service.db);
        due.push(performance.now() - t0);
        if (released[0]?.n !== size) throw new Error(`the due-work tick released ${released[0]?.n}, not ${size}`);
        await sql`delete from graphile_worker._private_jobs`.execute(connection.db);
      }
      const s = median(scan);
      const d = median(due);
      progress(`scheduler tick at ${size}: health scan ${s.toFixed(1)} ms, due work ${d.toFixed(1)} ms`);
      const per = (ms: number) => (ms * 1000) / size;
      rows.push(
        {
          id: `scheduler.health_scan_ms.${size}`,
          label: `health scan tick, ${size} ventures`,
          value: s,
          unit: "ms",
          note: `median of ${ROUNDS}; all due`,
        },
        {
          id: `scheduler.health_scan_us_per_venture.${size}`,
          label: `health scan per venture, ${size}`,
          value: per(s),
          unit: "µs",
          ...(size === SIZES[1] ? { vs: `scheduler.health_scan_us_per_venture.${SIZES[0]}`, note: "aim ≤ 1.2×" } : {}),
        },
        {
          id: `scheduler.due_work_ms.${size}`,
          label: `due-work tick, ${size} runs released`,
          value: d,
          unit: "ms",
          note: `median of ${ROUNDS}; each queues its stage_run`,
        },
        {
          id: `scheduler.due_work_us_per_venture.${size}`,
          label: `due-work tick per venture, ${size}`,
          value: per(d),
          unit: "µs",
          ...(size === SIZES[1] ? { vs: `scheduler.due_work_us_per_venture.${SIZES[0]}`, note: "aim ≤ 1.2×" } : {}),
        },
      );
    }
    return rows;
  } finally {
    await service.close();
    await connection.close();
    await database.drop();
  }
}
