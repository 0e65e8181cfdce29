import { describe, expect, it } from "vitest";
import { reevaluateGate } from "../../src/gates/index.ts";
import { METRICS } from "../../src/stages/stage-02.ts";
import { checkNamed, expectReevaluates, failed, gateInput, gateOf, upstreamArtifact } from "./helpers.ts";

describe("stage 3 kill gate (§8.1)", () => {
  const scorecard = (overallScore: number, low: Partial<Record<string, number>> = {}) => ({
    overallScore,
    metrics: Object.fromEntries(METRICS.map((m) => [m, low[m] ?? 75])),
  });
  const decide = (overall: number, low: Partial<Record<string, number>> = {}) =>
    gateOf(gateInput(3, scorecard(overall, low)));

  it("passes from an overall score of exactly 70 with every metric ≥ 50", () => {
    expect(decide(70).decision).toBe("pass");
    expect(decide(69.9).decision).toBe("revise");
  });

  it("revises from exactly 50 and kills below it", () => {
    expect(decide(50).decision).toBe("revise");
    const killed = decide(49.9);
    expect(killed.decision).toBe("kill");
    expect(killed.rationale).toContain("overall score 49.9 < 50");
  });

  it("a metric of exactly 50 passes; 49 kills, whatever the overall score", () => {
    expect(decide(80, { momentum: 50 }).decision).toBe("pass");
    expect(decide(60, { momentum: 50 }).decision).toBe("revise");
    const killed = decide(80, { momentum: 49 });
    expect(killed.decision).toBe("kill");
    expect(checkNamed(killed, "momentum ≥ 50").passed).toBe(false);
    expect(killed.rationale).toContain("momentum 49 < 50");
    expect(decide(60, { competitiveBarrier: 49 }).decision).toBe("kill");
  });

  it("a metric or score the artifact does not report fails its threshold", () => {
    const { marketFit: _, ...five } = scorecard(80).metrics;
    expect(gateOf(gateInput(3, { overallScore: 80, metrics: five })).decision).toBe("kill");
    expect(gateOf(gateInput(3, { metrics: scorecard(80).metrics })).decision).toBe("kill");
  });

  it("records the exact score, metrics and thresholds it decided from", () => {
    const d = decide(72.4, { customerNeed: 51 });
    expect(d.inputs).toEqual({
      overallScore: 72.4,
      metrics: expect.objectContaining({ customerNeed: 51 }),
      thresholds: { passOverall: 70, reviseOverall: 50, metricFloor: 50 },
    });
    expectReevaluates(d, 3);
  });

  it("moves its boundaries with the stage3_* preferences, and re-evaluates with the moved ones", () => {
    const prefs = (preferences: Record<string, string>, overall: number, low: Partial<Record<string, number>> = {}) =>
      gateOf(gateInput(3, scorecard(overall, low), { preferences }));
    const raised = prefs({ stage3_pass_threshold: "75" }, 72);
    expect(raised.decision).toBe("revise");
    expect(raised.rationale).toContain("revise band (50-75)");
    expect(checkNamed(raised, "overall score ≥ 75").passed).toBe(false);
    expectReevaluates(raised, 3);
    expect(prefs({ stage3_pass_threshold: "75" }, 75).decision).toBe("pass");
    expect(prefs({ stage3_kill_threshold: "60" }, 59.9).decision).toBe("kill");
    expect(prefs({ stage3_kill_threshold: "60" }, 60).decision).toBe("revise");
    expect(prefs({ stage3_metric_floor: "40" }, 80, { momentum: 45 }).decision).toBe("pass");
    expect(prefs({ stage3_metric_floor: "40" }, 80, { momentum: 39 }).decision).toBe("kill");
    // A pass line set below the kill line is raised to it: the kill line stands.
    expect(prefs({ stage3_pass_threshold: "40" }, 45).decision).toBe("kill");
    // An unusable value keeps the default.
    expect(prefs({ stage3_pass_threshold: "high" }, 70).decision).toBe("pass");
  });

  it("an outcome recorded before the thresholds were preferences re-evaluates with §8.1's numbers", () => {
    const d = decide(69);
    const { thresholds: _, ...old } = d.inputs;
    expect(reevaluateGate(3, "gate", old)).toEqual({ ...d, inputs: old });
  });
});

