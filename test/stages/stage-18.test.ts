import { describe, expect, it } from "vitest";
import { createRng } from "../../src/llm/rng.ts";
import { layerNames, matchLayer, nowMilestones, sdBridgeOutput, stage18 } from "../../src/stages/stage-18.ts";
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
} from "./fixtures-18-25.ts";

const venture = must(sampleVentures[0]);

const roadmap = {
  roadmapStart: "2030-01-01",
  milestones: [
    {
      title: "Matching MVP",
      description: "First paying firms",
      targetDate: "2030-03-01",
      priority: "now",
      deliverables: [
        { name: "Invoice matcher", description: "Match invoices to payments", type: "feature" },
        { name: "Bank feed connector", description: "Open banking integration", type: "integration" },
        { name: "CI pipeline", description: "Build and deploy on merge", type: "infrastructure" },
        { name: "Audit log", description: "Every match recorded", type: "feature" },
        { name: "Setup guide", description: "How to connect a bank", type: "documentation" },
      ],
      outcomes: ["20 firms reconcile weekly"],
      dependencies: [],
    },
    {
      title: "Scale",
      description: "Later",
      targetDate: "2030-09-01",
      priority: "next",
      deliverables: [{ name: "Multi-entity", description: "Groups", type: "feature" }],
      outcomes: [],
      dependencies: ["Matching MVP"],
    },
  ],
};
const architecture = {
  layers: [
    { name: "presentation", description: "Web app", technologies: ["React"] },
    { name: "api", description: "HTTP API", technologies: ["REST"] },
    { name: "business_logic", description: "Matching engine", technologies: ["TypeScript"] },
    { name: "data", description: "Store", technologies: ["PostgreSQL"] },
    { name: "infrastructure", description: "Cloud", technologies: ["Docker"] },
  ],
  additionalLayers: [{ name: "ledger", description: "Ledger", technologies: ["PostgreSQL"] }],
};
const readiness = (decision: string, conditions: string[] = []) => ({
  buildReadiness: { decision, rationale: "checked", conditions },
});

