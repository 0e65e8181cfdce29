import { describe, expect, it } from "vitest";
import { createRng } from "../../src/llm/rng.ts";
import { isoDateAfter, sprintSummary, stage22 } from "../../src/stages/stage-22.ts";
import {
  artifactAt,
  bare,
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
type Release = {
  releaseDecision: { decision: "release" | "hold" | "cancel" };
  sprintSummary: {
    qualityAssessment: { decision: string | null };
    integrationStatus: { reviewDecision: string | null };
  };
};

const plan = { sprintGoal: "Ship the matching MVP", sprintItems: [{ title: "A" }, { title: "B" }, { title: "C" }] };
const qa = {
  overallPassRate: 96.5,
  coveragePct: 71.2,
  qualityDecision: { decision: "conditional_pass", rationale: "one high defect open" },
  knownDefects: [{ status: "open" }, { status: "resolved" }, { status: "in_progress" }],
};
const review = {
  reviewDecision: { decision: "conditional", rationale: "r", conditions: ["x"] },
  integrations: ["passing", "passing", "degraded", "failing", "pending"].map((status, i) => ({
    name: `i${i}`,
    status,
  })),
};

describe("stage 22 — release readiness", () => {
  it("the offline release package of every sample venture satisfies the artifact schema once derived", () => {
    for (const v of sampleVentures) {
      const ctx = contextAt(stage22, v);
      const parsed = stage22.artifactSchema.safeParse(artifactAt(stage22, v));
      expect(parsed.error?.issues ?? []).toEqual([]);
      expect(stage22.qualityScore(must(parsed.data), ctx)).toBeGreaterThanOrEqual(80);
    }
  });

  it("spreads release decisions over ventures and releases only past passing quality and review", () => {
    const releases = spreadVentures.map((v) => artifactAt(stage22, v) as Release);
    const counts = tally(releases.map((r) => r.releaseDecision.decision));
    expect(counts.release).toBeGreaterThan(0);
    expect(counts.hold).toBeGreaterThan(0);
    expect(counts.cancel).toBeGreaterThan(0);
    for (const r of releases.filter((r) => r.releaseDecision.decision === "release")) {
      expect(["pass", "conditional_pass"]).toContain(r.sprintSummary.qualityAssessment.decision);
      expect(["approve", "conditional"]).toContain(r.sprintSummary.integrationStatus.reviewDecision);
    }
  });

  it("derives the sprint summary from Stages 18-21, matching tasks to items by name", () => {
    const execution = {
      tasks: [
        { name: "a", status: "done" },
        { name: "B", status: "in_progress" },
        { name: "C ", status: "done" },
        { name: "Extra", status: "done" },
      ],
    };
    const ctx = constructed(venture, { 18: plan, 19: execution, 20: qa, 21: review });
    expect(sprintSummary(ctx)).toEqual({
      sprintGoal: "Ship the matching MVP",
      itemsPlanned: 3,
      itemsCompleted: 2,
      qualityAssessment: { decision: "conditional_pass", overallPassRate: 96.5, coveragePct: 71.2, openDefects: 2 },
      integrationStatus: { reviewDecision: "conditional", total: 5, passing: 2, degraded: 1, failing: 1, pending: 1 },
    });
    const analysis = stage22.simulate(ctx, createRng(1));
    expect(stage22.computeDerived(analysis, ctx)).toEqual({ sprintSummary: sprintSummary(ctx) });
  });

  it("counts done tasks, capped at the items planned, when no task name matches an item", () => {
    const renamed = { tasks: ["w", "x", "y", "z"].map((name) => ({ name, status: "done" })) };
    expect(sprintSummary(constructed(venture, { 18: plan, 19: renamed })).itemsCompleted).toBe(3);
    expect(sprintSummary(constructed(venture, {}))).toEqual({
      sprintGoal: null,
      itemsPlanned: 0,
      itemsCompleted: 0,
      qualityAssessment: { decision: null, overallPassRate: null, coveragePct: null, openDefects: 0 },
      integrationStatus: { reviewDecision: null, total: 0, passing: 0, degraded: 0, failing: 0, pending: 0 },
    });
  });

  it("plans its target date from the run's date, never the clock", () => {
    expect(isoDateAfter("2030-12-25", 14)).toBe("2031-01-08");
    const ctx = contextAt(stage22, venture);
    const { targetDate } = stage22.simulate({ ...ctx, asOf: "2031-03-01" }, createRng(2));
    expect(targetDate >= "2031-03-08" && targetDate <= "2031-03-22").toBe(true);
    expect(stage22.prompt(ctx).user).toContain(`Today is ${ctx.asOf}`);
  });

  it("rejects a bad date, an unknown category or decision, and an empty release", () => {
    const good = stage22.simulate(contextAt(stage22, venture), createRng(3));
    const item = must(good.releaseItems[0]);
    const bad = [
      { ...good, targetDate: "2030-13-01" },
      { ...good, targetDate: "next Tuesday" },
      { ...good, releaseItems: [{ ...item, category: "hotfix" }] },
      { ...good, releaseItems: [{ ...item, status: "shipped" }] },
      { ...good, releaseItems: [] },
      { ...good, releaseDecision: { ...good.releaseDecision, decision: "ship" } },
      { ...good, releaseNotes: undefined },
    ];
    for (const b of bad) expect(stage22.analysisSchema.safeParse(b).success).toBe(false);
    expect(stage22.analysisSchema.safeParse({ ...good, sprintRetrospective: null }).success).toBe(true);
  });

  it("falls back rather than throws when upstream artifacts are misshapen or missing", () => {
    for (const v of sampleVentures) {
      for (const ctx of [misshapen(contextAt(stage22, v)), bare(contextAt(stage22, v))]) {
        const analysis = stage22.simulate(ctx, createRng(2));
        expect(
          stage22.artifactSchema.safeParse({ ...analysis, ...stage22.computeDerived(analysis, ctx) }).success,
        ).toBe(true);
      }
    }
  });

  it("declares the contract of the reference data and prompts with exactly its artifacts", () => {
    expectContract(stage22, venture);
    const { user } = stage22.prompt(contextAt(stage22, venture));
    for (const field of ["releaseItems", "releaseNotes", "targetDate", "releaseDecision", "sprintRetrospective"])
      expect(user).toContain(field);
  });
});
