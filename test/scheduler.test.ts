// The master scheduler (graphile-worker's crontab), the scheduler's clock and
// per-venture cadence: each tick run directly against a real database and
// through a real worker; time moves through eva.fn_scheduler_now(), never by
// sleeping.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { eventLine } from "../src/cli/event-lines.ts";
import { withRole } from "../src/db/client.ts";
import { createOfflineAnalyst } from "../src/llm/offline-analyst.ts";
import { CRONTAB_LINES, parsedCrontab } from "../src/tasks/index.ts";
import { TICKS } from "../src/tasks/scheduler.ts";
import { startWorker } from "../src/worker.ts";
import { runEva } from "./helpers/cli.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { settleEventBus } from "./helpers/event-bus.ts";
import { createVenture, walkToDecision } from "./helpers/fixtures.ts";

const t = await createTestDatabase();
afterAll(() => t.drop());

const decide = (id: string, decision: string) =>
  withRole(t.db, "eva_chairman", (trx) =>
    sql`select * from eva.fn_decide(${id}::uuid, ${decision}, null)`.execute(trx),
  );
const schedulerNow = async () =>
  new Date((await sql<{ n: Date }>`select eva.fn_scheduler_now() as n`.execute(t.db)).rows[0]?.n ?? 0).getTime();
const advanceClock = (interval: string) =>
  withRole(t.db, "eva_chairman", (trx) => sql`select eva.fn_set_scheduler_clock(${interval}::interval)`.execute(trx));
const DAY = 24 * 3600 * 1000;

/** A new venture walked to its Stage 25 decision, its review carrying this health. */
async function atStage25(health: { overall: number; band: string }) {
  const v = await createVenture(t.db);
  const content = { 25: { ventureHealth: health } };
  let id = await walkToDecision(t.db, v.id, 25, content);
  if (id) await decide(id, "approve");
  id = await walkToDecision(t.db, v.id, 25, content);
  if (id) await decide(id, "release");
  id = await walkToDecision(t.db, v.id, 25, content);
  if (!id) throw new Error("no Stage 25 decision");
  return { ...v, decisionId: id };
}

const stage24 = (ventureId: string) =>
  t.db
    .selectFrom("venture_stage_work")
    .select(["id", "status", "due_at", "run_number"])
    .where("venture_id", "=", ventureId)
    .where("lifecycle_stage", "=", 24)
    .orderBy("run_number", "desc")
    .executeTakeFirstOrThrow();
const jobsFor = async (workId: string) =>
  Number(
    (
      await sql<{
        n: string;
      }>`select count(*) as n from graphile_worker.jobs where key = ${`stage_run:${workId}`}`.execute(t.db)
    ).rows[0]?.n,
  );
const cadence = (ventureId: string) =>
  t.db.selectFrom("venture_cadence").selectAll().where("venture_id", "=", ventureId).executeTakeFirst();
const lastEvent = (type: string) =>
  t.db
    .selectFrom("eva_event_log")
    .select(["payload", "venture_id"])
    .where("event_type", "=", type)
    .orderBy("id", "desc")
    .executeTakeFirst();

describe("the crontab", () => {
  it("parses with graphile-worker: one line per tick, each with a backfill period and a job key", () => {
    const items = parsedCrontab();
    expect(items.map((i) => i.task).sort()).toEqual(Object.keys(CRONTAB_LINES).sort());
    for (const item of items) {
      expect(item.options.backfillPeriod, item.task).toBeGreaterThan(0);
      expect(item.options.jobKey, item.task).toBe(item.task);
    }
  });
});

