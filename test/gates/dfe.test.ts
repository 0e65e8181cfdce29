// The Decision Filter Engine: each of the six triggers fired and not fired,
// missing preferences escalating conservatively, mitigations, the output and
// recommendation, and the DFE over the offline analyst's whole lifecycle for
// strong and weak ventures with the global defaults.
import { describe, expect, it } from "vitest";
import {
  DEFAULT_GLOBAL_PREFERENCES,
  DFE_PREFERENCE_KEYS,
  type DfeInput,
  type DfeResult,
  evaluateDFE,
} from "../../src/gates/dfe.ts";
import type { GateDecision, GateEvaluation } from "../../src/gates/types.ts";
import { stageDefinition } from "../../src/stages/index.ts";
import { ventureProfile } from "../../src/stages/simulation.ts";
import type { UpstreamArtifact, VentureBrief } from "../../src/stages/types.ts";
import { stageContext, strongest, weakest } from "../stages/fixtures-10-17.ts";
import { ARTIFACT_TYPE, chainThrough, spreadVentures } from "../stages/fixtures-18-25.ts";

const vet: VentureBrief = {
  id: "00000000-0000-4000-8000-00000000d002",
  name: "VetNudge",
  archetype: "saas",
  description: "Vaccination reminders and online booking for independent veterinary clinics.",
  problemStatement: "Clinics lose revenue when pet owners forget boosters.",
  valueProp: "Reminds pet owners of vaccinations and books the visit automatically",
  targetMarket: "Independent veterinary clinics in rural Scotland",
  keyAssumptions: ["Clinics pay 39 GBP a month"],
  successCriteria: ["100 paying clinics in 12 months"],
  moatStrategy: null,
};

const defaults = (): Record<string, string> => ({ ...DEFAULT_GLOBAL_PREFERENCES });
const without = (key: string): Record<string, string> => {
  const prefs = defaults();
  delete prefs[key];
  return prefs;
};

function dfe(stage: number, artifact: Record<string, unknown>, over: Partial<DfeInput> = {}): DfeResult {
  return evaluateDFE({
    stage,
    artifact,
    upstream: {},
    venture: vet,
    gate: null,
    preferences: defaults(),
    knownPatterns: [],
    ...over,
  });
}

const types = (r: DfeResult) => r.triggers.map((t) => t.type);
const up = (stage: number, type: string, content: Record<string, unknown>): Record<string, UpstreamArtifact> => ({
  [type]: { stage, type, version: 1, content, qualityScore: null },
});
const decision = (d: string): GateDecision => ({ decision: d, rationale: "test", checks: [], inputs: {} });
const gate = (d: string): GateEvaluation => ({ gate: decision(d), reality: null });

/** Stage 5 with year-1 costs of `monthly` × 12. */
const stage5 = (monthly: number) => ({ projections: { costs: [monthly * 12, monthly * 20, monthly * 30] } });
const stage14 = (stack: Record<string, unknown>) => ({
  techStack: {
    frontend: "React",
    backend: "Node.js",
    database: "PostgreSQL",
    hosting: "Managed cloud containers",
    languages: ["TypeScript"],
    ...stack,
  },
});

describe("nothing fires", () => {
  it("auto-proceeds a stage that states nothing the triggers read", () => {
    const r = dfe(19, { tasks: [{ name: "Core workflow", status: "done" }] });
    expect(r).toMatchObject({ output: "AUTO_PROCEED", triggers: [], mitigations: [], recommendedAction: "proceed" });
    expect(r.patternSignature).toBe("saas:19");
  });

  it("auto-proceeds stages whose numbers are within every threshold", () => {
    expect(dfe(5, stage5(40_000)).output).toBe("AUTO_PROCEED");
    expect(dfe(3, { overallScore: 72 }).output).toBe("AUTO_PROCEED");
    expect(dfe(14, stage14({})).output).toBe("AUTO_PROCEED");
    expect(dfe(25, { ventureDecision: { decision: "continue" }, ventureHealth: { overall: 81 } }).output).toBe(
      "AUTO_PROCEED",
    );
  });
});

