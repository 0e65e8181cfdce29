// The Chairman's dashboard (spec §10, §11): the decision queue ranked by
// venture priority, the health heatmap, the event feed, the portfolio metrics
// and the dependency graph, read as the real roles on a small portfolio.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Role, withRole } from "../src/db/client.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";

const t = await createTestDatabase();
afterAll(() => t.drop());

const DFE_ESCALATION = {
  output: "PRESENT_TO_CHAIRMAN_WITH_MITIGATIONS",
  triggers: [{ type: "cost_threshold", detail: "cost 80000 over 50000" }],
  mitigations: ["Start with a cheaper vendor"],
};

/** Runs a statement as a role and returns its rows. */
async function read<R>(role: Role, statement: string): Promise<R[]> {
  return withRole(t.db, role, async (trx) => (await sql.raw<R>(statement).execute(trx)).rows);
}

/** Completes the venture's open Stage 1 run through the engine's SQL with the given route. */
async function recordStageOne(ventureId: string, route: object): Promise<void> {
  const work = await t.db
    .selectFrom("venture_stage_work")
    .select("id")
    .where("venture_id", "=", ventureId)
    .where("status", "=", "ready")
    .executeTakeFirstOrThrow();
  await sql`select eva.fn_begin_stage_run(${work.id}::uuid)`.execute(t.service);
  await sql`select eva.fn_record_stage_result(${work.id}::uuid, '[]'::jsonb, null, '[]'::jsonb,
    ${JSON.stringify(route)}::jsonb)`.execute(t.service);
}

/** Sets the measured fields (setup as the superuser; the dwell clock is moved back by `dwellDays`). */
async function measure(ventureId: string, revenue: number | null, health: number | null, dwellDays = 0) {
  await sql`update eva.ventures set projected_revenue = ${revenue}, health_score = ${health},
    stage_entered_at = now() - make_interval(days => ${dwellDays}),
    created_at = now() - make_interval(days => ${dwellDays + 20}) where id = ${ventureId}::uuid`.execute(t.db);
}

async function addArtifact(ventureId: string, stage: number, type: string, content: object, quality: number | null) {
  await sql`insert into eva.venture_artifacts (venture_id, lifecycle_stage, artifact_type, content, quality_score, epistemic_classification)
    values (${ventureId}::uuid, ${stage}, ${type}, ${JSON.stringify(content)}::jsonb, ${quality}, 'simulation')`.execute(
    t.db,
  );
}

let rich: { id: string; name: string };
let poor: { id: string; name: string };
let later: { id: string; name: string };
let waiting: { id: string; name: string };
let smooth: { id: string; name: string };
let killed: { id: string; name: string };
let reviewed: { id: string; name: string };