describe("per-venture cadence and the next ops cycle", () => {
  it("a continue yields a cycle due a week later for a high-risk venture; it runs once the clock reaches it", async () => {
    const v = await atStage25({ overall: 35, band: "critical" });
    expect(await cadence(v.id)).toMatchObject({ risk_band: "high", source: "health" });
    const before = await schedulerNow();
    await decide(v.decisionId, "continue");
    const after = await schedulerNow();
    const work = await stage24(v.id);
    expect(work.status).toBe("scheduled");
    const due = new Date(work.due_at ?? 0).getTime();
    expect(due).toBeGreaterThanOrEqual(before + 7 * DAY);
    expect(due).toBeLessThanOrEqual(after + 7 * DAY);
    expect(await jobsFor(work.id)).toBe(0);
    expect((await lastEvent("schedule.ops_cycle_scheduled"))?.payload).toMatchObject({
      riskBand: "high",
      opsCycle: "7 days",
    });

    expect(await TICKS.scheduler_due_work(t.service)).toEqual({ released: 0 });
    await advanceClock("6 days");
    expect(await TICKS.scheduler_due_work(t.service)).toEqual({ released: 0 });
    expect((await stage24(v.id)).status).toBe("scheduled");

    await advanceClock("1 day 1 minute");
    expect(await TICKS.scheduler_due_work(t.service)).toEqual({ released: 1 });
    expect((await stage24(v.id)).status).toBe("ready");
    expect(await jobsFor(work.id)).toBe(1);
    // Idempotent: the same tick again releases nothing more.
    expect(await TICKS.scheduler_due_work(t.service)).toEqual({ released: 0 });
    expect(await jobsFor(work.id)).toBe(1);
  });

  it("a stable venture's cycle is monthly; cadence follows the health band, faster when it declines", async () => {
    const v = await atStage25({ overall: 85, band: "strong" });
    expect(await cadence(v.id)).toMatchObject({ risk_band: "stable", ops_cycle: { days: 30 } });
    const before = await schedulerNow();
    await decide(v.decisionId, "continue");
    expect(new Date((await stage24(v.id)).due_at ?? 0).getTime()).toBeGreaterThanOrEqual(before + 30 * DAY);

    const relaxedCheck = new Date((await cadence(v.id))?.next_health_check_at ?? 0).getTime();
    await sql`update eva.ventures set health_status = 'fragile' where id = ${v.id}::uuid`.execute(t.db);
    const declined = await cadence(v.id);
    expect(declined).toMatchObject({ risk_band: "high", ops_cycle: { days: 7 }, health_check: { days: 1 } });
    expect(new Date(declined?.next_health_check_at ?? 0).getTime()).toBeLessThan(relaxedCheck);
    expect((await lastEvent("schedule.cadence_changed"))?.payload).toMatchObject({ from: "stable", to: "high" });
  });

  it("the Chairman's override: bad input names the field and writes nothing; an override holds against the health band", async () => {
    const v = await createVenture(t.db);
    const set = (band: string | null, ops: string | null, check: string | null, reason: string | null, auto = false) =>
      withRole(t.db, "eva_chairman", (trx) =>
        sql`select * from eva.fn_set_venture_cadence(${v.id}::uuid, ${band}, ${ops}::interval, ${check}::interval, ${reason}, ${auto})`.execute(
          trx,
        ),
      );
    await expect(set("wild", null, null, "x")).rejects.toMatchObject({ code: "EV400", message: /^risk_band/ });
    await expect(set(null, "2 hours", null, "x")).rejects.toMatchObject({ code: "EV400", message: /^ops_cycle/ });
    await expect(set(null, null, "1 minute", "x")).rejects.toMatchObject({ code: "EV400", message: /^health_check/ });
    await expect(set(null, "3 days", null, " ")).rejects.toMatchObject({ code: "EV400", message: /^reason/ });
    await expect(set(null, null, null, "x")).rejects.toMatchObject({ code: "EV400" });
    await expect(
      withRole(t.db, "eva_chairman", (trx) =>
        sql`select eva.fn_set_venture_cadence('00000000-0000-0000-0000-000000000000'::uuid, 'high', null, null, 'x')`.execute(
          trx,
        ),
      ),
    ).rejects.toMatchObject({ code: "EV404", message: /^venture/ });
    expect(await cadence(v.id)).toBeUndefined();
    await expect(
      withRole(t.db, "eva_service", (trx) =>
        sql`select eva.fn_set_venture_cadence(${v.id}::uuid, 'high', null, null, 'x')`.execute(trx),
      ),
    ).rejects.toMatchObject({ code: "42501" });

    await set(null, "3 days", null, "launch week");
    expect(await cadence(v.id)).toMatchObject({
      source: "chairman",
      ops_cycle: { days: 3 },
      override_reason: "launch week",
    });
    await sql`update eva.ventures set health_status = 'strong' where id = ${v.id}::uuid`.execute(t.db);
    expect(await cadence(v.id)).toMatchObject({ source: "chairman", ops_cycle: { days: 3 } });
    await set(null, null, null, null, true);
    expect(await cadence(v.id)).toMatchObject({ source: "health", risk_band: "stable", ops_cycle: { days: 30 } });
  });
});

