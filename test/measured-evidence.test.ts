// Measured evidence in, labelled as such (spec §7.1 "do not fabricate
// evidence or generate test results", §9 return path, §10 priority): the
// venture runs through the real engine with the offline analyst, the
// Chairman deciding and engineering reporting the sprint's work items.
//  - Stage 20 decides on engineering's reported results: every item 150
//    passed / 150 failed / 20 % coverage gives a 50 % pass rate, 20 %
//    coverage and a failed quality gate; the venture never reaches Stage 21.
//  - The artifacts say which fields are measured (fact, with their source).
//  - Stage 5's projections write the venture's projected revenue, and the
//    higher-value venture ranks first in the decision queue.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withRole } from "../src/db/client.ts";
import { synthesizeBrief } from "../src/ideation/brief.ts";
import { createDatabaseCache } from "../src/llm/cache.ts";
import { createOfflineAnalyst } from "../src/llm/offline-analyst.ts";
import { runVenture } from "../src/stages/run-venture.ts";
import { createTestDatabase } from "./helpers/database.ts";

const t = await createTestDatabase();
afterAll(() => t.drop());
const analyst = createOfflineAnalyst({ cache: createDatabaseCache(t.service) });

/** Stage 0 teardown of `url`, approved by the Chairman: the venture's id. */
async function ventureFrom(url: string): Promise<string> {
  const { brief } = await synthesizeBrief(createOfflineAnalyst(), { path: "competitor_teardown", urls: [url] });
  const review = await withRole(t.db, "eva_service", (trx) =>
    trx
      .insertInto("chairman_decisions")
      .values({ lifecycle_stage: 0, decision_type: "venture_review", context: JSON.stringify({ brief }) })
      .returning("id")
      .executeTakeFirstOrThrow(),
  );
  return withRole(t.db, "eva_chairman", async (trx) => {
    await sql`select eva.fn_decide(${review.id}::uuid, 'approve')`.execute(trx);
    const row = await trx
      .selectFrom("chairman_decisions")
      .select("venture_id")
      .where("id", "=", review.id)
      .executeTakeFirstOrThrow();
    if (!row.venture_id) throw new Error("the approved review created no venture");
    return row.venture_id;
  });
}

const decide = (id: string, decision: string) =>
  withRole(t.db, "eva_chairman", (trx) => sql`select eva.fn_decide(${id}::uuid, ${decision})`.execute(trx));

/**
 * Runs the venture, approving the brand and any DFE escalation, engineering reporting every SD work
 * item with `report` (as `eva sd complete` does), until it stops for another reason.
 */
async function runWith(ventureId: string, report: { passed: number; failed: number; coverage: number }) {
  for (let i = 0; i < 20; i++) {
    const state = await runVenture(t.service, analyst, ventureId);
    const pending = state.pendingDecision;
    if (pending?.type === "brand_approval") await decide(pending.id, "approve");
    else if (pending?.type === "dfe_escalation") await decide(pending.id, "proceed");
    else if (state.stoppedBecause.includes("waiting for engineering")) {
      const items = await t.db
        .selectFrom("sd_work_items")
        .select("id")
        .where("venture_id", "=", ventureId)
        .where("kind", "=", "child")
        .where("status", "=", "pending")
        .execute();
      for (const item of items)
        await sql`select eva.fn_sd_complete(${item.id}::uuid, 'succeeded', ${report.passed}, ${report.failed},
          ${report.coverage})`.execute(t.service);
    } else return state;
  }
  throw new Error("the venture kept stopping");
}

async function current(ventureId: string, type: string) {
  return t.db
    .selectFrom("venture_artifacts")
    .select(["id", "content", "epistemic_classification", "epistemic_evidence", "version"])
    .where("venture_id", "=", ventureId)
    .where("artifact_type", "=", type)
    .where("is_current", "=", true)
    .executeTakeFirstOrThrow();
}

type Qa = {
  testSuites: { name: string; workItemId: string; totalTests: number; passingTests: number; coveragePct: number }[];
  overallPassRate: number | null;
  coveragePct: number | null;
  qualityDecision: { decision: string; rationale: string };
};
type Fields = { fields: Record<string, { classification: string; source: string }> };

