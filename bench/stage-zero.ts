// Stage 0 throughput, offline analyst, end to end: an idea through its entry
// path, the eight synthesis components, the forecast and the profile's score,
// into the Chairman's review with every call charged (runStageZero +
// openStageZeroReview), on a fresh database; beside the one-call brief it
// replaced (synthesizeBrief + openVentureReview). Every idea is new (no
// cached answer), so each brief makes all of its calls.
import { performance } from "node:perf_hooks";
import { sql } from "kysely";
import { connect, withRole } from "../src/db/client.ts";
import { synthesizeBrief } from "../src/ideation/brief.ts";
import { ideationAllowance, ideationBudget } from "../src/ideation/budget.ts";
import { openStageZeroReview, runStageZero, type StageZeroInput } from "../src/ideation/stage-zero.ts";
import { createOfflineAnalyst } from "../src/llm/offline-analyst.ts";
import { openVentureReview } from "../src/portfolio/decisions.ts";
import type { BenchServer, Measurement } from "./lib.ts";
import { progress, summarize } from "./lib.ts";

const BRIEFS = 40;

export async function stageZeroBench(server: BenchServer, signal: AbortSignal): Promise<Measurement[]> {
  const database = await server.freshDatabase("stage_zero");
  const admin = connect(database.url, { max: 2, applicationName: "eva-bench-stage-zero" });
  const service = connect(database.url, { max: 4, applicationName: "eva-bench-stage-zero", role: "eva_service" });
  const analyst = createOfflineAnalyst();
  try {
    // Room for every brief of the run.
    await sql`update eva_private.settings set value = '1000000000' where key = 'budget.ideation_tokens'`.execute(
      admin.db,
    );

    const manual = (i: number): StageZeroInput => ({
      path: "manual",
      name: `Bench Ledger ${i}`,
      description: `Bench Ledger ${i} reconciles invoices against bank payments for small accounting firms`,
      problemStatement: `Accounting firm number ${i} matches invoices to bank payments by hand every month`,
      targetMarket: "Accounting firms in the EU with 2-20 staff",
      urls: [],
    });
    const inputs: [string, (i: number) => StageZeroInput][] = [
      ["manual", manual],
      [
        "blueprint_browse",
        (i) => ({ path: "blueprint_browse", blueprint: "vertical-copilot", set: { profession: `Profession ${i}` } }),
      ],
      // A different candidate count each brief makes each discovery prompt new.
      ["discovery_mode", (i) => ({ path: "discovery_mode", strategy: "trend_scanner", candidates: 1 + (i % 20) })],
    ];
    const rows: Measurement[] = [];
    let calls = 0;
    for (const [name, make] of inputs) {
      const ms: number[] = [];
      const t0 = performance.now();
      for (let i = 0; i < BRIEFS; i++) {
        signal.throwIfAborted();
        const s = performance.now();
        const budget = await ideationBudget(service.db);
        const input = make(i);
        const result = await runStageZero(service.db, analyst, input, { budget });
        await withRole(admin.db, "eva_service", (trx) =>
          openStageZeroReview(trx, result, { portfolioId: budget.portfolioId }),
        );
        calls += result.calls.length;
        ms.push(performance.now() - s);
      }
      const seconds = (performance.now() - t0) / 1000;
      const sum = summarize(ms);
      rows.push({
        id: `stage_zero.${name}.briefs_per_s`,
        label: `Stage 0 brief, ${name} path, offline, end to end`,
        value: BRIEFS / seconds,
        unit: "briefs/s",
        vs: "stage_zero.one_call.briefs_per_s",
        note: `n=${sum.n}, p50 ${sum.p50.toFixed(1)} ms, p95 ${sum.p95.toFixed(1)} ms per brief`,
      });
      progress(`stage zero ${name}: ${BRIEFS} briefs in ${seconds.toFixed(2)} s`);
    }
    // The one-call brief (before the synthesis engine), same database and analyst.
    const t0 = performance.now();
    for (let i = 0; i < BRIEFS; i++) {
      signal.throwIfAborted();
      const budget = await ideationBudget(service.db);
      const idea = manual(1000 + i) as Parameters<typeof synthesizeBrief>[1];
      const synthesized = await synthesizeBrief(analyst, idea, { budget: ideationAllowance(budget) });
      await withRole(admin.db, "eva_service", (trx) =>
        openVentureReview(trx, synthesized, { portfolioId: budget.portfolioId }),
      );
    }
    const oneCall = BRIEFS / ((performance.now() - t0) / 1000);
    rows.unshift({
      id: "stage_zero.one_call.briefs_per_s",
      label: "one-call brief (no synthesis engine), offline, end to end",
      value: oneCall,
      unit: "briefs/s",
      note: `n=${BRIEFS}; the reference the synthesis rows are read against`,
    });
    rows.push({
      id: "stage_zero.calls_per_brief",
      label: "analysis calls per synthesized brief (path, 8 components, forecast)",
      value: calls / (BRIEFS * inputs.length),
      unit: "calls",
      note: "each charged to the ideation budget",
    });
    return rows;
  } finally {
    await service.close();
    await admin.close();
    await database.drop();
  }
}
