import { describe, expect, it } from "vitest";
import { evaluateStageGate } from "../../src/gates/index.ts";
import type { PhaseArtifact } from "../../src/gates/types.ts";
import { checkNamed, expectReevaluates, failed, gateInput, phaseArtifact, realityOf } from "./helpers.ts";

const TYPES: Record<number, string> = {
  1: "idea_brief",
  2: "idea_validation",
  3: "validation_scorecard",
  4: "competitive_analysis",
  5: "financial_model",
  6: "risk_matrix",
  7: "pricing_model",
  8: "business_model_canvas",
  9: "exit_strategy",
  10: "brand_package",
  11: "gtm_strategy",
  12: "sales_pipeline",
  13: "product_roadmap",
  14: "technical_architecture",
  15: "risk_register",
  16: "financial_projections",
  17: "build_readiness",
  18: "sprint_plan",
  19: "sprint_execution",
  20: "qa_report",
};

/** Validated artifacts of quality 80 for `stages`, with per-stage changes. */
function phase(stages: number[], changes: Record<number, Partial<PhaseArtifact> | null> = {}): PhaseArtifact[] {
  return stages.flatMap((s) =>
    changes[s] === null ? [] : [{ ...phaseArtifact(s, TYPES[s] as string, s === 1 ? null : 80), ...changes[s] }],
  );
}

const exitStrategy = (extra: Record<string, unknown> = {}) => ({
  exitThesis: "Becomes the default reconciliation tool for small EU accounting firms",
  targetAcquirers: [
    { name: "Suite", rationale: "gap", fitScore: 4, buyerType: "strategic" },
    { name: "Fund", rationale: "recurring", fitScore: 3, buyerType: "financial" },
    { name: "Rival", rationale: "consolidation", fitScore: 2, buyerType: "competitor" },
  ],
  valuationEstimate: {
    method: "revenue_multiple",
    revenueBase: 1_000_000,
    currency: "EUR",
    multipleLow: 2,
    multipleBase: 4,
    multipleHigh: 6,
    estimatedRange: { low: 2_000_000, base: 4_000_000, high: 6_000_000 },
  },
  ...extra,
});

const stage9 = (
  changes: Record<number, Partial<PhaseArtifact> | null> = {},
  artifact = exitStrategy(),
  preferences: Record<string, string> = {},
) => realityOf(gateInput(9, artifact, { phaseArtifacts: phase([6, 7, 8, 9], changes), preferences }));

