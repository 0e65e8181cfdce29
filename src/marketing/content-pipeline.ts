// The content lifecycle's two analysis steps, as a stage run does them: load
// the context in one call, check the venture's token budget, run the
// analysis under a task contract and behind the venture's and provider's
// circuit breakers, and record the result through one SQL function that
// moves the content on (GENERATE → REVIEW; REVIEW → SCHEDULE or back to
// GENERATE with the feedback, or blocked after too many loops). A step that
// finds its content already past it does nothing, so a retried job is safe.
import { sql } from "kysely";
import type { Database } from "../db/client.ts";
import { AnalysisFailed, type Analyst, type LlmUsage, type TokenAllowance, TokenBudgetExceeded } from "../llm/types.ts";
import { circuitsFor, isCircuitFailure } from "../orchestration/circuit-breakers.ts";
import { type ContractRun, runUnderContract, workerIdentity } from "../orchestration/contracts.ts";
import { reviewContent } from "./brand-review.ts";
import { type ContentContext, loadContentContext, marketingBrief } from "./content-context.ts";
import { generateContent } from "./content-generator.ts";

export type ContentStepOutcome =
  | { outcome: "noop"; contentId: string; detail: string }
  | { outcome: "reviewing"; contentId: string; generation: number; variants: number }
  | { outcome: "scheduled" | "regenerate"; contentId: string; generation: number; feedback: string[] }
  | { outcome: "blocked"; contentId: string; reason: string }
  /** A circuit breaker is open: no call was made; the step's job waits until `retryAt`. */
  | { outcome: "deferred"; contentId: string; retryAt: string; reason: string };

export interface ContentStepOptions {
  /** The job's last attempt: a retryable failure blocks the content instead of throwing for a retry. */
  finalAttempt?: boolean;
  claimedBy?: string;
  log?: (line: string) => void;
}

function allowance(ctx: ContentContext): TokenAllowance | undefined {
  const { ventureRemaining, phaseRemaining, phase } = ctx.budget;
  const limits = [
    ventureRemaining === null ? null : { remaining: ventureRemaining, what: `${ctx.venture.name}'s token budget` },
    phaseRemaining === null ? null : { remaining: phaseRemaining, what: `${ctx.venture.name}'s phase ${phase} budget` },
  ].filter((x): x is TokenAllowance => x !== null);
  return limits.sort((a, b) => a.remaining - b.remaining)[0];
}

function charge(usage: LlmUsage, provenance: object) {
  return { ...usage, provenance };
}

async function block(db: Database, contentId: string, reason: string): Promise<ContentStepOutcome> {
  await sql`select eva_private.fn_marketing_block_content(${contentId}::uuid, ${reason})`.execute(db);
  return { outcome: "blocked", contentId, reason };
}

/** Charges what a failed analysis cost (its attempts' tokens) to the venture. */
async function chargeFailed(db: Database, ctx: ContentContext, error: AnalysisFailed, step: string): Promise<void> {
  if (error.usage.promptTokens + error.usage.completionTokens === 0) return;
  await sql`select eva.fn_charge_tokens(${ctx.venture.id}::uuid, ${ctx.venture.stage}, null, 'content',
    ${error.usage.promptTokens}, ${error.usage.completionTokens}, ${error.usage.estimated},
    ${JSON.stringify({ failed: true, attempts: error.attempts, error: error.message, content_id: ctx.content.id, step })}::jsonb)`.execute(
    db,
  );
}

/**
 * Runs `analysis` under a contract for the content's step; turns an open
 * circuit into a deferred job and a failure into a retry (thrown) or a block.
 */
