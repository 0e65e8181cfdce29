import { describe, expect, it } from "vitest";
import { createRng } from "../../src/llm/rng.ts";
import { budgetSummary, type GtmAnalysis, stage11 } from "../../src/stages/stage-11.ts";
import {
  artifactAt,
  contextAt,
  expectContract,
  expectValidOffline,
  oddContext,
  sample,
  strongest,
  ventureVariants,
} from "./fixtures-10-17.ts";
import { contextFor, sampleVentures } from "./helpers.ts";

const tier = (name: string, budget: number) => ({
  name,
  description: `${name} customers`,
  size: 100,
  budget,
  persona: "An owner",
  painPoints: ["Manual work"],
  targetCac: 0,
});
const channel = (name: string, budget: number, channelType: string, primaryTier: string) => ({
  name,
  description: name,
  budget,
  channelType: channelType as GtmAnalysis["channels"][number]["channelType"],
  primaryTier,
});

/** Tier budgets 1000/2000/3000; channels 500+1500 paid, 0+250 organic, 0 earned, 100+0+300 owned. */
function knownGtm(): GtmAnalysis {
  return {
    customerTiers: [tier("Starter", 1000), tier("Team", 2000), tier("Enterprise", 3000)],
    channels: [
      channel("Search ads", 500, "paid", "Starter"),
      channel("Outbound", 1500, "paid", "Enterprise"),
      channel("SEO", 0, "organic", "Starter"),
      channel("Community", 250, "organic", "Team"),
      channel("Press", 0, "earned", "Enterprise"),
      channel("Newsletter", 100, "owned", "Team"),
      channel("Onboarding", 0, "owned", "Starter"),
      channel("Webinars", 300, "owned", "Team"),
    ],
  };
}

describe("stage 11 — go-to-market", () => {
  it("the offline analysis of every sample venture satisfies the artifact schema once derived", () => {
    for (const venture of [...sampleVentures, ...ventureVariants(6)]) {
      const parsed = stage11.artifactSchema.safeParse(artifactAt(stage11, venture));
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      const gtm = parsed.data as NonNullable<typeof parsed.data>;
      expect(gtm.customerTiers).toHaveLength(3);
      expect(gtm.channels).toHaveLength(8);
      // Every tier is served by at least one channel.
      expect(gtm.budgetSummary.byTier.every((t) => t.channelCount > 0)).toBe(true);
      expect(stage11.qualityScore(gtm, contextAt(stage11, venture))).toBeLessThanOrEqual(100);
    }
  });

  it("sizes the budget from the Stage 5 costs it sees", () => {
    const venture = sample(0);
    const finance = (y1: number) =>
      contextFor(venture, {
        financial_model: { stage: 5, version: 1, content: { projections: { costs: [y1, 0, 0] } }, qualityScore: null },
      });
    const total = (y1: number) => {
      const ctx = finance(y1);
      return budgetSummary(stage11.simulate(ctx, createRng(2))).totalTierBudget;
    };
    expect(total(1_200_000)).toBeGreaterThan(total(240_000) * 4);
  });

  it("derives budget totals per tier and per channel type", () => {
    const analysis = knownGtm();
    const derived = stage11.computeDerived(analysis, contextFor(strongest, {}));
    expect(derived.budgetSummary).toEqual({
      totalTierBudget: 6000,
      totalChannelBudget: 2650,
      byChannelType: { paid: 2000, organic: 250, earned: 0, owned: 400 },
      byTier: [
        { name: "Starter", tierBudget: 1000, channelBudget: 500, channelCount: 3 },
        { name: "Team", tierBudget: 2000, channelBudget: 650, channelCount: 3 },
        { name: "Enterprise", tierBudget: 3000, channelBudget: 1500, channelCount: 2 },
      ],
    });
    expect(stage11.artifactSchema.safeParse({ ...analysis, ...derived }).success).toBe(true);
  });

  it("rejects anything but 3 tiers and 8 channels, unknown tiers and channel types, negative budgets", () => {
    const good = knownGtm();
    const ok = (patch: Partial<GtmAnalysis>) => stage11.analysisSchema.safeParse({ ...good, ...patch }).success;
    expect(ok({})).toBe(true);
    expect(ok({ customerTiers: good.customerTiers.slice(0, 2) })).toBe(false);
    expect(ok({ channels: good.channels.slice(0, 7) })).toBe(false);
    expect(ok({ channels: [...good.channels, channel("Podcast", 0, "owned", "Team")] })).toBe(false);
    expect(ok({ channels: good.channels.map((c, i) => (i ? c : { ...c, channelType: "viral" as never })) })).toBe(
      false,
    );
    expect(ok({ channels: good.channels.map((c, i) => (i ? c : { ...c, primaryTier: "Whales" })) })).toBe(false);
    expect(ok({ channels: good.channels.map((c, i) => (i ? c : { ...c, budget: -1 })) })).toBe(false);
    const { persona: _, ...noPersona } = good.customerTiers[0] as GtmAnalysis["customerTiers"][number];
    expect(ok({ customerTiers: [noPersona as never, ...good.customerTiers.slice(1)] })).toBe(false);
  });

  it("simulates without upstream artifacts", () => {
    const ctx = contextFor(sample(2), {});
    const analysis = stage11.simulate(ctx, createRng(9));
    expect(stage11.artifactSchema.safeParse({ ...analysis, ...stage11.computeDerived(analysis, ctx) }).success).toBe(
      true,
    );
  });

  it("copes with missing and oddly shaped upstream artifacts", () => {
    for (const venture of sampleVentures) {
      expectValidOffline(stage11, contextFor(venture, {}));
      expectValidOffline(stage11, oddContext(stage11, venture));
    }
  });

  it("declares the migration's contract and prompts with exactly its artifacts", () => {
    expectContract(stage11);
    const { user } = stage11.prompt(contextAt(stage11, strongest));
    expect(user).toContain("exactly 3 customerTiers");
    expect(user).toContain("exactly 8 channels");
  });
});
