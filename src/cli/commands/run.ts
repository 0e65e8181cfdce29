// eva run | eva worker
import type { Command } from "commander";
import { connect, type Database, withRole } from "../../db/client.ts";
import { createDatabaseCache } from "../../llm/cache.ts";
import { createAnalysts, describeAnalysts } from "../../llm/factory.ts";
import type { StageRunOutcome } from "../../orchestration/stage-engine.ts";
import { withTracing } from "../../orchestration/tracing.ts";
import { findVenture } from "../../portfolio/ventures.ts";
import { runVenture } from "../../stages/run-venture.ts";
import { deliverCommittedEvents, startWorker } from "../../worker.ts";
import { withSession } from "../database.ts";
import { wholeNumber } from "../options.ts";
import { printFields, printJson, progress, UserError, untilSignal } from "../output.ts";
import { summaryOf } from "./index.ts";

function bar(stage: number, width = 25): string {
  return `[${"#".repeat(Math.min(stage, width))}${".".repeat(Math.max(0, width - stage))}]`;
}

function describeOutcome(outcome: StageRunOutcome): string {
  switch (outcome.outcome) {
    case "advanced":
      return `done, on to stage ${outcome.nextStage}`;
    case "awaiting_decision":
      return `done, waiting for the Chairman (decision ${outcome.decisionId})`;
    case "killed":
      return `the venture was killed: ${outcome.reason ?? outcome.gateDecision}`;
    case "rerun":
      return `the gate decided "${outcome.gateDecision}": stage ${outcome.nextStage} runs again`;
    case "engineering":
      return `sent to engineering (saga ${outcome.sagaId}); stage ${outcome.nextStage} waits for its reports`;
    case "gate_blocked":
      return `the gate decided "${outcome.gateDecision}"`;
    case "blocked":
    case "failed":
      return `${outcome.outcome}: ${outcome.reason}`;
    case "deferred":
      return `deferred: ${outcome.reason}`;
    default:
      return outcome.detail ?? "nothing to do";
  }
}

async function runAndReport(
  service: Database,
  venture: { id: string; name: string; stage: number },
  options: { until?: number; json?: boolean },
): Promise<void> {
  const { analyst, adversary } = createAnalysts(process.env, { cache: createDatabaseCache(service) });
  progress(`running ${venture.name} from stage ${venture.stage} with ${describeAnalysts(analyst, adversary)}`);
  const tty = process.stderr.isTTY;
  const state = await runVenture(service, analyst, venture.id, {
    adversary,
    ...(options.until !== undefined ? { until: options.until } : {}),
    onStage: (stage, outcome) => {
      const line = `${bar(stage)} stage ${String(stage).padStart(2)}: ${describeOutcome(outcome)}`;
      progress(tty ? `\r${line}` : line);
    },
  });
  if (options.json) return printJson(state);
  printFields([
    ["venture", state.name],
    ["status", state.status],
    ["stage", `${state.stage} ${state.stageName}`],
    ["stopped", state.stoppedBecause],
    ["stages run", state.outcomes.length],
  ]);
  if (state.pendingDecision) {
    process.stdout.write(
      `\nnext: the Chairman decides ${state.pendingDecision.type} (decision ${state.pendingDecision.id})\n`,
    );
  }
}

export function registerRun(program: Command): void {
  program
    .command("run <venture>")
    .description(summaryOf("run"))
    .option("--until <n>", "stop before running stages after N (1-25)", wholeNumber("--until", 1, 25))
    .option("--json", "print the final state as JSON")
    .addHelpText(
      "after",
      "\nThe analyst is the OpenAI-compatible server of OPENAI_API_KEY / OPENAI_BASE_URL / EVA_LLM_MODEL, else the offline analyst (simulation).\nThe Devil's Advocate uses EVA_DA_API_KEY / EVA_DA_BASE_URL / EVA_DA_MODEL, each falling back to the analyst's.",
    )
    .action(async (ref: string, options: { until?: number; json?: boolean }) => {
      await withSession(async ({ connection, location }) => {
        const venture = await withRole(connection.db, "eva_chairman", (trx) => findVenture(trx, ref));
        if (!venture) throw new UserError(`no venture "${ref}" (give its id or exact name; see npx eva ventures list)`);
        // Stages run as the workers run them: as eva_service.
        const service = connect(location.url, { max: 2, applicationName: "eva-run", role: "eva_service" });
        try {
          // Its stage runs are traced as eva-cli when OTEL_EXPORTER_OTLP_ENDPOINT is set.
          await withTracing("cli", () => runAndReport(service.db, venture.summary, options));
          // The reactions to what it did (a dependent released, a retirement saga started), as a worker would
          // deliver them; saga steps and other ventures' stages wait for a worker.
          await deliverCommittedEvents(location.url, service.db);
        } finally {
          await service.close();
        }
      });
    });
}

export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description(summaryOf("worker"))
    .option("--concurrency <n>", "jobs at once (1-64)", wholeNumber("--concurrency", 1, 64))
    .action(async (options: { concurrency?: number }) => {
      await withSession(async ({ location }) => {
        const service = connect(location.url, { max: 2, applicationName: "eva-worker-cache", role: "eva_service" });
        const { analyst, adversary } = createAnalysts(process.env, { cache: createDatabaseCache(service.db) });
        const worker = await startWorker({
          url: location.url,
          analyst,
          adversary,
          concurrency: options.concurrency ?? 4,
          log: progress,
          onOutcome: (o) => {
            if (o.outcome !== "noop")
              progress(`stage ${"stage" in o ? o.stage : "?"} (${o.workId}): ${describeOutcome(o)}`);
          },
        });
        progress(`worker running with ${describeAnalysts(analyst, adversary)}; press Ctrl-C to stop`);
        const signal = await untilSignal();
        progress(`${signal}: finishing running jobs and stopping`);
        await worker.stop();
        await service.close();
      });
    });
}
