import { describe, expect, it } from "vitest";
import { createRng } from "../../src/llm/rng.ts";
import {
  assumptionsRealityReport,
  assumptionsRealityReportSchema,
  classifyProjection,
  contentWords,
  reportFor,
} from "../../src/stages/assumptions-reality.ts";
import type { ScorecardMetric } from "../../src/stages/stage-24.ts";
import {
  driftCheck,
  growthExperiments,
  optimizationRoadmap,
  recommendDecision,
  scalingPlan,
  stage25,
  type VentureReview,
  type VentureReviewAnalysis,
} from "../../src/stages/stage-25.ts";
import type { VentureBrief } from "../../src/stages/types.ts";
import {
  artifactAt,
  bare,
  constructed,
  contextAt,
  expectContract,
  misshapen,
  must,
  opsCycles,
  sampleVentures,
  spreadVentures,
  tally,
} from "./fixtures-18-25.ts";

// ——— A constructed venture whose numbers we know ———

const known: VentureBrief = {
  id: "00000000-0000-4000-8000-000000000250",
  name: "Reconcilr",
  archetype: "saas",
  description: "Invoice reconciliation assistant for small accounting firms",
  problemStatement: "Small firms lose hours every week matching invoices to payments by hand.",
  valueProp: "Matches every invoice to its payment automatically",
  targetMarket: "EU accounting firms",
  keyAssumptions: [
    "Firms pay for automatic reconciliation", // words → "Paying firms" 90 / 100: met → validated
    "Accountants activate within the first week", // explicit link → "Activation rate (%)" 20 / 40: missed → invalidated
    "Bank feeds are available through open banking", // nothing measures it → inconclusive
    "Churn stays low because switching is painful", // words → "Monthly churn (%)" 4 ≤ 5 × 1.2: met → validated
  ],
  successCriteria: ["100 paying firms in 12 months"],
  moatStrategy: null,
};

const m = (name: string, value: number, target: number, previousValue = value, criterionRef: string | null = null) =>
  ({ name, value, target, previousValue, trendWindowDays: 30, criterionRef }) satisfies ScorecardMetric;

const scorecard = {
  aarrr: {
    acquisition: [m("New signups (30 days)", 150, 200), m("Customer acquisition cost (EUR)", 330, 300)],
    activation: [m("Activation rate (%)", 20, 40)],
    retention: [m("Monthly churn (%)", 4, 5)],
    revenue: [
      m("Paying firms", 90, 100, 80, "paying firms"),
      m("MRR (EUR)", 15_000, 20_000, 14_000),
      m("Gross margin (%)", 76, 80),
    ],
    referral: [m("Referral share of signups (%)", 6, 15)],
  },
  funnels: [
    {
      name: "Visitor to paying",
      steps: [],
      conversionRates: [
        { from: "Visitors", to: "Signups", ratePct: 4 },
        { from: "Signups", to: "Paying", ratePct: 12.5 },
      ],
    },
  ],
  learnings: [],
  launchOutcome: { assessment: "partial", criteriaMetRate: 50, criteria: [] },
};
const financialModel = {
  projections: {
    revenue: [240_000, 600_000, 1_200_000],
    costs: [300_000, 450_000, 700_000],
    breakEvenMonth: 20,
    roi3y: 0.2,
  },
  unitEconomics: { cac: 300, ltv: 2000, ltvCacRatio: 6.67, churnRate: 0.03, paybackMonths: 6, grossMargin: 0.8 },
};
const financialProjections = {
  phases: [
    {
      phaseName: "now",
      durationMonths: 3,
      costs: { personnel: 30_000, infrastructure: 3_000, marketing: 6_000, other: 3_000 },
      revenue: { projected: 0, pricingModel: "subscription" },
    },
    {
      phaseName: "next",
      durationMonths: 6,
      costs: { personnel: 60_000, infrastructure: 9_000, marketing: 24_000, other: 15_000 },
      revenue: { projected: 108_000, pricingModel: "subscription" },
    },
  ],
  startingCash: 200_000,
  pnl: { revenue: 108_000, cogs: 12_000, grossProfit: 96_000, grossMargin: 0.7 },
};
const upstream = {
  5: financialModel,
  16: financialProjections,
  20: { overallPassRate: 96, coveragePct: 72, qualityDecision: { decision: "pass", rationale: "r" } },
  21: { reviewDecision: { decision: "conditional", rationale: "r", conditions: ["x"] }, integrations: [] },
  22: { sprintSummary: { itemsPlanned: 4, itemsCompleted: 3 }, releaseDecision: { decision: "release" } },
  23: { goDecision: "go", launchType: "beta", successCriteria: [] },
  24: scorecard,
};
const knownCtx = constructed(known, upstream, 2, { 5: 1, 16: 2, 24: 2 });
const links = [{ assumption: "Accountants activate within the first week", metrics: ["Activation rate (%)"] }];

