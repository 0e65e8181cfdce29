// Task contracts (spec §3): every unit of service work runs under a row of
// eva.agent_task_contracts, pending → assigned → in_progress → completed /
// failed / timeout, moved only by SQL (eva_private.fn_contract_transition).
// Stage runs open theirs inside eva.fn_begin_stage_run (no extra round trip);
// any other work — a Devil's Advocate review, a saga step, a publisher call —
// runs through runUnderContract: one call opens (creates, asks the circuit
// breakers, claims, starts), one call finishes (completed with the result or
// failed with the error, and the call's outcome on the breakers).
import { hostname } from "node:os";
import { sql } from "kysely";
import type { Database } from "../db/client.ts";
import { isCircuitFailure } from "./circuit-breakers.ts";

export type ContractKind = "stage_analysis" | "devils_advocate" | "saga_step" | "publisher_call" | "service";
export type ContractStatus = "pending" | "assigned" | "in_progress" | "completed" | "failed" | "timeout";

export interface ContractSpec {
  kind: ContractKind;
  /** Who does the work, e.g. DEVILS_ADVOCATE, SAGA_ENGINE, PUBLISHER. */
  targetAgent: string;
  /** What is done, e.g. devils_advocate_review, retirement.export_data. */
  action: string;
  /** Default EVA. */
  parentAgent?: string;
  ventureId?: string | null;
  stage?: number | null;
  stageWorkId?: string | null;
  sagaId?: string | null;
  sagaStep?: string | null;
  parentContractId?: string | null;
  attempt?: number;
  maxAttempts?: number;
  tokenBudget?: number | null;
  /** A PostgreSQL interval, default "30 minutes". */
  timeout?: string;
  /** 1 (highest) to 5, default 3. */
  priority?: 1 | 2 | 3 | 4 | 5;
  context?: Record<string, unknown>;
  /** The circuit breakers the work's external calls pass through (circuitsFor(analyst)). */
  circuits?: readonly string[];
  /** Reuse this pending contract (one a deferred attempt left) instead of creating one. */
  contractId?: string;
}

export interface ContractRow {
  id: string;
  kind: ContractKind;
  status: ContractStatus;
  venture_id: string | null;
  attempt: number;
  timeout_at: string | null;
  circuits: string[];
  [column: string]: unknown;
}

/** Who claims a contract: this host and process. */
export function workerIdentity(): string {
  return `${hostname()}:${process.pid}`;
}

export type OpenedContract =
  | { status: "started"; contract: ContractRow; clean: boolean }
  | { status: "deferred"; contract: ContractRow; retryAt: string; refusedBy: string[] };

/** Creates (or reuses a pending) contract, asks its circuits, claims and starts it. */
export async function openContract(
  db: Database,
  spec: ContractSpec,
  claimedBy = workerIdentity(),
): Promise<OpenedContract> {
  const { rows } = await sql<{ r: Record<string, unknown> }>`
    select eva_private.fn_contract_open(${JSON.stringify(spec)}::jsonb, ${claimedBy}) as r`.execute(db);
  const r = rows[0]?.r ?? {};
  const contract = r.contract as ContractRow;
  const deferred = r.deferred as { retryAt: string; refusedBy: string[] } | undefined;
  return deferred
    ? { status: "deferred", contract, retryAt: deferred.retryAt, refusedBy: deferred.refusedBy }
    : { status: "started", contract, clean: Boolean(r.clean) };
}

export interface ContractEnd {
  status: "completed" | "failed";
  result?: unknown;
  error?: string;
  /** The external call's outcome for the circuit breakers; null: no call was made. */
  call?: "succeeded" | "failed" | null;
}

export interface FinishedContract {
  /** The contract had already ended (the sweep timed it out): this outcome was ignored. */
  late: boolean;
  contract: ContractRow;
  /** A breaker is open after this call. */
  open: boolean;
  retryAt: string | null;
}

export async function finishContract(db: Database, contractId: string, end: ContractEnd): Promise<FinishedContract> {
  const { rows } = await sql<{ r: FinishedContract }>`
    select eva_private.fn_contract_finish(${contractId}::uuid, ${end.status}::eva.contract_status,
      ${end.result === undefined ? null : JSON.stringify(end.result)}::jsonb, ${end.error ?? null},
      ${end.call ?? null}) as r`.execute(db);
  return rows[0]?.r as FinishedContract;
}

export type ContractRun<T> =
  | { status: "completed" | "failed"; value: T; contract: ContractRow; late: boolean }
  | { status: "deferred"; contract: ContractRow; retryAt: string; refusedBy: string[] };

export interface RunOptions<T> {
  claimedBy?: string;
  /** How a returned value ends the contract (default: completed with the value, the call succeeded if circuits were asked). */
  settle?: (value: T) => ContractEnd;
}

/**
 * Runs `fn` under a task contract. Open circuit: `fn` is not called; the
 * contract stays pending (deferred until the circuit half-opens) and the
 * result says when to try again (pass `contractId` then to reuse it).
 * `fn` throws: the contract fails with the error (a circuit failure, see
 * isCircuitFailure, counts on the breakers) and the error is rethrown.
 */
export async function runUnderContract<T>(
  db: Database,
  spec: ContractSpec,
  fn: (contract: ContractRow) => Promise<T>,
  options: RunOptions<T> = {},
): Promise<ContractRun<T>> {
  const opened = await openContract(db, spec, options.claimedBy);
  if (opened.status === "deferred") return opened;
  const hasCircuits = (spec.circuits?.length ?? 0) > 0;
  let value: T;
  try {
    value = await fn(opened.contract);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await finishContract(db, opened.contract.id, {
      status: "failed",
      error: message,
      call: hasCircuits && isCircuitFailure(error) ? "failed" : null,
    });
    throw error;
  }
  const settled = options.settle?.(value) ?? {
    status: "completed" as const,
    result: value,
    call: "succeeded" as const,
  };
  // A success on breakers that were all closed with no failures changes nothing: not recorded.
  const call = !hasCircuits || (settled.call === "succeeded" && opened.clean) ? null : (settled.call ?? null);
  const end: ContractEnd = { ...settled, call };
  const finished = await finishContract(db, opened.contract.id, end);
  return { status: end.status, value, contract: finished.contract, late: finished.late };
}
