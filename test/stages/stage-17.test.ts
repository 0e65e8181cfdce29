import { describe, expect, it } from "vitest";
import { createRng } from "../../src/llm/rng.ts";
import { assessBlueprint, decideReadiness, type ReadinessAnalysis, stage17 } from "../../src/stages/stage-17.ts";
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

function knownReadiness(): ReadinessAnalysis {
  return {
    readinessItems: [{ name: "Scope", description: "Now milestone defined", status: "partial", priority: "critical" }],
    blockers: [],
    buildReadiness: { decision: "conditional_go", rationale: "Scope needs outcomes", conditions: ["Add outcomes"] },
  };
}

describe("stage 17 — build readiness", () => {
  it("the offline analysis of every sample venture satisfies the artifact schema", () => {
    for (const venture of [...sampleVentures, ...ventureVariants(6)]) {
      const parsed = stage17.artifactSchema.safeParse(artifactAt(stage17, venture));
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      expect(stage17.qualityScore(parsed.data as ReadinessAnalysis, contextAt(stage17, venture))).toBeLessThanOrEqual(
        100,
      );
    }
  });

  it("goes for a strong venture, stops a weak one, and conditions the ones in between", () => {
    const decision = (v: typeof strongest) => (artifactAt(stage17, v) as ReadinessAnalysis).buildReadiness;
    expect(decision(strongest).decision).toBe("go");
    const weak = artifactAt(stage17, weakest) as ReadinessAnalysis;
    expect(weak.buildReadiness.decision).toBe("no_go");
    expect(weak.blockers.some((b) => b.severity === "critical")).toBe(true);
    const all = [...sampleVentures, ...ventureVariants(12)].map(decision);
    expect(new Set(all.map((d) => d.decision))).toEqual(new Set(["go", "conditional_go", "no_go"]));
    for (const d of all.filter((d) => d.decision === "conditional_go")) expect(d.conditions.length).toBeGreaterThan(0);
  });

  it("reads the blueprint: missing now deliverables, unfunded risks and cash running out are critical", () => {
    const ctx = contextFor(strongest, {
      product_roadmap: {
        stage: 13,
        version: 1,
        content: { milestones: [{ title: "MVP", priority: "now", deliverables: [], outcomes: [] }] },
        qualityScore: null,
      },
      technical_architecture: {
        stage: 14,
        version: 1,
        content: {
          layers: ["presentation", "api", "business_logic", "data", "infrastructure"].map((name) => ({ name })),
        },
        qualityScore: null,
      },
      risk_register: {
        stage: 15,
        version: 1,
        content: { risks: [], budgetCoherence: { status: "unfunded" } },
        qualityScore: null,
      },
      financial_projections: {
        stage: 16,
        version: 1,
        content: { cashBalanceEnd: -5, viabilityWarnings: [{ kind: "runway", value: 0 }] },
        qualityScore: null,
      },
    });
    const checks = assessBlueprint(ctx, 0.9);
    const status = Object.fromEntries(checks.map((c) => [c.name, c.status]));
    expect(status).toEqual({
      "Now scope defined": "not_ready",
      "Architecture baselined": "ready",
      "Security and compliance plan": "not_ready",
      "Critical risks covered": "not_ready",
      "Funding runway": "not_ready",
      "Team and environments": "ready",
    });
    const decided = decideReadiness(checks);
    expect(decided.decision).toBe("no_go");
    expect(decided.blockers.map((b) => b.severity)).toEqual(["critical", "high", "critical", "critical"]);
  });

  it("decides go only when every item is ready, conditional_go with a condition per open item", () => {
    const item = (status: "ready" | "partial" | "not_ready", priority: "critical" | "medium") => ({
      name: `${priority} item`,
      description: "d",
      status,
      priority,
      owner: "CTO",
      fix: `fix the ${priority} item`,
    });
    expect(decideReadiness([item("ready", "critical"), item("ready", "medium")]).decision).toBe("go");
    const conditional = decideReadiness([item("partial", "critical"), item("not_ready", "medium")]);
    expect(conditional).toMatchObject({
      decision: "conditional_go",
      conditions: ["fix the critical item", "fix the medium item"],
      blockers: [{ description: "medium item: fix the medium item", owner: "CTO", severity: "medium" }],
    });
    expect(decideReadiness([item("not_ready", "critical")]).decision).toBe("no_go");
  });

  it("derives nothing", () => {
    expect(stage17.computeDerived(knownReadiness(), contextFor(strongest, {}))).toEqual({});
  });

  it("rejects a conditional go without conditions, unknown decisions, statuses and severities", () => {
    const good = knownReadiness();
    const ok = (patch: Partial<ReadinessAnalysis>) => stage17.analysisSchema.safeParse({ ...good, ...patch }).success;
    expect(ok({})).toBe(true);
    expect(ok({ buildReadiness: { ...good.buildReadiness, conditions: [] } })).toBe(false);
    expect(ok({ buildReadiness: { decision: "no_go", rationale: "Cash runs out", conditions: [] } })).toBe(true);
    expect(ok({ buildReadiness: { ...good.buildReadiness, decision: "maybe" as never } })).toBe(false);
    expect(
      ok({
        readinessItems: [
          { ...(good.readinessItems[0] as ReadinessAnalysis["readinessItems"][number]), status: "done" as never },
        ],
      }),
    ).toBe(false);
    expect(ok({ blockers: [{ description: "No CI", owner: "CTO", severity: "urgent" as never }] })).toBe(false);
    const { rationale: _, ...noRationale } = good.buildReadiness;
    expect(ok({ buildReadiness: noRationale as never })).toBe(false);
  });

  it("simulates without upstream artifacts, and then does not go", () => {
    const ctx = contextFor(sample(0), {});
    const analysis = stage17.simulate(ctx, createRng(1));
    expect(stage17.artifactSchema.safeParse(analysis).success).toBe(true);
    expect(analysis.buildReadiness.decision).toBe("no_go");
  });

  it("copes with missing and oddly shaped upstream artifacts", () => {
    for (const venture of sampleVentures) {
      expectValidOffline(stage17, contextFor(venture, {}));
      expectValidOffline(stage17, oddContext(stage17, venture));
    }
  });

  it("declares the migration's contract and prompts with exactly its artifacts", () => {
    expectContract(stage17);
    expect(stage17.prompt(contextAt(stage17, strongest)).user).toContain("conditional_go");
  });
});
