// Stage 4 — Competitive Intel (spec §8.1): the competitive landscape built on
// Stage 3's competitor entities, each competitor's pricing model and market
// position, a blue-ocean view when direct competitors are few, and the
// structured handoff Stage 5 prices against.
import { z } from "zod";
import { type Archetype, pricingModel } from "./enums.ts";
import { stagePrompt, withinContract } from "./prompt.ts";
import { ventureProfile } from "./simulation.ts";
import { maybeUpstream, type Rng, type StageContext, type StageDefinition } from "./types.ts";

const CONTRACT = ["idea_brief", "validation_scorecard"] as const;

/** Fewer direct competitors than this requires a blue-ocean analysis (spec §8.1). */
export const MIN_COMPETITORS = 3;

/** What a price is charged per; shared by the pricing stages (4, 5, 7). */
export const pricePeriod = z.enum(["month", "year", "one_time", "transaction"]);
export type PricePeriod = z.infer<typeof pricePeriod>;

/** A price band in one currency (ISO 4217 code) and period. */
export const priceRange = z
  .object({
    low: z.number().min(0),
    high: z.number().min(0),
    currency: z.string().regex(/^[A-Z]{3}$/),
    period: pricePeriod,
  })
  .refine((r) => r.low <= r.high, { error: "priceRange.low must not exceed priceRange.high", path: ["low"] });

const competitor = z.object({
  name: z.string().min(1),
  description: z.string().min(1),
  strengths: z.array(z.string().min(1)).min(1),
  weaknesses: z.array(z.string().min(1)).min(1),
  pricingModel,
  marketPosition: z.string().min(1),
});

const analysisObject = z.object({
  competitors: z.array(competitor),
  /** Required when fewer than three direct competitors exist: where uncontested demand lies. */
  blueOceanAnalysis: z
    .object({
      uncontestedSpace: z.string().min(1),
      eliminate: z.array(z.string().min(1)),
      reduce: z.array(z.string().min(1)),
      raise: z.array(z.string().min(1)),
      create: z.array(z.string().min(1)),
    })
    .optional(),
  stage5Handoff: z.object({
    pricingLandscape: z.object({
      dominantModel: pricingModel,
      observedModels: z.array(pricingModel).min(1),
      priceRange,
      summary: z.string().min(1),
    }),
    competitivePositioning: z.string().min(1),
    marketGaps: z.array(z.string().min(1)).min(1),
  }),
});

const needsBlueOcean = (a: { competitors: unknown[]; blueOceanAnalysis?: unknown }) =>
  a.competitors.length >= MIN_COMPETITORS || a.blueOceanAnalysis !== undefined;
const blueOceanRule = {
  error: `fewer than ${MIN_COMPETITORS} competitors requires a blueOceanAnalysis`,
  path: ["blueOceanAnalysis"],
};

const analysisSchema = analysisObject.refine(needsBlueOcean, blueOceanRule);
export type CompetitiveAnalysis = z.infer<typeof analysisObject>;
/** Stage 4 derives nothing: the landscape is analysis throughout. */
export type CompetitiveDerived = Record<never, never>;

/** The pricing model most competitors use; ties go to the first seen. */
export function dominantModel(models: readonly z.infer<typeof pricingModel>[]): z.infer<typeof pricingModel> {
  const counts = new Map<z.infer<typeof pricingModel>, number>();
  for (const m of models) counts.set(m, (counts.get(m) ?? 0) + 1);
  let best: z.infer<typeof pricingModel> = models[0] ?? "subscription";
  for (const [m, n] of counts) if (n > (counts.get(best) ?? 0)) best = m;
  return best;
}

/** The currency a venture's target market most likely pays in (offline heuristic). */
export function marketCurrency(targetMarket: string): string {
  if (/\b(UK|United Kingdom|British|England|Scotland|Wales|London)\b/i.test(targetMarket)) return "GBP";
  if (/\b(EU|Europe|European|Germany|German|France|French|Spain|Italy|Netherlands|Austria)\b/i.test(targetMarket))
    return "EUR";
  return "USD";
}

/** Typical pricing per archetype: the models seen and a price band per period (offline assumptions). */
const ARCHETYPE_PRICING: Record<
  Archetype,
  { models: z.infer<typeof pricingModel>[]; period: PricePeriod; low: number; high: number }
> = {
  saas: { models: ["subscription", "freemium", "subscription"], period: "month", low: 25, high: 250 },
  marketplace: {
    models: ["marketplace_commission", "marketplace_commission", "subscription"],
    period: "transaction",
    low: 3,
    high: 25,
  },
  deeptech: { models: ["one_time", "hybrid", "subscription"], period: "year", low: 15000, high: 150000 },
  hardware: { models: ["one_time", "one_time", "hybrid"], period: "one_time", low: 2500, high: 40000 },
  services: { models: ["usage_based", "one_time", "subscription"], period: "month", low: 400, high: 4000 },
  media: { models: ["freemium", "subscription", "freemium"], period: "month", low: 4, high: 25 },
  fintech: { models: ["subscription", "usage_based", "freemium"], period: "month", low: 15, high: 150 },
};

interface Stage3Entity {
  name?: unknown;
  positioning?: unknown;
  threatLevel?: unknown;
}

