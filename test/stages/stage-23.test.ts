import { describe, expect, it } from "vitest";
import { createRng } from "../../src/llm/rng.ts";
import { criteriaFor, parseCriterion, stage23 } from "../../src/stages/stage-23.ts";
import {
  artifactAt,
  bare,
  chainThrough,
  constructed,
  contextAt,
  expectContract,
  misshapen,
  must,
  sampleVentures,
  spreadVentures,
  tally,
} from "./fixtures-18-25.ts";

const venture = must(sampleVentures[0]);
type Launch = {
  goDecision: "go" | "no-go";
  launchTasks: { status: string }[];
  successCriteria: { metric: string; priority: string }[];
};

describe("stage 23 — launch execution", () => {
  it("the offline launch brief of every sample venture satisfies the artifact schema", () => {
    for (const v of sampleVentures) {
      const ctx = contextAt(stage23, v);
      const parsed = stage23.artifactSchema.safeParse(artifactAt(stage23, v));
      expect(parsed.error?.issues ?? []).toEqual([]);
      expect(must(parsed.data).successCriteria.length).toBeGreaterThanOrEqual(1);
      expect(stage23.qualityScore(must(parsed.data), ctx)).toBeGreaterThanOrEqual(70);
    }
  });

  it("goes only on a Stage 22 release with no blocked launch task, and both outcomes occur", () => {
    const outcomes = spreadVentures.map((v) => {
      const released =
        (must(chainThrough(v, 22).release_package).content as { releaseDecision: { decision: string } }).releaseDecision
          .decision === "release";
      const launch = artifactAt(stage23, v) as Launch;
      if (launch.goDecision === "go") {
        expect(released).toBe(true);
        expect(launch.launchTasks.some((t) => t.status === "blocked")).toBe(false);
      }
      return launch.goDecision;
    });
    const counts = tally(outcomes);
    expect(counts.go).toBeGreaterThan(0);
    expect(counts["no-go"]).toBeGreaterThan(0);
  });

  it("reads Stage 1 success criteria written in words into metric, target and window", () => {
    expect(parseCriterion("100 paying firms in 12 months")).toEqual({
      metric: "paying firms",
      target: "100",
      measurementWindow: "12 months",
    });
    expect(parseCriterion("1,000 sublets a month")).toEqual({
      metric: "sublets per month",
      target: "1,000",
      measurementWindow: "90 days",
    });
    expect(parseCriterion("At least 40% activation within 30 days")).toEqual({
      metric: "activation",
      target: "40%",
      measurementWindow: "30 days",
    });
    expect(parseCriterion("Customers love it", "60 days")).toEqual({
      metric: "Customers love it",
      target: "achieved",
      measurementWindow: "60 days",
    });
  });

  it("keeps the venture's own criteria primary and adds standard ones, primary when the venture has none", () => {
    const own = criteriaFor(must(sampleVentures[2]), "beta");
    expect(own.map((c) => [c.metric, c.target, c.priority])).toEqual([
      ["markets live", "30", "primary"],
      ["sublets per month", "1,000", "primary"],
      ["Activation rate (%)", "30", "secondary"],
      ["Week-4 retention (%)", "35", "secondary"],
    ]);
    const none = criteriaFor(must(sampleVentures[1]), "general_availability");
    expect(none.map((c) => [c.metric, c.target, c.priority])).toEqual([
      ["Activation rate (%)", "40", "primary"],
      ["Week-4 retention (%)", "35", "primary"],
    ]);
  });

  it("takes the planned launch date from the Stage 22 target date", () => {
    const ctx = constructed(venture, { 22: { targetDate: "2031-02-03", releaseDecision: { decision: "release" } } });
    expect(stage23.simulate(ctx, createRng(1)).plannedLaunchDate).toBe("2031-02-03");
  });

  it("rejects no success criteria, unknown enums, a bad date and duplicate criteria; derives nothing", () => {
    const ctx = contextAt(stage23, venture);
    const good = stage23.simulate(ctx, createRng(4));
    const c = must(good.successCriteria[0]);
    const bad = [
      { ...good, successCriteria: [] },
      { ...good, launchType: "alpha" },
      { ...good, goDecision: "maybe" },
      { ...good, plannedLaunchDate: "03/02/2031" },
      { ...good, successCriteria: [{ ...c, priority: "tertiary" }] },
      { ...good, successCriteria: [c, { ...c, metric: ` ${c.metric.toUpperCase()} ` }] },
      { ...good, launchTasks: [{ name: "Deploy", owner: "Eng", status: "shipped" }] },
      { ...good, rollbackPlan: undefined },
    ];
    for (const b of bad) expect(stage23.analysisSchema.safeParse(b).success).toBe(false);
    expect(stage23.analysisSchema.safeParse({ ...good, actualLaunchDate: "2031-02-04" }).success).toBe(true);
    expect(stage23.computeDerived(good, ctx)).toEqual({});
  });

  it("falls back rather than throws when the release package is misshapen or missing", () => {
    for (const v of sampleVentures) {
      for (const ctx of [misshapen(contextAt(stage23, v)), bare(contextAt(stage23, v))]) {
        const analysis = stage23.simulate(ctx, createRng(2));
        expect(stage23.artifactSchema.safeParse(analysis).success).toBe(true);
        expect(analysis.goDecision).toBe("no-go");
      }
    }
  });

  it("declares the contract of the reference data and prompts with exactly its artifacts", () => {
    expectContract(stage23, venture);
    const { user } = stage23.prompt(contextAt(stage23, venture));
    for (const field of [
      "launchType",
      "goDecision",
      "successCriteria",
      "rollbackTriggers",
      must(venture.successCriteria[0]),
    ])
      expect(user).toContain(field);
  });
});
