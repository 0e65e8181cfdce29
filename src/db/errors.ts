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
  table?: string;
  column?: string;
  constraint?: string;
}

function isPgError(error: unknown): error is PgError {
  return typeof error === "object" && error !== null && "message" in error && "code" in error;
}

/** The SQLSTATE of a database error, if it is one. */
export function sqlState(error: unknown): string | undefined {
  return isPgError(error) ? error.code : undefined;
}

/** A refusal of bad input by PostgreSQL itself (a constraint, a type), read as EVA's EV400. */
export interface InputProblem {
  code: typeof EvaErrorCode.badInput;
  /** The SQLSTATE PostgreSQL raised (23502, 23505, 23514, 23503, 22P02, 22021, 22001, …). */
  sqlstate: string;
  /** The field at fault, as `nameOf` names a column (unnamed when PostgreSQL does not say). */
  field?: string;
  message: string;
}

/** The SQLSTATEs of PostgreSQL's own input refusals that inputProblem reads. */
export const INPUT_SQLSTATES: ReadonlySet<string> = new Set([
  "23502",
  "23505",
  "23514",
  "23503",
  "22P02",
  "22P05",
  "22021",
  "22001",
  "22003",
  "22007",
  "22008",
]);

/** The columns of a key in a constraint error's detail: `Key (a, lower(b))=(…)` → a, b. */
function keyColumns(detail: string | undefined): string[] {
  const key = /^Key \((.+?)\)=\(/.exec(detail ?? "")?.[1];
  if (!key) return [];
  return key.split(",").map((part) => /([a-z_][a-z0-9_]*)\)*\s*$/i.exec(part.trim())?.[1] ?? part.trim());
}

/**
 * The columns a constraint's name lists, by PostgreSQL's naming
 * (`<table>_<col>_<col>_key`, `_pkey`, `_fkey`), for errors without a detail
 * (PostgreSQL omits it under row level security). `columns` (the table's)
 * tells `portfolio_id_name` apart as portfolio_id, name.
 */
function namedColumns(
  constraint: string | undefined,
  table: string | undefined,
  columns?: readonly string[],
): string[] {
  if (!constraint || !table || !constraint.startsWith(`${table}_`)) return [];
  const middle = constraint.slice(table.length + 1).replace(/_(p|f)?key\d*$|_idx\d*$/, "");
  if (!middle || middle === constraint.slice(table.length + 1)) return [];
  if (!columns?.length) return [middle];
  const found: string[] = [];
  let rest = middle;
  while (rest) {
    const next = [...columns].sort((a, b) => b.length - a.length).find((c) => rest === c || rest.startsWith(`${c}_`));
    if (!next) return [middle];
    found.push(next);
    rest = rest.slice(next.length + 1);
  }
  return found;
}

/** The column a check constraint guards, by PostgreSQL's naming (`<table>_<column>_check`), if it names one. */
function checkedColumn(constraint: string | undefined, table: string | undefined): string | undefined {
  if (!constraint || !table || !constraint.startsWith(`${table}_`)) return undefined;
  const column = constraint.slice(table.length + 1).replace(/_check\d*$/, "");
  return column && column !== constraint.slice(table.length + 1) ? column : undefined;
}

/**
 * PostgreSQL's refusal of a value (not-null, unique, check, foreign key, bad
 * syntax for a type, NUL or non-UTF-8 bytes, too long, out of range) as a
 * message that names the field and never quotes stored rows; undefined for
 * any other error. `nameOf` names a column as the caller knows it (the
 * GraphQL API: camelCase).
 */
export function inputProblem(
  error: unknown,
  nameOf: (column: string) => string = (c) => c,
  columnsOf: (table: string) => readonly string[] | undefined = () => undefined,
): InputProblem | undefined {
  if (!isPgError(error) || !error.code || !INPUT_SQLSTATES.has(error.code)) return undefined;
  const sqlstate = error.code;
  const problem = (message: string, field?: string): InputProblem => ({
    code: EvaErrorCode.badInput,
    sqlstate,
    ...(field ? { field } : {}),
    message,
  });
  const where = error.table ? ` (${error.table})` : "";
  const key = () => {
    const columns = keyColumns(error.detail);
    return (columns.length ? columns : namedColumns(error.constraint, error.table, columnsOf(error.table ?? ""))).map(
      nameOf,
    );
  };
  switch (sqlstate) {
    case "23502": {
      const field = error.column ? nameOf(error.column) : undefined;
      return problem(`${field ?? "a field"} is required${where}: give it a value`, field);
    }
    case "23505": {
      const fields = key();
      const field = fields.join(", ") || undefined;
      return problem(
        `${field ?? "a field"} must be unique${where}: a row with the same ${fields.length > 1 ? "values" : "value"} already exists`,
        field,
      );
    }
    case "23514": {
      const column = checkedColumn(error.constraint, error.table);
      const field = column ? nameOf(column) : undefined;
      return problem(
        `${field ?? "the row"}${where} breaks the rule ${error.constraint ?? "of its table"}: change the value`,
        field,
      );
    }
    case "23503": {
      const fields = key();
      const field = fields.join(", ") || undefined;
      const target = /table "([^"]+)"/.exec(error.detail ?? "")?.[1];
      if (/is still referenced/.test(error.detail ?? ""))
        return problem(`this row${where} is still referenced from ${target ?? "another table"}: it cannot be removed`);
      return problem(`${field ?? "a reference"}${where} names no existing row${target ? ` in ${target}` : ""}`, field);
    }
    case "22P02":
    case "22007":
    case "22008": {
      const type = /for (?:type|enum) ([\w."]+)/.exec(error.message)?.[1];
      return problem(`a value is not a valid ${type ?? "value of its type"}`);
    }
    case "22P05":
    case "22021":
      return problem(
        "a text value holds a NUL character (\\u0000) or bytes that are not UTF-8, which EVA does not store: remove them",
      );
    case "22001": {
      const limit = /\((\d+)\)/.exec(error.message)?.[1];
      return problem(`a value is longer than ${limit ? `${limit} characters` : "its field allows"}`);
    }
    case "22003":
      return problem(`a number is out of range: ${error.message.replace(/^value /, "").slice(0, 120)}`);
  }
  return undefined;
}

/** A message a person can act on: EVA's own errors verbatim with their hint; permission errors named as such. */
export function describeDatabaseError(error: unknown): string {
  if (!isPgError(error)) return error instanceof Error ? error.message : String(error);
  if (error.code?.startsWith("EV")) return error.hint ? `${error.message}\n  hint: ${error.hint}` : error.message;
  const input = inputProblem(error);
  if (input) return input.message;
  if (error.code === "42501") return `not allowed: ${error.message}`;
  if (error.code === "ECONNREFUSED") return `cannot reach PostgreSQL: ${error.message} (check DATABASE_URL)`;
  return error.message;
}
