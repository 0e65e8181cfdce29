// The portfolio knowledge base (spec §10, Decision #26): from every stage
// outcome and every retrospective, what the portfolio has learned.
// - Calibration: the Stage 3 score and the Stage 5 unit economics the kill
//   gates read, per band, against what became of the ventures.
// - Successful patterns and anti-patterns: the choices ventures made at a
//   stage (the DFE's own signatures, archetype:stage:choice), their gate
//   decisions, their Stage 25 health and where they died, whose ventures
//   launched (or died) more often than the stage's ventures did.
// Pure extraction (extractKnowledge) beside its I/O (syncKnowledge); counts
// are facts from the portfolio, rates derived from them.
import { sql } from "kysely";
import type { Database } from "../db/client.ts";
import { keyChoice, signature } from "../gates/dfe.ts";
import type { Archetype } from "../stages/enums.ts";
import { buildMortalityCurves, type CurvePoint } from "./mortality.ts";
import { loadOutcomes, type VentureOutcome } from "./outcomes.ts";

/** Stages whose artifact carries the DFE's key choice (src/gates/dfe.ts keyChoice), and the kill gates' figures. */
export const KNOWLEDGE_STAGES = [3, 4, 5, 7, 9, 10, 11, 14, 23, 25] as const;
/** Reaching this stage alive counts as success for a pattern (launched). */
export const LAUNCH_STAGE = 23;

export interface StageArtifact {
  ventureId: string;
  stage: number;
  content: Record<string, unknown>;
}

export interface Retrospective {
  ventureId: string;
  stageOfDeath: number;
  endedAs: string;
  killReason: string | null;
  lessons: string[];
}

export interface GateOutcome {
  ventureId: string;
  stage: number;
  decision: string;
}

export interface KnowledgeSettings {
  minSupport: number;
  minLift: number;
}

export const DEFAULT_KNOWLEDGE_SETTINGS: KnowledgeSettings = { minSupport: 2, minLift: 1.25 };

export interface CalibrationRow {
  stage: 3 | 5;
  metric: string;
  band: string;
  bandLow: number | null;
  bandHigh: number | null;
  ventures: number;
  passedGate: number;
  diedLater: number;
  launched: number;
  pending: number;
  meanValue: number | null;
  passRate: number | null;
  deathRate: number | null;
}

export interface PatternRow {
  stage: number;
  signature: string;
  source: "stage_outcome" | "retrospective";
  ventures: number;
  died: number;
  succeeded: number;
  rate: number;
  baseline: number;
  lift: number | null;
  evidence: {
    ventures: string[];
    deathStages: Record<string, number>;
    lessons?: string[];
    killReasons?: string[];
  };
}

export interface Knowledge {
  calibration: CalibrationRow[];
  successPatterns: PatternRow[];
  antiPatterns: PatternRow[];
  curves: CurvePoint[];
  ventures: number;
}

const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;
const rec = (x: unknown): Record<string, unknown> =>
  x && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, unknown>) : {};
const num = (x: unknown): number | null => (typeof x === "number" && Number.isFinite(x) ? x : null);

/** The bands calibration counts in: [low, high), the last one closed. */
export const CALIBRATION_METRICS: {
  stage: 3 | 5;
  metric: string;
  read: (content: Record<string, unknown>) => number | null;
  bands: [number | null, number | null][];
}[] = [
  {
    stage: 3,
    metric: "overall_score",
    read: (c) => num(c.overallScore),
    bands: [
      [0, 50],
      [50, 65],
      [65, 80],
      [80, null],
    ],
  },
  {
    stage: 5,
    metric: "ltv_cac_ratio",
    read: (c) => num(rec(c.unitEconomics).ltvCacRatio),
    bands: [
      [0, 1],
      [1, 3],
      [3, 5],
      [5, null],
    ],
  },
  {
    stage: 5,
    metric: "roi_3y",
    read: (c) => num(rec(c.projections).roi3y),
    bands: [
      [null, 0],
      [0, 1],
      [1, 3],
      [3, null],
    ],
  },
];

const bandName = ([low, high]: [number | null, number | null]) =>
  low === null ? `<${high}` : high === null ? `>=${low}` : `${low}-${high}`;

