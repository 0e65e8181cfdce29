// Upstream artifacts for the Stage 10-17 tests. Stages 2-9 come from their
// stage modules where those exist (simulate + computeDerived, seeded by the
// prompt like the engine) and otherwise from hand-made fixtures that follow
// the cross-stage field list; Stages 10-16 come from this range's own modules.
// Every context holds exactly the artifacts the stage's contract names.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { createRng, seedFrom } from "../../src/llm/rng.ts";
import type { Archetype } from "../../src/stages/enums.ts";
import { score, ventureProfile } from "../../src/stages/simulation.ts";
import { stage02 } from "../../src/stages/stage-02.ts";
import { stage10 } from "../../src/stages/stage-10.ts";
import { stage11 } from "../../src/stages/stage-11.ts";
import { stage12 } from "../../src/stages/stage-12.ts";
import { stage13 } from "../../src/stages/stage-13.ts";
import { stage14 } from "../../src/stages/stage-14.ts";
import { stage15 } from "../../src/stages/stage-15.ts";
import { stage16 } from "../../src/stages/stage-16.ts";
import { stage17 } from "../../src/stages/stage-17.ts";
import type { StageContext, StageDefinition, UpstreamArtifact, VentureBrief } from "../../src/stages/types.ts";
import { sampleVentures } from "./helpers.ts";

// biome-ignore lint/suspicious/noExplicitAny: a chain of stages with different analysis types
type AnyStage = StageDefinition<any, any>;
export type Artifacts = Record<string, UpstreamArtifact>;
type Content = Record<string, unknown>;

/** Artifact type by stage number (lifecycle_stage_config.produces, primary artifact). */
export const ARTIFACT_TYPE: Record<number, string> = {
  1: "idea_brief",
  2: "idea_validation",
  3: "validation_scorecard",
  4: "competitive_analysis",
  5: "financial_model",
  6: "risk_matrix",
  7: "pricing_model",
  8: "business_model_canvas",
  9: "exit_strategy",
  10: "brand_package",
  11: "gtm_strategy",
  12: "sales_pipeline",
  13: "product_roadmap",
  14: "technical_architecture",
  15: "risk_register",
  16: "financial_projections",
  17: "build_readiness",
};

export const ownStages: AnyStage[] = [stage10, stage11, stage12, stage13, stage14, stage15, stage16, stage17];

// --- Stages 3-9: the sibling modules when they exist, else hand-made fixtures ---------------------

async function siblingStage(n: number): Promise<AnyStage | undefined> {
  const url = new URL(`../../src/stages/stage-${String(n).padStart(2, "0")}.ts`, import.meta.url);
  if (!existsSync(fileURLToPath(url))) return undefined;
  try {
    const mod = (await import(url.href)) as Record<string, unknown>;
    const stage = mod[`stage${String(n).padStart(2, "0")}`] as AnyStage | undefined;
    return stage && typeof stage.simulate === "function" ? stage : undefined;
  } catch {
    return undefined;
  }
}

const siblings = new Map<number, AnyStage>();
for (let n = 3; n <= 9; n++) {
  const stage = await siblingStage(n);
  if (stage) siblings.set(n, stage);
}
/** Which of Stages 3-9 came from their modules (the rest are hand-made). */
export const siblingStages = [...siblings.keys()];

const METRICS = [
  "marketFit",
  "customerNeed",
  "momentum",
  "revenuePotential",
  "competitiveBarrier",
  "executionFeasibility",
] as const;

const PRICING: Record<Archetype, string> = {
  saas: "subscription",
  marketplace: "marketplace_commission",
  deeptech: "usage_based",
  hardware: "one_time",
  services: "hybrid",
  media: "freemium",
  fintech: "usage_based",
};

