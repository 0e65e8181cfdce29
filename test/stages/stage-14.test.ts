import { describe, expect, it } from "vitest";
import { createRng } from "../../src/llm/rng.ts";
import { type ArchitectureAnalysis, constraintCategoryFor, stage14 } from "../../src/stages/stage-14.ts";
import { upstream } from "../../src/stages/types.ts";
import {
  artifactAt,
  contextAt,
  expectContract,
  expectValidOffline,
  oddContext,
  sample,
  strongest,
  ventureVariants,
} from "./fixtures-10-17.ts";
import { contextFor, sampleVentures } from "./helpers.ts";

function knownArchitecture(): ArchitectureAnalysis {
  const layer = (name: ArchitectureAnalysis["layers"][number]["name"]) => ({
    name,
    description: `${name} layer`,
    technologies: ["TypeScript"],
  });
  return {
    layers: [layer("presentation"), layer("api"), layer("business_logic"), layer("data"), layer("infrastructure")],
    additionalLayers: [{ name: "firmware", description: "Device code", technologies: ["C"] }],
    constraints: [{ description: "EU data residency", impact: "Hosting in the EU only", category: "compliance" }],
    security: { authStrategy: "OIDC", dataClassification: "confidential", complianceRequirements: ["GDPR"] },
    dataEntities: [{ name: "Account", description: "A firm", relationships: ["has many User"], estimatedVolume: "5k" }],
    techStack: {
      frontend: "React",
      backend: "Node.js",
      database: "PostgreSQL",
      hosting: "EU cloud",
      languages: ["TS"],
    },
  };
}

describe("stage 14 — technical architecture", () => {
  it("the offline analysis of every sample venture satisfies the artifact schema", () => {
    for (const venture of [...sampleVentures, ...ventureVariants(6)]) {
      const parsed = stage14.artifactSchema.safeParse(artifactAt(stage14, venture));
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      const architecture = parsed.data as ArchitectureAnalysis;
      expect(architecture.layers.map((l) => l.name)).toEqual([
        "presentation",
        "api",
        "business_logic",
        "data",
        "infrastructure",
      ]);
      expect(stage14.qualityScore(architecture, contextAt(stage14, venture))).toBeLessThanOrEqual(100);
    }
  });

  it("builds on the Stage 13 deliverables and the Stage 6 risks", () => {
    const ctx = contextAt(stage14, strongest);
    const architecture = artifactAt(stage14, strongest) as ArchitectureAnalysis;
    const roadmap = upstream<{
      milestones: { targetDate: string; priority: string; deliverables: { name: string; type: string }[] }[];
    }>(ctx, "product_roadmap");
    const feature = roadmap.milestones.flatMap((m) => m.deliverables).find((d) => d.type === "feature");
    expect(architecture.layers.find((l) => l.name === "presentation")?.description).toContain(feature?.name);
    const now = roadmap.milestones.find((m) => m.priority === "now");
    expect(
      architecture.constraints.some(
        (c) => c.category === "timeline" && c.description.includes(String(now?.targetDate)),
      ),
    ).toBe(true);
    const risks = upstream<{ risks: { description: string; riskScore: number }[] }>(ctx, "risk_matrix").risks;
    const worst = [...risks].sort((a, b) => b.riskScore - a.riskScore)[0];
    expect(architecture.constraints[0]?.description).toContain(worst?.description);
  });

  it("derives nothing and maps Stage 6 risk categories onto constraint categories", () => {
    expect(stage14.computeDerived(knownArchitecture(), contextFor(strongest, {}))).toEqual({});
    expect(constraintCategoryFor("regulatory")).toBe("compliance");
    expect(constraintCategoryFor("Financial")).toBe("budget");
    expect(constraintCategoryFor("technical")).toBe("performance");
    expect(constraintCategoryFor("security")).toBe("security");
    expect(constraintCategoryFor("competitive")).toBe("timeline");
  });

  it("rejects unknown core layers, duplicate layers, bad categories and classifications, no data entities", () => {
    const good = knownArchitecture();
    const ok = (patch: Partial<ArchitectureAnalysis>) =>
      stage14.analysisSchema.safeParse({ ...good, ...patch }).success;
    expect(ok({})).toBe(true);
    expect(
      ok({ layers: [...good.layers, { name: "frontend" as never, description: "UI", technologies: ["x"] }] }),
    ).toBe(false);
    expect(ok({ additionalLayers: [{ name: "api", description: "again", technologies: ["x"] }] })).toBe(false);
    expect(ok({ constraints: [{ description: "cheap", impact: "less", category: "cost" as never }] })).toBe(false);
    expect(ok({ security: { ...good.security, dataClassification: "secret" as never } })).toBe(false);
    expect(ok({ dataEntities: [] })).toBe(false);
    expect(ok({ layers: good.layers.map((l, i) => (i ? l : { ...l, technologies: [] })) })).toBe(false);
  });

  it("simulates without upstream artifacts", () => {
    const ctx = contextFor(sample(1), {});
    expect(stage14.artifactSchema.safeParse(stage14.simulate(ctx, createRng(3))).success).toBe(true);
  });

  it("copes with missing and oddly shaped upstream artifacts", () => {
    for (const venture of sampleVentures) {
      expectValidOffline(stage14, contextFor(venture, {}));
      expectValidOffline(stage14, oddContext(stage14, venture));
    }
  });

  it("declares the migration's contract and prompts with exactly its artifacts", () => {
    expectContract(stage14);
    expect(stage14.prompt(contextAt(stage14, strongest)).user).toContain("dataEntities");
  });
});
