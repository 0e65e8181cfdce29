import { describe, expect, it } from "vitest";
import { createRng } from "../../src/llm/rng.ts";
import { decideQuality, measuredSuites, qaTotals, stage20 } from "../../src/stages/stage-20.ts";
import type { EngineeringResults, StageContext } from "../../src/stages/types.ts";
import {
  artifactAt,
  bare,
  chainThrough,
  contextAt,
  expectContract,
  misshapen,
  must,
  sampleVentures,
  spreadVentures,
  tally,
} from "./fixtures-18-25.ts";

const venture = must(sampleVentures[0]);
type Qa = {
  testPlan: { taskRefs: string[]; type: string }[];
  testSuites: { name: string; totalTests: number; passingTests: number; coveragePct: number | null }[];
  knownDefects: { severity: string; status: string }[];
  qualityDecision: { decision: "pass" | "conditional_pass" | "fail"; rationale: string };
  testResults: { source: string; itemsReported: number } | null;
  totalFailures: number | null;
  overallPassRate: number | null;
  coveragePct: number | null;
};
const suite = (totalTests: number, passingTests: number, coveragePct: number | null) => ({
  totalTests,
  passingTests,
  coveragePct,
});

/** What engineering reported: one item per [passed, failed, coverage]. */
function engineering(reports: [number, number, number | null][], status = "succeeded"): EngineeringResults {
  return {
    sagaId: "saga-1",
    status: "completed",
    total: reports.length,
    items: reports.map(([p, f, c], i) => ({
      id: `item-${i + 1}`,
      title: `Item ${i + 1}`,
      status,
      testsPassed: p,
      testsFailed: f,
      coveragePct: c,
    })),
    totals: { testsPassed: 0, testsFailed: 0, coverageAvg: null },
  };
}
const withEngineering = (ctx: StageContext, e: EngineeringResults | null): StageContext => ({ ...ctx, engineering: e });
const run = (ctx: StageContext) => {
  const analysis = stage20.simulate(ctx, createRng(3));
  return { ...analysis, ...stage20.computeDerived(analysis, ctx) } as unknown as Qa;
};

