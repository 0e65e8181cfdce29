// The stage worker on a thread of its own (src/worker-thread.ts), as eva start
// runs it: it runs stages from the database like the worker on the main thread,
// its log lines reach the caller, it stops when asked, and one that cannot
// start says why.
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { startWorkerThread } from "../src/worker-thread.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";

const t = await createTestDatabase();
afterAll(() => t.drop());

describe("the worker thread", () => {
  it("runs a venture's stages with the offline analyst and stops when asked", async () => {
    const venture = await createVenture(t.db);
    const lines: string[] = [];
    const worker = await startWorkerThread({
      url: t.url,
      analyst: "offline",
      concurrency: 2,
      schedule: false,
      log: (line) => lines.push(line),
    });
    try {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const { rows } = await sql<{ n: number }>`
          select count(*)::int as n from eva.eva_event_log
          where venture_id = ${venture.id}::uuid and event_type = 'stage.work_completed'`.execute(t.db);
        if ((rows[0]?.n ?? 0) >= 2) break;
        if (Date.now() > deadline) throw new Error(`no stage ran in the thread; its log: ${lines.join("\n")}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      await worker.stop();
    }
    // Stopped: nothing of the worker is left connected.
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from pg_stat_activity
      where datname = current_database() and application_name in ('eva-worker', 'eva-owner', 'eva-worker-cache')`.execute(
      t.db,
    );
    expect(rows[0]?.n).toBe(0);
  });

  it("says why when its worker cannot start", async () => {
    const url = new URL(t.url);
    url.port = "1";
    await expect(startWorkerThread({ url: url.toString(), analyst: "offline", schedule: false })).rejects.toThrow(
      /the worker thread could not start: .*ECONNREFUSED/s,
    );
  });
});
