// The Stage 0 → Stage 1 contract (spec §16 VentureBrief) and what flows into
// it: an entry path's PathOutput, the eight synthesis components' results
// (metadata.synthesis.<component>), the forecast (metadata.synthesis.forecast)
// and the venture score. The Stage 1 fields (name … moatStrategy) are those
// eva_private.fn_apply_decision creates the venture from on approval.
import { z } from "zod";
import { archetype } from "../stages/enums.ts";
import { draftIdeaSchema } from "../stages/stage-01.ts";

export const ORIGIN_TYPES = [
  "manual",
  "competitor_teardown",
  "blueprint_browse",
  "discovery_mode",
  "nursery_reeval",
] as const;
export const originTypeSchema = z.enum(ORIGIN_TYPES);
export type OriginType = z.infer<typeof originTypeSchema>;
export const maturitySchema = z.enum(["ready", "seed", "sprout", "blocked", "nursery"]);
export type Maturity = z.infer<typeof maturitySchema>;

export const EHG_ARCHETYPES = [
  "democratizer",
  "automator",
  "capability_productizer",
  "first_principles_rebuilder",
  "vertical_specialist",
  "portfolio_connector",
] as const;
export const ehgArchetypeSchema = z.enum(EHG_ARCHETYPES);
export type EhgArchetype = z.infer<typeof ehgArchetypeSchema>;

export const MOAT_TYPES = [
  "data_moat",
  "automation_speed",
  "vertical_expertise",
  "network_effects",
  "switching_costs",
] as const;
export const moatTypeSchema = z.enum(MOAT_TYPES);

export const DISCOVERY_STRATEGIES = [
  "trend_scanner",
  "democratization_finder",
  "capability_overhang",
  "nursery_reeval",
] as const;
export const discoveryStrategySchema = z.enum(DISCOVERY_STRATEGIES);
export type DiscoveryStrategy = z.infer<typeof discoveryStrategySchema>;

/** What an entry path hands the synthesis engine: the idea's raw material and where it came from. */
export interface PathOutput {
  origin: OriginType;
  name: string;
  description: string;
  problemStatement: string;
  solution: string;
  targetMarket: string;
  /** The Chairman's own words (or the path's input), kept verbatim in the brief. */
  rawChairmanIntent: string;
  archetypeHint?: z.infer<typeof archetype> | undefined;
  competitorRef: string[];
  blueprintId?: string | undefined;
  discoveryStrategy?: DiscoveryStrategy | undefined;
  discoveryRunId?: string | undefined;
  nurseryId?: string | undefined;
  /** Extra context for the components (a teardown's findings, a blueprint's parameters, a re-evaluation's changes). */
  notes: string[];
  /** Stage 1 fields the path itself proposed (a teardown's venture); they win over the synthesis-derived ones. */
  draft?: { keyAssumptions: string[]; successCriteria: string[]; moatStrategy: string } | undefined;
}

const score = z.number().min(0).max(100);

export const crossReferenceSchema = z.object({
  matches: z
    .array(
      z.object({
        source: z.enum(["nursery", "brief", "retrospective", "pattern", "feedback"]),
        ref: z.string().min(1),
        name: z.string().min(1),
        relevance: score,
        lesson: z.string().min(1),
      }),
    )
    .max(10),
  relevanceScore: score,
  summary: z.string().min(1),
});
export const portfolioEvaluationSchema = z.object({
  dimensions: z
    .array(
      z.object({
        dimension: z.enum(["market_fit", "capability_fit", "portfolio_synergy", "risk_balance", "strategic_alignment"]),
        score,
        rationale: z.string().min(1),
      }),
    )
    .min(1)
    .max(5),
  compositeScore: score,
  portfolioSynergyScore: score,
});
export const problemReframingSchema = z.object({
  reframings: z
    .array(z.object({ framing: z.string().min(10), angle: z.string().min(1), whyBetter: z.string().min(1) }))
    .max(5),
  recommendedProblemStatement: z.string().min(20),
});
export const moatArchitectureSchema = z.object({
  primaryMoat: z.object({
    type: moatTypeSchema,
    rationale: z.string().min(1),
    compoundingMonths: z.number().int().min(1).max(24),
  }),
  secondaryMoats: z
    .array(
      z.object({
        type: moatTypeSchema,
        rationale: z.string().min(1),
        compoundingMonths: z.number().int().min(1).max(24),
      }),
    )
    .max(4),
  portfolioSynergy: z.string().min(1),
  moatScore: score,
});
export const constraintResultSchema = z.enum(["pass", "review", "fail"]);
export const chairmanConstraintsSchema = z.object({
  checks: z
    .array(
      z.object({
        constraint: z.string().min(1),
        result: constraintResultSchema,
        detail: z.string().min(1),
        /** measured: checked by EVA's own numbers; judgement: the analyst's reading. */
        basis: z.enum(["measured", "judgement"]),
      }),
    )
    .min(1),
  verdict: constraintResultSchema,
});
export const timeHorizonSchema = z.object({
  position: z.enum(["build_now", "build_soon", "park_and_build_later"]),
  rationale: z.string().min(1),
  marketTimingScore: score,
  windowMonths: z.number().int().min(0).max(120),
});
export const archetypesSchema = z.object({
  primary: ehgArchetypeSchema,
  primaryConfidence: z.number().min(0).max(1),
  secondary: z.array(z.object({ archetype: ehgArchetypeSchema, fit: z.number().min(0).max(1) })).max(5),
  ventureArchetype: archetype,
  rationale: z.string().min(1),
});
export const buildCostSchema = z.object({
  complexity: z.enum(["simple", "moderate", "complex"]),
  months: z.number().int().min(1).max(60),
  estimatedCostUsd: z.number().min(0),
  teamRoles: z.array(z.string().min(1)).max(10),
  drivers: z.array(z.string().min(1)).max(10),
});

