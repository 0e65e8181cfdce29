// The BUILD LOOP gates (spec §7.2, §8.5): Stage 17 build readiness
// (go / conditional_go / no_go), Stage 19 sprint completion (complete /
// continue / blocked), Stage 20 quality (pass / conditional_pass / fail) and
// Stage 21 review (approve / conditional / reject). Each stage's analysis
// states its own decision; the gate checks it against the data and never
// decides more favourably than the analysis did: it takes the stricter of
// the two, so the data can only downgrade a recommendation.
import { DEFAULT_PROFILE, type EvaluationProfile, profileFromPreferences } from "./profiles.ts";
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
  rec,
  str,
} from "./shared.ts";
import type { GateInput } from "./types.ts";

/** The stricter of the analysis's decision and the data's, in an order from most to least favourable. */
function stricter<T extends string>(order: readonly T[], a: string | null, b: T): T {
  const ia = a === null ? -1 : order.indexOf(a as T);
  return ia > order.indexOf(b) ? (order[ia] as T) : b;
}

const OPEN = ["open", "in_progress"];

// ---------------------------------------------------------------------------
// Stage 17 — Build Readiness.

const READINESS = ["go", "conditional_go", "no_go"] as const;

export type Stage17Inputs = {
  analysisDecision: string | null;
  conditions: string[];
  readinessItems: { name: string; status: string | null; priority: string | null }[];
  blockers: { description: string; severity: string | null }[];
};

export function stage17Inputs(input: GateInput): Stage17Inputs {
  const readiness = rec(input.artifact.buildReadiness);
  return {
    analysisDecision: str(readiness.decision),
    conditions: Array.isArray(readiness.conditions)
      ? readiness.conditions.filter((c): c is string => typeof c === "string")
      : [],
    readinessItems: list(input.artifact.readinessItems).map((i) => ({
      name: str(i.name) ?? "(unnamed)",
      status: str(i.status),
      priority: str(i.priority),
    })),
    blockers: list(input.artifact.blockers).map((b) => ({
      description: str(b.description) ?? "(no description)",
      severity: str(b.severity),
    })),
  };
}

/**
 * no_go: the analysis says no_go, a blocker is critical, or a critical-priority
 * readiness item is not_ready. conditional_go: the analysis says
 * conditional_go, or any blocker or readiness item short of ready remains (they
 * become the conditions). go: otherwise. An unrecognised analysis decision is
 * treated as no_go.
 */
export function decideStage17(inputs: Stage17Inputs): GateResult {
  const critical = inputs.blockers.filter((b) => b.severity === "critical");
  const criticalItems = inputs.readinessItems.filter((i) => i.priority === "critical" && i.status === "not_ready");
  const notReady = inputs.readinessItems.filter((i) => i.status !== "ready");
  const other = inputs.blockers.filter((b) => b.severity !== "critical");
  const known = (READINESS as readonly string[]).includes(inputs.analysisDecision ?? "");
  const data =
    critical.length || criticalItems.length ? "no_go" : other.length || notReady.length ? "conditional_go" : "go";
  const decision = known ? stricter(READINESS, inputs.analysisDecision, data) : "no_go";
  const checks: GateCheck[] = [
    check(
      "analysis decision recognised",
      known,
      `build readiness analysis: ${inputs.analysisDecision ?? "none"}`,
      "blocker",
      "Re-run Stage 17: its decision must be go, conditional_go or no_go",
    ),
    check(
      "no critical blocker",
      critical.length === 0,
      critical.length ? `critical: ${listing(critical.map((b) => b.description))}` : "no critical blocker",
      "blocker",
      "Resolve the critical blockers before building",
    ),
    check(
      "every critical item at least partly ready",
      criticalItems.length === 0,
      criticalItems.length
        ? `critical items not ready: ${listing(criticalItems.map((i) => i.name))}`
        : "no critical readiness item is not_ready",
      "blocker",
      `Make ${listing(criticalItems.map((i) => i.name))} ready`,
    ),
    check(
      "analysis says go or conditional_go",
      inputs.analysisDecision === "go" || inputs.analysisDecision === "conditional_go",
      `analysis decision ${inputs.analysisDecision ?? "none"}`,
      "blocker",
      "Address what the readiness analysis found, then re-assess",
    ),
    check(
      "everything ready",
      notReady.length === 0 && other.length === 0,
      notReady.length || other.length
        ? `open: ${listing([...notReady.map((i) => `${i.name} (${i.status ?? "unknown"})`), ...other.map((b) => b.description)])}`
        : "every readiness item ready, no blocker",
      "warning",
      "Close the open readiness items during the first sprint",
    ),
    check(
      "analysis unconditional",
      inputs.analysisDecision !== "conditional_go",
      inputs.analysisDecision === "conditional_go"
        ? `conditions: ${listing(inputs.conditions)}`
        : "analysis sets no conditions",
      "warning",
      "Meet the readiness conditions during the first sprint",
    ),
  ];
  const rationale =
    decision === "no_go"
      ? `No go: ${listing(failedBlockers(checks).map((c) => c.detail))}.`
      : decision === "conditional_go"
        ? `Conditional go: ${listing(failedWarnings(checks).map((c) => c.detail))}.`
        : "Go: every readiness item is ready and nothing blocks the build.";
  return gateResult(decision, rationale, checks, inputs);
}

