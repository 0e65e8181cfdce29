// Stage 24 — Metrics & Learning (spec §8.6, §5 versioned ops loop): the launch
// scorecard. AARRR metrics with their trend, funnels with their conversion
// rates, learnings, and the launch outcome judged against the Stage 23 success
// criteria. One version per ops cycle: ctx.runNumber is the cycle.
import { z } from "zod";
import { createRng, seedFrom } from "../llm/rng.ts";
import { launchType, learningCategory } from "./enums.ts";
import { stagePrompt } from "./prompt.ts";
import { ventureProfile } from "./simulation.ts";
import { clamp, list, norm, rec, text } from "./stage-18.ts";
import type { Rng, StageContext, StageDefinition, VentureBrief } from "./types.ts";

export const AARRR = ["acquisition", "activation", "retention", "revenue", "referral"] as const;
export type AarrrStage = (typeof AARRR)[number];
export const trendDirection = z.enum(["up", "flat", "down"]);
export type TrendDirection = z.infer<typeof trendDirection>;
export const launchAssessment = z.enum(["success", "partial", "failure", "indeterminate"]);
export const impactLevel = z.enum(["high", "medium", "low"]);

/** A change of at most 2 % of the previous value (in either direction) is flat. */
export const TREND_TOLERANCE_PCT = 2;

const metricObject = z.object({
  name: z.string().min(1),
  value: z.number(),
  target: z.number(),
  previousValue: z.number(),
  trendWindowDays: z.number().int().min(1).nullable(),
  /** The Stage 23 success criterion (its `metric`) this metric measures, or null. */
  criterionRef: z.string().min(1).nullable(),
});
const metricWithTrend = metricObject.extend({ trendDirection });
export type ScorecardMetric = z.infer<typeof metricObject>;

const aarrrOf = <T extends z.ZodType>(metric: T) =>
  z.object({
    acquisition: z.array(metric),
    activation: z.array(metric),
    retention: z.array(metric),
    revenue: z.array(metric),
    referral: z.array(metric),
  });

const funnelStep = z.object({ name: z.string().min(1), count: z.number().int().min(0) });
const funnelObject = z.object({ name: z.string().min(1), steps: z.array(funnelStep).min(2) });
const conversionRate = z.object({
  from: z.string(),
  to: z.string(),
  /** count(to) / count(from) in percent, two decimals; null when count(from) is 0. */
  ratePct: z.number().min(0).nullable(),
});

const analysisSchema = z.object({
  aarrr: aarrrOf(metricObject),
  funnels: z.array(funnelObject),
  learnings: z.array(
    z.object({ category: learningCategory, insight: z.string().min(10), impactLevel: impactLevel.nullable() }),
  ),
});
export type ScorecardAnalysis = z.infer<typeof analysisSchema>;

const criterionResult = z.object({
  metric: z.string(),
  priority: z.enum(["primary", "secondary"]),
  target: z.string(),
  /** Names of the Stage 24 metrics whose criterionRef points at this criterion. */
  measuredBy: z.array(z.string()),
  met: z.boolean(),
});

const derivedSchema = z.object({
  aarrr: aarrrOf(metricWithTrend),
  funnels: z.array(funnelObject.extend({ conversionRates: z.array(conversionRate) })),
  launchOutcome: z.object({
    assessment: launchAssessment,
    /** Percent of the Stage 23 success criteria met, one decimal. */
    criteriaMetRate: z.number().min(0).max(100),
    criteria: z.array(criterionResult),
  }),
});
export type ScorecardDerived = z.infer<typeof derivedSchema>;
export type LaunchScorecard = ScorecardAnalysis & ScorecardDerived;

/** up / flat / down from value vs previousValue; flat within ±TREND_TOLERANCE_PCT % of the previous value. */
export function trendOf(value: number, previousValue: number): TrendDirection {
  const delta = value - previousValue;
  const tolerance = (Math.abs(previousValue) * TREND_TOLERANCE_PCT) / 100;
  if (Math.abs(delta) <= tolerance) return "flat";
  return delta > 0 ? "up" : "down";
}

export function conversionRates(steps: { name: string; count: number }[]): z.infer<typeof conversionRate>[] {
  return steps.slice(1).map((step, i) => {
    const from = steps[i] as { name: string; count: number };
    return {
      from: from.name,
      to: step.name,
      ratePct: from.count > 0 ? Math.round((step.count / from.count) * 10000) / 100 : null,
    };
  });
}

