// Decision → resume latency: the Chairman's decision commits (eva.fn_decide,
// one autocommit statement) and, through the trigger-queued stage_run job,
// the next stage's job starts in a worker. 220 ventures each wait on a
// blocking DFE escalation; they are decided one at a time with the worker idle
// in between, like the add_job→start floor. The stage_run handler here only
// notes its start: what is measured is the database path, not the analysis.
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { Logger, type Runner, run } from "graphile-worker";
import { sql } from "kysely";
import { connect, withRole } from "../src/db/client.ts";
import { ownerPoolFor } from "../src/db/migrate.ts";
import { abortable, type BenchServer, type Measurement, progress, summarize } from "./lib.ts";
import { floor } from "./worker-floor.ts";

const VENTURES = 220;
const WARMUP = 20;

export async function decisionResume(server: BenchServer, signal: AbortSignal): Promise<Measurement[]> {
  const database = await server.freshDatabase("decision_resume");
  const connection = connect(database.url, { max: 2, applicationName: "eva-bench" });
  const chairman = connect(database.url, { max: 1, applicationName: "eva-bench-chairman", role: "eva_chairman" });
  const workerPool = ownerPoolFor(database.url, 4);
  let runner: Runner | undefined;
  try {
    progress(`creating ${VENTURES} ventures, each waiting on a DFE escalation`);
    await withRole(connection.db, "eva_chairman", (trx) =>
      sql`select count(*) from generate_series(1, ${VENTURES}::int) as i,
        lateral eva.fn_create_venture('Decision bench ' || i, repeat('A venture waiting for the Chairman. ', 3),
          'A problem worth a decision, number ' || i, 'A value proposition worth deciding on', 'Small firms everywhere',
          'saas') as v`.execute(trx),
    );
    // Each venture's Stage 1 run ends in a DFE escalation (the route the engine would send).
    await withRole(connection.db, "eva_service", (trx) =>
      sql`select eva.fn_begin_stage_run(w.id), eva.fn_record_stage_result(w.id, '[]'::jsonb, null, '[]'::jsonb,
            '{"action": "escalate", "reason": "bench", "recommendedAction": "proceed",
              "dfe": {"output": "PRESENT_TO_CHAIRMAN", "triggers": [], "patternSignature": ""}}'::jsonb)
          from eva.venture_stage_work w where w.status = 'ready'`.execute(trx),
    );
    // Stage 1's jobs queued at creation find nothing to do; clear them so the worker starts idle.
    await sql`select graphile_worker.remove_job(key) from graphile_worker.jobs where key is not null`.execute(
      connection.db,
    );
    const { rows: pending } = await sql<{ id: string }>`
      select id from eva.chairman_decisions where status = 'pending' order by created_at`.execute(connection.db);

    let onStart: ((at: number) => void) | undefined;
    runner = await run({
      pgPool: workerPool,
      concurrency: 1,
      noHandleSignals: true,
      pollInterval: 2_000,
      logger: new Logger(() => () => {}),
      taskList: {
        stage_run: () => {
          onStart?.(performance.now());
        },
      },
    });
    await sleep(500);

    const samples: number[] = [];
    for (const [i, decision] of pending.entries()) {
      const started = new Promise<number>((resolve) => {
        onStart = resolve;
      });
      const t0 = performance.now();
      await sql`select eva.fn_decide(${decision.id}::uuid, 'proceed', 'bench')`.execute(chairman.db);
      const startedAt = await abortable(started, signal);
      if (i >= WARMUP) samples.push(startedAt - t0);
      await sleep(3 + (i % 6));
      if ((i + 1) % 50 === 0) progress(`decision → resume: ${i + 1}/${pending.length}`);
    }
    const s = summarize(samples);
    const note = `n=${s.n} decisions, min ${s.min.toFixed(2)}, max ${s.max.toFixed(2)} ms`;
    return [
      {
        id: "decision.resume_p50",
        label: "decision→resume latency p50",
        value: s.p50,
        unit: "ms",
        vsFloor: floor.latencyP50,
        note: `${note}; aim within 2× of the floor`,
      },
      {
        id: "decision.resume_p95",
        label: "decision→resume latency p95",
        value: s.p95,
        unit: "ms",
        vsFloor: floor.latencyP95,
      },
      {
        id: "decision.resume_p99",
        label: "decision→resume latency p99",
        value: s.p99,
        unit: "ms",
        vsFloor: floor.latencyP99,
        note: "aim under 50 ms",
      },
    ];
  } finally {
    await runner?.stop().catch(() => {});
    await workerPool.end().catch(() => {});
    await chairman.close();
    await connection.close();
    await database.drop();
  }
}
