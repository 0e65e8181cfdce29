// The Assumptions vs Reality report (Stage 25, seed 000 "golden nugget"):
// every Stage 1 key assumption and every Stage 5 / Stage 16 projection set
// against what Stage 24 measured, each classified validated / invalidated /
// inconclusive by the fixed rules below, with the assumption error rate that
// calibrates how far early beliefs can be trusted. Pure and deterministic.
import { z } from "zod";
import { list, norm, num, rec, text } from "./stage-18.ts";
import { AARRR, type AarrrStage, LOWER_IS_BETTER, trendOf } from "./stage-24.ts";
import type { StageContext } from "./types.ts";

/** A projection holds when the actual is within this share of it, or better (±20 %). */
export const PROJECTION_TOLERANCE = 0.2;
/** A metric supports an assumption when it reaches this share of its target (lower-is-better: stays within 1 + tolerance of it). */
export const METRIC_TOLERANCE = 0.2;

export const RULES = [
  `Projection (Stage 5, Stage 16): variance = (actual − projected) / |projected|. Where more is better (revenue, margin, LTV) it is validated when the variance is ≥ −${PROJECTION_TOLERANCE * 100}% (within ±${PROJECTION_TOLERANCE * 100}% or above) and invalidated below; where less is better (CAC, churn, payback, burn) validated when ≤ +${PROJECTION_TOLERANCE * 100}% and invalidated above. Inconclusive when no Stage 24 metric measures it or the projection is missing or zero.`,
  "Revenue is compared per month: Stage 5 year-1 revenue / 12; Stage 16 the first phase with projected revenue, divided by its months; Stage 24 the first revenue metric naming MRR, ARR (÷ 12) or revenue (scaled to 30 days by its trend window).",
  "Rates are compared as fractions: a metric named with % (or above 1) is divided by 100.",
  `Assumption (Stage 1): matched to Stage 24 metrics explicitly (the review's assumptionLinks) or by words: a metric matches when the assumption contains at least two of the content words of the metric's name and criterionRef (all of them when there is only one; stop words, units and time words do not count, plurals and -ing/-ed forms match their stem). Each matched metric with a positive target meets it when value ≥ ${(1 - METRIC_TOLERANCE) * 100}% of target (lower-is-better: ≤ ${(1 + METRIC_TOLERANCE) * 100}%). Validated when more matched metrics meet than miss, invalidated when more miss, inconclusive when nothing matches or on a tie.`,
  "assumptionErrorRate = invalidated / (validated + invalidated) over all items, four decimals; null when nothing was decidable.",
] as const;

export const classification = z.enum(["validated", "invalidated", "inconclusive"]);
export type Classification = z.infer<typeof classification>;

const reportItem = z.object({
  id: z.string(),
  kind: z.enum(["assumption", "projection"]),
  source: z.enum(["Stage 1", "Stage 5", "Stage 16"]),
  statement: z.string(),
  /** The projected value (projections) or null (assumptions). */
  expected: z.number().nullable(),
  /** The measured value, in the projection's unit; null when nothing measured it. */
  actual: z.number().nullable(),
  variancePct: z.number().nullable(),
  /** The Stage 24 metrics used. */
  evidence: z.array(z.string()),
  classification,
  reason: z.string(),
});
export type ReportItem = z.infer<typeof reportItem>;

export const assumptionsRealityReportSchema = z.object({
  opsCycle: z.number().int().min(1),
  /** The artifact versions compared (immutable versioning, Decision #34). */
  sources: z.array(
    z.object({ stage: z.number().int(), artifactType: z.string(), version: z.number().int().nullable() }),
  ),
  rules: z.array(z.string()).min(1),
  items: z.array(reportItem),
  summary: z.object({
    validated: z.number().int().min(0),
    invalidated: z.number().int().min(0),
    inconclusive: z.number().int().min(0),
  }),
  assumptionErrorRate: z.number().min(0).max(1).nullable(),
});
export type AssumptionsRealityReport = z.infer<typeof assumptionsRealityReportSchema>;