function calibrate(outcomes: Map<string, VentureOutcome>, artifacts: readonly StageArtifact[]): CalibrationRow[] {
  const rows: CalibrationRow[] = [];
  for (const m of CALIBRATION_METRICS) {
    const values = artifacts
      .filter((a) => a.stage === m.stage)
      .map((a) => ({ o: outcomes.get(a.ventureId), value: m.read(a.content) }))
      .filter((x): x is { o: VentureOutcome; value: number } => x.o !== undefined && x.value !== null);
    for (const band of m.bands) {
      const [low, high] = band;
      const last = band === m.bands[m.bands.length - 1];
      const inBand = values.filter(
        ({ value }) => (low === null || value >= low) && (high === null || value < high || (last && value === high)),
      );
      const passed = inBand.filter(({ o }) => o.reachedStage > m.stage || o.succeeded);
      const pending = inBand.filter(({ o }) => o.diedAt === null && !(o.reachedStage > m.stage || o.succeeded));
      const died = inBand.filter(({ o }) => o.diedAt !== null && o.diedAt >= m.stage);
      const resolved = inBand.length - pending.length;
      rows.push({
        stage: m.stage,
        metric: m.metric,
        band: bandName(band),
        bandLow: low,
        bandHigh: high,
        ventures: inBand.length,
        passedGate: passed.length,
        diedLater: inBand.filter(({ o }) => o.diedAt !== null && o.diedAt > m.stage).length,
        launched: inBand.filter(({ o }) => o.diedAt === null && o.reachedStage >= LAUNCH_STAGE).length,
        pending: pending.length,
        meanValue: inBand.length ? round(inBand.reduce((s, x) => s + x.value, 0) / inBand.length, 3) : null,
        passRate: resolved > 0 ? round(passed.length / resolved) : null,
        deathRate: inBand.length ? round(died.length / inBand.length) : null,
      });
    }
  }
  return rows;
}

interface Observation {
  ventureId: string;
  stage: number;
  signature: string;
  source: PatternRow["source"];
  /** Counts a death only at this stage (a stage-of-death pattern), else any death at or after `stage`. */
  diesHere?: boolean;
}

/** What each venture did that can be compared across ventures. */
function observe(
  outcomes: Map<string, VentureOutcome>,
  artifacts: readonly StageArtifact[],
  gates: readonly GateOutcome[],
): Observation[] {
  const seen: Observation[] = [];
  for (const a of artifacts) {
    const o = outcomes.get(a.ventureId);
    if (!o) continue;
    const choice = keyChoice(a.stage, a.content);
    if (choice !== null)
      seen.push({
        ventureId: a.ventureId,
        stage: a.stage,
        signature: signature(o.archetype as Archetype, a.stage, choice),
        source: "stage_outcome",
      });
    // A Stage 25 review is the venture's retrospective while it lives: its weak and strong dimensions.
    if (a.stage === 25) {
      for (const [dimension, score] of Object.entries(rec(a.content.ventureHealth))) {
        if (dimension === "overall" || typeof score !== "number") continue;
        const kind = score < 40 ? "weak" : score >= 80 ? "strong" : null;
        if (kind)
          seen.push({
            ventureId: a.ventureId,
            stage: 25,
            signature: `${o.archetype}:25:${kind}-${dimension}`,
            source: "retrospective",
          });
      }
    }
  }
  for (const g of gates) {
    const o = outcomes.get(g.ventureId);
    if (o)
      seen.push({
        ventureId: g.ventureId,
        stage: g.stage,
        signature: `${o.archetype}:${g.stage}:gate-${g.decision}`,
        source: "stage_outcome",
      });
  }
  return seen;
}

