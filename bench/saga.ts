// The saga bench: the same 5-step saga (each step a trivial keyed write) on
// EVA's saga engine (saga_step jobs on graphile-worker, state in eva_sagas /
// eva_saga_steps) and as a DBOS Transact workflow (@dbos-inc/dbos-sdk, its
// system database a separate database on the same server, created and
// dropped here), side by side:
//   - per-step overhead: sequential sagas, start → completion, ÷ 5 steps
//     (the two engines in alternating rounds, both under the same load);
//   - time to resume after a kill: a child process runs the saga, is
//     SIGKILLed in step 3, a new child starts; from the kill (and from the
//     new process being ready) until the saga has completed.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { DBOS } from "@dbos-inc/dbos-sdk";
import { sql } from "kysely";
import pg from "pg";
import { connect, withRole } from "../src/db/client.ts";
import { createOfflineAnalyst } from "../src/llm/offline-analyst.ts";
import { onSagaCompleted } from "../src/orchestration/sagas/engine.ts";
import { startWorker } from "../src/worker.ts";
import { abortable, type BenchServer, type Measurement, median, progress, summarize } from "./lib.ts";
import { BENCH_STEPS, BENCH_TABLE, defineBenchSaga } from "./saga-steps.ts";

const SAGAS = 60;
const WARMUP = 10;
const ROUND = 10;
const KILLS = 3;

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: withDatabase(url, "postgres") });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

function child(args: string[]): { proc: ChildProcess; ready: Promise<number> } {
  const proc = spawn(process.execPath, ["bench/saga-child.ts", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  proc.stderr?.resume();
  const ready = new Promise<number>((resolve, reject) => {
    let buffer = "";
    proc.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      if (buffer.includes("ready")) resolve(performance.now());
    });
    proc.once("exit", (code, sig) => reject(new Error(`bench child exited (${code ?? sig}) before it was ready`)));
  });
  ready.catch(() => {});
  return { proc, ready };
}

async function until(
  what: string,
  probe: () => Promise<boolean>,
  signal: AbortSignal,
  timeoutMs = 60_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (signal.aborted) throw signal.reason;
    if (await probe()) return performance.now();
    await sleep(2);
  }
  throw new Error(`saga bench: timed out waiting for ${what}`);
}

async function kill(proc: ChildProcess): Promise<number> {
  const gone = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  proc.kill("SIGKILL");
  const at = performance.now();
  await gone;
  return at;
}

