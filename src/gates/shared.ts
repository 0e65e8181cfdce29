// What every gate function shares: the check record (a GateDecision check
// plus its severity and the next action that would fix it), the result
// builder, and defensive readers for artifact content recorded by any
// version of a stage module.
import type { GateDecision } from "./types.ts";

/**
 * A failed blocker stops the gate from passing; a failed warning is recorded
 * (and makes a reality gate `conditional`) but lets it pass.
 */
export type CheckSeverity = "blocker" | "warning";

/** A GateDecision check with the fields a person needs to act on it (a structural superset of the interface's). */
export interface GateCheck {
  name: string;
  passed: boolean;
  detail: string;
  severity: CheckSeverity;
  /** What would make the check pass; set on failed checks only. */
  nextAction?: string;
}

/** A gate's decision as the gate functions return it: GateDecision with typed checks. */
export interface GateResult extends GateDecision {
  checks: GateCheck[];
}

export function check(
  name: string,
  passed: boolean,
  detail: string,
  severity: CheckSeverity = "blocker",
  nextAction?: string,
): GateCheck {
  return passed || !nextAction ? { name, passed, detail, severity } : { name, passed, detail, severity, nextAction };
}

export const failedBlockers = (checks: readonly GateCheck[]) =>
  checks.filter((c) => !c.passed && c.severity === "blocker");
export const failedWarnings = (checks: readonly GateCheck[]) =>
  checks.filter((c) => !c.passed && c.severity === "warning");

/** The distinct next actions of the failed checks, blockers first. */
export function nextActions(checks: readonly GateCheck[]): string[] {
  const actions = [...failedBlockers(checks), ...failedWarnings(checks)].flatMap((c) =>
    c.nextAction ? [c.nextAction] : [],
  );
  return [...new Set(actions)];
}

/**
 * The decision with its rationale, checks and inputs; the key factors are the
 * failed checks (blockers first) or, when nothing failed, the checks made.
 */
export function gateResult(
  decision: string,
  rationale: string,
  checks: GateCheck[],
  inputs: Record<string, unknown>,
): GateResult {
  const failed = [...failedBlockers(checks), ...failedWarnings(checks)];
  const keyFactors = [...new Set((failed.length ? failed : checks).map((c) => c.detail))].slice(0, 6);
  return { decision, rationale, keyFactors, checks, inputs };
}

/** "a, b and c" for rationales. */
export function listing(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? "";
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

export type Json = Record<string, unknown>;
export const rec = (x: unknown): Json => (x && typeof x === "object" && !Array.isArray(x) ? (x as Json) : {});
export const list = (x: unknown): Json[] => (Array.isArray(x) ? x.map(rec) : []);
export const num = (x: unknown): number | null => (typeof x === "number" && Number.isFinite(x) ? x : null);
export const str = (x: unknown): string | null => (typeof x === "string" && x.trim() ? x.trim() : null);
/** A value of `options`, or null when absent or not one of them. */
export function oneOf<T extends string>(x: unknown, options: readonly T[]): T | null {
  return typeof x === "string" && (options as readonly string[]).includes(x) ? (x as T) : null;
}

/** Formats a fraction as a percentage for rationales: 0.153 → "15.3%". */
export const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
