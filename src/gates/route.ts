// What follows a stage run (pure): the gate's decision and the Decision
// Filter Engine's output become one route that eva.fn_record_stage_result
// carries out — advance, escalate to the Chairman, run a stage again with the
// reason as feedback, kill, block, or hand a failed reality gate to its retry
// saga. Chairman gates (10, 22, 25) are not routed here: the database opens
// the Chairman's decision for them.
import type { RealityCheck } from "./reality.ts";
import type { GateEvaluation } from "./types.ts";

export interface DfeSummary {
  output: "AUTO_PROCEED" | "PRESENT_TO_CHAIRMAN" | "PRESENT_TO_CHAIRMAN_WITH_MITIGATIONS";
  triggers: { type: string; detail: string }[];
  mitigations: string[];
  recommendedAction: "proceed" | "block" | "modify_thresholds";
  patternSignature: string;
}

export type Route =
  | { action: "advance"; dfe?: DfeSummary }
  | { action: "escalate"; reason: string; recommendedAction: string; dfe: DfeSummary }
  | { action: "rerun"; stage: number; reason: string; transitionType: "revise"; dfe?: DfeSummary }
  | { action: "kill"; reason: string; dfe?: DfeSummary }
  | { action: "block"; reason: string; dfe?: DfeSummary }
  | RealityRetryRoute;

/**
 * A failed reality gate, for the Reality Gate Retry saga (spec §15,
 * eva_private.fn_reality_retry_step): the failed checks, each with the stage
 * whose artifact it read, and the earliest of those stages, where the retry
 * starts (it and every stage after it up to the gate run again, with the
 * failures as feedback). The saga counts the retries and kills after its last.
 */
export interface RealityRetryRoute {
  action: "reality_retry";
  /** The stage the retry re-runs first (the earliest responsible one). */
  stage: number;
  /** The gate's stage (5, 9, 12, 16 or 20). */
  boundary: number;
  reason: string;
  responsibleStages: number[];
  failedChecks: { name: string; detail: string; nextAction?: string; stage: number; artifactType: string }[];
  dfe?: DfeSummary;
}

/** How many runs of a stage the loops below allow before giving up. */
export const MAX_RUNS = 3;
/** A sprint may take more iterations (Stage 19 "continue"). */
export const MAX_SPRINT_RUNS = 5;

/** Where a kill gate's "revise" sends the venture back to (spec §8.1: Stage 3 revise → Stage 2 re-analysis). */
export const REVISE_TARGET: Record<number, number> = { 3: 2, 5: 4, 13: 13, 23: 23 };

export interface RouteInput {
  stage: number;
  chairmanGate: boolean;
  evaluation: GateEvaluation;
  dfe: DfeSummary | null;
  /** This run's number for the stage (1 on the first run). */
  runNumber: number;
}

const again = (stage: number, reason: string): Route => ({ action: "rerun", stage, reason, transitionType: "revise" });

export function routeStageResult(input: RouteInput): Route {
  const { stage, evaluation, runNumber } = input;
  const dfe = input.dfe ?? undefined;
  const withDfe = <R extends Route>(route: R): R => (dfe ? { ...route, dfe } : route);
  if (input.chairmanGate) return withDfe({ action: "advance" });

  const reality = evaluation.reality;
  if (reality && reality.decision === "fail") {
    // Reality Gate Retry saga (spec §15): identify the failure, map it to the responsible stages.
    const failedChecks = reality.checks
      .filter((c) => !c.passed && c.severity === "blocker")
      .map((c) => {
        const { name, detail, nextAction, stage: s, artifactType } = c as RealityCheck;
        return {
          name,
          detail,
          ...(nextAction ? { nextAction } : {}),
          stage: typeof s === "number" ? s : stage,
          artifactType: artifactType ?? "",
        };
      });
    const responsible = [...new Set(failedChecks.map((c) => c.stage))].sort((a, b) => a - b);
    const rerunnable = responsible.filter((s) => s >= 2);
    if (rerunnable.length === 0) {
      return withDfe({
        action: "block",
        reason: `the reality gate failed on Stage 1's Draft Idea, which no analysis can re-run: ${reality.rationale}`,
      });
    }
    return withDfe({
      action: "reality_retry",
      stage: rerunnable[0] as number,
      boundary: stage,
      reason: reality.rationale,
      responsibleStages: responsible,
      failedChecks,
    });
  }

  const gate = evaluation.gate;
  if (gate) {
    const d = gate.decision;
    // A kill's reason is the gate's rationale (the action says it is a kill); a cancel keeps its word.
    if (d === "kill") return withDfe({ action: "kill", reason: gate.rationale });
    if (d === "cancel") return withDfe({ action: "kill", reason: `cancel: ${gate.rationale}` });
    if (d === "revise") {
      const target = REVISE_TARGET[stage] ?? stage;
      return runNumber < MAX_RUNS
        ? withDfe(
            again(target, `stage ${stage} gate decided revise (run ${runNumber} of ${MAX_RUNS}): ${gate.rationale}`),
          )
        : withDfe({
            action: "kill",
            reason: `still "revise" after ${MAX_RUNS} runs of stage ${stage}: ${gate.rationale}`,
          });
    }
    if (d === "continue" && stage === 19) {
      return runNumber < MAX_SPRINT_RUNS
        ? withDfe(again(19, `sprint continues (iteration ${runNumber + 1}): ${gate.rationale}`))
        : withDfe({ action: "block", reason: `the sprint is unfinished after ${MAX_SPRINT_RUNS} iterations` });
    }
    if (d === "fail" && stage === 20) {
      return runNumber < MAX_RUNS
        ? withDfe(again(19, `quality failed: back to sprint execution (${gate.rationale})`))
        : withDfe({ action: "block", reason: `quality still failing after ${MAX_RUNS} runs: ${gate.rationale}` });
    }
    if (d === "reject" && stage === 21) {
      return runNumber < MAX_RUNS
        ? withDfe(again(18, `build review rejected: plan the sprint again (${gate.rationale})`))
        : withDfe({
            action: "block",
            reason: `build review still rejecting after ${MAX_RUNS} runs: ${gate.rationale}`,
          });
    }
    if (["hold", "no_go", "blocked", "fail", "reject"].includes(d)) {
      return withDfe({ action: "block", reason: `the stage ${stage} gate decided "${d}": ${gate.rationale}` });
    }
  }

  if (dfe && dfe.output !== "AUTO_PROCEED") {
    return {
      action: "escalate",
      reason: `Decision Filter Engine: ${dfe.triggers.map((t) => `${t.type} (${t.detail})`).join("; ")}`,
      recommendedAction: dfe.recommendedAction,
      dfe,
    };
  }
  return withDfe({ action: "advance" });
}
