// Stage 25's venture_decision gate (spec §7.2, §8.6): the Chairman decides the
// venture's future; the gate reports the analysis's recommendation
// (continue / pivot / expand / sunset / exit) with the health it rests on.
import {
  check,
  failedBlockers,
  failedWarnings,
  type GateCheck,
  type GateResult,
  gateResult,
  listing,
  num,
  oneOf,
  rec,
  str,
} from "./shared.ts";
import type { GateInput } from "./types.ts";

export const VENTURE_DECISIONS = ["continue", "pivot", "expand", "sunset", "exit"] as const;
export type VentureDecisionValue = (typeof VENTURE_DECISIONS)[number];

/** What the gate reports when the artifact carries no valid recommendation: the health band's plain reading. */
const BY_BAND: Record<string, VentureDecisionValue> = {
  critical: "sunset",
  fragile: "pivot",
  viable: "continue",
  strong: "continue",
};

export type Stage25Inputs = {
  recommendation: string | null;
  confidence: string | null;
  keyFactors: string[];
  healthBand: string | null;
  healthOverall: number | null;
};

export function stage25Inputs(input: GateInput): Stage25Inputs {
  const decision = rec(input.artifact.ventureDecision);
  const health = rec(input.artifact.ventureHealth);
  return {
    recommendation: str(decision.decision),
    confidence: str(decision.confidence),
    keyFactors: Array.isArray(decision.keyFactors)
      ? decision.keyFactors.filter((k): k is string => typeof k === "string")
      : [],
    healthBand: str(health.band),
    healthOverall: num(health.overall),
  };
}

/**
 * The decision is the artifact's ventureDecision.decision. Without a valid one
 * (an older or broken artifact) the gate falls back on the health band —
 * critical → sunset, fragile → pivot, viable or strong → continue, no band →
 * pivot — and says so as a blocker. A recommendation at odds with the health
 * band (expand while fragile or critical, continue while critical) is a
 * warning for the Chairman, not a change of recommendation.
 */
export function decideStage25(inputs: Stage25Inputs): GateResult {
  const valid = oneOf(inputs.recommendation, VENTURE_DECISIONS);
  const band = inputs.healthBand;
  const decision = valid ?? (band ? (BY_BAND[band] ?? "pivot") : "pivot");
  const atOdds =
    (decision === "expand" && (band === "fragile" || band === "critical")) ||
    (decision === "continue" && band === "critical");
  const checks: GateCheck[] = [
    check(
      "recommendation present",
      valid !== null,
      valid
        ? `recommendation ${valid} (${inputs.confidence ?? "unstated"} confidence)`
        : `no valid recommendation (${inputs.recommendation ?? "none"}); reported ${decision} from the health band ${band ?? "(none)"}`,
      "blocker",
      "Re-run Stage 25 so the analysis recommends a venture decision",
    ),
    check(
      "recommendation consistent with health",
      !atOdds,
      `${decision} with health ${inputs.healthOverall ?? "?"}/100 (${band ?? "no band"})`,
      "warning",
      "Weigh the recommendation against the venture's health before deciding",
    ),
  ];
  const problems = [...failedBlockers(checks), ...failedWarnings(checks)];
  const rationale = `Recommendation for the Chairman: ${decision}${valid ? ` (${inputs.confidence ?? "unstated"} confidence; ${listing(inputs.keyFactors.slice(0, 3)) || "no key factors given"})` : ""}; health ${inputs.healthOverall ?? "?"}/100 (${band ?? "no band"}). The Chairman decides.${problems.length ? ` Note: ${listing(problems.map((c) => c.detail))}.` : ""}`;
  return gateResult(decision, rationale, checks, inputs);
}
