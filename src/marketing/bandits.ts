// The learning loop (spec §17.5): Thompson sampling over the bandits in SQL.
// Every update, decay, transfer and allocation is one marketing.fn_bandit_*
// function in one transaction; this module only calls them (tasks, the CLI,
// the schedule) and shapes what they return.
import { sql } from "kysely";
import type { Database } from "../db/client.ts";

export const BANDIT_SCOPES = ["channel", "variant", "send_time"] as const;
export type BanditScope = (typeof BANDIT_SCOPES)[number];

export interface BanditArmView {
  armId: string;
  banditId: string;
  scope: BanditScope;
  scopeKey: string;
  armValue: string;
  contextKey: string;
  status: "champion" | "challenger" | "retired";
  alpha: number;
  beta: number;
  observations: number;
  posteriorMean: number;
  intervalLow: number;
  intervalHigh: number;
  lastSelectedAt: string | null;
  asOf: string;
}

interface ArmRow {
  arm_id: string;
  bandit_id: string;
  scope: BanditScope;
  scope_key: string;
  arm_value: string;
  context_key: string;
  status: BanditArmView["status"];
  alpha: string;
  beta_param: string;
  observations: number;
  posterior_mean: number;
  interval_low: number;
  interval_high: number;
  last_selected_at: Date | null;
  as_of: Date | string;
}

function isoDate(value: Date | string): string {
  return typeof value === "string" ? value.slice(0, 10) : value.toISOString().slice(0, 10);
}

/** A venture's arms as of a day (live when `at` is null or today), with posterior mean and exact 95 % interval. */
export async function banditArmsAt(
  db: Database,
  ventureId: string,
  options: { scope?: BanditScope | null; at?: string | null } = {},
): Promise<BanditArmView[]> {
  const { rows } = await sql<ArmRow>`
    select * from marketing.fn_bandit_arms_at(${ventureId}::uuid, ${options.scope ?? null}, ${options.at ?? null}::date)`.execute(
    db,
  );
  return rows.map((r) => ({
    armId: r.arm_id,
    banditId: r.bandit_id,
    scope: r.scope,
    scopeKey: r.scope_key,
    armValue: r.arm_value,
    contextKey: r.context_key,
    status: r.status,
    alpha: Number(r.alpha),
    beta: Number(r.beta_param),
    observations: r.observations,
    posteriorMean: Number(r.posterior_mean),
    intervalLow: Number(r.interval_low),
    intervalHigh: Number(r.interval_high),
    lastSelectedAt: r.last_selected_at ? new Date(r.last_selected_at).toISOString() : null,
    asOf: isoDate(r.as_of),
  }));
}

async function scalar(db: Database, query: ReturnType<typeof sql<{ n: number }>>): Promise<number> {
  const { rows } = await query.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/** Observes every closed rollup window once (marketing.fn_bandit_observe); returns the observations written. */
export function observeRollups(db: Database, through: string | null = null): Promise<number> {
  return scalar(db, sql<{ n: number }>`select marketing.fn_bandit_observe(${through}::date) as n`);
}

/** optimizer:channel:rebalance (hourly): closed windows observed, then each venture's channel budget shares. */
export async function rebalanceChannels(db: Database): Promise<{ observed: number; allocations: number }> {
  const observed = await observeRollups(db);
  const allocations = await scalar(db, sql<{ n: number }>`select marketing.fn_bandit_allocate_channels(null) as n`);
  return { observed, allocations };
}

/** optimizer:variant:promote (daily 06:00 UTC): closed windows observed, then Champion-Challenger. */
export async function promoteVariants(db: Database): Promise<{ observed: number; changes: number }> {
  const observed = await observeRollups(db);
  const changes = await scalar(db, sql<{ n: number }>`select marketing.fn_bandit_promote(null) as n`);
  return { observed, changes };
}

/** intelligence:transfer (Monday 02:00 UTC): cluster priors to the bandits entering their cluster. */
export function transferPriors(db: Database, ventureId: string | null = null): Promise<number> {
  return scalar(db, sql<{ n: number }>`select marketing.fn_bandit_transfer(${ventureId}::uuid) as n`);
}

/** bandit:decay:apply (Monday 03:00 UTC): the week's decay towards the prior, once. */
export function applyDecay(db: Database, week: string | null = null): Promise<number> {
  return scalar(db, sql<{ n: number }>`select marketing.fn_bandit_decay(${week}::date) as n`);
}

/** bandit:snapshot (daily, 23:55 UTC): each arm's posterior kept for the day. */
export function snapshotArms(db: Database, date: string | null = null): Promise<number> {
  return scalar(db, sql<{ n: number }>`select marketing.fn_bandit_snapshot(${date}::date) as n`);
}