describe("cost_threshold: the monthly spend a stage commits", () => {
  it("fires when Stage 5's year-1 costs exceed the threshold a month, with a phasing mitigation", () => {
    const r = dfe(5, stage5(60_000));
    expect(r.triggers).toEqual([expect.objectContaining({ type: "cost_threshold", value: 60_000, threshold: 50_000 })]);
    expect(r.output).toBe("PRESENT_TO_CHAIRMAN_WITH_MITIGATIONS");
    expect(r.mitigations[0]).toMatch(/^Phase the spend: commit up to 50,000 a month now/);
    expect(r.recommendedAction).toBe("proceed");
  });

  it("reads Stage 11's monthly channel budget and Stage 16's peak monthly phase spend", () => {
    const channels = (budget: number) => ({
      channels: [
        { name: "Search ads", channelType: "paid", budget },
        { name: "Content", channelType: "organic", budget: 1_000 },
      ],
    });
    expect(types(dfe(11, channels(60_000)))).toEqual(["cost_threshold"]);
    expect(dfe(11, channels(20_000)).output).toBe("AUTO_PROCEED");
    const phases = (months: number) => ({
      phases: [
        { phaseName: "now", durationMonths: 3, costs: { personnel: 60_000, infrastructure: 15_000 } },
        { phaseName: "next", durationMonths: months, costs: { personnel: 120_000, marketing: 60_000 } },
      ],
    });
    const tight = dfe(16, phases(3)); // next: 180,000 / 3 = 60,000 a month
    expect(tight.triggers[0]).toMatchObject({ type: "cost_threshold", value: 60_000 });
    expect(tight.triggers[0]?.detail).toContain('phase "next"');
    expect(dfe(16, phases(6)).output).toBe("AUTO_PROCEED"); // 30,000 a month at most
  });

  it("does not apply to a stage that states no spend, even with the preference missing", () => {
    expect(dfe(12, { deals: [] }, { preferences: without("cost_threshold") }).output).toBe("AUTO_PROCEED");
  });

  it("uses the venture's own threshold when the caller merged one over the global default", () => {
    const venture = { ...defaults(), cost_threshold: "100000" };
    const r = dfe(5, stage5(80_000), { preferences: venture, preferenceScopes: { cost_threshold: "venture" } });
    expect(r.output).toBe("AUTO_PROCEED");
    expect(r.thresholds.cost_threshold).toEqual({ value: 100_000, raw: "100000", source: "venture" });
    const global = dfe(5, stage5(80_000), { preferenceScopes: { cost_threshold: "global" } });
    expect(types(global)).toEqual(["cost_threshold"]);
    expect(global.thresholds.cost_threshold.source).toBe("global");
  });
});

describe("new_tech_vendor: Stage 14's tech stack against approved_vendors", () => {
  it("fires for choices outside the approved list and names them, with a review mitigation", () => {
    const r = dfe(
      14,
      stage14({ backend: "Kotlin (Spring)", hosting: "Regulated cloud region", languages: ["Kotlin"] }),
    );
    expect(r.triggers).toHaveLength(1);
    expect(r.triggers[0]).toMatchObject({
      type: "new_tech_vendor",
      value: ["Kotlin (Spring)", "Regulated cloud region", "Kotlin"],
    });
    expect(r.output).toBe("PRESENT_TO_CHAIRMAN_WITH_MITIGATIONS");
    expect(r.mitigations[0]).toContain("add them to approved_vendors");
  });

  it("approves a compound choice when every part is approved, and matches names loosely", () => {
    expect(dfe(14, stage14({ backend: "Python (FastAPI)", frontend: "next js" })).output).toBe("AUTO_PROCEED");
    expect(types(dfe(14, stage14({ database: "PostgreSQL + object storage" })))).toEqual(["new_tech_vendor"]);
  });

  it("follows the Chairman's list: added vendors pass, an empty list approves nothing", () => {
    const prefs = { ...defaults(), approved_vendors: `${DEFAULT_GLOBAL_PREFERENCES.approved_vendors}, Kotlin, Spring` };
    expect(dfe(14, stage14({ backend: "Kotlin (Spring)", languages: ["Kotlin"] }), { preferences: prefs }).output).toBe(
      "AUTO_PROCEED",
    );
    const none = dfe(14, stage14({}), { preferences: { ...defaults(), approved_vendors: "" } });
    expect(none.triggers[0]?.value).toEqual([
      "React",
      "Node.js",
      "PostgreSQL",
      "Managed cloud containers",
      "TypeScript",
    ]);
  });
});

