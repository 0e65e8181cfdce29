// Stage 2 — Idea Validation (spec §8.1): one multi-persona (MoA) analysis of
// the Stage 1 idea. Six metric pre-scores and evidence packs for Stage 3; it
// makes no gate decision.
import { z } from "zod";
import { stagePrompt } from "./prompt.ts";
import { score, ventureProfile } from "./simulation.ts";
import type { StageContext, StageDefinition } from "./types.ts";

const metric = z.number().int().min(0).max(100);
export const METRICS = [
  "marketFit",
  "customerNeed",
  "momentum",
  "revenuePotential",
  "competitiveBarrier",
  "executionFeasibility",
] as const;
export type MetricName = (typeof METRICS)[number];

const analysisSchema = z.object({
  analysis: z.object({
    strategic: z.string().min(20),
    technical: z.string().min(20),
    tactical: z.string().min(20),
  }),
  metrics: z.object({
    marketFit: metric,
    customerNeed: metric,
    momentum: metric,
    revenuePotential: metric,
    competitiveBarrier: metric,
    executionFeasibility: metric,
  }),
  evidence: z.object({
    market: z.array(z.string().min(1)).min(1),
    customer: z.array(z.string().min(1)).min(1),
    competitive: z.array(z.string().min(1)).min(1),
    execution: z.array(z.string().min(1)).min(1),
  }),
  suggestions: z.array(z.object({ type: z.enum(["immediate", "strategic"]), text: z.string().min(1) })).min(1),
});
export type IdeaValidationAnalysis = z.infer<typeof analysisSchema>;

const derivedSchema = z.object({
  /** Average of the six metrics, one decimal. */
  compositeScore: z.number().min(0).max(100),
});
export type IdeaValidationDerived = z.infer<typeof derivedSchema>;

export function compositeScore(metrics: Record<MetricName, number>): number {
  const total = METRICS.reduce((sum, m) => sum + metrics[m], 0);
  return Math.round((total / METRICS.length) * 10) / 10;
}

function simulate(ctx: StageContext, rng: Parameters<StageDefinition["simulate"]>[1]): IdeaValidationAnalysis {
  const v = ctx.venture;
  const p = ventureProfile(v);
  const assumptions = v.keyAssumptions.length ? v.keyAssumptions : ["demand exists at the intended price"];
  return {
    analysis: {
      strategic: `As a strategist: ${v.name} targets ${v.targetMarket}; the case rests on ${assumptions[0]}. Market pull looks ${p.market > 0.6 ? "strong" : p.market > 0.4 ? "moderate" : "weak"}.`,
      technical: `As an engineer: a ${v.archetype} build of this scope is ${p.difficulty > 0.6 ? "demanding" : "within reach"}; the riskiest part is delivering "${v.valueProp.slice(0, 80)}".`,
      tactical: `As an operator: reach the first customers in ${v.targetMarket} directly; validate "${assumptions[assumptions.length - 1]}" before scaling.`,
    },
    metrics: {
      marketFit: score(p.strength * 0.7 + p.market * 0.3, rng),
      customerNeed: score(p.strength, rng),
      momentum: score(p.market, rng, 12),
      revenuePotential: score(p.strength * 0.5 + p.market * 0.5, rng),
      competitiveBarrier: score(p.moat, rng),
      executionFeasibility: score(1 - p.difficulty * 0.6 + p.strength * 0.1, rng),
    },
    evidence: {
      market: [`Assumption: ${v.targetMarket} is reachable and paying (not yet verified).`],
      customer: [`Problem as stated: ${v.problemStatement}`],
      competitive: [v.moatStrategy ? `Moat as stated: ${v.moatStrategy}` : "No moat stated yet."],
      execution: [`Archetype ${v.archetype}: typical build difficulty ${(p.difficulty * 100).toFixed(0)}/100.`],
    },
    suggestions: [
      {
        type: "immediate",
        text: `Interview five prospects in ${v.targetMarket} about: ${v.problemStatement.slice(0, 80)}`,
      },
      { type: "strategic", text: "Define the metric that would prove the value proposition within 90 days." },
    ],
  };
}

export const stage02: StageDefinition<IdeaValidationAnalysis, IdeaValidationDerived> = {
  number: 2,
  name: "Idea Validation",
  phase: 1,
  gateType: "none",
  consumes: [1],
  produces: ["idea_validation"],
  analysisSchema,
  artifactSchema: analysisSchema.extend(derivedSchema.shape),
  computeDerived: (analysis) => ({ compositeScore: compositeScore(analysis.metrics) }),
  prompt: (ctx) =>
    stagePrompt(ctx, {
      role: "a panel of three venture analysts (a strategist, an engineer and an operator) answering together",
      task: [
        "Validate the idea in one pass, each persona contributing its perspective (analysis.strategic, .technical, .tactical).",
        "Score six metrics as integers 0-100: marketFit, customerNeed, momentum, revenuePotential, competitiveBarrier, executionFeasibility.",
        "Give evidence per domain (market, customer, competitive, execution): what supports each score, marking assumptions as such.",
        "Suggest next steps, each immediate or strategic. Make no go/kill decision: Stage 3 decides.",
      ].join("\n"),
    }),
  simulate,
  qualityScore: (artifact) => {
    const evidence = Object.values(artifact.evidence).flat().length;
    return Math.min(100, 50 + evidence * 5 + artifact.suggestions.length * 5);
  },
};
