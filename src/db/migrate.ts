// `eva db migrate`: cluster prerequisites, then node-pg-migrate migrations,
// then graphile-worker's schema, then db/functions and db/policies re-applied
// in one transaction. Running it twice changes nothing.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runMigrations as runWorkerMigrations } from "graphile-worker";
import { runner } from "node-pg-migrate";
import pg from "pg";
import { projectRoot } from "./connection.ts";

const dbDir = join(projectRoot, "db");

export interface MigrateReport {
  /** Migrations applied by this run (empty when the schema was up to date). */
  applied: string[];
  functions: number;
  policies: number;
}

/** A pool whose connections act as eva_owner (the owner of EVA's objects and of graphile-worker's schema). */
export function ownerPoolFor(url: string, max = 1): pg.Pool {
  // The role is a startup option: every connection is eva_owner before its first query.
  const pool = new pg.Pool({ connectionString: url, max, application_name: "eva-owner", options: "-c role=eva_owner" });
  // An idle client's error (server restart) must not crash the process.
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));
  return pool;
}

function sqlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".sql") && !f.startsWith("_"))
    .sort();
}

function isViewFile(name: string): boolean {
  return /^\s*create\s+or\s+replace\s+view\b/im.test(readFileSync(join(dbDir, "functions", name), "utf8"));
}

async function applyFile(client: pg.ClientBase, path: string): Promise<void> {
  try {
    await client.query(readFileSync(path, "utf8"));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${path.slice(projectRoot.length)}: ${message}`, { cause: error });
  }
}

export async function migrate(url: string, log: (line: string) => void = () => {}): Promise<MigrateReport> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Quiet the NOTICEs of idempotent statements (role already granted, …).
    await client.query("set client_min_messages = warning");
    await applyFile(client, join(dbDir, "bootstrap.sql"));

    await client.query("set role eva_owner");
    const applied = await runner({
      dbClient: client,
      dir: join(dbDir, "migrations"),
      migrationsSchema: "eva_private",
      migrationsTable: "migrations",
      direction: "up",
      count: Number.POSITIVE_INFINITY,
      checkOrder: true,
      log: () => {},
    });
    await client.query("reset role");
    for (const m of applied) log(`migrated ${m.name}`);

    // graphile-worker's schema belongs to eva_owner too: EVA's triggers queue
    // jobs from security-definer functions that run as eva_owner, and the job
    // tables admit only their owner (row level security without policies).
    const ownerPool = ownerPoolFor(url);
    try {
      await runWorkerMigrations({ pgPool: ownerPool });
    } finally {
      await ownerPool.end();
    }

    // Views are bound to the functions they call when created, so the files
    // that create views come after every function file (the sort is stable).
    const functionFiles = sqlFiles(join(dbDir, "functions")).sort(
      (a, b) => Number(isViewFile(a)) - Number(isViewFile(b)),
    );
    const policyFiles = sqlFiles(join(dbDir, "policies"));
    await client.query("begin");
    try {
      await client.query("set local role eva_owner");
      await client.query("set local check_function_bodies = off");
      await applyFile(client, join(dbDir, "policies", "_reset.sql"));
      for (const f of functionFiles) await applyFile(client, join(dbDir, "functions", f));
      for (const f of policyFiles) await applyFile(client, join(dbDir, "policies", f));
      await applyFile(client, join(dbDir, "policies", "_verify.sql"));
      await client.query("commit");
    } catch (error) {
      await client.query("rollback");
      throw error;
    }
    log(`applied ${functionFiles.length} function files and ${policyFiles.length} policy files`);
    return { applied: applied.map((m) => m.name), functions: functionFiles.length, policies: policyFiles.length };
  } finally {
    await client.end();
  }
}

/** Drops everything EVA owns in the database (development only), ready for a fresh migrate. */
export async function resetDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("set client_min_messages = warning");
    await client.query("drop schema if exists marketing, eva, eva_private, eva_partitions, graphile_worker cascade");
  } finally {
    await client.end();
  }
}
