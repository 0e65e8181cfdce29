// The kill gates (spec §7.2: pass / revise / kill) of Stages 3, 5, 13 and 23.
// Each gate is two pure steps: read the inputs from the GateInput, then decide
// from those inputs alone, so a recorded decision can be re-evaluated from its
// recorded `inputs`.
import { METRICS } from "../stages/stage-02.ts";
import { monthsBetween } from "../stages/stage-13.ts";
import { DEFAULT_PROFILE, type EvaluationProfile, profileFromPreferences } from "./profiles.ts";
import { type ReleaseInputs, releaseInputsFromPackage, releasePromotion } from "./promotion.ts";
import {
  check,
  failedBlockers,
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
// Stage 3 — Individual Validation (spec §8.1).

/** Stage 3 thresholds as §8.1 states them: the defaults of the stage3_* preferences. */
export const STAGE3: Readonly<Stage3Thresholds> = DEFAULT_PROFILE.stage3;
export type Stage3Thresholds = EvaluationProfile["stage3"];

export type Stage3Inputs = {
  overallScore: number | null;
  /** The six fused metrics (0-100); null when the artifact lacks one. */
  metrics: Record<string, number | null>;
  /** The thresholds in force (preferences stage3_*); absent in outcomes recorded before they were preferences: §8.1's. */
  thresholds?: Stage3Thresholds;
};

export function stage3Inputs(input: GateInput, profile = profileFromPreferences(input.preferences)): Stage3Inputs {
  const metrics = rec(input.artifact.metrics);
  return {
    overallScore: num(input.artifact.overallScore),
    metrics: Object.fromEntries(METRICS.map((m) => [m, num(metrics[m])])),
    thresholds: { ...profile.stage3 },
  };
}

/**
 * Pass: overallScore ≥ 70 and every metric ≥ 50. Revise: 50 ≤ overallScore < 70
 * and no metric < 50. Kill: overallScore < 50 or any metric < 50. A metric or
 * score the artifact does not report counts as failing its threshold. (The
 * numbers are the defaults; the inputs' thresholds decide.)
 */
export function decideStage3(inputs: Stage3Inputs): GateResult {
  const { overallScore } = inputs;
  const t = inputs.thresholds ?? STAGE3;
  const low = Object.entries(inputs.metrics).filter(([, v]) => v === null || v < t.metricFloor);
  const checks: GateCheck[] = [
    check(
      `overall score ≥ ${t.reviseOverall}`,
      overallScore !== null && overallScore >= t.reviseOverall,
      `overall score ${overallScore ?? "not reported"} (kill below ${t.reviseOverall})`,
      "blocker",
      "Revisit the idea (Stages 1-2): the validated score is too low to continue",
    ),
    ...Object.entries(inputs.metrics).map(([m, v]) =>
      check(
        `${m} ≥ ${t.metricFloor}`,
        v !== null && v >= t.metricFloor,
        `${m} ${v ?? "not reported"} (kill below ${t.metricFloor})`,
        "blocker",
        `Address ${m}: no metric may score below ${t.metricFloor}`,
      ),
    ),
    check(
      `overall score ≥ ${t.passOverall}`,
      overallScore !== null && overallScore >= t.passOverall,
      `overall score ${overallScore ?? "not reported"} (pass from ${t.passOverall})`,
      "blocker",
      "Re-run Stage 2's analysis with the evidence gaps filled (routed by the DFE), then re-score",
    ),
  ];
  const decision =
    overallScore === null || overallScore < t.reviseOverall || low.length
      ? "kill"
      : overallScore < t.passOverall
        ? "revise"
        : "pass";
  const rationale =
    decision === "pass"
      ? `Overall score ${overallScore} ≥ ${t.passOverall} and every metric ≥ ${t.metricFloor}.`
      : decision === "revise"
        ? `Overall score ${overallScore} is in the revise band (${t.reviseOverall}-${t.passOverall}) with no metric below ${t.metricFloor}.`
        : `${listing([
            ...(overallScore === null
              ? ["the overall score is not reported"]
              : overallScore < t.reviseOverall
                ? [`overall score ${overallScore} < ${t.reviseOverall}`]
                : []),
            ...low.map(([m, v]) => `${m} ${v === null ? "not reported" : `${v} < ${t.metricFloor}`}`),
          ])}.`;
  return gateResult(decision, rationale, checks, inputs);
}

// ---------------------------------------------------------------------------
// Stage 5 — Profitability (spec §8.1, banded).

/** Stage 5 bands as §8.1 states them: the defaults of the stage5_* preferences. */
export const STAGE5: Readonly<Stage5Thresholds> = DEFAULT_PROFILE.stage5;
export type Stage5Thresholds = EvaluationProfile["stage5"];

export type Stage5Inputs = {
  roi3y: number | null;
  breakEvenMonth: number | null;
  ltvCacRatio: number | null;
  paybackMonths: number | null;
  /** The artifact's suggested stage to revisit, used as the next action on kill. */
  remediationRoute: string | null;
  /** The bands in force (preferences stage5_*); absent in outcomes recorded before they were preferences: §8.1's. */
  thresholds?: Stage5Thresholds;
};

export function stage5Inputs(input: GateInput, profile = profileFromPreferences(input.preferences)): Stage5Inputs {
  const projections = rec(input.artifact.projections);
  const unit = rec(input.artifact.unitEconomics);
  const ltv = num(unit.ltv);
  const cac = num(unit.cac);
  return {
    roi3y: num(projections.roi3y),
    breakEvenMonth: num(projections.breakEvenMonth),
    // The derived ratio; computed as the stage does (two decimals) only when an older artifact lacks it.
    ltvCacRatio: num(unit.ltvCacRatio) ?? (ltv !== null && cac ? Math.round((ltv / cac) * 100) / 100 : null),
    paybackMonths: num(unit.paybackMonths),
    remediationRoute: str(input.artifact.remediationRoute),
    thresholds: { ...profile.stage5 },
  };
}

/**
 * Kill: roi3y < 0.15, or break-even later than month 24 or never (null).
 * Pass: roi3y ≥ 0.25 with LTV:CAC ≥ 2 and payback ≤ 18 months; or, in the
 * 15-25% band, only with LTV:CAC ≥ 3 and payback ≤ 12 months. Everything else
 * is revise: the 15-25% band with weaker supplements (spec), and — where §8.1
 * is silent — roi3y ≥ 0.25 with break-even in time but LTV:CAC < 2 or payback
 * > 18 months: the return is there but the unit economics do not carry it, a
 * fixable model, not a dead idea. A missing LTV:CAC or payback fails its check.
 * (The numbers are the defaults; the inputs' thresholds decide.)
 */
export function decideStage5(inputs: Stage5Inputs): GateResult {
  const { roi3y, breakEvenMonth, ltvCacRatio, paybackMonths } = inputs;
  const t = inputs.thresholds ?? STAGE5;
  const inBand = roi3y !== null && roi3y >= t.killRoi && roi3y < t.passRoi;
  const ltvNeeded = inBand ? t.bandLtvCac : t.passLtvCac;
  const paybackLimit = inBand ? t.bandPaybackMonths : t.passPaybackMonths;
  const remediation = inputs.remediationRoute ?? "Revisit Stage 4 pricing and positioning, then rebuild the model";
  const roiOk = roi3y !== null && roi3y >= t.killRoi;
  const breakEvenOk = breakEvenMonth !== null && breakEvenMonth <= t.maxBreakEvenMonth;
  const ltvOk = ltvCacRatio !== null && ltvCacRatio >= ltvNeeded;
  const paybackOk = paybackMonths !== null && paybackMonths <= paybackLimit;
  const fmtRoi = roi3y === null ? "not reported" : pct(roi3y);
  const [kill, pass, band] = [pct(t.killRoi), pct(t.passRoi), `${pct(t.killRoi).slice(0, -1)}-${pct(t.passRoi)}`];
  const checks: GateCheck[] = [
    check(`roi3y ≥ ${kill}`, roiOk, `3-year ROI ${fmtRoi} (kill below ${kill})`, "blocker", remediation),
    check(
      `break-even by month ${t.maxBreakEvenMonth}`,
      breakEvenOk,
      `break-even ${breakEvenMonth === null ? "never within the model" : `month ${breakEvenMonth}`} (kill after month ${t.maxBreakEvenMonth})`,
      "blocker",
      remediation,
    ),
    check(
      `roi3y ≥ ${pass}`,
      roi3y !== null && roi3y >= t.passRoi,
      `3-year ROI ${fmtRoi} (full pass from ${pass}; ${band} passes only on strong supplements)`,
      inBand ? "warning" : "blocker",
      `Raise the 3-year return to ${pass}, or carry the ${band} band with LTV:CAC ≥ ${t.bandLtvCac} and payback ≤ ${t.bandPaybackMonths} months`,
    ),
    check(
      `LTV:CAC ≥ ${ltvNeeded}`,
      ltvOk,
      `LTV:CAC ${ltvCacRatio ?? "not reported"} (needs ${ltvNeeded}${inBand ? ` in the ${band} band` : ""})`,
      "blocker",
      "Improve retention or lower acquisition cost (Stage 4 channels and pricing), then rebuild the model",
    ),
    check(
      `payback ≤ ${paybackLimit} months`,
      paybackOk,
      `payback ${paybackMonths ?? "not reported"} months (needs ≤ ${paybackLimit}${inBand ? ` in the ${band} band` : ""})`,
      "blocker",
      "Shorten payback: raise price or margin, or cut acquisition cost",
    ),
  ];
  let decision: "pass" | "revise" | "kill";
  let rationale: string;
  if (!roiOk || !breakEvenOk) {
    decision = "kill";
    rationale = `${listing([
      ...(roiOk ? [] : [roi3y === null ? "3-year ROI not reported" : `3-year ROI ${fmtRoi} < ${kill}`]),
      ...(breakEvenOk
        ? []
        : [
            breakEvenMonth === null
              ? "no break-even within the model"
              : `break-even month ${breakEvenMonth} > ${t.maxBreakEvenMonth}`,
          ]),
    ])}.`;
  } else if (ltvOk && paybackOk) {
    decision = "pass";
    rationale = inBand
      ? `3-year ROI ${fmtRoi} is in the ${band} band and passes on strong supplements: LTV:CAC ${ltvCacRatio} ≥ ${t.bandLtvCac}, payback ${paybackMonths} ≤ ${t.bandPaybackMonths} months, break-even month ${breakEvenMonth}.`
      : `3-year ROI ${fmtRoi} ≥ ${pass}, break-even month ${breakEvenMonth}, LTV:CAC ${ltvCacRatio} ≥ ${t.passLtvCac}, payback ${paybackMonths} ≤ ${t.passPaybackMonths} months.`;
  } else {
    decision = "revise";
    const weak = listing([
      ...(ltvOk ? [] : [`LTV:CAC ${ltvCacRatio ?? "not reported"} < ${ltvNeeded}`]),
      ...(paybackOk ? [] : [`payback ${paybackMonths ?? "not reported"} > ${paybackLimit} months`]),
    ]);
    rationale = inBand
      ? `3-year ROI ${fmtRoi} is in the ${band} band, which passes only on strong supplements: ${weak}.`
      : `3-year ROI ${fmtRoi} and break-even month ${breakEvenMonth} meet the bar, but the unit economics do not: ${weak}.`;
  }
  return gateResult(decision, rationale, checks, inputs);
}

// ---------------------------------------------------------------------------
// Stage 13 — Product Roadmap (spec §8.4).

export type RoadmapMilestone = {
  title: string;
  priority: string | null;
  targetDate: string | null;
  deliverables: number;
  outcomes: number;
  dependencies: string[];
};

export type Stage13Inputs = {
  roadmapStart: string | null;
  milestones: RoadmapMilestone[];
  nowHorizonMonths: number;
  maxHorizonMonths: number;
};

export function stage13Inputs(input: GateInput, profile = profileFromPreferences(input.preferences)): Stage13Inputs {
  return {
    roadmapStart: str(input.artifact.roadmapStart),
    milestones: list(input.artifact.milestones).map((m) => ({
      title: str(m.title) ?? "(untitled)",
      priority: oneOf(m.priority, ["now", "next", "later"] as const),
      targetDate: str(m.targetDate),
      deliverables: Array.isArray(m.deliverables) ? m.deliverables.length : 0,
      outcomes: Array.isArray(m.outcomes) ? m.outcomes.filter((o) => typeof o === "string" && o.trim()).length : 0,
      dependencies: Array.isArray(m.dependencies) ? m.dependencies.filter((d) => typeof d === "string") : [],
    })),
    nowHorizonMonths: profile.stage13.nowHorizonMonths,
    maxHorizonMonths: profile.stage13.maxHorizonMonths,
  };
}

const isIsoDate = (s: string | null): s is string =>
  s !== null &&
  /^\d{4}-\d{2}-\d{2}$/.test(s) &&
  !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) &&
  new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);