describe("the ticks, run directly", () => {
  it("health scan: measured health from the latest Stage 25 review, else unknown; once per due check", async () => {
    const reviewed = await atStage25({ overall: 72, band: "viable" });
    const blank = await createVenture(t.db);
    // A gap between reviews: the venture's columns lost their values.
    await sql`update eva.ventures set health_score = null, health_status = null where id = ${reviewed.id}::uuid`.execute(
      t.db,
    );
    await withRole(t.db, "eva_chairman", (trx) =>
      sql`select eva.fn_schedule_run_now(${reviewed.id}::uuid)`.execute(trx),
    );
    const scan = await TICKS.portfolio_health_scan(t.service);
    expect(scan).toMatchObject({ fromReview: expect.any(Number), unknown: expect.any(Number) });
    const health = (id: string) =>
      t.db
        .selectFrom("ventures")
        .select(["health_score", "health_status"])
        .where("id", "=", id)
        .executeTakeFirstOrThrow();
    expect(await health(reviewed.id)).toEqual({ health_score: "0.7200", health_status: "viable" });
    expect(await cadence(reviewed.id)).toMatchObject({ last_health_basis: "stage25_review", risk_band: "moderate" });
    expect(await health(blank.id)).toEqual({ health_score: null, health_status: "unknown" });
    expect(await cadence(blank.id)).toMatchObject({ last_health_basis: "unknown", risk_band: "high" });
    const changed = await t.db
      .selectFrom("eva_event_log")
      .select("payload")
      .where("event_type", "=", "venture.health_changed")
      .where("venture_id", "=", reviewed.id)
      .executeTakeFirstOrThrow();
    expect(changed.payload).toMatchObject({ basis: "stage25_review", epistemic: "fact", to: { status: "viable" } });

    const changes = () =>
      t.db
        .selectFrom("eva_event_log")
        .select("id")
        .where("event_type", "=", "venture.health_changed")
        .where("venture_id", "in", [reviewed.id, blank.id])
        .execute();
    expect(await changes()).toHaveLength(1);
    // Nothing is due again until the venture's health-check interval has passed.
    expect(await TICKS.portfolio_health_scan(t.service)).toMatchObject({ examined: 0, changed: 0 });
    await advanceClock("1 day 1 minute");
    const next = await TICKS.portfolio_health_scan(t.service);
    expect(Number(next.examined)).toBeGreaterThanOrEqual(2);
    // Examined again, nothing new measured: no change, no new event.
    expect(await changes()).toHaveLength(1);
    expect((await cadence(blank.id))?.last_health_check_at).not.toEqual(
      (await cadence(reviewed.id))?.last_health_check_at,
    );
  });

  it("nursery check: a parked idea whose revisit date has come is re-evaluated once (a nursery_reeval job) and an event", async () => {
    const brief = { name: `Parked idea ${Date.now()}`, description: "x" };
    const { rows } = await sql<{ id: string }>`
      insert into eva.chairman_decisions (lifecycle_stage, decision_type, recommended_action, context)
      values (0, 'venture_review', 'park', ${JSON.stringify({ brief })}::jsonb) returning id`.execute(t.service);
    await decide(rows[0]?.id ?? "", "park");
    const nursery = await t.db
      .selectFrom("venture_nursery")
      .select(["id", "review_at"])
      .where("decision_id", "=", rows[0]?.id ?? "")
      .executeTakeFirstOrThrow();
    const jobs = async () =>
      (
        await sql<{ payload: { nurseryId: string } }>`select payload from graphile_worker._private_jobs
          where key = ${`nursery_reeval:${nursery.id}`}`.execute(t.db)
      ).rows;
    expect(await TICKS.nursery_review_check(t.service)).toMatchObject({ reevaluationsQueued: 0 });
    await advanceClock("90 days 1 minute");
    expect(await TICKS.nursery_review_check(t.service)).toMatchObject({ reevaluationsQueued: 1 });
    expect(await TICKS.nursery_review_check(t.service)).toMatchObject({ reevaluationsQueued: 0 });
    expect((await jobs()).map((j) => j.payload.nurseryId)).toEqual([nursery.id]);
    expect((await lastEvent("nursery.review_due"))?.payload).toMatchObject({ nurseryId: nursery.id, name: brief.name });
  });

  it("saga sweep: a retirement saga past its timeout fails with timedOut, an alert and an event, once", async () => {
    const v = await atStage25({ overall: 20, band: "critical" });
    await decide(v.decisionId, "sunset");
    // The saga starts from the venture.sunset event (the venture-retirement subscription).
    await settleEventBus(t);
    const saga = () =>
      t.db
        .selectFrom("eva_sagas")
        .selectAll()
        .where("venture_id", "=", v.id)
        .where("saga_type", "=", "venture_retirement")
        .executeTakeFirstOrThrow();
    expect((await saga()).status).toBe("active");
    expect(await TICKS.saga_timeout_sweep(t.service)).toEqual({ timedOut: 0 });
    await advanceClock("30 days 1 minute");
    expect(await TICKS.saga_timeout_sweep(t.service)).toEqual({ timedOut: 1 });
    expect(await saga()).toMatchObject({ status: "failed", context: { timedOut: { step: "notify_users" } } });
    const alert = await t.db
      .selectFrom("eva_alerts")
      .select(["severity", "alert_type"])
      .where("venture_id", "=", v.id)
      .executeTakeFirstOrThrow();
    expect(alert).toEqual({ severity: "P1", alert_type: "saga_timeout" });
    expect((await lastEvent("saga.timed_out"))?.venture_id).toBe(v.id);
    expect(await TICKS.saga_timeout_sweep(t.service)).toEqual({ timedOut: 0 });
  });

  it("DLQ depth check: above 10 pending dead letters one open P1 alert, kept up to date", async () => {
    const dead = (n: number) =>
      sql`insert into eva.eva_event_dlq (event_type, failure_reason)
          select 'stage.completed', 'handler failed' from generate_series(1, ${n}::int)`.execute(t.db);
    await dead(10);
    expect(await TICKS.dlq_depth_check(t.service)).toMatchObject({ depth: 10, limit: 10, alertId: null });
    await dead(2);
    const first = await TICKS.dlq_depth_check(t.service);
    expect(first).toMatchObject({ depth: 12, alertId: expect.any(String) });
    await dead(1);
    expect(await TICKS.dlq_depth_check(t.service)).toMatchObject({ depth: 13, alertId: first.alertId });
    const open = await t.db
      .selectFrom("eva_alerts")
      .select(["severity", "details"])
      .where("alert_type", "=", "dlq_depth")
      .where("status", "=", "open")
      .execute();
    expect(open).toEqual([{ severity: "P1", details: { depth: 13, limit: 10 } }]);
  });

  it("the knowledge sync tick re-extracts the knowledge base and says what it holds in its event", async () => {
    const ventures = Number(
      (await sql<{ n: string }>`select count(*)::text as n from eva.ventures`.execute(t.db)).rows[0]?.n,
    );
    expect(await TICKS.knowledge_sync(t.service)).toMatchObject({ done: true, ventures });
    expect((await lastEvent("scheduler.tick"))?.payload).toMatchObject({
      task: "knowledge_sync",
      done: true,
      ventures,
      antiPatterns: expect.any(Number),
    });
  });

  it("the digest ticks write the outbox's digests (eva.fn_notification_digest) and say so in their event", async () => {
    for (const task of ["notification_digest_daily", "notification_digest_weekly"] as const) {
      const result = await TICKS[task](t.service);
      expect(result).toMatchObject({ done: true, asOf: expect.any(String) });
      expect(result).toHaveProperty("digest");
      expect((await lastEvent("scheduler.tick"))?.payload).toMatchObject({ task, done: true });
    }
  });

  it("the clock moves forward only, and only for the Chairman", async () => {
    await expect(advanceClock("-1 day")).rejects.toMatchObject({ code: "EV400", message: /^advance/ });
    await expect(
      withRole(t.db, "eva_service", (trx) => sql`select eva.fn_set_scheduler_clock('1 day')`.execute(trx)),
    ).rejects.toMatchObject({ code: "42501" });
  });
});