describe("stage 5 kill gate (§8.1, banded)", () => {
  const model = (roi3y: number, breakEvenMonth: number | null, ltvCacRatio: number, paybackMonths: number) => ({
    projections: { revenue: [1, 2, 3], costs: [1, 1, 1], breakEvenMonth, roi3y },
    unitEconomics: { cac: 100, ltv: ltvCacRatio * 100, ltvCacRatio, churnRate: 0.03, paybackMonths, grossMargin: 0.7 },
    remediationRoute: "Stage 4: revisit pricing",
  });
  const decide = (roi: number, be: number | null, ltv: number, payback: number) =>
    gateOf(gateInput(5, model(roi, be, ltv, payback)));

  it("passes at exactly roi3y 25%, break-even month 24, LTV:CAC 2 and payback 18", () => {
    const d = decide(0.25, 24, 2, 18);
    expect(d.decision).toBe("pass");
    expect(failed(d)).toEqual([]);
  });

  it("in the 15-25% band passes only with LTV:CAC ≥ 3 and payback ≤ 12", () => {
    expect(decide(0.2499, 24, 3, 12).decision).toBe("pass");
    expect(decide(0.15, 20, 3.5, 10).decision).toBe("pass");
    expect(decide(0.2, 20, 2.99, 10).decision).toBe("revise");
    expect(decide(0.2, 20, 4, 12.1).decision).toBe("revise");
    // Supplements that pass outside the band are weak inside it.
    const weak = decide(0.2, 20, 2.5, 15);
    expect(weak.decision).toBe("revise");
    expect(weak.rationale).toContain("15-25% band");
    expect(checkNamed(weak, "LTV:CAC ≥ 3").passed).toBe(false);
  });

  it("kills below 15%, after month 24 and without break-even, even with strong supplements", () => {
    expect(decide(0.1499, 12, 5, 6).decision).toBe("kill");
    expect(decide(0.4, 25, 5, 6).decision).toBe("kill");
    const never = decide(0.4, null, 5, 6);
    expect(never.decision).toBe("kill");
    expect(never.rationale).toContain("no break-even");
    expect(checkNamed(never, "break-even by month 24").nextAction).toBe("Stage 4: revisit pricing");
  });

  it("revises roi3y ≥ 25% with break-even in time but weak unit economics (the case §8.1 leaves open)", () => {
    const lowRatio = decide(0.3, 18, 1.9, 12);
    expect(lowRatio.decision).toBe("revise");
    expect(lowRatio.rationale).toContain("unit economics");
    expect(decide(0.3, 18, 2.5, 18.5).decision).toBe("revise");
  });

  it("moves its bands with the stage5_* preferences", () => {
    const prefs = (preferences: Record<string, string>, roi: number, be: number | null, ltv: number, payback: number) =>
      gateOf(gateInput(5, model(roi, be, ltv, payback), { preferences }));
    expect(decide(0.16, 20, 3, 12).decision).toBe("pass");
    const killed = prefs({ stage5_kill_roi: "0.2" }, 0.16, 20, 3, 12);
    expect(killed.decision).toBe("kill");
    expect(killed.rationale).toContain("3-year ROI 16% < 20%");
    expect(checkNamed(killed, "roi3y ≥ 20%").passed).toBe(false);
    expectReevaluates(killed, 5);
    expect(prefs({ stage5_max_break_even_month: "18" }, 0.3, 19, 3, 12).decision).toBe("kill");
    expect(prefs({ stage5_max_break_even_month: "18" }, 0.3, 18, 3, 12).decision).toBe("pass");
    expect(prefs({ stage5_pass_ltv_cac: "2.5" }, 0.3, 18, 2.4, 12).decision).toBe("revise");
    expect(prefs({ stage5_pass_payback_months: "10" }, 0.3, 18, 3, 11).decision).toBe("revise");
    // In the band: stronger supplements asked, and never weaker than outside it.
    expect(prefs({ stage5_band_ltv_cac: "4" }, 0.2, 20, 3.5, 10).decision).toBe("revise");
    expect(prefs({ stage5_band_payback_months: "9" }, 0.2, 20, 3.5, 10).decision).toBe("revise");
    expect(prefs({ stage5_pass_ltv_cac: "5" }, 0.2, 20, 4, 10).decision).toBe("revise");
    expect(prefs({ stage5_pass_roi: "0.35" }, 0.3, 18, 3, 12).rationale).toContain("15-35% band");
  });

  it("derives LTV:CAC from ltv and cac when an older artifact lacks the ratio, and re-evaluates from its inputs", () => {
    const m = model(0.3, 18, 2, 12);
    const { ltvCacRatio: _, ...unit } = m.unitEconomics;
    const d = gateOf(gateInput(5, { ...m, unitEconomics: { ...unit, ltv: 250, cac: 100 } }));
    expect(d.inputs.ltvCacRatio).toBe(2.5);
    expect(d.decision).toBe("pass");
    expectReevaluates(d, 5);
  });
});