// ---------------------------------------------------------------------------
// Stage 19 — Sprint Execution.

const COMPLETION = ["complete", "continue", "blocked"] as const;

export type Stage19Inputs = {
  analysisDecision: string | null;
  readyForQa: boolean | null;
  tasks: { name: string; status: string | null }[];
  openIssues: { description: string; severity: string | null }[];
};

export function stage19Inputs(input: GateInput): Stage19Inputs {
  const completion = rec(input.artifact.sprintCompletion);
  return {
    analysisDecision: str(completion.decision),
    readyForQa: typeof completion.readyForQa === "boolean" ? completion.readyForQa : null,
    tasks: list(input.artifact.tasks).map((t) => ({ name: str(t.name) ?? "(unnamed)", status: str(t.status) })),
    openIssues: list(input.artifact.issues)
      .filter((i) => OPEN.includes(str(i.status) ?? ""))
      .map((i) => ({ description: str(i.description) ?? "(no description)", severity: str(i.severity) })),
  };
}

/**
 * blocked: the analysis says blocked, a critical issue is open (or in
 * progress), or more than half of the tasks are blocked. continue: the
 * analysis says continue, a task is not done, or the sprint is not marked
 * ready for QA. complete: every task done, ready for QA, nothing critical open.
 * An unrecognised analysis decision is treated as blocked.
 */
export function decideStage19(inputs: Stage19Inputs): GateResult {
  const critical = inputs.openIssues.filter((i) => i.severity === "critical");
  const blocked = inputs.tasks.filter((t) => t.status === "blocked");
  const undone = inputs.tasks.filter((t) => t.status !== "done");
  const mostlyBlocked = blocked.length * 2 > inputs.tasks.length;
  const known = (COMPLETION as readonly string[]).includes(inputs.analysisDecision ?? "");
  const data =
    critical.length || mostlyBlocked
      ? "blocked"
      : undone.length || inputs.tasks.length === 0 || inputs.readyForQa !== true
        ? "continue"
        : "complete";
  const decision = known ? stricter(COMPLETION, inputs.analysisDecision, data) : "blocked";
  const checks: GateCheck[] = [
    check(
      "analysis decision recognised",
      known,
      `sprint completion analysis: ${inputs.analysisDecision ?? "none"}`,
      "blocker",
      "Re-run Stage 19: its decision must be complete, continue or blocked",
    ),
    check(
      "no open critical issue",
      critical.length === 0,
      critical.length ? `open critical: ${listing(critical.map((i) => i.description))}` : "no open critical issue",
      "blocker",
      "Resolve the open critical issues",
    ),
    check(
      "at most half the tasks blocked",
      !mostlyBlocked,
      `${blocked.length} of ${inputs.tasks.length} tasks blocked`,
      "blocker",
      `Unblock ${listing(blocked.map((t) => t.name))}`,
    ),
    check(
      "analysis not blocked",
      inputs.analysisDecision !== "blocked",
      `analysis decision ${inputs.analysisDecision ?? "none"}`,
      "blocker",
      "Resolve what the sprint report says blocks it",
    ),
    check(
      "every task done",
      inputs.tasks.length > 0 && undone.length === 0,
      `${inputs.tasks.length - undone.length} of ${inputs.tasks.length} tasks done`,
      "warning",
      `Finish ${listing(undone.map((t) => t.name))}`,
    ),
    check(
      "ready for QA",
      inputs.readyForQa === true,
      `readyForQa ${inputs.readyForQa ?? "not set"}`,
      "warning",
      "Mark the sprint ready for QA once its work is done",
    ),
    check(
      "analysis says complete",
      inputs.analysisDecision === "complete",
      `analysis decision ${inputs.analysisDecision ?? "none"}`,
      "warning",
      "Finish the sprint's remaining work",
    ),
  ];
  const rationale =
    decision === "blocked"
      ? `Blocked: ${listing(failedBlockers(checks).map((c) => c.detail))}.`
      : decision === "continue"
        ? `Continue: ${listing(failedWarnings(checks).map((c) => c.detail))}.`
        : `Complete: all ${inputs.tasks.length} tasks done, ready for QA, no critical issue open.`;
  return gateResult(decision, rationale, checks, inputs);
}

