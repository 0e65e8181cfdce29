// Stage 24 — Metrics & Learning (spec §8.6, §5 versioned ops loop): the launch
// scorecard. AARRR metrics with their trend, funnels with their conversion
// rates, learnings, and the launch outcome judged against the Stage 23 success
// criteria. One version per ops cycle: ctx.runNumber is the cycle.
//
// Evidence, not invention: the values are the cycle's measured metrics
// (eva.venture_metrics, via ctx.measurements), labelled `fact` with their
// source, and each previousValue is read from the previous version. The model
// interprets them (targets, learnings). With nothing measured, the offline
// analyst's simulated values are kept, labelled `simulation`; a model's are
// not: the metrics are absent and the outcome indeterminate.
import { z } from "zod";
import { createRng, seedFrom } from "../llm/rng.ts";
import { launchType, learningCategory } from "./enums.ts";
import { stagePrompt } from "./prompt.ts";
import { ventureProfile } from "./simulation.ts";
import { clamp, list, norm, rec, text } from "./stage-18.ts";
import type { MeasuredField, MeasuredValue, Rng, StageContext, StageDefinition, VentureBrief } from "./types.ts";

export const AARRR = ["acquisition", "activation", "retention", "revenue", "referral"] as const;
export type AarrrStage = (typeof AARRR)[number];
/** unknown: no previous value to compare with. */
export const trendDirection = z.enum(["up", "flat", "down", "unknown"]);
export type TrendDirection = z.infer<typeof trendDirection>;
export const launchAssessment = z.enum(["success", "partial", "failure", "indeterminate"]);
export const impactLevel = z.enum(["high", "medium", "low"]);

/** A change of at most 2 % of the previous value (in either direction) is flat. */
export const TREND_TOLERANCE_PCT = 2;

const metricObject = z.object({
  name: z.string().min(1),
  value: z.number(),
  /** The metric's target: its Stage 23 criterion's, else the analysis's; null when none is known. */
  target: z.number().nullable(),
  /** The value the previous version (ops cycle) recorded; null in the first cycle or when it did not record the metric. */
  previousValue: z.number().nullable(),
  trendWindowDays: z.number().int().min(1).nullable(),
  /** The Stage 23 success criterion (its `metric`) this metric measures, or null. */
  criterionRef: z.string().min(1).nullable(),
});
/** fact: measured (eva.venture_metrics), with its source; simulation: the offline analyst's. */
export const metricLabel = z.enum(["fact", "simulation"]);
const metricWithTrend = metricObject.extend({
  trendDirection,
  label: metricLabel,
  /** Where a fact comes from (eva.venture_metrics.source); null for a simulation. */
  source: z.string().nullable(),
  observedAt: z.string().nullable(),
});
export type ScorecardMetricDerived = z.infer<typeof metricWithTrend>;
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
  /** unknown when no metric measures the criterion. */
  result: z.enum(["met", "not_met", "unknown"]),
});

const measurement = z.object({
  /** measured: the values are facts; simulation: the offline analyst's; none: nothing was measured, values unknown. */
  basis: z.enum(["measured", "simulation", "none"]),
  opsCycle: z.number().int().min(1),
  /** The cycle's observation window (eva.fn_cycle_metrics); null outside a stage run. */
  observedAfter: z.string().nullable(),
  observedUntil: z.string().nullable(),
  /** The launch_scorecard version the previous values were read from. */
  previousVersion: z.number().int().nullable(),
  /** Metrics the analysis reported that were not measured, left out. */
  discarded: z.array(z.string()),
  note: z.string(),
});

const derivedSchema = z.object({
  aarrr: aarrrOf(metricWithTrend),
  funnels: z.array(funnelObject.extend({ conversionRates: z.array(conversionRate) })),
  launchOutcome: z.object({
    assessment: launchAssessment,
    /** Percent of the Stage 23 success criteria met, one decimal; null (unknown) when the outcome is indeterminate. */
    criteriaMetRate: z.number().min(0).max(100).nullable(),
    criteria: z.array(criterionResult),
  }),
  measurement,
});
export type ScorecardDerived = z.infer<typeof derivedSchema>;
export type LaunchScorecard = ScorecardAnalysis & ScorecardDerived;