/** Each component with its score 0-100 (what the evaluation profile weighs). */
const componentScore = { componentScore: score };

const scenario = z.object({ optimistic: z.number(), realistic: z.number(), pessimistic: z.number() });
export const forecastSchema = z.object({
  marketSizing: z.object({
    tamUsd: z.number().min(0),
    samUsd: z.number().min(0),
    somUsd: z.number().min(0),
    rationale: z.string().min(1),
  }),
  revenue: z.object({ year1: scenario, year2: scenario, year3: scenario }),
  unitEconomics: z.object({ cacUsd: scenario, ltvUsd: scenario, ltvToCac: scenario, paybackMonths: scenario }),
  growth: z.object({
    usersMonth3: z.number().int().min(0),
    usersMonth6: z.number().int().min(0),
    usersMonth12: z.number().int().min(0),
    model: z.enum(["linear", "exponential", "s_curve", "step"]),
  }),
  breakEven: z.object({
    /** null: does not break even within the forecast (realistic scenario). */
    months: z.object({
      optimistic: z.number().nullable(),
      realistic: z.number().nullable(),
      pessimistic: z.number().nullable(),
    }),
    burnAtLaunchUsd: z.number().min(0),
    burnAtScaleUsd: z.number().min(0),
  }),
  /** The computed venture score and its parts (src/ideation/forecast.ts), never the model's number. */
  ventureScore: z.object({
    score: z.number().int().min(0).max(100),
    parts: z.object({ revenue: score, ltvToCac: score, breakEvenSpeed: score, forecastConfidence: score }),
    basis: z.literal("computed"),
  }),
});
export type Forecast = z.infer<typeof forecastSchema>;

export const synthesisSchema = z.object({
  cross_reference: crossReferenceSchema.extend({ componentScore: score.nullable() }),
  portfolio_evaluation: portfolioEvaluationSchema.extend(componentScore),
  problem_reframing: problemReframingSchema.extend(componentScore),
  moat_architecture: moatArchitectureSchema.extend(componentScore),
  chairman_constraints: chairmanConstraintsSchema.extend(componentScore),
  time_horizon: timeHorizonSchema.extend(componentScore),
  archetypes: archetypesSchema.extend(componentScore),
  build_cost: buildCostSchema.extend(componentScore),
  /** Virality is the profile's ninth weight: computed from the forecast's growth (src/ideation/forecast.ts). */
  virality: z.object({ componentScore: score.nullable(), basis: z.string().min(1) }),
  profile: z.object({
    id: z.string().nullable(),
    name: z.string(),
    version: z.number().int(),
    source: z.enum(["explicit", "active", "legacy"]),
  }),
  weighted_score: score.nullable(),
  missing_components: z.array(z.string()),
  forecast: forecastSchema,
});
export type Synthesis = z.infer<typeof synthesisSchema>;

export const stageZeroBriefSchema = draftIdeaSchema.extend({
  solution: z.string().min(20),
  originType: originTypeSchema,
  rawChairmanIntent: z.string().min(1),
  maturity: maturitySchema,
  verticalCategory: z.string().min(1),
  portfolioSynergyScore: z.number().int().min(0).max(100),
  timeHorizonClassification: z.enum(["build_now", "build_soon", "park_and_build_later"]),
  buildEstimate: z.object({
    complexity: z.enum(["simple", "moderate", "complex"]),
    months: z.number().int().min(1).max(60),
  }),
  crossReferences: z.array(z.object({ source: z.string(), ref: z.string(), name: z.string(), relevance: score })),
  chairmanConstraintScores: z.object({
    verdict: constraintResultSchema,
    checks: z.number().int(),
    failing: z.array(z.string()),
  }),
  competitorRef: z.array(z.string()),
  blueprintId: z.string().nullable(),
  discoveryStrategy: discoveryStrategySchema.nullable(),
  ventureScore: z.number().int().min(0).max(100),
  metadata: z.object({
    synthesis: synthesisSchema,
    nursery: z.object({ triggerConditions: z.array(z.string().min(1)).min(1) }),
    discoveryRunId: z.string().nullable(),
    nurseryId: z.string().nullable(),
    /** competitor_teardown: what was fetched (facts, with their source) and the gap analysis (judgement or simulation). */
    teardown: z
      .looseObject({ mode: z.enum(["online", "offline"]), basis: z.string(), competitors: z.array(z.unknown()) })
      .optional(),
  }),
});
export type StageZeroBrief = z.infer<typeof stageZeroBriefSchema>;
