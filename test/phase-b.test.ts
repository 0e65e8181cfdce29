// Spec §13 Phase B, as its own test reads: "Create 3 ventures. Scheduler
// auto-advances them. Chairman receives notifications, reviews decisions,
// ventures unblock automatically." One real worker with the master
// scheduler's crontab runs everything (no `eva run`); every decision it asks
// for reaches a local Standard Webhooks receiver, signed (checked here); the
// Chairman decides through eva.fn_decide; a hard dependency holds one venture
// until its provider gets there; a "continue" for a high-risk venture yields
// an ops cycle due a week later, which runs once the scheduler's clock gets there.
import { sql } from "kysely";
import { afterAll, expect, it } from "vitest";
import { withRole } from "../src/db/client.ts";
import { synthesizeBrief } from "../src/ideation/brief.ts";
import { createDatabaseCache } from "../src/llm/cache.ts";
import { createOfflineAnalyst } from "../src/llm/offline-analyst.ts";
import { startWorker } from "../src/worker.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";
import { startWebhookReceiver } from "./helpers/webhook-receiver.ts";

const t = await createTestDatabase();
const SECRET = `whsec_${Buffer.from("phase b webhook secret").toString("base64")}`;
const receiver = await startWebhookReceiver(SECRET);
const { deliveries, signedByEva } = receiver;
afterAll(async () => {
  await receiver.close();
  await t.drop();
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const chairman = <R>(fn: Parameters<typeof withRole<R>>[2]) => withRole<R>(t.db, "eva_chairman", fn);
const decide = (id: string, decision: string) =>
  chairman((trx) => sql`select eva.fn_decide(${id}::uuid, ${decision})`.execute(trx));

async function venture(id: string) {
  return t.db
    .selectFrom("ventures")
    .select(["current_lifecycle_stage as stage", "status"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
}

/** The signed delivery of a decision the venture asked for, once it arrives. */
const deliveryOf = (decisionId: string) =>
  until(`the webhook delivery of decision ${decisionId}`, async () =>
    deliveries.find((d) => d.body.decisionId === decisionId),
  );

it("three ventures advance under the scheduler; the Chairman is notified, decides, and they move on by themselves", {
  timeout: 600_000,
}, async () => {
  // Venture A comes from a Stage 0 review (a competitor teardown that the offline analyst takes to launch);
  // B and C are created directly at Stage 1.
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
  await decide(review.id, "approve");
  const a = await t.db.selectFrom("ventures").select("id").where("name", "=", brief.name).executeTakeFirstOrThrow();
  const b = await createVenture(t.db);
  const c = await createVenture(t.db);
  // C may not start until A has passed its brand decision (Stage 10) and reached Stage 11.
  await chairman((trx) =>
    sql`select eva.fn_add_venture_dependency(${c.id}::uuid, ${a.id}::uuid, 11, 'hard')`.execute(trx),
  );
  const held = await t.db
    .selectFrom("venture_stage_work")
    .select(["status", "blocked_reason"])
    .where("venture_id", "=", c.id)
    .where("status", "not in", ["completed", "superseded"])
    .executeTakeFirstOrThrow();
  expect(held.status).toBe("blocked");
  expect(held.blocked_reason).toContain(brief.name);

  const worker = await startWorker({
    url: t.url,
    analyst: createOfflineAnalyst({ cache: createDatabaseCache(t.service) }),
    concurrency: 3,
  });
  try {
    // The crontab is graphile-worker's own.
    const { rows: crontab } = await sql<{ identifier: string }>`
      select identifier from graphile_worker._private_known_crontabs`.execute(t.db);
    expect(crontab.map((r) => r.identifier)).toEqual(expect.arrayContaining(["scheduler_due_work"]));

    // The scheduler runs B on its own: it leaves Stage 1 without anyone calling `eva run`.
    await until("B to advance", async () => ((await venture(b.id)).stage > 1 ? true : undefined));

    // A reaches its brand decision; the Chairman hears of it at once, signed; C is still held.
    const decisions = async (type: string) =>
      t.db
        .selectFrom("chairman_decisions")
        .select(["id", "decision_type"])
        .where("venture_id", "=", a.id)
        .where("status", "=", "pending")
        .where("decision_type", "=", type)
        .executeTakeFirst();
    const answer = async (type: string, choice: string) => {
      // DFE escalations on the way are approved as they come.
      const pending = await until(`A's ${type} decision`, async () => {
        const esc = await decisions("dfe_escalation");
        if (esc) {
          await deliveryOf(esc.id);
          await decide(esc.id, "proceed");
          return undefined;
        }
        return decisions(type);
      });
      const sent = await deliveryOf(pending.id);
      expect(signedByEva(sent)).toBe(true);
      expect(sent.body).toMatchObject({ type: "decision.requested", urgency: "immediate", decisionId: pending.id });
      await decide(pending.id, choice);
    };
    await answer("brand_approval", "approve");

    // The dependency is met when A arrives at Stage 11, and C's work runs by itself.
    await until("C to leave Stage 1", async () => ((await venture(c.id)).stage > 1 ? true : undefined));
    const dependency = await t.db
      .selectFrom("venture_dependencies")
      .select("status")
      .where("dependent_venture_id", "=", c.id)
      .executeTakeFirstOrThrow();
    expect(dependency.status).toBe("met");

    // Engineering reports A's sprint; the release decision; then A's ops review at Stage 25.
    const engineering = setInterval(() => {
      void (async () => {
        const items = await t.db
          .selectFrom("sd_work_items")
          .select("id")
          .where("venture_id", "=", a.id)
          .where("kind", "=", "child")
          .where("status", "=", "pending")
          .execute();
        for (const item of items)
          await sql`select eva.fn_sd_complete(${item.id}::uuid, 'succeeded', 120, 0, 85)`.execute(t.service);
      })().catch(() => {});
    }, 200);
    try {
      await answer("release_decision", "release");
    } finally {
      clearInterval(engineering);
    }

    // A high-risk venture's "continue" schedules the next ops cycle a week out, on the scheduler's clock.
    const future = await until("A's venture_future decision", () => decisions("venture_future"));
    await chairman((trx) =>
      sql`select eva.fn_set_venture_cadence(${a.id}::uuid, 'high', null, null, 'Phase B: a new venture is high-risk')`.execute(
        trx,
      ),
    );
    expect(signedByEva(await deliveryOf(future.id))).toBe(true);
    const { rows: before } = await sql<{ now: Date }>`select eva.fn_scheduler_now() as now`.execute(t.db);
    await decide(future.id, "continue");
    const next = await t.db
      .selectFrom("venture_stage_work")
      .select(["id", "status", "due_at", "run_number"])
      .where("venture_id", "=", a.id)
      .where("lifecycle_stage", "=", 24)
      .orderBy("run_number", "desc")
      .executeTakeFirstOrThrow();
    expect(next.status).toBe("scheduled");
    const startedAt = new Date(String(before[0]?.now)).getTime();
    const dueInDays = (new Date(String(next.due_at)).getTime() - startedAt) / 86_400_000;
    expect(dueInDays).toBeGreaterThan(6.9);
    expect(dueInDays).toBeLessThan(7.1);

    // Nothing runs before it is due; a week later on the scheduler's clock, its due-work tick releases it.
    await sql`select graphile_worker.add_job('scheduler_due_work', '{}'::json, job_key := 'scheduler_due_work')`.execute(
      t.db,
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect(
      (await t.db.selectFrom("venture_stage_work").select("status").where("id", "=", next.id).executeTakeFirstOrThrow())
        .status,
    ).toBe("scheduled");
    await chairman((trx) => sql`select eva.fn_set_scheduler_clock(interval '7 days 1 hour')`.execute(trx));
    await sql`select graphile_worker.add_job('scheduler_due_work', '{}'::json, job_key := 'scheduler_due_work')`.execute(
      t.db,
    );
    await until("the next ops cycle's Stage 24 to run", async () => {
      const w = await t.db
        .selectFrom("venture_stage_work")
        .select("status")
        .where("id", "=", next.id)
        .executeTakeFirstOrThrow();
      return w.status === "completed" ? true : undefined;
    });
    const { rows: scorecards } = await sql<{ version: number }>`
      select version from eva.venture_artifacts where venture_id = ${a.id}::uuid and artifact_type = 'launch_scorecard'
      order by version`.execute(t.db);
    expect(scorecards.map((s) => s.version)).toEqual([1, 2]);
  } finally {
    await worker.stop();
  }

  // Every delivery carried a valid signature, and none was sent twice.
  expect(deliveries.length).toBeGreaterThanOrEqual(4);
  expect(deliveries.every(signedByEva)).toBe(true);
  expect(new Set(deliveries.map((d) => d.id)).size).toBe(deliveries.length);
});