async function underContract<T>(
  db: Database,
  analyst: Analyst,
  ctx: ContentContext,
  step: "generate" | "review",
  options: ContentStepOptions,
  analysis: () => Promise<T>,
): Promise<{ value: T } | { outcome: ContentStepOutcome }> {
  const contentId = ctx.content.id;
  const budget = allowance(ctx);
  // A step an open circuit deferred left its contract pending: the retry takes that one up again.
  const { rows: pending } = await sql<{ id: string }>`
    select id from eva.agent_task_contracts
    where venture_id = ${ctx.venture.id}::uuid and status = 'pending' and action = ${`content_${step}`}
      and context ->> 'contentId' = ${contentId}
    order by created_at desc limit 1`.execute(db);
  let ran: ContractRun<T>;
  try {
    ran = await runUnderContract(
      db,
      {
        kind: "service",
        targetAgent: "MARKETING_CONTENT",
        action: `content_${step}`,
        ventureId: ctx.venture.id,
        stage: ctx.venture.stage,
        tokenBudget: budget ? Math.max(0, Math.min(budget.remaining, 2_147_483_647)) : null,
        circuits: circuitsFor(analyst),
        context: { contentId, cycle: ctx.content.cycle, generation: ctx.content.generation },
        ...(pending[0] ? { contractId: pending[0].id } : {}),
      },
      analysis,
      { claimedBy: options.claimedBy ?? workerIdentity() },
    );
  } catch (error) {
    if (!(error instanceof AnalysisFailed)) throw error;
    await chargeFailed(db, ctx, error, step);
    if (error instanceof TokenBudgetExceeded) {
      return { outcome: await block(db, contentId, `the ${step} step refused a call: ${error.message}`) };
    }
    if ((error.retryable || isCircuitFailure(error)) && !options.finalAttempt) throw error;
    return { outcome: await block(db, contentId, `the ${step} analysis failed: ${error.message}`) };
  }
  if (ran.status === "deferred") {
    await sql`select eva_private.fn_marketing_enqueue(${contentId}::uuid, ${step}, ${ran.retryAt}::timestamptz)`.execute(
      db,
    );
    const reason = `circuit open (${ran.refusedBy.join(", ")}): no call made; the ${step} step waits until ${ran.retryAt}`;
    options.log?.(`content ${contentId} deferred: ${reason}`);
    return { outcome: { outcome: "deferred", contentId, retryAt: ran.retryAt, reason } };
  }
  return { value: ran.value };
}

/** GENERATE: writes the content's next generation of variants and moves it to REVIEW. */
export async function runContentGeneration(
  db: Database,
  analyst: Analyst,
  contentId: string,
  options: ContentStepOptions = {},
): Promise<ContentStepOutcome> {
  let ctx = await loadContentContext(db, contentId);
  if (!ctx) return { outcome: "noop", contentId, detail: "no such content" };
  if (ctx.content.status !== "active") return { outcome: "noop", contentId, detail: "the content is blocked" };
  if (ctx.content.lifecycle_state === "IDEATE") {
    const brief = marketingBrief(ctx);
    await sql`select marketing.fn_content_transition(${contentId}::uuid, 'GENERATE', ${JSON.stringify({
      stage: ctx.venture.stage,
      platforms: brief.platforms,
      sources: brief.sources,
    })}::jsonb)`.execute(db);
    ctx = (await loadContentContext(db, contentId)) as ContentContext;
  }
  if (ctx.content.lifecycle_state !== "GENERATE") {
    return { outcome: "noop", contentId, detail: `the content is in ${ctx.content.lifecycle_state}` };
  }
  const budget = allowance(ctx);
  if (budget && budget.remaining <= 0) {
    return block(db, contentId, `token budget exhausted: ${budget.what} has none left`);
  }
  const brief = marketingBrief(ctx);
  const started = performance.now();
  const ran = await underContract(db, analyst, ctx, "generate", options, () =>
    generateContent(analyst, brief, { contentType: ctx.content.content_type, ...(budget ? { budget } : {}) }),
  );
  if ("outcome" in ran) return ran.outcome;
  const { output, variants, result } = ran.value;
  const latencyMs = Math.round((performance.now() - started) * 1000) / 1000;
  await sql`select eva_private.fn_marketing_record_generation(${contentId}::uuid, ${JSON.stringify(variants)}::jsonb,
    ${output.conceptTags}::text[], ${JSON.stringify(charge(result.usage, { ...result.provenance, latencyMs }))}::jsonb,
    ${JSON.stringify({
      epistemic_classification: result.epistemic,
      provenance: result.provenance,
      angle: output.angle,
      platforms: brief.platforms,
      sources: brief.sources,
      addressed_feedback: brief.feedback,
    })}::jsonb)`.execute(db);
  options.log?.(
    `content ${contentId}: generation ${ctx.content.generation + 1} (${variants.length} variants) → REVIEW`,
  );
  return { outcome: "reviewing", contentId, generation: ctx.content.generation + 1, variants: variants.length };
}