// ---------------------------------------------------------------------------
// Stage 20 — Quality Assurance.

const QUALITY = ["pass", "conditional_pass", "fail"] as const;

export type Stage20Inputs = {
  analysisDecision: string | null;
  /** Engineering's measured results the numbers come from (the artifact's testResults); null when none were reported. */
  measured: { source: string; itemsReported: number; itemsTotal: number } | null;
  /** overallPassRate measured by engineering, percent (two decimals, rounded down); null when not reported. */
  overallPassRate: number | null;
  /** coveragePct measured by engineering, test-weighted, percent (two decimals, rounded down); null when not reported. */
  coveragePct: number | null;
  openDefects: { description: string; severity: string | null }[];
  /** Stage 19's readyForQa from the sprint_execution upstream; null when it is not given. */
  readyForQa: boolean | null;
  /** The thresholds in force (preferences stage20_*); absent in outcomes recorded before they were preferences: 95/60. */
  thresholds?: EvaluationProfile["stage20"];
};

export function stage20Inputs(input: GateInput, profile = profileFromPreferences(input.preferences)): Stage20Inputs {
  const execution = input.upstream.sprint_execution;
  const ready = execution ? rec(execution.content.sprintCompletion).readyForQa : undefined;
  const results = rec(input.artifact.testResults);
  const reported = num(results.itemsReported) ?? 0;
  const measured = reported > 0;
  return {
    analysisDecision: str(rec(input.artifact.qualityDecision).decision),
    measured: measured
      ? {
          source: str(results.source) ?? "engineering",
          itemsReported: reported,
          itemsTotal: num(results.itemsTotal) ?? reported,
        }
      : null,
    // Only measured numbers count: without engineering's results there is no pass rate or coverage.
    overallPassRate: measured ? num(input.artifact.overallPassRate) : null,
    coveragePct: measured ? num(input.artifact.coveragePct) : null,
    openDefects: list(input.artifact.knownDefects)
      .filter((d) => OPEN.includes(str(d.status) ?? ""))
      .map((d) => ({ description: str(d.description) ?? "(no description)", severity: str(d.severity) })),
    readyForQa: typeof ready === "boolean" ? ready : null,
    thresholds: { ...profile.stage20 },
  };
}

/**
 * Decides on engineering's measured results only (the SD return path); with
 * none reported the gate fails and says so.
 * pass: overall pass rate ≥ 95% AND coverage ≥ 60% (spec), no high or critical
 * defect open. conditional_pass (our rule): both thresholds met with an open
 * high-severity defect — it ships as a warning at Stage 22. fail: a threshold
 * missed (the thresholds are never waived), an open critical defect, Stage 19
 * not marked ready for QA, or the analysis says fail. The stricter of the
 * analysis's decision and the data's; an unrecognised analysis decision fails.
 * (95 and 60 are the defaults; the inputs' thresholds decide.)
 */