let failing: string;
let passing: string;

beforeAll(async () => {
  failing = await ventureFrom("https://wonka.com");
  passing = await ventureFrom("https://globex.com");
  // Both ventures to the Stage 10 brand approval (a DFE escalation on the way is approved with "proceed").
  for (const id of [failing, passing]) {
    for (let i = 0; i < 5; i++) {
      const { pendingDecision } = await runVenture(t.service, analyst, id);
      if (pendingDecision?.type !== "dfe_escalation") break;
      await decide(pendingDecision.id, "proceed");
    }
  }
}, 120_000);

describe("priority from real inputs", () => {
  it("writes each venture's projected revenue from its Stage 5 projections; the higher-value venture ranks first", async () => {
    const revenue = async (id: string) =>
      ((await current(id, "financial_model")).content as { projections: { revenue: number[] } }).projections.revenue[2];
    const ventures = await t.db
      .selectFrom("ventures")
      .select(["id", "projected_revenue", "current_lifecycle_stage"])
      .where("id", "in", [failing, passing])
      .execute();
    for (const v of ventures) {
      expect(v.current_lifecycle_stage).toBe(10);
      expect(Number(v.projected_revenue)).toBe(await revenue(v.id));
    }
    const [high, low] = [...ventures].sort((a, b) => Number(b.projected_revenue) - Number(a.projected_revenue));
    expect(Number(high?.projected_revenue)).toBeGreaterThan(Number(low?.projected_revenue));
    const queue = await withRole(t.db, "eva_chairman", (trx) =>
      trx.selectFrom("decision_queue").select(["venture_id", "priority_score"]).execute(),
    );
    expect(queue.map((q) => q.venture_id)).toEqual([high?.id, low?.id]);
    expect(Number(queue[0]?.priority_score)).toBeGreaterThan(Number(queue[1]?.priority_score));
  });

  it("labels every field of an artifact without measured data as the analyst's", async () => {
    const model = await current(failing, "financial_model");
    const { fields } = model.epistemic_evidence as Fields;
    expect(Object.keys(fields).sort()).toEqual(Object.keys(model.content as object).sort());
    expect(new Set(Object.values(fields).map((f) => f.classification))).toEqual(new Set(["simulation"]));
    expect(fields.projections?.source).toMatch(/^the offline analyst/);
  });
});

