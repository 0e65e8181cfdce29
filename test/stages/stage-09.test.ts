import { describe, expect, it } from "vitest";
import { createRng } from "../../src/llm/rng.ts";
import { addMonths, type ExitAnalysis, estimateRange, stage09 } from "../../src/stages/stage-09.ts";
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

describe("stage 9 — exit strategy (reality gate)", () => {
  it("the offline analysis of every sample venture satisfies the artifact schema once derived", () => {
    for (const venture of sampleVentures) {
      const ctx = contextAt(stage09, venture);
      const analysis = stage09.simulate(ctx, createRng(1));
      const artifact = { ...analysis, ...stage09.computeDerived(analysis, ctx) };
      expect(stage09.artifactSchema.safeParse(artifact).success).toBe(true);
      const quality = stage09.qualityScore(artifact, ctx);
      expect(quality).toBeGreaterThanOrEqual(0);
      expect(quality).toBeLessThanOrEqual(100);
    }
  });

  it("values the venture on Stage 5's third-year revenue in Stage 7's currency", () => {
    const venture = sample(0);
    const all = upstreamArtifacts(venture, 10);
    const exit = contentOf(all, "exit_strategy") as ExitAnalysis;
    const revenue = (contentOf(all, "financial_model") as { projections: { revenue: number[] } }).projections.revenue;
    const anchor = (contentOf(all, "pricing_model") as { priceAnchor: { currency: string } }).priceAnchor;
    expect(exit.valuationEstimate.revenueBase).toBe(Math.round(nth(revenue, 2)));
    expect(exit.valuationEstimate.currency).toBe(anchor.currency);
    expect(exit.valuationEstimate.method).toBe("revenue_multiple");
    // The status quo is not an acquirer.
    expect(exit.targetAcquirers.map((a) => a.name)).not.toContain("Spreadsheets and manual workflow");
  });

  it("survives missing and malformed upstream artifacts", () => {
    const venture = sample(3);
    for (const ctx of [contextFor(venture, {}), misshapenArtifacts(stage09, venture)]) {
      const analysis = stage09.simulate(ctx, createRng(2));
      expect(analysis.targetAcquirers.length).toBeGreaterThanOrEqual(3);
      expect(stage09.artifactSchema.safeParse({ ...analysis, ...stage09.computeDerived(analysis, ctx) }).success).toBe(
        true,
      );
    }
  });

  it("derives the estimated range as revenue base × each multiple", () => {
    const ctx = contextAt(stage09, sample(1));
    const good = stage09.simulate(ctx, createRng(4));
    const derived = stage09.computeDerived(
      {
        ...good,
        valuationEstimate: {
          method: "revenue_multiple",
          revenueBase: 2_000_000,
          currency: "USD",
          multipleLow: 2,
          multipleBase: 4.5,
          multipleHigh: 8,
        },
      },
      ctx,
    );
    expect(derived.valuationEstimate.estimatedRange).toEqual({ low: 4_000_000, base: 9_000_000, high: 16_000_000 });
    expect(derived.valuationEstimate.multipleBase).toBe(4.5);
    expect(
      estimateRange({
        method: "revenue_multiple",
        revenueBase: 333_333,
        currency: "EUR",
        multipleLow: 1.5,
        multipleBase: 3,
        multipleHigh: 4.25,
      }),
    ).toEqual({ low: 500_000, base: 999_999, high: 1_416_665 });
  });

  it("dates milestones from today and counts months across year ends", () => {
    expect(addMonths("2026-11-30", 3)).toBe("2027-02-28");
    expect(addMonths("2026-01-15", 12)).toBe("2027-01-15");
    const ctx = contextAt(stage09, sample(0));
    const today = new Date().toISOString().slice(0, 10);
    for (const m of stage09.simulate(ctx, createRng(1)).milestones) expect(m.date > today).toBe(true);
  });

  it("rejects an unknown exit or buyer type, too few acquirers, unordered multiples, over-100% paths and a short thesis", () => {
    const ctx = contextAt(stage09, sample(0));
    const good = stage09.simulate(ctx, createRng(3));
    expect(stage09.analysisSchema.safeParse(good).success).toBe(true);
    const path = nth(good.exitPaths, 0);
    const acquirer = nth(good.targetAcquirers, 0);
    expect(stage09.analysisSchema.safeParse({ ...good, exitPaths: [{ ...path, type: "spinoff" }] }).success).toBe(
      false,
    );
    expect(
      stage09.analysisSchema.safeParse({
        ...good,
        targetAcquirers: [{ ...acquirer, buyerType: "friend" }, ...good.targetAcquirers.slice(1)],
      }).success,
    ).toBe(false);
    expect(
      stage09.analysisSchema.safeParse({ ...good, targetAcquirers: good.targetAcquirers.slice(0, 2) }).success,
    ).toBe(false);
    expect(
      stage09.analysisSchema.safeParse({
        ...good,
        valuationEstimate: { ...good.valuationEstimate, multipleLow: 9, multipleBase: 5 },
      }).success,
    ).toBe(false);
    expect(
      stage09.analysisSchema.safeParse({
        ...good,
        exitPaths: [
          { ...path, probabilityPct: 70 },
          { ...path, type: "merger", probabilityPct: 40 },
        ],
      }).success,
    ).toBe(false);
    expect(stage09.analysisSchema.safeParse({ ...good, exitHorizonMonths: 121 }).success).toBe(false);
    expect(stage09.analysisSchema.safeParse({ ...good, exitThesis: "Sell it." }).success).toBe(false);
    expect(
      stage09.analysisSchema.safeParse({
        ...good,
        milestones: [{ ...good.milestones[0], date: "next spring" }],
      }).success,
    ).toBe(false);
  });

  it("prompts with Stages 1-8, never with artifacts outside its contract", () => {
    const venture = sample(1);
    const prompt = stage09.prompt(overfullContext(stage09, venture));
    for (const [stage, type] of [
      [2, "idea_validation"],
      [3, "validation_scorecard"],
      [4, "competitive_analysis"],
      [5, "financial_model"],
      [6, "risk_matrix"],
      [7, "pricing_model"],
      [8, "business_model_canvas"],
    ] as const) {
      expect(prompt.user).toContain(artifactHeading(stage, type));
    }
    expect(prompt.user).toContain("valuationEstimate");
    expect(prompt.user).not.toContain(OUTSIDER_MARKER);
  });
});
