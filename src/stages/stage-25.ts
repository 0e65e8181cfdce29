// Stage 25 — Venture Review, the capstone (spec §8.6; seed 000 "Optimization &
// Scale"): the whole journey reviewed and the venture decision. Derived: venture
// health in five dimensions, the financial comparison of Stage 5/16 projections
// with Stage 24 actuals, and the drift of the current vision from the Stage 1
// idea. Beside the review it writes four artifacts: the Assumptions vs Reality
// report, the optimization roadmap, the scaling plan and growth experiments.
import { z } from "zod";
import {
  type AssumptionsRealityReport,
  assumptionsRealityReportSchema,
  contentWords,
  type Measured,
  monthlyRevenueActual,
  reportFor,
  scorecardMetrics,
  sharedWords,
  stage5MonthlyRevenue,
  stage16MonthlyRevenue,
} from "./assumptions-reality.ts";
import { initiativeStatus, severity } from "./enums.ts";
import { stagePrompt } from "./prompt.ts";
import { ventureProfile } from "./simulation.ts";
import { clamp, list, num, rec, strings, text } from "./stage-18.ts";
import { type AarrrStage, LOWER_IS_BETTER } from "./stage-24.ts";
import type { Rng, StageContext, StageDefinition, VentureBrief } from "./types.ts";

export const ventureDecision = z.enum(["continue", "pivot", "expand", "sunset", "exit"]);
export type VentureDecision = z.infer<typeof ventureDecision>;
export const confidence = z.enum(["high", "medium", "low"]);
export const dimension = z.enum(["product", "market", "technical", "financial", "team"]);
export type Dimension = z.infer<typeof dimension>;
export const DIMENSIONS = dimension.options;
export const healthBand = z.enum(["critical", "fragile", "viable", "strong"]);
export const financialTrajectory = z.enum(["improving", "flat", "declining"]);
export const semanticDrift = z.enum(["aligned", "moderate_drift", "major_drift"]);

const initiative = z.object({ title: z.string().min(1), outcome: z.string().min(1), status: initiativeStatus });

const analysisSchema = z.object({
  reviewSummary: z.string().min(20),
  currentVision: z.string().min(20),
  initiatives: z.object({
    product: z.array(initiative),
    market: z.array(initiative),
    technical: z.array(initiative),
    financial: z.array(initiative),
    team: z.array(initiative),
  }),
  ventureDecision: z.object({
    decision: ventureDecision,
    rationale: z.string().min(10),
    confidence,
    keyFactors: z.array(z.string().min(1)).min(1),
  }),
  nextSteps: z
    .array(
      z.object({
        action: z.string().min(3),
        owner: z.string().min(1),
        timeline: z.string().min(1),
        priority: severity,
        category: dimension,
      }),
    )
    .min(1),
  /** Explicit links from Stage 1 key assumptions to the Stage 24 metrics that test them (for the Assumptions vs Reality report). */
  assumptionLinks: z.array(z.object({ assumption: z.string().min(1), metrics: z.array(z.string().min(1)) })),
});
export type VentureReviewAnalysis = z.infer<typeof analysisSchema>;

const score = z.number().int().min(0).max(100);
const derivedSchema = z.object({
  ventureHealth: z.object({
    product: score,
    market: score,
    technical: score,
    financial: score,
    team: score,
    overall: score,
    band: healthBand,
  }),
  financialComparison: z.object({
    projectionSource: z.enum(["Stage 5", "Stage 16"]),
    /** (actual − projected) / projected monthly revenue, percent, one decimal; null when either side is missing. */
    revenueVariancePct: z.number().nullable(),
    unitEconomicsAssessment: z.string(),
    financialTrajectory,
  }),
  driftCheck: z.object({
    /** Share of the Stage 1 description and value proposition's content words the current vision keeps, percent. */
    wordOverlapPct: z.number().min(0).max(100),
    /** True when wordOverlapPct is under WORD_DRIFT_THRESHOLD. */
    wordOverlapDrift: z.boolean(),
    semanticDrift,
    rationale: z.string(),
  }),
});
export type VentureReviewDerived = z.infer<typeof derivedSchema>;
export type VentureReview = VentureReviewAnalysis & VentureReviewDerived;
type Health = VentureReviewDerived["ventureHealth"];

// ——— Venture health ———