export function decideStage20(inputs: Stage20Inputs): GateResult {
  const { overallPassRate: rate, coveragePct: coverage } = inputs;
  const { passRate: PASS_RATE_THRESHOLD, coverage: COVERAGE_THRESHOLD } = inputs.thresholds ?? DEFAULT_PROFILE.stage20;
  const rateOk = rate !== null && rate >= PASS_RATE_THRESHOLD;
  const coverageOk = coverage !== null && coverage >= COVERAGE_THRESHOLD;
  const critical = inputs.openDefects.filter((d) => d.severity === "critical");
  const high = inputs.openDefects.filter((d) => d.severity === "high");
  const known = (QUALITY as readonly string[]).includes(inputs.analysisDecision ?? "");
  const data =
    !inputs.measured || !rateOk || !coverageOk || critical.length || inputs.readyForQa === false
      ? "fail"
      : high.length
        ? "conditional_pass"
        : "pass";
  // With engineering's results the artifact's decision is EVA's own derivation from these same numbers
  // (src/stages/stage-20.ts), so the gate decides from the data and the thresholds in force: a what-if
  // that moves a threshold moves the decision. Without them, the stricter of the two (both fail).
  const decision = !known ? "fail" : inputs.measured ? data : stricter(QUALITY, inputs.analysisDecision, data);
  const checks: GateCheck[] = [
    check(
      "analysis decision recognised",
      known,
      `quality analysis: ${inputs.analysisDecision ?? "none"}`,
      "blocker",
      "Re-run Stage 20: its decision must be pass, conditional_pass or fail",
    ),
    check(
      "engineering reported test results",
      inputs.measured !== null,
      inputs.measured
        ? `${inputs.measured.itemsReported} of ${inputs.measured.itemsTotal} work items reported (${inputs.measured.source})`
        : "no test results reported by engineering: the pass rate and coverage are unknown",
      "blocker",
      "Have engineering report each SD work item's test results (eva sd complete … --tests-passed N --tests-failed N --coverage P)",
    ),
    check(
      `pass rate ≥ ${PASS_RATE_THRESHOLD}%`,
      rateOk,
      `overall pass rate ${rate ?? "not reported"}% (threshold ${PASS_RATE_THRESHOLD}%)`,
      "blocker",
      `Fix failing tests until at least ${PASS_RATE_THRESHOLD}% pass`,
    ),
    check(
      `coverage ≥ ${COVERAGE_THRESHOLD}%`,
      coverageOk,
      `coverage ${coverage ?? "not reported"}% (threshold ${COVERAGE_THRESHOLD}%)`,
      "blocker",
      `Add tests until coverage reaches ${COVERAGE_THRESHOLD}%`,
    ),
    check(
      "no open critical defect",
      critical.length === 0,
      critical.length ? `open critical: ${listing(critical.map((d) => d.description))}` : "no open critical defect",
      "blocker",
      "Fix the open critical defects",
    ),
    check(
      "sprint ready for QA",
      inputs.readyForQa !== false,
      inputs.readyForQa === null ? "Stage 19 readiness not given" : `Stage 19 readyForQa ${inputs.readyForQa}`,
      "blocker",
      "Finish the sprint (Stage 19) before QA",
    ),
    check(
      "analysis does not fail the build",
      inputs.analysisDecision !== "fail",
      `analysis decision ${inputs.analysisDecision ?? "none"}`,
      "blocker",
      "Address what QA found and re-run it",
    ),
    check(
      "no open high defect",
      high.length === 0,
      high.length ? `open high: ${listing(high.map((d) => d.description))}` : "no open high-severity defect",
      "warning",
      "Fix the open high-severity defects in the next sprint",
    ),
    check(
      "analysis unconditional",
      inputs.analysisDecision !== "conditional_pass",
      `analysis decision ${inputs.analysisDecision ?? "none"}`,
      "warning",
      "Meet the QA conditions in the next sprint",
    ),
  ];
  const rationale =
    decision === "fail"
      ? `Fail: ${listing(failedBlockers(checks).map((c) => c.detail))}.`
      : decision === "conditional_pass"
        ? `Conditional pass: pass rate ${rate}% and coverage ${coverage}% meet the thresholds, but ${listing(failedWarnings(checks).map((c) => c.detail))}.`
        : `Pass: pass rate ${rate}% ≥ ${PASS_RATE_THRESHOLD}%, coverage ${coverage}% ≥ ${COVERAGE_THRESHOLD}%, no high or critical defect open.`;
  return gateResult(decision, rationale, checks, inputs);
}