/** A hand-made Stage N artifact (3-9) following the cross-stage field list, varied by the venture's profile. */
export function handMade(n: number, v: VentureBrief, all: Artifacts): Content {
  const p = ventureProfile(v);
  const rng = createRng(seedFrom(`fixture ${n} ${v.name}`));
  const stage2 = all.idea_validation?.content as { metrics?: Record<string, number> } | undefined;
  switch (n) {
    case 3: {
      const metrics = Object.fromEntries(METRICS.map((m) => [m, stage2?.metrics?.[m] ?? score(p.strength, rng)]));
      const values = Object.values(metrics);
      const avg = Math.round((values.reduce((s, x) => s + x, 0) / values.length) * 10) / 10;
      return {
        metrics,
        overallScore: avg,
        rollups: { market: avg, technical: metrics.executionFeasibility, financial: metrics.revenuePotential },
        competitorEntities: [
          { name: "Incumbent Suite", positioning: "all-in-one for large customers", threatLevel: "high" },
          { name: "Spreadsheet habit", positioning: "free and familiar", threatLevel: "medium" },
          { name: "Niche Startup", positioning: "same problem, different segment", threatLevel: "low" },
        ],
        confidenceScores: Object.fromEntries(METRICS.map((m) => [m, 0.6])),
      };
    }
    case 4:
      return {
        competitors: ["Incumbent Suite", "Spreadsheet habit", "Niche Startup"].map((name, i) => ({
          name,
          description: `${name} serves part of ${v.targetMarket}`,
          strengths: ["Known brand"],
          weaknesses: ["Slow to change"],
          pricingModel: ["subscription", "freemium", "usage_based"][i],
          marketPosition: ["leader", "default", "challenger"][i],
        })),
        stage5Handoff: {
          pricingLandscape: "Subscriptions between 20 and 200 a month",
          competitivePositioning: "Focused alternative to the incumbent",
          marketGaps: ["Small customers are underserved"],
        },
      };
    case 5: {
      const y1 = Math.round((80_000 + p.market * 400_000 + p.strength * 200_000) / 1_000) * 1_000;
      const revenue = [
        y1,
        Math.round(y1 * (1.8 + p.strength)),
        Math.round(y1 * (1.8 + p.strength) * (1.5 + p.strength / 2)),
      ];
      const costs = [
        Math.round(y1 * (1.9 - p.strength * 0.8)),
        Math.round((revenue[1] as number) * (1.2 - p.strength * 0.4)),
        Math.round((revenue[2] as number) * (0.95 - p.strength * 0.3)),
      ];
      const cac = Math.round(100 + (1 - p.strength) * 300);
      const ltv = Math.round(cac * (1.5 + p.strength * 4));
      return {
        projections: {
          revenue,
          costs,
          breakEvenMonth: p.strength > 0.5 ? 18 : p.strength > 0.35 ? 23 : null,
          roi3y: Math.round((p.strength - 0.2) * 100) / 100,
        },
        unitEconomics: {
          cac,
          ltv,
          ltvCacRatio: Math.round((ltv / cac) * 100) / 100,
          churnRate: 0.03,
          paybackMonths: Math.round(24 - p.strength * 16),
          grossMargin: Math.round((0.6 + p.strength * 0.2) * 100) / 100,
        },
        scenarioAnalysis: { pessimisticMultiplier: 0.7, optimisticMultiplier: 1.3, robustness: "moderate" },
        assumptions: { pricePerMonth: 49 },
        stage4Context: {},
        remediationRoute: "stage-4",
      };
    }
    case 6: {
      const risks = [
        { description: "Customers adopt slower than planned", category: "market", probability: 3, consequence: 4 },
        {
          description: "Key integration is harder than expected",
          category: "technical",
          probability: 2,
          consequence: 4,
        },
        { description: "Cash runs short before break-even", category: "financial", probability: 3, consequence: 5 },
        { description: "A regulator restricts the model", category: "regulatory", probability: 2, consequence: 3 },
      ].map((r) => ({
        ...r,
        probability: Math.min(5, r.probability + (p.strength < 0.4 ? 1 : 0)),
        source: "stage5",
        mitigationStrategy: "Test early with paying pilots",
      }));
      const scored = risks.map((r) => ({ ...r, riskScore: r.probability * r.consequence }));
      const s = scored.map((r) => r.riskScore);
      return {
        risks: scored,
        averageRiskScore: s.reduce((a, b) => a + b, 0) / s.length,
        maxRiskScore: Math.max(...s),
        highRiskCount: s.filter((x) => x >= 15).length,
      };
    }
    case 7:
      return {
        pricingModel: PRICING[v.archetype],
        primaryValueMetric: "active account",
        priceAnchor: { amount: 49, currency: "EUR", period: "month" },
        competitiveContext: { position: "below the incumbent" },
        positioningDecision: {
          strategy: "focused value alternative",
          rationale: "Undercut the incumbent on simplicity",
        },
        revenueStreams: [{ name: "Subscriptions", type: "recurring" }],
        pricingTiers: [{ name: "Starter", price: 29 }],
      };
    case 8: {
      const block = (text: string) => [{ text, priority: "high", evidence: "Stage 1" }];
      return {
        keyPartners: block("Integration partners"),
        keyActivities: block("Product development"),
        keyResources: block("Engineering team"),
        valuePropositions: block(v.valueProp),
        customerRelationships: block("Self-serve with support"),
        channels: block("Direct online"),
        customerSegments: block(v.targetMarket),
        costStructure: block("Salaries and hosting"),
        revenueStreams: block("Subscriptions"),
        crossBlockWarnings: [],
      };
    }
    case 9:
      return {
        exitThesis: `${v.name} becomes the default tool for ${v.targetMarket}`,
        exitHorizonMonths: 60,
        exitPaths: [{ type: "acquisition", description: "Strategic sale", probabilityPct: 60 }],
        targetAcquirers: [
          { name: "Incumbent Suite", rationale: "Fills a gap", fitScore: 4, buyerType: "strategic" },
          { name: "Growth Fund", rationale: "Recurring revenue", fitScore: 3, buyerType: "financial" },
          { name: "Niche Startup", rationale: "Consolidation", fitScore: 2, buyerType: "competitor" },
        ],
        milestones: [{ date: "2028-12-31", successCriteria: "1M ARR", category: "financial" }],
        valuationEstimate: {
          method: "revenue_multiple",
          revenueBase: 1_000_000,
          multipleLow: 2,
          multipleBase: 4,
          multipleHigh: 6,
          estimatedRange: { low: 2_000_000, base: 4_000_000, high: 6_000_000 },
        },
      };
    default:
      throw new Error(`no hand-made fixture for stage ${n}`);
  }
}

