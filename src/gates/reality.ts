// The reality gates (spec §7.2: pass / conditional / fail) on leaving a phase
// at 5→6, 9→10, 12→13, 16→17 and 20→21 (spec §13 "Reality Gate Evaluator"):
// every stage of the phase has a current, validated artifact whose quality
// meets the profile's thresholds, plus Stage 9's exit specifics and Stage 12's
// economy check, and the URLs the phase's artifacts name (checked before the
// gate, results passed in). Blockers fail the gate, warnings make it
// conditional; every failed check names its next action and the stage whose
// artifact it read (a retry re-runs that stage, spec §15).
import { stageDefinition } from "../stages/index.ts";
import { stage01 } from "../stages/stage-01.ts";
import { type EvaluationProfile, profileFromPreferences, type RealityBoundary } from "./profiles.ts";
import {
  check,
  failedBlockers,
  failedWarnings,
  type GateCheck,
  type GateResult,
  gateResult,
  listing,
  num,
  rec,
  str,
} from "./shared.ts";
import type { GateInput, PhaseArtifact } from "./types.ts";
import { type NamedUrl, type UrlCheckResult, urlsNamedIn } from "./url-check.ts";

/** The phase each boundary closes and the stages of it that must be done by then (lifecycle_phases, up to the boundary). */
export const BOUNDARY_PHASE: Record<RealityBoundary, { phase: number; stages: number[] }> = {
  5: { phase: 1, stages: [1, 2, 3, 4, 5] },
  9: { phase: 2, stages: [6, 7, 8, 9] },
  12: { phase: 3, stages: [10, 11, 12] },
  16: { phase: 4, stages: [13, 14, 15, 16] },
  // Stage 20 closes the build half of THE BUILD LOOP; 21 and 22 run after it.
  20: { phase: 5, stages: [17, 18, 19, 20] },
};

/** Stages whose artifact is human input with no quality score (Stage 1, the Draft Idea). */
export const UNSCORED_STAGES: readonly number[] = [1];

/** Stage 9 specifics (§8.2): at least this many target acquirers, a thesis of at least this many characters. */
export const STAGE9 = { minAcquirers: 3, minThesisLength: 20 } as const;

export function primaryArtifactType(stage: number): string {
  const type = stage === 1 ? stage01.produces[0] : stageDefinition(stage)?.produces[0];
  if (!type) throw new Error(`no stage module declares stage ${stage}'s artifact`);
  return type;
}

export type Stage9Facts = {
  exitThesis: string | null;
  acquirerCount: number;
  valuationRange: { low: number | null; base: number | null; high: number | null } | null;
};

export type Stage12Facts = {
  /** economyCheck.pipelineCoverageOfYear1Revenue: weighted pipeline / Stage 5 year-1 revenue. */
  pipelineCoverage: number | null;
  weightedPipelineValue: number | null;
  year1RevenueProjection: number | null;
  minPipelineCoverage: number;
  conditionalPipelineCoverage: number;
};

export type RealityInputs = {
  boundary: RealityBoundary;
  phase: number;
  requiredStages: { stage: number; type: string }[];
  /** The current artifacts of the required stages (primary type only), as given. */
  artifacts: PhaseArtifact[];
  minQualityScore: number;
  targetQualityScore: number;
  stage9: Stage9Facts | null;
  stage12: Stage12Facts | null;
  /** The URLs the phase's artifacts name, as checked before the gate (absent in inputs recorded before URL checks). */
  urls?: UrlCheckResult[];
};

/** A reality gate check with the stage whose artifact it read: the stage responsible when it fails. */
export interface RealityCheck extends GateCheck {
  stage: number;
  artifactType: string;
}

const reads = (c: GateCheck, stage: number, artifactType: string): RealityCheck => ({ ...c, stage, artifactType });

/**
 * The URLs a reality gate checks: those named in the gate stage's new artifact
 * and in the upstream artifacts it reads from its own phase, each with the
 * stage that names it.
 */
export function realityGateUrls(
  boundary: RealityBoundary,
  artifact: Record<string, unknown>,
  upstream: Record<string, { stage: number; type: string; content: unknown }>,
): NamedUrl[] {
  const stages = BOUNDARY_PHASE[boundary].stages;
  return urlsNamedIn([
    ...Object.values(upstream).filter((a) => stages.includes(a.stage) && a.stage !== boundary),
    { stage: boundary, type: primaryArtifactType(boundary), content: artifact },
  ]);
}

function stage9Facts(artifact: Record<string, unknown>): Stage9Facts {
  const range = rec(rec(artifact.valuationEstimate).estimatedRange);
  const hasRange = Object.keys(range).length > 0;
  return {
    exitThesis: str(artifact.exitThesis),
    acquirerCount: Array.isArray(artifact.targetAcquirers) ? artifact.targetAcquirers.length : 0,
    valuationRange: hasRange ? { low: num(range.low), base: num(range.base), high: num(range.high) } : null,
  };
}

