// The promotion gates (spec §7.2: release / hold / cancel) of Stage 16
// (financial viability, §8.4) and Stage 22 (release readiness, §8.5 "P0 FIX").
// Read the inputs, then decide from them alone.
import type { UpstreamArtifact } from "../stages/types.ts";
import { profileFromPreferences } from "./profiles.ts";
import {
  check,
  failedBlockers,
  failedWarnings,
  type GateCheck,
  type GateResult,
  gateResult,
  list,
  listing,
  num,
  oneOf,
  pct,
  rec,
  str,
} from "./shared.ts";
import type { GateInput } from "./types.ts";

// ---------------------------------------------------------------------------
// Stage 16 — Financial Projections.

/** The runway Stage 16 warns under (its RUNWAY_MONTHS); restated in rationales. */
const RUNWAY_MONTHS = 3;
/** Float noise allowed when comparing fractions (gross margins are rounded to four decimals). */
const EPSILON = 1e-9;

export type Stage16Inputs = {
  cashBalanceEnd: number | null;
  /** pnl.grossMargin (a fraction); null when the plan projects no revenue. */
  grossMargin: number | null;
  stage5GrossMargin: number | null;
  /** Where Stage 5's gross margin came from: the financial_model upstream, or the margin warning's threshold. */
  stage5GrossMarginSource: string | null;
  marginTolerance: number;
  warnings: { kind: string; phaseName: string | null; value: number | null; threshold: number | null }[];
};

export function stage16Inputs(input: GateInput, profile = profileFromPreferences(input.preferences)): Stage16Inputs {
  const pnl = rec(input.artifact.pnl);
  const warnings = list(input.artifact.viabilityWarnings).map((w) => ({
    kind: str(w.kind) ?? "unknown",
    phaseName: str(w.phaseName),
    value: num(w.value),
    threshold: num(w.threshold),
  }));
  const model = input.upstream.financial_model;
  const upstreamMargin = num(rec(model?.content.unitEconomics).grossMargin);
  const warned = warnings.find((w) => w.kind === "margin_below_stage5")?.threshold ?? null;
  return {
    cashBalanceEnd: num(input.artifact.cashBalanceEnd),
    grossMargin: num(pnl.grossMargin),
    stage5GrossMargin: upstreamMargin ?? warned,
    stage5GrossMarginSource:
      upstreamMargin !== null
        ? `financial_model v${model?.version}`
        : warned !== null
          ? "margin_below_stage5 warning"
          : null,
    marginTolerance: profile.stage16.marginTolerance,
    warnings,
  };
}

/**
 * Cancel: the cash trajectory is negative — the plan runs out of cash (a
 * phase ends at or below zero, or the plan ends there): it cannot fund itself
 * as designed. Hold (fixable): runway under three months after a phase, burn
 * above the Stage 5 plan (Stage 16's own 10% tolerance), gross margin more
 * than the profile's tolerance below Stage 5's, no revenue in the plan (no
 * margin to align), or no cash balance reported. Release otherwise; a margin
 * within the tolerance below Stage 5's, or a Stage 5 margin the gate cannot
 * find, is a warning.
 */