// --- Contexts and the chain -----------------------------------------------------------------------

export function ideaBrief(venture: VentureBrief): UpstreamArtifact {
  const { id: _, ...content } = venture;
  return { stage: 1, type: "idea_brief", version: 1, content, qualityScore: null };
}

/** The context a stage sees: the venture and exactly the artifacts its contract names. */
export function stageContext(
  stage: AnyStage,
  venture: VentureBrief,
  all: Artifacts,
  runNumber = 1,
  feedback: string[] = [],
): StageContext {
  const artifacts: Artifacts = {};
  for (const a of Object.values(all)) if (stage.consumes.includes(a.stage)) artifacts[a.type] = a;
  return { venture, artifacts, runNumber, feedback, asOf: "2026-11-01" };
}

/** Runs one stage offline as the engine does: seeded by its prompt, then derived. */
export function runStage(stage: AnyStage, ctx: StageContext): Content {
  const prompt = stage.prompt(ctx);
  const analysis = stage.simulate(ctx, createRng(seedFrom(`${prompt.system}\n${prompt.user}`)));
  return { ...analysis, ...stage.computeDerived(analysis, ctx) };
}

const chains = new Map<string, Artifacts>();

/** Every artifact from Stage 1 up to Stage `through` for `venture`, produced offline (memoised). */
export function artifactsThrough(venture: VentureBrief, through: number): Artifacts {
  const key = JSON.stringify(venture);
  let all = chains.get(key);
  if (!all) {
    all = { idea_brief: ideaBrief(venture) };
    chains.set(key, all);
  }
  for (let n = 2; n <= through; n++) {
    const type = ARTIFACT_TYPE[n] as string;
    if (all[type]) continue;
    const stage = n === 2 ? stage02 : n <= 9 ? siblings.get(n) : ownStages[n - 10];
    let content: Content | undefined;
    if (stage) {
      try {
        const produced = runStage(stage, stageContext(stage, venture, all));
        content = stage.artifactSchema.safeParse(produced).success || n >= 10 ? produced : undefined;
      } catch (error) {
        if (n >= 10) throw error;
      }
    }
    all[type] = { stage: n, type, version: 1, content: content ?? handMade(n, venture, all), qualityScore: null };
  }
  return all;
}

/** The context for one of this range's stages, with offline upstream artifacts for `venture`. */
export function contextAt(
  stage: AnyStage,
  venture: VentureBrief,
  runNumber = 1,
  feedback: string[] = [],
): StageContext {
  return stageContext(stage, venture, artifactsThrough(venture, stage.number - 1), runNumber, feedback);
}

/** A derived artifact of `stage` for `venture`, as the engine would record it. */
export function artifactAt(stage: AnyStage, venture: VentureBrief): Content {
  return runStage(stage, contextAt(stage, venture));
}

const ARCHETYPES: Archetype[] = ["saas", "marketplace", "deeptech", "hardware", "services", "media", "fintech"];

/** `count` ventures varied from the samples (names, archetypes, assumptions, moats), for spread checks. */
export function ventureVariants(count: number): VentureBrief[] {
  return Array.from({ length: count }, (_, i) => {
    const base = sampleVentures[i % sampleVentures.length] as VentureBrief;
    return {
      ...base,
      id: `00000000-0000-4000-8000-${String(2000 + i).padStart(12, "0")}`,
      name: `${base.name} ${String.fromCharCode(65 + (i % 26))}${i}`,
      archetype: ARCHETYPES[(i * 5) % ARCHETYPES.length] as Archetype,
      keyAssumptions: base.keyAssumptions.slice(0, i % 4),
      successCriteria: i % 3 === 0 ? [] : base.successCriteria,
      moatStrategy: i % 2 === 0 ? base.moatStrategy : null,
    };
  });
}

/** The i-th sample venture of helpers.ts. */
export const sample = (i: number): VentureBrief => sampleVentures[i] as VentureBrief;