describe("reality gates: phase completeness and quality", () => {
  it("passes a phase whose every stage has a current, validated artifact at the target quality", () => {
    const d = stage9();
    expect(d.decision).toBe("pass");
    expect(failed(d)).toEqual([]);
    expect(d.inputs).toMatchObject({ boundary: 9, phase: 2, minQualityScore: 60, targetQualityScore: 70 });
    expectReevaluates(d, 9, "reality");
  });

  it("names, on every check, the stage whose artifact it read", () => {
    const d = stage9({ 6: { qualityScore: 40 } }, exitStrategy({ targetAcquirers: [] }));
    expect(d.decision).toBe("fail");
    expect(checkNamed(d, "stage 6 quality ≥ 60")).toMatchObject({
      passed: false,
      stage: 6,
      artifactType: "risk_matrix",
    });
    expect(checkNamed(d, "≥ 3 target acquirers")).toMatchObject({
      passed: false,
      stage: 9,
      artifactType: "exit_strategy",
    });
    expect(d.checks.every((c) => typeof (c as { stage?: unknown }).stage === "number")).toBe(true);
    expectReevaluates(d, 9, "reality");
  });

  it("fails with a missing artifact, naming the stage to run", () => {
    const d = stage9({ 7: null });
    expect(d.decision).toBe("fail");
    const c = checkNamed(d, "stage 7 artifact present");
    expect(c).toMatchObject({
      passed: false,
      severity: "blocker",
      nextAction: "Run Stage 7 to produce its pricing_model",
    });
    expect(d.rationale).toContain("stage 7 has no current pricing_model");
  });

  it("fails with a rejected, needs_revision or pending artifact", () => {
    const rejected = stage9({ 8: { validationStatus: "rejected" } });
    expect(rejected.decision).toBe("fail");
    expect(checkNamed(rejected, "stage 8 artifact validated").nextAction).toBe(
      "Re-run Stage 8: its artifact was rejected",
    );
    expect(stage9({ 8: { validationStatus: "needs_revision" } }).decision).toBe("fail");
    expect(stage9({ 6: { validationStatus: "pending" } }).decision).toBe("fail");
  });

  it("fails below the minimum quality, is conditional between minimum and target, passes from the target", () => {
    expect(stage9({ 6: { qualityScore: 59 } }).decision).toBe("fail");
    const atMin = stage9({ 6: { qualityScore: 60 } });
    expect(atMin.decision).toBe("conditional");
    expect(failed(atMin, "warning").map((c) => c.name)).toEqual(["stage 6 quality ≥ 70"]);
    expect(stage9({ 6: { qualityScore: 69 } }).decision).toBe("conditional");
    expect(stage9({ 6: { qualityScore: 70 } }).decision).toBe("pass");
    const unscored = stage9({ 6: { qualityScore: null } });
    expect(unscored.decision).toBe("fail");
    expect(checkNamed(unscored, "stage 6 quality ≥ 60").detail).toContain("not scored");
  });

  it("reads the current (highest) version of a stage's artifact", () => {
    const artifacts = [
      phaseArtifact(6, "risk_matrix", 30, "rejected", 1),
      phaseArtifact(6, "risk_matrix", 85, "validated", 2),
      ...phase([7, 8, 9]),
    ];
    const d = realityOf(gateInput(9, exitStrategy(), { phaseArtifacts: artifacts }));
    expect(d.decision).toBe("pass");
    expect(checkNamed(d, "stage 6 artifact present").detail).toBe("stage 6 risk_matrix v2");
  });

  it("does not score Stage 1's human input, and checks Stages 1-5 at 5→6 beside the kill gate", () => {
    const input = gateInput(
      5,
      {
        projections: { breakEvenMonth: 12, roi3y: 0.4 },
        unitEconomics: { ltvCacRatio: 3, paybackMonths: 10, cac: 1, ltv: 3 },
      },
      { phaseArtifacts: phase([1, 2, 3, 4, 5]) },
    );
    const { gate, reality } = evaluateStageGate(input);
    expect(gate?.decision).toBe("pass");
    expect(reality?.decision).toBe("pass");
    expect(reality).not.toBe(gate);
    expect(reality?.checks.map((c) => c.name)).not.toContain("stage 1 quality ≥ 60");
    expect(realityOf({ ...input, phaseArtifacts: phase([1, 2, 3, 4, 5], { 1: null }) }).decision).toBe("fail");
  });

  it("requires Stages 17-20 at 20→21, not 21 and 22, and Stages 13-16 at 16→17", () => {
    const qa = {
      qualityDecision: { decision: "pass", rationale: "all green" },
      overallPassRate: 99,
      coveragePct: 80,
      knownDefects: [],
    };
    const at20 = realityOf(gateInput(20, qa, { phaseArtifacts: phase([17, 18, 19, 20]) }));
    expect(at20.decision).toBe("pass");
    expect((at20.inputs.requiredStages as { stage: number }[]).map((r) => r.stage)).toEqual([17, 18, 19, 20]);
    expect(realityOf(gateInput(20, qa, { phaseArtifacts: phase([17, 18, 20]) })).decision).toBe("fail");
    const at16 = realityOf(
      gateInput(16, {}, { phaseArtifacts: phase([13, 14, 15, 16], { 14: { qualityScore: 65 } }) }),
    );
    expect(at16.decision).toBe("conditional");
  });
});

