// eva knowledge: the portfolio knowledge base and advanced analytics (spec
// §10, §16): calibration of the kill gates' figures, successful patterns and
// anti-patterns, the stage-of-death prediction and gate signals of a venture,
// the counterfactual engine over evaluation profiles. None calls a model.
import type { Command } from "commander";
import { type Database, withRole } from "../../db/client.ts";
import { type EvaluationProfile, findProfile } from "../../ideation/profiles.ts";
import { briefComponents } from "../../intelligence/components.ts";
import { predictiveReport, runBatchCounterfactual } from "../../intelligence/counterfactual.ts";
import { predictionCalibration, predictVenture } from "../../intelligence/predictor.ts";
import { recordGateSignals, signalProfiles, signalsSummary } from "../../intelligence/signals.ts";
import { runKnowledgeSync } from "../../intelligence/sync.ts";
import { withSession } from "../database.ts";
import { collect, wholeNumber } from "../options.ts";
import { printJson, printTable, UserError } from "../output.ts";
import { namedVenture } from "../venture-ref.ts";
import { summaryOf } from "./index.ts";

const pct = (x: unknown) => (x === null || x === undefined ? "unknown" : `${Math.round(Number(x) * 1000) / 10}%`);
const NOT_SYNCED =
  "the knowledge base is empty: it is filled by the daily knowledge_sync tick, or now by `npx eva knowledge sync`";

/** --profiles a,b (repeatable): each by name, name@version or id; "legacy" for the defaults. */
async function namedProfiles(db: Database, refs: string[]): Promise<EvaluationProfile[]> {
  const all = await signalProfiles(db);
  if (!refs.length) return all;
  const out: EvaluationProfile[] = [];
  for (const ref of refs
    .flatMap((r) => r.split(","))
    .map((r) => r.trim())
    .filter(Boolean)) {
    const p = ref === "legacy" ? all[0] : await findProfile(db, ref);
    if (!p)
      throw new UserError(`--profiles ${ref}: there is no evaluation profile "${ref}" (npx eva profiles list)`, 2);
    out.push(p);
  }
  return out;
}

async function patternRows(
  db: Database,
  table: "portfolio_success_patterns" | "portfolio_anti_patterns",
  stage?: number,
) {
  let q = db.selectFrom(table).selectAll().orderBy("rate", "desc").orderBy("ventures", "desc");
  if (stage !== undefined) q = q.where("lifecycle_stage", "=", stage);
  return q.execute();
}

function printPatterns(rows: Awaited<ReturnType<typeof patternRows>>, what: "succeeded" | "died"): void {
  printTable(
    rows.map((r) => ({
      stage: r.lifecycle_stage,
      pattern: r.pattern_signature,
      source: r.source,
      counts: `${what === "died" ? r.died : r.succeeded} of ${r.ventures}`,
      rate: pct(r.rate),
      baseline: pct(r.baseline),
      lift: r.lift === null ? "—" : `×${r.lift}`,
    })),
    [
      ["stage", "STAGE"],
      ["pattern", "PATTERN"],
      ["source", "SOURCE"],
      ["counts", what === "died" ? "DIED" : "LAUNCHED"],
      ["rate", "RATE"],
      ["baseline", "STAGE RATE"],
      ["lift", "LIFT"],
    ],
  );
}

