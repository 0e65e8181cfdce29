// The API for people (issue 11, points 4 and 5): a decision's one-line reason,
// its readable summary and its choices with their effects are computed once in
// SQL, so GraphQL, the CLI and psql show the same thing; read as the real roles.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withRole } from "../src/db/client.ts";
import { runEva } from "./helpers/cli.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture, openEscalation, walkToDecision } from "./helpers/fixtures.ts";

const t = await createTestDatabase();
afterAll(() => t.drop());

const BRAND = {
  ranking: [
    { name: "Harbor", rank: 1, weightedTotal: 77.5 },
    { name: "Ledgerly", rank: 2, weightedTotal: 71.2 },
  ],
  decision: { selectedName: "Harbor", workingTitle: false, rationale: "Best weighted total." },
  candidates: [{ name: "Harbor", scores: { memorability: 82, relevance: 66 } }],
  selectedRank: 1,
  brandGenome: { tone: "calm", archetype: "sage", audience: "small firms", values: ["Clarity", "Care"] },
  narrativeExtension: { vision: "No manual matching.", mission: "Reconcile automatically.", brandVoice: "Calm." },
  scoringCriteria: [{ name: "memorability", weight: 60 }],
};
const RELEASE = {
  releaseNotes: "First public release of the reconciliation core.",
  targetDate: "2027-01-15",
  releaseDecision: { decision: "release", rationale: "Quality passed and the review approved.", approver: "EVA" },
  sprintRetrospective: { wentWell: ["Fast reviews"], wentPoorly: ["Flaky bank feed"], actionItems: [] },
  sprintSummary: {
    sprintGoal: "ship the core",
    itemsPlanned: 4,
    itemsCompleted: 3,
    qualityAssessment: { decision: "pass", overallPassRate: 97.5, coveragePct: null, openDefects: 2 },
    integrationStatus: { reviewDecision: "approve", total: 5, passing: 4, degraded: 1, failing: 0, pending: 0 },
  },
};
const FUTURE = {
  reviewSummary: "Twelve months of operation with steady growth.",
  currentVision: "Reconciliation for every small firm.",
  ventureDecision: {
    decision: "continue",
    rationale: "Healthy and growing.",
    confidence: "medium",
    keyFactors: ["Retention 70%"],
  },
  ventureHealth: { product: 70, market: 65, technical: 80, financial: 55, team: 60, overall: 66, band: "viable" },
  financialComparison: {
    projectionSource: "Stage 16",
    revenueVariancePct: null,
    unitEconomicsAssessment: "Positive.",
    financialTrajectory: "flat",
  },
  driftCheck: { wordOverlapPct: 42, wordOverlapDrift: false, semanticDrift: "aligned", rationale: "Same problem." },
};

interface Section {
  heading: string;
  lines: string[];
}
const summary = (id: string, role: "eva_chairman" | "eva_viewer" = "eva_chairman") =>
  withRole(t.db, role, async (trx) => {
    const { rows } = await sql<Section>`select s.heading, s.lines from eva.chairman_decisions d,
      eva.chairman_decisions_summary(d) s where d.id = ${id}::uuid`.execute(trx);
    return rows;
  });
const choices = (id: string) =>
  withRole(t.db, "eva_chairman", async (trx) => {
    const { rows } = await sql<{ decision: string; effect: string; recommended: boolean }>`
      select c.decision, c.effect, c.recommended from eva.chairman_decisions d, eva.chairman_decisions_choices(d) c
      where d.id = ${id}::uuid`.execute(trx);
    return rows;
  });
const reason = async (id: string) =>
  (
    await withRole(t.db, "eva_chairman", (trx) =>
      sql<{ reason: string }>`select reason from eva.decision_queue where decision_id = ${id}::uuid`.execute(trx),
    )
  ).rows[0]?.reason;
const lines = (sections: Section[], heading: string) => sections.find((s) => s.heading === heading)?.lines ?? [];
const decide = (id: string, decision: string) =>
  withRole(t.db, "eva_chairman", (trx) => sql`select eva.fn_decide(${id}::uuid, ${decision}, null)`.execute(trx));

const ids = { brand: "", release: "", future: "", dfe: "" };
let futureVenture = "";