describe("reality gates: profile threshold overrides", () => {
  it("lowers or raises the thresholds for every boundary", () => {
    expect(stage9({ 6: { qualityScore: 55 } }, exitStrategy(), { reality_min_quality_score: "50" }).decision).toBe(
      "conditional",
    );
    const strict = stage9({}, exitStrategy(), { reality_target_quality_score: "85" });
    expect(strict.decision).toBe("conditional");
    expect(strict.inputs).toMatchObject({ minQualityScore: 60, targetQualityScore: 85 });
  });

  it("a per-boundary key wins over the all-boundaries key and touches only its boundary", () => {
    const prefs = { reality_stage9_min_quality_score: "85", reality_min_quality_score: "40" };
    expect(stage9({}, exitStrategy(), prefs).decision).toBe("fail");
    const at12 = realityOf(
      gateInput(
        12,
        { economyCheck: { pipelineCoverageOfYear1Revenue: 1.2 } },
        { phaseArtifacts: phase([10, 11, 12], { 10: { qualityScore: 45 } }), preferences: prefs },
      ),
    );
    expect(at12.inputs).toMatchObject({ minQualityScore: 40 });
    expect(at12.decision).toBe("conditional");
  });

  it("accepts the dotted spelling of a key", () => {
    expect(stage9({ 6: { qualityScore: 55 } }, exitStrategy(), { "reality.min_quality_score": "50" }).decision).toBe(
      "conditional",
    );
  });

  it("records the thresholds used, so re-evaluation needs no preferences", () => {
    const d = stage9({ 6: { qualityScore: 55 } }, exitStrategy(), { reality_min_quality_score: "50" });
    expectReevaluates(d, 9, "reality");
  });
});

describe("reality gate at 9→10: exit specifics", () => {
  it("fails with fewer than 3 acquirers, no thesis or no valuation range", () => {
    const two = stage9({}, exitStrategy({ targetAcquirers: exitStrategy().targetAcquirers.slice(0, 2) }));
    expect(two.decision).toBe("fail");
    expect(checkNamed(two, "≥ 3 target acquirers").detail).toBe("2 target acquirer(s)");
    expect(stage9({}, exitStrategy({ exitThesis: "" })).decision).toBe("fail");
    expect(stage9({}, exitStrategy({ exitThesis: "Too short" })).decision).toBe("fail");
    expect(stage9({}, exitStrategy({ valuationEstimate: { method: "revenue_multiple" } })).decision).toBe("fail");
    const inverted = stage9({}, exitStrategy({ valuationEstimate: { estimatedRange: { low: 5, base: 4, high: 6 } } }));
    expect(checkNamed(inverted, "valuation range present").passed).toBe(false);
  });

  it("is the stage's gate and its reality gate at once", () => {
    const { gate, reality } = evaluateStageGate(gateInput(9, exitStrategy(), { phaseArtifacts: phase([6, 7, 8, 9]) }));
    expect(gate).toBe(reality);
  });
});

describe("reality gate at 12→13: economy check", () => {
  const stage12 = (coverage: number | null, preferences: Record<string, string> = {}) =>
    realityOf(
      gateInput(
        12,
        {
          economyCheck: {
            totalPipelineValue: 500_000,
            weightedPipelineValue: 200_000,
            averageDealSize: 100_000,
            year1RevenueProjection: coverage === null ? null : 200_000,
            pipelineCoverageOfYear1Revenue: coverage,
          },
        },
        { phaseArtifacts: phase([10, 11, 12]), preferences },
      ),
    );

  it("passes from full coverage of Stage 5's year-1 revenue", () => {
    expect(stage12(1).decision).toBe("pass");
    expect(stage12(1.4).decision).toBe("pass");
  });

  it("is conditional from half coverage and fails below it", () => {
    const partial = stage12(0.99);
    expect(partial.decision).toBe("conditional");
    expect(failed(partial, "warning")[0]?.nextAction).toContain("Grow the weighted pipeline");
    expect(stage12(0.5).decision).toBe("conditional");
    const thin = stage12(0.49);
    expect(thin.decision).toBe("fail");
    expect(thin.rationale).toContain("covers 0.49×");
  });

  it("is conditional when Stage 5 gives no year-1 revenue to compare with", () => {
    const d = stage12(null);
    expect(d.decision).toBe("conditional");
    expect(d.rationale).toContain("no coverage");
  });

  it("reads the coverage thresholds from the profile", () => {
    expect(stage12(0.85, { stage12_min_pipeline_coverage: "0.8" }).decision).toBe("pass");
    expect(stage12(0.4, { stage12_conditional_pipeline_coverage: "0.3" }).decision).toBe("conditional");
    const d = stage12(0.4, { stage12_conditional_pipeline_coverage: "0.3" });
    expect((d.inputs.stage12 as Record<string, number>).conditionalPipelineCoverage).toBe(0.3);
    expectReevaluates(d, 12, "reality");
  });
});