describe("stage 13 kill gate (§8.4)", () => {
  const milestone = (
    title: string,
    priority: string,
    targetDate: string,
    extra: Partial<Record<string, unknown>> = {},
  ) => ({
    title,
    description: `${title} description`,
    targetDate,
    priority,
    deliverables: [{ name: "Core", description: "The core", type: "feature" }],
    outcomes: ["10 weekly users"],
    dependencies: [] as string[],
    ...extra,
  });
  const roadmap = (overrides: Record<string, Partial<Record<string, unknown>>> = {}) => ({
    roadmapStart: "2026-12-01",
    milestones: [
      milestone("MVP", "now", "2027-04-01", overrides.MVP),
      milestone("Launch", "next", "2027-09-01", { dependencies: ["MVP"], ...overrides.Launch }),
      milestone("Scale", "later", "2028-06-01", { dependencies: ["Launch"], ...overrides.Scale }),
    ],
  });
  const decide = (content: Record<string, unknown>, preferences: Record<string, string> = {}) =>
    gateOf(gateInput(13, content, { preferences }));

  it("passes a feasible roadmap", () => {
    const d = decide(roadmap());
    expect(d.decision).toBe("pass");
    expect(failed(d)).toEqual([]);
    expectReevaluates(d, 13);
  });

  it('kills a roadmap without a "now" milestone that has deliverables', () => {
    const empty = decide(roadmap({ MVP: { deliverables: [] } }));
    expect(empty.decision).toBe("kill");
    expect(empty.rationale).toContain("no deliverables");
    const noNow = decide(roadmap({ MVP: { priority: "next" } }));
    expect(noNow.decision).toBe("kill");
    expect(noNow.rationale).toContain('no milestone is prioritised "now"');
  });

  it("revises dates out of order: a dependency not before its dependant, a now after a next", () => {
    const sameDay = decide(roadmap({ Launch: { targetDate: "2027-04-01" } }));
    expect(sameDay.decision).toBe("revise");
    expect(checkNamed(sameDay, "dates in order").detail).toContain('"Launch" (2027-04-01) is not after');
    const late = decide(roadmap({ MVP: { targetDate: "2027-08-01" }, Launch: { dependencies: [] } }));
    expect(late.decision).toBe("pass");
    const nowAfterNext = decide(
      roadmap({ MVP: { targetDate: "2027-08-15" }, Launch: { targetDate: "2027-08-01", dependencies: [] } }),
    );
    expect(nowAfterNext.decision).toBe("revise");
    expect(checkNamed(nowAfterNext, "dates in order").detail).toContain('now "MVP" (2027-08-15) is due after next');
  });

  it("revises dates before the roadmap start, beyond the horizon, or not calendar dates", () => {
    expect(decide(roadmap({ MVP: { targetDate: "2026-11-30" } })).decision).toBe("revise");
    expect(decide(roadmap({ MVP: { targetDate: "2026-12-01" } })).decision).toBe("pass");
    // "now" within 9 months (whole months from the start), the roadmap within 36.
    expect(decide(roadmap({ MVP: { targetDate: "2027-09-01" }, Launch: { targetDate: "2027-10-01" } })).decision).toBe(
      "pass",
    );
    const farNow = decide(roadmap({ MVP: { targetDate: "2027-10-01" }, Launch: { targetDate: "2027-11-01" } }));
    expect(farNow.decision).toBe("revise");
    expect(checkNamed(farNow, '"now" milestones within 9 months').passed).toBe(false);
    expect(decide(roadmap({ Scale: { targetDate: "2029-12-01" } })).decision).toBe("pass");
    expect(decide(roadmap({ Scale: { targetDate: "2030-01-01" } })).decision).toBe("revise");
    expect(decide(roadmap({ Launch: { targetDate: "2027-02-30" } })).decision).toBe("revise");
  });

  it("revises milestones without outcomes", () => {
    const d = decide(roadmap({ Scale: { outcomes: [] } }));
    expect(d.decision).toBe("revise");
    expect(checkNamed(d, "outcomes defined").detail).toContain('"Scale"');
    expect(checkNamed(d, "outcomes defined").nextAction).toContain("measurable outcome");
  });

  it("reads its horizons from the Chairman's profile and records them", () => {
    const tenMonths = roadmap({ MVP: { targetDate: "2027-10-01" }, Launch: { targetDate: "2027-11-01" } });
    const d = decide(tenMonths, { stage13_now_horizon_months: "12" });
    expect(d.decision).toBe("pass");
    expect(d.inputs).toMatchObject({ nowHorizonMonths: 12, maxHorizonMonths: 36 });
    expectReevaluates(d, 13);
  });
});