describe("strategic_pivot", () => {
  it("fires on a Stage 25 pivot decision and recommends blocking", () => {
    const r = dfe(25, {
      ventureDecision: { decision: "pivot", rationale: "market weakest" },
      ventureHealth: { overall: 61 },
    });
    expect(types(r)).toEqual(["strategic_pivot"]);
    expect(r.triggers[0]?.detail).toContain("Stage 25 decides to pivot: market weakest");
    expect(r.output).toBe("PRESENT_TO_CHAIRMAN");
    expect(r.recommendedAction).toBe("block");
  });

  it("fires when Stage 7 changes the revenue model Stage 5 projected on", () => {
    const s5 = up(5, "financial_model", { assumptions: { pricingModel: "subscription" } });
    const r = dfe(7, { pricingModel: "usage_based" }, { upstream: s5 });
    expect(types(r)).toContain("strategic_pivot");
    expect(r.triggers.find((t) => t.type === "strategic_pivot")?.detail).toContain(
      "revenue model changes from subscription (Stage 5 projections) to usage_based",
    );
    expect(types(dfe(7, { pricingModel: "subscription" }, { upstream: s5 }))).not.toContain("strategic_pivot");
  });

  it("fires when the product or market drifts HIGH from the Stage 1 brief", () => {
    const r = dfe(8, { valuePropositions: [{ text: "Inventory software for the clinic's pharmacy" }] });
    expect(types(r)).toEqual(["strategic_pivot", "constraint_drift"]);
    expect(r.output).toBe("PRESENT_TO_CHAIRMAN");
    expect(r.recommendedAction).toBe("block");
  });
});

describe("low_score: the gate's score against score_threshold", () => {
  it.each([
    [2, { compositeScore: 44 }],
    [3, { overallScore: 41.5 }],
    [
      10,
      {
        decision: { selectedName: "Nudge" },
        ranking: [
          { name: "Other", weightedTotal: 70 },
          { name: "Nudge", weightedTotal: 45 },
        ],
      },
    ],
    [20, { overallPassRate: 40 }],
    [24, { launchOutcome: { criteriaMetRate: 0 } }],
    [25, { ventureHealth: { overall: 38 } }],
  ])("fires at Stage %i below 50", (stage, artifact) => {
    const r = dfe(stage, artifact);
    expect(types(r)).toEqual(["low_score"]);
    expect(r.triggers[0]?.threshold).toBe(50);
    expect(r.output).toBe("PRESENT_TO_CHAIRMAN");
    expect(r.mitigations).toEqual([]);
    expect(r.recommendedAction).toBe("block");
  });

  it("does not fire at or above the threshold, nor at a stage without a score", () => {
    expect(dfe(3, { overallScore: 50 }).output).toBe("AUTO_PROCEED");
    expect(
      dfe(3, { overallScore: 55 }, { preferences: { ...defaults(), score_threshold: "60" } }).triggers[0],
    ).toMatchObject({ type: "low_score", value: 55, threshold: 60 });
    expect(dfe(13, { overallScore: 10 }).output).toBe("AUTO_PROCEED");
  });
});