/** 0-100: how far a metric reaches its target (lower-is-better metrics inverted); null without a positive target. */
export function attainment(m: { name: string; value: number; target: number }): number | null {
  if (!(m.target > 0)) return null;
  if (LOWER_IS_BETTER.test(m.name)) return m.value <= 0 ? 100 : clamp((m.target / m.value) * 100, 0, 100);
  return clamp((m.value / m.target) * 100, 0, 100);
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);
const stageAttainment = (metrics: Measured[], stages: AarrrStage[]) =>
  mean(
    metrics
      .filter((m) => stages.includes(m.stage))
      .map(attainment)
      .filter((a): a is number => a !== null),
  );

export const BAND_LIMITS = { fragile: 40, viable: 60, strong: 80 } as const;
export function bandOf(overall: number): z.infer<typeof healthBand> {
  return overall >= BAND_LIMITS.strong
    ? "strong"
    : overall >= BAND_LIMITS.viable
      ? "viable"
      : overall >= BAND_LIMITS.fragile
        ? "fragile"
        : "critical";
}

const REVIEW_SCORE: Record<string, number> = { approve: 100, conditional: 60, reject: 20 };
const TRAJECTORY_SCORE: Record<string, number> = { improving: 100, flat: 60, declining: 20 };
const INITIATIVE_WEIGHT: Record<string, number> = {
  completed: 1,
  in_progress: 0.6,
  planned: 0.4,
  deferred: 0.3,
  abandoned: 0,
};

/**
 * Venture health, each dimension 0-100 (50 where its data is missing):
 * product = mean attainment of the activation and retention metrics;
 * market = ½ mean attainment of acquisition and referral metrics + ½ Stage 24 criteriaMetRate;
 * technical = 0.4 pass rate + 0.3 coverage against 80 % + 0.3 review (approve 100, conditional 60, reject 20);
 * financial = 0.6 revenue (100 + variance %, clamped) + 0.2 trajectory (improving 100, flat 60, declining 20)
 *   + 0.2 Stage 5 LTV:CAC against 3;
 * team = 100 × (0.6 sprint delivery (Stage 22 items completed / planned) + 0.4 initiatives
 *   (completed 1, in progress 0.6, planned 0.4, deferred 0.3, abandoned 0)).
 * overall = their mean; band: < 40 critical, < 60 fragile, < 80 viable, else strong.
 */
export function ventureHealth(
  analysis: Pick<VentureReviewAnalysis, "initiatives">,
  ctx: StageContext,
  financial: VentureReviewDerived["financialComparison"],
): Health {
  const metrics = scorecardMetrics(ctx.artifacts.launch_scorecard?.content);
  const outcome = rec(rec(ctx.artifacts.launch_scorecard?.content).launchOutcome);
  const metRate = num(outcome.criteriaMetRate);
  const qa = rec(ctx.artifacts.qa_report?.content);
  const review = text(rec(rec(ctx.artifacts.build_review?.content).reviewDecision).decision);
  const fm = rec(ctx.artifacts.financial_model?.content);
  const ue = rec(fm.unitEconomics);
  const ratio =
    num(ue.ltvCacRatio) ??
    (num(ue.ltv) !== null && num(ue.cac) ? (num(ue.ltv) as number) / (num(ue.cac) as number) : null);
  const summary = rec(rec(ctx.artifacts.release_package?.content).sprintSummary);
  const planned = num(summary.itemsPlanned);
  const completed = num(summary.itemsCompleted);
  const weights = DIMENSIONS.flatMap((d) => analysis.initiatives[d]).map((i) => INITIATIVE_WEIGHT[i.status] ?? 0);

  const product = stageAttainment(metrics, ["activation", "retention"]) ?? 50;
  const reach = stageAttainment(metrics, ["acquisition", "referral"]);
  const market = reach === null ? (metRate ?? 50) : metRate === null ? reach : 0.5 * reach + 0.5 * metRate;
  const passRate = num(qa.overallPassRate) ?? 50;
  const coverage = num(qa.coveragePct);
  const technical =
    0.4 * passRate +
    0.3 * (coverage === null ? 50 : clamp((coverage / 80) * 100, 0, 100)) +
    0.3 * (REVIEW_SCORE[review] ?? 50);
  const revenueScore = financial.revenueVariancePct === null ? 50 : clamp(100 + financial.revenueVariancePct, 0, 100);
  const unitScore = ratio === null ? 50 : clamp((ratio / 3) * 100, 0, 100);
  const financialScore =
    0.6 * revenueScore + 0.2 * (TRAJECTORY_SCORE[financial.financialTrajectory] ?? 60) + 0.2 * unitScore;
  const delivery = planned && completed !== null ? clamp(completed / planned, 0, 1) : 0.5;
  const team = 100 * (0.6 * delivery + 0.4 * (mean(weights) ?? 0.5));
  const dims = {
    product: Math.round(product),
    market: Math.round(market),
    technical: Math.round(technical),
    financial: Math.round(financialScore),
    team: Math.round(team),
  };
  const overall = Math.round((dims.product + dims.market + dims.technical + dims.financial + dims.team) / 5);
  return { ...dims, overall, band: bandOf(overall) };
}