beforeAll(async () => {
  const content = { 10: BRAND, 22: RELEASE, 25: FUTURE };
  const v = await createVenture(t.db);
  futureVenture = v.id;
  ids.brand = (await walkToDecision(t.db, v.id, 25, content)) ?? "";
  // A second venture keeps its brand approval pending; this one goes on to the release and the venture future.
  const other = await createVenture(t.db);
  const pendingBrand = (await walkToDecision(t.db, other.id, 25, content)) ?? "";
  await decide(ids.brand, "approve");
  ids.brand = pendingBrand;
  ids.release = (await walkToDecision(t.db, v.id, 25, content)) ?? "";
  await decide(ids.release, "release");
  ids.future = (await walkToDecision(t.db, v.id, 25, content)) ?? "";
  const dfe = {
    triggers: [
      { type: "low_score", value: 42.8, threshold: 50, detail: "the Stage 1 score is 42.8, below the 50 threshold" },
      { type: "novel_pattern", value: "saas:1:x", threshold: ["media:1:y", "saas:1:z"], detail: "a new pattern" },
    ],
    mitigations: ["Re-score with fresh evidence"],
    thresholds: { score_threshold: { raw: "50", value: 50, source: "global" } },
  };
  ids.dfe = (await openEscalation(t.db, t.service, { action: "escalate", recommendedAction: "block", dfe })).decisionId;
  expect(Object.values(ids).every(Boolean)).toBe(true);
}, 120_000);

describe("a decision's reason, summary and choices, in SQL", () => {
  it("writes the reason line when the decision opens: the DFE's triggers, the brand's proposed name, labelled with what its figures are", async () => {
    expect(await reason(ids.dfe)).toBe(
      "The Decision Filter Engine escalated Stage 1: low_score: the Stage 1 score is 42.8, below the 50 threshold; novel_pattern: a new pattern [assumption]",
    );
    expect(await reason(ids.brand)).toBe(
      'Stage 10 brand approval: the proposed name is "Harbor" (weighted total 77.5, best of 2 candidates) [simulation]',
    );
    const stored = await t.db
      .selectFrom("chairman_decisions")
      .select("reason")
      .where("id", "=", ids.release)
      .executeTakeFirstOrThrow();
    expect(stored.reason).toBe(
      "Stage 22 release: quality pass, review approve, 3 of 4 sprint items done; the analysis recommends release; gate: release [simulation]",
    );
  });

  it("summarizes a brand approval: proposed name, candidates and scores, voice, narrative", async () => {
    const s = await summary(ids.brand);
    expect(s.map((x) => x.heading)).toEqual(["Proposed name", "Candidates and scores", "Voice", "Narrative", "Source"]);
    expect(lines(s, "Proposed name")[0]).toBe("Harbor (rank 1 of 2)");
    expect(lines(s, "Candidates and scores")).toEqual([
      "1. Harbor: 77.5 (memorability 82, relevance 66)",
      "2. Ledgerly: 71.2",
      "Weights: memorability 60%",
    ]);
    expect(lines(s, "Voice")).toContain("Values: Clarity, Care");
    expect(lines(s, "Narrative")).toEqual(["Vision: No manual matching.", "Mission: Reconcile automatically."]);
    expect(lines(s, "Source")[0]).toMatch(/^Prepared from brand_package version 1 \(Stage 10\)/);
  });

  it("summarizes a release: quality, review and sprint, saying what was not measured", async () => {
    const s = await summary(ids.release);
    expect(lines(s, "Quality")).toEqual([
      "Quality decision: pass",
      "Test pass rate: 97.5%",
      "Coverage: not measured",
      "Open defects: 2",
    ]);
    expect(lines(s, "Review")).toEqual([
      "Review decision: approve",
      "Integrations: 4 of 5 passing, 1 degraded, 0 failing, 0 pending",
    ]);
    expect(lines(s, "Sprint")).toEqual([
      "Sprint goal: ship the core",
      "Items done: 3 of 4",
      "Went well: Fast reviews",
      "Went poorly: Flaky bank feed",
    ]);
  });

  it("summarizes a venture future: journey, health, and Assumptions vs Reality (missing until recorded)", async () => {
    let s = await summary(ids.future);
    expect(lines(s, "The journey")[0]).toMatch(/^Stages passed: \d+ transitions since \d{4}-\d\d-\d\d$/);
    expect(lines(s, "Health")).toEqual([
      "Overall: 66/100 (viable)",
      "Product 70, market 65, technical 80, financial 55, team 60",
    ]);
    expect(lines(s, "Financials")[0]).toBe(
      "Revenue against the Stage 16 projection: not comparable (a side is missing)",
    );
    expect(lines(s, "Assumptions vs Reality")).toEqual([
      "No Assumptions vs Reality report is recorded for this venture",
    ]);
    const report = {
      summary: { validated: 1, invalidated: 1, inconclusive: 0 },
      assumptionErrorRate: 0.5,
      items: [
        { classification: "validated", statement: "Firms will pay 49 EUR a month", expected: null, actual: null },
        { classification: "invalidated", statement: "Monthly revenue 10000", expected: 10000, actual: 6000 },
      ],
    };
    await sql`insert into eva.venture_artifacts (venture_id, lifecycle_stage, artifact_type, content, quality_score, epistemic_classification)
      values (${futureVenture}::uuid, 25, 'assumptions_reality_report', ${JSON.stringify(report)}::jsonb, 80, 'simulation')`.execute(
      t.db,
    );
    s = await summary(ids.future);
    expect(lines(s, "Assumptions vs Reality")).toEqual([
      "1 validated, 1 invalidated, 0 inconclusive; assumption error rate 0.5",
      "validated: Firms will pay 49 EUR a month",
      "invalidated: Monthly revenue 10000 (expected 10000, actual 6000)",
    ]);
  });

  it("explains each DFE trigger with its figure, threshold and preference, then the mitigations", async () => {
    const s = await summary(ids.dfe);
    expect(lines(s, "Trigger: low_score")).toEqual([
      "A score is below the Chairman's minimum.",
      "the Stage 1 score is 42.8, below the 50 threshold",
      "Figure: 42.8",
      "Threshold: 50",
      "Preference score_threshold = 50 (global)",
    ]);
    expect(lines(s, "Trigger: novel_pattern")).toContain("Known: media:1:y, saas:1:z");
    expect(lines(s, "Mitigations")).toEqual(["Re-score with fresh evidence"]);
  });

  it("lists the choices recommended first, each with its effect on this venture", async () => {
    expect(await choices(ids.dfe)).toEqual([
      { decision: "block", effect: "Block the venture at Stage 1 until you release it.", recommended: true },
      {
        decision: "proceed",
        effect: "Proceed despite the triggers: the venture moves on to the next stage.",
        recommended: false,
      },
      {
        decision: "modify_thresholds",
        effect: "Run Stage 1 again under your current thresholds (change them first with eva chairman preferences).",
        recommended: false,
      },
    ]);
  });

  it("keeps summaries the Chairman's: a viewer may not read them (42501)", async () => {
    await expect(summary(ids.dfe, "eva_viewer")).rejects.toMatchObject({ code: "42501" });
  });
});