export function decideStage16(inputs: Stage16Inputs): GateResult {
  const { cashBalanceEnd, grossMargin, stage5GrossMargin, marginTolerance } = inputs;
  const runway = inputs.warnings.filter((w) => w.kind === "runway");
  const exhausted = runway.filter((w) => (w.value ?? 0) <= 0);
  const thin = runway.filter((w) => (w.value ?? 0) > 0);
  const burn = inputs.warnings.filter((w) => w.kind === "burn_above_plan");
  const cashOut = (cashBalanceEnd !== null && cashBalanceEnd <= 0) || exhausted.length > 0;
  const shortfall = grossMargin !== null && stage5GrossMargin !== null ? stage5GrossMargin - grossMargin : null;
  const phases = (ws: typeof runway) => listing(ws.map((w) => w.phaseName ?? "the plan"));
  const checks: GateCheck[] = [
    check(
      "cash never runs out",
      cashBalanceEnd !== null && !cashOut,
      cashOut
        ? `cash runs out${exhausted.length ? ` in phase ${phases(exhausted)}` : ""} (end balance ${cashBalanceEnd ?? "not reported"})`
        : cashBalanceEnd === null
          ? "no cash balance in the artifact: the trajectory cannot be checked"
          : `cash stays positive through every phase (end balance ${cashBalanceEnd})`,
      "blocker",
      cashBalanceEnd === null
        ? "Re-run Stage 16 so the cash balance is derived"
        : "Rework the plan: raise more starting cash or cut costs until cash covers every phase",
    ),
    check(
      `runway ≥ ${RUNWAY_MONTHS} months`,
      thin.length === 0,
      thin.length
        ? `runway under ${RUNWAY_MONTHS} months after ${listing(thin.map((w) => `${w.phaseName ?? "the plan"} (${w.value} months)`))}`
        : `at least ${RUNWAY_MONTHS} months of runway after every phase`,
      "blocker",
      `Keep at least ${RUNWAY_MONTHS} months of burn in the bank after every phase`,
    ),
    check(
      "burn within the Stage 5 plan",
      burn.length === 0,
      burn.length
        ? `burn above plan in ${listing(burn.map((w) => `${w.phaseName ?? "the plan"} (${w.value}/month vs ${w.threshold})`))}`
        : "monthly burn within 10% of the Stage 5 plan in every phase",
      "blocker",
      "Bring each phase's monthly burn back within 10% of the Stage 5 plan",
    ),
    check(
      "revenue in the plan",
      grossMargin !== null,
      grossMargin === null ? "no revenue projected: no gross margin to align" : `gross margin ${pct(grossMargin)}`,
      "blocker",
      "Project revenue per phase from the Stage 7 pricing model",
    ),
    check(
      `gross margin within ${pct(marginTolerance)} of Stage 5`,
      stage5GrossMargin !== null && (shortfall === null || shortfall <= marginTolerance + EPSILON),
      shortfall === null
        ? stage5GrossMargin === null
          ? "Stage 5 gross margin not available: alignment not checked"
          : "no Stage 16 margin to compare"
        : `gross margin ${pct(grossMargin as number)} vs Stage 5 ${pct(stage5GrossMargin as number)}`,
      stage5GrossMargin === null ? "warning" : "blocker",
      "Bring gross margin back to Stage 5's: infrastructure (COGS) per unit of revenue is too high",
    ),
    check(
      "gross margin at or above Stage 5",
      shortfall === null || shortfall <= EPSILON,
      shortfall === null
        ? "no margin comparison"
        : shortfall > EPSILON
          ? `gross margin ${pct(shortfall)} below Stage 5's`
          : "gross margin at or above Stage 5's",
      "warning",
      "Watch gross margin against Stage 5's during the build loop",
    ),
  ];
  const blockers = failedBlockers(checks);
  const decision = cashOut ? "cancel" : blockers.length ? "hold" : "release";
  const warnings = failedWarnings(checks);
  const rationale =
    decision === "cancel"
      ? `Cancel: the cash trajectory is negative — ${checks[0]?.detail}; the plan cannot fund itself as designed.`
      : decision === "hold"
        ? `Hold: ${listing(blockers.map((c) => c.detail))}.`
        : `Release: cash stays positive with ${RUNWAY_MONTHS}+ months of runway, burn within plan, margins aligned with Stage 5${warnings.length ? ` (warnings: ${listing(warnings.map((c) => c.detail))})` : ""}.`;
  return gateResult(decision, rationale, checks, inputs);
}

// ---------------------------------------------------------------------------
// Stage 22 — Release Readiness ("P0 FIX": enum decisions, not stale booleans).

export const QUALITY_PASSING = ["pass", "conditional_pass"] as const;
export const REVIEW_PASSING = ["approve", "conditional"] as const;
const QUALITY = ["pass", "conditional_pass", "fail"] as const;
const REVIEW = ["approve", "conditional", "reject"] as const;
const RELEASE = ["release", "hold", "cancel"] as const;

export type ReleaseInputs = {
  qualityDecision: string | null;
  /** Where the quality decision was read: "qa_report v<n>" (Stage 20 upstream) or "release_package.sprintSummary". */
  qualitySource: string | null;
  reviewDecision: string | null;
  /** "build_review v<n>" (Stage 21 upstream) or "release_package.sprintSummary". */
  reviewSource: string | null;
  releaseDecision: string | null;
};

/**
 * The three decisions of the promotion gate from a release package: Stage 20's
 * qualityDecision and Stage 21's reviewDecision from their upstream artifacts
 * when given, else from the package's derived sprint summary (which copied
 * them), and the package's own releaseDecision.
 */