// ——— Financial comparison ———

/**
 * Projected vs actual monthly revenue. The projection is Stage 16's (the later, phased plan) when it
 * has a revenue-bearing phase, else Stage 5's year 1. The trajectory follows the Stage 24 revenue
 * metrics' trends (more up than down: improving; more down: declining; else flat).
 */
export function financialComparison(
  ctx: StageContext,
  report: AssumptionsRealityReport,
): VentureReviewDerived["financialComparison"] {
  const metrics = scorecardMetrics(ctx.artifacts.launch_scorecard?.content);
  const actual = monthlyRevenueActual(metrics);
  const s16 = stage16MonthlyRevenue(ctx.artifacts.financial_projections?.content);
  const s5 = stage5MonthlyRevenue(ctx.artifacts.financial_model?.content);
  const projectionSource = s16 ? "Stage 16" : "Stage 5";
  const projected = s16 ? s16.value : s5;
  const revenueVariancePct =
    actual && projected ? Math.round(((actual.value - projected) / Math.abs(projected)) * 1000) / 10 : null;
  const revenue = metrics.filter((m) => m.stage === "revenue" && !LOWER_IS_BETTER.test(m.name));
  const up = revenue.filter((m) => m.trendDirection === "up").length;
  const down = revenue.filter((m) => m.trendDirection === "down").length;
  const ue = rec(rec(ctx.artifacts.financial_model?.content).unitEconomics);
  const ratio = num(ue.ltvCacRatio);
  const measured = report.items.filter(
    (i) => i.source === "Stage 5" && i.id !== "S5-revenue" && i.variancePct !== null,
  );
  const unitEconomicsAssessment = !ctx.artifacts.financial_model
    ? "No Stage 5 unit economics to compare."
    : [
        `Stage 5 projected LTV:CAC ${ratio ?? "unknown"}.`,
        measured.length
          ? `Measured: ${measured.map((i) => `${i.statement} ${i.actual} vs ${i.expected} (${(i.variancePct ?? 0) > 0 ? "+" : ""}${i.variancePct}%, ${i.classification})`).join("; ")}.`
          : "Not yet measured after launch.",
      ].join(" ");
  return {
    projectionSource,
    revenueVariancePct,
    unitEconomicsAssessment,
    financialTrajectory: up > down ? "improving" : down > up ? "declining" : "flat",
  };
}

// ——— Drift ———

/** Word overlap under this percentage flags drift. */
export const WORD_DRIFT_THRESHOLD = 30;

/**
 * The current vision against the Stage 1 description and value proposition. wordOverlapPct = share of
 * their content words the vision keeps. Semantic drift weighs the value proposition on its own:
 * aligned when overlap ≥ 35 % and ≥ 25 % of the value proposition's words are kept; major drift when
 * overlap < 15 % or none of the value proposition's words survive; moderate otherwise.
 */
export function driftCheck(venture: Pick<VentureBrief, "description" | "valueProp">, currentVision: string) {
  const origin = contentWords(`${venture.description} ${venture.valueProp}`);
  const valueWords = contentWords(venture.valueProp);
  const vision = contentWords(currentVision);
  const kept = sharedWords(origin, vision);
  const keptValue = sharedWords(valueWords, vision);
  const wordOverlapPct = origin.length ? Math.round((kept.length / origin.length) * 100) : 100;
  const valuePct = valueWords.length ? Math.round((keptValue.length / valueWords.length) * 100) : 100;
  const drift: z.infer<typeof semanticDrift> =
    wordOverlapPct >= 35 && valuePct >= 25
      ? "aligned"
      : wordOverlapPct < 15 || valuePct === 0
        ? "major_drift"
        : "moderate_drift";
  const lost = origin.filter((w) => !kept.includes(w)).slice(0, 6);
  return {
    wordOverlapPct,
    wordOverlapDrift: wordOverlapPct < WORD_DRIFT_THRESHOLD,
    semanticDrift: drift,
    rationale: `The current vision keeps ${kept.length} of ${origin.length} Stage 1 words (${wordOverlapPct}%) and ${keptValue.length} of ${valueWords.length} value-proposition words (${valuePct}%)${lost.length ? `; lost: ${lost.join(", ")}` : ""}.`,
  };
}