function aggregate(
  observations: readonly Observation[],
  outcomes: Map<string, VentureOutcome>,
  retrospectives: Map<string, Retrospective>,
  settings: KnowledgeSettings,
): { success: PatternRow[]; anti: PatternRow[] } {
  const all = [...outcomes.values()];
  const diesFrom = (o: VentureOutcome, stage: number, here: boolean) =>
    o.diedAt !== null && (here ? o.diedAt === stage : o.diedAt >= stage);
  const launched = (o: VentureOutcome) => o.diedAt === null && (o.succeeded || o.reachedStage >= LAUNCH_STAGE);
  const baselines = new Map<string, { death: number; success: number }>();
  const baseline = (stage: number, here: boolean) => {
    const key = `${stage}:${here}`;
    let b = baselines.get(key);
    if (!b) {
      const reached = all.filter((o) => o.reachedStage >= stage || (o.diedAt ?? 0) >= stage);
      b = reached.length
        ? {
            death: reached.filter((o) => diesFrom(o, stage, here)).length / reached.length,
            success: reached.filter(launched).length / reached.length,
          }
        : { death: 0, success: 0 };
      baselines.set(key, b);
    }
    return b;
  };
  const groups = new Map<string, Observation[]>();
  const counted = new Set<string>();
  for (const ob of observations) {
    const key = `${ob.stage}\u0000${ob.signature}`;
    if (counted.has(`${key}\u0000${ob.ventureId}`)) continue;
    counted.add(`${key}\u0000${ob.ventureId}`);
    const g = groups.get(key);
    if (g) g.push(ob);
    else groups.set(key, [ob]);
  }
  const success: PatternRow[] = [];
  const anti: PatternRow[] = [];
  for (const group of groups.values()) {
    const first = group[0] as Observation;
    const here = first.diesHere === true;
    const ventures = group.map((g) => outcomes.get(g.ventureId) as VentureOutcome);
    const died = ventures.filter((o) => diesFrom(o, first.stage, here));
    const succeeded = ventures.filter(launched);
    const b = baseline(first.stage, here);
    const deathStages: Record<string, number> = {};
    for (const o of died) deathStages[String(o.diedAt)] = (deathStages[String(o.diedAt)] ?? 0) + 1;
    const retros = died.map((o) => retrospectives.get(o.id)).filter((r): r is Retrospective => r !== undefined);
    const evidence: PatternRow["evidence"] = {
      ventures: ventures.map((o) => o.name).slice(0, 10),
      deathStages,
      ...(retros.length
        ? {
            lessons: [...new Set(retros.flatMap((r) => r.lessons))].slice(0, 5),
            killReasons: [...new Set(retros.map((r) => r.killReason).filter((x): x is string => !!x))].slice(0, 5),
          }
        : {}),
    };
    const source = retros.length ? "retrospective" : first.source;
    const row = (rate: number, base: number): PatternRow => ({
      stage: first.stage,
      signature: first.signature,
      source,
      ventures: ventures.length,
      died: died.length,
      succeeded: succeeded.length,
      rate: round(rate),
      baseline: round(base),
      lift: base > 0 ? round(rate / base, 3) : null,
      evidence,
    });
    const qualifies = (count: number, rate: number, base: number) =>
      ventures.length >= settings.minSupport &&
      count >= settings.minSupport &&
      rate > base &&
      (base === 0 || rate >= settings.minLift * base);
    const deathRate = died.length / ventures.length;
    const successRate = succeeded.length / ventures.length;
    if (qualifies(died.length, deathRate, b.death)) anti.push(row(deathRate, b.death));
    else if (qualifies(succeeded.length, successRate, b.success)) success.push(row(successRate, b.success));
  }
  const order = (a: PatternRow, b: PatternRow) =>
    b.rate - a.rate || b.ventures - a.ventures || a.stage - b.stage || a.signature.localeCompare(b.signature);
  return { success: success.sort(order), anti: anti.sort(order) };
}

/** Everything the knowledge base holds, from the portfolio's outcomes, artifacts, gate decisions and retrospectives. */
export function extractKnowledge(input: {
  outcomes: readonly VentureOutcome[];
  artifacts: readonly StageArtifact[];
  gates?: readonly GateOutcome[];
  retrospectives?: readonly Retrospective[];
  settings?: Partial<KnowledgeSettings>;
  priorStrength?: number;
}): Knowledge {
  const settings = { ...DEFAULT_KNOWLEDGE_SETTINGS, ...input.settings };
  const outcomes = new Map(input.outcomes.map((o) => [o.id, o]));
  const retrospectives = new Map((input.retrospectives ?? []).map((r) => [r.ventureId, r]));
  const observations = observe(outcomes, input.artifacts, input.gates ?? []);
  // Where each archetype dies: one observation per venture exposed at a stage, a death counted there only.
  const deaths = new Set(input.outcomes.filter((o) => o.diedAt !== null).map((o) => `${o.archetype}:${o.diedAt}`));
  for (const key of deaths) {
    const [archetype, at] = key.split(":") as [string, string];
    const stage = Number(at);
    for (const other of input.outcomes) {
      if (other.archetype !== archetype) continue;
      const exposedAt = other.diedAt === null ? other.reachedStage > stage || other.succeeded : other.diedAt >= stage;
      if (exposedAt)
        observations.push({
          ventureId: other.id,
          stage,
          signature: `${archetype}:${stage}:died-here`,
          source: "stage_outcome",
          diesHere: true,
        });
    }
  }
  const { success, anti } = aggregate(observations, outcomes, retrospectives, settings);
  return {
    calibration: calibrate(outcomes, input.artifacts),
    successPatterns: success,
    antiPatterns: anti,
    curves: buildMortalityCurves(input.outcomes, input.priorStrength ?? 4),
    ventures: input.outcomes.length,
  };
}