/** up / flat / down from value vs previousValue; flat within ±TREND_TOLERANCE_PCT % of the previous value; unknown without one. */
export function trendOf(value: number, previousValue: number | null): TrendDirection {
  if (previousValue === null) return "unknown";
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
  if (target === null) return false;
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
): Omit<ScorecardDerived["launchOutcome"], "criteria"> & {
  criteria: ScorecardDerived["launchOutcome"]["criteria"];
} {
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
  const judged = results.map((r) => ({
    ...r,
    result: (r.met ? "met" : r.measuredBy.length ? "not_met" : "unknown") as "met" | "not_met" | "unknown",
  }));
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
  return { assessment, criteriaMetRate: assessment === "indeterminate" ? null : criteriaMetRate, criteria: judged };
}

function criteriaOf(ctx: StageContext) {
  return list(rec(ctx.artifacts.launch_plan?.content).successCriteria)
    .map((c) => ({ metric: text(c.metric), target: text(c.target), priority: text(c.priority, "primary") }))
    .filter((c) => c.metric);
}

const emptyAarrr = <M>(): Record<AarrrStage, M[]> => ({
  acquisition: [],
  activation: [],
  retention: [],
  revenue: [],
  referral: [],
});

/**
 * The scorecard's metrics, outcome and provenance. In a stage run (ctx.analyst set), the metrics are the
 * cycle's measurements when there are any: value, source and time from eva.venture_metrics (`fact`), the
 * target from the metric's Stage 23 criterion or else the analysis, previousValue from the previous
 * version; metrics the analysis reported beyond them are left out (named in measurement.discarded), and
 * so are funnels (no counts were measured). With none measured, the offline analyst's values stay,
 * labelled `simulation` (previousValue still read from the previous version); a model's are all left out
 * (basis none: values unknown, outcome indeterminate). Outside a stage run (no ctx.analyst, no
 * measurements), the analysis is taken as the offline analyst's simulation.
 */
