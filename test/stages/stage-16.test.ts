import { describe, expect, it } from "vitest";
import { createRng } from "../../src/llm/rng.ts";
import {
  type ProjectionsAnalysis,
  type ProjectionsDerived,
  plannedMonthlyBurn,
  stage5Plan,
  stage16,
} from "../../src/stages/stage-16.ts";
import { upstream } from "../../src/stages/types.ts";
import {
  artifactAt,
  contextAt,
  expectContract,
  expectValidOffline,
  oddContext,
  sample,
  strongest,
  ventureVariants,
  weakest,
} from "./fixtures-10-17.ts";
import { contextFor, sampleVentures } from "./helpers.ts";

/**
 * now: 6 months, costs 60k+6k+24k+6k = 96k, revenue 24k → −72k (burn 12k/month);
 * next: 6 months, costs 60k+12k+18k+6k = 96k, revenue 48k → −48k (burn 8k/month).
 */
function knownProjections(): ProjectionsAnalysis {
  return {
    phases: [
      {
        phaseName: "now",
        durationMonths: 6,
        costs: { personnel: 60_000, infrastructure: 6_000, marketing: 24_000, other: 6_000 },
        revenue: { projected: 24_000, pricingModel: "subscription" },
      },
      {
        phaseName: "next",
        durationMonths: 6,
        costs: { personnel: 60_000, infrastructure: 12_000, marketing: 18_000, other: 6_000 },
        revenue: { projected: 48_000, pricingModel: "subscription" },
      },
    ],
    startingCash: 100_000,
  };
}

/** Stage 5 plan: year 1 revenue 120k, costs 240k (burn 10k/month), year 2 costs 300k vs 240k; gross margin 80%. */
const stage5 = (grossMargin: unknown = 0.8) =>
  contextFor(strongest, {
    financial_model: {
      stage: 5,
      version: 1,
      content: {
        projections: { revenue: [120_000, 240_000, 480_000], costs: [240_000, 300_000, 360_000] },
        unitEconomics: { grossMargin },
      },
      qualityScore: null,
    },
  });

type Projections = ProjectionsAnalysis & ProjectionsDerived;

