// What every stage module declares (spec §7, §8): its place in the lifecycle,
// its cross-stage contract, the schema of its analysis and of its artifact,
// the pure derivation, the analysisStep prompt and the offline analyst's
// deterministic simulation.
import type { z } from "zod";
import type { Archetype } from "./enums.ts";

export type GateType =
  | "none"
  | "kill"
  | "reality"
  | "promotion"
  | "build_readiness"
  | "sprint_completion"
  | "quality"
  | "review"
  | "venture_decision";

/** The venture as every stage sees it: its Stage 1 idea (spec §8.1). */
export interface VentureBrief {
  id: string;
  name: string;
  archetype: Archetype;
  description: string;
  problemStatement: string;
  valueProp: string;
  targetMarket: string;
  keyAssumptions: string[];
  successCriteria: string[];
  moatStrategy: string | null;
}

/** A current, validated upstream artifact named by the stage's contract. */
export interface UpstreamArtifact {
  stage: number;
  type: string;
  version: number;
  content: Record<string, unknown>;
  qualityScore: number | null;
}

export interface StageContext {
  venture: VentureBrief;
  /** The current artifacts of the stages this stage consumes, by artifact type (and nothing else). */
  artifacts: Record<string, UpstreamArtifact>;
  /** Which run of this stage this is: 1, then 2 on a re-run or the next ops cycle. */
  runNumber: number;
  /** Feedback for a re-run: gate failure reasons, Chairman notes. Empty on a first run. */
  feedback: string[];
  /** The run's date (ISO, when the stage became ready): the anchor for every date a stage plans, so a run never reads the clock. */
  asOf: string;
  /** Stages 19 and 20: what engineering reported for the sprint's work items (eva.fn_sd_results), if it was asked. */
  engineering?: EngineeringResults | null;
  /** Stage 20: the quality thresholds in force (Chairman preferences stage20_*); unset: 95 % and 60 %. */
  qualityThresholds?: { passRate: number; coverage: number };
  /** Stage 24: the ops cycle's measured metrics and the previous version's recorded values (eva.fn_cycle_metrics). */
  measurements?: CycleMeasurements | null;
  /** Who produced the analysis being derived: set by the engine for computeDerived (absent outside a stage run). */
  analyst?: "openai" | "offline";
}

/** What eva.fn_cycle_metrics hands Stage 24: the cycle's observations (facts, with their source) and the previous version's values. */
export interface CycleMeasurements {
  /** The ops cycle: the Stage 24 run number. */
  cycle: number;
  /** Observations after this time (the previous Stage 24 run's start) count; null for the first cycle. */
  observedAfter: string | null;
  /** … up to this time (this run's start). */
  observedUntil: string;
  /** The latest observation of each metric in the cycle. */
  metrics: {
    id: number;
    category: "acquisition" | "activation" | "retention" | "revenue" | "referral";
    name: string;
    value: number;
    observedAt: string;
    source: string;
    criterionRef: string | null;
  }[];
  /** The previous launch_scorecard version and the values it recorded, by metric; null in the first cycle. */
  previous: {
    version: number;
    runNumber: number | null;
    metrics: { category: string; name: string; value: number | null; label: string }[];
  } | null;
}

/** A value in an artifact that was measured, not judged: `fact`, with where it came from (epistemic_evidence.measured). */
export interface MeasuredValue {
  /** Path in the artifact's content, e.g. "aarrr.retention[0].value". */
  field: string;
  source: string;
  observedAt?: string;
}

export interface EngineeringResults {
  /** The eva_sagas row of the sprint, when the database gave it. */
  sagaId?: string;
  status: string;
  total: number;
  items: {
    /** The eva.sd_work_items row, when the database gave it. */
    id?: string;
    title: string;
    status: string;
    testsPassed: number | null;
    testsFailed: number | null;
    coveragePct: number | null;
  }[];
  totals: { testsPassed: number; testsFailed: number; coverageAvg: number | null };
}

export interface Prompt {
  system: string;
  user: string;
}

/** Deterministic randomness for the offline analyst, seeded by the prompt's hash. */
export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  /** A float in [min, max), rounded to `decimals` (default 2). */
  float(min: number, max: number, decimals?: number): number;
  pick<T>(items: readonly T[]): T;
  /** `count` distinct items in random order. */
  sample<T>(items: readonly T[], count: number): T[];
  chance(probability: number): boolean;
}

export interface StageDefinition<Analysis extends object = object, Derived extends object = object> {
  number: number;
  name: string;
  /** Lifecycle phase 1-6. */
  phase: number;
  gateType: GateType;
  /** Stage numbers this stage consumes: lifecycle_stage_config.depends_on. */
  consumes: readonly number[];
  /** Artifact types it writes; the first is its primary artifact: lifecycle_stage_config.produces. */
  produces: readonly string[];
  /** What the analysisStep (the LLM or the offline analyst) must return. */
  analysisSchema: z.ZodType<Analysis>;
  /** The primary artifact: the analysis plus the derived fields (the stage's Target Schema v2.0). */
  artifactSchema: z.ZodType<Analysis & Derived>;
  /** Pure and deterministic: the derived fields from the analysis and the upstream artifacts. */
  computeDerived(analysis: Analysis, ctx: StageContext): Derived;
  /** The analysisStep prompt, built only from ctx (the artifacts the contract names). */
  prompt(ctx: StageContext): Prompt;
  /** The offline analyst: a schema-valid, plausible analysis drawn from the venture's own inputs. */
  simulate(ctx: StageContext, rng: Rng): Analysis;
  /** Artifacts beside the primary one (Stage 25), by artifact type; each is validated by `secondarySchemas`. */
  secondaryArtifacts?(artifact: Analysis & Derived, ctx: StageContext): Record<string, object>;
  secondarySchemas?: Record<string, z.ZodType<object>>;
  /** The measured values inside the artifact, by path (facts with their source), recorded in epistemic_evidence.measured. */
  measuredValues?(artifact: Analysis & Derived, ctx: StageContext): MeasuredValue[];
  /** 0-100: how complete and well-supported the artifact is. */
  qualityScore(artifact: Analysis & Derived, ctx: StageContext): number;
  /**
   * The artifact's top-level fields that are measured, not judged, with where they come from
   * (`fact`), or `unknown` when the measurement is missing. Every other field is the analyst's
   * judgement. Recorded in the artifact's epistemic_evidence (see fieldEvidence).
   */
  measuredFields?(artifact: Analysis & Derived, ctx: StageContext): Record<string, MeasuredField>;
}

/** A measured field's label: what it is and where it was read. */
export interface MeasuredField {
  classification: "fact" | "unknown";
  source: string;
}

/** Reads a typed upstream artifact's content, failing clearly when the contract was not honoured. */
export function upstream<T = Record<string, unknown>>(ctx: StageContext, type: string): T {
  const artifact = ctx.artifacts[type];
  if (!artifact) throw new Error(`stage context lacks the ${type} artifact its contract names`);
  return artifact.content as T;
}

/** Same as `upstream`, but undefined when the artifact is absent. */
export function maybeUpstream<T = Record<string, unknown>>(ctx: StageContext, type: string): T | undefined {
  return ctx.artifacts[type]?.content as T | undefined;
}
