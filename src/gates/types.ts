// What gates and the Decision Filter Engine read and return (spec §6, §7.2).
// Everything here is data: gates and the DFE are pure functions of it, so a
// recorded outcome can be re-evaluated later from its recorded inputs.
import type { GateType, UpstreamArtifact, VentureBrief } from "../stages/types.ts";
import type { UrlCheckResult } from "./url-check.ts";

/** A current artifact of a stage in the gated stage's phase (for reality gates): no content, just its standing. */
export interface PhaseArtifact {
  stage: number;
  type: string;
  version: number;
  validationStatus: "pending" | "validated" | "rejected" | "needs_revision";
  qualityScore: number | null;
}

export interface GateInput {
  stage: number;
  gateType: GateType;
  /** The stage closes a phase: a reality gate is evaluated on leaving it (5, 9, 12, 16, 20). */
  realityGate: boolean;
  venture: VentureBrief;
  /** The stage's new primary artifact (analysis + derived fields). */
  artifact: Record<string, unknown>;
  /** The upstream artifacts of the stage's contract, by type. */
  upstream: Record<string, UpstreamArtifact>;
  /** The current artifacts of every stage of the stage's phase, including this stage's new one. */
  phaseArtifacts: PhaseArtifact[];
  /** Chairman preferences in force for the venture (venture scope over global), key → value. */
  preferences: Record<string, string>;
  /** The Chairman's latest decision at each Chairman gate the venture passed, by stage (e.g. 22 → "release"). */
  chairmanDecisions?: Record<number, string>;
  /** At a reality gate: the URLs the phase's artifacts name, as checked before the gate (src/gates/url-check.ts). */
  urlChecks?: UrlCheckResult[];
}

/** One gate's enum decision (spec §7.2): decision, rationale, and what it was decided from. */
export interface GateDecision {
  decision: string;
  rationale: string;
  confidence?: number;
  keyFactors?: string[];
  /** The checks made, each passed or not, so a person can see why (blockers decide; warnings inform). */
  checks: { name: string; passed: boolean; detail: string; severity?: "blocker" | "warning"; nextAction?: string }[];
  /** The exact values the decision was computed from. */
  inputs: Record<string, unknown>;
}

export interface GateEvaluation {
  /** The stage's own gate (its gate_type), null when it has none. */
  gate: GateDecision | null;
  /** The reality gate on leaving a phase, null when the stage closes none. For stages 9 and 12 it is also `gate`. */
  reality: GateDecision | null;
}