describe("CLI parity", () => {
  it("eva decisions list shows the reason column; view prints the readable summary and the options' effects", async () => {
    const list = await runEva(["decisions", "list"], { DATABASE_URL: t.url });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout.split("\n")[0]).toMatch(/\bREASON$/);
    expect(list.stdout).toContain("The Decision Filter Engine escalated Stage 1: low_score");
    // In the queue's order (the dashboard's), not by age alone.
    const queue = await withRole(t.db, "eva_chairman", async (trx) =>
      (await sql<{ id: string }>`select decision_id as id from eva.decision_queue`.execute(trx)).rows.map((r) => r.id),
    );
    expect(queue.length).toBeGreaterThan(1);
    const listed = list.stdout
      .split("\n")
      .slice(1)
      .map((line) => line.split(/\s+/)[0])
      .filter(Boolean);
    expect(listed).toEqual(queue);
    const view = await runEva(["decisions", "view", ids.dfe], { DATABASE_URL: t.url });
    expect(view.code, view.stderr).toBe(0);
    expect(view.stdout).toContain("Trigger: low_score\n  A score is below the Chairman's minimum.");
    expect(view.stdout).toContain("  block (recommended): Block the venture at Stage 1 until you release it.");
    expect(view.stdout).not.toContain('"thresholds"');
    const json = await runEva(["decisions", "view", ids.dfe, "--json"], { DATABASE_URL: t.url });
    const parsed = JSON.parse(json.stdout) as { context: { dfe: unknown }; summary: Section[]; reason: string };
    expect(parsed.context.dfe).toBeDefined();
    expect(parsed.summary.map((x) => x.heading)).toContain("Trigger: novel_pattern");
    expect(parsed.reason).toMatch(/^The Decision Filter Engine escalated Stage 1/);
  });
});
