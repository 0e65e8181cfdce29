import { describe, expect, it } from "vitest";
import { createRng } from "../../src/llm/rng.ts";
import {
  AARRR,
  conversionRates,
  launchOutcome,
  parseTarget,
  type ScorecardMetric,
  stage24,
  TREND_TOLERANCE_PCT,
  trendOf,
} from "../../src/stages/stage-24.ts";
import { stage25 } from "../../src/stages/stage-25.ts";
import type { CycleMeasurements } from "../../src/stages/types.ts";
import { runStage, stageContext } from "./fixtures-10-17.ts";
import {
  artifactAt,
  bare,
  chainThrough,
  constructed,
  contextAt,
  expectContract,
  misshapen,
  must,
  opsCycles,
  sampleVentures,
  spreadVentures,
  tally,
} from "./fixtures-18-25.ts";

const venture = must(sampleVentures[0]);
type Scorecard = {
  aarrr: Record<(typeof AARRR)[number], (ScorecardMetric & { trendDirection: string })[]>;
  launchOutcome: { assessment: "success" | "partial" | "failure" | "indeterminate"; criteriaMetRate: number };
};
const metric = (name: string, value: number, target: number, criterionRef: string | null = null): ScorecardMetric => ({
  name,
  value,
  target,
  previousValue: value,
  trendWindowDays: 30,
  criterionRef,
});
const empty = () => ({ acquisition: [], activation: [], retention: [], revenue: [], referral: [] });
const criteria = [
  { metric: "paying firms", target: "100", priority: "primary" },
  { metric: "Monthly churn", target: "5%", priority: "secondary" },
  { metric: "NPS", target: "≥ 40", priority: "secondary" },
];