export function computeReviewDerived(analysis: VentureReviewAnalysis, ctx: StageContext): VentureReviewDerived {
  const report = reportFor(ctx, analysis.assumptionLinks);
  const financial = financialComparison(ctx, report);
  return {
    ventureHealth: ventureHealth(analysis, ctx, financial),
    financialComparison: financial,
    driftCheck: driftCheck(ctx.venture, analysis.currentVision),
  };
}

// ——— The three planning artifacts ———

const planItemStatus = initiativeStatus;
const priorityOf = (healthScore: number): z.infer<typeof severity> =>
  healthScore < 40 ? "critical" : healthScore < 60 ? "high" : healthScore < 80 ? "medium" : "low";
const PRIORITY_ORDER = ["critical", "high", "medium", "low"] as const;
const STAGE_DIMENSION: Record<AarrrStage, Dimension> = {
  acquisition: "market",
  activation: "product",
  retention: "product",
  revenue: "financial",
  referral: "market",
};

export const optimizationRoadmapSchema = z.object({
  opsCycle: z.number().int().min(1),
  basis: z.object({ decision: ventureDecision, overall: score, band: healthBand }),
  items: z.array(
    z.object({
      title: z.string(),
      rationale: z.string(),
      dimension,
      priority: severity,
      status: planItemStatus,
      /** What raised it: a health dimension, a report item, a Stage 24 metric, a review next step. */
      source: z.string(),
      metric: z.string().nullable(),
      currentValue: z.number().nullable(),
      targetValue: z.number().nullable(),
    }),
  ),
});
export type OptimizationRoadmap = z.infer<typeof optimizationRoadmapSchema>;

export const scalingPlanSchema = z.object({
  opsCycle: z.number().int().min(1),
  decision: ventureDecision,
  readiness: z.enum(["not_ready", "prepare", "ready"]),
  rationale: z.string(),
  items: z.array(
    z.object({
      area: dimension,
      action: z.string(),
      /** The measurable condition that starts this step. */
      trigger: z.string(),
      priority: severity,
      status: planItemStatus,
    }),
  ),
});
export type ScalingPlan = z.infer<typeof scalingPlanSchema>;

export const growthExperimentsSchema = z.object({
  opsCycle: z.number().int().min(1),
  experiments: z.array(
    z.object({
      name: z.string(),
      hypothesis: z.string(),
      aarrrStage: z.enum(["acquisition", "activation", "retention", "revenue", "referral"]),
      /** The Stage 24 metric the experiment moves. */
      metric: z.string(),
      baseline: z.number(),
      target: z.number(),
      direction: z.enum(["increase", "decrease"]),
      durationDays: z.number().int().min(7),
      priority: severity,
      status: planItemStatus,
    }),
  ),
});
export type GrowthExperiments = z.infer<typeof growthExperimentsSchema>;

const byPriority = <T extends { priority: z.infer<typeof severity> }>(a: T, b: T) =>
  PRIORITY_ORDER.indexOf(a.priority) - PRIORITY_ORDER.indexOf(b.priority);

/** Metrics missing their target, worst first. */
function shortfalls(metrics: Measured[]) {
  return metrics
    .map((m) => ({ m, a: attainment(m) }))
    .filter((x): x is { m: Measured; a: number } => x.a !== null && x.a < 100)
    .sort((x, y) => x.a - y.a);
}

/**
 * The optimization roadmap: the review's next steps, every health dimension under 80 (priority by score:
 * < 40 critical, < 60 high, else medium), every invalidated report item (high), and every Stage 24 metric
 * below target and trending the wrong way (high under 60 % attainment, else medium). Sorted by priority.
 */