describe("eva schedule", () => {
  const _run = promisify(execFile);
  const eva = (...args: string[]) => runEva(args, { DATABASE_URL: t.url });

  it("lists what is due and when (--json), run-now makes it due now, bad input names the flag", async () => {
    const v = await atStage25({ overall: 50, band: "fragile" });
    await decide(v.decisionId, "continue");
    const listed = await eva("schedule", v.name, "--json");
    expect(listed.code).toBe(0);
    const due = JSON.parse(listed.stdout) as { venture: string; kind: string; dueAt: string }[];
    expect(due.map((d) => [d.venture, d.kind])).toEqual([
      [v.name, "health_check"],
      [v.name, "ops_cycle"],
    ]);
    const cycle = due.find((d) => d.kind === "ops_cycle");
    expect(Date.parse(cycle?.dueAt ?? "") - (await schedulerNow())).toBeGreaterThan(6 * DAY);
    const all = JSON.parse((await eva("schedule", "--json")).stdout) as { venture: string }[];
    expect(all.some((d) => d.venture === v.name)).toBe(true);
    expect((await eva("schedule", v.name)).stdout).toMatch(/ops_cycle/);

    const now = await eva("schedule", "run-now", v.name);
    expect(now).toMatchObject({ code: 0 });
    expect((await stage24(v.id)).status).toBe("ready");

    expect(await eva("schedule", "nosuch-venture")).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/venture/),
    });
    const bad = await eva("schedule", "set", v.name, "--ops-cycle", "0d", "--reason", "x");
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringMatching(/--ops-cycle/) });
    const refused = await eva("schedule", "set", v.name, "--ops-cycle", "400d", "--reason", "x");
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringMatching(/ops_cycle.*EV400/s) });
    expect(await cadence(v.id)).toMatchObject({ source: "health" });
    expect((await eva("schedule", "clock", "--advance", "soon")).code).toBe(2);
    const clock = JSON.parse((await eva("schedule", "clock", "--json")).stdout) as { schedulerTime: string };
    expect(Date.parse(clock.schedulerTime)).toBeGreaterThan(Date.now() + 100 * DAY);
  }, 180_000);
});