describe("stage 18 — sprint planning", () => {
  it("the offline plan of every sample venture satisfies the artifact schema once derived", () => {
    for (const v of sampleVentures) {
      const ctx = contextAt(stage18, v);
      const analysis = stage18.simulate(ctx, createRng(1));
      expect(stage18.analysisSchema.safeParse(analysis).success).toBe(true);
      const parsed = stage18.artifactSchema.safeParse(artifactAt(stage18, v));
      expect(parsed.error?.issues ?? []).toEqual([]);
      expect(stage18.qualityScore(must(parsed.data), ctx)).toBeGreaterThanOrEqual(70);
    }
  });

  it("draws items from the Stage 13 now milestones and places them on Stage 14 layers", () => {
    for (const v of sampleVentures) {
      const all = chainThrough(v, 17);
      const now = nowMilestones(must(all.product_roadmap).content).map((m) => m.title);
      const layers = layerNames(must(all.technical_architecture).content);
      const plan = artifactAt(stage18, v) as { sprintItems: { milestoneRef: string; architectureLayer: string }[] };
      for (const item of plan.sprintItems) {
        expect(now).toContain(item.milestoneRef);
        expect(layers).toContain(item.architectureLayer);
      }
    }
  });

  it("plans a narrower sprint under a conditional go and writes the condition into the acceptance criteria", () => {
    const go = constructed(venture, { 13: roadmap, 14: architecture, 17: readiness("go") });
    const conditional = constructed(venture, {
      13: roadmap,
      14: architecture,
      17: readiness("conditional_go", ["Open banking licence confirmed"]),
    });
    const full = stage18.simulate(go, createRng(5));
    const narrow = stage18.simulate(conditional, createRng(5));
    expect(full.sprintItems.map((i) => i.title)).toEqual([
      "Invoice matcher",
      "Bank feed connector",
      "CI pipeline",
      "Audit log",
      "Setup guide",
    ]);
    expect(narrow.sprintItems).toHaveLength(3);
    expect(narrow.sprintItems.every((i) => i.acceptanceCriteria.some((c) => c.includes("Open banking licence")))).toBe(
      true,
    );
    expect(full.sprintItems.map((i) => i.architectureLayer)).toEqual([
      "business_logic",
      "api",
      "infrastructure",
      "business_logic",
      "presentation",
    ]);
  });

  it("derives the SD bridge output: one orchestrator for the sprint, one child per item", () => {
    const ctx = { ...constructed(venture, {}), runNumber: 2 };
    const analysis = {
      sprintGoal: "Ship the matching MVP",
      sprintItems: [
        {
          title: "Invoice matcher",
          description: "Match invoices to payments",
          type: "feature" as const,
          estimatedLoc: 900,
          acceptanceCriteria: ["Matches 95% of invoices", "Audit trail"],
          architectureLayer: "business_logic",
          milestoneRef: "Matching MVP",
        },
        {
          title: "Bank feed connector",
          description: "Open banking integration",
          type: "integration" as const,
          estimatedLoc: 400,
          acceptanceCriteria: ["Pulls transactions nightly"],
          architectureLayer: "api",
          milestoneRef: "Matching MVP",
        },
      ],
    };
    expect(stage18.computeDerived(analysis, ctx)).toEqual({
      sdBridgeOutput: {
        orchestrator: { title: "LedgerLoop — sprint 2", sprintGoal: "Ship the matching MVP" },
        children: [
          {
            title: "Invoice matcher",
            type: "feature",
            estimatedLoc: 900,
            acceptanceCriteria: ["Matches 95% of invoices", "Audit trail"],
            architectureLayer: "business_logic",
          },
          {
            title: "Bank feed connector",
            type: "integration",
            estimatedLoc: 400,
            acceptanceCriteria: ["Pulls transactions nightly"],
            architectureLayer: "api",
          },
        ],
      },
    });
    expect(sdBridgeOutput(analysis, ctx).children).toHaveLength(analysis.sprintItems.length);
  });

  it("matches layers by shared words, then by the item type's usual layer", () => {
    const layers = ["presentation", "api", "business_logic", "data", "infrastructure", "ledger"];
    expect(matchLayer({ name: "Ledger postings", description: "double entry", type: "feature" }, layers)).toBe(
      "ledger",
    );
    expect(matchLayer({ name: "Webhooks", description: "partner callbacks", type: "integration" }, layers)).toBe("api");
    expect(matchLayer({ name: "Backups", description: "nightly", type: "infrastructure" }, layers)).toBe(
      "infrastructure",
    );
    expect(matchLayer({ name: "Anything", description: "at all", type: "feature" }, [])).toBe("business_logic");
  });

  it("rejects a wrong item type, a missing goal, a non-positive estimate, no items and duplicate titles", () => {
    const good = stage18.simulate(contextAt(stage18, venture), createRng(2));
    const item = must(good.sprintItems[0]);
    const bad = [
      { ...good, sprintItems: [{ ...item, type: "chore" }] },
      { sprintItems: good.sprintItems },
      { ...good, sprintItems: [{ ...item, estimatedLoc: 0 }] },
      { ...good, sprintItems: [{ ...item, estimatedLoc: 12.5 }] },
      { ...good, sprintItems: [] },
      { ...good, sprintItems: [item, { ...item }] },
      { ...good, sprintItems: [{ ...item, acceptanceCriteria: [] }] },
    ];
    for (const b of bad) expect(stage18.analysisSchema.safeParse(b).success).toBe(false);
    expect(stage18.analysisSchema.safeParse(good).success).toBe(true);
  });

  it("falls back rather than throws when upstream artifacts are misshapen or missing", () => {
    for (const v of sampleVentures) {
      for (const ctx of [misshapen(contextAt(stage18, v)), bare(contextAt(stage18, v))]) {
        const analysis = stage18.simulate(ctx, createRng(3));
        const parsed = stage18.artifactSchema.safeParse({ ...analysis, ...stage18.computeDerived(analysis, ctx) });
        expect(parsed.success).toBe(true);
      }
    }
  });

  it("declares the contract of the reference data and prompts with exactly its artifacts", () => {
    expectContract(stage18, venture);
    const { user } = stage18.prompt(contextAt(stage18, venture));
    for (const field of ["sprintGoal", "sprintItems", "architectureLayer", "milestoneRef", "acceptanceCriteria"])
      expect(user).toContain(field);
  });
});