/** Metrics where less is better (churn, acquisition cost, burn, latency…), judged by name. */
export const LOWER_IS_BETTER = /churn|\bcac\b|acquisition cost|cost per|burn|bounce|latency|refund|error rate|time to/i;

/**
 * A criterion target in words → number and direction: "100", "1,000", "50k", "€2.5m",
 * "≥ 40%", "at most 5%", "< 3". Null when it holds no number ("achieved").
 */
export function parseTarget(target: string): { value: number; direction: "higher" | "lower" } | null {
  const t = target.trim().toLowerCase();
  const m = t.match(/(\d[\d,]*(?:\.\d+)?)\s*([km])?/);
  if (!m) return null;
  const scale = m[2] === "k" ? 1e3 : m[2] === "m" ? 1e6 : 1;
  const value = Number((m[1] as string).replace(/,/g, "")) * scale;
  const lower = /^(<|≤|=<|max|at most|under|below|no more than|less than)/.test(t);
  return { value, direction: lower ? "lower" : "higher" };
}

function allMetrics<M extends ScorecardMetric>(aarrr: Record<AarrrStage, M[]>): (M & { stage: AarrrStage })[] {
  return AARRR.flatMap((stage) => (aarrr[stage] ?? []).map((m) => ({ ...m, stage })));
}

/**
 * Whether one metric meets a criterion: against the criterion's numeric target, else the
 * metric's own target. Lower is better when the target says so ("≤ 5%") or the criterion
 * names a lower-is-better quantity (churn, acquisition cost…).
 */
export function meets(metric: ScorecardMetric, criterionTarget: string, criterionMetric = metric.name): boolean {
  const parsed = parseTarget(criterionTarget);
  const lower = parsed?.direction === "lower" || LOWER_IS_BETTER.test(criterionMetric);
  const target = parsed ? parsed.value : metric.target;
  return lower ? metric.value <= target : metric.value >= target;
}

/**
 * The launch outcome against the Stage 23 success criteria. A criterion is met when
 * it is measured (some metric's criterionRef names it) and every metric measuring it
 * meets its target. criteriaMetRate = met / all criteria × 100. Assessment:
 * indeterminate when no criterion is measured; success when every primary criterion
 * is met and the rate is ≥ 75; failure when no primary criterion is met and the rate
 * is < 50; partial otherwise. With no primary criterion, all criteria count as primary.
 */
export function launchOutcome(
  aarrr: Record<AarrrStage, ScorecardMetric[]>,
  criteria: { metric: string; target: string; priority: string }[],
): ScorecardDerived["launchOutcome"] {
  const metrics = allMetrics(aarrr);
  const results = criteria.map((c) => {
    const measuring = metrics.filter((m) => m.criterionRef !== null && norm(m.criterionRef) === norm(c.metric));
    return {
      metric: c.metric,
      priority: (c.priority === "secondary" ? "secondary" : "primary") as "primary" | "secondary",
      target: c.target,
      measuredBy: measuring.map((m) => m.name),
      met: measuring.length > 0 && measuring.every((m) => meets(m, c.target, c.metric)),
    };
  });
  const met = results.filter((r) => r.met).length;
  const criteriaMetRate = results.length ? Math.round((met / results.length) * 1000) / 10 : 0;
  const primary = results.some((r) => r.priority === "primary")
    ? results.filter((r) => r.priority === "primary")
    : results;
  let assessment: z.infer<typeof launchAssessment>;
  if (!results.some((r) => r.measuredBy.length)) assessment = "indeterminate";
  else if (primary.every((r) => r.met) && criteriaMetRate >= 75) assessment = "success";
  else if (!primary.some((r) => r.met) && criteriaMetRate < 50) assessment = "failure";
  else assessment = "partial";
  return { assessment, criteriaMetRate, criteria: results };
}

export function computeScorecardDerived(analysis: ScorecardAnalysis, ctx: StageContext): ScorecardDerived {
  const withTrend = (ms: ScorecardMetric[]) =>
    ms.map((m) => ({ ...m, trendDirection: trendOf(m.value, m.previousValue) }));
  const criteria = list(rec(ctx.artifacts.launch_plan?.content).successCriteria).map((c) => ({
    metric: text(c.metric),
    target: text(c.target),
    priority: text(c.priority, "primary"),
  }));
  return {
    aarrr: {
      acquisition: withTrend(analysis.aarrr.acquisition),
      activation: withTrend(analysis.aarrr.activation),
      retention: withTrend(analysis.aarrr.retention),
      revenue: withTrend(analysis.aarrr.revenue),
      referral: withTrend(analysis.aarrr.referral),
    },
    funnels: analysis.funnels.map((f) => ({ ...f, conversionRates: conversionRates(f.steps) })),
    launchOutcome: launchOutcome(
      analysis.aarrr,
      criteria.filter((c) => c.metric),
    ),
  };
}