beforeAll(async () => {
  rich = await createVenture(t.db);
  poor = await createVenture(t.db);
  later = await createVenture(t.db);
  waiting = await createVenture(t.db);
  smooth = await createVenture(t.db);
  killed = await createVenture(t.db);
  reviewed = await createVenture(t.db);

  // Two DFE escalations (immediate) and one non-blocking decision at an advisory
  // checkpoint (daily: a decision's urgency follows Decision #30, not its opener).
  await recordStageOne(rich.id, { action: "escalate", recommendedAction: "proceed", dfe: DFE_ESCALATION });
  await recordStageOne(poor.id, { action: "escalate", recommendedAction: "proceed", dfe: DFE_ESCALATION });
  await sql`insert into eva.chairman_decisions (venture_id, lifecycle_stage, decision_type, recommended_action, blocking)
    values (${later.id}::uuid, 23, 'dfe_escalation', 'proceed', false)`.execute(t.service);
  // A Stage 0 review: no venture yet, the brief names it.
  await sql`insert into eva.chairman_decisions (lifecycle_stage, decision_type, recommended_action, context)
    values (0, 'venture_review', 'approve', ${JSON.stringify({ brief: { name: "Parcel Locker Network" } })}::jsonb)`.execute(
    t.service,
  );
  // One stage the DFE let through by itself.
  await recordStageOne(smooth.id, {
    action: "advance",
    dfe: { output: "AUTO_PROCEED", triggers: [], mitigations: [] },
  });
  // No request role runs the state functions (EVA's own functions do): the superuser stands in for them.
  await sql`select eva.fn_set_venture_status(${killed.id}::uuid, 'killed', 'failed the kill gate')`.execute(t.db);

  // rich: 999,999 a year, health 0.8, 10 days in Stage 1, and `waiting` (9,999) waits on it.
  await measure(rich.id, 999_999, 0.8, 10);
  await measure(poor.id, null, null, 10);
  // later has the highest revenue but only a daily decision.
  await measure(later.id, 50_000_000, 1, 0);
  await measure(waiting.id, 9_999, 0.5, 0);
  await sql`insert into eva.venture_dependencies (dependent_venture_id, provider_venture_id, required_stage, dependency_type)
    values (${waiting.id}::uuid, ${rich.id}::uuid, 5, 'hard'), (${smooth.id}::uuid, ${rich.id}::uuid, 3, 'soft'),
           (${waiting.id}::uuid, ${smooth.id}::uuid, 2, 'hard')`.execute(t.db);

  // Health inputs: estimated from artifact quality for `smooth`, the Stage 25 review's for `reviewed`.
  await addArtifact(smooth.id, 2, "idea_validation", { stage: 2 }, 70);
  await addArtifact(smooth.id, 5, "financial_model", { stage: 5 }, 40);
  await addArtifact(smooth.id, 5, "financial_model", { stage: 5, revised: true }, 60);
  await addArtifact(
    reviewed.id,
    25,
    "venture_review",
    { ventureHealth: { product: 90, market: 80, technical: 70, financial: 60, team: 55, overall: 71, band: "viable" } },
    95,
  );
  await addArtifact(
    reviewed.id,
    24,
    "launch_scorecard",
    {
      aarrr: {
        revenue: [
          { name: "MRR (EUR)", value: 1200, target: 4000 },
          { name: "Gross margin (%)", value: 70, target: 80 },
        ],
      },
    },
    80,
  );
});

interface QueueRow {
  decision_type: string;
  lifecycle_stage: number;
  venture_id: string | null;
  venture_name: string;
  urgency: string;
  blocking: boolean;
  dfe_triggers: unknown;
  dfe_mitigations: unknown;
  recommended_action: string;
  priority_score: string | null;
}

describe("venture priority (spec §10)", () => {
  it("puts each term on 0-100 and weighs them as the spec does", async () => {
    const [row] = await read<{ rich: string; poor: string }>(
      "eva_viewer",
      `select (select eva.fn_venture_priority(v) from eva.ventures v where id = '${rich.id}') as rich,
              (select eva.fn_venture_priority(v) from eva.ventures v where id = '${poor.id}') as poor`,
    );
    // rich: 0.30*100*6/7 + 0.25*80 + 0.15*100*1/25 + 0.20*100*4/7 + 0.10*100/10
    expect(Number(row?.rich)).toBeCloseTo(0.3 * ((100 * 6) / 7) + 20 + 0.6 + 0.2 * ((100 * 4) / 7) + 1, 1);
    // poor: no revenue (0), unknown health (0.5), Stage 1, nobody waits, 10 days.
    expect(Number(row?.poor)).toBeCloseTo(12.5 + 0.6 + 1, 1);
  });
});