export function registerKnowledge(program: Command): void {
  const knowledge = program.command("knowledge").description(summaryOf("knowledge"));

  knowledge
    .command("sync")
    .description(
      "re-extract the knowledge base now (what the daily knowledge_sync tick does), score open predictions, update gate signals",
    )
    .option("--json", "print as JSON")
    .action(async (options: { json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const r = await withRole(connection.db, "eva_service", (trx) => runKnowledgeSync(trx));
        if (options.json) return printJson(r);
        process.stdout.write(
          `synced ${r.ventures} ventures: ${r.calibration} calibration bands, ${r.successPatterns} successful patterns, ${r.antiPatterns} anti-patterns; ${r.predictionsStored} predictions made, ${r.predictionsScored} prediction stages scored, ${r.predictionsResolved} predictions resolved; ${r.gateSignals} gate signals\n`,
        );
      });
    });

  knowledge
    .command("calibration")
    .description(
      "the Stage 3 / Stage 5 figures per band against outcomes, and the stage-of-death predictor's Brier score and log loss per stage",
    )
    .option("--json", "print as JSON")
    .action(async (options: { json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const { bands, predictor } = await withRole(connection.db, "eva_chairman", async (trx) => ({
          bands: await trx
            .selectFrom("portfolio_calibration")
            .selectAll()
            .orderBy("lifecycle_stage")
            .orderBy("metric")
            .orderBy("band_low")
            .execute(),
          predictor: await predictionCalibration(trx),
        }));
        if (options.json) return printJson({ gates: bands, predictor });
        if (!bands.length) process.stdout.write(`${NOT_SYNCED}\n`);
        else
          printTable(
            bands.map((b) => ({
              stage: b.lifecycle_stage,
              metric: b.metric,
              band: b.band,
              ventures: b.ventures,
              passed: b.passed_gate,
              died: b.died_later,
              launched: b.launched,
              pending: b.pending,
              passRate: pct(b.pass_rate),
              deathRate: pct(b.death_rate),
            })),
            [
              ["stage", "STAGE"],
              ["metric", "METRIC"],
              ["band", "BAND"],
              ["ventures", "VENTURES"],
              ["passed", "PASSED GATE"],
              ["died", "DIED LATER"],
              ["launched", "LAUNCHED"],
              ["pending", "PENDING"],
              ["passRate", "PASS RATE"],
              ["deathRate", "DEATH RATE"],
            ],
          );
        process.stdout.write("\nstage-of-death predictor (scored as outcomes arrive):\n");
        if (!predictor.length) process.stdout.write("no prediction has an outcome yet\n");
        else
          printTable(
            predictor.map((p) => ({ ...p, meanHazard: pct(p.meanHazard) })),
            [
              ["stage", "STAGE"],
              ["scored", "SCORED"],
              ["deaths", "DEATHS"],
              ["meanHazard", "MEAN HAZARD"],
              ["brier", "BRIER"],
              ["logLoss", "LOG LOSS"],
            ],
          );
      });
    });

  for (const [name, table, what, description] of [
    [
      "patterns",
      "portfolio_success_patterns",
      "succeeded",
      "successful patterns: choices whose ventures launched more often than their stage's",
    ],
    [
      "anti-patterns",
      "portfolio_anti_patterns",
      "died",
      "anti-patterns: choices and stages of death whose ventures died more often than their stage's (the DFE and the predictor read them)",
    ],
  ] as const) {
    knowledge
      .command(name)
      .description(description)
      .option("--stage <n>", "only this stage", wholeNumber("--stage", 1, 25))
      .option("--json", "print as JSON")
      .action(async (options: { stage?: number; json?: boolean }) => {
        await withSession(async ({ connection }) => {
          const rows = await withRole(connection.db, "eva_chairman", (trx) => patternRows(trx, table, options.stage));
          if (options.json) return printJson(rows);
          if (!rows.length)
            return void process.stdout.write(
              `no ${name} found (the daily knowledge_sync tick extracts them, or now \`npx eva knowledge sync\`)\n`,
            );
          printPatterns(rows, what);
        });
      });
  }

  knowledge
    .command("predict <venture>")
    .description(
      "where the venture will die: per-stage hazard from the portfolio's kills now, amplified by its weaknesses; stored for calibration",
    )
    .option("--json", "print as JSON")
    .action(async (ref: string, options: { json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const p = await withRole(connection.db, "eva_service", async (trx) => {
          const venture = await namedVenture(trx, ref);
          return predictVenture(trx, venture.id, { components: briefComponents });
        });
        if (options.json) return printJson(p);
        if (p.ventureStatus === "killed" || p.ventureStatus === "sunset" || p.ventureStatus === "exited")
          process.stdout.write(
            `${p.ventureName} has ended (${p.ventureStatus} at Stage ${p.fromStage}): the prediction below, from that stage, is for comparison only\n`,
          );
        process.stdout.write(
          `${p.ventureName} from Stage ${p.fromStage}: ${p.predictedStage === null ? "likelier to survive every stage than to die at any one" : `likeliest to die at Stage ${p.predictedStage}`}; dies before graduating with p = ${pct(p.deathProbability)} (estimate)\n${p.basis.note}\n\n`,
        );
        printTable(
          p.distribution
            .filter((d) => d.pDeath >= 0.005 || d.amplifiedHazard !== d.hazard)
            .map((d) => ({
              stage: d.stage,
              hazard: pct(d.hazard),
              amplified: pct(d.amplifiedHazard),
              pDeath: pct(d.pDeath),
              exposed: d.exposed,
              basis: d.basis,
            })),
          [
            ["stage", "STAGE"],
            ["hazard", "HAZARD"],
            ["amplified", "AMPLIFIED"],
            ["pDeath", "P(DIES HERE)"],
            ["exposed", "EXPOSED"],
            ["basis", "BASIS"],
          ],
        );
        if (p.amplifiers.length) process.stdout.write(`\n${p.amplifiers.map((a) => `- ${a.reason}`).join("\n")}\n`);
      });
    });

  knowledge
    .command("signals <venture>")
    .description(
      "the venture's gate signals: survival to each tracked boundary, per evaluation profile its score against the threshold, and the outcome; recorded",
    )
    .option(
      "--profiles <refs>",
      "profiles (name, name@version, id, legacy; comma-separated or repeated); default the newest of each and legacy",
      collect,
    )
    .option("--json", "print as JSON")
    .action(async (ref: string, options: { profiles?: string[]; json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const signals = await withRole(connection.db, "eva_service", async (trx) => {
          const venture = await namedVenture(trx, ref);
          const profiles = await namedProfiles(trx, options.profiles ?? []);
          return recordGateSignals(trx, { ventureIds: [venture.id], profiles });
        });
        if (options.json) return printJson(signals);
        printTable(
          signals.map((s) => ({
            boundary: s.boundary,
            profile: s.profileKey,
            survival: pct(s.survivalProbability),
            score: s.score ?? "unknown",
            threshold: s.threshold,
            signal: s.signal,
            outcome: s.outcome,
          })),
          [
            ["boundary", "BOUNDARY"],
            ["profile", "PROFILE"],
            ["survival", "SURVIVAL"],
            ["score", "SCORE"],
            ["threshold", "THRESHOLD"],
            ["signal", "SIGNAL"],
            ["outcome", "OUTCOME"],
          ],
        );
      });
    });

  knowledge
    .command("signal-accuracy")
    .description("per profile and boundary: how often the recorded gate signals matched what happened")
    .option("--json", "print as JSON")
    .action(async (options: { json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const rows = await withRole(connection.db, "eva_chairman", (trx) => signalsSummary(trx));
        if (options.json) return printJson(rows);
        if (!rows.length) return void process.stdout.write("no gate signal recorded yet\n");
        printTable(
          rows.map((r) => ({ ...r, accuracy: pct(r.accuracy), meanSurvival: pct(r.meanSurvival) })),
          [
            ["profileKey", "PROFILE"],
            ["boundary", "BOUNDARY"],
            ["signals", "SIGNALS"],
            ["settled", "SETTLED"],
            ["correct", "CORRECT"],
            ["accuracy", "ACCURACY"],
            ["meanSurvival", "MEAN SURVIVAL"],
          ],
        );
      });
    });

  knowledge
    .command("counterfactual")
    .description(
      "re-score every venture with a Stage 0 brief under other evaluation profiles (no model call) and rank the profiles by Kendall's tau-b against real outcomes",
    )
    .option(
      "--profiles <refs>",
      "profiles (name, name@version, id, legacy; comma-separated or repeated); default the newest of each and legacy",
      collect,
    )
    .option("--venture <venture>", "only this venture (repeatable)", collect)
    .option("--json", "print as JSON")
    .action(async (options: { profiles?: string[]; venture?: string[]; json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const run = await withRole(connection.db, "eva_service", async (trx) => {
          const profiles = await namedProfiles(trx, options.profiles ?? []);
          const ventureIds = options.venture
            ? await Promise.all(
                options.venture.map(async (v) => (await namedVenture(trx, v, { what: "--venture" })).id),
              )
            : undefined;
          return runBatchCounterfactual(trx, profiles, ventureIds ? { ventureIds } : {});
        });
        if (options.json) return printJson(run);
        process.stdout.write(
          `${run.ventures} ventures × ${run.profiles.length} profiles, ${run.llmCalls} model calls (run ${run.id})\n\n`,
        );
        printTable(
          predictiveReport(run).map((p) => ({
            profile: p.profileKey,
            scored: p.scored,
            resolved: p.resolved,
            tau: p.tauB === null ? "indeterminate (fewer than two resolved ventures, or all tied)" : p.tauB,
          })),
          [
            ["profile", "PROFILE"],
            ["scored", "SCORED"],
            ["resolved", "WITH OUTCOME"],
            ["tau", "KENDALL TAU-B"],
          ],
        );
        if (run.scores.length) {
          process.stdout.write("\n");
          printTable(
            run.scores.map((s) => ({ ...s, score: s.score ?? "unknown", recorded: s.recordedScore ?? "" })),
            [
              ["ventureName", "VENTURE"],
              ["profileKey", "PROFILE"],
              ["score", "SCORE"],
              ["recorded", "RECORDED"],
              ["outcome", "OUTCOME"],
            ],
          );
        }
      });
    });
}