// ——— The offline analyst ———

const ARCHETYPE_PRICE: Record<VentureBrief["archetype"], number> = {
  saas: 49,
  marketplace: 12,
  deeptech: 1500,
  hardware: 400,
  services: 900,
  media: 3,
  fintech: 20,
};
/**
 * Typical monthly revenue in the first year after launch, per archetype: the scale of the offline
 * analyst's economics (about 45 % of an archetype's monthly operating cost grossed up by its margin).
 */
const ARCHETYPE_MONTHLY_REVENUE: Record<VentureBrief["archetype"], number> = {
  saas: 17_000,
  marketplace: 22_000,
  deeptech: 65_000,
  hardware: 75_000,
  services: 20_000,
  media: 11_000,
  fintech: 35_000,
};
const ARCHETYPE_MARGIN: Record<VentureBrief["archetype"], number> = {
  saas: 80,
  marketplace: 70,
  deeptech: 60,
  hardware: 40,
  services: 45,
  media: 60,
  fintech: 65,
};

/** Monthly revenue per paying customer: a price stated in the key assumptions ("pay 49 EUR a month"), else the archetype's typical one. */
export function monthlyPriceFrom(v: VentureBrief): number {
  for (const a of v.keyAssumptions) {
    const m =
      a.match(/(?:€|eur|\$|usd|£|gbp)\s?(\d+(?:[.,]\d+)?)/i) ??
      a.match(/(\d+(?:[.,]\d+)?)\s?(?:€|eur\b|euros?|\$|usd\b|dollars?|£|gbp\b|pounds?)/i);
    if (m) {
      const price = Number((m[1] as string).replace(",", "."));
      return /year|annual/i.test(a) ? price / 12 : price;
    }
  }
  return ARCHETYPE_PRICE[v.archetype];
}

const CUSTOMER_WORDS = /paying|customer|firm|client|subscriber|user|account|member|trader|lab|seller|buyer/i;

/** The AARRR stage a metric's name suggests (paying, MRR → revenue; churn, retention → retention; …; else acquisition). */
export function aarrrCategoryFor(metric: string): AarrrStage {
  const m = metric.toLowerCase();
  if (/paying|revenue|mrr|arr|sales|€|\$|£/.test(m)) return "revenue";
  if (/retention|churn|retain|repeat/.test(m)) return "retention";
  if (/activation|activated|onboard/.test(m)) return "activation";
  if (/referr|invite|viral|word of mouth/.test(m)) return "referral";
  return "acquisition";
}

const round1 = (x: number) => Math.round(x * 10) / 10;

