import { describe, expect, it } from "vitest";
import { createRng } from "../../src/llm/rng.ts";
import { type RiskAnalysis, riskProfile, stage06 } from "../../src/stages/stage-06.ts";
import {
  artifactHeading,
  contentOf,
  contextAt,
  misshapenArtifacts,
  nth,
  OUTSIDER_MARKER,
  overfullContext,
  sample,
  upstreamArtifacts,
} from "./fixtures-03-09.ts";
import { contextFor, sampleVentures } from "./helpers.ts";

const risk = (probability: number, consequence: number): RiskAnalysis["risks"][number] => ({
  description: `p${probability} c${consequence}`,
  category: "market",
  probability,
  consequence,
  source: "stage3",
  mitigationStrategy: "test it",
});

describe("stage 6 — risk assessment", () => {
  it("the offline analysis of every sample venture satisfies the artifact schema once derived", () => {
    for (const venture of sampleVentures) {
      const ctx = contextAt(stage06, venture);
      const analysis = stage06.simulate(ctx, createRng(1));
      const artifact = { ...analysis, ...stage06.computeDerived(analysis, ctx) };
      expect(stage06.artifactSchema.safeParse(artifact).success).toBe(true);
      const quality = stage06.qualityScore(artifact, ctx);
      expect(quality).toBeGreaterThanOrEqual(0);
      expect(quality).toBeLessThanOrEqual(100);
    }
  });

  it("attributes risks to the stages whose data shows them, and weak ventures carry more high risks", () => {
    const profiles = sampleVentures.map((v) => {
      const a = contentOf(upstreamArtifacts(v, 7), "risk_matrix") as ReturnType<typeof stage06.computeDerived> &
        RiskAnalysis;
      return a;
    });
    const sources = new Set(profiles.flatMap((a) => a.risks.map((r) => r.source)));
    for (const s of ["stage1", "stage3", "stage4", "stage5"]) expect(sources).toContain(s);
    // StallSwap (the weakest sample) against Quillwise (the strongest).
    expect(nth(profiles, 2).averageRiskScore).toBeGreaterThan(nth(profiles, 3).averageRiskScore);
  });

  it("survives missing and malformed upstream artifacts with at least three risks", () => {
    const venture = sample(1);
    for (const ctx of [contextFor(venture, {}), misshapenArtifacts(stage06, venture)]) {
      const analysis = stage06.simulate(ctx, createRng(2));
      expect(analysis.risks.length).toBeGreaterThanOrEqual(3);
      expect(stage06.artifactSchema.safeParse({ ...analysis, ...stage06.computeDerived(analysis, ctx) }).success).toBe(
        true,
      );
    }
  });

  it("derives each risk score as probability × consequence and the aggregates", () => {
    const derived = riskProfile([risk(5, 4), risk(3, 5), risk(2, 2), risk(1, 3)]);
    expect(derived.risks.map((r) => r.riskScore)).toEqual([20, 15, 4, 3]);
    expect(derived.averageRiskScore).toBe(10.5);
    expect(derived.maxRiskScore).toBe(20);
    expect(derived.highRiskCount).toBe(2); // 20 and 15: the threshold is inclusive
    const ctx = contextAt(stage06, sample(0));
    expect(stage06.computeDerived({ risks: [risk(1, 1), risk(1, 2), risk(2, 2)] }, ctx)).toMatchObject({
      averageRiskScore: 2.3,
      maxRiskScore: 4,
      highRiskCount: 0,
    });
  });

  it("rejects fewer than three risks, an unknown source or category, and factors outside 1-5", () => {
    const good = { risks: [risk(1, 1), risk(2, 2), risk(3, 3)] };
    expect(stage06.analysisSchema.safeParse(good).success).toBe(true);
    expect(stage06.analysisSchema.safeParse({ risks: good.risks.slice(0, 2) }).success).toBe(false);
    expect(
      stage06.analysisSchema.safeParse({ risks: [...good.risks, { ...risk(1, 1), source: "stage7" }] }).success,
    ).toBe(false);
    expect(
      stage06.analysisSchema.safeParse({ risks: [...good.risks, { ...risk(1, 1), category: "weather" }] }).success,
    ).toBe(false);
    expect(stage06.analysisSchema.safeParse({ risks: [...good.risks, risk(6, 1)] }).success).toBe(false);
    expect(stage06.analysisSchema.safeParse({ risks: [...good.risks, risk(0, 1)] }).success).toBe(false);
    const { mitigationStrategy: _, ...unmitigated } = risk(2, 2);
    expect(stage06.analysisSchema.safeParse({ risks: [...good.risks, unmitigated] }).success).toBe(false);
  });

  it("prompts with Stages 1-5, never with artifacts outside its contract", () => {
    const venture = sample(0);
    const prompt = stage06.prompt(overfullContext(stage06, venture));
    for (const [stage, type] of [
      [2, "idea_validation"],
      [3, "validation_scorecard"],
      [4, "competitive_analysis"],
      [5, "financial_model"],
    ] as const) {
      expect(prompt.user).toContain(artifactHeading(stage, type));
    }
    expect(prompt.user).toContain(venture.problemStatement);
    expect(prompt.user).toContain("probability");
    expect(prompt.user).not.toContain(OUTSIDER_MARKER);
  });
});
