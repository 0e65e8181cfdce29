// Stage 15 — Risk Register (spec §8.4): execution risks of the roadmap and
// the architecture, each with severity, priority, the roadmap phase it
// belongs to, plans and an estimated mitigation cost. budgetCoherence is
// derived: what mitigation costs in total, whether every severe risk is
// funded, and — when the financial model is in view — what share of Stage 5's
// year-1 costs it takes. (Stage 16 comes after this stage and books these
// costs into its phases.)
import { z } from "zod";
import { severity } from "./enums.ts";
import { stagePrompt } from "./prompt.ts";
import { ventureProfile } from "./simulation.ts";
import { asArray, asNumber, asRecord, asString, round2, yearSeries } from "./stage-10.ts";
import type { Rng, StageContext, StageDefinition } from "./types.ts";

export const riskPriority = z.enum(["immediate", "short_term", "long_term"]);
export const coherenceStatus = z.enum(["coherent", "stretched", "over_budget", "unfunded", "unverified"]);

/** Mitigation up to this share of year-1 costs is coherent; up to STRETCHED_SHARE it is stretched. */
export const COHERENT_SHARE = 0.1;
export const STRETCHED_SHARE = 0.25;

const analysisSchema = z.object({
  risks: z
    .array(
      z.object({
        title: z.string().min(1),
        description: z.string().min(1),
        owner: z.string().min(1),
        severity,
        priority: riskPriority,
        /** The roadmap phase the risk belongs to: the Stage 13 horizon (now, next or later). */
        phaseRef: z.string().min(1),
        mitigationPlan: z.string().min(1),
        contingencyPlan: z.string().min(1),
        /** Estimated one-off cost of the mitigation plan; 0 when the risk is accepted. */
        mitigationCost: z.number().min(0),
      }),
    )
    .min(1),
});
export type RiskRegisterAnalysis = z.infer<typeof analysisSchema>;

const money = z.number().min(0);
const derivedSchema = z.object({
  budgetCoherence: z.object({
    totalMitigationCost: money,
    mitigationCostByPriority: z.object({ immediate: money, short_term: money, long_term: money }),
    /** Critical or high risks with no mitigation budget. */
    unfundedSevereRisks: z.number().int().min(0),
    /** Stage 5 projections.costs[0] when the financial model is in the context, else null. */
    year1CostProjection: z.number().nullable(),
    /** totalMitigationCost / year1CostProjection; null without a projection. */
    mitigationShareOfYear1Costs: z.number().min(0).nullable(),
    /**
     * unfunded: a severe risk has no budget; unverified: no cost projection to compare with;
     * else by share: coherent ≤ 10%, stretched ≤ 25%, over_budget above.
     */
    status: coherenceStatus,
  }),
});
export type RiskRegisterDerived = z.infer<typeof derivedSchema>;

/** Stage 5's year-1 costs when the context holds the financial model (the Stage 15 contract does not name it). */
export function year1Costs(ctx: StageContext): number | null {
  const y1 = yearSeries(asRecord(asRecord(ctx.artifacts.financial_model?.content).projections).costs)[0];
  return y1 !== undefined && y1 > 0 ? y1 : null;
}

export function budgetCoherence(
  risks: RiskRegisterAnalysis["risks"],
  year1CostProjection: number | null,
): RiskRegisterDerived["budgetCoherence"] {
  const byPriority = { immediate: 0, short_term: 0, long_term: 0 };
  for (const r of risks) byPriority[r.priority] = round2(byPriority[r.priority] + r.mitigationCost);
  const total = round2(risks.reduce((s, r) => s + r.mitigationCost, 0));
  const unfunded = risks.filter((r) => (r.severity === "critical" || r.severity === "high") && r.mitigationCost === 0);
  const share = year1CostProjection ? round2(total / year1CostProjection) : null;
  const status =
    unfunded.length > 0
      ? "unfunded"
      : share === null
        ? "unverified"
        : share <= COHERENT_SHARE
          ? "coherent"
          : share <= STRETCHED_SHARE
            ? "stretched"
            : "over_budget";
  return {
    totalMitigationCost: total,
    mitigationCostByPriority: byPriority,
    unfundedSevereRisks: unfunded.length,
    year1CostProjection,
    mitigationShareOfYear1Costs: share,
    status,
  };
}

