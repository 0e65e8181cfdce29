// The saga engine's TypeScript half (spec §15): step definitions per saga
// type and the one place a step runs. SQL owns the state (eva.eva_sagas,
// eva.eva_saga_steps and the transition functions eva_private.fn_saga_* /
// eva.fn_saga_pause|resume|cancel); a saga_step job (src/tasks/saga-step.ts)
// asks SQL whether its step may run, runs it here, and records the outcome
// through SQL. A step recorded completed or skipped is never run again.
import { sql } from "kysely";
import type { Database } from "../../db/client.ts";
import { EvaErrorCode, sqlState } from "../../db/errors.ts";
import type { Analyst } from "../../llm/types.ts";
import { circuitsFor } from "../circuit-breakers.ts";
import { runUnderContract } from "../contracts.ts";
import { ATTR, withSpan } from "../tracing.ts";

/** What a step returns: done (completed / skipped with a reason), wait for a scheduler time, or pause the saga. */
export type StepOutcome =
  | { status: "completed"; result?: Record<string, unknown> }
  | { status: "skipped"; reason: string; result?: Record<string, unknown> }
  | { status: "wait"; until: Date; progress?: Record<string, unknown> }
  | { status: "pause"; reason: string };

/** A step's failure. `retry: false` when a retry cannot help (the saga's failure rule applies at once). */
export class StepError extends Error {
  override name = "StepError";
  readonly retry: boolean;
  readonly result: Record<string, unknown>;
  constructor(message: string, options: { retry?: boolean; result?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.retry = options.retry ?? true;
    this.result = options.result ?? {};
  }
}

/** The saga row as the step sees it (eva.eva_sagas). */
export interface SagaRow {
  id: string;
  venture_id: string;
  saga_type: string;
  current_step: string;
  status: string;
  context: Record<string, unknown>;
  steps: string[];
  max_retries: number;
  step_attempts: number;
  started_at: string;
}

export interface StepContext {
  saga: SagaRow;
  step: string;
  /** The attempt of this step (1 for the first). */
  attempt: number;
  /** The scheduler's time when the step began (eva.fn_scheduler_now()). */
  now: Date;
  /** Earlier steps' recorded results, by step name. */
  results: Record<string, Record<string, unknown>>;
  deps: SagaDeps;
}

export interface SagaDeps {
  /** Acts as eva_service. */
  db: Database;
  analyst: Analyst;
  /** The archive store's folder (default: EVA_ARCHIVE_DIR, else .eva/archive). */
  archiveDir?: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export interface StepDefinition {
  name: string;
  /** Runs the step; absent for steps the SQL functions that own a saga record (driver sql). */
  run?: (ctx: StepContext) => Promise<StepOutcome>;
  /** When the retries are spent (or the error is not retryable): pause the saga or fail it. */
  onExhausted: "pause" | "fail";
  /** The step calls the model: it passes through the venture's (and the provider's) circuit breakers. */
  callsModel?: boolean;
}

export interface SagaDefinition {
  type: string;
  /** worker: each step is a saga_step job; sql: the functions that own the saga record its steps. */
  driver: "worker" | "sql";
  steps: StepDefinition[];
  summary: string;
}

const registry = new Map<string, SagaDefinition>();

/** Registers a saga type's definition (the three sagas register in ./definitions.ts; the bench adds its own). */
export function defineSaga(definition: SagaDefinition): SagaDefinition {
  registry.set(definition.type, definition);
  return definition;
}

export function sagaDefinition(type: string): SagaDefinition | undefined {
  return registry.get(type);
}

export function sagaDefinitions(): SagaDefinition[] {
  return [...registry.values()];
}

/**
 * THE STEP RUNNER: every step of every worker-driven saga runs through here,
 * once per attempt, under its task contract (kind saga_step; spec §3). A step
 * that calls the model (`callsModel`) passes through the venture's circuit
 * breakers: while one is open the step does not run — the saga pauses with
 * the reason (no retry spent), its contract stays pending, and the half-open
 * release (eva_private.fn_circuit_release_due) resumes the saga when the
 * circuit half-opens; the step then runs under the same contract.
 */
export async function runSagaStep(definition: StepDefinition, ctx: StepContext): Promise<StepOutcome> {
  const run = definition.run;
  if (!run) {
    throw new StepError(`step ${definition.name} is recorded by SQL, not run by a worker`, { retry: false });
  }
  const attributes = {
    [ATTR.ventureId]: ctx.saga.venture_id,
    "eva.saga.id": ctx.saga.id,
    "eva.saga.type": ctx.saga.saga_type,
    "eva.saga.step": ctx.step,
    "eva.saga.attempt": ctx.attempt,
  };
  return withSpan("eva.saga_step", attributes, async (span) => {
    const ran = await runUnderContract(
      ctx.deps.db,
      {
        kind: "saga_step",
        targetAgent: "SAGA_ENGINE",
        action: `${ctx.saga.saga_type}.${ctx.step}`,
        ventureId: ctx.saga.venture_id,
        sagaId: ctx.saga.id,
        sagaStep: ctx.step,
        attempt: ctx.attempt,
        circuits: definition.callsModel ? circuitsFor(ctx.deps.analyst) : [],
      },
      () => run(ctx),
      // A step that returned is a call that succeeded, whatever it decided (pause, wait, skip).
      { settle: (outcome) => ({ status: "completed", result: { outcome: outcome.status }, call: "succeeded" }) },
    );
    if (ran.status === "deferred") {
      span.setAttribute(ATTR.outcome, "deferred");
      return {
        status: "pause",
        reason: `circuit open: ${ran.refusedBy.join(", ")} (half-opens at ${ran.retryAt}; the saga resumes then)`,
      } as const;
    }
    span.setAttribute(ATTR.outcome, ran.value.status);
    return ran.value;
  });
}

interface BeginAnswer {
  run: boolean;
  reason?: string;
  saga?: SagaRow;
  now?: string;
  attempt?: number;
  results?: Record<string, Record<string, unknown>>;
}

export type StepJobResult =
  | { ran: false; reason: string }
  | { ran: true; outcome: StepOutcome["status"] | "failed"; detail?: string };

/**
 * One saga_step job: asks SQL whether the step may run, runs it, records what
 * happened. The step runs on one connection holding a session advisory lock
 * on the saga, so two jobs of one saga never run at once (a re-queued job
 * beside a still-running one waits, then finds the step recorded); a worker
 * that dies drops its connection and with it the lock, so recovery is not
 * delayed.
 */
export async function executeSagaStep(deps: SagaDeps, sagaId: string, step: string): Promise<StepJobResult> {
  return deps.db.connection().execute(async (conn) => {
    const key = `saga:${sagaId}`;
    // Waits while another job of this saga holds it (typically the step before, still recording).
    await sql`select pg_advisory_lock(hashtext(${key}))`.execute(conn);
    try {
      return await executeLocked({ ...deps, db: conn }, sagaId, step);
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${key}))`.execute(conn);
    }
  });
}

async function executeLocked(deps: SagaDeps, sagaId: string, step: string): Promise<StepJobResult> {
  const { rows } = await sql<{ r: BeginAnswer }>`
    select eva_private.fn_saga_step_begin(${sagaId}::uuid, ${step}) as r`.execute(deps.db);
  const begin = rows[0]?.r;
  if (!begin?.run || !begin.saga) return { ran: false, reason: begin?.reason ?? "no answer" };
  const definition = sagaDefinition(begin.saga.saga_type);
  const stepDef = definition?.steps.find((s) => s.name === step);
  if (!definition || !stepDef) {
    await recordFailure(
      deps,
      sagaId,
      step,
      `no definition of step ${step} for ${begin.saga.saga_type}`,
      "pause",
      false,
    );
    return { ran: true, outcome: "failed", detail: "no definition" };
  }
  const ctx: StepContext = {
    saga: begin.saga,
    step,
    attempt: begin.attempt ?? 1,
    now: new Date(begin.now ?? Date.now()),
    results: begin.results ?? {},
    deps,
  };
  let outcome: StepOutcome;
  try {
    outcome = await runSagaStep(stepDef, ctx);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const retry = error instanceof StepError ? error.retry : true;
    const result = error instanceof StepError ? error.result : {};
    await recordFailure(deps, sagaId, step, message, stepDef.onExhausted, retry, result);
    return { ran: true, outcome: "failed", detail: message };
  }
  try {
    switch (outcome.status) {
      case "completed":
        await sql`select eva_private.fn_saga_step_done(${sagaId}::uuid, ${step}, 'completed',
          ${JSON.stringify(outcome.result ?? {})}::jsonb)`.execute(deps.db);
        break;
      case "skipped":
        await sql`select eva_private.fn_saga_step_done(${sagaId}::uuid, ${step}, 'skipped',
          ${JSON.stringify({ reason: outcome.reason, ...(outcome.result ?? {}) })}::jsonb)`.execute(deps.db);
        break;
      case "wait":
        await sql`select eva_private.fn_saga_step_wait(${sagaId}::uuid, ${step}, ${outcome.until.toISOString()}::timestamptz,
          ${JSON.stringify(outcome.progress ?? {})}::jsonb)`.execute(deps.db);
        break;
      case "pause":
        await sql`select eva.fn_saga_pause(${sagaId}::uuid, ${outcome.reason})`.execute(deps.db);
        break;
    }
  } catch (error) {
    // Another attempt recorded it first, or the saga was paused or cancelled meanwhile: nothing to add.
    if (sqlState(error) === EvaErrorCode.illegalTransition) return { ran: false, reason: String(error) };
    throw error;
  }
  return { ran: true, outcome: outcome.status };
}

async function recordFailure(
  deps: SagaDeps,
  sagaId: string,
  step: string,
  message: string,
  onExhausted: "pause" | "fail",
  retry: boolean,
  result: Record<string, unknown> = {},
): Promise<void> {
  try {
    await sql`select eva_private.fn_saga_step_failed(${sagaId}::uuid, ${step}, ${message}, ${onExhausted}, ${retry},
      ${JSON.stringify(result)}::jsonb)`.execute(deps.db);
  } catch (error) {
    if (sqlState(error) !== EvaErrorCode.illegalTransition) throw error;
  }
}

/** Crash recovery: queue every active worker saga's current step again (called when a worker starts). */
export async function resumeActiveSagas(db: Database): Promise<number> {
  const { rows } = await sql<{ n: number }>`select eva_private.fn_saga_resume_all() as n`.execute(db);
  return rows[0]?.n ?? 0;
}
