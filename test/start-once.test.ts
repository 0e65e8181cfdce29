// `eva start --once` runs the demo portfolio, reports and exits. What it leaves
// behind is what the next command sees: no job may stay locked by the worker that
// stopped (`eva orchestration` would count it as running until a heartbeat frees it).
import { spawn } from "node:child_process";
import { sql } from "kysely";
import { afterAll, expect, it } from "vitest";
import { createTestDatabase } from "./helpers/database.ts";

const t = await createTestDatabase();
afterAll(() => t.drop());

it("eva start --once exits 0 and leaves no job locked by its stopped worker", async () => {
  const child = spawn(process.execPath, ["bin/eva.js", "start", "--once", "--port", "0"], {
    env: { ...process.env, DATABASE_URL: t.url, EVA_ANALYST: "offline" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  expect(code, stderr).toBe(0);
  const { rows } = await sql<{ task_identifier: string; locked_by: string }>`
    select task_identifier, locked_by from graphile_worker.jobs where locked_at is not null`.execute(t.db);
  expect(rows).toEqual([]);
  // The demo's kills started retirement sagas: the worker had saga steps in flight when it stopped.
  const sagas = await sql<{ n: number }>`select count(*)::int as n from eva.eva_sagas`.execute(t.db);
  expect(sagas.rows[0]?.n).toBeGreaterThan(0);
}, 120_000);