describe("novel_pattern: the pattern signature against the portfolio's", () => {
  const stage7 = { pricingModel: "usage_based", positioningDecision: { strategy: "premium" } };

  it("signs the stage's key choice", () => {
    expect(dfe(7, stage7).patternSignature).toBe("saas:7:usage_based/premium");
    expect(dfe(14, stage14({})).patternSignature).toBe("saas:14:node-js/managed-cloud-containers");
    expect(dfe(25, { ventureDecision: { decision: "expand" } }).patternSignature).toBe("saas:25:expand");
  });

  it("does not judge novelty in an empty portfolio by default (a first venture is not escalated)", () => {
    const r = dfe(7, stage7, { knownPatterns: [] });
    expect(r.output).toBe("AUTO_PROCEED");
  });

  it("fires when other ventures produced other patterns at the stage, not when they produced this one", () => {
    const r = dfe(7, stage7, { knownPatterns: ["saas:7:subscription/premium", "media:7:freemium/premium"] });
    expect(r.triggers).toEqual([
      expect.objectContaining({ type: "novel_pattern", value: "saas:7:usage_based/premium" }),
    ]);
    expect(r.output).toBe("PRESENT_TO_CHAIRMAN");
    expect(r.recommendedAction).toBe("proceed");
    expect(dfe(7, stage7, { knownPatterns: ["saas:7:usage_based/premium"] }).output).toBe("AUTO_PROCEED");
  });

  it("ignores patterns of other stages and stages without a key choice", () => {
    expect(dfe(7, stage7, { knownPatterns: ["saas:5:subscription"] }).output).toBe("AUTO_PROCEED");
    expect(dfe(19, {}, { knownPatterns: ["media:19"] }).output).toBe("AUTO_PROCEED");
  });

  it("follows novel_pattern_min_portfolio: 0 escalates a portfolio's first patterns, 3 waits for three", () => {
    const first = dfe(7, stage7, { preferences: { ...defaults(), novel_pattern_min_portfolio: "0" } });
    expect(types(first)).toEqual(["novel_pattern"]);
    const patient = dfe(7, stage7, {
      preferences: { ...defaults(), novel_pattern_min_portfolio: "3" },
      knownPatterns: ["saas:7:subscription/premium"],
    });
    expect(patient.output).toBe("AUTO_PROCEED");
  });
});

describe("constraint_drift: drift severity against drift_escalation_severity", () => {
  const tiers = (description: string) => ({ customerTiers: [{ name: "Core", description, persona: "Manager" }] });

  it("fires at MEDIUM drift under the MEDIUM default, with a re-run mitigation", () => {
    const r = dfe(11, tiers("Large hospital clinics in England")); // market MEDIUM
    expect(r.drift.categories.market.severity).toBe("MEDIUM");
    expect(r.triggers).toEqual([
      expect.objectContaining({ type: "constraint_drift", value: "MEDIUM", threshold: "MEDIUM" }),
    ]);
    expect(r.output).toBe("PRESENT_TO_CHAIRMAN_WITH_MITIGATIONS");
    expect(r.mitigations).toEqual([
      "Re-run Stage 11 against the Stage 1 brief (market drifted), or amend the Stage 1 brief if the change is intended.",
    ]);
  });

  it("does not fire below the preference", () => {
    expect(dfe(11, tiers("Veterinary clinics in England")).output).toBe("AUTO_PROCEED"); // LOW
    const high = { ...defaults(), drift_escalation_severity: "high" };
    expect(dfe(11, tiers("Large hospital clinics in England"), { preferences: high }).output).toBe("AUTO_PROCEED");
    const low = { ...defaults(), drift_escalation_severity: "LOW" };
    expect(types(dfe(11, tiers("Veterinary clinics in England"), { preferences: low }))).toEqual(["constraint_drift"]);
  });
});

