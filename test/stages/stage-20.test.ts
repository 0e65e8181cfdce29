import { describe, expect, it } from "vitest";
import { createRng } from "../../src/llm/rng.ts";
import { decideQuality, qaTotals, stage20 } from "../../src/stages/stage-20.ts";
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
  testSuites: { taskRefs: string[]; totalTests: number; passingTests: number; coveragePct: number }[];
  knownDefects: { severity: string; status: string }[];
  qualityDecision: { decision: "pass" | "conditional_pass" | "fail" };
  totalFailures: number;
  overallPassRate: number;
  coveragePct: number;
};
const suite = (totalTests: number, passingTests: number, coveragePct: number) => ({
  name: `suite ${totalTests}`,
  type: "unit" as const,
  totalTests,
  passingTests,
  coveragePct,
  taskRefs: [],
});

describe("stage 20 — quality assurance", () => {
  it("the offline QA report of every sample venture satisfies the artifact schema, covering Stage 19 tasks", () => {
    for (const v of sampleVentures) {
      const artifact = artifactAt(stage20, v) as Qa;
      expect(stage20.artifactSchema.safeParse(artifact).error?.issues ?? []).toEqual([]);
      const tasks = (must(chainThrough(v, 19).sprint_execution).content as { tasks: { name: string }[] }).tasks.map(
        (t) => t.name,
      );
      for (const s of artifact.testSuites) for (const ref of s.taskRefs) expect(tasks).toContain(ref);
      // The analyst's decision agrees with the numbers it reported.
      expect(artifact.qualityDecision.decision).toBe(decideQuality(artifact, artifact.knownDefects));
    }
  });

  it("spreads quality decisions over ventures across the gate bands", () => {
    const counts = tally(spreadVentures.map((v) => (artifactAt(stage20, v) as Qa).qualityDecision.decision));
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
    const ok = { totalFailures: 1, overallPassRate: 95, coveragePct: 60 };
    expect(decideQuality(ok, [{ severity: "medium", status: "open" }])).toBe("pass");
    expect(decideQuality(ok, [{ severity: "high", status: "open" }])).toBe("conditional_pass");
    expect(decideQuality(ok, [{ severity: "critical", status: "resolved" }])).toBe("pass");
    expect(decideQuality({ ...ok, overallPassRate: 94.99 }, [])).toBe("fail");
    expect(decideQuality({ ...ok, coveragePct: 59.99 }, [])).toBe("fail");
  });

  it("rejects more passing than total tests, an unknown test type, coverage over 100 and a missing decision", () => {
    const good = stage20.simulate(contextAt(stage20, venture), createRng(6));
    const s = must(good.testSuites[0]);
    const bad = [
      { ...good, testSuites: [{ ...s, passingTests: s.totalTests + 1 }] },
      { ...good, testSuites: [{ ...s, type: "smoke" }] },
      { ...good, testSuites: [{ ...s, coveragePct: 101 }] },
      { ...good, testSuites: [{ ...s, totalTests: 0, passingTests: 0 }] },
      { ...good, testSuites: [] },
      { testSuites: good.testSuites, knownDefects: good.knownDefects },
      { ...good, qualityDecision: { decision: "passed", rationale: "All good here." } },
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
    for (const field of ["testSuites", "taskRefs", "knownDefects", "qualityDecision", "95%", "60%"])
      expect(user).toContain(field);
  });
});
