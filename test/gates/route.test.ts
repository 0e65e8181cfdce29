import { describe, expect, it } from "vitest";
import { evaluateStageGate } from "../../src/gates/index.ts";
import { type DfeSummary, routeStageResult } from "../../src/gates/route.ts";
import type { GateDecision } from "../../src/gates/types.ts";
import { gateInput, phaseArtifact } from "./helpers.ts";

const decision = (d: string, rationale = "because"): GateDecision => ({
  decision: d,
  rationale,
  checks: [],
  inputs: {},
});
const dfe = (output: DfeSummary["output"]): DfeSummary => ({
  output,
  triggers: output === "AUTO_PROCEED" ? [] : [{ type: "cost_threshold", detail: "year-1 costs 80000 > 50000" }],
  mitigations: [],
  recommendedAction: "proceed",
  patternSignature: "saas:5:subscription",
});
const route = (
  stage: number,
  gate: GateDecision | null,
  opts: { reality?: GateDecision; dfe?: DfeSummary; run?: number; chairman?: boolean } = {},
) =>
  routeStageResult({
    stage,
    chairmanGate: opts.chairman ?? false,
    evaluation: { gate, reality: opts.reality ?? null },
    dfe: opts.dfe ?? null,
    runNumber: opts.run ?? 1,
  });

describe("routing a stage result", () => {
  it("advances a passing gate when the DFE auto-proceeds, and escalates when it does not", () => {
    expect(route(3, decision("pass"), { dfe: dfe("AUTO_PROCEED") })).toMatchObject({ action: "advance" });
    expect(route(4, null)).toEqual({ action: "advance" });
    expect(route(4, null, { dfe: dfe("PRESENT_TO_CHAIRMAN") })).toMatchObject({
      action: "escalate",
      recommendedAction: "proceed",
      reason: "Decision Filter Engine: cost_threshold (year-1 costs 80000 > 50000)",
    });
  });

  it("kills on kill and cancel", () => {
    // The reason reads after "killed at stage N: " (the venture's history): the rationale, not "kill: " again.
    expect(route(3, decision("kill", "overall 41"))).toEqual({ action: "kill", reason: "overall 41" });
    expect(route(16, decision("cancel", "cash negative"))).toEqual({ action: "kill", reason: "cancel: cash negative" });
  });

  it("sends a Stage 3 revise back to Stage 2, then kills after three runs", () => {
    expect(route(3, decision("revise"), { run: 1 })).toMatchObject({ action: "rerun", stage: 2 });
    expect(route(3, decision("revise"), { run: 2 })).toMatchObject({ action: "rerun", stage: 2 });
    expect(route(3, decision("revise"), { run: 3 })).toMatchObject({ action: "kill" });
    expect(route(5, decision("revise"))).toMatchObject({ action: "rerun", stage: 4 });
  });

  it("hands a failed reality gate to its retry saga, re-running from the earliest stage whose artifact failed", () => {
    const fail: GateDecision = {
      ...decision("fail", "stage 6 quality 49 (minimum 60) and no exit thesis"),
      checks: [
        { name: "stage 6 artifact present", passed: true, detail: "ok", severity: "blocker" },
        {
          name: "stage 8 quality ≥ 70",
          passed: false,
          detail: "stage 8 quality 65 (target 70)",
          severity: "warning",
          ...{ stage: 8, artifactType: "business_model_canvas" },
        },
        {
          name: "exit thesis stated",
          passed: false,
          detail: "no exit thesis",
          severity: "blocker",
          nextAction: "Re-run Stage 9 with an exit thesis",
          ...{ stage: 9, artifactType: "exit_strategy" },
        },
        {
          name: "stage 6 quality ≥ 60",
          passed: false,
          detail: "stage 6 quality 49 (minimum 60)",
          severity: "blocker",
          ...{ stage: 6, artifactType: "risk_matrix" },
        },
      ],
    };
    // Whatever the run number: the saga in the database counts the retries.
    for (const run of [1, 3, 7]) {
      expect(route(9, fail, { reality: fail, run })).toEqual({
        action: "reality_retry",
        stage: 6,
        boundary: 9,
        reason: "stage 6 quality 49 (minimum 60) and no exit thesis",
        responsibleStages: [6, 9],
        failedChecks: [
          {
            name: "exit thesis stated",
            detail: "no exit thesis",
            nextAction: "Re-run Stage 9 with an exit thesis",
            stage: 9,
            artifactType: "exit_strategy",
          },
          {
            name: "stage 6 quality ≥ 60",
            detail: "stage 6 quality 49 (minimum 60)",
            stage: 6,
            artifactType: "risk_matrix",
          },
        ],
      });
    }
    // At Stage 5 the reality gate rides along with the kill gate, and wins over its pass.
    const weakAt = (stage: number): GateDecision => ({
      ...fail,
      checks: [
        { name: `stage ${stage} quality ≥ 60`, passed: false, detail: "weak", severity: "blocker", ...{ stage } },
      ],
    });
    const stage3 = weakAt(3);
    expect(route(5, decision("pass"), { reality: stage3 })).toMatchObject({
      action: "reality_retry",
      stage: 3,
      boundary: 5,
    });
    // Stage 1's Draft Idea is human input: no retry can fix it.
    const stage1 = weakAt(1);
    expect(route(5, decision("pass"), { reality: stage1 })).toMatchObject({ action: "block" });
  });

  it("sends a Stage 9 reality gate failed by Stage 6's quality-40 risk matrix back to Stage 6, not Stage 9", () => {
    const exitStrategy = {
      exitThesis: "Becomes the default reconciliation tool for small EU accounting firms",
      targetAcquirers: ["Suite", "Fund", "Rival"].map((name) => ({
        name,
        rationale: "fit",
        fitScore: 3,
        buyerType: "strategic",
      })),
      valuationEstimate: { estimatedRange: { low: 2_000_000, base: 4_000_000, high: 6_000_000 } },
    };
    const evaluation = evaluateStageGate(
      gateInput(9, exitStrategy, {
        phaseArtifacts: [
          phaseArtifact(6, "risk_matrix", 40),
          phaseArtifact(7, "pricing_model", 80),
          phaseArtifact(8, "business_model_canvas", 80),
          phaseArtifact(9, "exit_strategy", 80),
        ],
      }),
    );
    expect(evaluation.reality?.decision).toBe("fail");
    const routed = routeStageResult({ stage: 9, chairmanGate: false, evaluation, dfe: null, runNumber: 1 });
    expect(routed).toMatchObject({
      action: "reality_retry",
      stage: 6,
      boundary: 9,
      responsibleStages: [6],
      failedChecks: [{ name: "stage 6 quality ≥ 60", stage: 6, artifactType: "risk_matrix" }],
    });
  });

  it("loops the build: sprint continue, quality fail, review reject", () => {
    expect(route(19, decision("continue"), { run: 2 })).toMatchObject({ action: "rerun", stage: 19 });
    expect(route(19, decision("continue"), { run: 5 })).toMatchObject({ action: "block" });
    expect(route(20, decision("fail"))).toMatchObject({ action: "rerun", stage: 19 });
    expect(route(21, decision("reject"))).toMatchObject({ action: "rerun", stage: 18 });
  });

  it("blocks on hold and no_go, and leaves Chairman gates to the Chairman", () => {
    expect(route(16, decision("hold"))).toMatchObject({ action: "block" });
    expect(route(17, decision("no_go"))).toMatchObject({ action: "block" });
    expect(route(22, decision("hold"), { chairman: true })).toEqual({ action: "advance" });
  });
});
