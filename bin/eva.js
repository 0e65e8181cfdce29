#!/usr/bin/env node
// The `eva` command. It runs the build in dist/ (npm ci builds it; `npm run
// build` rebuilds it) while that build is newer than every source file, else
// the TypeScript in src/ directly (Node 22.18+ strips types), so an edited
// source is never hidden behind an old build. EVA_CLI_FROM_SOURCE=1 forces src/.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { constants } from "node:os";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  // An older Node on PATH (npm link, a direct call): hand over to the project's Node 22 when it is installed.
  const own = `${root}node_modules/.bin/node`;
  if (existsSync(own) && process.env.EVA_REEXEC !== "1") {
    const child = spawn(own, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
      stdio: "inherit",
      env: { ...process.env, EVA_REEXEC: "1" },
    });
    // A service manager stops `eva start` by signalling this process: pass it on so the
    // child shuts down cleanly (its worker, server and embedded PostgreSQL). Ctrl-C reaches
    // the child from the terminal's process group already; a SIGINT sent to this process
    // alone is passed on too (the child's handlers are idempotent).
    for (const signal of ["SIGTERM", "SIGHUP", "SIGINT"]) {
      process.on(signal, () => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      });
    }
    const [code, signal] = await new Promise((resolve) => child.on("exit", (c, s) => resolve([c, s])));
    process.exit(code ?? 128 + (constants.signals[signal] ?? 0));
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
