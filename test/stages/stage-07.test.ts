import { describe, expect, it } from "vitest";
import { createRng } from "../../src/llm/rng.ts";
import { type PricingAnalysis, positionInRange, stage07 } from "../../src/stages/stage-07.ts";
import {
  artifactHeading,
  contentOf,
  contextAt,
  misshapenArtifacts,
  OUTSIDER_MARKER,
  overfullContext,
  sample,
  upstreamArtifacts,
} from "./fixtures-03-09.ts";
import { contextFor, sampleVentures } from "./helpers.ts";

describe("stage 7 — revenue architecture", () => {
  it("the offline analysis of every sample venture satisfies the artifact schema once derived", () => {
    for (const venture of sampleVentures) {
      const ctx = contextAt(stage07, venture);
      const analysis = stage07.simulate(ctx, createRng(1));
      const artifact = { ...analysis, ...stage07.computeDerived(analysis, ctx) };
      expect(stage07.artifactSchema.safeParse(artifact).success).toBe(true);
      const quality = stage07.qualityScore(artifact, ctx);
      expect(quality).toBeGreaterThanOrEqual(0);
      expect(quality).toBeLessThanOrEqual(100);
    }
  });

  it("anchors the price on Stage 5's revenue per customer and compares it with Stage 4's competitors", () => {
    const venture = sample(0);
    const all = upstreamArtifacts(venture, 8);
    const pricing = contentOf(all, "pricing_model") as PricingAnalysis;
    const financial = contentOf(all, "financial_model") as {
      assumptions: { revenuePerCustomerMonthly: number; currency: string; pricingModel: string };
    };
    const competitors = (contentOf(all, "competitive_analysis") as { competitors: { name: string }[] }).competitors;
    expect(pricing.priceAnchor).toEqual({
      amount: financial.assumptions.revenuePerCustomerMonthly,
      currency: financial.assumptions.currency,
      period: "month",
    });
    expect(pricing.pricingModel).toBe(financial.assumptions.pricingModel);
    expect(pricing.competitiveContext.comparedCompetitors).toEqual(competitors.map((c) => c.name));
    expect(pricing.revenueStreams.reduce((s, r) => s + r.sharePct, 0)).toBe(100);
  });

  it("survives missing and malformed upstream artifacts", () => {
    const venture = sample(2);
    for (const ctx of [contextFor(venture, {}), misshapenArtifacts(stage07, venture)]) {
      const analysis = stage07.simulate(ctx, createRng(2));
      expect(stage07.artifactSchema.safeParse({ ...analysis, ...stage07.computeDerived(analysis, ctx) }).success).toBe(
        true,
      );
      expect(analysis.competitiveContext.marketPriceRange).toBeNull();
    }
  });

  it("derives nothing; its helper places a price in the market band by thirds", () => {
    const ctx = contextAt(stage07, sample(1));
    expect(stage07.computeDerived(stage07.simulate(ctx, createRng(1)), ctx)).toEqual({});
    const band = { low: 30, high: 60 };
    expect(positionInRange(35, band)).toBe("below_market");
    expect(positionInRange(45, band)).toBe("at_market");
    expect(positionInRange(55, band)).toBe("above_market");
    expect(positionInRange(20, { low: 30, high: 30 })).toBe("below_market");
  });

  it("rejects an unknown pricing model or stream type, shares not summing to 100, a negative price and a missing anchor", () => {
    const ctx = contextAt(stage07, sample(0));
    const good = stage07.simulate(ctx, createRng(3));
    expect(stage07.analysisSchema.safeParse(good).success).toBe(true);
    expect(stage07.analysisSchema.safeParse({ ...good, pricingModel: "barter" }).success).toBe(false);
    const [first, second] = good.revenueStreams as [
      PricingAnalysis["revenueStreams"][number],
      PricingAnalysis["revenueStreams"][number],
    ];
    expect(
      stage07.analysisSchema.safeParse({ ...good, revenueStreams: [{ ...first, type: "gifts" }, second] }).success,
    ).toBe(false);
    expect(
      stage07.analysisSchema.safeParse({
        ...good,
        revenueStreams: [
          { ...first, sharePct: 50 },
          { ...second, sharePct: 20 },
        ],
      }).success,
    ).toBe(false);
    expect(
      stage07.analysisSchema.safeParse({ ...good, pricingTiers: [{ ...good.pricingTiers[0], price: -1 }] }).success,
    ).toBe(false);
    expect(
      stage07.analysisSchema.safeParse({
        ...good,
        positioningDecision: { ...good.positioningDecision, strategy: "luxury" },
      }).success,
    ).toBe(false);
    const { priceAnchor: _, ...noAnchor } = good;
    expect(stage07.analysisSchema.safeParse(noAnchor).success).toBe(false);
  });

  it("prompts with Stages 4-6, never with artifacts outside its contract", () => {
    const venture = sample(3);
    const prompt = stage07.prompt(overfullContext(stage07, venture));
    expect(prompt.user).toContain(artifactHeading(4, "competitive_analysis"));
    expect(prompt.user).toContain(artifactHeading(5, "financial_model"));
    expect(prompt.user).toContain(artifactHeading(6, "risk_matrix"));
    expect(prompt.user).toContain("primaryValueMetric");
    expect(prompt.user).not.toContain(artifactHeading(2, "idea_validation"));
    expect(prompt.user).not.toContain(artifactHeading(3, "validation_scorecard"));
    expect(prompt.user).not.toContain(OUTSIDER_MARKER);
  });
});