describe("missing preferences escalate conservatively", () => {
  it.each([
    ["cost_threshold", 5, stage5(10_000)],
    ["score_threshold", 3, { overallScore: 90 }],
    ["approved_vendors", 14, stage14({})],
    ["novel_pattern_min_portfolio", 7, { pricingModel: "subscription" }],
    ["drift_escalation_severity", 11, { customerTiers: [{ description: "Veterinary clinics in England" }] }],
  ] as const)("%s missing → PRESENT_TO_CHAIRMAN naming it", (key, stage, artifact) => {
    const r = dfe(stage, artifact, { preferences: without(key) });
    expect(r.output).toBe("PRESENT_TO_CHAIRMAN");
    expect(r.triggers).toHaveLength(1);
    expect(r.triggers[0]?.missingPreference).toBe(key);
    expect(r.triggers[0]?.detail).toContain(`preference ${key} is missing`);
    expect(r.recommendedAction).toBe("modify_thresholds");
    expect(r.thresholds[key]).toEqual({ value: null, raw: null, source: "missing" });
  });

  it("treats an unreadable value as missing", () => {
    const r = dfe(5, stage5(10_000), { preferences: { ...defaults(), cost_threshold: "lots" } });
    expect(r.output).toBe("PRESENT_TO_CHAIRMAN");
    expect(r.triggers[0]?.detail).toContain('preference cost_threshold is unreadable ("lots")');
    expect(r.thresholds.cost_threshold).toMatchObject({ value: null, raw: "lots", invalid: true });
    expect(dfe(3, { overallScore: 90 }, { preferences: { ...defaults(), score_threshold: "150" } }).output).toBe(
      "PRESENT_TO_CHAIRMAN",
    );
  });

  it("escalates with no preferences at all wherever a trigger has something to compare", () => {
    const r = dfe(5, stage5(10_000), { preferences: {} });
    expect(r.output).toBe("PRESENT_TO_CHAIRMAN");
    expect(dfe(19, {}, { preferences: {} }).output).toBe("AUTO_PROCEED");
  });

  it("reports where each threshold came from", () => {
    const r = dfe(19, {}, { preferenceScopes: { cost_threshold: "venture", score_threshold: "global" } });
    expect(r.thresholds.cost_threshold.source).toBe("venture");
    expect(r.thresholds.score_threshold).toEqual({ value: 50, raw: "50", source: "global" });
    expect(r.thresholds.approved_vendors.source).toBe("unscoped");
    expect(r.thresholds.drift_escalation_severity.value).toBe("MEDIUM");
    expect(r.thresholds.novel_pattern_min_portfolio.value).toBe(1);
  });
});