describe("stage 24 — metrics & learning", () => {
  it("the offline scorecard of every sample venture satisfies the artifact schema and measures every criterion", () => {
    for (const v of sampleVentures) {
      const ctx = contextAt(stage24, v);
      const parsed = stage24.artifactSchema.safeParse(artifactAt(stage24, v));
      expect(parsed.error?.issues ?? []).toEqual([]);
      const outcome = must(parsed.data).launchOutcome;
      expect(outcome.criteria.every((c) => c.measuredBy.length > 0)).toBe(true);
      expect(stage24.qualityScore(must(parsed.data), ctx)).toBeGreaterThanOrEqual(90);
    }
  });

  it("spreads launch outcomes over ventures", () => {
    const counts = tally(spreadVentures.map((v) => (artifactAt(stage24, v) as Scorecard).launchOutcome.assessment));
    expect(counts.success).toBeGreaterThan(0);
    expect(counts.partial).toBeGreaterThan(0);
    expect(counts.failure).toBeGreaterThan(0);
  });

  it("gives different numbers on each ops cycle, and each cycle's previous value is the cycle before's value", () => {
    const cycles = opsCycles(venture, 3).map((c) => c.scorecard as Scorecard);
    const values = cycles.map((s) => AARRR.flatMap((st) => s.aarrr[st].map((m) => m.value)));
    expect(new Set(values.map((v) => JSON.stringify(v))).size).toBe(3);
    for (let k = 1; k < cycles.length; k++) {
      for (const st of AARRR) {
        const before = new Map(must(cycles[k - 1]).aarrr[st].map((m) => [m.name, m.value]));
        for (const m of must(cycles[k]).aarrr[st]) expect(m.previousValue).toBe(before.get(m.name));
      }
    }
    expect(stage24.prompt(contextAt(stage24, venture, 2)).user).toContain("ops cycle 2");
  });

  it(`derives the trend from value against previous value, flat within ±${TREND_TOLERANCE_PCT}%`, () => {
    expect(trendOf(102, 100)).toBe("flat");
    expect(trendOf(98, 100)).toBe("flat");
    expect(trendOf(102.01, 100)).toBe("up");
    expect(trendOf(97.99, 100)).toBe("down");
    expect(trendOf(0, 0)).toBe("flat");
    expect(trendOf(1, 0)).toBe("up");
    expect(trendOf(-52, -50)).toBe("down");
    const ctx = constructed(venture, { 23: { successCriteria: [] } });
    const analysis = {
      aarrr: { ...empty(), revenue: [{ ...metric("MRR (EUR)", 1200, 2000), previousValue: 1000 }] },
      funnels: [],
      learnings: [],
    };
    expect(must(stage24.computeDerived(analysis, ctx).aarrr.revenue[0]).trendDirection).toBe("up");
  });

  it("derives funnel conversion rates step to step, null after an empty step", () => {
    expect(
      conversionRates([
        { name: "Visitors", count: 1000 },
        { name: "Signups", count: 50 },
        { name: "Activated", count: 0 },
        { name: "Paying", count: 0 },
      ]),
    ).toEqual([
      { from: "Visitors", to: "Signups", ratePct: 5 },
      { from: "Signups", to: "Activated", ratePct: 0 },
      { from: "Activated", to: "Paying", ratePct: null },
    ]);
    expect(
      conversionRates([
        { name: "a", count: 3 },
        { name: "b", count: 1 },
      ]),
    ).toEqual([{ from: "a", to: "b", ratePct: 33.33 }]);
  });

  it("reads criterion targets: thousands, k/m, percentages and lower-is-better comparators", () => {
    expect(parseTarget("1,000")).toEqual({ value: 1000, direction: "higher" });
    expect(parseTarget("50k")).toEqual({ value: 50_000, direction: "higher" });
    expect(parseTarget("€2.5m")).toEqual({ value: 2_500_000, direction: "higher" });
    expect(parseTarget("≤ 5%")).toEqual({ value: 5, direction: "lower" });
    expect(parseTarget("at most 3")).toEqual({ value: 3, direction: "lower" });
    expect(parseTarget("achieved")).toBeNull();
  });

  it("judges the launch outcome by matching metrics' criterionRef to the Stage 23 criteria", () => {
    const aarrr = (paying: number, churn: number, nps: number | null) => ({
      ...empty(),
      revenue: [metric("Paying firms", paying, 100, "paying firms")],
      retention: [metric("Monthly churn (%)", churn, 5, "Monthly churn")],
      referral: nps === null ? [] : [metric("Net promoter score", nps, 40, "NPS")],
    });
    // Paying firms and churn (lower is better, by the criterion's name) met; NPS unmeasured counts as not met.
    const partial = launchOutcome(aarrr(120, 4, null), criteria);
    expect(partial).toMatchObject({ assessment: "partial", criteriaMetRate: 66.7 });
    expect(partial.criteria.map((c) => [c.metric, c.met, c.measuredBy])).toEqual([
      ["paying firms", true, ["Paying firms"]],
      ["Monthly churn", true, ["Monthly churn (%)"]],
      ["NPS", false, []],
    ]);
    expect(launchOutcome(aarrr(120, 4, 45), criteria)).toMatchObject({ assessment: "success", criteriaMetRate: 100 });
    expect(launchOutcome(aarrr(60, 6, 45), criteria)).toMatchObject({ assessment: "failure", criteriaMetRate: 33.3 });
    expect(launchOutcome(aarrr(60, 4, 45), criteria)).toMatchObject({ assessment: "partial", criteriaMetRate: 66.7 });
    // Nothing measured: the rate is unknown (null), not 0 %, and every criterion's result is unknown.
    expect(launchOutcome(empty(), criteria)).toMatchObject({ assessment: "indeterminate", criteriaMetRate: null });
    expect(launchOutcome(empty(), criteria).criteria.map((c) => c.result)).toEqual(["unknown", "unknown", "unknown"]);
    expect(launchOutcome(aarrr(120, 4, 45), [])).toMatchObject({ assessment: "indeterminate", criteriaMetRate: null });
    // The derivation reads the criteria from the Stage 23 artifact in the context.
    const ctx = constructed(venture, { 23: { successCriteria: criteria } });
    const derived = stage24.computeDerived({ aarrr: aarrr(120, 4, 45), funnels: [], learnings: [] }, ctx);
    expect(derived.launchOutcome.assessment).toBe("success");
  });

  it("rejects unknown learning categories, a one-step funnel, a missing AARRR stage and a non-number value", () => {
    const good = stage24.simulate(contextAt(stage24, venture), createRng(4));
    const m = must(good.aarrr.revenue[0]);
    const { referral: _, ...fourStages } = good.aarrr;
    const bad = [
      { ...good, learnings: [{ category: "culture", insight: "The team moved fast.", impactLevel: null }] },
      { ...good, learnings: [{ category: "process", insight: "The team moved fast.", impactLevel: "huge" }] },
      { ...good, funnels: [{ name: "f", steps: [{ name: "Visitors", count: 10 }] }] },
      {
        ...good,
        funnels: [
          {
            name: "f",
            steps: [
              { name: "a", count: 10 },
              { name: "b", count: 2.5 },
            ],
          },
        ],
      },
      { ...good, aarrr: fourStages },
      { ...good, aarrr: { ...good.aarrr, revenue: [{ ...m, value: "lots" }] } },
      { ...good, aarrr: { ...good.aarrr, revenue: [{ ...m, previousValue: undefined }] } },
    ];
    for (const b of bad) expect(stage24.analysisSchema.safeParse(b).success).toBe(false);
    expect(stage24.analysisSchema.safeParse(good).success).toBe(true);
  });

  it("falls back rather than throws when the launch plan is misshapen or missing", () => {
    for (const v of sampleVentures) {
      for (const ctx of [misshapen(contextAt(stage24, v)), bare(contextAt(stage24, v))]) {
        const analysis = stage24.simulate(ctx, createRng(2));
        const artifact = { ...analysis, ...stage24.computeDerived(analysis, ctx) };
        expect(stage24.artifactSchema.safeParse(artifact).success).toBe(true);
        expect(artifact.launchOutcome.assessment).toBe("indeterminate");
      }
    }
  });

  it("declares the contract of the reference data and prompts with exactly its artifacts", () => {
    expectContract(stage24, venture);
    const { user } = stage24.prompt(contextAt(stage24, venture));
    for (const field of ["aarrr", "previousValue", "criterionRef", "funnels", "learnings", "paying firms"])
      expect(user).toContain(field);
  });

  it("Stage 25 reads a measured scorecard, and one with nothing measured, as schema-valid input", () => {
    const base = chainThrough(venture, 23);
    const measurements: CycleMeasurements = {
      cycle: 1,
      observedAfter: null,
      observedUntil: "2026-11-30T12:00:00+00:00",
      metrics: [
        {
          id: 1,
          category: "retention",
          name: "Week-4 retention (%)",
          value: 28,
          observedAt: "2026-11-29T09:00:00+00:00",
          source: "posthog",
          criterionRef: null,
        },
        {
          id: 2,
          category: "revenue",
          name: "MRR (EUR)",
          value: 1960,
          observedAt: "2026-11-29T09:00:00+00:00",
          source: "stripe",
          criterionRef: null,
        },
      ],
      previous: null,
    };
    const measured = runStage(stage24, {
      ...stageContext(stage24, venture, base, 1),
      measurements,
      analyst: "offline",
    });
    const none = runStage(stage24, { ...stageContext(stage24, venture, base, 1), analyst: "openai" });
    const facts = (measured as Scorecard).aarrr;
    expect(facts.retention.map((m) => [m.value, m.previousValue, m.trendDirection])).toEqual([[28, null, "unknown"]]);
    expect((none as Scorecard).launchOutcome.assessment).toBe("indeterminate");
    for (const scorecard of [measured, none]) {
      expect(stage24.artifactSchema.safeParse(scorecard).error?.issues ?? []).toEqual([]);
      const all = {
        ...base,
        launch_scorecard: { stage: 24, type: "launch_scorecard", version: 1, content: scorecard, qualityScore: null },
      };
      const review = runStage(stage25, stageContext(stage25, venture, all, 1));
      expect(stage25.artifactSchema.safeParse(review).error?.issues ?? []).toEqual([]);
    }
  });
});