export function computeScorecardDerived(analysis: ScorecardAnalysis, ctx: StageContext): ScorecardDerived {
  const criteria = criteriaOf(ctx);
  const inRun = ctx.analyst !== undefined || ctx.measurements != null;
  const m = ctx.measurements ?? null;
  const measured = m?.metrics ?? [];
  const previous = new Map((m?.previous?.metrics ?? []).map((p) => [norm(p.name), p.value]));
  const reported = allMetrics(analysis.aarrr);
  const criterionNamed = (ref: string | null) =>
    ref === null ? null : (criteria.find((c) => norm(c.metric) === norm(ref))?.metric ?? null);
  const aarrr = emptyAarrr<ScorecardMetricDerived>();
  let discarded: string[] = [];
  let basis: "measured" | "simulation" | "none";
  if (inRun && measured.length) {
    basis = "measured";
    for (const x of measured) {
      const r = reported.find((y) => norm(y.name) === norm(x.name));
      const criterionRef = x.criterionRef ?? criterionNamed(r?.criterionRef ?? null) ?? criterionNamed(x.name);
      const criterionTarget = parseTarget(criteria.find((c) => c.metric === criterionRef)?.target ?? "")?.value;
      const previousValue = previous.get(norm(x.name)) ?? null;
      aarrr[x.category].push({
        name: x.name,
        value: x.value,
        target: criterionTarget ?? r?.target ?? null,
        previousValue,
        trendWindowDays: r?.trendWindowDays ?? null,
        criterionRef,
        trendDirection: trendOf(x.value, previousValue),
        label: "fact",
        source: x.source,
        observedAt: x.observedAt,
      });
    }
    discarded = reported.filter((r) => !measured.some((x) => norm(x.name) === norm(r.name))).map((r) => r.name);
  } else if (!inRun || ctx.analyst === "offline") {
    basis = "simulation";
    for (const r of reported) {
      const previousValue = inRun ? (previous.get(norm(r.name)) ?? null) : r.previousValue;
      const { stage, ...metric } = r;
      aarrr[stage].push({
        ...metric,
        previousValue,
        trendDirection: trendOf(r.value, previousValue),
        label: "simulation",
        source: null,
        observedAt: null,
      });
    }
  } else {
    basis = "none";
    discarded = reported.map((r) => r.name);
  }
  const cycle = m?.cycle ?? Math.max(1, ctx.runNumber);
  const note =
    basis === "measured"
      ? [
          `${measured.length} metric${measured.length === 1 ? "" : "s"} measured in ops cycle ${cycle}: the values are facts from eva.venture_metrics, with their source.`,
          m?.previous
            ? `Previous values from launch_scorecard version ${m.previous.version}.`
            : "First cycle: no previous values.",
          discarded.length ? `Not measured, left out: ${discarded.join(", ")}.` : "",
          analysis.funnels.length ? "Funnels left out: their counts were not measured." : "",
        ]
          .filter(Boolean)
          .join(" ")
      : basis === "simulation"
        ? `No metrics were measured in ops cycle ${cycle}: the offline analyst simulated these values (simulation, not measurements).`
        : `No metrics were measured in ops cycle ${cycle}: the values are unknown and the launch outcome indeterminate${discarded.length ? ` (the model's ${discarded.length} reported values were not measurements and are left out)` : ""}. Record them with eva metrics record or eva metrics import.`;
  return {
    aarrr,
    funnels:
      basis === "simulation" ? analysis.funnels.map((f) => ({ ...f, conversionRates: conversionRates(f.steps) })) : [],
    launchOutcome: launchOutcome(aarrr, criteria),
    measurement: {
      basis,
      opsCycle: cycle,
      observedAfter: m?.observedAfter ?? null,
      observedUntil: m?.observedUntil ?? null,
      previousVersion: m?.previous?.version ?? null,
      discarded,
      note,
    },
  };
}

/** The scorecard's measured values, for epistemic_evidence: every `fact` metric's value with its source. */
export function scorecardMeasuredValues(artifact: Pick<ScorecardDerived, "aarrr">): MeasuredValue[] {
  return AARRR.flatMap((stage) =>
    artifact.aarrr[stage].flatMap((m, i) =>
      m.label === "fact" && m.source
        ? [
            {
              field: `aarrr.${stage}[${i}].value`,
              source: m.source,
              ...(m.observedAt ? { observedAt: m.observedAt } : {}),
            },
          ]
        : [],
    ),
  );
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

/** The three metrics furthest from target (or on it), as learnings in words. */
function metricLearnings(aarrr: ScorecardAnalysis["aarrr"], cycle: number): ScorecardAnalysis["learnings"] {
  const missed = allMetrics(aarrr)
    .map((m) => {
      const lower = LOWER_IS_BETTER.test(m.name);
      const target = m.target ?? 0;
      const ratio = target > 0 ? (lower ? target / Math.max(m.value, 1e-9) : m.value / target) : 1;
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
  return missed.slice(0, 3).map(({ m, ratio }) => ({
    category: categoryOf[m.stage],
    insight:
      m.target === null
        ? `${m.name} was ${m.value} in ops cycle ${cycle}; it has no target to judge it by.`
        : ratio >= 1
          ? `${m.name} is on target (${m.value} vs ${m.target}) in ops cycle ${cycle}.`
          : `${m.name} reached ${m.value} against a target of ${m.target} in ops cycle ${cycle}; ${ratio < 0.6 ? "far behind plan" : "behind plan"}.`,
    impactLevel: ratio < 0.6 ? "high" : ratio < 0.9 ? "medium" : "low",
  }));
}

/**
 * The offline analyst's reading of a cycle with measured metrics: the measured values as they are
 * (computeDerived labels them facts), each criterion's target, and learnings from them. No funnels:
 * their counts were not measured.
 */
function fromMeasurements(ctx: StageContext, measured: NonNullable<StageContext["measurements"]>): ScorecardAnalysis {
  const criteria = criteriaOf(ctx);
  const previous = new Map((measured.previous?.metrics ?? []).map((p) => [norm(p.name), p.value]));
  const aarrr = emptyAarrr<ScorecardMetric>();
  for (const x of measured.metrics) {
    const criterion =
      criteria.find((c) => x.criterionRef !== null && norm(c.metric) === norm(x.criterionRef)) ??
      criteria.find((c) => norm(c.metric) === norm(x.name));
    aarrr[x.category].push({
      name: x.name,
      value: x.value,
      target: parseTarget(criterion?.target ?? "")?.value ?? null,
      previousValue: previous.get(norm(x.name)) ?? null,
      trendWindowDays: null,
      criterionRef: criterion?.metric ?? null,
    });
  }
  const unmeasured = criteria.filter(
    (c) => !measured.metrics.some((x) => norm(x.criterionRef ?? x.name) === norm(c.metric)),
  );
  const learnings = metricLearnings(aarrr, measured.cycle);
  learnings.push({
    category: "process",
    insight: unmeasured.length
      ? `Not measured in ops cycle ${measured.cycle}: ${unmeasured.map((c) => c.metric).join(", ")}; record them to judge those criteria.`
      : `Every success criterion was measured in ops cycle ${measured.cycle}.`,
    impactLevel: unmeasured.length ? "medium" : "low",
  });
  return { aarrr, funnels: [], learnings };
}

function simulate(ctx: StageContext, rng: Rng): ScorecardAnalysis {
  if (ctx.measurements?.metrics.length) return fromMeasurements(ctx, ctx.measurements);
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

  const learnings = metricLearnings(aarrr, cycle);
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
    const m = ctx.measurements;
    const measured = m?.metrics ?? [];
    const cycle = m?.cycle ?? ctx.runNumber;
    const measuredLines = measured.map(
      (x) =>
        `- [${x.category}] ${x.name} = ${x.value} (observed ${x.observedAt}; source: ${x.source}${x.criterionRef ? `; measures criterion "${x.criterionRef}"` : ""})`,
    );
    const previousLines = (m?.previous?.metrics ?? []).map(
      (p) => `- ${p.name} = ${p.value === null ? "unknown" : p.value} (${p.label})`,
    );
    return stagePrompt(ctx, {
      role: "a growth analyst writing the launch scorecard",
      task: [
        measured.length
          ? [
              `This is ops cycle ${cycle}. These metrics were measured in it (facts, from EVA's metric records):`,
              ...measuredLines,
              m?.previous
                ? `The previous cycle's scorecard (version ${m.previous.version}) recorded:\n${previousLines.join("\n") || "- no metrics"}`
                : "This is the first cycle: there are no previous values (previousValue null).",
              "Fill aarrr (acquisition, activation, retention, revenue, referral) with exactly these metrics, each under its category: name and value exactly as given, target (the success criterion's, else your judgement, or null), previousValue (the previous cycle's recorded value as given, or null), trendWindowDays (or null) and criterionRef (the Stage 23 success criterion's metric it measures, or null). Add no metric that was not measured.",
              "Give learnings (category product|market|technical|financial|process, insight, impactLevel high|medium|low or null) that interpret the measured values; funnels only from measured counts, else none.",
            ].join("\n")
          : [
              `This is ops cycle ${cycle}. No metrics were measured in it.`,
              "Do not invent values: return every aarrr list empty (acquisition, activation, retention, revenue, referral; a metric would be name, value, target, previousValue, trendWindowDays, criterionRef) and funnels empty.",
              "Give learnings (category product|market|technical|financial|process, insight, impactLevel high|medium|low or null) on what must be measured to judge the launch.",
            ].join("\n"),
        `Read the metrics in the light of the launch type (${text(plan.launchType, "unknown")}): beta expectations differ from general availability.`,
      ].join("\n"),
      rules: [
        criteria.length
          ? `Success criteria to evaluate:\n  ${criteria.join("\n  ")}`
          : "Stage 23 set no success criteria.",
        "A criterion is measured by a metric whose criterionRef names it exactly.",
        "Report measured values only; where nothing was measured, leave the metric out.",
      ],
    });
  },
  simulate,
  measuredValues: (artifact) => scorecardMeasuredValues(artifact),
  // The metrics are the cycle's measurements (each value also labelled in epistemic_evidence.measured);
  // with none measured, a model's scorecard holds no values: unknown, not judgement.
  measuredFields: (artifact, ctx): Record<string, MeasuredField> => {
    const cycle = ctx.measurements;
    if (cycle?.metrics.length) {
      const label: MeasuredField = {
        classification: "fact",
        source: `eva.venture_metrics via eva.fn_cycle_metrics (ops cycle ${cycle.cycle}, ${cycle.metrics.length} measured metric(s))`,
      };
      return { aarrr: label };
    }
    return artifact.launchOutcome.assessment === "indeterminate"
      ? {
          aarrr: { classification: "unknown", source: "nothing measured this ops cycle (eva metrics record | import)" },
        }
      : {};
  },
  qualityScore: (artifact) => {
    const stages = AARRR.filter((s) => artifact.aarrr[s].length > 0).length;
    const criteria = artifact.launchOutcome.criteria;
    const measured = criteria.length ? criteria.filter((c) => c.measuredBy.length).length / criteria.length : 0;
    return Math.round(
      20 + stages * 8 + 30 * measured + (artifact.funnels.length ? 5 : 0) + (artifact.learnings.length >= 3 ? 5 : 0),
    );
  },
};