// ——— I/O ———

export async function knowledgeSettings(db: Database): Promise<KnowledgeSettings & { priorStrength: number }> {
  const { rows } = await sql<{ key: string; value: unknown }>`
    select key, value from eva_private.fn_knowledge_settings()`.execute(db);
  const get = (key: string, fallback: number) => {
    const v = Number(rows.find((r) => r.key === key)?.value);
    return Number.isFinite(v) ? v : fallback;
  };
  return {
    minSupport: get("knowledge.min_support", DEFAULT_KNOWLEDGE_SETTINGS.minSupport),
    minLift: get("knowledge.min_lift", DEFAULT_KNOWLEDGE_SETTINGS.minLift),
    priorStrength: get("knowledge.prior_strength", 4),
  };
}

/** The inputs of extractKnowledge, read from the database. */
export async function loadKnowledgeInputs(db: Database) {
  const outcomes = await loadOutcomes(db);
  const { rows: artifacts } = await sql<{ venture_id: string; stage: number; content: Record<string, unknown> }>`
    select a.venture_id, a.lifecycle_stage as stage, a.content
    from eva.venture_artifacts a
    join eva.lifecycle_stage_config s on s.stage_number = a.lifecycle_stage and a.artifact_type = s.produces[1]
    where a.is_current and a.lifecycle_stage = any(${[...KNOWLEDGE_STAGES]}::int[])`.execute(db);
  const { rows: gates } = await sql<{ venture_id: string; stage: number; decision: string }>`
    select distinct on (w.venture_id, w.lifecycle_stage) w.venture_id, w.lifecycle_stage as stage, w.gate_decision as decision
    from eva.venture_stage_work w
    join eva.lifecycle_stage_config s on s.stage_number = w.lifecycle_stage
    -- Only decisions that let the venture on: a kill's own death teaches nothing about the kill.
    join eva.gate_decision_options o on o.gate_type = s.gate_type and o.decision = w.gate_decision and o.passes
    where w.gate_decision is not null and w.status in ('completed', 'awaiting_decision')
    order by w.venture_id, w.lifecycle_stage, w.run_number desc`.execute(db);
  const { rows: retros } = await sql<{
    venture_id: string;
    stage_of_death: number;
    ended_as: string;
    kill_reason: string | null;
    analysis: Record<string, unknown>;
  }>`select venture_id, stage_of_death, ended_as, kill_reason, analysis from eva.venture_retrospectives`.execute(db);
  return {
    outcomes,
    artifacts: artifacts.map((a) => ({ ventureId: a.venture_id, stage: a.stage, content: rec(a.content) })),
    gates: gates.map((g) => ({ ventureId: g.venture_id, stage: g.stage, decision: g.decision })),
    retrospectives: retros.map((r) => ({
      ventureId: r.venture_id,
      stageOfDeath: r.stage_of_death,
      endedAs: r.ended_as,
      killReason: r.kill_reason,
      lessons: Array.isArray(r.analysis?.lessons) ? (r.analysis.lessons as unknown[]).map(String) : [],
    })),
  };
}

/** Re-extracts the knowledge base and stores it in one transaction (eva_private.fn_knowledge_store). */
export async function syncKnowledge(db: Database): Promise<Knowledge> {
  const settings = await knowledgeSettings(db);
  const knowledge = extractKnowledge({
    ...(await loadKnowledgeInputs(db)),
    settings,
    priorStrength: settings.priorStrength,
  });
  await sql`select eva_private.fn_knowledge_store(${JSON.stringify(knowledge)}::jsonb)`.execute(db);
  return knowledge;
}