describe("eva.decision_queue", () => {
  it("lists pending decisions by urgency, then venture priority, then age, with the DFE context", async () => {
    const rows = await read<QueueRow>("eva_chairman", "select * from eva.decision_queue");
    expect(rows.map((r) => [r.venture_name, r.decision_type, r.urgency])).toEqual([
      [rich.name, "dfe_escalation", "immediate"],
      [poor.name, "dfe_escalation", "immediate"],
      ["Parcel Locker Network", "venture_review", "immediate"],
      [later.name, "dfe_escalation", "daily"],
    ]);
    const [first, second, review] = rows;
    expect(Number(first?.priority_score)).toBeGreaterThan(Number(second?.priority_score));
    expect(first).toMatchObject({
      venture_id: rich.id,
      lifecycle_stage: 1,
      blocking: true,
      recommended_action: "proceed",
      dfe_triggers: DFE_ESCALATION.triggers,
      dfe_mitigations: DFE_ESCALATION.mitigations,
    });
    expect(review).toMatchObject({ venture_id: null, lifecycle_stage: 0, priority_score: null, dfe_triggers: [] });
  });

  it("names and ranks a decision as its venture stands now: a rename and a revenue change show in the queue", async () => {
    const priorityOf = async (id: string) =>
      (
        await read<{ p: string }>(
          "eva_chairman",
          `select eva.fn_venture_priority(v) as p from eva.ventures v where v.id = '${id}'`,
        )
      )[0]?.p;
    const revenue = async (id: string) =>
      (
        await read<{ r: string | null }>(
          "eva_chairman",
          `select projected_revenue as r from eva.ventures where id = '${id}'`,
        )
      )[0]?.r ?? null;
    const [richRevenue, poorRevenue] = [await revenue(rich.id), await revenue(poor.id)];
    await sql`update eva.ventures set name = 'Poor, renamed', projected_revenue = 1e9 where id = ${poor.id}::uuid`.execute(
      t.db,
    );
    await sql`update eva.ventures set projected_revenue = 0 where id = ${rich.id}::uuid`.execute(t.db);
    try {
      const rows = await read<QueueRow>("eva_chairman", "select * from eva.decision_queue");
      expect(rows.map((r) => r.venture_name).slice(0, 2)).toEqual(["Poor, renamed", rich.name]);
      // The queue's priority is the venture's own, to the hundredth.
      expect(rows[0]?.priority_score).toBe(await priorityOf(poor.id));
      expect(rows[1]?.priority_score).toBe(await priorityOf(rich.id));
    } finally {
      await sql`update eva.ventures set name = ${poor.name}, projected_revenue = ${poorRevenue}::numeric
        where id = ${poor.id}::uuid`.execute(t.db);
      await sql`update eva.ventures set projected_revenue = ${richRevenue}::numeric where id = ${rich.id}::uuid`.execute(
        t.db,
      );
    }
    const rows = await read<QueueRow>("eva_chairman", "select * from eva.decision_queue");
    expect(rows.map((r) => r.venture_name).slice(0, 2)).toEqual([rich.name, poor.name]);
  });

  it("drops a decision once decided", async () => {
    const [decision] = await read<{ decision_id: string }>(
      "eva_chairman",
      `select decision_id from eva.decision_queue where venture_id = '${poor.id}'`,
    );
    await withRole(t.db, "eva_chairman", (trx) =>
      sql`select eva.fn_decide(${decision?.decision_id}::uuid, 'proceed', 'fine')`.execute(trx),
    );
    const rows = await read<QueueRow>("eva_service", "select * from eva.decision_queue");
    expect(rows.map((r) => r.venture_name)).toEqual([rich.name, "Parcel Locker Network", later.name]);
  });
});

describe("eva.venture_health_heatmap", () => {
  interface HeatRow {
    venture_id: string;
    product: number | null;
    market: number | null;
    technical: number | null;
    financial: number | null;
    team: number | null;
    overall: number | null;
    band: string | null;
    health_source: string | null;
    status: string;
    lifecycle_stage: number;
  }
  it("shows every venture: the review's health, else an estimate from current artifact quality", async () => {
    const rows = await read<HeatRow>("eva_viewer", "select * from eva.venture_health_heatmap");
    expect(rows).toHaveLength(7);
    const of = (id: string) => rows.find((r) => r.venture_id === id);
    expect(of(reviewed.id)).toMatchObject({
      product: 90,
      market: 80,
      technical: 70,
      financial: 60,
      team: 55,
      overall: 71,
      band: "viable",
      health_source: "venture_review",
    });
    // Only the current financial_model version (60) counts; product 70; mean 65.
    expect(of(smooth.id)).toMatchObject({
      product: 70,
      market: null,
      technical: null,
      financial: 60,
      team: null,
      overall: 65,
      band: "viable",
      health_source: "artifact_quality",
      status: "active",
      lifecycle_stage: 2,
    });
    expect(of(killed.id)).toMatchObject({ overall: null, band: null, health_source: null, status: "killed" });
  });

  it("estimates a venture whose current Stage 25 review has no ventureHealth", async () => {
    const before = (await read<HeatRow>("eva_viewer", "select * from eva.venture_health_heatmap")).find(
      (r) => r.venture_id === smooth.id,
    );
    // Inside a transaction that is rolled back: the other tests count these ventures' artifacts.
    const during = await t.db
      .transaction()
      .execute(async (trx) => {
        await sql`insert into eva.venture_artifacts (venture_id, lifecycle_stage, artifact_type, content, epistemic_classification)
          values (${smooth.id}::uuid, 25, 'venture_review', '{"summary":"no health section"}'::jsonb, 'simulation')`.execute(
          trx,
        );
        await sql`set local role eva_viewer`.execute(trx);
        const { rows } =
          await sql<HeatRow>`select * from eva.venture_health_heatmap where venture_id = ${smooth.id}::uuid`.execute(
            trx,
          );
        throw Object.assign(new Error("roll back"), { rows });
      })
      .catch((error: { rows?: HeatRow[] }) => error.rows);
    expect(during).toHaveLength(1);
    expect(during?.[0]).toEqual(before);
    expect(during?.[0]).toMatchObject({ overall: 65, health_source: "artifact_quality" });
  });
});