export function optimizationRoadmap(
  review: VentureReview,
  report: AssumptionsRealityReport,
  metrics: Measured[],
  opsCycle: number,
): OptimizationRoadmap {
  const items: OptimizationRoadmap["items"] = review.nextSteps.map((s) => ({
    title: s.action,
    rationale: `Next step of the Stage 25 review (${s.timeline}, owner ${s.owner}).`,
    dimension: s.category,
    priority: s.priority,
    status: "planned",
    source: "Stage 25 next step",
    metric: null,
    currentValue: null,
    targetValue: null,
  }));
  const h = review.ventureHealth;
  for (const d of DIMENSIONS.filter((d) => h[d] < 80).sort((a, b) => h[a] - h[b]))
    items.push({
      title: `Raise ${d} health`,
      rationale: `${d} health is ${h[d]}/100.`,
      dimension: d,
      priority: priorityOf(h[d]),
      status: "planned",
      source: `ventureHealth.${d}`,
      metric: null,
      currentValue: h[d],
      targetValue: 80,
    });
  for (const i of report.items.filter((i) => i.classification === "invalidated"))
    items.push({
      title: `Re-plan on measured reality: ${i.statement}`,
      rationale: i.reason,
      dimension: i.kind === "assumption" ? "market" : /churn|margin/i.test(i.statement) ? "product" : "financial",
      priority: "high",
      status: "planned",
      source: `${i.source} ${i.id}`,
      metric: i.evidence[0] ?? null,
      currentValue: i.actual,
      targetValue: i.expected,
    });
  for (const { m, a } of shortfalls(metrics)) {
    const lower = LOWER_IS_BETTER.test(m.name);
    const wrongWay = lower ? m.trendDirection === "up" : m.trendDirection === "down";
    if (!wrongWay) continue;
    items.push({
      title: `Reverse the trend of ${m.name}`,
      rationale: `${m.name} is ${m.value} against a target of ${m.target} and moving the wrong way.`,
      dimension: STAGE_DIMENSION[m.stage],
      priority: a < 60 ? "high" : "medium",
      status: "planned",
      source: `Stage 24 ${m.stage}`,
      metric: m.name,
      currentValue: m.value,
      targetValue: m.target,
    });
  }
  return {
    opsCycle,
    basis: { decision: review.ventureDecision.decision, overall: h.overall, band: h.band },
    items: items.sort(byPriority),
  };
}

const SCALING_STEPS: Record<Dimension, { action: string; trigger: string }> = {
  technical: {
    action: "Load-test at ten times current traffic and set autoscaling limits under the cost threshold",
    trigger: "New signups double over one ops cycle",
  },
  market: {
    action: "Open the next customer tier and channel from the go-to-market plan",
    trigger: "Launch criteria met at 75% or more for two consecutive cycles",
  },
  product: {
    action: "Harden onboarding and retention loops before adding volume",
    trigger: "Activation and retention at target",
  },
  financial: {
    action: "Tie growth spend to measured payback and keep three months of runway",
    trigger: "Revenue within 20% of projection or better",
  },
  team: {
    action: "Add on-call and customer-support capacity ahead of volume",
    trigger: "Support load above one person-week per ops cycle",
  },
};

/**
 * The scaling plan follows the decision and the health band: expand (viable or strong) → ready;
 * continue with a viable or strong venture → prepare; anything else → not ready, with no steps
 * beyond the holding note. Steps are ordered weakest dimension first (it must hold before volume).
 */
export function scalingPlan(review: VentureReview, opsCycle: number): ScalingPlan {
  const decision = review.ventureDecision.decision;
  const h = review.ventureHealth;
  const healthy = h.band === "viable" || h.band === "strong";
  const readiness =
    decision === "expand" && healthy ? "ready" : decision === "continue" && healthy ? "prepare" : "not_ready";
  const items: ScalingPlan["items"] =
    readiness === "not_ready"
      ? []
      : [...DIMENSIONS]
          .sort((a, b) => h[a] - h[b])
          .map((d) => ({
            area: d,
            action: SCALING_STEPS[d].action,
            trigger: SCALING_STEPS[d].trigger,
            priority: readiness === "ready" ? priorityOf(Math.min(h[d], 79)) : "low",
            status: readiness === "ready" ? "planned" : "deferred",
          }));
  return {
    opsCycle,
    decision,
    readiness,
    rationale:
      readiness === "ready"
        ? `Decision ${decision} with ${h.band} health (${h.overall}/100): scale, weakest dimension first.`
        : readiness === "prepare"
          ? `Decision ${decision} with ${h.band} health (${h.overall}/100): prepare to scale; steps wait for their triggers.`
          : `Decision ${decision} with ${h.band} health (${h.overall}/100): not the time to scale.`,
    items,
  };
}

const LEVER: Record<AarrrStage, string> = {
  acquisition: "test a new channel and landing page for the best-converting segment",
  activation: "shorten onboarding to the first moment of value",
  retention: "add a weekly value digest and re-engage inactive accounts",
  revenue: "test annual plans and a higher tier",
  referral: "add a double-sided referral incentive",
};

/**
 * Growth experiments for the next cycle: one per Stage 24 metric below target, worst first (at most
 * five), plus the weakest funnel step. None when the decision is sunset or exit.
 * Priority: attainment < 50 % high, < 80 % medium, else low.
 */
