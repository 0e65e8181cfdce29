// The saga engine's TypeScript half (spec §15): step definitions per saga
// type and the one place a step runs. SQL owns the state (eva.eva_sagas,
// eva.eva_saga_steps and the transition functions eva_private.fn_saga_* /
// eva.fn_saga_pause|resume|cancel); a saga_step job (src/tasks/saga-step.ts)
// asks SQL whether its step may run, runs it here, and records the outcome
// through SQL. A step recorded completed or skipped is never run again.
import { EventEmitter } from "node:events";
import { sql } from "kysely";
import type { Database } from "../../db/client.ts";
import { EvaErrorCode, sqlState } from "../../db/errors.ts";
import type { Analyst } from "../../llm/types.ts";
import { circuitsFor, isCircuitFailure } from "../circuit-breakers.ts";
import { finishContract, workerIdentity } from "../contracts.ts";
import { ATTR, withSpan } from "../tracing.ts";

/**
 * Where the worker runs (this module's thread: the process's main thread
 * unless the worker has a thread of its own, as under `eva start`): a saga whose
 * last step a saga_step job here recorded has completed, and that record has
 * committed (eva_private.fn_saga_step_next answered with the saga completed).
 * For callers beside the worker that wait on a saga they started, as a
 * workflow handle's result would, without polling eva.eva_sagas. Elsewhere,
 * read eva.eva_sagas (or the saga.completed event). Returns the unsubscribe.
 */
export function onSagaCompleted(listener: (sagaId: string) => void): () => void {
  completions.on("completed", listener);
  return () => completions.off("completed", listener);
}
const completions = new EventEmitter<{ completed: [sagaId: string] }>();
completions.setMaxListeners(0);

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
 * once per attempt, under its task contract (kind saga_step; spec §3), which
 * eva_private.fn_saga_step_begin opened (claimed and started) with the step's
 * other inputs and eva_private.fn_saga_step_done completes with its record: no
 * round trip of its own. A step that calls the model (`callsModel`) passes
 * through the venture's circuit breakers: while one is open the step does not
 * run — the saga pauses with the reason (no retry spent), its contract stays
 * pending, and the half-open release (eva_private.fn_circuit_release_due)
 * resumes the saga when the circuit half-opens; the step then runs under the
 * same contract. A step that throws fails its contract with the error (a
 * circuit failure counts on the breakers) and the error is rethrown.
 */
export async function runSagaStep(
  definition: StepDefinition,
  ctx: StepContext,
  contract: BegunContract | { deferred: DeferredStep },
): Promise<StepOutcome> {
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
    if ("deferred" in contract) {
      span.setAttribute(ATTR.outcome, "deferred");
      const { refusedBy, retryAt } = contract.deferred;
      return {
        status: "pause",
        reason: `circuit open: ${refusedBy.join(", ")} (half-opens at ${retryAt}; the saga resumes then)`,
      } as const;
    }
    let outcome: StepOutcome;
    try {
      outcome = await run(ctx);
    } catch (error) {
      await finishContract(ctx.deps.db, contract.id, {
        status: "failed",
        error: error instanceof Error ? error.message : String(error),
        call: contract.circuits.length > 0 && isCircuitFailure(error) ? "failed" : null,
      });
      throw error;
    }
    span.setAttribute(ATTR.outcome, outcome.status);
    return outcome;
  });
}

/** The step's task contract as eva_private.fn_saga_step_begin opened it. */
interface BegunContract {
  id: string;
  attempt: number;
  circuits: string[];
  /** Every breaker closed with no failures: a successful call need not be recorded. */
  clean: boolean;
}

interface DeferredStep {
  contractId: string;
  retryAt: string;
  refusedBy: string[];
}

interface BeginAnswer {
  run: boolean;
  reason?: string;
  /** The saga is past this job's step: its current step, for the job to run instead. */
  follow?: string;
  /** The step begun (eva_private.fn_saga_step_next's answer). */
  step?: string;
  saga?: SagaRow;
  now?: string;
  attempt?: number;
  results?: Record<string, Record<string, unknown>>;
  contract?: BegunContract;
  deferred?: DeferredStep;
}

export type StepJobResult =
  | { ran: false; reason: string }
  | { ran: true; outcome: StepOutcome["status"] | "failed"; detail?: string; steps?: number };