export async function sagaBench(server: BenchServer, signal: AbortSignal): Promise<Measurement[]> {
  const database = await server.freshDatabase("saga");
  const systemName = `eva_bench_dbos_${process.pid}_${randomBytes(3).toString("hex")}`;
  const systemUrl = withDatabase(database.url, systemName);
  await admin(database.url, (c) => c.query(`create database ${pg.escapeIdentifier(systemName)}`));
  const connection = connect(database.url, { max: 3, applicationName: "eva-bench-saga" });
  const children: ChildProcess[] = [];
  const appPool = new pg.Pool({ connectionString: database.url, max: 2 });
  let dbosLaunched = false;
  try {
    await sql.raw(`${BENCH_TABLE}; grant select, insert on public.bench_writes to eva_service`).execute(connection.db);
    const venture = await withRole(connection.db, "eva_chairman", async (trx) => {
      const { rows } = await sql<{ id: string }>`select id from eva.fn_create_venture('Saga bench',
        repeat('A venture whose sagas are benchmarked. ', 3), 'A problem worth a saga bench', 'A value worth measuring well',
        'Benchmarks everywhere', 'saas')`.execute(trx);
      return rows[0]?.id ?? "";
    });
    await sql`select graphile_worker.remove_job(key) from graphile_worker.jobs where key is not null`.execute(
      connection.db,
    );
    const startSaga = async () => {
      const { rows } = await sql<{ id: string }>`select eva_private.fn_saga_start(${venture}::uuid, 'engine_bench',
        ${BENCH_STEPS}::text[], 'worker') as id`.execute(connection.db);
      return rows[0]?.id ?? "";
    };

    // --- per-step overhead, both in this process, interleaved: rounds of ROUND sagas on EVA then ROUND
    // workflows on DBOS, so a change in the machine's load during the run weighs on both alike (run one
    // after the other, the ratio followed whatever else ran on the machine during each half).
    progress(`EVA and DBOS: ${SAGAS} sequential 5-step sagas / workflows each, in rounds of ${ROUND}`);
    defineBenchSaga();
    const worker = await startWorker({
      url: database.url,
      analyst: createOfflineAnalyst(),
      schedule: false,
      concurrency: 2,
    });
    const evaSamples: number[] = [];
    const dbosSamples: number[] = [];
    // The engine says in this process when a saga it ran has completed (its last step's record
    // committed), as DBOS's workflow handle does: no round trip of the bench's own counts against EVA.
    const completedAt = new Map<string, number>();
    let waiting: { id: string; resolve: (at: number) => void } | undefined;
    const unsubscribe = onSagaCompleted((id) => {
      const at = performance.now();
      if (waiting?.id === id) waiting.resolve(at);
      else completedAt.set(id, at);
    });
    try {
      const evaSaga = async (): Promise<number> => {
        const t0 = performance.now();
        let resolve: (at: number) => void = () => {};
        const done = new Promise<number>((r) => {
          resolve = r;
        });
        const id = await startSaga();
        const early = completedAt.get(id);
        if (early !== undefined) resolve(early);
        else waiting = { id, resolve };
        const t1 = await abortable(done, signal);
        waiting = undefined;
        return (t1 - t0) / BENCH_STEPS.length;
      };

      const workflow = DBOS.registerWorkflow(
        async (run: string) => {
          for (const name of BENCH_STEPS) {
            await DBOS.runStep(
              async () => {
                await appPool.query(
                  "insert into public.bench_writes (run, step) values ($1, $2) on conflict do nothing",
                  [run, name],
                );
              },
              { name },
            );
          }
        },
        { name: "benchSagaInProcess" },
      );
      DBOS.setConfig({ name: "eva-saga-bench-inproc", systemDatabaseUrl: systemUrl, logLevel: "error" });
      await DBOS.launch();
      dbosLaunched = true;
      let n = 0;
      const dbosWorkflow = async (): Promise<number> => {
        if (signal.aborted) throw signal.reason;
        const t0 = performance.now();
        const id = `inproc-${n++}-${randomBytes(3).toString("hex")}`;
        const handle = await DBOS.startWorkflow(workflow, { workflowID: id })(`dbos:${id}`);
        await handle.getResult();
        return (performance.now() - t0) / BENCH_STEPS.length;
      };

      for (let i = 0; i < WARMUP; i++) {
        await evaSaga();
        await dbosWorkflow();
      }
      for (let r = 0; r < SAGAS / ROUND; r++) {
        for (let i = 0; i < ROUND; i++) evaSamples.push(await evaSaga());
        for (let i = 0; i < ROUND; i++) dbosSamples.push(await dbosWorkflow());
      }
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from eva.eva_sagas
        where saga_type = 'engine_bench' and status = 'completed'`.execute(connection.db);
      if (rows[0]?.n !== SAGAS + WARMUP) throw new Error(`EVA completed ${rows[0]?.n} of ${SAGAS + WARMUP} sagas`);
    } finally {
      unsubscribe();
      await worker.stop();
    }
    await DBOS.shutdown();
    dbosLaunched = false;

    // --- resume after a kill, both in child processes.
    const evaResume: number[] = [];
    const evaRecovery: number[] = [];
    const dbosResume: number[] = [];
    const dbosRecovery: number[] = [];
    const marker = async (run: string, step: string) => {
      const { rowCount } = await appPool.query("select 1 from public.bench_writes where run = $1 and step = $2", [
        run,
        step,
      ]);
      return (rowCount ?? 0) > 0;
    };
    for (let k = 0; k < KILLS; k++) {
      progress(`resume after a kill ${k + 1}/${KILLS}: EVA`);
      const id = await startSaga();
      const first = child(["eva", database.url, "three"]);
      children.push(first.proc);
      await until("EVA's step three to start", () => marker(`eva:${id}`, "three:started"), signal);
      const killedAt = await kill(first.proc);
      const second = child(["eva", database.url]);
      children.push(second.proc);
      const doneAt = await until(
        "EVA's saga to complete after the restart",
        async () => {
          const { rows } = await sql<{
            status: string;
          }>`select status from eva.eva_sagas where id = ${id}::uuid`.execute(connection.db);
          return rows[0]?.status === "completed";
        },
        signal,
      );
      const readyAt = await second.ready;
      evaResume.push(doneAt - killedAt);
      evaRecovery.push(doneAt - readyAt);
      await kill(second.proc);

      progress(`resume after a kill ${k + 1}/${KILLS}: DBOS`);
      const wid = `resume-${k}-${randomBytes(3).toString("hex")}`;
      const d1 = child(["dbos", database.url, systemUrl, "three", wid]);
      children.push(d1.proc);
      await until("DBOS's step three to start", () => marker(`dbos:${wid}`, "three:started"), signal);
      const dKilledAt = await kill(d1.proc);
      const d2 = child(["dbos", database.url, systemUrl]);
      children.push(d2.proc);
      const sys = new pg.Client({ connectionString: systemUrl });
      await sys.connect();
      try {
        const dDoneAt = await until(
          "DBOS's workflow to complete after the restart",
          async () => {
            const { rows } = await sys.query<{ status: string }>(
              "select status from dbos.workflow_status where workflow_uuid = $1",
              [wid],
            );
            return rows[0]?.status === "SUCCESS";
          },
          signal,
        );
        const dReadyAt = await d2.ready;
        dbosResume.push(dDoneAt - dKilledAt);
        dbosRecovery.push(dDoneAt - dReadyAt);
      } finally {
        await sys.end();
      }
      await kill(d2.proc);
      // Neither engine ran a completed step again: every step written once, step three once.
      for (const run of [`eva:${id}`, `dbos:${wid}`]) {
        const { rows } = await appPool.query<{ n: number }>(
          "select count(*)::int as n from public.bench_writes where run = $1 and step = any($2)",
          [run, BENCH_STEPS],
        );
        if (rows[0]?.n !== BENCH_STEPS.length) throw new Error(`${run}: ${rows[0]?.n} of 5 steps written`);
      }
    }

    const e = summarize(evaSamples);
    const d = summarize(dbosSamples);
    const ms = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(", ");
    return [
      {
        id: "saga.dbos_ms_per_step",
        label: "DBOS Transact workflow: ms/step (p50)",
        value: d.p50,
        unit: "ms",
        note: `${SAGAS} sequential 5-step workflows in process, in rounds of ${ROUND} alternating with EVA's, p95 ${d.p95.toFixed(2)}`,
      },
      {
        id: "saga.eva_ms_per_step",
        label: "EVA saga engine: ms/step (p50)",
        value: e.p50,
        unit: "ms",
        vs: "saga.dbos_ms_per_step",
        note: `${SAGAS} sequential 5-step sagas, saga_step jobs, p95 ${e.p95.toFixed(2)}; ratio < 1 = EVA ahead`,
      },
      {
        id: "saga.dbos_resume_ms",
        label: "DBOS: kill → workflow completed (median)",
        value: median(dbosResume),
        unit: "ms",
        note: `${KILLS} SIGKILLs in step 3, incl. the new process's start: ${ms(dbosResume)}`,
      },
      {
        id: "saga.eva_resume_ms",
        label: "EVA: kill → saga completed (median)",
        value: median(evaResume),
        unit: "ms",
        vs: "saga.dbos_resume_ms",
        note: `${KILLS} SIGKILLs in step 3, incl. the new process's start: ${ms(evaResume)}`,
      },
      {
        id: "saga.dbos_recovery_ms",
        label: "DBOS: new process ready → completed (median)",
        value: median(dbosRecovery),
        unit: "ms",
        note: ms(dbosRecovery),
      },
      {
        id: "saga.eva_recovery_ms",
        label: "EVA: new worker ready → completed (median)",
        value: median(evaRecovery),
        unit: "ms",
        vs: "saga.dbos_recovery_ms",
        note: ms(evaRecovery),
      },
    ];
  } finally {
    if (dbosLaunched) await DBOS.shutdown().catch(() => {});
    for (const c of children) if (c.exitCode === null && !c.signalCode) c.kill("SIGKILL");
    await appPool.end().catch(() => {});
    await connection.close();
    await admin(database.url, (c) =>
      c.query(`drop database if exists ${pg.escapeIdentifier(systemName)} with (force)`),
    ).catch(() => {});
    await database.drop();
  }
}
