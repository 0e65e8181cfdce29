// One analysis call of Stage 0 (an entry path, a synthesis component, the
// forecast): through the analyst, checked against what the ideation budget has
// left, its usage and provenance kept so every call is charged to the budget.
import type { z } from "zod";
import type { AnalysisResult, Analyst, LlmUsage, Provenance, TokenAllowance } from "../../llm/types.ts";
import type { Prompt, Rng } from "../../stages/types.ts";

export interface CallRecord {
  /** What the call was for: "path:discovery_mode", "cross_reference", "forecast", … */
  purpose: string;
  schemaName: string;
  usage: LlmUsage;
  provenance: Provenance;
  epistemic: "simulation" | "assumption";
}

/** The calls of one brief, and the ideation budget they draw on. */
export class CallLedger {
  readonly calls: CallRecord[] = [];
  private readonly budget: TokenAllowance | undefined;
  constructor(budget?: TokenAllowance) {
    this.budget = budget;
  }

  spent(): number {
    return this.calls.reduce((s, c) => s + c.usage.promptTokens + c.usage.completionTokens, 0);
  }

  /**
   * The allowance one call gets: what the budget has left after this brief's
   * earlier calls, split evenly among `concurrent` calls made side by side so
   * together they cannot overshoot it.
   */
  allowance(concurrent = 1): TokenAllowance | undefined {
    if (!this.budget) return undefined;
    const left = Math.max(0, this.budget.remaining - this.spent());
    return {
      remaining: Math.floor(left / Math.max(1, concurrent)),
      what: this.budget.what,
    };
  }

  /** The brief's epistemic label: a simulation if any call was one, else a model's assumption. */
  epistemic(): "simulation" | "assumption" {
    return this.calls.some((c) => c.epistemic === "simulation") ? "simulation" : "assumption";
  }
}

export interface StageZeroCallContext {
  analyst: Analyst;
  ledger: CallLedger;
  signal?: AbortSignal;
}

export async function ask<T>(
  ctx: StageZeroCallContext,
  call: {
    purpose: string;
    schemaName: string;
    schema: z.ZodType<T>;
    prompt: Prompt;
    simulate: (rng: Rng) => T;
    /** Calls running side by side with this one (they share what is left of the budget). */
    concurrent?: number;
  },
): Promise<T> {
  const budget = ctx.ledger.allowance(call.concurrent ?? 1);
  const result: AnalysisResult<T> = await ctx.analyst.analyze({
    schemaName: call.schemaName,
    schema: call.schema,
    prompt: call.prompt,
    simulate: call.simulate,
    ...(budget ? { budget } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  ctx.ledger.calls.push({
    purpose: call.purpose,
    schemaName: call.schemaName,
    usage: result.usage,
    provenance: result.provenance,
    epistemic: result.epistemic,
  });
  return result.output;
}
