import { describe, expect, it } from "vitest";
import { createRng } from "../../src/llm/rng.ts";
import {
  derivedBreakEvenMonth,
  derivedRoi3y,
  type FinancialAnalysis,
  ltvCacRatio,
  monthlyPath,
  projectMonthly,
  stage05,
  statedPrice,
} from "../../src/stages/stage-05.ts";
import {
  artifactHeading,
  contentOf,
  contextAt,
  misshapenArtifacts,
  OUTSIDER_MARKER,
  overfullContext,
  sample,
  upstreamArtifacts,
  ventureVariants,
} from "./fixtures-03-09.ts";
import { contextFor, sampleVentures } from "./helpers.ts";

type FinancialArtifact = FinancialAnalysis & ReturnType<typeof stage05.computeDerived>;

/** The kill gate's bands (spec §8.1), split by what decides them, to check the offline analyst spreads over them. */
function band(a: FinancialArtifact): string {
  const { roi3y, breakEvenMonth } = a.projections;
  const { ltvCacRatio: ratio, paybackMonths } = a.unitEconomics;
  if (breakEvenMonth === null) return "kill: no break-even";
  if (breakEvenMonth > 24) return "kill: late break-even";
  if (roi3y < 0.15) return "kill: low roi";
  if (roi3y < 0.25) return ratio >= 3 && paybackMonths <= 12 ? "conditional: strong" : "conditional: weak";
  return ratio >= 2 && paybackMonths <= 18 ? "pass" : "roi met, supplements weak";
}