// ---------------------------------------------------------------------------
// Stage 21 — Build Review.

const REVIEW = ["approve", "conditional", "reject"] as const;

export type Stage21Inputs = {
  analysisDecision: string | null;
  conditions: string[];
  /** Stage 20's quality decision from the qa_report upstream; null when it is not given. */
  qualityDecision: string | null;
  integrations: { name: string; status: string | null; severity: string | null }[];
};

export function stage21Inputs(input: GateInput): Stage21Inputs {
  const review = rec(input.artifact.reviewDecision);
  const qa = input.upstream.qa_report;
  return {
    analysisDecision: str(review.decision),
    conditions: Array.isArray(review.conditions)
      ? review.conditions.filter((c): c is string => typeof c === "string")
      : [],
    qualityDecision: qa ? str(rec(qa.content.qualityDecision).decision) : null,
    integrations: list(input.artifact.integrations).map((i) => ({
      name: str(i.name) ?? "(unnamed)",
      status: str(i.status),
      severity: str(i.severity),
    })),
  };
}

/**
 * reject: the analysis rejects, Stage 20's quality failed, or a critical
 * integration is failing. conditional: the analysis is conditional, quality
 * passed only conditionally (or is not given), or an integration is not
 * passing (degraded, failing below critical, pending). approve: otherwise.
 * An unrecognised analysis decision rejects.
 */
export function decideStage21(inputs: Stage21Inputs): GateResult {
  const failingCritical = inputs.integrations.filter((i) => i.status === "failing" && i.severity === "critical");
  const notPassing = inputs.integrations.filter((i) => i.status !== "passing" && !failingCritical.includes(i));
  const known = (REVIEW as readonly string[]).includes(inputs.analysisDecision ?? "");
  const q = inputs.qualityDecision;
  const data =
    q === "fail" || failingCritical.length ? "reject" : q !== "pass" || notPassing.length ? "conditional" : "approve";
  const decision = known ? stricter(REVIEW, inputs.analysisDecision, data) : "reject";
  const checks: GateCheck[] = [
    check(
      "analysis decision recognised",
      known,
      `review analysis: ${inputs.analysisDecision ?? "none"}`,
      "blocker",
      "Re-run Stage 21: its decision must be approve, conditional or reject",
    ),
    check(
      "quality not failed",
      q !== "fail",
      `Stage 20 quality decision ${q ?? "not given"}`,
      "blocker",
      "Return to QA (Stage 20): the build failed quality",
    ),
    check(
      "no critical integration failing",
      failingCritical.length === 0,
      failingCritical.length
        ? `failing critical: ${listing(failingCritical.map((i) => i.name))}`
        : "no critical integration failing",
      "blocker",
      `Fix ${listing(failingCritical.map((i) => i.name))}`,
    ),
    check(
      "analysis does not reject",
      inputs.analysisDecision !== "reject",
      `analysis decision ${inputs.analysisDecision ?? "none"}`,
      "blocker",
      "Address the review's findings and re-run it",
    ),
    check(
      "quality passed outright",
      q === "pass",
      `Stage 20 quality decision ${q ?? "not given"}`,
      "warning",
      "Close the QA conditions",
    ),
    check(
      "every integration passing",
      notPassing.length === 0,
      notPassing.length
        ? `not passing: ${listing(notPassing.map((i) => `${i.name} (${i.status ?? "unknown"}, ${i.severity ?? "?"})`))}`
        : `all ${inputs.integrations.length} integrations passing`,
      "warning",
      "Bring every integration to passing",
    ),
    check(
      "analysis unconditional",
      inputs.analysisDecision !== "conditional",
      inputs.analysisDecision === "conditional"
        ? `conditions: ${listing(inputs.conditions)}`
        : "analysis sets no conditions",
      "warning",
      "Meet the review conditions before release",
    ),
  ];
  const rationale =
    decision === "reject"
      ? `Reject: ${listing(failedBlockers(checks).map((c) => c.detail))}.`
      : decision === "conditional"
        ? `Conditional: ${listing(failedWarnings(checks).map((c) => c.detail))}.`
        : "Approve: quality passed and every integration passes.";
  return gateResult(decision, rationale, checks, inputs);
}