describe("stage 16 — financial projections", () => {
  it("the offline analysis of every sample venture satisfies the artifact schema once derived", () => {
    for (const venture of [...sampleVentures, ...ventureVariants(6)]) {
      const parsed = stage16.artifactSchema.safeParse(artifactAt(stage16, venture));
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      const projections = parsed.data as Projections;
      expect(projections.phases.map((p) => p.phaseName)).toEqual(
        ["now", "next", "later"].filter((n) => projections.phases.some((p) => p.phaseName === n)),
      );
      expect(stage16.qualityScore(projections, contextAt(stage16, venture))).toBeLessThanOrEqual(100);
    }
  });

  it("derives the P&L, the end cash balance and every kind of viability warning", () => {
    const analysis = knownProjections();
    const derived = stage16.computeDerived(analysis, stage5());
    expect(derived.pnl).toEqual({
      revenue: 72_000,
      cogs: 18_000,
      grossProfit: 54_000,
      grossMargin: 0.75,
      opex: { rnd: 120_000, sm: 42_000, ga: 12_000, total: 174_000 },
      ebitda: -120_000,
      netIncome: -120_000,
    });
    // 100k + (24k − 96k) + (48k − 96k)
    expect(derived.cashBalanceEnd).toBe(-20_000);
    expect(derived.viabilityWarnings.map(({ message: _, ...w }) => w)).toEqual([
      // After "now": 28k left, 2.33 months of a 12k burn.
      { kind: "runway", phaseName: "now", value: 2.33, threshold: 3 },
      // 12k a month against Stage 5's planned 10k (+10% tolerance).
      { kind: "burn_above_plan", phaseName: "now", value: 12_000, threshold: 10_000 },
      // After "next": −20k, cash is out.
      { kind: "runway", phaseName: "next", value: 0, threshold: 3 },
      { kind: "margin_below_stage5", phaseName: null, value: 0.75, threshold: 0.8 },
    ]);
    expect(stage16.artifactSchema.safeParse({ ...analysis, ...derived }).success).toBe(true);
  });

  it("gives no warnings to a funded plan within Stage 5's burn and margin", () => {
    const analysis = { ...knownProjections(), startingCash: 200_000 };
    const derived = stage16.computeDerived(analysis, stage5(0.75));
    // "now" burns 12k against a 10k plan: the only warning left.
    expect(derived.viabilityWarnings.map((w) => w.kind)).toEqual(["burn_above_plan"]);
    // Gross margin read from a percentage.
    expect(stage16.computeDerived(analysis, stage5(75)).viabilityWarnings.map((w) => w.kind)).toEqual([
      "burn_above_plan",
    ]);
    // Without a Stage 5 plan there is nothing to compare burn or margin with.
    expect(stage16.computeDerived(analysis, contextFor(strongest, {})).viabilityWarnings).toEqual([]);
  });

  it("spreads Stage 5's yearly plan over the months of a phase", () => {
    const plan = stage5Plan(stage5());
    expect(plannedMonthlyBurn(plan, 0, 6)).toBe(10_000);
    // Months 6-11 at 10k, months 12-17 at (300k − 240k)/12 = 5k.
    expect(plannedMonthlyBurn(plan, 6, 12)).toBe(7_500);
    // Past year 3 the last year holds.
    expect(plannedMonthlyBurn(plan, 48, 12)).toBeCloseTo(-10_000);
    expect(plannedMonthlyBurn(stage5Plan(contextFor(strongest, {})), 0, 6)).toBeNull();
  });

  it("spreads across the promotion gate's bands: strong ventures clean, weak ones out of cash", () => {
    const strong = artifactAt(stage16, strongest) as Projections;
    expect(strong.viabilityWarnings).toEqual([]);
    expect(strong.cashBalanceEnd).toBeGreaterThan(0);
    const weak = artifactAt(stage16, weakest) as Projections;
    expect(weak.cashBalanceEnd).toBeLessThan(0);
    expect(weak.viabilityWarnings.map((w) => w.kind)).toContain("runway");
    const outcomes = [...sampleVentures, ...ventureVariants(12)].map((v) => {
      const p = artifactAt(stage16, v) as Projections;
      return p.cashBalanceEnd < 0 ? "out_of_cash" : p.viabilityWarnings.length ? "warned" : "clean";
    });
    expect(new Set(outcomes)).toEqual(new Set(["out_of_cash", "warned", "clean"]));
  });

  it("books the Stage 15 mitigation costs into the phases", () => {
    const ctx = contextAt(stage16, strongest);
    const register = upstream<{ budgetCoherence: { totalMitigationCost: number } }>(ctx, "risk_register");
    const mitigation = register.budgetCoherence.totalMitigationCost;
    const projections = artifactAt(stage16, strongest) as Projections;
    expect(projections.pnl.opex.ga).toBeGreaterThanOrEqual(mitigation - 100 * projections.phases.length);
  });

  it("rejects zero-length phases, unknown pricing models, missing cost lines, negative cash and no phases", () => {
    const good = knownProjections();
    const phase = good.phases[0] as ProjectionsAnalysis["phases"][number];
    const ok = (patch: Partial<ProjectionsAnalysis>) => stage16.analysisSchema.safeParse({ ...good, ...patch }).success;
    expect(ok({})).toBe(true);
    expect(ok({ phases: [{ ...phase, durationMonths: 0 }] })).toBe(false);
    expect(ok({ phases: [{ ...phase, revenue: { projected: 1, pricingModel: "rental" as never } }] })).toBe(false);
    const { marketing: _, ...noMarketing } = phase.costs;
    expect(ok({ phases: [{ ...phase, costs: noMarketing as never }] })).toBe(false);
    expect(ok({ startingCash: -1 })).toBe(false);
    expect(ok({ phases: [] })).toBe(false);
  });

  it("simulates without upstream artifacts", () => {
    const ctx = contextFor(sample(2), {});
    const analysis = stage16.simulate(ctx, createRng(2));
    expect(analysis.phases.map((p) => p.phaseName)).toEqual(["now", "next", "later"]);
    expect(stage16.artifactSchema.safeParse({ ...analysis, ...stage16.computeDerived(analysis, ctx) }).success).toBe(
      true,
    );
  });

  it("copes with missing and oddly shaped upstream artifacts", () => {
    for (const venture of sampleVentures) {
      expectValidOffline(stage16, contextFor(venture, {}));
      expectValidOffline(stage16, oddContext(stage16, venture));
    }
  });

  it("declares the migration's contract and prompts with exactly its artifacts", () => {
    expectContract(stage16);
    expect(stage16.prompt(contextAt(stage16, strongest)).user).toContain("startingCash");
  });
});
