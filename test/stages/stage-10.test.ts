import { describe, expect, it } from "vitest";
import { createRng } from "../../src/llm/rng.ts";
import { type BrandAnalysis, rankCandidates, stage10, weightedTotal, yearSeries } from "../../src/stages/stage-10.ts";
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

const criteria = [
  { name: "memorability", weight: 50 },
  { name: "relevance", weight: 30 },
  { name: "availability", weight: 20 },
];
const scored = (m: number, r: number, a: number) => ({ memorability: m, relevance: r, availability: a });

/** A brand analysis whose numbers are known: totals 68, 70, 69, 70, 50. */
function knownBrand(): BrandAnalysis {
  return {
    brandGenome: {
      archetype: "sage",
      values: ["Clarity"],
      tone: "calm",
      audience: "accountants",
      differentiators: ["automatic matching"],
    },
    scoringCriteria: criteria,
    candidates: [
      { name: "Xeno", rationale: "coined", scores: scored(80, 60, 50) },
      { name: "Yarrow", rationale: "metaphor", scores: scored(70, 70, 70) },
      { name: "Zest", rationale: "short", scores: scored(90, 40, 60) },
      { name: "Wayfind", rationale: "metaphor", scores: scored(60, 80, 80) },
      { name: "Vault", rationale: "plain", scores: scored(50, 50, 50) },
    ],
    narrativeExtension: null,
    namingStrategy: "metaphorical",
    decision: {
      selectedName: "Zest",
      workingTitle: true,
      rationale: "Shortest, pending checks",
      availabilityChecks: { domain: "pending", trademark: "available", social: "unavailable" },
    },
  };
}

describe("stage 10 — naming / brand", () => {
  it("the offline analysis of every sample venture satisfies the artifact schema once derived", () => {
    for (const venture of [...sampleVentures, ...ventureVariants(6)]) {
      const artifact = artifactAt(stage10, venture);
      const parsed = stage10.artifactSchema.safeParse(artifact);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      const brand = parsed.data as NonNullable<typeof parsed.data>;
      expect(brand.candidates.length).toBeGreaterThanOrEqual(5);
      expect(brand.scoringCriteria.reduce((s, c) => s + c.weight, 0)).toBe(100);
      const q = stage10.qualityScore(brand, contextAt(stage10, venture));
      expect(q).toBeGreaterThanOrEqual(0);
      expect(q).toBeLessThanOrEqual(100);
    }
  });

  it("selects the best-ranked candidate offline and keeps the venture's own name among the candidates", () => {
    for (const venture of sampleVentures) {
      const brand = artifactAt(stage10, venture) as ReturnType<typeof knownBrand> & { selectedRank: number };
      expect(brand.selectedRank).toBe(1);
      expect(brand.candidates.map((c) => c.name)).toContain(venture.name);
      expect(Object.values(brand.decision.availabilityChecks)).toEqual(["pending", "pending", "pending"]);
    }
  });

  it("derives each candidate's weighted total and a ranking where ties share a rank", () => {
    expect(weightedTotal(scored(80, 60, 50), criteria)).toBe(68);
    const analysis = knownBrand();
    const derived = stage10.computeDerived(analysis, contextFor(strongest, {}));
    expect(derived.ranking).toEqual([
      { name: "Wayfind", weightedTotal: 70, rank: 1 },
      { name: "Yarrow", weightedTotal: 70, rank: 1 },
      { name: "Zest", weightedTotal: 69, rank: 3 },
      { name: "Xeno", weightedTotal: 68, rank: 4 },
      { name: "Vault", weightedTotal: 50, rank: 5 },
    ]);
    expect(derived.selectedRank).toBe(3);
    expect(stage10.artifactSchema.safeParse({ ...analysis, ...derived }).success).toBe(true);
    // Fractional weights are normalised by their sum.
    expect(
      rankCandidates(
        [{ name: "A", scores: { x: 90, y: 30 } }],
        [
          { name: "x", weight: 33.3 },
          { name: "y", weight: 66.7 },
        ],
      )[0]?.weightedTotal,
    ).toBe(49.98);
  });

  it("rejects weights that do not sum to 100, too few candidates, unscored criteria and bad enums", () => {
    const good = knownBrand();
    expect(stage10.analysisSchema.safeParse(good).success).toBe(true);
    const bad = (patch: Partial<BrandAnalysis>) => stage10.analysisSchema.safeParse({ ...good, ...patch }).success;
    expect(bad({ scoringCriteria: [...criteria.slice(0, 2), { name: "availability", weight: 10 }] })).toBe(false);
    expect(bad({ candidates: good.candidates.slice(0, 4) })).toBe(false);
    expect(
      bad({
        candidates: good.candidates.map((c, i) => (i ? c : { ...c, scores: { memorability: 80, relevance: 60 } })),
      }),
    ).toBe(false);
    expect(
      bad({ candidates: good.candidates.map((c, i) => (i ? c : { ...c, scores: { ...c.scores, relevance: 101 } })) }),
    ).toBe(false);
    expect(bad({ namingStrategy: "invented" as never })).toBe(false);
    expect(bad({ brandGenome: { ...good.brandGenome, archetype: "wizard" as never } })).toBe(false);
    expect(bad({ decision: { ...good.decision, selectedName: "Nowhere" } })).toBe(false);
    const { decision: _, ...noDecision } = good;
    expect(stage10.analysisSchema.safeParse(noDecision).success).toBe(false);
  });

  it("simulates without upstream artifacts or with oddly shaped ones", () => {
    const venture = sample(1);
    for (const ctx of [
      contextFor(venture, {}),
      contextFor(venture, {
        validation_scorecard: { stage: 3, version: 1, content: { competitorEntities: "none" }, qualityScore: null },
        pricing_model: { stage: 7, version: 1, content: { positioningDecision: [1, 2] }, qualityScore: null },
      }),
    ]) {
      const analysis = stage10.simulate(ctx, createRng(5));
      expect(stage10.artifactSchema.safeParse({ ...analysis, ...stage10.computeDerived(analysis, ctx) }).success).toBe(
        true,
      );
    }
  });

  it("reads yearly series in the shapes upstream analysts use", () => {
    expect(yearSeries([1, 2, 3])).toEqual([1, 2, 3]);
    expect(
      yearSeries([
        { year: 1, amount: 10 },
        { year: 2, value: "20" },
      ]),
    ).toEqual([10, 20]);
    expect(yearSeries({ y2: 20, y1: 10, y3: 30 })).toEqual([10, 20, 30]);
    expect(yearSeries("n/a")).toEqual([]);
  });

  it("copes with missing and oddly shaped upstream artifacts", () => {
    for (const venture of sampleVentures) {
      expectValidOffline(stage10, contextFor(venture, {}));
      expectValidOffline(stage10, oddContext(stage10, venture));
    }
  });

  it("declares the migration's contract and prompts with exactly its artifacts", () => {
    expectContract(stage10);
    const { user } = stage10.prompt(contextAt(stage10, strongest));
    expect(user).toContain("scoringCriteria");
    expect(user).toContain("sum to exactly 100");
  });
});
