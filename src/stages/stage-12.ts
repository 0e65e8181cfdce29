// Stage 12 — Pipeline Viability, REALITY GATE (spec §8.3): the deals in the
// pipeline and the sales funnel. The Economy Check is derived: total and
// weighted pipeline, average deal size, and how much of Stage 5's year-1
// revenue projection the weighted pipeline covers — the number the reality
// gate reads to judge whether the pipeline supports the financial model.
import { z } from "zod";
import { stagePrompt } from "./prompt.ts";
import { ventureProfile } from "./simulation.ts";
import { asArray, asRecord, asString, round2, yearSeries } from "./stage-10.ts";
import type { Rng, StageContext, StageDefinition } from "./types.ts";

/** Where a deal stands in the sales process. */
export const dealStage = z.enum(["prospecting", "qualified", "proposal", "negotiation", "commit"]);

const analysisObject = z.object({
  deals: z
    .array(
      z.object({
        name: z.string().min(1),
        /** Expected first-year revenue of the deal (a named account, or a cohort of similar self-serve customers). */
        value: z.number().min(0),
        stage: dealStage,
        /** Probability of closing, 0-1. */
        probability: z.number().min(0).max(1),
        /** The name of the funnel stage the deal sits in. */
        mappedFunnelStage: z.string().min(1),
      }),
    )
    .min(3),
  funnel: z.object({
    stages: z
      .array(
        z.object({
          name: z.string().min(1),
          count: z.number().int().min(0),
          /** Estimated share (0-1) of this stage's count that moves on (for the last stage: that becomes a customer). */
          conversionRateEstimate: z.number().min(0).max(1),
        }),
      )
      .min(2),
  }),
});

type PipelineShape = z.infer<typeof analysisObject>;

function pipelineRules(a: PipelineShape, ctx: z.RefinementCtx) {
  const stages = a.funnel.stages.map((s) => s.name);
  if (new Set(stages).size !== stages.length) {
    ctx.addIssue({ code: "custom", path: ["funnel", "stages"], message: "funnel stage names must be unique" });
  }
  a.deals.forEach((d, i) => {
    if (!stages.includes(d.mappedFunnelStage)) {
      ctx.addIssue({
        code: "custom",
        path: ["deals", i, "mappedFunnelStage"],
        message: `mappedFunnelStage "${d.mappedFunnelStage}" names no funnel stage (${stages.join(", ")})`,
      });
    }
  });
}

const analysisSchema = analysisObject.superRefine(pipelineRules);
export type PipelineAnalysis = z.infer<typeof analysisSchema>;

const derivedObject = z.object({
  economyCheck: z.object({
    /** Σ deals[].value. */
    totalPipelineValue: z.number().min(0),
    /** Σ value × probability. */
    weightedPipelineValue: z.number().min(0),
    /** totalPipelineValue / number of deals. */
    averageDealSize: z.number().min(0),
    /** Stage 5 projections.revenue[0]; null when Stage 5 gives no positive year-1 revenue. */
    year1RevenueProjection: z.number().nullable(),
    /** weightedPipelineValue / year1RevenueProjection (1 = the weighted pipeline alone covers year 1); null without a projection. */
    pipelineCoverageOfYear1Revenue: z.number().min(0).nullable(),
  }),
});
export type PipelineDerived = z.infer<typeof derivedObject>;

/** Stage 5's year-1 revenue projection, or null when there is none to compare with. */
export function year1Revenue(ctx: StageContext): number | null {
  const y1 = yearSeries(asRecord(asRecord(ctx.artifacts.financial_model?.content).projections).revenue)[0];
  return y1 !== undefined && y1 > 0 ? y1 : null;
}

export function economyCheck(
  deals: readonly { value: number; probability: number }[],
  year1RevenueProjection: number | null,
): PipelineDerived["economyCheck"] {
  const total = deals.reduce((s, d) => s + d.value, 0);
  const weighted = deals.reduce((s, d) => s + d.value * d.probability, 0);
  return {
    totalPipelineValue: round2(total),
    weightedPipelineValue: round2(weighted),
    averageDealSize: deals.length ? round2(total / deals.length) : 0,
    year1RevenueProjection,
    pipelineCoverageOfYear1Revenue: year1RevenueProjection ? round2(weighted / year1RevenueProjection) : null,
  };
}

// ---------------------------------------------------------------------------
// The offline analyst.

const STAGE_PROBABILITY: Record<z.infer<typeof dealStage>, number> = {
  prospecting: 0.1,
  qualified: 0.25,
  proposal: 0.45,
  negotiation: 0.65,
  commit: 0.85,
};

const FUNNEL = ["Awareness", "Interest", "Consideration", "Decision"] as const;
const STAGE_FUNNEL: Record<z.infer<typeof dealStage>, (typeof FUNNEL)[number]> = {
  prospecting: "Interest",
  qualified: "Consideration",
  proposal: "Consideration",
  negotiation: "Decision",
  commit: "Decision",
};