describe("stage 20 — quality assurance", () => {
  it("the offline QA report of every sample venture satisfies the artifact schema, its plan covering Stage 19 tasks", () => {
    for (const v of sampleVentures) {
      const ctx = withEngineering(contextAt(stage20, v), engineering([[120, 0, 85]]));
      const artifact = run(ctx);
      expect(stage20.artifactSchema.safeParse(artifact).error?.issues ?? []).toEqual([]);
      const tasks = (must(chainThrough(v, 19).sprint_execution).content as { tasks: { name: string }[] }).tasks.map(
        (t) => t.name,
      );
      for (const s of artifact.testPlan) for (const ref of s.taskRefs) expect(tasks).toContain(ref);
      expect(artifact.qualityDecision.decision).toBe(decideQuality(artifact, artifact.knownDefects));
    }
  });

  it("takes the suites, pass rate and coverage from engineering, whatever the analyst says", () => {
    const ctx = withEngineering(
      contextAt(stage20, venture),
      engineering([
        [150, 150, 20],
        [150, 150, 20],
      ]),
    );
    // A model that claims a 98 % pass rate: those fields are not part of the analysis and are dropped.
    const claimed = {
      ...stage20.simulate(ctx, createRng(1)),
      knownDefects: [],
      testSuites: [{ name: "Unit", totalTests: 100, passingTests: 98, coveragePct: 66 }],
      overallPassRate: 98,
      coveragePct: 66,
      qualityDecision: { decision: "pass", rationale: "Everything passes nicely." },
    };
    const analysis = must(stage20.analysisSchema.safeParse(claimed).data);
    const artifact = { ...analysis, ...stage20.computeDerived(analysis, ctx) } as unknown as Qa;
    expect(artifact).toMatchObject({
      overallPassRate: 50,
      coveragePct: 20,
      totalFailures: 300,
      qualityDecision: { decision: "fail" },
      testResults: { source: "eva.sd_work_items via eva.fn_sd_results", itemsReported: 2 },
    });
    expect(artifact.testSuites).toEqual([
      {
        name: "Item 1",
        workItemId: "item-1",
        status: "succeeded",
        totalTests: 300,
        passingTests: 150,
        coveragePct: 20,
      },
      {
        name: "Item 2",
        workItemId: "item-2",
        status: "succeeded",
        totalTests: 300,
        passingTests: 150,
        coveragePct: 20,
      },
    ]);
  });

  it("with no reported results: no numbers, quality fails and says why, the fields labelled unknown", () => {
    for (const e of [null, { ...engineering([]), status: "active" }]) {
      const ctx = withEngineering(contextAt(stage20, venture), e);
      const artifact = run(ctx);
      expect(artifact).toMatchObject({ testSuites: [], overallPassRate: null, coveragePct: null, totalFailures: null });
      expect(artifact.qualityDecision.decision).toBe("fail");
      expect(artifact.qualityDecision.rationale).toMatch(/^No test results reported by engineering/);
      const labels = must(stage20.measuredFields)(artifact as never, ctx);
      expect(labels.overallPassRate?.classification).toBe("unknown");
    }
  });

  it("labels the measured fields as fact, naming the saga and the items", () => {
    const ctx = withEngineering(
      contextAt(stage20, venture),
      engineering([
        [120, 0, 85],
        [100, 0, 90],
      ]),
    );
    const labels = must(stage20.measuredFields)(run(ctx) as never, ctx);
    expect(Object.keys(labels).sort()).toEqual(
      ["coveragePct", "overallPassRate", "testResults", "testSuites", "totalFailures"].sort(),
    );
    expect(labels.overallPassRate).toEqual({
      classification: "fact",
      source: "eva.sd_work_items via eva.fn_sd_results (saga saga-1, items item-1, item-2)",
    });
  });

  it("spreads quality decisions with engineering's results across the gate bands", () => {
    // All passing; half failing; coverage short; good numbers but an item reported failed (a high defect).
    const reports: [[number, number, number][], string][] = [
      [[[120, 0, 85]], "succeeded"],
      [[[150, 150, 20]], "succeeded"],
      [[[99, 1, 50]], "succeeded"],
      [[[97, 3, 70]], "failed"],
    ];
    const counts = tally(
      spreadVentures
        .slice(0, 4)
        .flatMap((v) =>
          reports.map(
            ([r, status]) =>
              run(withEngineering(contextAt(stage20, v), engineering(r, status))).qualityDecision.decision,
          ),
        ),
    );
    expect(counts.pass).toBeGreaterThan(0);
    expect(counts.conditional_pass).toBeGreaterThan(0);
    expect(counts.fail).toBeGreaterThan(0);
  });

  it("derives failures, the pass rate Σ passing / Σ total and the test-weighted coverage", () => {
    expect(qaTotals([suite(200, 190, 80), suite(50, 50, 40), suite(10, 7, 10)])).toEqual({
      totalFailures: 13,
      overallPassRate: 95,
      coveragePct: 69.61, // (200·80 + 50·40 + 10·10) / 260 = 69.615…, rounded down
    });
    expect(qaTotals([suite(3, 1, 50)])).toEqual({ totalFailures: 2, overallPassRate: 33.33, coveragePct: 50 });
    // An item without coverage counts for the pass rate, not for coverage; no test at all: the plain mean.
    expect(qaTotals([suite(100, 100, null), suite(100, 50, 40)])).toEqual({
      totalFailures: 50,
      overallPassRate: 75,
      coveragePct: 40,
    });
    expect(qaTotals([suite(0, 0, 30), suite(0, 0, 50)])).toEqual({
      totalFailures: null,
      overallPassRate: null,
      coveragePct: 40,
    });
    expect(qaTotals([])).toEqual({ totalFailures: null, overallPassRate: null, coveragePct: null });
  });

  it("counts only the items that reported", () => {
    const e = engineering([[10, 0, 80]]);
    e.items.push({
      id: "item-2",
      title: "Item 2",
      status: "pending",
      testsPassed: null,
      testsFailed: null,
      coveragePct: null,
    });
    expect(measuredSuites(e).map((s) => s.name)).toEqual(["Item 1"]);
  });

  it("never rounds a pass rate or coverage up across a threshold", () => {
    // 18 999 / 20 000 = 94.995 %: rounding half-up would show 95.00 and pass the gate.
    expect(qaTotals([suite(20_000, 18_999, 59.999)])).toEqual({
      totalFailures: 1001,
      overallPassRate: 94.99,
      coveragePct: 59.99,
    });
  });

  it("decides pass, conditional pass or fail by the thresholds and the open defects", () => {
    const ok = { overallPassRate: 95, coveragePct: 60 };
    expect(decideQuality(ok, [{ severity: "medium", status: "open" }])).toBe("pass");
    expect(decideQuality(ok, [{ severity: "high", status: "open" }])).toBe("conditional_pass");
    expect(decideQuality(ok, [{ severity: "critical", status: "open" }])).toBe("fail");
    expect(decideQuality(ok, [{ severity: "critical", status: "resolved" }])).toBe("pass");
    expect(decideQuality({ ...ok, overallPassRate: 94.99 }, [])).toBe("fail");
    expect(decideQuality({ ...ok, coveragePct: 59.99 }, [])).toBe("fail");
    expect(decideQuality({ ...ok, overallPassRate: null }, [])).toBe("fail");
    expect(decideQuality({ ...ok, coveragePct: null }, [])).toBe("fail");
  });

  it("rejects an unknown test type, an empty plan, a missing triage and an unknown defect status", () => {
    const good = stage20.simulate(contextAt(stage20, venture), createRng(6));
    const s = must(good.testPlan[0]);
    const bad = [
      { ...good, testPlan: [{ ...s, type: "smoke" }] },
      { ...good, testPlan: [] },
      { testPlan: good.testPlan, knownDefects: good.knownDefects },
      {
        ...good,
        knownDefects: [{ description: "Crash on save", severity: "high", status: "fixed", testSuiteRef: null }],
      },
    ];
    for (const b of bad) expect(stage20.analysisSchema.safeParse(b).success).toBe(false);
    expect(stage20.analysisSchema.safeParse(good).success).toBe(true);
  });

  it("falls back rather than throws when the sprint execution is misshapen or missing", () => {
    for (const v of sampleVentures) {
      for (const ctx of [misshapen(contextAt(stage20, v)), bare(contextAt(stage20, v))]) {
        const analysis = stage20.simulate(ctx, createRng(2));
        expect(
          stage20.artifactSchema.safeParse({ ...analysis, ...stage20.computeDerived(analysis, ctx) }).success,
        ).toBe(true);
      }
    }
  });

  it("declares the contract of the reference data and prompts with exactly its artifacts", () => {
    expectContract(stage20, venture);
    const { user } = stage20.prompt(contextAt(stage20, venture));
    for (const field of ["testPlan", "taskRefs", "knownDefects", "triage", "95%", "60%", "never invent test results"])
      expect(user).toContain(field);
    // Without engineering's results there is no report in the prompt; with them, there is (without row ids).
    expect(stage20.prompt(withEngineering(contextAt(stage20, venture), null)).user).not.toContain(
      "## Engineering report",
    );
    const reported = stage20.prompt(withEngineering(contextAt(stage20, venture), engineering([[1, 0, 50]]))).user;
    expect(reported).toContain("## Engineering report");
    expect(reported).not.toContain("item-1");
    expect(reported).not.toContain("saga-1");
    expect(artifactAt(stage20, venture)).toMatchObject({ testResults: { itemsReported: expect.any(Number) } });
  });
});
