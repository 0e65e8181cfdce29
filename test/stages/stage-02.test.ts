import { describe, expect, it } from "vitest";
import { createRng } from "../../src/llm/rng.ts";
import { compositeScore, stage02 } from "../../src/stages/stage-02.ts";
import { contextFor, sampleVentures } from "./helpers.ts";

describe("stage 2 — idea validation", () => {
  it("the offline analysis of every sample venture satisfies the artifact schema once derived", () => {
    for (const venture of sampleVentures) {
      const ctx = contextFor(venture, {});
      const analysis = stage02.simulate(ctx, createRng(1));
      const artifact = { ...analysis, ...stage02.computeDerived(analysis, ctx) };
      expect(stage02.artifactSchema.safeParse(artifact).success).toBe(true);
    }
  });

  it("gives different ventures different scores, the same venture the same ones", () => {
    const scores = sampleVentures.map((v) => {
      const ctx = contextFor(v, {});
      return compositeScore(stage02.simulate(ctx, createRng(7)).metrics);
    });
    expect(new Set(scores).size).toBeGreaterThan(1);
    const again = compositeScore(stage02.simulate(contextFor(sampleVentures[0]!, {}), createRng(7)).metrics);
    expect(again).toBe(scores[0]);
  });

  it("derives the composite score as the average of the six metrics", () => {
    expect(
      compositeScore({
        marketFit: 80,
        customerNeed: 70,
        momentum: 65,
        revenuePotential: 72,
        competitiveBarrier: 41,
        executionFeasibility: 90,
      }),
    ).toBe(69.7);
  });

  it("rejects out-of-range scores, a missing perspective and an unknown suggestion type", () => {
    const ctx = contextFor(sampleVentures[0]!, {});
    const good = stage02.simulate(ctx, createRng(3));
    expect(stage02.analysisSchema.safeParse({ ...good, metrics: { ...good.metrics, momentum: 101 } }).success).toBe(
      false,
    );
    expect(stage02.analysisSchema.safeParse({ ...good, metrics: { ...good.metrics, momentum: 55.5 } }).success).toBe(
      false,
    );
    const { tactical: _, ...twoPerspectives } = good.analysis;
    expect(stage02.analysisSchema.safeParse({ ...good, analysis: twoPerspectives }).success).toBe(false);
    expect(
      stage02.analysisSchema.safeParse({ ...good, suggestions: [{ type: "someday", text: "later" }] }).success,
    ).toBe(false);
  });

  it("builds its prompt from the venture's Stage 1 idea only", () => {
    const venture = sampleVentures[0]!;
    const prompt = stage02.prompt(contextFor(venture, {}));
    expect(prompt.user).toContain(venture.problemStatement);
    expect(prompt.user).toContain("marketFit");
    expect(prompt.user).not.toContain("Upstream artifacts");
  });
});
