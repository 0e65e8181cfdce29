// The gates of spec §7.2 and §8 by stage: `evaluateStageGate` returns a
// stage's own gate decision (by its gate type) and, at the five phase
// boundaries, the reality gate; `reevaluateGate` recomputes a recorded
// decision from its recorded inputs alone.
import type { GateType } from "../stages/types.ts";
import {
  decideStage17,
  decideStage19,
  decideStage20,
  decideStage21,
  stage17Inputs,
  stage19Inputs,
  stage20Inputs,
  stage21Inputs,
} from "./build.ts";
import {
  decideStage3,
  decideStage5,
  decideStage13,
  decideStage23,
  stage3Inputs,
  stage5Inputs,
  stage13Inputs,
  stage23Inputs,
} from "./kill.ts";
import { type EvaluationProfile, isRealityBoundary, profileFromPreferences } from "./profiles.ts";
import { decideStage16, decideStage22, stage16Inputs, stage22Inputs } from "./promotion.ts";
import { decideReality, type RealityInputs, realityInputs } from "./reality.ts";
import type { GateResult } from "./shared.ts";
import type { GateEvaluation, GateInput } from "./types.ts";
import { decideStage25, stage25Inputs } from "./venture-decision.ts";

export { DEFAULT_PROFILE, PREFERENCE_KEYS, profileFromPreferences } from "./profiles.ts";
export { type GateCheck, type GateResult, nextActions } from "./shared.ts";

/** Each gated stage's gate type (lifecycle_stage_config.gate_type); every other stage has none. */
export const STAGE_GATE_TYPES: Readonly<Record<number, Exclude<GateType, "none">>> = {
  3: "kill",
  5: "kill",
  9: "reality",
  12: "reality",
  13: "kill",
  16: "promotion",
  17: "build_readiness",
  19: "sprint_completion",
  20: "quality",
  21: "review",
  22: "promotion",
  23: "kill",
  25: "venture_decision",
};

/** The decisions each gate type may return (eva.gate_decision_options). */
export const GATE_DECISIONS: Readonly<Record<Exclude<GateType, "none">, readonly string[]>> = {
  kill: ["pass", "revise", "kill"],
  reality: ["pass", "conditional", "fail"],
  promotion: ["release", "hold", "cancel"],
  quality: ["pass", "conditional_pass", "fail"],
  review: ["approve", "conditional", "reject"],
  build_readiness: ["go", "conditional_go", "no_go"],
  sprint_completion: ["complete", "continue", "blocked"],
  venture_decision: ["continue", "pivot", "expand", "sunset", "exit"],
};

interface StageGate {
  inputs(input: GateInput, profile: EvaluationProfile): Record<string, unknown>;
  decide(inputs: never): GateResult;
}

/** The stage gates other than the reality gates (9 and 12 are theirs). */
const GATES: Readonly<Record<number, StageGate>> = {
  3: { inputs: stage3Inputs, decide: decideStage3 },
  5: { inputs: stage5Inputs, decide: decideStage5 },
  13: { inputs: stage13Inputs, decide: decideStage13 },
  16: { inputs: stage16Inputs, decide: decideStage16 },
  17: { inputs: stage17Inputs, decide: decideStage17 },
  19: { inputs: stage19Inputs, decide: decideStage19 },
  20: { inputs: stage20Inputs, decide: decideStage20 },
  21: { inputs: stage21Inputs, decide: decideStage21 },
  22: { inputs: stage22Inputs, decide: decideStage22 },
  23: { inputs: stage23Inputs, decide: decideStage23 },
  25: { inputs: stage25Inputs, decide: decideStage25 },
};

/**
 * Evaluates the stage's gate and, at 5, 9, 12, 16 and 20, the reality gate on
 * leaving its phase (for 9 and 12 the same decision is both). Thresholds come
 * from the evaluation profile the input's Chairman preferences make. Throws
 * when the input's gate type or reality flag disagrees with the stage's: the
 * stage configuration and these gates have drifted apart, and no decision is
 * better than the wrong gate's.
 */
export function evaluateStageGate(input: GateInput): GateEvaluation {
  const expected = STAGE_GATE_TYPES[input.stage] ?? "none";
  if (input.gateType !== expected) {
    throw new Error(`stage ${input.stage} has a ${expected} gate, but the gate input says ${input.gateType}`);
  }
  const boundary = isRealityBoundary(input.stage);
  if (input.realityGate !== boundary) {
    throw new Error(
      `stage ${input.stage} ${boundary ? "closes" : "does not close"} a phase, but the gate input says realityGate ${input.realityGate}`,
    );
  }
  const profile = profileFromPreferences(input.preferences);
  const reality = isRealityBoundary(input.stage)
    ? decideReality(realityInputs({ ...input, stage: input.stage }, profile))
    : null;
  if (expected === "none") return { gate: null, reality };
  if (expected === "reality") return { gate: reality, reality };
  const gate = GATES[input.stage] as StageGate;
  return { gate: gate.decide(gate.inputs(input, profile) as never), reality };
}

/**
 * Recomputes a recorded decision from its recorded `inputs` (which hold every
 * value and threshold the decision used, so no preference or artifact is
 * read again). `which` is "gate" for the stage's own gate, "reality" for its
 * reality gate (at 9 and 12 the two are the same).
 */
export function reevaluateGate(stage: number, which: "gate" | "reality", inputs: Record<string, unknown>): GateResult {
  if (which === "reality" || STAGE_GATE_TYPES[stage] === "reality") {
    if (!isRealityBoundary(stage)) throw new Error(`stage ${stage} has no reality gate`);
    return decideReality(inputs as RealityInputs);
  }
  const gate = GATES[stage];
  if (!gate) throw new Error(`stage ${stage} has no gate`);
  return gate.decide(inputs as never);
}