const PRIORITY_ORDER = ["now", "next", "later"] as const;

/**
 * Kill: no "now" milestone with at least one deliverable (nothing to build
 * first). Revise (fixable: dates and outcomes) when any of these fail:
 * - every target date (and the roadmap start) is a calendar date;
 * - no milestone is due before the roadmap start;
 * - dates are in order: each milestone is due strictly after every milestone it
 *   depends on, and no "now" milestone is due after a "next" or "later" one,
 *   nor a "next" after a "later" one;
 * - within the horizon: "now" milestones within `nowHorizonMonths` of the
 *   start, every milestone within `maxHorizonMonths` (whole calendar months);
 * - outcomes defined: every milestone names at least one outcome.
 * Otherwise pass.
 */
export function decideStage13(inputs: Stage13Inputs): GateResult {
  const { roadmapStart, milestones, nowHorizonMonths, maxHorizonMonths } = inputs;
  const now = milestones.filter((m) => m.priority === "now");
  const buildable = now.filter((m) => m.deliverables > 0);
  const badDates = milestones.filter((m) => !isIsoDate(m.targetDate));
  const startOk = isIsoDate(roadmapStart);
  const dated = milestones.filter((m): m is RoadmapMilestone & { targetDate: string } => isIsoDate(m.targetDate));
  const beforeStart = startOk ? dated.filter((m) => m.targetDate < roadmapStart) : [];
  const byTitle = new Map(dated.map((m) => [m.title, m]));
  const outOfOrder: string[] = [];
  for (const m of dated) {
    for (const d of m.dependencies) {
      const dep = byTitle.get(d);
      if (dep && m.targetDate <= dep.targetDate)
        outOfOrder.push(`"${m.title}" (${m.targetDate}) is not after its dependency "${d}" (${dep.targetDate})`);
    }
  }
  for (let i = 0; i < PRIORITY_ORDER.length; i++) {
    for (let j = i + 1; j < PRIORITY_ORDER.length; j++) {
      const earlier = dated.filter((m) => m.priority === PRIORITY_ORDER[i]);
      const later = dated.filter((m) => m.priority === PRIORITY_ORDER[j]);
      for (const a of earlier)
        for (const b of later)
          if (a.targetDate > b.targetDate)
            outOfOrder.push(
              `${a.priority} "${a.title}" (${a.targetDate}) is due after ${b.priority} "${b.title}" (${b.targetDate})`,
            );
    }
  }
  const months = (m: { targetDate: string }) => (startOk ? monthsBetween(roadmapStart, m.targetDate) : 0);
  const nowTooFar = dated.filter((m) => m.priority === "now" && months(m) > nowHorizonMonths);
  const tooFar = dated.filter((m) => months(m) > maxHorizonMonths);
  const noOutcomes = milestones.filter((m) => m.outcomes === 0);
  const titles = (ms: RoadmapMilestone[]) => listing(ms.map((m) => `"${m.title}"`));

  const checks: GateCheck[] = [
    check(
      'a "now" milestone with deliverables',
      buildable.length > 0,
      buildable.length
        ? `${buildable.length} "now" milestone(s) with deliverables: ${titles(buildable)}`
        : now.length
          ? `the "now" milestone(s) ${titles(now)} have no deliverables`
          : 'no milestone is prioritised "now"',
      "blocker",
      'Define the "now" milestone and the deliverables the first sprints will build',
    ),
    check(
      "dates are calendar dates",
      startOk && badDates.length === 0,
      startOk
        ? badDates.length
          ? `invalid target dates: ${titles(badDates)}`
          : "every date is a calendar date"
        : `roadmap start ${roadmapStart ?? "missing"} is not a calendar date`,
      "blocker",
      "Give the roadmap start and every milestone an ISO date (YYYY-MM-DD)",
    ),
    check(
      "no date before the roadmap start",
      beforeStart.length === 0,
      beforeStart.length
        ? `due before ${roadmapStart}: ${titles(beforeStart)}`
        : `no milestone due before ${roadmapStart}`,
      "blocker",
      "Move past-due milestones after the roadmap start",
    ),
    check(
      "dates in order",
      outOfOrder.length === 0,
      outOfOrder.length
        ? outOfOrder.slice(0, 3).join("; ")
        : "dependencies and now/next/later follow each other in time",
      "blocker",
      "Re-sequence the dates: dependencies first, then now before next before later",
    ),
    check(
      `"now" milestones within ${nowHorizonMonths} months`,
      nowTooFar.length === 0,
      nowTooFar.length
        ? `"now" milestone(s) ${titles(nowTooFar)} due more than ${nowHorizonMonths} months after ${roadmapStart}`
        : `every "now" milestone is due within ${nowHorizonMonths} months`,
      "blocker",
      `Cut the "now" scope so it ships within ${nowHorizonMonths} months`,
    ),
    check(
      `roadmap within ${maxHorizonMonths} months`,
      tooFar.length === 0,
      tooFar.length
        ? `${titles(tooFar)} due more than ${maxHorizonMonths} months after ${roadmapStart}`
        : `every milestone is due within ${maxHorizonMonths} months`,
      "blocker",
      `Bring every milestone within ${maxHorizonMonths} months or drop it from the roadmap`,
    ),
    check(
      "outcomes defined",
      noOutcomes.length === 0,
      noOutcomes.length ? `no outcomes for ${titles(noOutcomes)}` : "every milestone names measurable outcomes",
      "blocker",
      "Name at least one measurable outcome for every milestone",
    ),
  ];
  const failed = failedBlockers(checks);
  const decision = buildable.length === 0 ? "kill" : failed.length ? "revise" : "pass";
  const rationale =
    decision === "kill"
      ? `${checks[0]?.detail}; the roadmap gives the build loop nothing to start on.`
      : decision === "revise"
        ? `A "now" milestone with deliverables exists, but the roadmap needs fixing: ${listing(failed.map((c) => c.name))}.`
        : `Feasible roadmap: ${buildable.length} "now" milestone(s) with deliverables, dates in order within the horizon, outcomes defined.`;
  return gateResult(decision, rationale, checks, inputs);
}

