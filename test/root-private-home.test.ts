// A newcomer who is root with the project in a private folder (a clone under
// /root, mode 700): `npm start -- --once` with no DATABASE_URL must work, keep
// its data where the server's OS user can reach it, stop the server it started,
// and find the same cluster on the next start.
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { dataDirFor, projectRoot } from "../src/db/connection.ts";

const exec = promisify(execFile);
const asRoot = process.getuid?.() === 0;

async function npmStart(cwd: string) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${join(cwd, "node_modules", ".bin")}:${process.env.PATH}`,
  };
  delete env.DATABASE_URL;
  delete env.EVA_DATA_DIR;
  try {
    const r = await exec("npm", ["start", "--", "--once", "--port", "0"], {
      cwd,
      env,
      timeout: 240_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

if (asRoot) {
  describe("npm start as root in a folder OS user postgres cannot enter", () => {
    const home = mkdtempSync(join(tmpdir(), "eva-private-home-"));
    const clone = join(home, "eva");
    let dataDir: string | undefined;

    afterAll(() => {
      if (dataDir?.startsWith("/")) rmSync(dirname(dataDir), { recursive: true, force: true });
      rmSync(home, { recursive: true, force: true });
    });

    it("starts, reports, stops its server, and reuses the same cluster on the next start", async () => {
      expect(statSync(home).mode & 0o777).toBe(0o700);
      await exec("git", ["clone", "--quiet", projectRoot, clone]);
      // What is checked out here, uncommitted changes included, is what is tested.
      const { stdout: changed } = await exec("git", ["diff", "--name-only", "HEAD"], { cwd: projectRoot });
      for (const file of changed.split("\n").filter(Boolean)) {
        if (existsSync(join(projectRoot, file))) cpSync(join(projectRoot, file), join(clone, file));
        else rmSync(join(clone, file), { force: true });
      }
      // A real copy (hard links), not a symlink: the binaries must live inside the private folder, as after npm ci.
      // Caches the running test suite writes into node_modules meanwhile (.vitest-cache, .vite) stay behind:
      // a file vanishing mid-copy would fail it.
      mkdirSync(join(clone, "node_modules"));
      const modules = readdirSync(join(projectRoot, "node_modules")).filter(
        (e) => e !== ".vitest-cache" && e !== ".vite",
      );
      await exec("cp", [
        "-al",
        ...modules.map((e) => join(projectRoot, "node_modules", e)),
        join(clone, "node_modules"),
      ]);

      const first = await npmStart(clone);
      expect(first.stderr + first.stdout).not.toContain("error:");
      expect(first.code).toBe(0);
      const output = first.stderr + first.stdout;
      expect(output).toContain(`cannot enter ${home}`);
      const where = /database: embedded PostgreSQL in (\S+)/.exec(output)?.[1];
      expect(where).toBeDefined();
      dataDir = where as string;
      expect(dataDir.startsWith(home)).toBe(false);
      expect(output).toContain("initialising an embedded PostgreSQL");
      expect(output).toContain("Chairman token");
      // The folder is the server user's own, closed to others; the user's folder is untouched.
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(statSync(home).mode & 0o777).toBe(0o700);
      const { stdout: ps } = await exec("ps", ["-eo", "args"]);
      expect(ps).not.toContain(dataDir);

      const second = await npmStart(clone);
      expect(second.code).toBe(0);
      const again = second.stderr + second.stdout;
      expect(again).toContain(`database: embedded PostgreSQL in ${dataDir}`);
      expect(again).not.toContain("initialising an embedded PostgreSQL");
      const { stdout: ps2 } = await exec("ps", ["-eo", "args"]);
      expect(ps2).not.toContain(dataDir);
    }, 600_000);
  });
} else {
  // Not root: the server runs as this same user, who can enter the project, so nothing moves out of it.
  describe("npm start as a user who owns the project", () => {
    it("keeps the embedded data in the project's .eva/postgres", () => {
      expect(dataDirFor(projectRoot, {})).toEqual({ dir: join(projectRoot, ".eva", "postgres") });
    });
  });
}