describe("Stage 20 decides on engineering's measured results", () => {
  it("150 passed, 150 failed, 20 % coverage on every item: a 50 % pass rate, quality fails, no Stage 21", async () => {
    const state = await runWith(failing, { passed: 150, failed: 150, coverage: 20 });
    expect(state).toMatchObject({ stage: 20, status: "active" });
    expect(state.stoppedBecause).toMatch(/^stage 20 is blocked: quality still failing after 3 runs/);

    const qa = await current(failing, "qa_report");
    const content = qa.content as Qa;
    const items = await t.db
      .selectFrom("sd_work_items")
      .select(["id", "title", "saga_id"])
      .where("venture_id", "=", failing)
      .where("kind", "=", "child")
      .orderBy("position")
      .execute();
    expect(content.overallPassRate).toBe(50);
    expect(content.coveragePct).toBe(20);
    expect(content.qualityDecision.decision).toBe("fail");
    expect(content.testSuites).toEqual(
      items.map((i) => ({
        name: i.title,
        workItemId: i.id,
        status: "succeeded",
        totalTests: 300,
        passingTests: 150,
        coveragePct: 20,
      })),
    );
    const gates = await t.db
      .selectFrom("venture_stage_work")
      .select(["run_number", "gate_decision", "gate_outcome"])
      .where("venture_id", "=", failing)
      .where("lifecycle_stage", "=", 20)
      .orderBy("run_number")
      .execute();
    expect(gates.map((g) => g.gate_decision)).toEqual(["fail", "fail", "fail"]);
    expect(gates[0]?.gate_outcome).toMatchObject({
      decision: "fail",
      inputs: { overallPassRate: 50, coveragePct: 20, measured: { itemsReported: items.length } },
    });
    expect(gates[0]?.gate_outcome).toMatchObject({ rationale: expect.stringContaining("overall pass rate 50%") });

    // Nothing past Stage 20: no Stage 21 work, no release decision.
    const later = await t.db
      .selectFrom("venture_stage_work")
      .select("lifecycle_stage")
      .where("venture_id", "=", failing)
      .where("lifecycle_stage", ">", 20)
      .execute();
    expect(later).toEqual([]);
    const decisions = await t.db
      .selectFrom("chairman_decisions")
      .select("lifecycle_stage")
      .where("venture_id", "=", failing)
      .where("lifecycle_stage", ">=", 21)
      .execute();
    expect(decisions).toEqual([]);

    // The stored artifact labels the measured fields as fact, naming their source; the rest is the analyst's.
    const saga = items[0]?.saga_id;
    const { fields } = qa.epistemic_evidence as Fields;
    for (const f of ["testSuites", "testResults", "totalFailures", "overallPassRate", "coveragePct"]) {
      expect(fields[f]?.classification, f).toBe("fact");
      expect(fields[f]?.source).toBe(
        `eva.sd_work_items via eva.fn_sd_results (saga ${saga}, items ${items.map((i) => i.id).join(", ")})`,
      );
    }
    for (const f of ["testPlan", "knownDefects", "triage"]) expect(fields[f]?.classification, f).toBe("simulation");
    expect(qa.epistemic_classification).toBe("simulation");

    const sprint = await current(failing, "sprint_execution");
    expect((sprint.epistemic_evidence as Fields).fields.engineeringReport).toMatchObject({ classification: "fact" });
    expect((sprint.epistemic_evidence as Fields).fields.tasks?.classification).toBe("simulation");
  }, 120_000);

  it("120 passed, 0 failed, 85 % coverage on every item: quality passes on those numbers", async () => {
    const state = await runWith(passing, { passed: 120, failed: 0, coverage: 85 });
    expect(state.stage).toBeGreaterThan(20);
    const content = (await current(passing, "qa_report")).content as Qa;
    expect(content).toMatchObject({ overallPassRate: 100, coveragePct: 85, qualityDecision: { decision: "pass" } });
    const gate = await t.db
      .selectFrom("venture_stage_work")
      .select("gate_decision")
      .where("venture_id", "=", passing)
      .where("lifecycle_stage", "=", 20)
      .executeTakeFirstOrThrow();
    expect(gate.gate_decision).toBe("pass");
  }, 120_000);
});

describe("the priority inputs follow the later stages", () => {
  it("Stage 16 replaces the projected revenue with its roadmap's yearly rate; Stage 25 writes health score and status", async () => {
    const projections = (await current(passing, "financial_projections")).content as {
      pnl: { revenue: number };
      phases: { durationMonths: number }[];
    };
    const months = projections.phases.reduce((s, p) => s + p.durationMonths, 0);
    const row = () =>
      t.db
        .selectFrom("ventures")
        .select(["projected_revenue", "health_score", "health_status"])
        .where("id", "=", passing)
        .executeTakeFirstOrThrow();
    expect(Number((await row()).projected_revenue)).toBeCloseTo((projections.pnl.revenue * 12) / months, 2);
    expect(await row()).toMatchObject({ health_score: null, health_status: null });

    // Release, and run to the Stage 25 review.
    let state = await runVenture(t.service, analyst, passing);
    for (let i = 0; i < 5 && state.pendingDecision && state.pendingDecision.type !== "venture_future"; i++) {
      const d = state.pendingDecision;
      await decide(
        d.id,
        d.type === "release_decision" ? "release" : d.type === "brand_approval" ? "approve" : "proceed",
      );
      state = await runVenture(t.service, analyst, passing);
    }
    expect(state.pendingDecision?.type).toBe("venture_future");
    const review = (await current(passing, "venture_review")).content as {
      ventureHealth: { overall: number; band: string };
    };
    const health = await row();
    expect(Number(health.health_score)).toBe(review.ventureHealth.overall / 100);
    expect(health.health_status).toBe(review.ventureHealth.band);
  }, 120_000);
});
