import { describe, expect, it } from "vitest";
import { createRng } from "../../src/llm/rng.ts";
import {
  addMonths,
  monthsBetween,
  type RoadmapAnalysis,
  roadmapQuality,
  roadmapStartFor,
  stage13,
} from "../../src/stages/stage-13.ts";
import type { StageContext } from "../../src/stages/types.ts";
import {
  artifactAt,
  contextAt,
  expectContract,
  expectValidOffline,
  oddContext,
  sample,
  strongest,
  ventureVariants,
  weakest,
} from "./fixtures-10-17.ts";
import { contextFor, sampleVentures } from "./helpers.ts";

function knownRoadmap(): RoadmapAnalysis {
  return {
    roadmapStart: "2027-01-01",
    milestones: [
      {
        title: "MVP",
        description: "First usable product",
        targetDate: "2027-04-01",
        priority: "now",
        deliverables: [{ name: "Matching", description: "Auto-match invoices", type: "feature" }],
        outcomes: ["10 firms reconcile weekly"],
        dependencies: [],
      },
      {
        title: "Launch",
        description: "Open sign-up",
        targetDate: "2027-09-01",
        priority: "next",
        deliverables: [{ name: "Billing", description: "Plans and invoices", type: "integration" }],
        outcomes: ["100 paying firms"],
        dependencies: ["MVP"],
      },
    ],
  };
}

/** What the kill gate will look for: a now milestone with deliverables and outcomes, dated in order from the start. */
function feasible(r: RoadmapAnalysis): boolean {
  const now = r.milestones.filter((m) => m.priority === "now");
  const dated = r.milestones.every((m) => m.targetDate > r.roadmapStart);
  const ordered = now.every((n) =>
    r.milestones.filter((m) => m.priority !== "now").every((m) => m.targetDate > n.targetDate),
  );
  const nearNow = now.every((m) => monthsBetween(r.roadmapStart, m.targetDate) <= 9);
  return now.some((m) => m.deliverables.length > 0 && m.outcomes.length > 0) && dated && ordered && nearNow;
}

describe("stage 13 — product roadmap", () => {
  it("the offline analysis of every sample venture satisfies the artifact schema", () => {
    for (const venture of [...sampleVentures, ...ventureVariants(6)]) {
      const parsed = stage13.artifactSchema.safeParse(artifactAt(stage13, venture));
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      const roadmap = parsed.data as RoadmapAnalysis;
      expect(roadmap.milestones.some((m) => m.priority === "now")).toBe(true);
      expect(stage13.qualityScore(roadmap, contextAt(stage13, venture))).toBeLessThanOrEqual(100);
    }
  });

  it("plans soundly for strong ventures and fails the kill gate's basics for weak ones", () => {
    const strong = artifactAt(stage13, strongest) as RoadmapAnalysis;
    expect(feasible(strong)).toBe(true);
    expect(strong.roadmapStart).toBe(roadmapStartFor(contextAt(stage13, strongest)));
    const weak = artifactAt(stage13, weakest) as RoadmapAnalysis;
    expect(weak.milestones.some((m) => m.priority === "now" && m.deliverables.length > 0)).toBe(false);
    expect(feasible(weak)).toBe(false);
    // Over many ventures all three qualities occur.
    const ventures = [...sampleVentures, ...ventureVariants(16)];
    const quality = ventures.map((v) => {
      const r = artifactAt(stage13, v) as RoadmapAnalysis;
      return feasible(r)
        ? "sound"
        : r.milestones.some((m) => m.priority === "now" && m.deliverables.length)
          ? "shaky"
          : "broken";
    });
    expect(new Set(quality)).toEqual(new Set(["sound", "shaky", "broken"]));
  });

  it("a re-run with gate feedback plans a borderline venture better", () => {
    expect(roadmapQuality(0.4, false)).toBe("shaky");
    expect(roadmapQuality(0.4, true)).toBe("sound");
    expect(roadmapQuality(0.2, true)).toBe("broken");
  });

  it("dates the roadmap from the first of the month after the context's date", () => {
    const ctx = { ...contextFor(strongest, {}), asOf: "2026-11-23" } as StageContext;
    expect(roadmapStartFor(ctx)).toBe("2026-12-01");
    expect(stage13.prompt(ctx).user).toContain("The roadmap starts on 2026-12-01");
    expect((stage13.simulate(ctx, createRng(1)) as RoadmapAnalysis).roadmapStart).toBe("2026-12-01");
    expect(addMonths("2026-11-23", 14)).toBe("2028-01-01");
    expect(monthsBetween("2026-12-01", "2027-03-15")).toBe(3);
    expect(monthsBetween("2027-03-01", "2026-12-01")).toBe(-3);
  });

  it("derives nothing: the gate reads the milestones themselves", () => {
    expect(stage13.computeDerived(knownRoadmap(), contextFor(strongest, {}))).toEqual({});
  });

  it("rejects bad priorities, dates, deliverable types, dangling dependencies and empty roadmaps", () => {
    const good = knownRoadmap();
    const ok = (patch: (m: RoadmapAnalysis["milestones"][number]) => object) =>
      stage13.analysisSchema.safeParse({ ...good, milestones: good.milestones.map((m, i) => (i ? m : patch(m))) })
        .success;
    expect(ok((m) => m)).toBe(true);
    expect(ok((m) => ({ ...m, priority: "soon" }))).toBe(false);
    expect(ok((m) => ({ ...m, targetDate: "next spring" }))).toBe(false);
    expect(ok((m) => ({ ...m, targetDate: "2027-02-30" }))).toBe(false);
    expect(ok((m) => ({ ...m, deliverables: [{ name: "Mockups", description: "Figma", type: "design" }] }))).toBe(
      false,
    );
    expect(ok((m) => ({ ...m, dependencies: ["Phase zero"] }))).toBe(false);
    expect(ok((m) => ({ ...m, title: "Launch" }))).toBe(false);
    const { outcomes: _, ...noOutcomes } = good.milestones[0] as RoadmapAnalysis["milestones"][number];
    expect(ok(() => noOutcomes)).toBe(false);
    expect(stage13.analysisSchema.safeParse({ ...good, milestones: [] }).success).toBe(false);
    // An empty now milestone is valid input: judging it is the kill gate's job.
    expect(ok((m) => ({ ...m, deliverables: [], outcomes: [] }))).toBe(true);
  });

  it("simulates without upstream artifacts", () => {
    const ctx = contextFor(sample(3), {});
    const analysis = stage13.simulate(ctx, createRng(8));
    expect(stage13.artifactSchema.safeParse(analysis).success).toBe(true);
  });

  it("copes with missing and oddly shaped upstream artifacts", () => {
    for (const venture of sampleVentures) {
      expectValidOffline(stage13, contextFor(venture, {}));
      expectValidOffline(stage13, oddContext(stage13, venture));
    }
  });

  it("declares the migration's contract and prompts with exactly its artifacts", () => {
    expectContract(stage13);
    const { user } = stage13.prompt(contextAt(stage13, strongest));
    expect(user).toContain("priority (now, next or later)");
    expect(user).toContain("deliverables");
  });
});
