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

export interface MigrateOptions {
  /**
   * Install pgvector (search by meaning) where the server has it: true by default. The
   * schema generators pass false, so that db/schema.sql and the GraphQL schema are the same
   * on every server.
   */
  embeddings?: boolean;
}

export interface MigrateReport {
  /** Migrations applied by this run (empty when the schema was up to date). */
  applied: string[];
  functions: number;
  policies: number;
  /** Whether search documents carry embeddings (pgvector installed in eva_ext). */
  embeddings: boolean;
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

/**
 * pgvector is not a trusted extension: only a superuser (or a managed server's admin role) may
 * create it, so it is created here, by the migrating login, before the migrations run as
 * eva_owner. Where it is missing or this login may not create it, search stays keyword-only.
 */
async function installVector(client: pg.ClientBase, log: (line: string) => void): Promise<{ otherSchema?: string }> {
  const { rows } = await client.query<{ available: boolean; schema: string | null }>(
    `select exists (select 1 from pg_catalog.pg_available_extensions where name = 'vector') as available,
       (select n.nspname from pg_catalog.pg_extension e join pg_catalog.pg_namespace n on n.oid = e.extnamespace
        where e.extname = 'vector') as schema`,
  );
  const { available, schema } = rows[0] ?? { available: false, schema: null };
  if (!available) return {};
  if (schema) {
    if (schema === "eva_ext") return {};
    log(
      `pgvector is installed in schema ${schema}, not eva_ext: search stays keyword-only ` +
        "(for search by meaning: ALTER EXTENSION vector SET SCHEMA eva_ext, then eva db migrate)",
    );
    return { otherSchema: schema };
  }
  try {
    await client.query("create schema if not exists eva_ext authorization eva_owner");
    await client.query("create extension if not exists vector with schema eva_ext");
    log("installed pgvector in eva_ext: search documents carry embeddings");
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`pgvector is available but could not be installed (${message}): search stays keyword-only`);
  }
  return {};
}

/**
 * Migration 044 adds the embedding columns as eva_ext.vector wherever the server offers
 * pgvector, and fails on a database where pgvector was created in another schema (public,
 * say) before EVA's first migrate. There, a stand-in type eva_ext.vector (a domain over the
 * installed one) lets 044 run; dropVectorStandIn removes it and its columns after the
 * migrations, so the database is keyword-only as logged.
 */
async function addVectorStandIn(client: pg.ClientBase, otherSchema: string): Promise<void> {
  const { rows } = await client.query<{ needed: boolean }>(
    `select pg_catalog.to_regclass('eva.search_documents') is null
       and pg_catalog.to_regtype('eva_ext.vector') is null as needed`,
  );
  if (!rows[0]?.needed) return;
  await client.query("create schema if not exists eva_ext authorization eva_owner");
  await client.query(`create domain eva_ext.vector as ${pg.escapeIdentifier(otherSchema)}.vector`);
}

/** Drops a stand-in eva_ext.vector (a domain, never pgvector's own type) and the columns of that type, if there is one. */
async function dropVectorStandIn(client: pg.ClientBase): Promise<void> {
  const { rows } = await client.query<{ domain: boolean }>(
    `select exists (select 1 from pg_catalog.pg_type t join pg_catalog.pg_namespace n on n.oid = t.typnamespace
       where n.nspname = 'eva_ext' and t.typname = 'vector' and t.typtype = 'd') as domain`,
  );
  if (!rows[0]?.domain) return;
  await client.query("set role eva_owner");
  await client.query(
    "alter table eva.search_documents drop column if exists embedding, drop column if exists embedding_model",
  );
  await client.query("reset role");
  await client.query("drop domain eva_ext.vector");
}

export async function migrate(
  url: string,
  log: (line: string) => void = () => {},
  options: MigrateOptions = {},
): Promise<MigrateReport> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Quiet the NOTICEs of idempotent statements (role already granted, …).
    await client.query("set client_min_messages = warning");
    await applyFile(client, join(dbDir, "bootstrap.sql"));
    const vector = options.embeddings !== false ? await installVector(client, log) : {};
    if (vector.otherSchema) await addVectorStandIn(client, vector.otherSchema);

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
    // Read from the database, not remembered: a stand-in left by a migrate that failed after it goes too.
    await dropVectorStandIn(client);

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
    let embeddings = false;
    await client.query("begin");
    try {
      await client.query("set local role eva_owner");
      await client.query("set local check_function_bodies = off");
      await applyFile(client, join(dbDir, "policies", "_reset.sql"));
      for (const f of functionFiles) await applyFile(client, join(dbDir, "functions", f));
      for (const f of policyFiles) await applyFile(client, join(dbDir, "policies", f));
      await applyFile(client, join(dbDir, "policies", "_verify.sql"));
      // A database migrated before pgvector was installed gains its embedding columns now.
      const { rows } = await client.query<{ embeddings: boolean }>(
        "select eva_private.fn_search_enable_embeddings() as embeddings",
      );
      embeddings = rows[0]?.embeddings ?? false;
      await client.query("commit");
    } catch (error) {
      await client.query("rollback");
      throw error;
    }
    log(`applied ${functionFiles.length} function files and ${policyFiles.length} policy files`);
    return {
      applied: applied.map((m) => m.name),
      functions: functionFiles.length,
      policies: policyFiles.length,
      embeddings,
    };
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
