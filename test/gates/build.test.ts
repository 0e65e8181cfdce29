import { describe, expect, it } from "vitest";
import { reevaluateGate } from "../../src/gates/index.ts";
import { checkNamed, expectReevaluates, failed, gateInput, gateOf, upstreamArtifact } from "./helpers.ts";

describe("stage 17 build readiness gate", () => {
  type Item = { name: string; status: string; priority: string };
  const items = (changes: Partial<Record<string, Partial<Item>>> = {}): Item[] =>
    [
      { name: "Now scope defined", status: "ready", priority: "critical" },
      { name: "Architecture baselined", status: "ready", priority: "high" },
      { name: "Funding runway", status: "ready", priority: "critical" },
      { name: "Team and environments", status: "ready", priority: "medium" },
    ].map((i) => ({ ...i, ...changes[i.name] }));
  const readiness = (
    decision: string,
    readinessItems = items(),
    blockers: { description: string; owner: string; severity: string }[] = [],
  ) => ({
    readinessItems,
    blockers,
    buildReadiness: {
      decision,
      rationale: "assessed",
      conditions: decision === "conditional_go" ? ["Fund the mitigation"] : [],
    },
  });
  const decide = (content: Record<string, unknown>) => gateOf(gateInput(17, content));

  it("goes when everything is ready and the analysis says go", () => {
    const d = decide(readiness("go"));
    expect(d.decision).toBe("go");
    expect(failed(d)).toEqual([]);
    expectReevaluates(d, 17);
  });

  it("a critical blocker or a critical item not ready is no_go, even when the analysis says go", () => {
    const blocked = decide(
      readiness("go", items(), [{ description: "No staging", owner: "CTO", severity: "critical" }]),
    );
    expect(blocked.decision).toBe("no_go");
    expect(blocked.rationale).toContain("No staging");
    expect(decide(readiness("go", items({ "Funding runway": { status: "not_ready" } }))).decision).toBe("no_go");
  });

  it("anything short of ready makes a go conditional; the analysis's own conditional_go and no_go stand", () => {
    const partial = decide(readiness("go", items({ "Architecture baselined": { status: "partial" } })));
    expect(partial.decision).toBe("conditional_go");
    expect(partial.rationale).toContain("Architecture baselined (partial)");
    expect(
      decide(readiness("go", items(), [{ description: "Docs thin", owner: "PM", severity: "low" }])).decision,
    ).toBe("conditional_go");
    const conditional = decide(readiness("conditional_go"));
    expect(conditional.decision).toBe("conditional_go");
    expect(conditional.rationale).toContain("Fund the mitigation");
    expect(decide(readiness("no_go")).decision).toBe("no_go");
    expect(decide(readiness("maybe")).decision).toBe("no_go");
  });
});

describe("stage 19 sprint completion gate", () => {
  const execution = (
    statuses: string[],
    decision = "complete",
    readyForQa = decision === "complete",
    issues: { description: string; severity: string; status: string }[] = [],
  ) => ({
    tasks: statuses.map((status, i) => ({ name: `Task ${i + 1}`, description: "work", assignee: "LEO", status })),
    issues,
    sprintCompletion: { decision, readyForQa, rationale: "reported by engineering" },
  });
  const decide = (content: Record<string, unknown>) => gateOf(gateInput(19, content));

  it("completes when every task is done and the sprint is ready for QA", () => {
    const d = decide(execution(["done", "done", "done"]));
    expect(d.decision).toBe("complete");
    expectReevaluates(d, 19);
  });

  it("continues with work left or without the QA flag", () => {
    expect(decide(execution(["done", "in_progress"], "continue")).decision).toBe("continue");
    // The analysis claims complete, but a task is still open: the data downgrade it.
    const claimed = decide(execution(["done", "pending"], "complete", true));
    expect(claimed.decision).toBe("continue");
    expect(claimed.rationale).toContain("1 of 2 tasks done");
    expect(decide(execution(["done", "done"], "complete", false)).decision).toBe("continue");
    // Exactly half blocked is not "more than half".
    expect(decide(execution(["done", "done", "blocked", "blocked"], "continue")).decision).toBe("continue");
  });

  it("blocks on an open critical issue or more than half the tasks blocked", () => {
    const critical = decide(
      execution(["done", "done"], "complete", true, [
        { description: "Data loss on save", severity: "critical", status: "in_progress" },
      ]),
    );
    expect(critical.decision).toBe("blocked");
    expect(critical.rationale).toContain("Data loss on save");
    expect(
      decide(
        execution(["done", "done"], "complete", true, [
          { description: "Data loss on save", severity: "critical", status: "resolved" },
        ]),
      ).decision,
    ).toBe("complete");
    expect(decide(execution(["done", "blocked", "blocked"], "continue")).decision).toBe("blocked");
    expect(decide(execution(["done"], "blocked", false)).decision).toBe("blocked");
  });
});

