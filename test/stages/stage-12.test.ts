import { describe, expect, it } from "vitest";
import { createRng } from "../../src/llm/rng.ts";
import { ventureProfile } from "../../src/stages/simulation.ts";
import { economyCheck, type PipelineAnalysis, stage12 } from "../../src/stages/stage-12.ts";
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

const funnel = {
  stages: [
    { name: "Awareness", count: 1000, conversionRateEstimate: 0.1 },
    { name: "Interest", count: 100, conversionRateEstimate: 0.3 },
    { name: "Decision", count: 30, conversionRateEstimate: 0.5 },
  ],
};

/** Values 10k/20k/30k at 0.5/0.25/0.1: total 60k, weighted 13k, average 20k. */
function knownPipeline(): PipelineAnalysis {
  return {
    deals: [
      { name: "Acme", value: 10_000, stage: "negotiation", probability: 0.5, mappedFunnelStage: "Decision" },
      { name: "Birch", value: 20_000, stage: "qualified", probability: 0.25, mappedFunnelStage: "Interest" },
      { name: "Cobalt", value: 30_000, stage: "prospecting", probability: 0.1, mappedFunnelStage: "Interest" },
    ],
    funnel,
  };
}

const withRevenue = (revenue: unknown) =>
  contextFor(strongest, {
    financial_model: { stage: 5, version: 1, content: { projections: { revenue } }, qualityScore: null },
  });

describe("stage 12 — pipeline viability", () => {
  it("the offline analysis of every sample venture satisfies the artifact schema once derived", () => {
    for (const venture of [...sampleVentures, ...ventureVariants(6)]) {
      const parsed = stage12.artifactSchema.safeParse(artifactAt(stage12, venture));
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      const pipeline = parsed.data as NonNullable<typeof parsed.data>;
      expect(pipeline.deals.length).toBeGreaterThanOrEqual(3);
      expect(pipeline.economyCheck.pipelineCoverageOfYear1Revenue).not.toBeNull();
      expect(stage12.qualityScore(pipeline, contextAt(stage12, venture))).toBeLessThanOrEqual(100);
    }
  });

  it("derives the Economy Check and the coverage of Stage 5's year-1 revenue", () => {
    const analysis = knownPipeline();
    const derived = stage12.computeDerived(analysis, withRevenue([52_000, 150_000, 400_000]));
    expect(derived.economyCheck).toEqual({
      totalPipelineValue: 60_000,
      weightedPipelineValue: 13_000,
      averageDealSize: 20_000,
      year1RevenueProjection: 52_000,
      pipelineCoverageOfYear1Revenue: 0.25,
    });
    expect(stage12.artifactSchema.safeParse({ ...analysis, ...derived }).success).toBe(true);
    // Other shapes of the Stage 5 series give the same year-1 figure.
    expect(stage12.computeDerived(analysis, withRevenue([{ year: 1, amount: 52_000 }])).economyCheck).toEqual(
      derived.economyCheck,
    );
    // No projection (or none above zero): nothing to cover.
    for (const ctx of [contextFor(strongest, {}), withRevenue([0, 10_000]), withRevenue("tbd")]) {
      const check = stage12.computeDerived(analysis, ctx).economyCheck;
      expect(check.year1RevenueProjection).toBeNull();
      expect(check.pipelineCoverageOfYear1Revenue).toBeNull();
      expect(check.weightedPipelineValue).toBe(13_000);
    }
    expect(economyCheck([], 1000)).toMatchObject({ totalPipelineValue: 0, averageDealSize: 0 });
  });

  it("spreads pipeline coverage across the reality gate's bands with the venture's strength", () => {
    const coverage = (v: typeof strongest) =>
      (artifactAt(stage12, v).economyCheck as { pipelineCoverageOfYear1Revenue: number })
        .pipelineCoverageOfYear1Revenue;
    expect(coverage(strongest)).toBeGreaterThanOrEqual(1);
    expect(coverage(weakest)).toBeLessThan(0.5);
    const ventures = [...sampleVentures, ...ventureVariants(12)];
    const all = ventures.map(coverage);
    expect(all.some((c) => c >= 1)).toBe(true);
    expect(all.some((c) => c >= 0.5 && c < 1)).toBe(true);
    expect(all.some((c) => c < 0.5)).toBe(true);
    // Stronger ventures cover more (rank correlation over the set).
    const pairs = ventures.map((v, i) => [ventureProfile(v).strength, all[i] as number] as const);
    const concordant = pairs.flatMap((a, i) => pairs.slice(i + 1).map((b) => Math.sign((a[0] - b[0]) * (a[1] - b[1]))));
    expect(concordant.reduce((s, x) => s + x, 0)).toBeGreaterThan(concordant.length * 0.5);
  });

  it("rejects out-of-range probabilities, unknown deal stages, unmapped deals and thin pipelines", () => {
    const good = knownPipeline();
    const ok = (deals: PipelineAnalysis["deals"]) => stage12.analysisSchema.safeParse({ ...good, deals }).success;
    expect(ok(good.deals)).toBe(true);
    expect(ok(good.deals.map((d, i) => (i ? d : { ...d, probability: 1.5 })))).toBe(false);
    expect(ok(good.deals.map((d, i) => (i ? d : { ...d, probability: 50 })))).toBe(false);
    expect(ok(good.deals.map((d, i) => (i ? d : { ...d, stage: "won" as never })))).toBe(false);
    expect(ok(good.deals.map((d, i) => (i ? d : { ...d, mappedFunnelStage: "Retention" })))).toBe(false);
    expect(ok(good.deals.slice(0, 2))).toBe(false);
    expect(stage12.analysisSchema.safeParse({ ...good, funnel: { stages: [{ name: "All", count: 5 }] } }).success).toBe(
      false,
    );
  });

  it("simulates without a financial model, falling back to its own revenue estimate", () => {
    const ctx = contextFor(sample(0), {});
    const analysis = stage12.simulate(ctx, createRng(4));
    const derived = stage12.computeDerived(analysis, ctx);
    expect(stage12.artifactSchema.safeParse({ ...analysis, ...derived }).success).toBe(true);
    expect(derived.economyCheck.weightedPipelineValue).toBeGreaterThan(0);
  });

  it("copes with missing and oddly shaped upstream artifacts", () => {
    for (const venture of sampleVentures) {
      expectValidOffline(stage12, contextFor(venture, {}));
      expectValidOffline(stage12, oddContext(stage12, venture));
    }
  });

  it("declares the migration's contract and prompts with exactly its artifacts", () => {
    expectContract(stage12);
    const { user } = stage12.prompt(contextAt(stage12, strongest));
    expect(user).toContain("mappedFunnelStage");
    expect(user).toContain("conversionRateEstimate");
  });
});