function stage12Facts(artifact: Record<string, unknown>, profile: EvaluationProfile): Stage12Facts {
  const economy = rec(artifact.economyCheck);
  return {
    pipelineCoverage: num(economy.pipelineCoverageOfYear1Revenue),
    weightedPipelineValue: num(economy.weightedPipelineValue),
    year1RevenueProjection: num(economy.year1RevenueProjection),
    minPipelineCoverage: profile.stage12.minPipelineCoverage,
    conditionalPipelineCoverage: profile.stage12.conditionalPipelineCoverage,
  };
}

export function realityInputs(
  input: GateInput & { stage: RealityBoundary },
  profile = profileFromPreferences(input.preferences),
): RealityInputs {
  const boundary = input.stage;
  const { phase, stages } = BOUNDARY_PHASE[boundary];
  const requiredStages = stages.map((stage) => ({ stage, type: primaryArtifactType(stage) }));
  const artifacts: PhaseArtifact[] = [];
  for (const { stage, type } of requiredStages) {
    const current = input.phaseArtifacts
      .filter((a) => a.stage === stage && a.type === type)
      .sort((a, b) => b.version - a.version)[0];
    if (current) artifacts.push({ ...current });
  }
  const thresholds = profile.reality[boundary];
  return {
    boundary,
    phase,
    requiredStages,
    artifacts,
    minQualityScore: thresholds.minQualityScore,
    targetQualityScore: thresholds.targetQualityScore,
    stage9: boundary === 9 ? stage9Facts(input.artifact) : null,
    stage12: boundary === 12 ? stage12Facts(input.artifact, profile) : null,
    ...(input.urlChecks ? { urls: input.urlChecks.map((u) => ({ ...u })) } : {}),
  };
}

const NEXT_FOR_STATUS: Record<string, (stage: number) => string> = {
  rejected: (s) => `Re-run Stage ${s}: its artifact was rejected`,
  needs_revision: (s) => `Revise Stage ${s}'s artifact and re-run it`,
  pending: (s) => `Validate Stage ${s}'s artifact`,
};

function artifactChecks(inputs: RealityInputs): RealityCheck[] {
  const checks: RealityCheck[] = [];
  const { minQualityScore: min, targetQualityScore: target } = inputs;
  for (const { stage, type } of inputs.requiredStages) {
    const a = inputs.artifacts.find((x) => x.stage === stage && x.type === type);
    const push = (c: GateCheck) => checks.push(reads(c, stage, type));
    push(
      check(
        `stage ${stage} artifact present`,
        a !== undefined,
        a ? `stage ${stage} ${type} v${a.version}` : `stage ${stage} has no current ${type}`,
        "blocker",
        `Run Stage ${stage} to produce its ${type}`,
      ),
    );
    if (!a) continue;
    push(
      check(
        `stage ${stage} artifact validated`,
        a.validationStatus === "validated",
        `stage ${stage} ${type} v${a.version} is ${a.validationStatus}`,
        "blocker",
        (NEXT_FOR_STATUS[a.validationStatus] ?? NEXT_FOR_STATUS.pending)?.(stage),
      ),
    );
    if (UNSCORED_STAGES.includes(stage)) continue;
    const q = a.qualityScore;
    push(
      check(
        `stage ${stage} quality ≥ ${min}`,
        q !== null && q >= min,
        `stage ${stage} quality ${q ?? "not scored"} (minimum ${min})`,
        "blocker",
        `Re-run Stage ${stage} with the gaps named in its artifact filled: quality must reach ${min}`,
      ),
    );
    if (q !== null && q >= min)
      push(
        check(
          `stage ${stage} quality ≥ ${target}`,
          q >= target,
          `stage ${stage} quality ${q} (target ${target})`,
          "warning",
          `Strengthen Stage ${stage}'s artifact toward quality ${target}`,
        ),
      );
  }
  return checks;
}

function stage9Checks(facts: Stage9Facts): RealityCheck[] {
  const r = facts.valuationRange;
  const rangeOk =
    r !== null &&
    r.low !== null &&
    r.base !== null &&
    r.high !== null &&
    r.low <= r.base &&
    r.base <= r.high &&
    r.high > 0;
  return [
    check(
      "exit thesis stated",
      (facts.exitThesis?.length ?? 0) >= STAGE9.minThesisLength,
      facts.exitThesis ? `exit thesis: ${facts.exitThesis.slice(0, 80)}` : "no exit thesis",
      "blocker",
      "Re-run Stage 9 with an exit thesis grounded in Stages 1-8",
    ),
    check(
      `≥ ${STAGE9.minAcquirers} target acquirers`,
      facts.acquirerCount >= STAGE9.minAcquirers,
      `${facts.acquirerCount} target acquirer(s)`,
      "blocker",
      `Name at least ${STAGE9.minAcquirers} target acquirers with rationale and fit`,
    ),
    check(
      "valuation range present",
      rangeOk,
      r ? `valuation range low ${r.low}, base ${r.base}, high ${r.high}` : "no valuation range",
      "blocker",
      "Give the valuation estimate a revenue base and low ≤ base ≤ high multiples",
    ),
  ].map((c) => reads(c, 9, primaryArtifactType(9)));
}