describe("through a real worker", () => {
  it("registers the crontab in known_crontabs, and runs a tick queued under its job key", async () => {
    const worker = await startWorker({ url: t.url, analyst: createOfflineAnalyst(), concurrency: 1 });
    try {
      // The worker registers its crontab as it starts its cron loop: wait for it.
      let known: string[] = [];
      for (let i = 0; i < 200 && known.length < Object.keys(CRONTAB_LINES).length; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 50));
        const rows = await sql<{ identifier: string }>`
          select identifier from graphile_worker._private_known_crontabs order by identifier`.execute(t.db);
        known = rows.rows.map((r) => r.identifier);
      }
      expect(known).toEqual(Object.keys(CRONTAB_LINES).sort());

      const marker = await sql<{ id: string }>`select coalesce(max(id), 0)::text as id from eva.eva_event_log`.execute(
        t.db,
      );
      await sql`select graphile_worker.add_job('knowledge_sync', '{}'::json, job_key := 'knowledge_sync')`.execute(
        t.db,
      );
      let tick: { payload: unknown } | undefined;
      for (let i = 0; i < 120 && !tick; i++) {
        tick = await t.db
          .selectFrom("eva_event_log")
          .select("payload")
          .where("event_type", "=", "scheduler.tick")
          .where("id", ">", marker.rows[0]?.id ?? "0")
          .executeTakeFirst();
        if (!tick) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(tick?.payload).toMatchObject({ task: "knowledge_sync", done: true });
    } finally {
      await worker.stop();
    }
  }, 120_000);
});