describe("output, mitigations and recommendation", () => {
  it("presents with mitigations only when every trigger has one", () => {
    const both = dfe(16, {
      phases: [{ phaseName: "now", durationMonths: 1, costs: { personnel: 90_000 } }],
    });
    expect(both.output).toBe("PRESENT_TO_CHAIRMAN_WITH_MITIGATIONS");
    const mixed = dfe(25, {
      ventureDecision: { decision: "pivot" },
      ventureHealth: { overall: 30 },
    });
    expect(types(mixed)).toEqual(["strategic_pivot", "low_score"]);
    expect(mixed.output).toBe("PRESENT_TO_CHAIRMAN");
    const costAndScore = dfe(5, stage5(70_000), { preferences: without("score_threshold") });
    expect(costAndScore.output).toBe("PRESENT_TO_CHAIRMAN_WITH_MITIGATIONS");
    // Stage 5 has no score, so the missing score_threshold is not needed there.
    expect(types(costAndScore)).toEqual(["cost_threshold"]);
  });

  it("keeps the mitigations it has when another trigger needs the Chairman's judgement", () => {
    const r = dfe(5, stage5(70_000), { gate: gate("kill") });
    expect(r.output).toBe("PRESENT_TO_CHAIRMAN_WITH_MITIGATIONS");
    expect(r.recommendedAction).toBe("block"); // the gate stops the venture
    const withMissing = dfe(
      11,
      {
        channels: [{ name: "Ads", channelType: "paid", budget: 80_000 }],
        customerTiers: [{ description: "Veterinary clinics in England" }],
      },
      { preferences: without("drift_escalation_severity") },
    );
    expect(types(withMissing)).toEqual(["cost_threshold", "constraint_drift"]);
    expect(withMissing.output).toBe("PRESENT_TO_CHAIRMAN");
    expect(withMissing.mitigations).toHaveLength(1);
    expect(withMissing.recommendedAction).toBe("modify_thresholds");
  });

  it("is pure: the same input gives the same output and is left unchanged", () => {
    const input: DfeInput = {
      stage: 25,
      artifact: { ventureDecision: { decision: "pivot" }, currentVision: "Dog groomers in London" },
      upstream: {},
      venture: vet,
      gate: gate("continue"),
      preferences: defaults(),
      knownPatterns: ["saas:25:continue"],
    };
    const before = structuredClone(input);
    expect(evaluateDFE(input)).toEqual(evaluateDFE(input));
    expect(input).toEqual(before);
  });

  it("seeds a global default for every preference it reads, each readable", () => {
    expect(Object.keys(DEFAULT_GLOBAL_PREFERENCES).sort()).toEqual(Object.keys(DFE_PREFERENCE_KEYS).sort());
    expect(DEFAULT_GLOBAL_PREFERENCES).toMatchObject({ cost_threshold: "50000", score_threshold: "50" });
    const t = dfe(19, {}).thresholds;
    for (const used of Object.values(t)) expect(used.value).not.toBeNull();
    for (const key of Object.keys(DEFAULT_GLOBAL_PREFERENCES)) expect(key).toMatch(/^[a-z][a-z0-9_]*$/);
  });
});

// ——— The offline analyst's lifecycle with the global defaults ———

/** The DFE at every stage 2-25 of `venture`'s offline run, each with its contract's upstream and the given known patterns. */
function lifecycle(venture: VentureBrief, known: (stage: number) => string[] = () => []): Map<number, DfeResult> {
  const all = chainThrough(venture, 25);
  const out = new Map<number, DfeResult>();
  for (let stage = 2; stage <= 25; stage++) {
    const definition = stageDefinition(stage);
    const artifact = all[ARTIFACT_TYPE[stage] as string];
    if (!definition || !artifact) throw new Error(`no stage ${stage} in the offline chain`);
    out.set(
      stage,
      evaluateDFE({
        stage,
        artifact: artifact.content,
        upstream: stageContext(definition, venture, all).artifacts,
        venture,
        gate: null,
        preferences: defaults(),
        knownPatterns: known(stage),
      }),
    );
  }
  return out;
}

const escalations = (run: Map<number, DfeResult>) => [...run.values()].filter((r) => r.output !== "AUTO_PROCEED");

describe("over the offline analyst's artifacts with DEFAULT_GLOBAL_PREFERENCES", () => {
  it("auto-proceeds (nearly) every stage of the strongest sample venture, as the Phase A scenario expects", () => {
    const run = lifecycle(strongest);
    const escalated = escalations(run).map((r) => `${r.drift.stage}: ${r.triggers.map((t) => t.detail).join("; ")}`);
    expect(escalated.length, escalated.join("\n")).toBeLessThanOrEqual(2);
  });

  it("escalates the weakest sample venture at several stages, its Stage 3 score among them", () => {
    const run = lifecycle(weakest);
    expect(escalations(run).length).toBeGreaterThanOrEqual(3);
    expect(types(run.get(3) as DfeResult)).toContain("low_score");
  });

  it("escalates weak ventures more often than strong ones across the spread", () => {
    const rate = (ventures: VentureBrief[]) =>
      ventures.reduce((s, v) => s + escalations(lifecycle(v)).length, 0) / (ventures.length * 24);
    const strong = spreadVentures.filter((v) => ventureProfile(v).strength >= 0.6);
    const weak = spreadVentures.filter((v) => ventureProfile(v).strength < 0.35);
    expect(strong.length).toBeGreaterThanOrEqual(3);
    expect(weak.length).toBeGreaterThanOrEqual(3);
    const strongRate = rate(strong);
    expect(strongRate).toBeLessThan(0.25); // most stages of strong ventures auto-proceed
    expect(rate(weak)).toBeGreaterThan(strongRate);
    for (const v of weak) expect(escalations(lifecycle(v)).length, v.name).toBeGreaterThan(0);
  });

  it("treats a second venture's different choices as novel once the first venture's patterns are known", () => {
    const first = lifecycle(strongest);
    const known = (stage: number) => [(first.get(stage) as DfeResult).patternSignature];
    const again = lifecycle(strongest, known);
    for (const r of again.values()) expect(types(r)).not.toContain("novel_pattern");
    const other = spreadVentures.find((v) => v.archetype !== strongest.archetype) as VentureBrief;
    const novel = escalations(lifecycle(other, known)).filter((r) => types(r).includes("novel_pattern"));
    expect(novel.length).toBeGreaterThan(0);
  });
});