describe("eva.portfolio_metrics", () => {
  it("sums up the portfolio in one row", async () => {
    const rows = await read<Record<string, string | null>>("eva_viewer", "select * from eva.portfolio_metrics");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      ventures_total: "7",
      ventures_active: "5",
      ventures_awaiting_decision: "1",
      ventures_killed: "1",
      kill_rate: "1.0000",
      success_rate: "0.0000",
      // One AUTO_PROCEED out of three DFE evaluations.
      auto_proceed_rate: "0.3333",
      // The MRR metric of the one scorecard; the margin percentage is not revenue.
      total_revenue: "1200",
      // rich's escalation, the Stage 0 review and later's daily decision.
      pending_decisions: "3",
    });
    // Creation to the current stage, or to the end for the killed venture.
    const ventures = await t.db
      .selectFrom("ventures")
      .select(["status", "created_at", "stage_entered_at", "status_changed_at"])
      .execute();
    const days = ventures.map(
      (v) =>
        ((v.status === "killed" ? v.status_changed_at : v.stage_entered_at).getTime() - v.created_at.getTime()) / 864e5,
    );
    expect(Number(rows[0]?.avg_cycle_days)).toBeCloseTo(days.reduce((a, b) => a + b, 0) / days.length, 1);
  });
});

describe("eva.dependency_graph", () => {
  it("names both ends and marks hard, pending edges whose provider is behind", async () => {
    const rows = await read<{
      dependent_name: string;
      provider_name: string;
      provider_stage: number;
      required_stage: number;
      dependency_type: string;
      on_critical_path: boolean;
      stages_behind: number;
    }>(
      "eva_viewer",
      "select dependent_name, provider_name, provider_stage, required_stage, dependency_type, on_critical_path, stages_behind from eva.dependency_graph order by dependent_name, provider_name",
    );
    const edge = (dependent: string, provider: string) =>
      rows.find((r) => r.dependent_name === dependent && r.provider_name === provider);
    expect(rows).toHaveLength(3);
    expect(edge(waiting.name, rich.name)).toMatchObject({
      provider_stage: 1,
      required_stage: 5,
      dependency_type: "hard",
      on_critical_path: true,
      stages_behind: 4,
    });
    // Soft: never on the critical path.
    expect(edge(smooth.name, rich.name)).toMatchObject({ on_critical_path: false, stages_behind: 2 });
    // smooth already reached Stage 2.
    expect(edge(waiting.name, smooth.name)).toMatchObject({ on_critical_path: false, stages_behind: 0 });
  });
});

