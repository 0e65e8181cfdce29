// A venture from Stage 1 to Stage 25 with the offline analyst, through worker
// jobs queued by the database, the Chairman approving at the Chairman gates
// and engineering reporting the sprint's work items. The idea is Stage 0's
// teardown of wonka.com, which the offline analyst judges strong enough to
// pass every gate (see test/phase-a.test.ts).
import { sql } from "kysely";
import { afterAll, expect, it } from "vitest";
import { withRole } from "../src/db/client.ts";
import { synthesizeBrief } from "../src/ideation/brief.ts";
import { createDatabaseCache } from "../src/llm/cache.ts";
import { createOfflineAnalyst } from "../src/llm/offline-analyst.ts";
import { startWorker } from "../src/worker.ts";
import { createTestDatabase } from "./helpers/database.ts";

const t = await createTestDatabase();
afterAll(() => t.drop());

const APPROVE: Record<string, string> = { brand_approval: "approve", release_decision: "release" };

it("runs a venture from Stage 1 to Stage 25 through worker jobs, every stage's artifacts valid", async () => {
  const { brief } = await synthesizeBrief(createOfflineAnalyst(), {
    path: "competitor_teardown",
    urls: ["https://wonka.com"],
  });
  const review = await withRole(t.db, "eva_service", (trx) =>
    trx
      .insertInto("chairman_decisions")
      .values({ lifecycle_stage: 0, decision_type: "venture_review", context: JSON.stringify({ brief }) })
      .returning("id")
      .executeTakeFirstOrThrow(),
  );
  const v = await withRole(t.db, "eva_chairman", async (trx) => {
    await sql`select eva.fn_decide(${review.id}::uuid, 'approve')`.execute(trx);
    return trx
      .selectFrom("chairman_decisions")
      .select("venture_id as id")
      .where("id", "=", review.id)
      .executeTakeFirstOrThrow();
  });
  if (!v.id) throw new Error("the approved review created no venture");
  const worker = await startWorker({
    url: t.url,
    analyst: createOfflineAnalyst({ cache: createDatabaseCache(t.service) }),
    concurrency: 2,
  });
  const decided: string[] = [];
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (Date.now() > deadline) throw new Error("the venture did not reach Stage 25 in time");
      const pending = await t.db
        .selectFrom("chairman_decisions")
        .select(["id", "decision_type", "lifecycle_stage"])
        .where("venture_id", "=", v.id as string)
        .where("status", "=", "pending")
        .executeTakeFirst();
      if (pending?.decision_type === "venture_future") break;
      if (pending) {
        const decision = APPROVE[pending.decision_type] ?? "proceed";
        await withRole(t.db, "eva_chairman", (trx) =>
          sql`select eva.fn_decide(${pending.id}::uuid, ${decision}, 'approved in the pipeline test')`.execute(trx),
        );
        decided.push(`${pending.lifecycle_stage}:${decision}`);
      }
      const waiting = await t.db
        .selectFrom("sd_work_items")
        .select("id")
        .where("venture_id", "=", v.id as string)
        .where("kind", "=", "child")
        .where("status", "=", "pending")
        .execute();
      for (const item of waiting) {
        await sql`select eva.fn_sd_complete(${item.id}::uuid, 'succeeded', 120, 0, 85)`.execute(t.service);
      }
      const stuck = await t.db
        .selectFrom("venture_stage_work")
        .select(["lifecycle_stage", "status", "blocked_reason"])
        .where("venture_id", "=", v.id as string)
        .where("status", "in", ["blocked", "failed"])
        .executeTakeFirst();
      if (stuck && !stuck.blocked_reason?.startsWith("waiting for engineering")) {
        throw new Error(`stage ${stuck.lifecycle_stage} ${stuck.status}: ${stuck.blocked_reason}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await worker.stop();
  }
  // The Chairman gates were decided; a DFE escalation on the way (approved with "proceed") is allowed.
  expect(decided.filter((d) => !d.endsWith(":proceed"))).toEqual(["10:approve", "22:release"]);

  const venture = await t.db
    .selectFrom("ventures")
    .select(["status", "current_lifecycle_stage"])
    .where("id", "=", v.id as string)
    .executeTakeFirstOrThrow();
  expect(venture).toEqual({ status: "awaiting_decision", current_lifecycle_stage: 25 });
  const artifacts = await t.db
    .selectFrom("venture_artifacts")
    .select(["lifecycle_stage", "artifact_type", "version", "validation_status", "epistemic_classification"])
    .where("venture_id", "=", v.id as string)
    .where("is_current", "=", true)
    .orderBy("lifecycle_stage")
    .orderBy("artifact_type")
    .execute();
  expect(new Set(artifacts.filter((a) => a.lifecycle_stage >= 1).map((a) => a.lifecycle_stage)).size).toBe(25);
  expect(artifacts.filter((a) => a.lifecycle_stage === 25).map((a) => a.artifact_type)).toEqual([
    "assumptions_reality_report",
    "growth_experiments",
    "optimization_roadmap",
    "scaling_plan",
    "venture_review",
  ]);
  expect(artifacts.every((a) => a.validation_status === "validated")).toBe(true);
  expect(artifacts.filter((a) => a.lifecycle_stage > 1).every((a) => a.epistemic_classification === "simulation")).toBe(
    true,
  );
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from eva.venture_stage_transitions where venture_id = ${v.id as string} and transition_type = 'advance'`.execute(
    t.db,
  );
  expect(rows[0]?.n).toBeGreaterThanOrEqual(24);
}, 90_000);