describe("the phase's token budget in the cost trigger", () => {
  const at = (spent: number, limit: number | null = 100_000) => dfe(2, {}, { budget: { phase: 1, limit, spent } });

  it("fires at 80 % spent with the figures, mitigable", () => {
    const r = at(80_000);
    expect(r.triggers).toEqual([
      {
        type: "cost_threshold",
        detail: "the phase 1 token budget is 80% spent (80,000 of 100,000 tokens; the alert is at 80%)",
        value: 80_000,
        threshold: 100_000,
        budget: { phase: 1, spent: 80_000, limit: 100_000, percent: 80 },
      },
    ]);
    expect(r.output).toBe("PRESENT_TO_CHAIRMAN_WITH_MITIGATIONS");
    expect(r.mitigations[0]).toContain("Raise the phase 1 token budget");
    expect(at(120_000).triggers[0]?.budget?.percent).toBe(120);
  });

  it("does not fire below 80 %, without a phase budget, or without the input", () => {
    expect(at(79_999).triggers).toEqual([]);
    expect(at(50, null).triggers).toEqual([]);
    expect(at(0, 0).triggers).toEqual([]);
    expect(dfe(2, {}).triggers).toEqual([]);
  });
});

describe("the Devil's Advocate's challenge", () => {
  const review = (verdict: "concur" | "challenge", severity: string) => ({
    verdict,
    summary: "The case rests on the analyst's estimates.",
    counterArguments: ["No customer has confirmed the price."],
    risks: [
      { risk: "Churn after the trial.", severity },
      { risk: "A slow bank integration.", severity: "low" },
    ],
    model: "critic-model",
  });

  it("escalates a challenge with a high or critical risk, carrying the arguments, for the Chairman's judgement", () => {
    for (const severity of ["high", "critical"]) {
      const r = dfe(3, {}, { devilsAdvocate: review("challenge", severity) });
      expect(types(r)).toEqual(["devils_advocate_challenge"]);
      expect(r.output).toBe("PRESENT_TO_CHAIRMAN");
      expect(r.triggers[0]).toMatchObject({
        detail: `the Devil's Advocate (critic-model) challenges the Stage 3 case with 1 high-severity risk(s) (${severity}: Churn after the trial.): The case rests on the analyst's estimates.`,
        value: ["No customer has confirmed the price.", "Churn after the trial."],
        devilsAdvocate: {
          summary: "The case rests on the analyst's estimates.",
          counterArguments: ["No customer has confirmed the price."],
          risks: [{ risk: "Churn after the trial.", severity }],
          model: "critic-model",
        },
      });
    }
  });

  it("lets a concurring review or a challenge with only medium and low risks through", () => {
    expect(dfe(3, {}, { devilsAdvocate: review("concur", "critical") }).triggers).toEqual([]);
    expect(dfe(3, {}, { devilsAdvocate: review("challenge", "medium") }).triggers).toEqual([]);
  });
});