function simulate(ctx: StageContext, rng: Rng): ScorecardAnalysis {
  const v = ctx.venture;
  const p = ventureProfile(v);
  const plan = rec(ctx.artifacts.launch_plan?.content);
  const declared = launchType.safeParse(plan.launchType);
  const type = declared.success ? declared.data : "beta";
  const reach = type === "general_availability" ? 1 : type === "beta" ? 0.9 : 0.8;
  const criteria = list(plan.successCriteria)
    .map((c) => ({ metric: text(c.metric), target: text(c.target), priority: text(c.priority, "primary") }))
    .filter((c) => c.metric);
  const cycle = Math.max(1, ctx.runNumber);
  // Attainment against target at ops cycle k: the venture's strength sets the level, strong ventures
  // grow and weak ones fade from cycle to cycle, and a per-metric, per-cycle draw (seeded by the
  // venture, the metric and the cycle, not by the prompt) makes cycle k's previousValue equal
  // cycle k-1's value.
  const growth = (p.strength - 0.45) * 0.2;
  const attainment = (metric: string, k: number) => {
    // A metric's own lean (some land better than others), then the cycle's draw.
    const lean = createRng(seedFrom(`${v.name}|${v.description}|${metric}`)).float(-0.15, 0.15, 4);
    const noise = createRng(seedFrom(`${v.name}|${v.description}|${metric}|${k}`)).float(-0.1, 0.1, 4);
    return clamp(0.35 + 0.9 * p.strength + 0.15 * p.market + lean + growth * k + noise, 0.05, 2);
  };
  const series = (metric: string, f: (a: number) => number) => ({
    value: f(attainment(metric, cycle)),
    previousValue: f(attainment(metric, cycle - 1)),
  });
  const price = monthlyPriceFrom(v);
  // Revenue runs at the archetype's scale; paying customers follow from it at the stated price
  // unless a success criterion already counts them.
  const revenueTarget = ARCHETYPE_MONTHLY_REVENUE[v.archetype];
  const customerCriterion = criteria.find((c) => CUSTOMER_WORDS.test(c.metric) && parseTarget(c.target));
  const targetCustomers = parseTarget(customerCriterion?.target ?? "")?.value ?? revenueTarget / price;
  const aarrr: ScorecardAnalysis["aarrr"] = {
    acquisition: [],
    activation: [],
    retention: [],
    revenue: [],
    referral: [],
  };
  const add = (stage: AarrrStage, m: ScorecardMetric) => {
    if (!allMetrics(aarrr).some((x) => norm(x.name) === norm(m.name))) aarrr[stage].push(m);
  };
  const count = (target: number, key: string, scale = reach) => {
    const s = series(key, (a) => Math.max(0, Math.round(target * a * scale)));
    return { ...s, target: Math.round(target) };
  };
  const pct = (target: number, key: string, lower = false) => {
    const s = series(key, (a) => round1(clamp(lower ? target * (1.8 - 0.85 * a) : target * a, 0, 100)));
    return { ...s, target };
  };
  const ref = (name: string) => criteria.find((c) => norm(c.metric) === norm(name))?.metric ?? null;

  // Every Stage 23 criterion gets the metric that measures it.
  for (const c of criteria) {
    const parsed = parseTarget(c.target);
    const target = parsed?.value ?? 1;
    const isPct = /%|rate|retention|share/i.test(`${c.metric} ${c.target}`);
    const lower = parsed?.direction === "lower" || LOWER_IS_BETTER.test(c.metric);
    const base = isPct ? pct(target, c.metric, lower) : count(target, c.metric);
    add(aarrrCategoryFor(c.metric), { name: c.metric, ...base, trendWindowDays: 30, criterionRef: c.metric });
  }
  const mrr = series("mrr", (a) => Math.round(revenueTarget * a * reach));
  if (!customerCriterion)
    add("revenue", {
      name: "Paying customers",
      value: Math.round(mrr.value / price),
      previousValue: Math.round(mrr.previousValue / price),
      target: Math.round(revenueTarget / price),
      trendWindowDays: 30,
      criterionRef: null,
    });
  add("acquisition", {
    name: "New signups (30 days)",
    ...count(targetCustomers * 3, "signups"),
    trendWindowDays: 30,
    criterionRef: ref("New signups (30 days)"),
  });
  const cacTarget = Math.round(price * 5);
  add("acquisition", {
    name: "Customer acquisition cost (EUR)",
    ...series("cac", (a) => Math.round(cacTarget * (1.7 - 0.8 * a))),
    target: cacTarget,
    trendWindowDays: 30,
    criterionRef: null,
  });
  add("activation", {
    name: "Activation rate (%)",
    ...pct(40, "activation"),
    trendWindowDays: 30,
    criterionRef: ref("Activation rate (%)"),
  });
  add("retention", {
    name: "Week-4 retention (%)",
    ...pct(35, "retention"),
    trendWindowDays: 28,
    criterionRef: ref("Week-4 retention (%)"),
  });
  add("retention", { name: "Monthly churn (%)", ...pct(5, "churn", true), trendWindowDays: 30, criterionRef: null });
  add("revenue", { name: "MRR (EUR)", ...mrr, target: revenueTarget, trendWindowDays: 30, criterionRef: null });
  const margin = ARCHETYPE_MARGIN[v.archetype];
  add("revenue", {
    name: "Gross margin (%)",
    ...series("margin", (a) => round1(clamp(margin * (0.75 + 0.25 * a), 0, 95))),
    target: margin,
    trendWindowDays: 30,
    criterionRef: null,
  });
  add("referral", {
    name: "Referral share of signups (%)",
    ...pct(15, "referral"),
    trendWindowDays: 30,
    criterionRef: ref("Referral share of signups (%)"),
  });

  const signups = aarrr.acquisition.find((m) => m.name === "New signups (30 days)")?.value ?? 0;
  const activation = aarrr.activation.find((m) => m.name === "Activation rate (%)")?.value ?? 30;
  const visitors = Math.round(signups / (0.02 + 0.05 * p.strength));
  const activated = Math.round((signups * activation) / 100);
  const converted = Math.round(activated * clamp(0.15 + 0.4 * p.strength, 0, 1));
  const funnels = [
    {
      name: "Visitor to paying customer (30 days)",
      steps: [
        { name: "Visitors", count: visitors },
        { name: "Signups", count: signups },
        { name: "Activated", count: activated },
        { name: "Paying", count: converted },
      ],
    },
  ];

  const missed = allMetrics(aarrr)
    .map((m) => {
      const lower = LOWER_IS_BETTER.test(m.name);
      const ratio = m.target > 0 ? (lower ? m.target / Math.max(m.value, 1e-9) : m.value / m.target) : 1;
      return { m, ratio };
    })
    .sort((a, b) => a.ratio - b.ratio);
  const categoryOf: Record<AarrrStage, z.infer<typeof learningCategory>> = {
    acquisition: "market",
    activation: "product",
    retention: "product",
    revenue: "financial",
    referral: "market",
  };
  const learnings: ScorecardAnalysis["learnings"] = missed.slice(0, 3).map(({ m, ratio }) => ({
    category: categoryOf[m.stage],
    insight:
      ratio >= 1
        ? `${m.name} is on target (${m.value} vs ${m.target}) in ops cycle ${cycle}.`
        : `${m.name} reached ${m.value} against a target of ${m.target} in ops cycle ${cycle}; ${ratio < 0.6 ? "far behind plan" : "behind plan"}.`,
    impactLevel: ratio < 0.6 ? "high" : ratio < 0.9 ? "medium" : "low",
  }));
  learnings.push({
    category: "process",
    insight: `A ${type.replace(/_/g, " ")} reaches a ${type === "general_availability" ? "full" : "limited"} audience: read counts against that reach.`,
    impactLevel: rng.pick(["medium", "low"] as const),
  });
  return { aarrr, funnels, learnings };
}

