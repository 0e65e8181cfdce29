import { describe, expect, it } from "vitest";
import { evaluateStageGate, GATE_DECISIONS, reevaluateGate, STAGE_GATE_TYPES } from "../../src/gates/index.ts";
import { REALITY_BOUNDARIES } from "../../src/gates/profiles.ts";
import {
  checkNamed,
  expectReevaluates,
  failed,
  gateInput,
  gateOf,
  seededGateDecisions,
  seededStageGates,
} from "./helpers.ts";

describe("evaluateStageGate", () => {
  it("knows every stage's gate type and reality flag as the reference data seeds them", () => {
    const seeded = seededStageGates();
    expect(seeded.size).toBe(25);
    for (const [stage, { gateType, realityGate }] of seeded) {
      expect(STAGE_GATE_TYPES[stage] ?? "none", `stage ${stage}`).toBe(gateType);
      expect((REALITY_BOUNDARIES as readonly number[]).includes(stage), `stage ${stage}`).toBe(realityGate);
    }
  });

  it("returns exactly the decisions eva.gate_decision_options allows", () => {
    expect(GATE_DECISIONS).toEqual(seededGateDecisions());
  });

  it("returns no gate for a stage without one, and no reality gate off the phase boundaries", () => {
    for (const stage of [1, 2, 4, 6, 10, 11, 14, 15, 18, 24]) {
      expect(evaluateStageGate(gateInput(stage, {}))).toEqual({ gate: null, reality: null });
    }
    expect(evaluateStageGate(gateInput(3, {})).reality).toBeNull();
  });

  it("refuses an input whose gate type or reality flag disagrees with the stage", () => {
    expect(() => evaluateStageGate({ ...gateInput(3, {}), gateType: "promotion" })).toThrow(
      "stage 3 has a kill gate, but the gate input says promotion",
    );
    expect(() => evaluateStageGate({ ...gateInput(13, {}), realityGate: true })).toThrow("does not close a phase");
    expect(() => evaluateStageGate({ ...gateInput(16, {}), realityGate: false })).toThrow("closes a phase");
  });

  it("decides for an empty artifact without throwing, and never passes it", () => {
    const passing = ["pass", "release", "go", "complete", "approve"];
    for (const stage of Object.keys(STAGE_GATE_TYPES).map(Number)) {
      const { gate, reality } = evaluateStageGate(gateInput(stage, {}));
      const type = STAGE_GATE_TYPES[stage] as keyof typeof GATE_DECISIONS;
      expect(GATE_DECISIONS[type]).toContain(gate?.decision);
      if (stage !== 25) expect(passing, `stage ${stage}`).not.toContain(gate?.decision);
      if (reality) expect(reality.decision).toBe("fail");
    }
  });

  it("refuses to re-evaluate a gate a stage does not have", () => {
    expect(() => reevaluateGate(4, "gate", {})).toThrow("stage 4 has no gate");
    expect(() => reevaluateGate(13, "reality", {})).toThrow("stage 13 has no reality gate");
  });
});

describe("stage 25 venture decision", () => {
  const review = (decision: string | null, band = "viable", overall = 65) => ({
    ventureDecision:
      decision === null
        ? undefined
        : { decision, rationale: "the analysis", confidence: "medium", keyFactors: ["health", "trajectory"] },
    ventureHealth: { band, overall },
  });

  it("reports the analysis's recommendation for the Chairman", () => {
    for (const decision of ["continue", "pivot", "expand", "sunset", "exit"]) {
      const d = gateOf(gateInput(25, review(decision, "strong", 85)));
      expect(d.decision).toBe(decision);
      expect(d.rationale).toContain("The Chairman decides");
      expectReevaluates(d, 25);
    }
  });

  it("warns when the recommendation contradicts the venture's health", () => {
    const d = gateOf(gateInput(25, review("expand", "fragile", 45)));
    expect(d.decision).toBe("expand");
    expect(failed(d, "warning").map((c) => c.name)).toEqual(["recommendation consistent with health"]);
  });

  it("falls back on the health band without a valid recommendation, and says so", () => {
    const d = gateOf(gateInput(25, review(null, "critical", 20)));
    expect(d.decision).toBe("sunset");
    expect(checkNamed(d, "recommendation present").passed).toBe(false);
    expect(gateOf(gateInput(25, review("grow"))).decision).toBe("continue");
    expect(gateOf(gateInput(25, {})).decision).toBe("pivot");
  });
});