// ---------------------------------------------------------------------------
// Stage 23 — Launch Execution (spec §8.6).

export type Stage23Inputs = {
  /** Stage 22's release package as Stage 23 sees it: null when the upstream artifact is absent. */
  release: (ReleaseInputs & { version: number }) | null;
  goDecision: string | null;
  launchTasks: { name: string; status: string | null }[];
  successCriteria: { metric: string; target: string; priority: string | null }[];
  /** The Chairman's release decision at Stage 22, when made: the final call (spec §8.5), over the package's own. */
  chairmanRelease?: string | null;
};

export function stage23Inputs(input: GateInput): Stage23Inputs {
  const pkg = input.upstream.release_package;
  return {
    release: pkg ? { ...releaseInputsFromPackage(pkg.content, {}), version: pkg.version } : null,
    goDecision: str(input.artifact.goDecision),
    launchTasks: list(input.artifact.launchTasks).map((t) => ({
      name: str(t.name) ?? "(unnamed)",
      status: str(t.status),
    })),
    successCriteria: list(input.artifact.successCriteria).map((c) => ({
      metric: str(c.metric) ?? "",
      target: str(c.target) ?? "",
      priority: str(c.priority),
    })),
    chairmanRelease: input.chairmanDecisions?.[22] ?? null,
  };
}

