// Where EVA's database is: DATABASE_URL when set, else the embedded
// PostgreSQL in the project's git-ignored .eva/ folder (EVA_DATA_DIR overrides).
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { type EmbeddedServer, firstUnreachableFolder, reachableHome, startEmbedded } from "./embedded.ts";

/**
 * The project's folder, with a trailing slash: the nearest folder above this
 * module holding package.json and db/ (the same from src/ and from the built dist/).
 */
export const projectRoot = ((): string => {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let d = here; ; d = dirname(d)) {
    if (existsSync(join(d, "package.json")) && existsSync(join(d, "db", "migrations"))) return `${d}${sep}`;
    if (d === dirname(d)) return `${resolve(here, "..", "..")}${sep}`;
  }
})();

export interface DatabaseLocation {
  /** Connection URL of EVA's database. */
  url: string;
  /** The embedded server, when EVA started or joined one. */
  embedded?: EmbeddedServer;
  /** Stops the embedded server if this process started it. */
  close(): Promise<void>;
}

export const EMBEDDED_DATABASE = "eva";

export interface DataDir {
  dir: string;
  /** Why the data is not in the project: the folder OS user postgres cannot enter. */
  outsideProjectBecause?: string;
}

/**
 * The embedded PostgreSQL's data folder: EVA_DATA_DIR; else .eva/postgres in
 * the project; else, as root in a project OS user postgres cannot reach (the
 * server runs as that user), a folder of the project's own under
 * /var/lib/eva (or the temp folder), named after the project's path so two
 * checkouts never share a cluster, and the same on every start.
 */
export function dataDirFor(root = projectRoot, env: NodeJS.ProcessEnv = process.env): DataDir {
  if (env.EVA_DATA_DIR) return { dir: env.EVA_DATA_DIR };
  const inProject = join(root, ".eva", "postgres");
  const blocked = process.getuid?.() === 0 ? firstUnreachableFolder(inProject) : undefined;
  if (!blocked) return { dir: inProject };
  const key = createHash("sha256").update(root).digest("hex").slice(0, 12);
  return { dir: join(reachableHome(), `${basename(root)}-${key}`, "postgres"), outsideProjectBecause: blocked };
}

export function defaultDataDir(): string {
  return dataDirFor().dir;
}

/** Replaces the database name of a connection URL. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Creates `database` on the server of `adminUrl` unless it exists. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("select 1 from pg_database where datname = $1", [database]);
    if (!rowCount) await client.query(`create database ${pg.escapeIdentifier(database)}`);
  } catch (error) {
    // Two processes may race to create it; the loser finds it there.
    if ((error as { code?: string }).code !== "42P04") throw error;
  } finally {
    await client.end();
  }
}

export async function locateDatabase(log: (line: string) => void = () => {}): Promise<DatabaseLocation> {
  const configured = process.env.DATABASE_URL;
  if (configured) return { url: configured, close: async () => {} };
  const data = dataDirFor();
  if (data.outsideProjectBecause) {
    log(
      `OS user postgres (who runs the embedded server for root) cannot enter ${data.outsideProjectBecause}: the data lives in ${data.dir}`,
    );
  }
  const embedded = await startEmbedded(data.dir, log, { private: data.outsideProjectBecause !== undefined });
  // A server another EVA process started already has the database: joining it costs no extra connection.
  if (embedded.owned) {
    try {
      await ensureDatabase(embedded.adminUrl, EMBEDDED_DATABASE);
    } catch (error) {
      await embedded.stop();
      throw error;
    }
  }
  return { url: withDatabase(embedded.adminUrl, EMBEDDED_DATABASE), embedded, close: () => embedded.stop() };
}
