// What a stage run may spend on its LLM calls, and the Devil's Advocate's
// review as the artifact it is recorded as: the engine's budget and review
// bookkeeping, kept out of the engine's flow.
import type { DevilsAdvocateOutcome } from "../gates/devils-advocate.ts";
import type { DfeInput } from "../gates/dfe.ts";
import type { TokenAllowance } from "../llm/types.ts";
import type { StageContextRow } from "./context.ts";

type Budget = StageContextRow["budget"];

/** The tighter of the venture's and the phase's remaining budget, less what this run already spent; none: no limit. */
export function stageAllowance(budget: Budget, spent = 0): TokenAllowance | undefined {
  const venture = budget.ventureRemaining;
  const phase = budget.phaseRemaining;
  if (venture === null && phase === null) return undefined;
  const byPhase = phase !== null && (venture === null || phase <= venture);
  return byPhase
    ? { remaining: (phase as number) - spent, what: `the phase ${budget.phase} budget` }
    : { remaining: (venture as number) - spent, what: "the venture's budget" };
}

/** The phase budget as the DFE's cost trigger reads it, this run's spend included. */
export function phaseBudgetForDfe(budget: Budget, spent: number): DfeInput["budget"] {
  return {
    phase: budget.phase,
    limit: budget.phaseLimit,
    spent: budget.phaseSpent === null ? null : budget.phaseSpent + spent,
  };
}

/** Tokens in a list of the engine's charges. */
export function chargedTokens(charges: object[]): number {
  return charges.reduce<number>((sum, c) => {
    const { promptTokens, completionTokens } = c as { promptTokens?: number; completionTokens?: number };
    return sum + (promptTokens ?? 0) + (completionTokens ?? 0);
  }, 0);
}

export const DEVILS_ADVOCATE_ARTIFACT = "devils_advocate_review";

/**
 * The review as its own versioned artifact: its own provenance (the adversary's
 * model) and classification (simulation offline, a model's assumption
 * otherwise), with the artifact it reviewed as its evidence.
 */
export function devilsAdvocateArtifact(
  review: Extract<DevilsAdvocateOutcome, { status: "reviewed" }>,
  reviewed: { stage: number; type: string },
) {
  return {
    artifactType: DEVILS_ADVOCATE_ARTIFACT,
    content: review.review,
    qualityScore: null,
    epistemicClassification: review.epistemic,
    epistemicEvidence: {
      analyst: review.provenance.analyst,
      role: "devils_advocate",
      // The reviewed version is the one written in the same run (same stage_work_id).
      reviewed: { stage: reviewed.stage, type: reviewed.type },
    },
    provenance: review.provenance,
  };
}

/** What the gate outcome keeps of the review: the verdict and a reference to the artifact holding it. */
export function devilsAdvocateGateEntry(review: DevilsAdvocateOutcome) {
  return review.status === "reviewed"
    ? {
        status: "reviewed",
        artifactType: DEVILS_ADVOCATE_ARTIFACT,
        verdict: review.review.verdict,
        summary: review.review.summary,
        review: review.review,
        provenance: review.provenance,
      }
    : { status: "skipped", reason: review.reason };
}