describe("eva.fn_event_feed", () => {
  interface Event {
    id: string;
    event_type: string;
    venture_id: string | null;
    payload: Record<string, unknown>;
    cursor: string;
  }
  const feed = (after: string | null, limit: number, role: Role = "eva_viewer") =>
    withRole(t.db, role, async (trx) => {
      const { rows } = await sql<Event>`select * from eva.fn_event_feed(${after}, ${limit})`.execute(trx);
      return rows;
    });
  /** (transaction, id) of a cursor, to check the order without reading the format anywhere else. */
  const position = (cursor: string) => cursor.split(".").map((part) => BigInt(part)) as [bigint, bigint];
  const before = (a: string, b: string) => {
    const [ax, ai] = position(a);
    const [bx, bi] = position(b);
    return ax < bx || (ax === bx && ai < bi);
  };
  /** The feed after `after` until `done` holds: an event is listed once every older transaction of the server ended. */
  async function feedUntil(after: string | null, done: (events: Event[]) => boolean, role: Role = "eva_viewer") {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const events = await feed(after, 1000, role);
      if (done(events) || Date.now() > deadline) return events;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it("keeps the significant events and leaves out the noise", async () => {
    const kept = ["venture.created", "venture.killed", "chairman.decision_requested", "stage.entered"];
    const events = await feedUntil(
      null,
      (listed) =>
        kept.every((k) => listed.some((e) => e.event_type === k)) &&
        listed.filter((e) => e.event_type === "dfe.evaluated").length >= 2,
      "eva_chairman",
    );
    const types = new Set(events.map((e) => e.event_type));
    for (const k of kept) expect(types).toContain(k);
    for (const noise of ["artifact.created", "stage.work_started", "stage.work_completed", "venture.awaiting_decision"])
      expect(types).not.toContain(noise);
    const dfe = events.filter((e) => e.event_type === "dfe.evaluated");
    expect(dfe).toHaveLength(2);
    expect(dfe.map((e) => e.payload.output)).not.toContain("AUTO_PROCEED");
    // Oldest first, in the cursor's (commit-safe) order, each event once.
    for (let i = 1; i < events.length; i++)
      expect(before(events[i - 1]?.cursor ?? "", events[i]?.cursor ?? "")).toBe(true);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  it("resumes from a cursor without gaps: pages concatenated equal the whole feed", async () => {
    const all = await feed(null, 1000);
    expect(all.length).toBeGreaterThan(6);
    const pages: Event[] = [];
    let cursor: string | null = null;
    for (let guard = 0; guard < 1000; guard++) {
      const page = await feed(cursor, 3);
      if (page.length === 0) break;
      expect(page.length).toBeLessThanOrEqual(3);
      pages.push(...page);
      cursor = page[page.length - 1]?.cursor ?? cursor;
    }
    // What was listed before is where the pages start, and the pages are where a later reading starts: the
    // feed only grows at its end (an event released late by an older open transaction sorts after them all).
    const ids = (events: Event[]) => events.map((e) => e.id);
    expect(ids(pages).slice(0, all.length)).toEqual(ids(all));
    expect(ids(await feed(null, 1000)).slice(0, pages.length)).toEqual(ids(pages));

    // A client reconnecting with its last cursor gets what happened since, and nothing it had: the
    // newcomer, after any event an older transaction on the server held back until now (released late).
    const newcomer = await createVenture(t.db);
    const since = await feedUntil(
      cursor,
      (events) => events.some((e) => e.event_type === "venture.created" && e.venture_id === newcomer.id),
      "eva_chairman",
    );
    const seen = new Set(ids(pages));
    expect(since.filter((e) => seen.has(e.id))).toEqual([]);
    // A later reading starts with all of it, in the same order; reading on from the last cursor repeats none of it.
    const had = [...ids(pages), ...ids(since)];
    expect(ids(await feed(null, 1000)).slice(0, had.length)).toEqual(had);
    const onwards = await feed(since.at(-1)?.cursor ?? cursor, 100);
    expect(onwards.filter((e) => had.includes(e.id))).toEqual([]);
  });
});

describe("who reads the dashboard", () => {
  const readable = ["eva.venture_health_heatmap", "eva.portfolio_metrics", "eva.dependency_graph"];

  it("lets the Chairman and services read everything", async () => {
    for (const role of ["eva_chairman", "eva_service"] as const) {
      for (const view of [...readable, "eva.decision_queue"]) {
        expect((await read(role, `select * from ${view}`)).length).toBeGreaterThan(0);
      }
    }
  });

  it("lets viewers read the heatmap, metrics, graph and feed but not the decision queue (42501)", async () => {
    for (const view of readable) expect((await read("eva_viewer", `select * from ${view}`)).length).toBeGreaterThan(0);
    expect((await read("eva_viewer", "select * from eva.fn_event_feed()")).length).toBeGreaterThan(0);
    await expect(read("eva_viewer", "select * from eva.decision_queue")).rejects.toMatchObject({ code: "42501" });
  });

  it("lets anonymous read nothing (42501)", async () => {
    for (const statement of [
      ...[...readable, "eva.decision_queue"].map((view) => `select * from ${view}`),
      "select * from eva.fn_event_feed()",
    ]) {
      await expect(read("eva_anonymous", statement)).rejects.toMatchObject({ code: "42501" });
    }
  });
});
