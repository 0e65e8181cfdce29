// EVA's own SQLSTATEs (raised on purpose by db/functions) and how to read them.
export const EvaErrorCode = {
  badInput: "EV400",
  forbidden: "EV403",
  notFound: "EV404",
  illegalTransition: "EV409",
  gateUnmet: "EV412",
  blocked: "EV423",
  staleContext: "EV428",
  immutable: "EV430",
} as const;

export type EvaErrorCodeValue = (typeof EvaErrorCode)[keyof typeof EvaErrorCode];

interface PgError {
  code?: string;
  message: string;
  hint?: string;
  detail?: string;
}

function isPgError(error: unknown): error is PgError {
  return typeof error === "object" && error !== null && "message" in error && "code" in error;
}

/** The SQLSTATE of a database error, if it is one. */
export function sqlState(error: unknown): string | undefined {
  return isPgError(error) ? error.code : undefined;
}

/** A message a person can act on: EVA's own errors verbatim with their hint; permission errors named as such. */
export function describeDatabaseError(error: unknown): string {
  if (!isPgError(error)) return error instanceof Error ? error.message : String(error);
  if (error.code?.startsWith("EV")) return error.hint ? `${error.message}\n  hint: ${error.hint}` : error.message;
  if (error.code === "42501") return `not allowed: ${error.message}`;
  if (error.code === "ECONNREFUSED") return `cannot reach PostgreSQL: ${error.message} (check DATABASE_URL)`;
  return error.message;
}
