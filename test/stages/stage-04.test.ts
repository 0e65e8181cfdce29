import { describe, expect, it } from "vitest";
import { createRng } from "../../src/llm/rng.ts";
import { dominantModel, marketCurrency, stage04 } from "../../src/stages/stage-04.ts";
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

describe("stage 4 — competitive intel", () => {
  it("the offline analysis of every sample venture satisfies the artifact schema once derived", () => {
    for (const venture of sampleVentures) {
      const ctx = contextAt(stage04, venture);
      const analysis = stage04.simulate(ctx, createRng(1));
      const artifact = { ...analysis, ...stage04.computeDerived(analysis, ctx) };
      expect(stage04.artifactSchema.safeParse(artifact).success).toBe(true);
      const quality = stage04.qualityScore(artifact, ctx);
      expect(quality).toBeGreaterThanOrEqual(0);
      expect(quality).toBeLessThanOrEqual(100);
    }
  });

  it("builds on Stage 3's competitor entities and hands Stage 5 a price band in the market's currency", () => {
    const venture = sample(0); // EU market
    const all = upstreamArtifacts(venture, 5);
    const entities = (contentOf(all, "validation_scorecard") as { competitorEntities: { name: string }[] })
      .competitorEntities;
    const analysis = contentOf(all, "competitive_analysis") as ReturnType<typeof stage04.simulate>;
    expect(analysis.competitors.map((c) => c.name)).toEqual(entities.map((e) => e.name));
    expect(analysis.stage5Handoff.pricingLandscape.priceRange.currency).toBe("EUR");
  });

  it("answers with a blue-ocean analysis when Stage 3 named no competitors, and survives malformed input", () => {
    const venture = sample(2);
    for (const ctx of [contextFor(venture, {}), misshapenArtifacts(stage04, venture)]) {
      const analysis = stage04.simulate(ctx, createRng(2));
      expect(analysis.competitors.length).toBeLessThan(3);
      expect(analysis.blueOceanAnalysis).toBeDefined();
      expect(stage04.artifactSchema.safeParse({ ...analysis, ...stage04.computeDerived(analysis, ctx) }).success).toBe(
        true,
      );
    }
  });

  it("derives nothing, and its helpers pick the dominant model and the market's currency", () => {
    const ctx = contextAt(stage04, sample(0));
    expect(stage04.computeDerived(stage04.simulate(ctx, createRng(1)), ctx)).toEqual({});
    expect(dominantModel(["freemium", "subscription", "subscription", "one_time"])).toBe("subscription");
    expect(dominantModel(["hybrid", "one_time"])).toBe("hybrid");
    expect(marketCurrency("Street and farmers' market traders in UK cities")).toBe("GBP");
    expect(marketCurrency("Small business owners in Germany")).toBe("EUR");
    expect(marketCurrency("University labs and cubesat startups")).toBe("USD");
  });

  it("rejects an unknown pricing model, fewer than three competitors without a blue ocean, a missing handoff and an inverted price band", () => {
    const ctx = contextAt(stage04, sample(0));
    const good = stage04.simulate(ctx, createRng(3));
    expect(stage04.analysisSchema.safeParse(good).success).toBe(true);
    const [first, second] = good.competitors;
    expect(
      stage04.analysisSchema.safeParse({ ...good, competitors: [{ ...first, pricingModel: "pay_what_you_want" }] })
        .success,
    ).toBe(false);
    expect(stage04.analysisSchema.safeParse({ ...good, competitors: [first, second] }).success).toBe(false);
    expect(
      stage04.analysisSchema.safeParse({
        ...good,
        competitors: [first, second],
        blueOceanAnalysis: { uncontestedSpace: "x", eliminate: [], reduce: [], raise: [], create: ["y"] },
      }).success,
    ).toBe(true);
    const { stage5Handoff: _, ...noHandoff } = good;
    expect(stage04.analysisSchema.safeParse(noHandoff).success).toBe(false);
    const landscape = good.stage5Handoff.pricingLandscape;
    expect(
      stage04.analysisSchema.safeParse({
        ...good,
        stage5Handoff: {
          ...good.stage5Handoff,
          pricingLandscape: { ...landscape, priceRange: { ...landscape.priceRange, low: 500, high: 100 } },
        },
      }).success,
    ).toBe(false);
  });

  it("prompts with Stage 1 and Stage 3's entities, never with artifacts outside its contract", () => {
    const venture = sample(3);
    const ctx = overfullContext(stage04, venture);
    const prompt = stage04.prompt(ctx);
    expect(prompt.user).toContain(venture.targetMarket);
    expect(prompt.user).toContain(artifactHeading(3, "validation_scorecard"));
    expect(prompt.user).toContain("stage5Handoff");
    expect(prompt.user).not.toContain(artifactHeading(2, "idea_validation"));
    expect(prompt.user).not.toContain(OUTSIDER_MARKER);
  });
});