export const stage24: StageDefinition<ScorecardAnalysis, ScorecardDerived> = {
  number: 24,
  name: "Metrics & Learning",
  phase: 6,
  gateType: "none",
  consumes: [23],
  produces: ["launch_scorecard"],
  analysisSchema,
  artifactSchema: analysisSchema.extend(derivedSchema.shape),
  computeDerived: computeScorecardDerived,
  prompt: (ctx) => {
    const plan = rec(ctx.artifacts.launch_plan?.content);
    const criteria = list(plan.successCriteria).map(
      (c) => `${text(c.metric)} — target ${text(c.target)} within ${text(c.measurementWindow)} (${text(c.priority)})`,
    );
    return stagePrompt(ctx, {
      role: "a growth analyst writing the launch scorecard",
      task: [
        `This is ops cycle ${ctx.runNumber}: report the metrics measured in this cycle.`,
        "Fill aarrr (acquisition, activation, retention, revenue, referral), each a list of metrics: name, value, target, previousValue (the value one cycle earlier, or the launch baseline), trendWindowDays (or null) and criterionRef (the Stage 23 success criterion's metric it measures, or null).",
        "Give funnels (name and steps of name + count, in order) and learnings (category product|market|technical|financial|process, insight, impactLevel high|medium|low or null).",
        `Read the metrics in the light of the launch type (${text(plan.launchType, "unknown")}): beta expectations differ from general availability.`,
      ].join("\n"),
      rules: [
        criteria.length
          ? `Success criteria to evaluate:\n  ${criteria.join("\n  ")}`
          : "Stage 23 set no success criteria.",
        "Every success criterion should be measured by at least one metric whose criterionRef names it exactly.",
        "Report measured values only; where nothing was measured, leave the metric out.",
      ],
    });
  },
  simulate,
  qualityScore: (artifact) => {
    const stages = AARRR.filter((s) => artifact.aarrr[s].length > 0).length;
    const criteria = artifact.launchOutcome.criteria;
    const measured = criteria.length ? criteria.filter((c) => c.measuredBy.length).length / criteria.length : 0;
    return Math.round(
      20 + stages * 8 + 30 * measured + (artifact.funnels.length ? 5 : 0) + (artifact.learnings.length >= 3 ? 5 : 0),
    );
  },
};