export function growthExperiments(
  review: VentureReview,
  metrics: Measured[],
  scorecard: unknown,
  opsCycle: number,
): GrowthExperiments {
  const decision = review.ventureDecision.decision;
  if (decision === "sunset" || decision === "exit") return { opsCycle, experiments: [] };
  const experiments: GrowthExperiments["experiments"] = shortfalls(metrics)
    .slice(0, 5)
    .map(({ m, a }) => {
      const lower = LOWER_IS_BETTER.test(m.name);
      return {
        name: `${m.stage}: ${m.name}`,
        hypothesis: `If we ${LEVER[m.stage]}, ${m.name} ${lower ? "falls" : "rises"} from ${m.value} to ${m.target} within 30 days.`,
        aarrrStage: m.stage,
        metric: m.name,
        baseline: m.value,
        target: m.target,
        direction: lower ? "decrease" : "increase",
        durationDays: 30,
        priority: a < 50 ? "high" : a < 80 ? "medium" : "low",
        status: "planned",
      };
    });
  let weakest: { funnel: string; from: string; to: string; rate: number } | null = null;
  for (const f of list(rec(scorecard).funnels))
    for (const r of list(f.conversionRates)) {
      const rate = num(r.ratePct);
      if (rate !== null && (!weakest || rate < weakest.rate))
        weakest = { funnel: text(f.name), from: text(r.from), to: text(r.to), rate };
    }
  if (weakest)
    experiments.push({
      name: `funnel: ${weakest.from} → ${weakest.to}`,
      hypothesis: `If we remove the main friction between ${weakest.from} and ${weakest.to}, that conversion in "${weakest.funnel}" rises from ${weakest.rate}% to ${Math.round(weakest.rate * 1.25 * 100) / 100}% within 30 days.`,
      aarrrStage: /pay|paid|purchase|revenue/i.test(weakest.to)
        ? "revenue"
        : /activ/i.test(weakest.to)
          ? "activation"
          : "acquisition",
      metric: `${weakest.from} → ${weakest.to} conversion (%)`,
      baseline: weakest.rate,
      target: Math.round(weakest.rate * 1.25 * 100) / 100,
      direction: "increase",
      durationDays: 30,
      priority: "medium",
      status: "planned",
    });
  return { opsCycle, experiments: experiments.sort(byPriority) };
}

export function secondaryArtifacts(review: VentureReview, ctx: StageContext) {
  const report = reportFor(ctx, review.assumptionLinks);
  const scorecard = ctx.artifacts.launch_scorecard?.content;
  const metrics = scorecardMetrics(scorecard);
  const cycle = Math.max(1, ctx.runNumber);
  return {
    assumptions_reality_report: report,
    optimization_roadmap: optimizationRoadmap(review, report, metrics, cycle),
    scaling_plan: scalingPlan(review, cycle),
    growth_experiments: growthExperiments(review, metrics, scorecard, cycle),
  };
}

// ——— The offline analyst ———

const CONTEXT_TYPES = [
  "idea_brief",
  "financial_model",
  "exit_strategy",
  "brand_package",
  "product_roadmap",
  "financial_projections",
  "qa_report",
  "build_review",
  "release_package",
  "launch_plan",
  "launch_scorecard",
] as const;

/** The offline analyst's decision from the derived health: the band leads, the market and trajectory refine. */
export function recommendDecision(
  health: Health,
  trajectory: z.infer<typeof financialTrajectory>,
  launch: string,
  opsCycle: number,
  hasExitPlan: boolean,
): VentureDecision {
  switch (health.band) {
    case "critical":
      return opsCycle >= 2 || launch === "failure" ? "sunset" : "pivot";
    case "fragile":
      if (launch === "failure" && opsCycle >= 2) return "sunset";
      return health.market < 45 ? "pivot" : "continue";
    case "viable":
      return "continue";
    case "strong":
      if (opsCycle >= 3 && hasExitPlan && trajectory !== "improving") return "exit";
      return trajectory === "improving" ? "expand" : "continue";
  }
}

