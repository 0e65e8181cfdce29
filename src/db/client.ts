// EVA's typed database access: one Kysely over a pg pool, and the one way to
// act as a role (psql, the CLI, workers and GraphQL all pass through RLS).
import { Kysely, PostgresDialect, sql, type Transaction } from "kysely";
import pg from "pg";
import type { DB } from "./schema.ts";

export type Role = "eva_chairman" | "eva_service" | "eva_viewer" | "eva_anonymous";
export type Database = Kysely<DB>;

export interface Connection {
  db: Database;
  pool: pg.Pool;
  close(): Promise<void>;
}

const ROLES: readonly string[] = ["eva_chairman", "eva_service", "eva_viewer", "eva_anonymous"];

/**
 * A pool of connections to EVA's database. With `role`, every connection acts
 * as that role from its start (a startup option, no extra round trip): workers
 * run as eva_service this way, under RLS like any other client.
 */
export function connect(
  url: string,
  options: { max?: number; applicationName?: string; role?: Role } = {},
): Connection {
  if (options.role && !ROLES.includes(options.role)) throw new Error(`unknown role ${options.role}`);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? "eva",
    ...(options.role ? { options: `-c role=${options.role}` } : {}),
  });
  // An idle client's error (server restart) must not crash the process.
  pool.on("error", () => {});
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) }).withSchema("eva");
  return { db, pool, close: () => db.destroy() };
}

/**
 * Runs `fn` in one transaction as `role`, with optional JWT-style claims
 * (readable in SQL as current_setting('jwt.claims.<name>')). Commits on
 * success, rolls back on error.
 */
export async function withRole<T>(
  db: Database,
  role: Role,
  fn: (trx: Transaction<DB>) => Promise<T>,
  claims: Record<string, string> = {},
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`select set_config('role', ${role}, true)`.execute(trx);
    for (const [name, value] of Object.entries(claims)) {
      await sql`select set_config(${`jwt.claims.${name}`}, ${value}, true)`.execute(trx);
    }
    return fn(trx);
  });
}
