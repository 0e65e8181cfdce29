import { describe, expect, it } from "vitest";
import { createRng } from "../../src/llm/rng.ts";
import { archetype } from "../../src/stages/enums.ts";
import { METRICS } from "../../src/stages/stage-02.ts";
import {
  ARCHETYPE_WEIGHTS,
  fuseMetric,
  overallScore,
  rollups,
  stage03,
  type ValidationAnalysis,
} from "../../src/stages/stage-03.ts";
import {
  artifactHeading,
  contentOf,
  contextAt,
  ideaBrief,
  misshapenArtifacts,
  OUTSIDER_MARKER,
  overfullContext,
  sample,
  upstreamArtifacts,
  ventureVariants,
} from "./fixtures-03-09.ts";
import { contextFor, sampleVentures } from "./helpers.ts";

/** The kill gate's bands (spec §8.1), to check the offline analyst spreads over them. */
function band(artifact: { overallScore: number; metrics: Record<string, number> }): "pass" | "revise" | "kill" {
  const lowest = Math.min(...Object.values(artifact.metrics));
  if (artifact.overallScore >= 70 && lowest >= 50) return "pass";
  if (artifact.overallScore >= 50 && lowest >= 50) return "revise";
  return "kill";
}

const calibrations = (adjustments: number[]): ValidationAnalysis["calibrations"] =>
  Object.fromEntries(
    METRICS.map((m, i) => [m, { adjustment: adjustments[i] ?? 0, rationale: "test" }]),
  ) as ValidationAnalysis["calibrations"];

const stage2With = (metrics: number[]) => ({
  idea_brief: ideaBrief(sample(0)),
  idea_validation: {
    stage: 2,
    version: 1,
    qualityScore: null,
    content: { metrics: Object.fromEntries(METRICS.map((m, i) => [m, metrics[i]])) },
  },
});

