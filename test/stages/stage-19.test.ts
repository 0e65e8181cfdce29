import { describe, expect, it } from "vitest";
import { createRng } from "../../src/llm/rng.ts";
import { completionFrom, stage19 } from "../../src/stages/stage-19.ts";
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
type Execution = {
  tasks: { name: string; status: string }[];
  sprintCompletion: { decision: string; readyForQa: boolean };
};

describe("stage 19 — sprint execution", () => {
  it("the offline report of every sample venture satisfies the artifact schema, one task per sprint item", () => {
    for (const v of sampleVentures) {
      const ctx = contextAt(stage19, v);
      const artifact = artifactAt(stage19, v);
      const parsed = stage19.artifactSchema.safeParse(artifact);
      expect(parsed.error?.issues ?? []).toEqual([]);
      const items = (must(chainThrough(v, 18).sprint_plan).content as { sprintItems: { title: string }[] }).sprintItems;
      expect((artifact as Execution).tasks.map((t) => t.name)).toEqual(items.map((i) => i.title));
      expect(stage19.qualityScore(must(parsed.data), ctx)).toBe(100);
    }
  });

  it("spreads sprint outcomes over ventures: complete, continue and blocked all occur", () => {
    const decisions = spreadVentures.map(
      (v) => (artifactAt(stage19, v) as Execution).sprintCompletion.decision as "complete" | "continue" | "blocked",
    );
    const counts = tally(decisions);
    expect(counts.complete).toBeGreaterThan(0);
    expect(counts.continue).toBeGreaterThan(0);
    expect(counts.blocked).toBeGreaterThan(0);
  });

  it("makes progress on a re-run of the sprint", () => {
    const done = (run: number) =>
      spreadVentures
        .map((v) => (artifactAt(stage19, v, run) as Execution).tasks.filter((t) => t.status === "done").length)
        .reduce((s, n) => s + n, 0);
    expect(done(3)).toBeGreaterThan(done(1));
  });

  it("decides from task and issue states", () => {
    const t = (status: string) => ({ status });
    expect(completionFrom([t("done"), t("done")], [{ severity: "low", status: "open" }])).toEqual({
      decision: "complete",
      readyForQa: true,
    });
    expect(completionFrom([t("done"), t("in_progress")], [])).toEqual({ decision: "continue", readyForQa: false });
    expect(completionFrom([t("done"), t("blocked"), t("blocked")], [])).toEqual({
      decision: "blocked",
      readyForQa: false,
    });
    expect(completionFrom([t("done"), t("done")], [{ severity: "critical", status: "in_progress" }])).toEqual({
      decision: "blocked",
      readyForQa: false,
    });
    expect(completionFrom([t("done"), t("done")], [{ severity: "critical", status: "resolved" }]).decision).toBe(
      "complete",
    );
  });

  it("rejects an inconsistent completion, unknown statuses and a missing rationale", () => {
    const good = stage19.simulate(contextAt(stage19, venture), createRng(4));
    const task = must(good.tasks[0]);
    const bad = [
      { ...good, sprintCompletion: { decision: "complete", readyForQa: false, rationale: "All tasks are done." } },
      { ...good, sprintCompletion: { decision: "blocked", readyForQa: true, rationale: "Waiting on the bank API." } },
      { ...good, sprintCompletion: { decision: "paused", readyForQa: false, rationale: "Waiting on the bank API." } },
      { ...good, tasks: [{ ...task, status: "finished" }] },
      { ...good, issues: [{ description: "Flaky build step", severity: "urgent", status: "open" }] },
      { ...good, issues: [{ description: "Flaky build step", severity: "low", status: "closed" }] },
      { ...good, sprintCompletion: { decision: "continue", readyForQa: false } },
      { ...good, tasks: [] },
    ];
    for (const b of bad) expect(stage19.analysisSchema.safeParse(b).success).toBe(false);
    expect(stage19.analysisSchema.safeParse(good).success).toBe(true);
  });

  it("derives only the engineering report: null when engineering was never asked, its totals when it was", () => {
    const ctx = contextAt(stage19, venture);
    expect(stage19.computeDerived(stage19.simulate(ctx, createRng(1)), ctx)).toEqual({ engineeringReport: null });
    const reported = {
      ...ctx,
      engineering: {
        status: "completed",
        total: 3,
        items: [
          { title: "A", status: "succeeded", testsPassed: 40, testsFailed: 0, coveragePct: 80 },
          { title: "B", status: "succeeded", testsPassed: 30, testsFailed: 2, coveragePct: 70 },
          { title: "C", status: "failed", testsPassed: 5, testsFailed: 9, coveragePct: 30 },
        ],
        totals: { testsPassed: 75, testsFailed: 11, coverageAvg: 60 },
      },
    };
    expect(stage19.computeDerived(stage19.simulate(reported, createRng(1)), reported)).toEqual({
      engineeringReport: {
        status: "completed",
        items: 3,
        succeeded: 2,
        failed: 1,
        testsPassed: 75,
        testsFailed: 11,
        coverageAvg: 60,
      },
    });
  });

  it("labels the engineering report as fact from the SD work items, or unknown when engineering was never asked", () => {
    const ctx = contextAt(stage19, venture);
    const unasked = {
      ...stage19.simulate(ctx, createRng(1)),
      ...stage19.computeDerived(stage19.simulate(ctx, createRng(1)), ctx),
    };
    expect(stage19.measuredFields?.(unasked, ctx)).toEqual({
      engineeringReport: {
        classification: "unknown",
        source: "engineering was never asked (no SD execution saga for this sprint)",
      },
    });
    const reported = {
      ...ctx,
      engineering: {
        sagaId: "s-1",
        status: "completed",
        total: 1,
        items: [{ id: "i-1", title: "A", status: "succeeded", testsPassed: 4, testsFailed: 0, coveragePct: 80 }],
        totals: { testsPassed: 4, testsFailed: 0, coverageAvg: 80 },
      },
    };
    const artifact = {
      ...stage19.simulate(reported, createRng(1)),
      ...stage19.computeDerived(stage19.simulate(reported, createRng(1)), reported),
    };
    expect(stage19.measuredFields?.(artifact, reported)).toEqual({
      engineeringReport: {
        classification: "fact",
        source: "eva.sd_work_items via eva.fn_sd_results (saga s-1, items i-1)",
      },
    });
  });

  it("falls back rather than throws when the sprint plan is misshapen or missing", () => {
    for (const v of sampleVentures) {
      for (const ctx of [misshapen(contextAt(stage19, v)), bare(contextAt(stage19, v))]) {
        const analysis = stage19.simulate(ctx, createRng(2));
        expect(
          stage19.artifactSchema.safeParse({ ...analysis, ...stage19.computeDerived(analysis, ctx) }).success,
        ).toBe(true);
      }
    }
    const single = constructed(venture, { 18: { sprintGoal: "x", sprintItems: [{ title: "Only item" }] } });
    expect(stage19.simulate(single, createRng(1)).tasks.map((t) => t.name)).toEqual(["Only item"]);
  });

  it("declares the contract of the reference data and prompts with exactly its artifacts", () => {
    expectContract(stage19, venture);
    const { user } = stage19.prompt(contextAt(stage19, venture));
    for (const field of ["tasks", "issues", "sprintCompletion", "readyForQa"]) expect(user).toContain(field);
  });
});