describe("stage 20 quality gate", () => {
  const qa = (
    overallPassRate: number,
    coveragePct: number,
    decision = "pass",
    knownDefects: { description: string; severity: string; status: string; testSuiteRef: null }[] = [],
  ) => ({
    testSuites: [],
    testResults: { source: "eva.sd_work_items via eva.fn_sd_results (items a, b)", itemsReported: 2, itemsTotal: 2 },
    knownDefects,
    qualityDecision: { decision, rationale: "measured" },
    totalFailures: 0,
    overallPassRate,
    coveragePct,
  });
  const defect = (severity: string, status = "open") => ({
    description: `${severity} defect`,
    severity,
    status,
    testSuiteRef: null,
  });
  const decide = (content: Record<string, unknown>, readyForQa?: boolean) =>
    gateOf(
      gateInput(20, content, {
        upstream:
          readyForQa === undefined
            ? {}
            : { sprint_execution: upstreamArtifact(19, "sprint_execution", { sprintCompletion: { readyForQa } }) },
      }),
    );

  it("passes at exactly 95% pass rate and 60% coverage", () => {
    const d = decide(qa(95, 60), true);
    expect(d.decision).toBe("pass");
    expect(failed(d)).toEqual([]);
    expectReevaluates(d, 20);
  });

  it("moves its thresholds with the stage20_* preferences, and re-evaluates with the moved ones", () => {
    const prefs = (preferences: Record<string, string>, rate: number, coverage: number) =>
      gateOf(
        gateInput(20, qa(rate, coverage), {
          preferences,
          upstream: {
            sprint_execution: upstreamArtifact(19, "sprint_execution", { sprintCompletion: { readyForQa: true } }),
          },
        }),
      );
    const strict = prefs({ stage20_pass_rate_threshold: "98" }, 97.5, 80);
    expect(strict.decision).toBe("fail");
    expect(checkNamed(strict, "pass rate ≥ 98%").detail).toBe("overall pass rate 97.5% (threshold 98%)");
    expectReevaluates(strict, 20);
    expect(prefs({ stage20_pass_rate_threshold: "98" }, 98, 80).decision).toBe("pass");
    // Lowered below what the run derived with: the gate follows the threshold, not the recorded "fail".
    const lowered = gateOf(
      gateInput(20, qa(90, 80, "fail"), {
        preferences: { stage20_pass_rate_threshold: "85" },
        upstream: {
          sprint_execution: upstreamArtifact(19, "sprint_execution", { sprintCompletion: { readyForQa: true } }),
        },
      }),
    );
    expect(lowered.decision).toBe("pass");
    expect(prefs({ stage20_coverage_threshold: "50" }, 96, 55).decision).toBe("pass");
    expect(prefs({ stage20_coverage_threshold: "50" }, 96, 49.99).decision).toBe("fail");
    // Outcomes recorded before the thresholds were preferences re-evaluate at 95/60.
    const { thresholds: _, ...old } = prefs({}, 95, 60).inputs;
    expect(reevaluateGate(20, "gate", old).decision).toBe("pass");
    expect(reevaluateGate(20, "gate", { ...old, coveragePct: 59.9 }).decision).toBe("fail");
  });

  it("fails at 94.99% pass rate or 59.9% coverage, whatever the analysis says", () => {
    const rate = decide(qa(94.99, 80));
    expect(rate.decision).toBe("fail");
    expect(checkNamed(rate, "pass rate ≥ 95%").detail).toBe("overall pass rate 94.99% (threshold 95%)");
    expect(decide(qa(99, 59.9)).decision).toBe("fail");
    expect(decide(qa(99, 59.99)).decision).toBe("fail");
    expect(decide(qa(94.99, 59.9, "conditional_pass")).decision).toBe("fail");
  });

  it("is a conditional pass with an open high defect, a fail with an open critical one", () => {
    const high = decide(qa(97, 70, "pass", [defect("high")]));
    expect(high.decision).toBe("conditional_pass");
    expect(high.rationale).toContain("high defect");
    expect(decide(qa(97, 70, "pass", [defect("high", "resolved"), defect("medium")])).decision).toBe("pass");
    expect(decide(qa(97, 70, "conditional_pass", [defect("critical", "in_progress")])).decision).toBe("fail");
  });

  it("decides from engineering's numbers and the thresholds in force, not the artifact's derived decision; fails a sprint not ready for QA", () => {
    // The artifact's qualityDecision is EVA's derivation (with the thresholds of its run): a what-if that moves a threshold must move the gate.
    expect(decide(qa(99, 80, "conditional_pass")).decision).toBe("pass");
    expect(decide(qa(99, 80, "fail")).decision).toBe("pass");
    expect(decide(qa(99, 80, "pass"), false).decision).toBe("fail");
    expect(decide(qa(99, 80, "great")).decision).toBe("fail");
  });

  it("cannot pass without engineering's reported results, and says why", () => {
    // Numbers without a measured source (an analyst's claim, or nothing reported) are not read.
    for (const testResults of [null, { source: "eva.sd_work_items via eva.fn_sd_results", itemsReported: 0 }]) {
      const d = decide({ ...qa(98, 66), testResults }, true);
      expect(d.decision).toBe("fail");
      expect(checkNamed(d, "engineering reported test results")).toMatchObject({
        passed: false,
        detail: "no test results reported by engineering: the pass rate and coverage are unknown",
      });
      expect(d.rationale).toContain("no test results reported by engineering");
      expect(d.inputs).toMatchObject({ measured: null, overallPassRate: null, coveragePct: null });
      expectReevaluates(d, 20);
    }
    const measured = decide(qa(98, 66), true);
    expect(checkNamed(measured, "engineering reported test results").detail).toBe(
      "2 of 2 work items reported (eva.sd_work_items via eva.fn_sd_results (items a, b))",
    );
  });
});

