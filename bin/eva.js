#!/usr/bin/env node
// The `eva` command. Node 22.18+ runs our TypeScript directly (type stripping);
// `npm run` and `npx` put the project's Node 22 (the `node` dependency) first on PATH.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `eva needs Node 22.18 or newer (this is ${process.version}). Run it through npm, which uses the project's Node 22: npm run eva -- <command>`,
  );
  process.exit(1);
}
const { main } = await import("../src/cli/main.ts");
await main(process.argv);
// Everything is closed by now; exit explicitly so exit hooks of dependencies cannot change the exit code.
process.exit(process.exitCode ?? 0);
