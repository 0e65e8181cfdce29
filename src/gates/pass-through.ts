// Until the gate functions of spec §7.2/§8 are written, a gated stage records
// the passing outcome of its gate type, saying plainly that no gate logic ran.
import type { GateType } from "../stages/types.ts";

export interface GateOutcome {
  decision: string;
  rationale: string;
  /** The Chairman gate's recommended action (a chairman_decision_options value). */
  recommendedAction?: string;
  [detail: string]: unknown;
}

const PASSING: Record<Exclude<GateType, "none">, string> = {
  kill: "pass",
  reality: "pass",
  promotion: "release",
  build_readiness: "go",
  sprint_completion: "complete",
  quality: "pass",
  review: "approve",
  venture_decision: "continue",
};

const RECOMMENDED: Record<number, string> = { 10: "approve", 22: "release", 25: "continue" };

export function passThroughGate(gateType: GateType, stage: number): GateOutcome | null {
  const recommendedAction = RECOMMENDED[stage];
  if (gateType === "none") {
    return recommendedAction ? { decision: "none", rationale: "no gate", recommendedAction } : null;
  }
  return {
    decision: PASSING[gateType],
    rationale: `pass-through: the ${gateType} gate's rules are not evaluated yet`,
    passThrough: true,
    ...(recommendedAction ? { recommendedAction } : {}),
  };
}