/**
 * Hard prerequisites: Stage 22's promotion gate, re-evaluated from its release
 * package (quality and review decisions from its sprint summary, its release
 * decision), passes (`release`) and the release decision is `release`. Kill
 * when Stage 22 decided `cancel` (there is nothing to launch); revise when the
 * package is absent or the promotion did not pass for any other reason, when a
 * launch task is blocked, when no success criterion (with at least one
 * primary) is defined, or when goDecision is not `go`. A target without a number
 * is a warning: Stage 24 cannot measure it.
 */
export function decideStage23(inputs: Stage23Inputs): GateResult {
  // The Chairman's decision at Stage 22 is the final call; without one, the package's own promotion counts.
  const chairman = inputs.chairmanRelease ?? null;
  const promotion = chairman
    ? { decision: chairman, rationale: `the Chairman decided ${chairman} at Stage 22` }
    : inputs.release
      ? releasePromotion(inputs.release)
      : null;
  const releaseDecision = chairman ?? inputs.release?.releaseDecision ?? null;
  const blocked = inputs.launchTasks.filter((t) => t.status === "blocked");
  const defined = inputs.successCriteria.filter((c) => c.metric && c.target);
  const primary = defined.filter((c) => c.priority === "primary");
  const unmeasurable = defined.filter((c) => !/\d/.test(c.target));
  const checks: GateCheck[] = [
    check(
      "Stage 22 promotion passed",
      promotion?.decision === "release",
      chairman
        ? `the Chairman decided ${chairman} at Stage 22 (the final call)`
        : promotion
          ? `Stage 22 promotion gate re-evaluated from release package v${inputs.release?.version}: ${promotion.decision} (${promotion.rationale})`
          : "no Stage 22 release package",
      "blocker",
      "Return to the build loop: Stage 22 must pass its promotion gate before launch",
    ),
    check(
      "release decision is release",
      releaseDecision === "release",
      `Stage 22 release decision: ${releaseDecision ?? "none"}`,
      "blocker",
      "Obtain a release decision of release at Stage 22",
    ),
    check(
      "no launch task blocked",
      blocked.length === 0,
      blocked.length
        ? `blocked: ${listing(blocked.map((t) => t.name))}`
        : `${inputs.launchTasks.length} launch task(s), none blocked`,
      "blocker",
      `Unblock ${listing(blocked.map((t) => t.name))}`,
    ),
    check(
      "success criteria defined",
      defined.length > 0 && primary.length > 0,
      defined.length ? `${defined.length} success criteria, ${primary.length} primary` : "no success criterion defined",
      "blocker",
      "Define success criteria (metric, target, window) with at least one primary for Stage 24",
    ),
    check(
      "success criteria measurable",
      unmeasurable.length === 0,
      unmeasurable.length
        ? `targets without a number: ${listing(unmeasurable.map((c) => `${c.metric} (${c.target})`))}`
        : "every target is a number",
      "warning",
      "Give every success criterion a numeric target",
    ),
    check(
      "go decision is go",
      inputs.goDecision === "go",
      `go decision: ${inputs.goDecision ?? "none"}`,
      "blocker",
      "Resolve what keeps the launch director at no-go, then decide again",
    ),
  ];
  const failed = failedBlockers(checks);
  const decision = releaseDecision === "cancel" ? "kill" : failed.length ? "revise" : "pass";
  const rationale =
    decision === "kill"
      ? "Stage 22 cancelled the release; there is nothing to launch."
      : decision === "revise"
        ? `Not ready to launch: ${listing(failed.map((c) => c.detail))}.`
        : `Launch prerequisites hold: Stage 22 released, no task blocked, ${defined.length} success criteria, go.`;
  return gateResult(decision, rationale, checks, inputs);
}