describe("stage 23 kill gate (§8.6)", () => {
  const releasePackage = (release: string, quality = "pass", review = "approve") =>
    upstreamArtifact(22, "release_package", {
      releaseDecision: { decision: release, rationale: "recommendation", approver: "Chairman" },
      sprintSummary: {
        qualityAssessment: { decision: quality },
        integrationStatus: { reviewDecision: review },
      },
    });
  const plan = (extra: Record<string, unknown> = {}) => ({
    launchType: "beta",
    goDecision: "go",
    launchTasks: [
      { name: "Production deployment", owner: "Engineering", status: "done" },
      { name: "Support playbook", owner: "Operations", status: "in_progress" },
    ],
    successCriteria: [
      { metric: "paying firms", target: "100", measurementWindow: "12 months", priority: "primary" },
      { metric: "Activation rate (%)", target: "30", measurementWindow: "30 days", priority: "secondary" },
    ],
    ...extra,
  });
  const decide = (content: Record<string, unknown>, pkg = releasePackage("release")) =>
    gateOf(gateInput(23, content, { upstream: pkg ? { release_package: pkg } : {} }));

  it("passes when Stage 22 released and the launch is ready", () => {
    const d = decide(plan());
    expect(d.decision).toBe("pass");
    expect(failed(d)).toEqual([]);
    expectReevaluates(d, 23);
  });

  it("passes a conditional Stage 22 release, with its warnings in the prerequisite's detail", () => {
    const d = decide(plan(), releasePackage("release", "conditional_pass", "conditional"));
    expect(d.decision).toBe("pass");
    expect(checkNamed(d, "Stage 22 promotion passed").detail).toContain("warnings");
  });

  it("kills when Stage 22 cancelled the release", () => {
    const d = decide(plan(), releasePackage("cancel"));
    expect(d.decision).toBe("kill");
    expect(d.rationale).toContain("cancelled");
  });

  it("revises when a Stage 22 prerequisite fails: held release, failed quality, rejected review, no package", () => {
    expect(decide(plan(), releasePackage("hold")).decision).toBe("revise");
    const q = decide(plan(), releasePackage("release", "fail"));
    expect(q.decision).toBe("revise");
    expect(checkNamed(q, "Stage 22 promotion passed").passed).toBe(false);
    expect(checkNamed(q, "release decision is release").passed).toBe(true);
    expect(decide(plan(), releasePackage("release", "pass", "reject")).decision).toBe("revise");
    const none = gateOf(gateInput(23, plan()));
    expect(none.decision).toBe("revise");
    expect(checkNamed(none, "Stage 22 promotion passed").detail).toBe("no Stage 22 release package");
  });

  it("revises a blocked launch task, missing success criteria or a no-go", () => {
    const blocked = decide(
      plan({ launchTasks: [{ name: "Billing and terms live", owner: "Finance", status: "blocked" }] }),
    );
    expect(blocked.decision).toBe("revise");
    expect(blocked.rationale).toContain("Billing and terms live");
    expect(decide(plan({ successCriteria: [] })).decision).toBe("revise");
    const noPrimary = decide(
      plan({ successCriteria: [{ metric: "NPS", target: "40", measurementWindow: "90 days", priority: "secondary" }] }),
    );
    expect(noPrimary.decision).toBe("revise");
    expect(decide(plan({ goDecision: "no-go" })).decision).toBe("revise");
  });

  it("passes a criterion without a numeric target, with a warning", () => {
    const d = decide(
      plan({
        successCriteria: [
          { metric: "Organisers approve", target: "achieved", measurementWindow: "90 days", priority: "primary" },
        ],
      }),
    );
    expect(d.decision).toBe("pass");
    expect(failed(d, "warning").map((c) => c.name)).toEqual(["success criteria measurable"]);
  });
});
