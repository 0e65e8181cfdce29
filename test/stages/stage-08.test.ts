import { describe, expect, it } from "vitest";
import { createRng } from "../../src/llm/rng.ts";
import {
  BLOCKS,
  type CanvasAnalysis,
  type CanvasItem,
  crossBlockWarnings,
  keywords,
  stage08,
} from "../../src/stages/stage-08.ts";
import {
  artifactHeading,
  contentOf,
  contextAt,
  misshapenArtifacts,
  OUTSIDER_MARKER,
  overfullContext,
  sample,
} from "./fixtures-03-09.ts";
import { contextFor, sampleVentures } from "./helpers.ts";

const item = (text: string): CanvasItem => ({ text, priority: "high", evidence: "Stage 1: test" });

/** A coherent canvas for small accounting firms. */
const canvas = (): CanvasAnalysis => ({
  keyPartners: [item("Open-banking data providers")],
  keyActivities: [item("Run the matching engine")],
  keyResources: [item("Matching data")],
  valuePropositions: [item("Automatic reconciliation for small accounting firms")],
  customerRelationships: [item("Self-service onboarding")],
  channels: [item("Direct outreach to accounting firms")],
  customerSegments: [item("Small accounting firms")],
  costStructure: [item("Engineering salaries")],
  revenueStreams: [item("Monthly plan paid by accounting firms")],
});

describe("stage 8 — business model canvas", () => {
  it("the offline analysis of every sample venture satisfies the artifact schema once derived, with a consistent canvas", () => {
    for (const venture of sampleVentures) {
      const ctx = contextAt(stage08, venture);
      const analysis = stage08.simulate(ctx, createRng(1));
      const artifact = { ...analysis, ...stage08.computeDerived(analysis, ctx) };
      expect(stage08.artifactSchema.safeParse(artifact).success).toBe(true);
      expect(artifact.crossBlockWarnings).toEqual([]);
      for (const block of BLOCKS) expect(artifact[block].length).toBeGreaterThan(0);
      const quality = stage08.qualityScore(artifact, ctx);
      expect(quality).toBeGreaterThanOrEqual(0);
      expect(quality).toBeLessThanOrEqual(100);
    }
  });

  it("cites upstream stages as evidence, following Stage 7's revenue streams", () => {
    const ctx = contextAt(stage08, sample(0));
    const analysis = stage08.simulate(ctx, createRng(1));
    const streams = (contentOf(ctx.artifacts, "pricing_model") as { revenueStreams: { name: string }[] })
      .revenueStreams;
    expect(analysis.revenueStreams.map((r) => r.evidence)).toEqual(streams.map(() => "Stage 7: revenue streams"));
    streams.forEach((s, i) => {
      expect(analysis.revenueStreams[i]?.text).toContain(s.name);
    });
    expect(analysis.costStructure.every((c) => c.evidence.startsWith("Stage 5"))).toBe(true);
  });

  it("survives missing and malformed upstream artifacts", () => {
    const venture = sample(1);
    for (const ctx of [contextFor(venture, {}), misshapenArtifacts(stage08, venture)]) {
      const analysis = stage08.simulate(ctx, createRng(2));
      expect(stage08.artifactSchema.safeParse({ ...analysis, ...stage08.computeDerived(analysis, ctx) }).success).toBe(
        true,
      );
    }
  });

  it("derives no warning for a coherent canvas", () => {
    expect(crossBlockWarnings(canvas())).toEqual([]);
  });

  it("warns of a revenue stream without a segment or channel, and a segment without a channel or value proposition", () => {
    const c = canvas();
    c.revenueStreams.push(item("Advertising sold to garden centres"));
    c.customerSegments.push(item("Tax advisors"));
    const warnings = crossBlockWarnings(c);
    expect(warnings.map((w) => [w.code, w.item, w.blocks])).toEqual([
      ["revenue_stream_without_segment", "Advertising sold to garden centres", ["revenueStreams", "customerSegments"]],
      ["revenue_stream_without_channel", "Advertising sold to garden centres", ["revenueStreams", "channels"]],
      ["segment_without_channel", "Tax advisors", ["customerSegments", "channels"]],
      ["segment_without_value_proposition", "Tax advisors", ["customerSegments", "valuePropositions"]],
    ]);
    const ctx = contextAt(stage08, sample(0));
    expect(stage08.computeDerived(c, ctx).crossBlockWarnings).toHaveLength(4);
  });

  it("matches items on content words: plurals fold, stop words and short words do not count", () => {
    expect([...keywords("Small accounting firms in the EU with customers")]).toEqual(["small", "accounting", "firm"]);
    expect(crossBlockWarnings({ ...canvas(), channels: [item("Ads for customers with revenue")] })).toHaveLength(2);
  });

  it("rejects an unknown priority, a missing block, an empty block and an item without evidence", () => {
    const good = canvas();
    expect(stage08.analysisSchema.safeParse(good).success).toBe(true);
    expect(
      stage08.analysisSchema.safeParse({ ...good, channels: [{ ...item("Ads"), priority: "urgent" }] }).success,
    ).toBe(false);
    const { keyPartners: _, ...eightBlocks } = good;
    expect(stage08.analysisSchema.safeParse(eightBlocks).success).toBe(false);
    expect(stage08.analysisSchema.safeParse({ ...good, costStructure: [] }).success).toBe(false);
    expect(stage08.analysisSchema.safeParse({ ...good, channels: [{ text: "Ads", priority: "low" }] }).success).toBe(
      false,
    );
  });

  it("prompts with Stages 1-7, never with artifacts outside its contract", () => {
    const venture = sample(2);
    const prompt = stage08.prompt(overfullContext(stage08, venture));
    for (const [stage, type] of [
      [2, "idea_validation"],
      [3, "validation_scorecard"],
      [4, "competitive_analysis"],
      [5, "financial_model"],
      [6, "risk_matrix"],
      [7, "pricing_model"],
    ] as const) {
      expect(prompt.user).toContain(artifactHeading(stage, type));
    }
    expect(prompt.user).toContain("customerSegments");
    expect(prompt.user).not.toContain(OUTSIDER_MARKER);
  });
});
