#!/usr/bin/env node
// The `eva` command. It runs the build in dist/ (npm ci builds it; `npm run
// build` rebuilds it) while that build is newer than every source file, else
// the TypeScript in src/ directly (Node 22.18+ strips types), so an edited
// source is never hidden behind an old build. EVA_CLI_FROM_SOURCE=1 forces src/.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  // An older Node on PATH (npm link, a direct call): hand over to the project's Node 22 when it is installed.
  const own = `${root}node_modules/.bin/node`;
  if (existsSync(own) && process.env.EVA_REEXEC !== "1") {
    const r = spawnSync(own, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
      stdio: "inherit",
      env: { ...process.env, EVA_REEXEC: "1" },
    });
    process.exit(r.status ?? 1);
  }
  console.error(
    `eva needs Node 22.18 or newer (this is ${process.version}). Run it through npm, which uses the project's Node 22: npm run eva -- <command>`,
  );
  process.exit(1);
}

/** True when dist/ was built after the last change to any source it was built from. */
function buildIsCurrent() {
  let builtAt;
  try {
    builtAt = statSync(`${root}dist/built.json`).mtimeMs;
  } catch {
    return false;
  }
  for (const dir of ["src", "graphql"]) {
    for (const entry of readdirSync(`${root}${dir}`, { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && statSync(`${entry.parentPath}/${entry.name}`).mtimeMs > builtAt) return false;
    }
  }
  return statSync(`${root}package-lock.json`).mtimeMs <= builtAt;
}

const entry = process.env.EVA_CLI_FROM_SOURCE !== "1" && buildIsCurrent() ? "../dist/eva.js" : "../src/cli/main.ts";
const { main } = await import(entry);
await main(process.argv);
// Everything is closed by now; exit explicitly so exit hooks of dependencies cannot change the exit code.
process.exit(process.exitCode ?? 0);