// ——— Words ———

const STOP = new Set(
  (
    "the and for with that this from into onto over under than then they them their there these those have has had " +
    "will would can could should must may might are was were been being not but per via its our your you all any " +
    "each every more most less least much many few some such only also just very what which who whom whose when where " +
    "why how about above below after before between through during without within across a an of to in on at by or is " +
    "it be as if so no do does did month monthly year yearly annual week weekly day daily eur usd gbp euro euros dollar dollars " +
    "pound pounds rate number count total new"
  ).split(" "),
);

function stem(word: string): string {
  let w = word;
  if (w.length > 4 && w.endsWith("ies")) return `${w.slice(0, -3)}y`;
  if (w.length > 5 && w.endsWith("ing")) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith("ed")) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith("s") && !w.endsWith("ss")) w = w.slice(0, -1);
  return w;
}

/** Content words of a text: lower-case, stemmed, without stop words, numbers or one- and two-letter words. */
export function contentWords(textIn: string): string[] {
  const words = textIn
    .toLowerCase()
    .replace(/['’]s\b/g, "")
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 2 && !STOP.has(w) && !/^\d+$/.test(w))
    .map(stem)
    .filter((w) => !STOP.has(w));
  return [...new Set(words)];
}

/** Two stemmed words are the same word when equal, or when one extends the other by at most three letters (sublet / sublett). */
export function sameWord(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  return short.length >= 4 && long.startsWith(short) && long.length - short.length <= 3;
}

/** The words of `of` that also occur in `inWords`. */
export function sharedWords(of: string[], inWords: string[]): string[] {
  return of.filter((w) => inWords.some((x) => sameWord(w, x)));
}

// ——— Stage 24 metrics ———

export interface Measured {
  name: string;
  stage: AarrrStage;
  value: number;
  target: number;
  previousValue: number | null;
  trendWindowDays: number | null;
  criterionRef: string | null;
  trendDirection: "up" | "flat" | "down";
}

/** The Stage 24 metrics, read tolerantly; the trend recomputed when absent. */
export function scorecardMetrics(scorecard: unknown): Measured[] {
  const aarrr = rec(rec(scorecard).aarrr);
  return AARRR.flatMap((stage) =>
    list(aarrr[stage]).flatMap((m) => {
      const value = num(m.value);
      if (value === null || !text(m.name)) return [];
      const previousValue = num(m.previousValue);
      const given = m.trendDirection;
      return [
        {
          name: text(m.name),
          stage,
          value,
          target: num(m.target) ?? 0,
          previousValue,
          trendWindowDays: num(m.trendWindowDays),
          criterionRef: text(m.criterionRef) || null,
          trendDirection:
            given === "up" || given === "flat" || given === "down"
              ? given
              : previousValue === null
                ? "flat"
                : // A previous value exists here, so the trend is known.
                  (trendOf(value, previousValue) as Measured["trendDirection"]),
        } satisfies Measured,
      ];
    }),
  );
}

/** A rate as a fraction: named with % (or pct/percent), or above 1, it is a percentage. */
export function asFraction(value: number, name = ""): number {
  return /%|pct|percent/i.test(name) || Math.abs(value) > 1 ? value / 100 : value;
}

/** Monthly revenue measured at Stage 24: MRR as is, ARR ÷ 12, other revenue scaled to 30 days by its window. */
export function monthlyRevenueActual(metrics: Measured[]): { value: number; metric: string } | null {
  const revenue = metrics.filter(
    (m) => /\b(mrr|arr|revenue)\b/i.test(m.name) && !/per |arpu|average|share|growth|%/i.test(m.name),
  );
  const pick = revenue.find((m) => /\bmrr\b|monthly/i.test(m.name)) ?? revenue[0];
  if (!pick) return null;
  if (/\bmrr\b|monthly/i.test(pick.name)) return { value: pick.value, metric: pick.name };
  if (/\barr\b|annual/i.test(pick.name)) return { value: pick.value / 12, metric: pick.name };
  return { value: (pick.value * 30) / (pick.trendWindowDays ?? 30), metric: pick.name };
}

/** Stage 5 projected monthly revenue in year 1 (revenue[0] / 12); null when absent. */
export function stage5MonthlyRevenue(financialModel: unknown): number | null {
  const revenue = rec(rec(financialModel).projections).revenue;
  const y1 = Array.isArray(revenue) ? num(revenue[0]) : null;
  return y1 === null ? null : y1 / 12;
}

/** Stage 16 projected monthly revenue: the first phase with projected revenue, over its months; null when none. */
export function stage16MonthlyRevenue(projections: unknown): { value: number; phase: string } | null {
  for (const phase of list(rec(projections).phases)) {
    const projected = num(rec(phase.revenue).projected);
    const months = num(phase.durationMonths);
    if (projected !== null && projected > 0 && months !== null && months > 0)
      return { value: projected / months, phase: text(phase.phaseName, "unnamed phase") };
  }
  return null;
}

// ——— Classification ———

const round1 = (x: number) => Math.round(x * 10) / 10;

export function classifyProjection(
  expected: number | null,
  actual: number | null,
  lowerIsBetter: boolean,
): { classification: Classification; variancePct: number | null } {
  if (expected === null || actual === null || expected === 0)
    return { classification: "inconclusive", variancePct: null };
  const variance = (actual - expected) / Math.abs(expected);
  const ok = lowerIsBetter ? variance <= PROJECTION_TOLERANCE + 1e-12 : variance >= -PROJECTION_TOLERANCE - 1e-12;
  return { classification: ok ? "validated" : "invalidated", variancePct: round1(variance * 100) };
}

/** Whether a metric meets its own target within METRIC_TOLERANCE; null when it has no positive target. */
export function metricMeets(m: { name: string; value: number; target: number }): boolean | null {
  if (!(m.target > 0)) return null;
  return LOWER_IS_BETTER.test(m.name)
    ? m.value <= m.target * (1 + METRIC_TOLERANCE) + 1e-12
    : m.value >= m.target * (1 - METRIC_TOLERANCE) - 1e-12;
}

/** The metrics that measure an assumption: explicit links first, else shared words. */
export function metricsForAssumption(assumption: string, metrics: Measured[], links: string[] = []): Measured[] {
  const linked = links.length ? metrics.filter((m) => links.some((l) => norm(l) === norm(m.name))) : [];
  if (linked.length) return linked;
  const words = contentWords(assumption);
  if (!words.length) return [];
  return metrics.filter((m) => {
    const metricWords = contentWords(`${m.name} ${m.criterionRef ?? ""}`);
    return metricWords.length > 0 && sharedWords(metricWords, words).length >= Math.min(2, metricWords.length);
  });
}

export function classifyAssumption(
  assumption: string,
  metrics: Measured[],
  links: string[] = [],
): { classification: Classification; evidence: string[]; reason: string } {
  const matched = metricsForAssumption(assumption, metrics, links);
  const judged = matched.map((m) => ({ m, ok: metricMeets(m) })).filter((j) => j.ok !== null);
  const met = judged.filter((j) => j.ok).length;
  const missed = judged.length - met;
  const evidence = matched.map((m) => m.name);
  if (!judged.length)
    return {
      classification: "inconclusive",
      evidence,
      reason: matched.length ? "the matched metrics have no target to judge by" : "no Stage 24 metric measures it",
    };
  const detail = judged.map((j) => `${j.m.name} ${j.m.value} vs target ${j.m.target}`).join("; ");
  if (met > missed)
    return { classification: "validated", evidence, reason: `${met} of ${judged.length} met: ${detail}` };
  if (missed > met)
    return { classification: "invalidated", evidence, reason: `${missed} of ${judged.length} missed: ${detail}` };
  return { classification: "inconclusive", evidence, reason: `evidence split evenly: ${detail}` };
}

// ——— The report ———

interface ProjectionSpec {
  id: string;
  source: "Stage 5" | "Stage 16";
  statement: string;
  expected: number | null;
  lowerIsBetter: boolean;
  actual: { value: number; metric: string } | null;
}

function firstMetric(metrics: Measured[], pattern: RegExp, fraction = false): { value: number; metric: string } | null {
  const m = metrics.find((x) => pattern.test(x.name));
  if (!m) return null;
  return { value: fraction ? asFraction(m.value, m.name) : m.value, metric: m.name };
}

export interface ReportInput {
  keyAssumptions: string[];
  financialModel: unknown;
  financialProjections: unknown;
  scorecard: unknown;
  /** Explicit assumption → metric links (the review's assumptionLinks). */
  links?: { assumption: string; metrics: string[] }[];
  opsCycle: number;
  sources?: AssumptionsRealityReport["sources"];
}

export function projectionSpecs(input: ReportInput, metrics: Measured[]): ProjectionSpec[] {
  const revenue = monthlyRevenueActual(metrics);
  const fm = rec(input.financialModel);
  const specs: ProjectionSpec[] = [];
  if (input.financialModel !== undefined) {
    const y1 = stage5MonthlyRevenue(fm);
    const ue = rec(fm.unitEconomics);
    const churn = num(ue.churnRate);
    const margin = num(ue.grossMargin);
    specs.push(
      {
        id: "S5-revenue",
        source: "Stage 5",
        statement: "Year-1 revenue, per month",
        expected: y1 === null ? null : round1(y1),
        lowerIsBetter: false,
        actual: revenue,
      },
      {
        id: "S5-cac",
        source: "Stage 5",
        statement: "Customer acquisition cost",
        expected: num(ue.cac),
        lowerIsBetter: true,
        actual: firstMetric(metrics, /\bcac\b|acquisition cost/i),
      },
      {
        id: "S5-churn",
        source: "Stage 5",
        statement: "Monthly churn (fraction)",
        expected: churn === null ? null : asFraction(churn),
        lowerIsBetter: true,
        actual: firstMetric(metrics, /churn/i, true),
      },
      {
        id: "S5-gross-margin",
        source: "Stage 5",
        statement: "Gross margin (fraction)",
        expected: margin === null ? null : asFraction(margin),
        lowerIsBetter: false,
        actual: firstMetric(metrics, /gross margin/i, true),
      },
      {
        id: "S5-ltv",
        source: "Stage 5",
        statement: "Customer lifetime value",
        expected: num(ue.ltv),
        lowerIsBetter: false,
        actual: firstMetric(metrics, /\bltv\b|lifetime value/i),
      },
      {
        id: "S5-payback",
        source: "Stage 5",
        statement: "CAC payback (months)",
        expected: num(ue.paybackMonths),
        lowerIsBetter: true,
        actual: firstMetric(metrics, /payback/i),
      },
    );
  }
  if (input.financialProjections !== undefined) {
    const fp = rec(input.financialProjections);
    const monthly = stage16MonthlyRevenue(fp);
    const pnl = rec(fp.pnl);
    const margin = num(pnl.grossMargin);
    const phases = list(fp.phases);
    const months = phases.reduce((s, p) => s + (num(p.durationMonths) ?? 0), 0);
    const costs = phases.reduce((s, p) => {
      const c = rec(p.costs);
      return s + (num(c.personnel) ?? 0) + (num(c.infrastructure) ?? 0) + (num(c.marketing) ?? 0) + (num(c.other) ?? 0);
    }, 0);
    specs.push(
      {
        id: "S16-revenue",
        source: "Stage 16",
        statement: monthly ? `Revenue per month in phase ${monthly.phase}` : "Revenue per month",
        expected: monthly ? round1(monthly.value) : null,
        lowerIsBetter: false,
        actual: revenue,
      },
      {
        id: "S16-gross-margin",
        source: "Stage 16",
        statement: "P&L gross margin (fraction)",
        expected: margin === null ? null : asFraction(margin),
        lowerIsBetter: false,
        actual: firstMetric(metrics, /gross margin/i, true),
      },
      {
        id: "S16-costs",
        source: "Stage 16",
        statement: "Costs per month across the phases",
        expected: months > 0 ? round1(costs / months) : null,
        lowerIsBetter: true,
        actual: firstMetric(metrics, /\bburn\b|monthly costs?|operating costs?|\bopex\b/i),
      },
    );
  }
  return specs;
}

export function assumptionsRealityReport(input: ReportInput): AssumptionsRealityReport {
  const metrics = scorecardMetrics(input.scorecard);
  const items: ReportItem[] = input.keyAssumptions.map((assumption, i) => {
    const links = (input.links ?? []).filter((l) => norm(l.assumption) === norm(assumption)).flatMap((l) => l.metrics);
    const c = classifyAssumption(assumption, metrics, links);
    return {
      id: `S1-A${i + 1}`,
      kind: "assumption",
      source: "Stage 1",
      statement: assumption,
      expected: null,
      actual: null,
      variancePct: null,
      evidence: c.evidence,
      classification: c.classification,
      reason: c.reason,
    };
  });
  for (const spec of projectionSpecs(input, metrics)) {
    const actual = spec.actual ? round1Precise(spec.actual.value) : null;
    const c = classifyProjection(spec.expected, actual, spec.lowerIsBetter);
    items.push({
      id: spec.id,
      kind: "projection",
      source: spec.source,
      statement: spec.statement,
      expected: spec.expected,
      actual,
      variancePct: c.variancePct,
      evidence: spec.actual ? [spec.actual.metric] : [],
      classification: c.classification,
      reason:
        c.variancePct === null
          ? spec.expected === null || spec.expected === 0
            ? "no usable projection"
            : "no Stage 24 metric measures it"
          : `actual ${actual} vs projected ${spec.expected} (${c.variancePct > 0 ? "+" : ""}${c.variancePct}%, ${spec.lowerIsBetter ? "less" : "more"} is better)`,
    });
  }
  const count = (k: Classification) => items.filter((i) => i.classification === k).length;
  const summary = {
    validated: count("validated"),
    invalidated: count("invalidated"),
    inconclusive: count("inconclusive"),
  };
  const decided = summary.validated + summary.invalidated;
  return {
    opsCycle: Math.max(1, input.opsCycle),
    sources: input.sources ?? [],
    rules: [...RULES],
    items,
    summary,
    assumptionErrorRate: decided ? Math.round((summary.invalidated / decided) * 10_000) / 10_000 : null,
  };
}

/** Fractions keep four decimals, larger numbers one. */
function round1Precise(x: number): number {
  return Math.abs(x) < 10 ? Math.round(x * 10_000) / 10_000 : round1(x);
}

/** The report for a Stage 25 context: its venture, Stages 5, 16 and 24, and the review's explicit links. */
export function reportFor(ctx: StageContext, links: { assumption: string; metrics: string[] }[] = []) {
  const sources = (
    [
      [1, "idea_brief"],
      [5, "financial_model"],
      [16, "financial_projections"],
      [24, "launch_scorecard"],
    ] as const
  ).map(([stage, artifactType]) => ({ stage, artifactType, version: ctx.artifacts[artifactType]?.version ?? null }));
  return assumptionsRealityReport({
    keyAssumptions: ctx.venture.keyAssumptions,
    financialModel: ctx.artifacts.financial_model?.content,
    financialProjections: ctx.artifacts.financial_projections?.content,
    scorecard: ctx.artifacts.launch_scorecard?.content,
    links,
    opsCycle: ctx.runNumber,
    sources,
  });
}