describe("stage 21 review gate", () => {
  const review = (
    decision: string,
    integrations: { name: string; status: string; severity: string }[] = [
      { name: "Database", status: "passing", severity: "critical" },
      { name: "Email", status: "passing", severity: "medium" },
    ],
  ) => ({
    integrations: integrations.map((i) => ({ ...i, environment: "staging" })),
    reviewDecision: { decision, rationale: "reviewed", conditions: decision === "conditional" ? ["Fix email"] : [] },
  });
  const decide = (content: Record<string, unknown>, quality: string | null = "pass") =>
    gateOf(
      gateInput(21, content, {
        upstream: quality
          ? { qa_report: upstreamArtifact(20, "qa_report", { qualityDecision: { decision: quality } }) }
          : {},
      }),
    );

  it("approves a build that passed quality with every integration passing", () => {
    const d = decide(review("approve"));
    expect(d.decision).toBe("approve");
    expectReevaluates(d, 21);
  });

  it("rejects on failed quality or a failing critical integration", () => {
    expect(decide(review("approve"), "fail").decision).toBe("reject");
    const failing = decide(
      review("approve", [
        { name: "Database", status: "failing", severity: "critical" },
        { name: "Email", status: "passing", severity: "medium" },
      ]),
    );
    expect(failing.decision).toBe("reject");
    expect(failing.rationale).toContain("Database");
    expect(decide(review("reject")).decision).toBe("reject");
  });

  it("is conditional on conditional quality, a non-critical integration not passing, or unknown quality", () => {
    expect(decide(review("approve"), "conditional_pass").decision).toBe("conditional");
    expect(
      decide(
        review("approve", [
          { name: "Database", status: "passing", severity: "critical" },
          { name: "Payments", status: "failing", severity: "high" },
        ]),
      ).decision,
    ).toBe("conditional");
    expect(decide(review("approve", [{ name: "Database", status: "degraded", severity: "critical" }])).decision).toBe(
      "conditional",
    );
    expect(decide(review("approve"), null).decision).toBe("conditional");
    const own = decide(review("conditional"));
    expect(own.decision).toBe("conditional");
    expect(own.rationale).toContain("Fix email");
  });
});
