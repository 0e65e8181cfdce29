// Portfolio intelligence (spec §10, §16) over the stage engine's portfolio
// (689 ventures, EVA_BENCH_VENTURES overrides) run through the pipeline by
// the offline analyst, its kill gates killing where they kill:
//   the knowledge sync (calibration, patterns, anti-patterns, curves) alone,
//   and the whole knowledge_sync tick (with predictions scored and every
//   venture's gate signals under the legacy profile);
//   one stage-of-death prediction (each reads the portfolio's outcomes now),
//   p50 / p95 over a sample of ventures;
//   the counterfactual engine, pure: N ventures × 5 profiles re-scored and
//   ranked by tau-b (component scores drawn by a seeded generator: the bench
//   portfolio has no Stage 0 briefs), ventures × profiles per second.
import { performance } from "node:perf_hooks";
import { sql } from "kysely";
import { connect } from "../src/db/client.ts";
import { LEGACY_PROFILE, LEGACY_WEIGHTS, PROFILE_COMPONENTS, type ProfileWeights } from "../src/ideation/profiles.ts";
import { batchCounterfactual } from "../src/intelligence/counterfactual.ts";
import { syncKnowledge } from "../src/intelligence/knowledge.ts";
import { loadOutcomes } from "../src/intelligence/outcomes.ts";
import { predictVenture } from "../src/intelligence/predictor.ts";
import { runKnowledgeSync } from "../src/intelligence/sync.ts";
import { createRng, seedFrom } from "../src/llm/rng.ts";
import { type BenchServer, type Measurement, median, progress, summarize } from "./lib.ts";
import { createBenchVentures, runPortfolio } from "./stage-engine.ts";

const VENTURES = Number(process.env.EVA_BENCH_VENTURES ?? 689);
const PREDICTIONS = 100;

export async function knowledgeBench(server: BenchServer, signal: AbortSignal): Promise<Measurement[]> {
  const database = await server.freshDatabase("knowledge");
  const connection = connect(database.url, { max: 4, applicationName: "eva-bench" });
  const service = connect(database.url, { max: 2, applicationName: "eva-bench-service", role: "eva_service" });
  try {
    progress(`creating ${VENTURES} ventures and running them through the pipeline`);
    await createBenchVentures(connection.db, VENTURES, { wellArgued: true });
    const portfolio = await runPortfolio(database.url, connection, service, signal, { engineering: true });
    await connection.pool.query("vacuum (analyze)");
    const outcomes = await loadOutcomes(service.db);
    const kills = outcomes.filter((o) => o.diedAt !== null).length;
    progress(`portfolio built in ${portfolio.seconds.toFixed(0)} s: ${kills} of ${outcomes.length} ventures died`);

    const syncMs: number[] = [];
    let patterns = 0;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const k = await syncKnowledge(service.db);
      syncMs.push(performance.now() - t0);
      patterns = k.successPatterns.length + k.antiPatterns.length;
    }
    const t1 = performance.now();
    const tick = await runKnowledgeSync(service.db);
    const tickMs = performance.now() - t1;

    const sample = outcomes.filter((_, i) => i % Math.max(1, Math.floor(outcomes.length / PREDICTIONS)) === 0);
    const predictMs: number[] = [];
    for (const o of sample.slice(0, PREDICTIONS)) {
      const t0 = performance.now();
      await predictVenture(service.db, o.id, { store: false });
      predictMs.push(performance.now() - t0);
    }
    const p = summarize(predictMs);

    // The counterfactual engine, pure: seeded component scores for every venture, five profiles.
    const rng = createRng(seedFrom("bench-counterfactual"));
    const ventures = outcomes.map((outcome) => ({
      outcome,
      components: Object.fromEntries(PROFILE_COMPONENTS.map((c) => [c, rng.int(0, 100)])),
      recordedScore: null,
    }));
    const profiles = [
      { ...LEGACY_PROFILE, weights: { ...LEGACY_WEIGHTS } },
      ...PROFILE_COMPONENTS.slice(0, 4).map((focus, i) => ({
        ...LEGACY_PROFILE,
        id: `00000000-0000-0000-0000-00000000000${i + 1}`,
        name: `${focus}-first`,
        version: 1,
        weights: Object.fromEntries(
          PROFILE_COMPONENTS.map((c) => [c, c === focus ? 0.6 : 0.4 / (PROFILE_COMPONENTS.length - 1)]),
        ) as ProfileWeights,
      })),
    ];
    const t2 = performance.now();
    const run = batchCounterfactual(ventures, profiles);
    const cfMs = performance.now() - t2;
    const { rows } = await sql<{ n: string }>`select count(*) as n from eva.evaluation_profile_outcomes`.execute(
      service.db,
    );

    return [
      {
        id: "knowledge.sync_ms",
        label: `knowledge sync (${outcomes.length} ventures, ${kills} died; median of 3)`,
        value: median(syncMs),
        unit: "ms",
        note: `${patterns} patterns and anti-patterns`,
      },
      {
        id: "knowledge.tick_ms",
        label: "knowledge_sync tick (sync + predictions scored + gate signals)",
        value: tickMs,
        unit: "ms",
        note: `${tick.gateSignals} gate signals (${rows[0]?.n} rows)`,
      },
      {
        id: "knowledge.predict_p50_ms",
        label: `stage-of-death prediction p50 (${predictMs.length} ventures)`,
        value: p.p50,
        unit: "ms",
      },
      { id: "knowledge.predict_p95_ms", label: "stage-of-death prediction p95", value: p.p95, unit: "ms" },
      {
        id: "knowledge.counterfactual_per_s",
        label: `counterfactual re-scores (${run.ventures} × ${profiles.length} profiles, tau-b, pure)`,
        value: (run.ventures * profiles.length) / (cfMs / 1000),
        unit: "scores/s",
        note: `${cfMs.toFixed(1)} ms for the batch`,
      },
    ];
  } finally {
    await service.close();
    await connection.close();
    await database.drop();
  }
}