describe("stage 3 — individual validation (kill gate)", () => {
  it("the offline analysis of every sample venture satisfies the artifact schema once derived", () => {
    for (const venture of sampleVentures) {
      const ctx = contextAt(stage03, venture);
      const analysis = stage03.simulate(ctx, createRng(1));
      expect(stage03.analysisSchema.safeParse(analysis).success).toBe(true);
      const artifact = { ...analysis, ...stage03.computeDerived(analysis, ctx) };
      expect(stage03.artifactSchema.safeParse(artifact).success).toBe(true);
      const quality = stage03.qualityScore(artifact, ctx);
      expect(quality).toBeGreaterThanOrEqual(0);
      expect(quality).toBeLessThanOrEqual(100);
    }
  });

  it("spreads ventures of different strength over pass, revise and kill", () => {
    const bands = ventureVariants(60).map((v) => {
      const content = contentOf(upstreamArtifacts(v, 4), "validation_scorecard") as Parameters<typeof band>[0];
      return band(content);
    });
    expect(bands).toContain("pass");
    expect(bands).toContain("revise");
    expect(bands).toContain("kill");
  });

  it("falls back to neutral pre-scores when Stage 2 is missing or malformed, without throwing", () => {
    const venture = sample(1);
    for (const ctx of [contextFor(venture, {}), misshapenArtifacts(stage03, venture)]) {
      const analysis = stage03.simulate(ctx, createRng(2));
      const derived = stage03.computeDerived(analysis, ctx);
      expect(stage03.artifactSchema.safeParse({ ...analysis, ...derived }).success).toBe(true);
      for (const m of METRICS) expect(derived.scoreBreakdown[m].preScore).toBe(50);
    }
  });

  it("fuses 50% pre-score and 50% AI score, capping the AI's pull at ±15 points", () => {
    const ctx = contextFor(sample(0), stage2With([80, 70, 65, 72, 41, 90])); // saas
    const analysis: ValidationAnalysis = {
      calibrations: calibrations([10, -40, 31, 0, 7, -7]),
      competitorEntities: [],
      confidenceScores: Object.fromEntries(METRICS.map((m) => [m, 0.5])) as ValidationAnalysis["confidenceScores"],
    };
    const derived = stage03.computeDerived(analysis, ctx);
    // +10 → +5; −40 → −20 capped to −15; +31 → +15.5 → +16 capped to +15; 0; +7 → +4; −7 → −4.
    expect(derived.metrics).toEqual({
      marketFit: 85,
      customerNeed: 55,
      momentum: 80,
      revenuePotential: 72,
      competitiveBarrier: 45,
      executionFeasibility: 86,
    });
    expect(derived.scoreBreakdown.customerNeed).toEqual({ preScore: 70, appliedCalibration: -15, final: 55 });
    // saas weights 20/20/15/20/10/15: (1700 + 1100 + 1200 + 1440 + 450 + 1290) / 100.
    expect(derived.overallScore).toBe(71.8);
    expect(derived.rollups).toEqual({ market: 73.3, technical: 65.5, financial: 72 });
    expect(derived.scoringWeights).toEqual(ARCHETYPE_WEIGHTS.saas);
  });

  it("keeps fused metrics within 0-100 and weights the same metrics differently per archetype", () => {
    expect(fuseMetric(95, 30)).toEqual({ appliedCalibration: 5, final: 100 });
    expect(fuseMetric(4, -30)).toEqual({ appliedCalibration: -4, final: 0 });
    const metrics = {
      marketFit: 60,
      customerNeed: 60,
      momentum: 90,
      revenuePotential: 60,
      competitiveBarrier: 60,
      executionFeasibility: 30,
    };
    // marketplace weighs momentum 25%, deeptech weighs execution 25%.
    expect(overallScore(metrics, "marketplace")).toBe(63);
    expect(overallScore(metrics, "deeptech")).toBe(55.5);
    expect(rollups(metrics)).toEqual({ market: 70, technical: 45, financial: 60 });
  });

  it("documents a weight row for every archetype, each summing to 100", () => {
    for (const a of archetype.options) {
      expect(Object.values(ARCHETYPE_WEIGHTS[a]).reduce((s, w) => s + w, 0)).toBe(100);
    }
  });

  it("rejects an unknown threat level, a missing calibration and out-of-range numbers", () => {
    const ctx = contextAt(stage03, sample(0));
    const good = stage03.simulate(ctx, createRng(3));
    expect(stage03.analysisSchema.safeParse(good).success).toBe(true);
    expect(
      stage03.analysisSchema.safeParse({
        ...good,
        competitorEntities: [{ name: "X", positioning: "Y", threatLevel: "severe" }],
      }).success,
    ).toBe(false);
    const { momentum: _, ...fiveCalibrations } = good.calibrations;
    expect(stage03.analysisSchema.safeParse({ ...good, calibrations: fiveCalibrations }).success).toBe(false);
    expect(
      stage03.analysisSchema.safeParse({
        ...good,
        confidenceScores: { ...good.confidenceScores, momentum: 1.5 },
      }).success,
    ).toBe(false);
    expect(
      stage03.analysisSchema.safeParse({
        ...good,
        calibrations: { ...good.calibrations, momentum: { adjustment: 4.5, rationale: "half points" } },
      }).success,
    ).toBe(false);
    const artifact = { ...good, ...stage03.computeDerived(good, ctx) };
    expect(
      stage03.artifactSchema.safeParse({ ...artifact, metrics: { ...artifact.metrics, marketFit: 101 } }).success,
    ).toBe(false);
  });

  it("prompts with Stage 1 and Stage 2 and the pre-scores, never with artifacts outside its contract", () => {
    const venture = sample(0);
    const ctx = overfullContext(stage03, venture);
    const prompt = stage03.prompt(ctx);
    expect(prompt.user).toContain(venture.problemStatement);
    expect(prompt.user).toContain(artifactHeading(2, "idea_validation"));
    expect(prompt.user).toContain("competitorEntities");
    expect(prompt.user).toContain("confidenceScores");
    const pre = (contentOf(ctx.artifacts, "idea_validation") as { metrics: Record<string, number> }).metrics;
    expect(prompt.user).toContain(`marketFit ${pre.marketFit}`);
    expect(prompt.user).not.toContain(OUTSIDER_MARKER);
  });
});