// ---------------------------------------------------------------------------
// The offline analyst.

type Severity = z.infer<typeof severity>;

/** A Stage 6 risk score (probability × consequence, 1-25) → severity. */
export function severityFor(riskScore: number): Severity {
  return riskScore >= 20 ? "critical" : riskScore >= 12 ? "high" : riskScore >= 6 ? "medium" : "low";
}

const PRIORITY_OF_PHASE: Record<string, z.infer<typeof riskPriority>> = {
  now: "immediate",
  next: "short_term",
  later: "long_term",
};
const COST_FACTOR: Record<Severity, number> = { critical: 3, high: 2, medium: 1, low: 0.4 };

function ownerFor(category: string): string {
  const c = category.toLowerCase();
  if (/tech|product|secur|execution|perform/.test(c)) return "CTO";
  if (/market|compet|customer|sales/.test(c)) return "Head of Growth";
  if (/financ|econom|cost/.test(c)) return "CEO (finance)";
  if (/regul|legal|complian/.test(c)) return "Compliance lead";
  return "COO";
}

function simulate(ctx: StageContext, rng: Rng): RiskRegisterAnalysis {
  const v = ctx.venture;
  const p = ventureProfile(v);
  // No cost baseline is in view (Stage 5 is outside the contract): scale by how hard the build is.
  const base = 1_500 + p.difficulty * 6_000;
  const cost = (s: Severity) => Math.round((base * COST_FACTOR[s] * rng.float(0.8, 1.2)) / 500) * 500;
  // Weak ventures see their risks as worse.
  const bump = p.strength < 0.35 ? 4 : p.strength < 0.5 ? 2 : 0;

  const stage6 = asArray(asRecord(ctx.artifacts.risk_matrix?.content).risks)
    .map(asRecord)
    .map((r) => ({
      description: asString(r.description, "An identified venture risk"),
      category: asString(r.category, "operational"),
      score: asNumber(r.riskScore, asNumber(r.probability, 3) * asNumber(r.consequence, 3)),
      mitigation: asString(r.mitigationStrategy, "Reduce likelihood early and monitor"),
    }))
    .sort((a, b) => b.score - a.score)
    .slice(0, 4);
  const fallback = [
    {
      description: "Customers adopt more slowly than planned",
      category: "market",
      score: 12,
      mitigation: "Run paid pilots before scaling",
    },
    {
      description: "The build takes longer than the roadmap allows",
      category: "technical",
      score: 9,
      mitigation: "Cut scope to the core workflow",
    },
  ];
  const sources = stage6.length ? stage6 : fallback;

  const risks: RiskRegisterAnalysis["risks"] = sources.map((r, i) => {
    const sev = severityFor(Math.min(25, r.score + bump));
    const phase = i === 0 ? "now" : i < 3 ? "next" : "later";
    return {
      title: r.description.length > 60 ? `${r.description.slice(0, 57)}...` : r.description,
      description: `${r.description} (Stage 6, ${r.category}, score ${r.score}).`,
      owner: ownerFor(r.category),
      severity: sev,
      priority: PRIORITY_OF_PHASE[phase] ?? "short_term",
      phaseRef: phase,
      mitigationPlan: r.mitigation,
      contingencyPlan: "If the mitigation fails, descope to the core workflow and revisit the plan at the next gate.",
      mitigationCost: cost(sev),
    };
  });

  const milestones = asArray(asRecord(ctx.artifacts.product_roadmap?.content).milestones).map(asRecord);
  const now = milestones.find((m) => m.priority === "now");
  const nowDeliverables = asArray(now?.deliverables).length;
  risks.push({
    title: "Now milestone slips",
    description: now
      ? `"${asString(now.title, "The now milestone")}" (${nowDeliverables} deliverables) is due ${asString(now.targetDate, "soon")}.`
      : "The roadmap has no now milestone to anchor the first sprints.",
    owner: "CTO",
    severity: nowDeliverables === 0 ? "critical" : p.difficulty > 0.6 ? "high" : "medium",
    priority: "immediate",
    phaseRef: "now",
    mitigationPlan: "Weekly scope review against the milestone outcomes; cut before slipping.",
    contingencyPlan: "Move the least valuable deliverable to the next milestone.",
    mitigationCost: cost("medium"),
  });

  const constraints = asArray(asRecord(ctx.artifacts.technical_architecture?.content).constraints).map(asRecord);
  const security = asRecord(asRecord(ctx.artifacts.technical_architecture?.content).security);
  const compliance = asArray(security.complianceRequirements)
    .map((c) => asString(c, ""))
    .filter(Boolean);
  if (compliance.length || constraints.some((c) => c.category === "compliance" || c.category === "security")) {
    risks.push({
      title: "Compliance gap at launch",
      description: `Launch requires ${compliance.length ? compliance.join(", ") : "security and compliance controls"} to be in place.`,
      owner: "Compliance lead",
      severity: compliance.length > 2 ? "high" : "medium",
      priority: "short_term",
      phaseRef: "next",
      mitigationPlan: "Build the controls into the architecture now; external review before launch.",
      contingencyPlan: "Delay general availability; run a closed beta under the stricter regime.",
      mitigationCost: cost(compliance.length > 2 ? "high" : "medium"),
    });
  }

  // A weak venture leaves its worst risk unfunded: it cannot afford the mitigation.
  if (p.strength < 0.35) {
    const worst = risks.find((r) => r.severity === "critical" || r.severity === "high");
    if (worst) {
      worst.mitigationCost = 0;
      worst.mitigationPlan = `Accepted for now: no budget. ${worst.mitigationPlan}`;
    }
  }
  return { risks };
}

