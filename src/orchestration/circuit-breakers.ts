// Circuit breakers (spec §3) per venture and per external provider: which
// breakers a model call passes through, what counts as a failure, and the
// calls to the SQL functions that own their state (eva_private.fn_circuit_permit,
// fn_circuit_record; the Chairman's eva.fn_circuit_reset).
//
// A venture's breaker is (venture, "llm"): every model call made for the
// venture. A provider's breaker is (no venture, "provider:<host>"): every call
// to that host, whichever venture makes it. The offline analyst makes no
// external call and passes through none.
//
// A failure is the call itself failing: a transport error, a timeout, an HTTP
// 5xx or 429 — an AnalysisFailed marked retryable (src/llm/openai-analyst.ts
// classify). An answer that fails schema validation, a 4xx, or a request the
// token budget refused is not: the provider answered (or nothing was sent).
// A publisher's call counts when it failed on the platform's side (a transport
// error, a 5xx, a 429: PublishError.circuitFailure), not when our post was refused.
import { sql } from "kysely";
import type { Database } from "../db/client.ts";
import { AnalysisFailed, type Analyst, TokenBudgetExceeded } from "../llm/types.ts";
import { PublishError } from "../marketing/publishers/types.ts";

/** The venture-scope service of every model call. */
export const LLM_SERVICE = "llm";

/** The breakers an analyst's calls pass through: the venture's llm and the provider's host; none offline. */
export function circuitsFor(analyst: Analyst): string[] {
  if (analyst.kind !== "openai") return [];
  const baseUrl = (analyst as { baseUrl?: unknown }).baseUrl;
  let host = "unknown";
  if (typeof baseUrl === "string") {
    try {
      host = new URL(baseUrl).host;
    } catch {
      host = baseUrl;
    }
  }
  return [LLM_SERVICE, `provider:${host}`];
}

/** Whether an error counts against the circuit breakers (the call failed, not its answer). */
export function isCircuitFailure(error: unknown): boolean {
  if (error instanceof PublishError) return error.circuitFailure;
  return error instanceof AnalysisFailed && error.retryable && !(error instanceof TokenBudgetExceeded);
}

export interface CircuitState {
  service: string;
  state: "closed" | "open" | "half_open";
  failures: number;
  trial?: boolean;
}

export type CircuitPermit =
  | { allowed: true; clean: boolean; circuits: CircuitState[] }
  | { allowed: false; retryAt: string; refusedBy: string[]; circuits: CircuitState[] };

/**
 * Asks the breakers before a call: closed allows; open refuses until its
 * cooldown passed, then grants ONE half-open trial (this call) at a time.
 * `holder` (a contract id) is recorded as the trial's holder.
 */
export async function askCircuits(
  db: Database,
  ventureId: string | null,
  services: readonly string[],
  holder?: string,
): Promise<CircuitPermit> {
  const { rows } = await sql<{ r: CircuitPermit }>`
    select eva_private.fn_circuit_permit(${ventureId}::uuid, ${[...services]}::text[], ${holder ?? null}::uuid) as r`.execute(
    db,
  );
  return rows[0]?.r as CircuitPermit;
}

export interface CircuitRecord {
  open: boolean;
  retryAt: string | null;
  circuits: CircuitState[];
}

/** Records a call's outcome: success closes and resets; failure counts, opens at the threshold, re-opens a trial. */
export async function recordCircuitCall(
  db: Database,
  ventureId: string | null,
  services: readonly string[],
  succeeded: boolean,
  error?: string,
): Promise<CircuitRecord> {
  const { rows } = await sql<{ r: CircuitRecord }>`
    select eva_private.fn_circuit_record(${ventureId}::uuid, ${[...services]}::text[], ${succeeded}, ${error ?? null}) as r`.execute(
    db,
  );
  return rows[0]?.r as CircuitRecord;
}

export interface CircuitRow {
  venture: string | null;
  ventureId: string | null;
  service: string;
  state: "closed" | "open" | "half_open";
  failures: number;
  threshold: number;
  openedAt: string | null;
  halfOpensAt: string | null;
  lastError: string | null;
  timesOpened: number;
}

/** Every breaker with its state, for `eva circuits` (any reader role). */
export async function listCircuits(db: Database): Promise<{ now: string; circuits: CircuitRow[] }> {
  const { rows } = await sql<{
    venture: string | null;
    venture_id: string | null;
    service: string;
    state: CircuitRow["state"];
    consecutive_failures: number;
    failure_threshold: number;
    opened_at: Date | null;
    half_opens_at: Date | null;
    last_error: string | null;
    times_opened: number;
    now: Date;
  }>`select v.name as venture, b.venture_id, b.service, b.state, b.consecutive_failures, b.failure_threshold,
       b.opened_at, case when b.state <> 'closed' then coalesce(b.trial_started_at, b.opened_at) + b.cooldown end as half_opens_at,
       b.last_error, b.times_opened, eva.fn_circuit_now() as now
     from eva.venture_circuit_breakers b left join eva.ventures v on v.id = b.venture_id
     order by b.state <> 'closed' desc, v.name nulls first, b.service`.execute(db);
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  const now = rows[0]?.now
    ? new Date(rows[0].now)
    : new Date((await sql<{ now: Date }>`select eva.fn_circuit_now() as now`.execute(db)).rows[0]?.now ?? new Date());
  return {
    now: now.toISOString(),
    circuits: rows.map((r) => ({
      venture: r.venture,
      ventureId: r.venture_id,
      service: r.service,
      state: r.state,
      failures: r.consecutive_failures,
      threshold: r.failure_threshold,
      openedAt: iso(r.opened_at),
      halfOpensAt: iso(r.half_opens_at),
      lastError: r.last_error,
      timesOpened: r.times_opened,
    })),
  };
}

/** The Chairman closes a venture's breakers (or one service's; a provider's with ventureId null). */
export async function resetCircuits(db: Database, ventureId: string | null, service?: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select eva.fn_circuit_reset(${ventureId}::uuid, ${service ?? null}) as n`.execute(db);
  return Number(rows[0]?.n ?? 0);
}