describe("stage 5 — profitability (kill gate)", () => {
  it("the offline analysis of every sample venture satisfies the artifact schema once derived", () => {
    for (const venture of sampleVentures) {
      const ctx = contextAt(stage05, venture);
      const analysis = stage05.simulate(ctx, createRng(1));
      const artifact = { ...analysis, ...stage05.computeDerived(analysis, ctx) };
      expect(stage05.artifactSchema.safeParse(artifact).success).toBe(true);
      const quality = stage05.qualityScore(artifact, ctx);
      expect(quality).toBeGreaterThanOrEqual(0);
      expect(quality).toBeLessThanOrEqual(100);
    }
  });

  it("spreads ventures over pass, the 15-25% band with strong and weak supplements, and kill", () => {
    const bands = new Set(
      ventureVariants(150).map((v) => band(contentOf(upstreamArtifacts(v, 6), "financial_model") as FinancialArtifact)),
    );
    for (const b of ["pass", "conditional: strong", "conditional: weak", "kill: low roi", "kill: late break-even"]) {
      expect(bands).toContain(b);
    }
    expect(bands).toContain("kill: no break-even");
  });

  it("keeps its projections internally consistent: roi3y from the annual totals", () => {
    for (const venture of sampleVentures) {
      const a = contentOf(upstreamArtifacts(venture, 6), "financial_model") as FinancialArtifact;
      const revenue = a.projections.revenue.reduce((s, x) => s + x, 0);
      const costs = a.projections.costs.reduce((s, x) => s + x, 0);
      expect(a.projections.roi3y).toBeCloseTo((revenue - costs) / costs, 2);
    }
  });

  it("prices at the founder's stated price and in Stage 4's currency", () => {
    const venture = sample(0); // "Firms pay 49 EUR a month"
    const a = contentOf(upstreamArtifacts(venture, 6), "financial_model") as FinancialArtifact;
    expect(a.assumptions.currency).toBe("EUR");
    expect(a.assumptions.revenuePerCustomerMonthly).toBe(49);
    expect(statedPrice(["Firms pay 49 EUR a month"])).toEqual({ amount: 49, currency: "EUR", period: "month" });
    expect(statedPrice(["Buyers spend $1,200 per year"])).toEqual({ amount: 1200, currency: "USD", period: "year" });
    expect(statedPrice(["Readers pay 4,50 euros monthly"])).toEqual({ amount: 4.5, currency: "EUR", period: "month" });
    expect(statedPrice(["Annual licence of £900 annually"])).toEqual({ amount: 900, currency: "GBP", period: "year" });
    expect(statedPrice(["Traders accept a 10% fee"])).toBeNull();
  });

  it("survives missing and malformed upstream artifacts", () => {
    const venture = sample(3);
    for (const ctx of [contextFor(venture, {}), misshapenArtifacts(stage05, venture)]) {
      const analysis = stage05.simulate(ctx, createRng(2));
      expect(stage05.artifactSchema.safeParse({ ...analysis, ...stage05.computeDerived(analysis, ctx) }).success).toBe(
        true,
      );
      expect(analysis.stage4Context.priceRange).toBeNull();
    }
  });

  it("derives the LTV:CAC ratio from ltv and cac", () => {
    const ctx = contextAt(stage05, sample(0));
    const good = stage05.simulate(ctx, createRng(4));
    const derived = stage05.computeDerived(
      { ...good, unitEconomics: { ...good.unitEconomics, ltv: 1000, cac: 300 } },
      ctx,
    );
    expect(derived.unitEconomics.ltvCacRatio).toBe(3.33);
    expect(derived.unitEconomics.ltv).toBe(1000);
    expect(ltvCacRatio(1200, 400)).toBe(3);
    expect(ltvCacRatio(0, 250)).toBe(0);
  });

  it("derives roi3y and breakEvenMonth from the projections; a model's contradicting figures are replaced and noted", () => {
    const ctx = contextAt(stage05, sample(0));
    const good = stage05.simulate(ctx, createRng(4));
    // The offline analyst states what EVA derives: nothing to correct.
    expect(stage05.computeDerived(good, ctx).corrections).toEqual([]);
    // A model claiming 80% ROI and break-even in month 6 on projections that lose money over three years:
    // year-3 revenue grows 1.5^(1/12) a month from 20,622 and first covers the 33,333 monthly costs in month 40.
    const claimed: FinancialAnalysis = {
      ...good,
      projections: {
        revenue: [100_000, 200_000, 300_000],
        costs: [400_000, 400_000, 400_000],
        roi3y: 0.8,
        breakEvenMonth: 6,
      },
    };
    const derived = stage05.computeDerived(claimed, ctx);
    expect(derived.projections).toEqual({ ...claimed.projections, roi3y: -0.5, breakEvenMonth: 40 });
    expect(derived.corrections).toEqual([
      { field: "projections.roi3y", stated: 0.8, derived: -0.5, rule: expect.stringContaining("Σ revenue − Σ costs") },
      { field: "projections.breakEvenMonth", stated: 6, derived: 40, rule: expect.stringContaining("first month") },
    ]);
    // The artifact as stored carries the derived figures and the note, and the kill gate reads the derived ones.
    const artifact = { ...claimed, ...derived };
    expect(stage05.artifactSchema.safeParse(artifact).success).toBe(true);
    expect(stage05.qualityScore(artifact, ctx)).toBeLessThan(
      stage05.qualityScore({ ...good, ...stage05.computeDerived(good, ctx) }, ctx),
    );
    // Within rounding (0.005) and the same month: no correction, the derived value stored.
    const close = stage05.computeDerived(
      { ...claimed, projections: { ...claimed.projections, roi3y: -0.503, breakEvenMonth: 40 } },
      ctx,
    );
    expect(close.corrections).toEqual([]);
    expect(close.projections.roi3y).toBe(-0.5);
    // No break-even within five years: null, and a stated month is corrected to null.
    const never = stage05.computeDerived(
      { ...claimed, projections: { ...claimed.projections, revenue: [1000, 1000, 1000] } },
      ctx,
    );
    expect(never.projections.breakEvenMonth).toBeNull();
    expect(never.corrections.map((c) => [c.field, c.derived])).toContainEqual(["projections.breakEvenMonth", null]);
  });

  it("spreads each year's total over its months at the rate to the next year", () => {
    const flat = monthlyPath([12_000, 12_000, 12_000]);
    expect(flat).toHaveLength(60);
    for (const m of flat) expect(m).toBeCloseTo(1000, 6);
    const growing = monthlyPath([12_000, 24_000, 48_000]);
    for (const y of [0, 1, 2])
      expect(growing.slice(12 * y, 12 * y + 12).reduce((s, x) => s + x, 0)).toBeCloseTo(12_000 * 2 ** y, 4);
    expect((growing[13] ?? 0) / (growing[12] ?? 1)).toBeCloseTo(2 ** (1 / 12), 10);
    expect(derivedRoi3y([12_000, 12_000, 12_000], [6_000, 6_000, 6_000])).toBe(1);
    expect(derivedBreakEvenMonth([12_000, 12_000, 12_000], [6_000, 6_000, 6_000])).toBe(1);
    expect(derivedBreakEvenMonth([0, 0, 0], [6_000, 6_000, 6_000])).toBeNull();
  });

  it("models break-even and ROI from monthly figures", () => {
    // 1,000 a month at 50% margin, no operating costs: costs are 500 a month, break-even at once, ROI 100%.
    const flat = projectMonthly({ startRevenue: 1000, revenueGrowth: 0, startOpex: 0, grossMargin: 0.5 });
    expect(flat.revenue).toEqual([12000, 12000, 12000]);
    expect(flat.costs).toEqual([6000, 6000, 6000]);
    expect(flat.breakEvenMonth).toBe(1);
    expect(flat.roi3y).toBe(1);
    const none = projectMonthly({ startRevenue: 0, revenueGrowth: 0.1, startOpex: 100, grossMargin: 0.5 });
    expect(none.breakEvenMonth).toBeNull();
    expect(none.roi3y).toBe(-1);
  });

  it("rejects a wrong pricing model, a missing projection year, a non-integer break-even and a churn above 100%", () => {
    const ctx = contextAt(stage05, sample(0));
    const good = stage05.simulate(ctx, createRng(3));
    expect(stage05.analysisSchema.safeParse(good).success).toBe(true);
    expect(
      stage05.analysisSchema.safeParse({ ...good, assumptions: { ...good.assumptions, pricingModel: "donations" } })
        .success,
    ).toBe(false);
    expect(
      stage05.analysisSchema.safeParse({ ...good, projections: { ...good.projections, revenue: [1, 2] } }).success,
    ).toBe(false);
    expect(
      stage05.analysisSchema.safeParse({ ...good, projections: { ...good.projections, breakEvenMonth: 12.5 } }).success,
    ).toBe(false);
    expect(
      stage05.analysisSchema.safeParse({ ...good, unitEconomics: { ...good.unitEconomics, churnRate: 1.2 } }).success,
    ).toBe(false);
    expect(
      stage05.analysisSchema.safeParse({ ...good, scenarioAnalysis: { ...good.scenarioAnalysis, robustness: "solid" } })
        .success,
    ).toBe(false);
    const { remediationRoute: _, ...noRoute } = good;
    expect(stage05.analysisSchema.safeParse(noRoute).success).toBe(false);
  });

  it("prompts with Stages 3 and 4, never with artifacts outside its contract", () => {
    const venture = sample(2);
    const prompt = stage05.prompt(overfullContext(stage05, venture));
    expect(prompt.user).toContain(artifactHeading(3, "validation_scorecard"));
    expect(prompt.user).toContain(artifactHeading(4, "competitive_analysis"));
    expect(prompt.user).toContain("roi3y");
    expect(prompt.user).toContain("breakEvenMonth");
    expect(prompt.user).not.toContain(artifactHeading(2, "idea_validation"));
    expect(prompt.user).not.toContain(OUTSIDER_MARKER);
  });
});
