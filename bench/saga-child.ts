// A process the saga bench SIGKILLs mid-saga and starts again: `eva <url> [hangAt]`
// runs EVA's worker with the bench saga; `dbos <appUrl> <systemUrl> [hangAt] [workflowId]`
// launches DBOS (recovering its pending workflows) and, given an id, starts the
// bench workflow under it. Prints "ready" once it takes work.
import { DBOS } from "@dbos-inc/dbos-sdk";
import pg from "pg";
import { createOfflineAnalyst } from "../src/llm/offline-analyst.ts";
import { startWorker } from "../src/worker.ts";
import { BENCH_STEPS, defineBenchSaga } from "./saga-steps.ts";

const [kind, url, ...rest] = process.argv.slice(2);
if (!url) throw new Error("usage: saga-child.ts eva|dbos <url> …");

if (kind === "eva") {
  const hangAt = rest[0] || undefined;
  defineBenchSaga(hangAt);
  await startWorker({ url, analyst: createOfflineAnalyst(), schedule: false, concurrency: 2, staleAfterMs: 1_000 });
  process.stdout.write("ready\n");
} else if (kind === "dbos") {
  const [systemUrl, hangAt, workflowId] = rest;
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const workflow = DBOS.registerWorkflow(
    async (run: string) => {
      for (const name of BENCH_STEPS) {
        await DBOS.runStep(
          async () => {
            if (name === hangAt) {
              await pool.query("insert into public.bench_writes (run, step) values ($1, $2) on conflict do nothing", [
                run,
                `${name}:started`,
              ]);
              await new Promise(() => {});
            }
            await pool.query("insert into public.bench_writes (run, step) values ($1, $2) on conflict do nothing", [
              run,
              name,
            ]);
          },
          { name },
        );
      }
    },
    { name: "benchSaga" },
  );
  DBOS.setConfig({ name: "eva-saga-bench", systemDatabaseUrl: systemUrl, logLevel: "error" });
  await DBOS.launch();
  process.stdout.write("ready\n");
  if (workflowId) await DBOS.startWorkflow(workflow, { workflowID: workflowId })(`dbos:${workflowId}`);
} else {
  throw new Error(`unknown engine ${kind}`);
}
