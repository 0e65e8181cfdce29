// The stage engine against a real database: stage runs through the SQL
// functions, contracts, budgets, the cache, and idempotent recording.
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { withRole } from "../src/db/client.ts";
import { createDatabaseCache } from "../src/llm/cache.ts";
import { createOfflineAnalyst } from "../src/llm/offline-analyst.ts";
import { runStageWork } from "../src/orchestration/stage-engine.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";

const t = await createTestDatabase();
afterAll(() => t.drop());
const analyst = createOfflineAnalyst({ cache: createDatabaseCache(t.service) });
// These tests are about the engine's mechanics, not the Decision Filter Engine:
// no stage of theirs should escalate for a low score.
await withRole(t.db, "eva_chairman", (trx) =>
  trx
    .updateTable("chairman_preferences")
    .set({ value: "0" })
    .where("scope", "=", "global")
    .where("key", "=", "score_threshold")
    .execute(),
);

async function openWork(ventureId: string) {
  return t.db
    .selectFrom("venture_stage_work")
    .selectAll()
    .where("venture_id", "=", ventureId)
    .where("status", "in", ["ready", "in_progress", "blocked", "awaiting_decision"])
    .executeTakeFirst();
}

async function runOpen(ventureId: string) {
  const work = await openWork(ventureId);
  if (!work) throw new Error("no open work");
  return runStageWork(t.service, analyst, work.id);
}

async function ledger(ventureId: string) {
  return t.db
    .selectFrom("venture_budget_transactions")
    .selectAll()
    .where("venture_id", "=", ventureId)
    .orderBy("id")
    .execute();
}

describe("stage runs", () => {
  it("runs Stage 1 (no analysis) and Stage 2 (offline analysis), queuing each next stage's job by trigger", async () => {
    const v = await createVenture(t.db);
    expect(await runOpen(v.id)).toMatchObject({ outcome: "advanced", stage: 1, nextStage: 2 });
    const second = await runOpen(v.id);
    expect(second).toMatchObject({ outcome: "advanced", stage: 2, nextStage: 3, artifactVersion: 1 });
    const artifact = await t.db
      .selectFrom("venture_artifacts")
      .selectAll()
      .where("venture_id", "=", v.id)
      .where("lifecycle_stage", "=", 2)
      .executeTakeFirstOrThrow();
    expect(artifact).toMatchObject({
      artifact_type: "idea_validation",
      version: 1,
      is_current: true,
      epistemic_classification: "simulation",
    });
    expect(artifact.provenance).toMatchObject({ analyst: "offline", model: "eva-offline-analyst-v1", cached: false });
    expect((artifact.content as { compositeScore: number }).compositeScore).toBeGreaterThan(0);
    const { rows: jobs } = await sql<{ key: string }>`
      select key from graphile_worker.jobs where task_identifier = 'stage_run'`.execute(t.db);
    const next = await openWork(v.id);
    expect(jobs.map((j) => j.key)).toContain(`stage_run:${next?.id}`);
    const charged = await ledger(v.id);
    expect(charged).toHaveLength(1);
    expect(charged[0]).toMatchObject({ lifecycle_stage: 2, purpose: "analysis", estimated: true });
    expect(charged[0]?.prompt_tokens).toBeGreaterThan(0);
  });

  it("re-running an unchanged stage costs zero tokens and writes a new version with the same content", async () => {
    const v = await createVenture(t.db);
    await runOpen(v.id);
    await runOpen(v.id);
    const before = await ledger(v.id);
    // No request role runs fn_rerun_stage (EVA's functions do): the superuser stands in for them.
    await sql`select eva.fn_rerun_stage(${v.id}::uuid, 2, 'checking the cache')`.execute(t.db);
    expect(await runOpen(v.id)).toMatchObject({ outcome: "advanced", stage: 2, artifactVersion: 2 });
    expect(await ledger(v.id)).toHaveLength(before.length);
    const versions = await t.db
      .selectFrom("venture_artifacts")
      .select(["version", "is_current", "content", "provenance"])
      .where("venture_id", "=", v.id)
      .where("lifecycle_stage", "=", 2)
      .orderBy("version")
      .execute();
    expect(versions.map((a) => [a.version, a.is_current])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(versions[1]?.content).toEqual(versions[0]?.content);
    expect(versions[1]?.provenance).toMatchObject({ cached: true, attempts: 0 });
  });

  it("blocks a stage whose contract is unmet (an upstream artifact rejected), with the reason recorded", async () => {
    const v = await createVenture(t.db);
    await runOpen(v.id);
    await withRole(t.db, "eva_chairman", (trx) =>
      trx
        .updateTable("venture_artifacts")
        .set({ validation_status: "rejected" })
        .where("venture_id", "=", v.id)
        .where("artifact_type", "=", "idea_brief")
        .execute(),
    );
    const outcome = await runOpen(v.id);
    expect(outcome).toMatchObject({ outcome: "blocked", stage: 2, reason: "contract unmet: idea_brief rejected" });
    const work = await openWork(v.id);
    expect(work).toMatchObject({ status: "blocked", blocked_reason: "contract unmet: idea_brief rejected" });
    expect(await ledger(v.id)).toHaveLength(0);
  });

  it("stops a stage in a clear state when the token budget is exhausted, and runs it once the budget is raised", async () => {
    const v = await createVenture(t.db);
    await runOpen(v.id);
    await withRole(t.db, "eva_chairman", (trx) =>
      trx
        .updateTable("venture_phase_budgets")
        .set({ budget_tokens: 0 })
        .where("venture_id", "=", v.id)
        .where("phase_number", "=", 1)
        .execute(),
    );
    const outcome = await runOpen(v.id);
    expect(outcome).toMatchObject({ outcome: "blocked", stage: 2 });
    expect((outcome as { reason: string }).reason).toMatch(/^token budget exhausted .*phase 1: 0 left/);
    const alerts = await t.db
      .selectFrom("eva_alerts")
      .select(["alert_type", "message"])
      .where("venture_id", "=", v.id)
      .execute();
    expect(alerts).toEqual([expect.objectContaining({ alert_type: "stage_blocked" })]);

    await withRole(t.db, "eva_chairman", (trx) =>
      trx
        .updateTable("venture_phase_budgets")
        .set({ budget_tokens: 300000 })
        .where("venture_id", "=", v.id)
        .where("phase_number", "=", 1)
        .execute(),
    );
    const work = await openWork(v.id);
    await sql`select eva.fn_retry_stage_work(${work?.id}::uuid)`.execute(t.db);
    expect(await runOpen(v.id)).toMatchObject({ outcome: "advanced", stage: 2 });
  });

  it("records a result once: a retried job after the result was recorded does nothing", async () => {
    const v = await createVenture(t.db);
    await runOpen(v.id);
    const work = await openWork(v.id);
    if (!work) throw new Error("no open work");
    await runStageWork(t.service, analyst, work.id);
    expect(await runStageWork(t.service, analyst, work.id)).toMatchObject({ outcome: "noop" });
    const count = await t.db
      .selectFrom("venture_artifacts")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("venture_id", "=", v.id)
      .where("lifecycle_stage", "=", 2)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
  });
});
