import { describe, expect, it } from "vitest";
import { createRng } from "../../src/llm/rng.ts";
import { decideReview, stage21 } from "../../src/stages/stage-21.ts";
import {
  artifactAt,
  bare,
  chainThrough,
  contextAt,
  expectContract,
  misshapen,
  must,
  sampleVentures,
  spreadVentures,
  tally,
} from "./fixtures-18-25.ts";

const venture = must(sampleVentures[0]);
type Review = {
  integrations: { status: string; severity: string }[];
  reviewDecision: { decision: "approve" | "conditional" | "reject"; conditions: string[] };
};

describe("stage 21 — build review", () => {
  it("the offline review of every sample venture satisfies the artifact schema and follows the QA decision", () => {
    for (const v of sampleVentures) {
      const review = artifactAt(stage21, v) as Review;
      expect(stage21.artifactSchema.safeParse(review).error?.issues ?? []).toEqual([]);
      const quality = (must(chainThrough(v, 20).qa_report).content as { qualityDecision: { decision: string } })
        .qualityDecision.decision;
      expect(review.reviewDecision.decision).toBe(decideReview(quality, review.integrations));
    }
  });

  it("spreads review decisions over ventures: approve, conditional and reject all occur", () => {
    const counts = tally(spreadVentures.map((v) => (artifactAt(stage21, v) as Review).reviewDecision.decision));
    expect(counts.approve).toBeGreaterThan(0);
    expect(counts.conditional).toBeGreaterThan(0);
    expect(counts.reject).toBeGreaterThan(0);
  });

  it("rejects on failed quality or a failing critical integration, approves only a clean build", () => {
    const passing = { status: "passing", severity: "critical" };
    expect(decideReview("pass", [passing])).toBe("approve");
    expect(decideReview("conditional_pass", [passing])).toBe("conditional");
    expect(decideReview("pass", [passing, { status: "degraded", severity: "medium" }])).toBe("conditional");
    expect(decideReview("pass", [{ status: "failing", severity: "critical" }])).toBe("reject");
    expect(decideReview("fail", [passing])).toBe("reject");
    expect(decideReview(undefined, [passing])).toBe("conditional");
  });

  it("rejects a conditional approval without conditions, unknown statuses and environments", () => {
    const good = stage21.simulate(contextAt(stage21, venture), createRng(8));
    const i = must(good.integrations[0]);
    const bad = [
      { ...good, reviewDecision: { decision: "conditional", rationale: "Sound with reservations.", conditions: [] } },
      { ...good, reviewDecision: { decision: "approved", rationale: "Sound with reservations.", conditions: [] } },
      { ...good, integrations: [{ ...i, status: "green" }] },
      { ...good, integrations: [{ ...i, environment: "qa" }] },
      { ...good, integrations: [{ ...i, severity: "minor" }] },
      { integrations: good.integrations },
    ];
    for (const b of bad) expect(stage21.analysisSchema.safeParse(b).success).toBe(false);
    expect(stage21.analysisSchema.safeParse(good).success).toBe(true);
    expect(stage21.computeDerived(good, contextAt(stage21, venture))).toEqual({});
  });

  it("falls back rather than throws when the QA report is misshapen or missing", () => {
    for (const v of sampleVentures) {
      for (const ctx of [misshapen(contextAt(stage21, v)), bare(contextAt(stage21, v))]) {
        expect(stage21.artifactSchema.safeParse(stage21.simulate(ctx, createRng(2))).success).toBe(true);
      }
    }
  });

  it("declares the contract of the reference data and prompts with exactly its artifacts", () => {
    expectContract(stage21, venture);
    const { user } = stage21.prompt(contextAt(stage21, venture));
    for (const field of ["integrations", "reviewDecision", "conditions", "qualityDecision"])
      expect(user).toContain(field);
  });
});
