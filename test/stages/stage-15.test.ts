import { describe, expect, it } from "vitest";
import { createRng } from "../../src/llm/rng.ts";
import { budgetCoherence, type RiskRegisterAnalysis, severityFor, stage15 } from "../../src/stages/stage-15.ts";
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

type Risk = RiskRegisterAnalysis["risks"][number];
const risk = (severity: Risk["severity"], priority: Risk["priority"], mitigationCost: number): Risk => ({
  title: `${severity} ${priority}`,
  description: "A risk",
  owner: "CTO",
  severity,
  priority,
  phaseRef: "now",
  mitigationPlan: "Reduce it",
  contingencyPlan: "Live with it",
  mitigationCost,
});

/** Mitigation 10,000 + 5,000 + 0 + 2,500 = 17,500. */
const knownRisks = (): Risk[] => [
  risk("critical", "immediate", 10_000),
  risk("high", "short_term", 5_000),
  risk("medium", "long_term", 0),
  risk("low", "short_term", 2_500),
];

describe("stage 15 — risk register", () => {
  it("the offline analysis of every sample venture satisfies the artifact schema once derived", () => {
    for (const venture of [...sampleVentures, ...ventureVariants(6)]) {
      const parsed = stage15.artifactSchema.safeParse(artifactAt(stage15, venture));
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      const register = parsed.data as NonNullable<typeof parsed.data>;
      expect(register.risks.every((r) => ["now", "next", "later"].includes(r.phaseRef))).toBe(true);
      expect(stage15.qualityScore(register, contextAt(stage15, venture))).toBeLessThanOrEqual(100);
    }
  });

  it("derives mitigation totals, unfunded severe risks and the share of Stage 5's year-1 costs", () => {
    expect(budgetCoherence(knownRisks(), 100_000)).toEqual({
      totalMitigationCost: 17_500,
      mitigationCostByPriority: { immediate: 10_000, short_term: 7_500, long_term: 0 },
      unfundedSevereRisks: 0,
      year1CostProjection: 100_000,
      mitigationShareOfYear1Costs: 0.18,
      status: "stretched",
    });
    expect(budgetCoherence(knownRisks(), 500_000)).toMatchObject({
      mitigationShareOfYear1Costs: 0.04,
      status: "coherent",
    });
    expect(budgetCoherence(knownRisks(), 50_000)).toMatchObject({
      mitigationShareOfYear1Costs: 0.35,
      status: "over_budget",
    });
    const unfunded = [risk("high", "immediate", 0), ...knownRisks().slice(2)];
    expect(budgetCoherence(unfunded, 500_000)).toMatchObject({ unfundedSevereRisks: 1, status: "unfunded" });
  });

  it("compares with Stage 5 only when the financial model is in its context, which its contract does not give it", () => {
    const analysis: RiskRegisterAnalysis = { risks: knownRisks() };
    // The contract (Stages 6, 13, 14) holds no cost projection: nothing to compare with.
    const own = contextAt(stage15, strongest);
    expect(own.artifacts.financial_model).toBeUndefined();
    expect(stage15.computeDerived(analysis, own).budgetCoherence).toMatchObject({
      year1CostProjection: null,
      mitigationShareOfYear1Costs: null,
      status: "unverified",
    });
    const withFinance = contextFor(strongest, {
      financial_model: {
        stage: 5,
        version: 1,
        content: { projections: { costs: [100_000, 0, 0] } },
        qualityScore: null,
      },
    });
    expect(stage15.computeDerived(analysis, withFinance).budgetCoherence.status).toBe("stretched");
  });

  it("leaves a weak venture's worst risk unfunded and funds a strong venture's", () => {
    const weak = artifactAt(stage15, weakest) as { budgetCoherence: { status: string; unfundedSevereRisks: number } };
    expect(weak.budgetCoherence.status).toBe("unfunded");
    const strong = artifactAt(stage15, strongest) as { budgetCoherence: { unfundedSevereRisks: number } };
    expect(strong.budgetCoherence.unfundedSevereRisks).toBe(0);
    expect([severityFor(25), severityFor(15), severityFor(6), severityFor(2)]).toEqual([
      "critical",
      "high",
      "medium",
      "low",
    ]);
  });

  it("rejects unknown severities and priorities, negative costs and an empty register", () => {
    const ok = (risks: unknown[]) => stage15.analysisSchema.safeParse({ risks }).success;
    expect(ok(knownRisks())).toBe(true);
    expect(ok([{ ...risk("high", "immediate", 1), severity: "severe" }])).toBe(false);
    expect(ok([{ ...risk("high", "immediate", 1), priority: "urgent" }])).toBe(false);
    expect(ok([risk("high", "immediate", -1)])).toBe(false);
    const { owner: _, ...ownerless } = risk("low", "long_term", 0);
    expect(ok([ownerless])).toBe(false);
    expect(ok([])).toBe(false);
  });

  it("simulates without upstream artifacts", () => {
    const ctx = contextFor(sample(0), {});
    const analysis = stage15.simulate(ctx, createRng(6));
    expect(stage15.artifactSchema.safeParse({ ...analysis, ...stage15.computeDerived(analysis, ctx) }).success).toBe(
      true,
    );
  });

  it("copes with missing and oddly shaped upstream artifacts", () => {
    for (const venture of sampleVentures) {
      expectValidOffline(stage15, contextFor(venture, {}));
      expectValidOffline(stage15, oddContext(stage15, venture));
    }
  });

  it("declares the migration's contract and prompts with exactly its artifacts", () => {
    expectContract(stage15);
    expect(stage15.prompt(contextAt(stage15, strongest)).user).toContain("mitigationCost");
  });
});