describe("eva start's event lines", () => {
  it("prints a line for decisions, stage moves, kills and notifications; nothing for noise", () => {
    const e = (event_type: string, payload: Record<string, unknown>) => ({
      event_type,
      venture_id: "v",
      payload,
      cursor: "1.0",
    });
    expect(
      eventLine(
        e("chairman.decision_requested", {
          stage: 25,
          decision_type: "venture_future",
          urgency: "immediate",
          decision_id: "d1",
        }),
        "Acme",
      ),
    ).toBe("decision requested: Acme, stage 25 venture_future (immediate) — d1");
    expect(
      eventLine(e("chairman.approval", { stage: 10, decision_type: "brand_approval", decision: "approve" }), "Acme"),
    ).toBe("decision made: Acme, stage 10 brand_approval → approve");
    expect(eventLine(e("stage.entered", { from_stage: 10, to_stage: 11 }), "Acme")).toBe(
      "Acme entered stage 11 (from 10)",
    );
    expect(eventLine(e("venture.killed", {}), "Acme")).toBe("Acme killed");
    // The reason is said once: the venture's history already says "killed at stage N: ".
    expect(eventLine(e("venture.killed", { reason: "killed at stage 3: momentum 42 < 50." }), "Acme")).toBe(
      "Acme killed at stage 3: momentum 42 < 50.",
    );
    expect(eventLine(e("venture.sunset", { reason: "the Chairman ended it" }), "Acme")).toBe(
      "Acme sunset: the Chairman ended it",
    );
    expect(eventLine(e("notification.sent", { summary: "Stage 25 needs you" }), "Acme")).toBe(
      "notification sent: Acme — Stage 25 needs you",
    );
    expect(eventLine(e("gate.evaluated", {}), "Acme")).toBeNull();
  });
});

describe("GraphQL", () => {
  it("the Chairman overrides a cadence with setVentureCadence and reads ventureSchedule; a bad interval names the field", async () => {
    process.env.EVA_JWT_SECRET ??= "scheduler-test-secret-scheduler-test-secret-0123";
    const { startApiServer } = await import("../graphql/server.ts");
    const { mintToken } = await import("../src/auth/tokens.ts");
    const api = await startApiServer({ url: t.url, port: 0 });
    try {
      const token = await mintToken("chairman", 600);
      const gql = async (query: string, variables: Record<string, unknown>) =>
        (await (
          await fetch(api.url, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
            body: JSON.stringify({ query, variables }),
          })
        ).json()) as { data?: Record<string, { result?: unknown } | null>; errors?: { message: string }[] };
      const v = await createVenture(t.db);
      const set = `mutation($id: UUID!, $ops: IntervalInput, $reason: String) {
          setVentureCadence(input: { pVentureId: $id, pOpsCycle: $ops, pReason: $reason }) {
            result { riskBand opsCycle { days } source overrideReason } } }`;
      const bad = await gql(set, { id: v.id, ops: { hours: 2 }, reason: "x" });
      expect(bad.errors?.[0]?.message).toMatch(/^ops_cycle/);
      expect(await cadence(v.id)).toBeUndefined();
      const good = await gql(set, { id: v.id, ops: { days: 3 }, reason: "launch week" });
      expect(good.errors).toBeUndefined();
      expect(good.data?.setVentureCadence?.result).toEqual({
        riskBand: "high",
        opsCycle: { days: 3 },
        source: "chairman",
        overrideReason: "launch week",
      });
      const listed = await gql(
        `query($id: UUID!) { ventureSchedule(pVentureId: $id) { nodes { kind ventureName } } }`,
        {
          id: v.id,
        },
      );
      expect(listed.errors).toBeUndefined();
      expect(listed.data?.ventureSchedule).toEqual({ nodes: [{ kind: "health_check", ventureName: v.name }] });
    } finally {
      await api.close();
    }
  }, 60_000);
});