function stage12Checks(facts: Stage12Facts): RealityCheck[] {
  const { pipelineCoverage: c, minPipelineCoverage: min, conditionalPipelineCoverage: floor } = facts;
  const describe =
    c === null
      ? `no coverage: Stage 5 gives no year-1 revenue to compare (weighted pipeline ${facts.weightedPipelineValue ?? "not reported"})`
      : `weighted pipeline ${facts.weightedPipelineValue ?? "?"} covers ${c}× Stage 5's year-1 revenue ${facts.year1RevenueProjection ?? "?"}`;
  return [
    check(
      `economy check: coverage ≥ ${floor}×`,
      c === null || c >= floor,
      `${describe} (fails under ${floor}×)`,
      "blocker",
      "Build the pipeline (Stage 11 channels, Stage 12 deals) or revise Stage 5's year-1 revenue down",
    ),
    check(
      `economy check: coverage ≥ ${min}×`,
      c !== null && c >= min,
      `${describe} (supports the model from ${min}×)`,
      "warning",
      c === null
        ? "Check the pipeline against a Stage 5 year-1 revenue projection"
        : `Grow the weighted pipeline to ${min}× Stage 5's year-1 revenue before the build loop`,
    ),
  ].map((c) => reads(c, 12, primaryArtifactType(12)));
}

/**
 * A URL that does not answer (an HTTP error, a refused connection, an unknown
 * host) is evidence that does not hold: a blocker on the stage that names it.
 * No answer within the timeout is a warning (slow is not gone). Unchecked URLs
 * make no check: they are listed in the inputs and the rationale.
 */
function urlChecks(urls: readonly UrlCheckResult[]): RealityCheck[] {
  return urls
    .filter((u) => u.status !== "unchecked")
    .map((u) =>
      reads(
        check(
          `stage ${u.stage} URL reachable: ${u.url}`,
          u.status === "reachable",
          `stage ${u.stage} ${u.artifactType} names ${u.url}: ${u.status} (${u.detail})`,
          u.status === "timeout" ? "warning" : "blocker",
          u.status === "timeout"
            ? `Check ${u.url} by hand: it did not answer in time`
            : `Re-run Stage ${u.stage} without ${u.url}, or with a URL that answers`,
        ),
        u.stage,
        u.artifactType,
      ),
    );
}

function uncheckedNote(urls: readonly UrlCheckResult[] | undefined): string {
  const unchecked = (urls ?? []).filter((u) => u.status === "unchecked");
  if (!unchecked.length) return "";
  const why = unchecked[0]?.detail.replace(/^not checked: /, "") ?? "";
  return ` ${unchecked.length} URL(s) named in the phase were not checked (${why}): ${listing(unchecked.map((u) => u.url))}.`;
}

/**
 * Fail on any blocker: a required stage without a current artifact, an
 * artifact not validated (pending, needs_revision or rejected), a quality
 * score under the minimum (or none, except for Stage 1's human input), and at
 * Stage 9 a missing thesis, fewer than 3 acquirers or no valuation range, at
 * Stage 12 a pipeline coverage under the conditional floor, and a named URL
 * that does not answer. Conditional on warnings only: a quality score under
 * the target, a coverage under the minimum (or none to compute, when Stage 5
 * projects no year-1 revenue), a URL that timed out. Unchecked URLs decide
 * nothing; the rationale lists them. Pass otherwise.
 */
export function decideReality(inputs: RealityInputs): GateResult {
  const checks = [
    ...artifactChecks(inputs),
    ...(inputs.stage9 ? stage9Checks(inputs.stage9) : []),
    ...(inputs.stage12 ? stage12Checks(inputs.stage12) : []),
    ...urlChecks(inputs.urls ?? []),
  ];
  const blockers = failedBlockers(checks);
  const warnings = failedWarnings(checks);
  const first = inputs.requiredStages[0]?.stage;
  const span = `phase ${inputs.phase} (stages ${first}-${inputs.boundary})`;
  const decision = blockers.length ? "fail" : warnings.length ? "conditional" : "pass";
  const rationale =
    decision === "fail"
      ? `Leaving ${span} is blocked: ${listing(blockers.map((c) => c.detail))}.`
      : decision === "conditional"
        ? `${span[0]?.toUpperCase()}${span.slice(1)} is complete, with conditions: ${listing(warnings.map((c) => c.detail))}.`
        : `${span[0]?.toUpperCase()}${span.slice(1)} is complete: every stage has a current, validated artifact at quality ≥ ${inputs.targetQualityScore}${inputs.stage9 ? ", with exit thesis, acquirers and valuation range" : ""}${inputs.stage12 ? ", and the weighted pipeline supports Stage 5's year-1 revenue" : ""}.`;
  return gateResult(decision, rationale + uncheckedNote(inputs.urls), checks, inputs);
}
