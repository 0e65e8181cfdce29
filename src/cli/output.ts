// How the CLI prints: data as aligned text for people, or as JSON (--json) for programs.
export interface OutputOptions {
  json?: boolean;
}

/** Progress and diagnostics go to stderr so stdout stays clean for data and --json. */
export function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

export function printJson(data: unknown): void {
  process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return value.toISOString().replace("T", " ").slice(0, 19);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** An aligned table of `rows` with the given columns (key → heading). */
export function printTable<T extends object>(rows: T[], columns: [keyof T & string, string][]): void {
  const widths = columns.map(([key, heading]) => Math.max(heading.length, ...rows.map((r) => cell(r[key]).length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  process.stdout.write(`${line(columns.map(([, heading]) => heading))}\n`);
  for (const r of rows) process.stdout.write(`${line(columns.map(([key]) => cell(r[key])))}\n`);
}

/** "label: value" lines, labels aligned. */
export function printFields(fields: [string, unknown][]): void {
  const width = Math.max(...fields.map(([label]) => label.length));
  for (const [label, value] of fields) process.stdout.write(`${`${label}:`.padEnd(width + 2)}${cell(value)}\n`);
}

/** An error the user can fix: printed without a stack trace, exit code 1 (2 for bad usage). */
export class UserError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/**
 * Resolves on the first SIGINT or SIGTERM. A long-running command shuts down in
 * order itself (HTTP server, worker, pools, then the embedded server), so it
 * takes the signals over from the embedded server's own exit hooks.
 */
export function untilSignal(): Promise<NodeJS.Signals> {
  process.removeAllListeners("SIGINT");
  process.removeAllListeners("SIGTERM");
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(signal);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