function stage3Entities(ctx: StageContext): { name: string; positioning: string; threatLevel: string }[] {
  const scorecard = maybeUpstream<{ competitorEntities?: unknown }>(ctx, "validation_scorecard");
  const list = Array.isArray(scorecard?.competitorEntities) ? (scorecard.competitorEntities as Stage3Entity[]) : [];
  return list
    .filter((e) => e && typeof e.name === "string" && e.name.length > 0)
    .map((e) => ({
      name: e.name as string,
      positioning: typeof e.positioning === "string" && e.positioning ? e.positioning : "position not stated",
      threatLevel: typeof e.threatLevel === "string" ? e.threatLevel : "medium",
    }));
}

function simulate(ctx: StageContext, rng: Rng): CompetitiveAnalysis {
  const v = ctx.venture;
  const p = ventureProfile(v);
  const pricing = ARCHETYPE_PRICING[v.archetype];
  const currency = marketCurrency(v.targetMarket);
  const entities = stage3Entities(ctx);
  const named = entities.length
    ? entities
    : [{ name: "Status quo: doing it by hand", positioning: "what buyers do today", threatLevel: "high" }];
  const competitors = named.map((e, i) => {
    const model = pricing.models[i % pricing.models.length] ?? "subscription";
    return {
      name: e.name,
      description: `${e.name}: ${e.positioning}. Category-level view from the Stage 3 entity, not a market survey.`,
      strengths: [
        e.threatLevel === "high" ? "Already in use by most of the target market" : "Established with some buyers",
        i === 0 ? "No switching cost for the buyer" : "Brand and distribution the venture lacks",
      ],
      weaknesses: [
        `Does not address: ${v.problemStatement.slice(0, 80)}`,
        i === 0 ? "Slow and error-prone" : "Not built for the needs of this segment",
      ],
      pricingModel: model,
      marketPosition: `${e.threatLevel === "high" ? "Leader" : e.threatLevel === "low" ? "Niche player" : "Challenger"} for ${v.targetMarket}`,
    };
  });
  const observedModels = [...new Set(competitors.map((c) => c.pricingModel))];
  const spread = rng.float(0.85, 1.15);
  const low = Math.round(pricing.low * spread);
  const high = Math.round(pricing.high * spread);
  const gaps = [
    `No offer is built around this promise: ${v.valueProp.slice(0, 90).replace(/[.\s]+$/, "")}`,
    ...(p.moat > 0.5 && v.moatStrategy ? [`A defensible position through ${v.moatStrategy.slice(0, 80)}`] : []),
    ...(p.market > 0.5 ? [`Underserved demand in ${v.targetMarket}`] : []),
  ];
  const blueOcean =
    competitors.length < MIN_COMPETITORS
      ? {
          blueOceanAnalysis: {
            uncontestedSpace: `Few direct competitors serve ${v.targetMarket}; the contest is with the status quo.`,
            eliminate: ["Manual steps the buyer repeats every week"],
            reduce: ["Time to first value"],
            raise: ["Fit to the segment's specific workflow"],
            create: [v.valueProp.slice(0, 90).replace(/[.\s]+$/, "")],
          },
        }
      : {};
  return {
    competitors,
    ...blueOcean,
    stage5Handoff: {
      pricingLandscape: {
        dominantModel: dominantModel(competitors.map((c) => c.pricingModel)),
        observedModels,
        priceRange: { low, high, currency, period: pricing.period },
        summary: `Assumed ${v.archetype} price band ${low}-${high} ${currency} per ${pricing.period.replace("_", " ")}; typical for the category, to be verified with competitor price pages.`,
      },
      competitivePositioning:
        p.moat > 0.55
          ? `Differentiate on ${v.moatStrategy ?? "segment focus"} and price at or above the band.`
          : "Win on focus and ease of adoption; price within the band, since little protects a premium.",
      marketGaps: gaps,
    },
  };
}

export const stage04: StageDefinition<CompetitiveAnalysis, CompetitiveDerived> = {
  number: 4,
  name: "Competitive Intel",
  phase: 1,
  gateType: "none",
  consumes: [1, 3],
  produces: ["competitive_analysis"],
  analysisSchema,
  artifactSchema: analysisObject.refine(needsBlueOcean, blueOceanRule),
  computeDerived: () => ({}),
  prompt: (ctx) => {
    const entities = stage3Entities(ctx);
    return stagePrompt(withinContract(ctx, CONTRACT), {
      role: "a competitive-intelligence analyst mapping the venture's landscape",
      task: [
        `Expand Stage 3's competitor entities${entities.length ? ` (${entities.map((e) => e.name).join("; ")})` : ""} into competitors: name, description, strengths[], weaknesses[], pricingModel (${pricingModel.options.join("|")}), marketPosition.`,
        `List at least ${MIN_COMPETITORS} competitors, including the status quo; if fewer direct competitors exist, add blueOceanAnalysis (uncontestedSpace, eliminate/reduce/raise/create).`,
        "Write stage5Handoff for the profitability model: pricingLandscape (dominantModel, observedModels, priceRange {low, high, currency, period month|year|one_time|transaction}, summary), competitivePositioning, marketGaps[].",
      ].join("\n"),
      rules: ["Prices you cannot source are estimates: say so in the summary."],
    });
  },
  simulate,
  qualityScore: (artifact) => {
    const withDetail = artifact.competitors.filter((c) => c.strengths.length >= 2 && c.weaknesses.length >= 2).length;
    return Math.round(
      Math.min(
        100,
        30 +
          Math.min(artifact.competitors.length, 5) * 8 +
          withDetail * 4 +
          Math.min(artifact.stage5Handoff.marketGaps.length, 3) * 5,
      ),
    );
  },
};