export const stage15: StageDefinition<RiskRegisterAnalysis, RiskRegisterDerived> = {
  number: 15,
  name: "Risk Register",
  phase: 4,
  gateType: "none",
  consumes: [6, 13, 14],
  produces: ["risk_register"],
  analysisSchema,
  artifactSchema: analysisSchema.extend(derivedSchema.shape),
  computeDerived: (analysis, ctx) => ({ budgetCoherence: budgetCoherence(analysis.risks, year1Costs(ctx)) }),
  prompt: (ctx) =>
    stagePrompt(ctx, {
      role: "a delivery risk manager building the execution risk register",
      task: [
        "Identify the execution risks of the Stage 13 roadmap and the Stage 14 architecture, starting from the Stage 6 risk matrix.",
        "For each risk: title, description, owner, severity (critical, high, medium or low), priority (immediate, short_term or long_term), phaseRef (the roadmap phase: now, next or later), mitigationPlan, contingencyPlan and mitigationCost (estimated one-off cost of the mitigation; 0 only when the risk is consciously accepted).",
        "Do not compute budget coherence: it is derived from the mitigation costs, and Stage 16 books them into its financial phases.",
      ].join("\n"),
    }),
  simulate,
  qualityScore: (artifact) => {
    const count = Math.min(artifact.risks.length, 6) * 6;
    const phases = new Set(artifact.risks.map((r) => r.phaseRef)).size * 5;
    const funded = artifact.budgetCoherence.unfundedSevereRisks === 0 ? 15 : 0;
    const plans = artifact.risks.every((r) => r.contingencyPlan.length >= 20 && r.mitigationPlan.length >= 20) ? 10 : 0;
    return Math.min(100, 25 + count + phases + funded + plans);
  },
};
