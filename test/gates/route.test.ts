import { describe, expect, it } from "vitest";
import { type DfeSummary, routeStageResult } from "../../src/gates/route.ts";
import type { GateDecision } from "../../src/gates/types.ts";

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
    expect(route(3, decision("kill", "overall 41"))).toEqual({ action: "kill", reason: "kill: overall 41" });
    expect(route(16, decision("cancel", "cash negative"))).toMatchObject({ action: "kill" });
  });

  it("sends a Stage 3 revise back to Stage 2, then kills after three runs", () => {
    expect(route(3, decision("revise"), { run: 1 })).toMatchObject({ action: "rerun", stage: 2 });
    expect(route(3, decision("revise"), { run: 2 })).toMatchObject({ action: "rerun", stage: 2 });
    expect(route(3, decision("revise"), { run: 3 })).toMatchObject({ action: "kill" });
    expect(route(5, decision("revise"))).toMatchObject({ action: "rerun", stage: 4 });
  });

  it("retries a failed reality gate twice, then kills (reality gate retry saga)", () => {
    const fail = decision("fail", "stage 7 artifact rejected");
    expect(route(9, fail, { reality: fail, run: 1 })).toMatchObject({ action: "rerun", stage: 9 });
    expect(route(9, fail, { reality: fail, run: 3 })).toMatchObject({ action: "kill" });
    expect(route(5, decision("pass"), { reality: fail, run: 1 })).toMatchObject({ action: "rerun", stage: 5 });
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