export function releaseInputsFromPackage(
  content: Record<string, unknown>,
  upstream: Record<string, UpstreamArtifact>,
): ReleaseInputs {
  const summary = rec(content.sprintSummary);
  const qa = upstream.qa_report;
  const review = upstream.build_review;
  const fromQa = qa ? str(rec(qa.content.qualityDecision).decision) : null;
  const fromReview = review ? str(rec(review.content.reviewDecision).decision) : null;
  const summaryQuality = str(rec(summary.qualityAssessment).decision);
  const summaryReview = str(rec(summary.integrationStatus).reviewDecision);
  return {
    qualityDecision: fromQa ?? summaryQuality,
    qualitySource: fromQa ? `qa_report v${qa?.version}` : summaryQuality ? "release_package.sprintSummary" : null,
    reviewDecision: fromReview ?? summaryReview,
    reviewSource: fromReview
      ? `build_review v${review?.version}`
      : summaryReview
        ? "release_package.sprintSummary"
        : null,
    releaseDecision: str(rec(content.releaseDecision).decision),
  };
}

export function stage22Inputs(input: GateInput): ReleaseInputs {
  return releaseInputsFromPackage(input.artifact, input.upstream);
}

/**
 * Release requires qualityDecision ∈ {pass, conditional_pass} AND
 * reviewDecision ∈ {approve, conditional} AND releaseDecision = release;
 * conditional_pass and conditional are warnings, not blockers. Where the spec
 * is silent on the failing outcome: cancel only when the release decision is
 * cancel (the human call, §8.5); every other miss — a failed quality or
 * rejected review, a decision not recorded, a release decision of hold — is
 * hold: the build loop continues and can fix it.
 */
export function releasePromotion(inputs: ReleaseInputs): GateResult {
  const quality = oneOf(inputs.qualityDecision, QUALITY);
  const review = oneOf(inputs.reviewDecision, REVIEW);
  const release = oneOf(inputs.releaseDecision, RELEASE);
  const qualityOk = quality !== null && (QUALITY_PASSING as readonly string[]).includes(quality);
  const reviewOk = review !== null && (REVIEW_PASSING as readonly string[]).includes(review);
  const checks: GateCheck[] = [
    check(
      "quality decision pass or conditional_pass",
      qualityOk,
      `Stage 20 quality decision: ${inputs.qualityDecision ?? "not recorded"}${inputs.qualitySource ? ` (${inputs.qualitySource})` : ""}`,
      "blocker",
      "Fix the failing tests and defects and re-run QA (Stage 20)",
    ),
    check(
      "review decision approve or conditional",
      reviewOk,
      `Stage 21 review decision: ${inputs.reviewDecision ?? "not recorded"}${inputs.reviewSource ? ` (${inputs.reviewSource})` : ""}`,
      "blocker",
      "Resolve the review's findings and re-run the build review (Stage 21)",
    ),
    check(
      "release decision is release",
      release === "release",
      `release decision: ${inputs.releaseDecision ?? "not recorded"}`,
      "blocker",
      release === "cancel" ? "The release is cancelled" : "Continue the build loop until the release can be approved",
    ),
    check(
      "quality passed without conditions",
      quality !== "conditional_pass",
      quality === "conditional_pass"
        ? "quality passed conditionally: open high-severity defects ship with the release"
        : "quality not conditional",
      "warning",
      "Close the open high-severity defects in the next sprint",
    ),
    check(
      "review approved without conditions",
      review !== "conditional",
      review === "conditional"
        ? "review approved conditionally: its conditions are still open at release"
        : "review not conditional",
      "warning",
      "Meet the build review's conditions in the next sprint",
    ),
  ];
  const blockers = failedBlockers(checks);
  const warnings = failedWarnings(checks);
  const decision = release === "cancel" ? "cancel" : blockers.length ? "hold" : "release";
  const rationale =
    decision === "cancel"
      ? "Cancel: the release decision is cancel."
      : decision === "hold"
        ? `Hold: ${listing(blockers.map((c) => c.detail))}.`
        : `Release: quality ${quality}, review ${review}, release decision release${warnings.length ? `; warnings: ${listing(warnings.map((c) => c.detail))}` : ""}.`;
  return gateResult(decision, rationale, checks, inputs);
}

export const decideStage22 = releasePromotion;
