// `eva` started by an older Node (npm link, a service manager's `node bin/eva.js`)
// hands over to the project's Node 22 as a child. A SIGTERM sent to the process
// the service manager knows must reach that child, which then shuts down cleanly
// (worker, server, connections), and the exit code must say so.
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, expect, it } from "vitest";
import { createTestDatabase } from "./helpers/database.ts";

// The machine's system Node (20 here, older than the project's 22.18): the path that re-executes.
const systemNode = "/usr/bin/node";

const t = await createTestDatabase();
afterAll(() => t.drop());

function childrenOf(pid: number): number[] {
  try {
    return execFileSync("pgrep", ["-P", String(pid)], { encoding: "utf8" })
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

it("a SIGTERM to `eva start` under an older Node stops the Node 22 child it handed over to, cleanly", async () => {
  expect(existsSync(systemNode), `${systemNode} (the system Node this test hands over from) is missing`).toBe(true);
  const version = execFileSync(systemNode, ["--version"], { encoding: "utf8" }).trim();
  const [major = 0, minor = 0] = version.slice(1).split(".").map(Number);
  expect(major < 22 || (major === 22 && minor < 18), `${systemNode} is ${version}: not an older Node`).toBe(true);

  const parent = spawn(systemNode, ["bin/eva.js", "start", "--port", "0"], {
    env: {
      ...process.env,
      DATABASE_URL: t.url,
      EVA_ANALYST: "offline",
      EVA_JWT_SECRET: "a-secret-for-the-reexec-test-of-at-least-32-chars",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  parent.stdout.on("data", (d) => {
    stdout += d;
  });
  parent.stderr.on("data", (d) => {
    stderr += d;
  });
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    parent.on("exit", (code, signal) => resolve([code, signal])),
  );
  const deadline = Date.now() + 90_000;
  while (!/Decide with:/.test(stdout)) {
    if (Date.now() > deadline || parent.exitCode !== null) throw new Error(`eva start did not report:\n${stderr}`);
    await sleep(100);
  }
  const children = childrenOf(parent.pid ?? 0);
  expect(children).toHaveLength(1);
  const [child] = children;

  parent.kill("SIGTERM");
  const [code, signal] = await exited;
  // The child shut down on the forwarded signal and exited 0; the parent passes its code on.
  expect({ code, signal }).toEqual({ code: 0, signal: null });
  expect(existsSync(`/proc/${child}`)).toBe(false);
  // No connection of the stopped process is left on the database.
  const left = await t.pool.query<{ n: number }>(
    "select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and application_name not like 'eva-test%'",
  );
  expect(left.rows[0]?.n).toBe(0);
}, 120_000);