/**
 * One saga_step job: asks SQL whether the step may run, runs it, records what
 * happened — then runs the saga's next step the same way, and the one after,
 * until the saga ends, waits, pauses or a step fails. A step's record and the
 * next step's start are one call (eva_private.fn_saga_step_next), and the
 * next step gets no job and waits for no poll (eva_private.fn_saga_enqueue
 * queues none for it); should this worker die, its job — freed by a live
 * worker's heartbeat or queued again by a restart — follows the saga to its
 * current step. The steps run on one connection holding a session advisory
 * lock on the saga, so two jobs of one saga never run at once (a re-queued
 * job beside a still-running one waits, then finds the step recorded); a
 * worker that dies drops its connection and with it the lock, so recovery is
 * not delayed. `sagaType` (the job's payload) names the saga's type; read
 * from the saga when absent.
 */
export async function executeSagaStep(
  deps: SagaDeps,
  sagaId: string,
  step: string,
  sagaType?: string,
): Promise<StepJobResult> {
  return deps.db.connection().execute(async (conn) => {
    const lock = { key: `saga:${sagaId}`, released: false };
    try {
      const locked = { ...deps, db: conn };
      let type = sagaType;
      if (!type) {
        const { rows } = await sql<{ t: string }>`select saga_type::text as t from eva.eva_sagas
          where id = ${sagaId}::uuid`.execute(conn);
        type = rows[0]?.t ?? "";
      }
      let current = step;
      // The lock is taken in the first step's own round trip: it waits while another job of this
      // saga holds it (typically the step before, still recording).
      let begin = await beginStep(locked, sagaId, current, type, true, lock.key);
      if (!begin.run && begin.follow && begin.follow !== current) {
        // This job's step is done: the worker that ran the next ones stopped; the job continues the saga.
        current = begin.follow;
        begin = await beginStep(locked, sagaId, current, type, false);
      }
      let steps = 0;
      for (;;) {
        if (!begin.run || !begin.saga) {
          return steps > 0
            ? { ran: true, outcome: "completed", steps }
            : { ran: false, reason: begin.reason ?? "no answer" };
        }
        const ran = await runBegun(locked, sagaId, current, type, begin, lock);
        steps += 1;
        if (!ran.next) return { ...ran.result, steps };
        begin = ran.next;
        current = ran.next.step ?? current;
      }
    } finally {
      if (!lock.released) await sql`select pg_advisory_unlock(hashtext(${lock.key}))`.execute(conn);
    }
  });
}

/** The circuits a step of `type` passes its contract's breakers through: the analyst's, for a step that calls the model. */
function stepCircuits(deps: SagaDeps, type: string, step: string): string[] {
  return sagaDefinition(type)?.steps.find((s) => s.name === step)?.callsModel ? circuitsFor(deps.analyst) : [];
}

/** The circuits of every step of `type` that calls the model, by step name (for eva_private.fn_saga_step_next). */
function modelStepCircuits(deps: SagaDeps, type: string): Record<string, string[]> {
  const steps = sagaDefinition(type)?.steps.filter((s) => s.callsModel) ?? [];
  return steps.length ? Object.fromEntries(steps.map((s) => [s.name, circuitsFor(deps.analyst)])) : {};
}

/** Asks SQL to begin a step; with `lockKey`, takes the saga's session advisory lock first, in the same statement. */
async function beginStep(
  deps: SagaDeps,
  sagaId: string,
  step: string,
  type: string,
  follow: boolean,
  lockKey?: string,
): Promise<BeginAnswer> {
  const begin = sql`eva_private.fn_saga_step_begin(${sagaId}::uuid, ${step}, ${stepCircuits(deps, type, step)}::text[],
      ${workerIdentity()}, ${follow})`;
  // The lock's CTE row is produced before the step is begun, and each statement of the (volatile)
  // function reads what committed up to then: the step before's record, once its job let the lock go.
  const { rows } = await (lockKey
    ? sql<{ r: BeginAnswer }>`with l as materialized (select pg_advisory_lock(hashtext(${lockKey})))
        select ${begin} as r from l`
    : sql<{ r: BeginAnswer }>`select ${begin} as r`
  ).execute(deps.db);
  return rows[0]?.r ?? { run: false, reason: "no answer" };
}