function simulate(ctx: StageContext, rng: Rng): VentureReviewAnalysis {
  const v = ctx.venture;
  const p = ventureProfile(v);
  const cycle = Math.max(1, ctx.runNumber);
  const roadmap = rec(ctx.artifacts.product_roadmap?.content);
  const release = rec(ctx.artifacts.release_package?.content);
  const launch = rec(ctx.artifacts.launch_plan?.content);
  const scorecard = rec(ctx.artifacts.launch_scorecard?.content);
  const qa = rec(ctx.artifacts.qa_report?.content);
  const brand = text(rec(rec(ctx.artifacts.brand_package?.content).decision).selectedName, v.name);
  const exitPlan = rec(ctx.artifacts.exit_strategy?.content);
  const outcome = rec(scorecard.launchOutcome);
  const assessment = text(outcome.assessment, "indeterminate");
  const metRate = num(outcome.criteriaMetRate);
  const released = rec(release.releaseDecision).decision === "release";
  const launched = launch.goDecision === "go";
  const metrics = scorecardMetrics(scorecard);

  const milestones = list(roadmap.milestones);
  const initiatives: VentureReviewAnalysis["initiatives"] = {
    product: milestones.slice(0, 3).map((m) => ({
      title: text(m.title, "Roadmap milestone"),
      outcome: strings(m.outcomes)[0] ?? text(m.description, "Roadmap milestone"),
      status:
        m.priority === "now"
          ? released
            ? "completed"
            : "in_progress"
          : m.priority === "next"
            ? "planned"
            : "deferred",
    })),
    market: [
      {
        title: `${text(launch.launchType, "launch").replace(/_/g, " ")} of ${brand}`,
        outcome: `Launch outcome ${assessment}${metRate === null ? "" : `, ${metRate}% of criteria met`}`,
        status: launched ? "completed" : "in_progress",
      },
    ],
    technical: [
      {
        title: "Quality and integrations",
        outcome: `QA ${text(rec(qa.qualityDecision).decision, "not assessed")}, pass rate ${num(qa.overallPassRate) ?? "n/a"}%`,
        status: rec(qa.qualityDecision).decision === "pass" ? "completed" : "in_progress",
      },
    ],
    financial: [
      {
        title: "Revenue against plan",
        outcome: "Track monthly revenue against the Stage 16 phases",
        status: "in_progress",
      },
    ],
    team: [
      {
        title: "Operations and support cover",
        outcome: "On-call rota and support playbook",
        status: p.strength > 0.5 ? "completed" : rng.pick(["in_progress", "planned"] as const),
      },
    ],
  };

  const report = reportFor(ctx, []);
  const financial = financialComparison(ctx, report);
  const health = ventureHealth({ initiatives }, ctx, financial);
  const decision = recommendDecision(
    health,
    financial.financialTrajectory,
    assessment,
    cycle,
    Boolean(text(exitPlan.exitThesis)),
  );
  const best = [...metrics].sort((a, b) => (attainment(b) ?? 0) - (attainment(a) ?? 0))[0];
  const currentVision =
    decision === "pivot"
      ? `${brand} repositions around what traction showed: ${best ? best.name.toLowerCase() : "its strongest signal"}, serving a narrower segment with a simpler offer while the original thesis is retested.`
      : decision === "expand"
        ? `${brand}: ${v.valueProp} Now expanding from ${v.targetMarket} to adjacent segments.`
        : decision === "sunset" || decision === "exit"
          ? `${brand} set out to deliver: ${v.valueProp} The venture winds down (${decision}) with its lessons recorded.`
          : `${brand}: ${v.valueProp} Still for ${v.targetMarket}.`;
  const varianceText =
    financial.revenueVariancePct === null
      ? "revenue not yet comparable to plan"
      : `revenue ${financial.revenueVariancePct > 0 ? "+" : ""}${financial.revenueVariancePct}% vs ${financial.projectionSource}`;
  const decidable = report.summary.validated + report.summary.invalidated;
  const nearBoundary = [40, 60, 80].some((b) => Math.abs(health.overall - b) < 5);
  const conf: z.infer<typeof confidence> =
    assessment === "indeterminate" || decidable === 0 ? "low" : nearBoundary ? "medium" : "high";
  const weakest = [...DIMENSIONS].sort((a, b) => health[a] - health[b])[0] as Dimension;
  const nextSteps: VentureReviewAnalysis["nextSteps"] = {
    continue: [
      {
        action: `Lift ${weakest} health from ${health[weakest]}`,
        owner: "Venture lead",
        timeline: "next ops cycle",
        priority: "high" as const,
        category: weakest,
      },
      {
        action: "Plan the next build loop from the optimization roadmap",
        owner: "Delivery lead",
        timeline: "2 weeks",
        priority: "medium" as const,
        category: "product" as const,
      },
    ],
    expand: [
      {
        action: `Open the next segment beyond ${v.targetMarket}`,
        owner: "Growth lead",
        timeline: "next quarter",
        priority: "high" as const,
        category: "market" as const,
      },
      {
        action: "Scale infrastructure and support ahead of volume",
        owner: "Engineering",
        timeline: "6 weeks",
        priority: "medium" as const,
        category: "technical" as const,
      },
    ],
    pivot: [
      {
        action: "Re-run THE ENGINE stages with the pivoted thesis",
        owner: "Venture lead",
        timeline: "4 weeks",
        priority: "critical" as const,
        category: "market" as const,
      },
      {
        action: "Interview churned and retained customers on the new focus",
        owner: "Product",
        timeline: "2 weeks",
        priority: "high" as const,
        category: "product" as const,
      },
    ],
    sunset: [
      {
        action: "Run the retirement sequence: notify users, export data, tear down",
        owner: "Operations",
        timeline: "30 days",
        priority: "critical" as const,
        category: "team" as const,
      },
      {
        action: "Write the post-mortem for the portfolio knowledge base",
        owner: "Venture lead",
        timeline: "2 weeks",
        priority: "medium" as const,
        category: "market" as const,
      },
    ],
    exit: [
      {
        action: `Approach the Stage 9 acquirers with the traction record`,
        owner: "Chairman",
        timeline: "next quarter",
        priority: "critical" as const,
        category: "financial" as const,
      },
      {
        action: "Prepare data room and transition plan",
        owner: "Venture lead",
        timeline: "6 weeks",
        priority: "high" as const,
        category: "team" as const,
      },
    ],
  }[decision];

  return {
    reviewSummary: `${brand} (${v.archetype}) ran ${cycle} ops cycle(s) after a ${text(launch.launchType, "launch").replace(/_/g, " ")}: launch outcome ${assessment}, health ${health.overall}/100 (${health.band}), ${varianceText}, ${report.summary.invalidated} of ${decidable} decidable assumptions and projections invalidated.`,
    currentVision,
    initiatives,
    ventureDecision: {
      decision,
      rationale: `Health is ${health.band} (${health.overall}/100) with ${weakest} weakest at ${health[weakest]}; financial trajectory ${financial.financialTrajectory}; launch ${assessment}.`,
      confidence: conf,
      keyFactors: [
        `Venture health ${health.overall}/100 (${health.band})`,
        `Launch outcome ${assessment}${metRate === null ? "" : ` (${metRate}% of criteria met)`}`,
        varianceText,
        `Financial trajectory ${financial.financialTrajectory}`,
      ],
    },
    nextSteps,
    assumptionLinks: [],
  };
}