/** REVIEW: the brand-compliance review; passed → SCHEDULE, failed → GENERATE with feedback (or blocked). */
export async function runContentReview(
  db: Database,
  analyst: Analyst,
  contentId: string,
  options: ContentStepOptions = {},
): Promise<ContentStepOutcome> {
  const ctx = await loadContentContext(db, contentId);
  if (!ctx) return { outcome: "noop", contentId, detail: "no such content" };
  if (ctx.content.status !== "active") return { outcome: "noop", contentId, detail: "the content is blocked" };
  if (ctx.content.lifecycle_state !== "REVIEW") {
    return { outcome: "noop", contentId, detail: `the content is in ${ctx.content.lifecycle_state}` };
  }
  const brief = marketingBrief(ctx);
  const budget = allowance(ctx);
  const started = performance.now();
  const ran = await underContract(db, analyst, ctx, "review", options, () =>
    reviewContent(analyst, brief, ctx.variants, budget ? { budget } : {}),
  );
  if ("outcome" in ran) return ran.outcome;
  const review = ran.value;
  const latencyMs = Math.round((performance.now() - started) * 1000) / 1000;
  const judged = review.judgement;
  // Code's checks alone are measured; a model's judgement is an assumption, the offline analyst's a simulation.
  const epistemic = judged ? judged.epistemic : "fact";
  const provenance = judged
    ? { ...judged.provenance, latencyMs }
    : { analyst: "code", detail: "deterministic checks failed: no model call made" };
  const { rows } = await sql<{ r: { outcome: string; reason?: string } }>`
    select eva_private.fn_marketing_record_review(${contentId}::uuid, ${ctx.content.generation}, ${review.passed},
      ${JSON.stringify(review.checks)}::jsonb, ${review.feedback}::text[], ${epistemic}::eva.epistemic_classification,
      ${JSON.stringify(provenance)}::jsonb,
      ${judged ? JSON.stringify(charge(judged.usage, { ...judged.provenance, latencyMs })) : null}::jsonb) as r`.execute(
    db,
  );
  const r = rows[0]?.r;
  options.log?.(`content ${contentId}: review of generation ${ctx.content.generation}: ${r?.outcome}`);
  if (r?.outcome === "blocked") return { outcome: "blocked", contentId, reason: String(r.reason) };
  return {
    outcome: r?.outcome === "scheduled" ? "scheduled" : "regenerate",
    contentId,
    generation: ctx.content.generation,
    feedback: review.feedback,
  };
}

/**
 * Runs a content item through generation and review in this process until it
 * is scheduled, blocked or deferred (the CLI's `--wait`); each step is the
 * same one a worker runs, so a worker racing it finds the work done.
 */
export async function runContentToSchedule(
  db: Database,
  analyst: Analyst,
  contentId: string,
  options: ContentStepOptions & { onStep?: (outcome: ContentStepOutcome) => void } = {},
): Promise<ContentStepOutcome> {
  for (let guard = 0; guard < 20; guard++) {
    const ctx = await loadContentContext(db, contentId);
    if (!ctx) return { outcome: "noop", contentId, detail: "no such content" };
    if (ctx.content.status === "blocked") {
      return { outcome: "blocked", contentId, reason: ctx.content.blocked_reason ?? "blocked" };
    }
    const state = ctx.content.lifecycle_state;
    const step =
      state === "IDEATE" || state === "GENERATE"
        ? await runContentGeneration(db, analyst, contentId, { ...options, finalAttempt: true })
        : state === "REVIEW"
          ? await runContentReview(db, analyst, contentId, { ...options, finalAttempt: true })
          : ({ outcome: "noop", contentId, detail: `the content is in ${state}` } as const);
    options.onStep?.(step);
    if (step.outcome === "scheduled" || step.outcome === "blocked" || step.outcome === "deferred") return step;
    if (step.outcome === "noop") return step;
  }
  return { outcome: "noop", contentId, detail: "stopped after 20 steps" };
}