/** Runs a step SQL began and records its outcome; `next`: the saga's next step, begun in the same call. */
async function runBegun(
  deps: SagaDeps,
  sagaId: string,
  step: string,
  type: string,
  begin: BeginAnswer & { saga?: SagaRow },
  lock: { key: string; released: boolean },
): Promise<{ result: StepJobResult; next?: BeginAnswer }> {
  const saga = begin.saga as SagaRow;
  const contract = begin.contract ?? (begin.deferred ? { deferred: begin.deferred } : undefined);
  const definition = sagaDefinition(saga.saga_type);
  const stepDef = definition?.steps.find((s) => s.name === step);
  if (!definition || !stepDef || !contract) {
    const reason = !contract ? "no task contract opened" : `no definition of step ${step} for ${saga.saga_type}`;
    if (begin.contract) await finishContract(deps.db, begin.contract.id, { status: "failed", error: reason });
    await recordFailure(deps, sagaId, step, reason, "pause", false);
    return { result: { ran: true, outcome: "failed", detail: "no definition" } };
  }
  const ctx: StepContext = {
    saga,
    step,
    attempt: begin.attempt ?? 1,
    now: new Date(begin.now ?? Date.now()),
    results: begin.results ?? {},
    deps,
  };
  let outcome: StepOutcome;
  try {
    outcome = await runSagaStep(stepDef, ctx, contract);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const retry = error instanceof StepError ? error.retry : true;
    const result = error instanceof StepError ? error.result : {};
    await recordFailure(deps, sagaId, step, message, stepDef.onExhausted, retry, result);
    return { result: { ran: true, outcome: "failed", detail: message } };
  }
  // A step that returned is a call that succeeded, whatever it decided (pause, wait, skip); a success on
  // breakers that were all closed with no failures changes nothing: not recorded.
  const started = "deferred" in contract ? null : contract;
  const call = started && started.circuits.length > 0 && !started.clean ? "succeeded" : null;
  let next: BeginAnswer | undefined;
  try {
    switch (outcome.status) {
      case "completed":
      case "skipped": {
        const result =
          outcome.status === "completed"
            ? (outcome.result ?? {})
            : { reason: outcome.reason, ...(outcome.result ?? {}) };
        // When there is no next step to run now, the saga's lock goes in the same round trip (after the
        // record, whose transaction still holds the saga's row: a job waiting on the lock reads it committed).
        const { rows } = await sql<{ r: BeginAnswer; released: boolean | null }>`
          with n as materialized (
            select eva_private.fn_saga_step_next(${sagaId}::uuid, ${step}, ${outcome.status},
              ${JSON.stringify(result)}::jsonb, ${started?.id ?? null}::uuid, ${call},
              ${JSON.stringify(modelStepCircuits(deps, type))}::jsonb, ${workerIdentity()}) as r)
          select r, case when not coalesce((r ->> 'run')::boolean, false)
            then pg_advisory_unlock(hashtext(${lock.key})) end as released from n`.execute(deps.db);
        const answer = rows[0]?.r;
        if (rows[0]?.released !== null && rows[0]?.released !== undefined) lock.released = true;
        if (answer?.run) next = answer;
        else if (answer?.saga?.status === "completed") {
          try {
            completions.emit("completed", sagaId);
          } catch {
            // A listener's failure is its own, not the step's: the saga has completed.
          }
        }
        break;
      }
      case "wait":
        if (started) await settleContract(deps, started.id, outcome.status, call);
        await sql`select eva_private.fn_saga_step_wait(${sagaId}::uuid, ${step}, ${outcome.until.toISOString()}::timestamptz,
          ${JSON.stringify(outcome.progress ?? {})}::jsonb)`.execute(deps.db);
        break;
      case "pause":
        if (started) await settleContract(deps, started.id, outcome.status, call);
        await sql`select eva.fn_saga_pause(${sagaId}::uuid, ${outcome.reason})`.execute(deps.db);
        break;
    }
  } catch (error) {
    // Another attempt recorded it first, or the saga was paused or cancelled meanwhile: nothing to add.
    if (sqlState(error) === EvaErrorCode.illegalTransition) {
      if (started && (outcome.status === "completed" || outcome.status === "skipped")) {
        await settleContract(deps, started.id, outcome.status, call);
      }
      return { result: { ran: false, reason: String(error) } };
    }
    throw error;
  }
  return { result: { ran: true, outcome: outcome.status }, ...(next ? { next } : {}) };
}

/** Completes a step's contract on its own (when its outcome is not recorded by eva_private.fn_saga_step_done). */
async function settleContract(
  deps: SagaDeps,
  contractId: string,
  outcome: StepOutcome["status"],
  call: "succeeded" | null,
): Promise<void> {
  await finishContract(deps.db, contractId, { status: "completed", result: { outcome }, call });
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