/** The sample ventures from the weakest to the strongest by profile. */
export const byStrength = [...sampleVentures].sort((a, b) => ventureProfile(a).strength - ventureProfile(b).strength);
export const weakest = byStrength[0] as VentureBrief;
export const strongest = byStrength[byStrength.length - 1] as VentureBrief;

/** A stage's row in lifecycle_stage_config as the reference-data migration seeds it. */
export function migrationContract(n: number): {
  phase: number;
  gateType: string;
  dependsOn: number[];
  requiredArtifacts: string[];
  produces: string[];
} {
  const sql = readFileSync(
    fileURLToPath(new URL("../../db/migrations/1763900000002_lifecycle-reference-data.sql", import.meta.url)),
    "utf8",
  );
  const row = new RegExp(
    `\\(${n}, '[^']*', (\\d), '[^']*', '([^']*)', (?:true|false), (?:true|false), (?:true|false),\\s*'\\{([^}]*)\\}'::int\\[\\], '\\{([^}]*)\\}'::text\\[\\], '\\{([^}]*)\\}'::text\\[\\]`,
  ).exec(sql);
  if (!row) throw new Error(`stage ${n} not found in the reference-data migration`);
  const list = (s: string | undefined) => (s ? s.split(",").filter(Boolean) : []);
  return {
    phase: Number(row[1]),
    gateType: row[2] as string,
    dependsOn: list(row[3]).map(Number),
    requiredArtifacts: list(row[4]),
    produces: list(row[5]),
  };
}

/**
 * The stage module declares the contract the migration seeds, and its prompt
 * (built from a context holding every upstream artifact of the venture) shows
 * exactly the artifacts that contract names.
 */
export function expectContract(stage: AnyStage, venture: VentureBrief = strongest): void {
  const contract = migrationContract(stage.number);
  expect([...stage.consumes]).toEqual(contract.dependsOn);
  expect([...stage.produces]).toEqual(contract.produces);
  expect(stage.phase).toBe(contract.phase);
  expect(stage.gateType).toBe(contract.gateType);
  expect(contract.requiredArtifacts).toEqual(contract.dependsOn.map((n) => ARTIFACT_TYPE[n]));
  const ctx = contextAt(stage, venture);
  expect(Object.keys(ctx.artifacts).sort()).toEqual(
    contract.requiredArtifacts
      .filter((t) => t !== "idea_brief")
      .concat(contract.dependsOn.includes(1) ? ["idea_brief"] : [])
      .sort(),
  );
  const { user } = stage.prompt(ctx);
  for (let n = 2; n < stage.number; n++) {
    const type = ARTIFACT_TYPE[n] as string;
    if (stage.consumes.includes(n)) expect(user).toContain(`### Stage ${n} — ${type} (version`);
    else expect(user).not.toContain(`— ${type} (version`);
  }
  expect(user).toContain(venture.valueProp);
}

/** Upstream content shaped wrongly in every field this range reads: the offline analyst must cope. */
const ODD_CONTENT: Record<string, unknown> = {
  projections: { revenue: "lots", costs: [null, "x"] },
  unitEconomics: "n/a",
  competitorEntities: [null, 3],
  positioningDecision: [1],
  pricingModel: "rental",
  decision: [],
  customerTiers: "three",
  channels: [{}, null],
  deals: {},
  economyCheck: [],
  roadmapStart: "soon",
  milestones: [{ priority: "now", deliverables: "many", targetDate: "March 2027", outcomes: null }, null, 7],
  layers: [null, { name: 5 }],
  constraints: "none",
  security: { complianceRequirements: "GDPR", authStrategy: 1 },
  risks: [null, { riskScore: "high", phaseRef: 3, mitigationCost: "lots", severity: "critical" }, "x"],
  budgetCoherence: 5,
  viabilityWarnings: [null, { kind: "runway", value: "none" }],
  cashBalanceEnd: "negative",
};

/** A context holding every artifact the stage's contract names, each with oddly shaped content. */
export function oddContext(stage: AnyStage, venture: VentureBrief): StageContext {
  const all: Artifacts = { idea_brief: ideaBrief(venture) };
  for (const n of stage.consumes) {
    const type = ARTIFACT_TYPE[n] as string;
    if (n > 1) all[type] = { stage: n, type, version: 1, content: ODD_CONTENT, qualityScore: null };
  }
  return stageContext(stage, venture, all);
}

/** The stage's offline analysis in `ctx`, derived and checked against the artifact schema. */
export function expectValidOffline(stage: AnyStage, ctx: StageContext): Record<string, unknown> {
  const analysis = stage.simulate(ctx, createRng(11));
  expect(stage.analysisSchema.safeParse(analysis).success).toBe(true);
  const artifact = { ...analysis, ...stage.computeDerived(analysis, ctx) };
  const parsed = stage.artifactSchema.safeParse(artifact);
  expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  return artifact;
}