export const stage25: StageDefinition<VentureReviewAnalysis, VentureReviewDerived> = {
  number: 25,
  name: "Venture Review",
  phase: 6,
  gateType: "venture_decision",
  consumes: [1, 5, 9, 10, 13, 16, 20, 21, 22, 23, 24],
  produces: [
    "venture_review",
    "assumptions_reality_report",
    "optimization_roadmap",
    "scaling_plan",
    "growth_experiments",
  ],
  analysisSchema,
  artifactSchema: analysisSchema.extend(derivedSchema.shape),
  computeDerived: computeReviewDerived,
  prompt: (ctx) =>
    stagePrompt(ctx, {
      role: "the venture partner writing the capstone venture review for the Chairman",
      task: [
        `Review the whole journey after ops cycle ${ctx.runNumber}: from the Stage 1 idea through the projections (Stages 5, 16), the roadmap (13), quality, review and release (20-22), the launch (23) and the measured metrics (24).`,
        "Write reviewSummary and currentVision (the venture's vision as it stands now, in plain words).",
        "List initiatives per category (product, market, technical, financial, team): title, outcome, status planned|in_progress|completed|abandoned|deferred.",
        "Decide ventureDecision: decision continue|pivot|expand|sunset|exit, rationale, confidence high|medium|low, keyFactors.",
        "Give nextSteps (action, owner, timeline, priority critical|high|medium|low, category product|market|technical|financial|team).",
        "In assumptionLinks, link each Stage 1 key assumption to the exact names of the Stage 24 metrics that test it (an empty list when none does).",
        "Venture health, the financial comparison, the drift check and the Assumptions vs Reality report are computed from the artifacts; do not state them as numbers of your own.",
      ].join("\n"),
    }),
  simulate,
  qualityScore: (artifact, ctx) => {
    const present = CONTEXT_TYPES.filter((t) => t === "idea_brief" || ctx.artifacts[t]).length / CONTEXT_TYPES.length;
    const categories = DIMENSIONS.filter((d) => artifact.initiatives[d].length > 0).length;
    return Math.round(
      40 * present +
        categories * 6 +
        (artifact.ventureDecision.keyFactors.length >= 3 ? 15 : 5) +
        (artifact.nextSteps.length >= 2 ? 15 : 5),
    );
  },
  secondaryArtifacts: (artifact, ctx) => secondaryArtifacts(artifact, ctx),
  secondarySchemas: {
    assumptions_reality_report: assumptionsRealityReportSchema,
    optimization_roadmap: optimizationRoadmapSchema,
    scaling_plan: scalingPlanSchema,
    growth_experiments: growthExperimentsSchema,
  },
};