/**
 * The weighted pipeline as a multiple of year-1 revenue grows with the venture's
 * strength: strong ventures cover their projection (≥ 1), middling ones part of
 * it, weak ones well under half.
 */
export function simulatedCoverage(strength: number, noise: number): number {
  return Math.max(0.05, round2(strength * 2.2 - 0.25 + noise));
}

function simulate(ctx: StageContext, rng: Rng): PipelineAnalysis {
  const v = ctx.venture;
  const p = ventureProfile(v);
  const gtm = asRecord(ctx.artifacts.gtm_strategy?.content);
  const tiers = asArray(gtm.customerTiers).map(asRecord);
  const channels = asArray(gtm.channels).map(asRecord);
  const revenue = year1Revenue(ctx) ?? 100_000 + Math.round(p.market * 400_000);
  const target = revenue * simulatedCoverage(p.strength, rng.float(-0.1, 0.1));

  const count = rng.int(4, 7);
  const stages = dealStage.options;
  const draft = Array.from({ length: count }, (_, i) => {
    // Weaker ventures' pipelines sit earlier in the process.
    const reach = Math.min(stages.length - 1, Math.floor(rng.next() * (2 + p.strength * 4)));
    const stage = stages[reach] as z.infer<typeof dealStage>;
    const tier = tiers[i % Math.max(tiers.length, 1)];
    const channel = channels[i % Math.max(channels.length, 1)];
    const who = asString(tier?.name, ["Early adopters", "Core customers", "Key accounts"][i % 3] as string);
    const via = asString(channel?.name, "direct outreach");
    return {
      name: `${who} via ${via} #${i + 1}`,
      size: rng.float(0.5, 1.5) * (1 + (i % 3)),
      stage,
      probability: round2(Math.min(0.95, STAGE_PROBABILITY[stage] + rng.float(-0.05, 0.05))),
      mappedFunnelStage: STAGE_FUNNEL[stage],
    };
  });
  // Scale the deal sizes so that the weighted pipeline lands on the target.
  const weightedSize = draft.reduce((s, d) => s + d.size * d.probability, 0);
  const deals = draft.map(({ size, ...d }) => ({
    ...d,
    value: Math.max(100, Math.round((target * size) / weightedSize / 100) * 100),
  }));

  const top = Math.round((5_000 + p.market * 95_000) / 100) * 100;
  const rates = [0.05 + p.strength * 0.1, 0.2 + p.strength * 0.2, 0.25 + p.strength * 0.25, 0.2 + p.strength * 0.4];
  let reached = top;
  const funnel = FUNNEL.map((name, i) => {
    const rate = round2(Math.min(0.95, (rates[i] as number) + rng.float(-0.03, 0.03)));
    const stage = { name, count: Math.round(reached), conversionRateEstimate: rate };
    reached *= rate;
    return stage;
  });
  // Deals sit in the funnel: a stage holds at least the deals mapped to it.
  for (const stage of funnel)
    stage.count = Math.max(stage.count, deals.filter((d) => d.mappedFunnelStage === stage.name).length);
  return { deals, funnel: { stages: funnel } };
}

export const stage12: StageDefinition<PipelineAnalysis, PipelineDerived> = {
  number: 12,
  name: "Pipeline Viability",
  phase: 3,
  gateType: "reality",
  consumes: [5, 10, 11],
  produces: ["sales_pipeline"],
  analysisSchema,
  artifactSchema: analysisObject.extend(derivedObject.shape).superRefine(pipelineRules),
  computeDerived: (analysis, ctx) => ({ economyCheck: economyCheck(analysis.deals, year1Revenue(ctx)) }),
  prompt: (ctx) =>
    stagePrompt(ctx, {
      role: "a sales strategist testing whether the pipeline can carry the financial model",
      task: [
        "List at least 3 deals in the pipeline: name, value (expected first-year revenue; for self-serve models a deal may be a cohort of similar customers), stage (prospecting, qualified, proposal, negotiation or commit), probability (0-1) and mappedFunnelStage (the exact name of one funnel stage).",
        "Describe the funnel: stages in order, each with a name, a count and a conversionRateEstimate (0-1, the share that moves on).",
        "Draw deals from the Stage 11 tiers and channels and size them honestly against the Stage 5 projections; a thin pipeline must look thin.",
        "Do not compute the Economy Check (total and weighted pipeline, average deal size, coverage of Stage 5 year-1 revenue): it is derived and the reality gate reads it.",
      ].join("\n"),
    }),
  simulate,
  qualityScore: (artifact) => {
    const deals = Math.min(artifact.deals.length, 8) * 5;
    const funnel = Math.min(artifact.funnel.stages.length, 5) * 4;
    const stagesUsed = new Set(artifact.deals.map((d) => d.mappedFunnelStage)).size >= 2 ? 10 : 0;
    const compared = artifact.economyCheck.pipelineCoverageOfYear1Revenue === null ? 0 : 10;
    return Math.min(100, 30 + deals + funnel + stagesUsed + compared);
  },
};