const analysisFor = (vision: string, statuses: string[] = ["completed", "in_progress", "planned", "abandoned"]) =>
  ({
    reviewSummary: "A constructed review of a constructed venture.",
    currentVision: vision,
    initiatives: {
      product: statuses.map((status, i) => ({ title: `p${i}`, outcome: "o", status })),
      market: [],
      technical: [],
      financial: [],
      team: [],
    },
    ventureDecision: {
      decision: "continue",
      rationale: "Viable and improving.",
      confidence: "medium",
      keyFactors: ["k"],
    },
    nextSteps: [
      { action: "Fix onboarding", owner: "Product", timeline: "2 weeks", priority: "high", category: "product" },
    ],
    assumptionLinks: links,
  }) as VentureReviewAnalysis;

type Artifact = VentureReview;

describe("stage 25 — venture review", () => {
  it("the offline review of every sample venture satisfies the artifact schema, and its four companions theirs", () => {
    for (const v of sampleVentures) {
      const ctx = contextAt(stage25, v);
      const parsed = stage25.artifactSchema.safeParse(artifactAt(stage25, v));
      expect(parsed.error?.issues ?? []).toEqual([]);
      const secondary = must(stage25.secondaryArtifacts)(must(parsed.data), ctx);
      expect(Object.keys(secondary).sort()).toEqual(stage25.produces.slice(1).sort());
      for (const [type, content] of Object.entries(secondary))
        expect(must(must(stage25.secondarySchemas)[type]).safeParse(content).error?.issues ?? []).toEqual([]);
      expect(stage25.qualityScore(must(parsed.data), ctx)).toBeGreaterThanOrEqual(80);
    }
  });

  it("classifies the constructed venture's assumptions and projections exactly, with the error rate", () => {
    const report = reportFor(knownCtx, links);
    expect(assumptionsRealityReportSchema.safeParse(report).success).toBe(true);
    expect(report.items.map((i) => [i.id, i.classification, i.expected, i.actual, i.variancePct])).toEqual([
      ["S1-A1", "validated", null, null, null],
      ["S1-A2", "invalidated", null, null, null],
      ["S1-A3", "inconclusive", null, null, null],
      ["S1-A4", "validated", null, null, null],
      ["S5-revenue", "invalidated", 20_000, 15_000, -25],
      ["S5-cac", "validated", 300, 330, 10],
      ["S5-churn", "invalidated", 0.03, 0.04, 33.3],
      ["S5-gross-margin", "validated", 0.8, 0.76, -5],
      ["S5-ltv", "inconclusive", 2000, null, null],
      ["S5-payback", "inconclusive", 6, null, null],
      ["S16-revenue", "validated", 18_000, 15_000, -16.7],
      ["S16-gross-margin", "validated", 0.7, 0.76, 8.6],
      ["S16-costs", "inconclusive", 16_666.7, null, null],
    ]);
    expect(report.items.map((i) => i.evidence)).toEqual([
      ["Paying firms"],
      ["Activation rate (%)"],
      [],
      ["Monthly churn (%)"],
      ["MRR (EUR)"],
      ["Customer acquisition cost (EUR)"],
      ["Monthly churn (%)"],
      ["Gross margin (%)"],
      [],
      [],
      ["MRR (EUR)"],
      ["Gross margin (%)"],
      [],
    ]);
    expect(report.summary).toEqual({ validated: 6, invalidated: 3, inconclusive: 4 });
    expect(report.assumptionErrorRate).toBe(0.3333); // 3 / (6 + 3)
    expect(report.opsCycle).toBe(2);
    expect(report.sources).toEqual([
      { stage: 1, artifactType: "idea_brief", version: null },
      { stage: 5, artifactType: "financial_model", version: 1 },
      { stage: 16, artifactType: "financial_projections", version: 2 },
      { stage: 24, artifactType: "launch_scorecard", version: 2 },
    ]);
    expect(report.rules.length).toBeGreaterThanOrEqual(4);
  });

  it("leaves an assumption no word ties to a metric inconclusive unless the review links it", () => {
    const unlinked = reportFor(knownCtx, []);
    expect(unlinked.items[1]).toMatchObject({ id: "S1-A2", classification: "inconclusive", evidence: [] });
    expect(unlinked.assumptionErrorRate).toBe(0.25); // 2 / (6 + 2)
  });

  it("holds a projection within −20 % or above, fails it below, and has no error rate with nothing decidable", () => {
    expect(classifyProjection(10_000, 8_000, false)).toEqual({ classification: "validated", variancePct: -20 });
    expect(classifyProjection(10_000, 7_999, false)).toEqual({ classification: "invalidated", variancePct: -20 });
    expect(classifyProjection(10_000, 13_000, false)).toEqual({ classification: "validated", variancePct: 30 });
    expect(classifyProjection(300, 360, true)).toEqual({ classification: "validated", variancePct: 20 });
    expect(classifyProjection(300, 361, true)).toEqual({ classification: "invalidated", variancePct: 20.3 });
    expect(classifyProjection(null, 5, false).classification).toBe("inconclusive");
    expect(classifyProjection(0, 5, false).classification).toBe("inconclusive");
    const nothing = assumptionsRealityReport({
      keyAssumptions: ["Demand exceeds stall supply"],
      financialModel: undefined,
      financialProjections: undefined,
      scorecard: undefined,
      opsCycle: 1,
    });
    expect(nothing.summary).toEqual({ validated: 0, invalidated: 0, inconclusive: 1 });
    expect(nothing.assumptionErrorRate).toBeNull();
  });

  it("reads words without stop words, units or numbers, and with plurals and -ing forms stemmed", () => {
    expect(contentWords("Firms pay 49 EUR a month for the matching")).toEqual(["firm", "pay", "match"]);
    expect(contentWords("Paying firms over 30 days")).toEqual(["pay", "firm"]);
  });

  it("derives venture health, the financial comparison and the drift check from the constructed venture", () => {
    const vision = "Invoice matching and payment automation for accounting firms";
    const derived = stage25.computeDerived(analysisFor(vision), knownCtx);
    // product = mean(activation 50, retention 100) = 75
    // market = ½·mean(signups 75, CAC 300/330 → 90.9, referral 40) + ½·50 = 59.3
    // technical = 0.4·96 + 0.3·(72/80 → 90) + 0.3·60 = 83.4
    // financial = 0.6·(100 − 16.7) + 0.2·100 (improving) + 0.2·100 (LTV:CAC 6.67 ≥ 3) = 90
    // team = 100·(0.6·3/4 + 0.4·(1 + 0.6 + 0.4 + 0)/4) = 65
    expect(derived.ventureHealth).toEqual({
      product: 75,
      market: 59,
      technical: 83,
      financial: 90,
      team: 65,
      overall: 74,
      band: "viable",
    });
    expect(derived.financialComparison).toMatchObject({
      projectionSource: "Stage 16",
      revenueVariancePct: -16.7,
      financialTrajectory: "improving",
    });
    expect(derived.financialComparison.unitEconomicsAssessment).toContain("LTV:CAC 6.67");
    expect(derived.financialComparison.unitEconomicsAssessment).toContain("Customer acquisition cost 330 vs 300 (+10%");
    // Stage 1 words: invoice, reconciliation, assistant, small, account, firm, matche, payment, automatically.
    expect(derived.driftCheck).toMatchObject({ wordOverlapPct: 56, wordOverlapDrift: false, semanticDrift: "aligned" });
  });

  it("falls back to Stage 5 without a Stage 16 revenue phase, and grades drift by the kept words", () => {
    const noS16 = constructed(known, { ...upstream, 16: { phases: [] } }, 1);
    expect(stage25.computeDerived(analysisFor("x".repeat(20)), noS16).financialComparison).toMatchObject({
      projectionSource: "Stage 5",
      revenueVariancePct: -25,
    });
    expect(driftCheck(known, "Invoice tools for small shops")).toMatchObject({
      wordOverlapPct: 22,
      wordOverlapDrift: true,
      semanticDrift: "moderate_drift",
    });
    expect(driftCheck(known, "A hiring marketplace for freelance bookkeepers")).toMatchObject({
      wordOverlapPct: 0,
      wordOverlapDrift: true,
      semanticDrift: "major_drift",
    });
  });

  it("derives the optimization roadmap, scaling plan and growth experiments from the review and scorecard", () => {
    const analysis = analysisFor("Invoice matching and payment automation for accounting firms");
    const review = { ...analysis, ...stage25.computeDerived(analysis, knownCtx) } as Artifact;
    const secondary = must(stage25.secondaryArtifacts)(review, knownCtx) as Record<string, unknown>;
    for (const [type, content] of Object.entries(secondary))
      expect(must(must(stage25.secondarySchemas)[type]).safeParse(content).success).toBe(true);

    const roadmap = optimizationRoadmap(review, reportFor(knownCtx, links), [], 2);
    expect(roadmap.items.map((i) => [i.source, i.priority])).toEqual([
      ["Stage 25 next step", "high"],
      ["ventureHealth.market", "high"],
      ["Stage 1 S1-A2", "high"],
      ["Stage 5 S5-revenue", "high"],
      ["Stage 5 S5-churn", "high"],
      ["ventureHealth.team", "medium"],
      ["ventureHealth.product", "medium"],
    ]);

    expect(scalingPlan(review, 2)).toMatchObject({ readiness: "prepare", decision: "continue" });
    const expand = { ...review, ventureDecision: { ...review.ventureDecision, decision: "expand" as const } };
    const plan = scalingPlan(expand, 2);
    expect(plan.readiness).toBe("ready");
    expect(plan.items.map((i) => i.area)).toEqual(["market", "team", "product", "technical", "financial"]);
    const sunset = { ...review, ventureDecision: { ...review.ventureDecision, decision: "sunset" as const } };
    expect(scalingPlan(sunset, 2)).toMatchObject({ readiness: "not_ready", items: [] });

    const experiments = (secondary.growth_experiments as { experiments: { metric: string; priority: string }[] })
      .experiments;
    // The five furthest from target (referral 40 %, activation 50 %, signups 75 %, MRR 75 %, paying firms 90 %;
    // CAC at 90.9 % is sixth) and the weakest funnel step, by priority.
    expect(experiments.map((e) => [e.metric, e.priority])).toEqual([
      ["Referral share of signups (%)", "high"],
      ["Activation rate (%)", "medium"],
      ["New signups (30 days)", "medium"],
      ["MRR (EUR)", "medium"],
      ["Visitors → Signups conversion (%)", "medium"],
      ["Paying firms", "low"],
    ]);
    expect(growthExperiments(sunset, [], scorecard, 2).experiments).toEqual([]);
  });

  it("gives different ventures and ops cycles different decisions", () => {
    const decisions = spreadVentures.flatMap((v) =>
      opsCycles(v, 3).map((c) => (c.review as Artifact).ventureDecision.decision),
    );
    const counts = tally(decisions);
    for (const d of ["continue", "pivot", "expand", "sunset"] as const) expect(counts[d]).toBeGreaterThan(0);
    const health = (band: "critical" | "fragile" | "viable" | "strong", market = 60) => ({
      product: 50,
      market,
      technical: 50,
      financial: 50,
      team: 50,
      overall: 50,
      band,
    });
    expect(recommendDecision(health("strong"), "improving", "success", 1, true)).toBe("expand");
    expect(recommendDecision(health("strong"), "flat", "success", 3, true)).toBe("exit");
    expect(recommendDecision(health("critical"), "flat", "failure", 1, true)).toBe("sunset");
    expect(recommendDecision(health("critical"), "flat", "partial", 1, true)).toBe("pivot");
    expect(recommendDecision(health("fragile", 40), "flat", "partial", 1, true)).toBe("pivot");
  });

  it("rejects unknown decisions and statuses, a short summary and no next steps", () => {
    const good = stage25.simulate(contextAt(stage25, must(sampleVentures[3])), createRng(5));
    const bad = [
      { ...good, ventureDecision: { ...good.ventureDecision, decision: "scale" } },
      { ...good, ventureDecision: { ...good.ventureDecision, confidence: 0.8 } },
      { ...good, ventureDecision: { ...good.ventureDecision, keyFactors: [] } },
      { ...good, initiatives: { ...good.initiatives, team: [{ title: "t", outcome: "o", status: "done" }] } },
      { ...good, nextSteps: [] },
      { ...good, nextSteps: [{ ...must(good.nextSteps[0]), category: "legal" }] },
      { ...good, reviewSummary: "Too short." },
      { ...good, currentVision: undefined },
    ];
    for (const b of bad) expect(stage25.analysisSchema.safeParse(b).success).toBe(false);
    expect(stage25.analysisSchema.safeParse(good).success).toBe(true);
  });

  it("falls back rather than throws when upstream artifacts are misshapen or missing", () => {
    for (const v of sampleVentures) {
      for (const ctx of [misshapen(contextAt(stage25, v)), bare(contextAt(stage25, v))]) {
        const analysis = stage25.simulate(ctx, createRng(2));
        const artifact = { ...analysis, ...stage25.computeDerived(analysis, ctx) };
        expect(stage25.artifactSchema.safeParse(artifact).success).toBe(true);
        for (const [type, content] of Object.entries(must(stage25.secondaryArtifacts)(artifact, ctx)))
          expect(must(must(stage25.secondarySchemas)[type]).safeParse(content).success).toBe(true);
      }
    }
  });

  it("declares the contract of the reference data and prompts with exactly its artifacts", () => {
    expectContract(stage25, must(sampleVentures[3]));
    const { user } = stage25.prompt(contextAt(stage25, must(sampleVentures[3]), 2));
    for (const field of [
      "reviewSummary",
      "currentVision",
      "ventureDecision",
      "nextSteps",
      "assumptionLinks",
      "ops cycle 2",
    ])
      expect(user).toContain(field);
  });
});
