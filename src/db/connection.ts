// Where EVA's database is: DATABASE_URL when set, else the embedded
// PostgreSQL in the project's git-ignored .eva/ folder (EVA_DATA_DIR overrides).
import { fileURLToPath } from "node:url";
import pg from "pg";
import { type EmbeddedServer, startEmbedded } from "./embedded.ts";

export const projectRoot = fileURLToPath(new URL("../../", import.meta.url));

export interface DatabaseLocation {
  /** Connection URL of EVA's database. */
  url: string;
  /** The embedded server, when EVA started or joined one. */
  embedded?: EmbeddedServer;
  /** Stops the embedded server if this process started it. */
  close(): Promise<void>;
}

export const EMBEDDED_DATABASE = "eva";

export function defaultDataDir(): string {
  return process.env.EVA_DATA_DIR ?? `${projectRoot}.eva/postgres`;
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
  const embedded = await startEmbedded(defaultDataDir(), log);
  try {
    await ensureDatabase(embedded.adminUrl, EMBEDDED_DATABASE);
  } catch (error) {
    await embedded.stop();
    throw error;
  }
  return { url: withDatabase(embedded.adminUrl, EMBEDDED_DATABASE), embedded, close: () => embedded.stop() };
}
