// Stage 11 — Go-to-Market (spec §8.3): exactly three customer tiers and
// exactly eight acquisition channels, each channel aimed at one tier. Budget
// totals per tier and per channel type are derived.
import { z } from "zod";
import { channelType } from "./enums.ts";
import { stagePrompt } from "./prompt.ts";
import { ventureProfile } from "./simulation.ts";
import { asNumber, asRecord, asString, round2, yearSeries } from "./stage-10.ts";
import type { Rng, StageContext, StageDefinition, VentureBrief } from "./types.ts";

export const TIER_COUNT = 3;
export const CHANNEL_COUNT = 8;

const money = z.number().min(0);

const analysisObject = z.object({
  /** Tier 1 is the most accessible, tier 3 the most aspirational. */
  customerTiers: z
    .array(
      z.object({
        name: z.string().min(1),
        description: z.string().min(1),
        /** Reachable customers (accounts or people) in the tier. */
        size: z.number().int().min(0),
        /** Monthly acquisition budget for the tier. */
        budget: money,
        persona: z.string().min(1),
        painPoints: z.array(z.string().min(1)).min(1),
        /** Target customer acquisition cost; 0 is allowed (purely organic tier). */
        targetCac: money,
      }),
    )
    .length(TIER_COUNT),
  channels: z
    .array(
      z.object({
        name: z.string().min(1),
        description: z.string().min(1),
        /** Monthly budget; 0 is allowed (organic, earned). */
        budget: money,
        channelType,
        /** The name of the customer tier the channel mainly serves. */
        primaryTier: z.string().min(1),
      }),
    )
    .length(CHANNEL_COUNT),
});

type GtmShape = z.infer<typeof analysisObject>;

function gtmRules(a: GtmShape, ctx: z.RefinementCtx) {
  const tiers = a.customerTiers.map((t) => t.name);
  if (new Set(tiers).size !== tiers.length) {
    ctx.addIssue({ code: "custom", path: ["customerTiers"], message: "customer tier names must be unique" });
  }
  const channels = a.channels.map((c) => c.name);
  if (new Set(channels).size !== channels.length) {
    ctx.addIssue({ code: "custom", path: ["channels"], message: "channel names must be unique" });
  }
  a.channels.forEach((c, i) => {
    if (!tiers.includes(c.primaryTier)) {
      ctx.addIssue({
        code: "custom",
        path: ["channels", i, "primaryTier"],
        message: `primaryTier "${c.primaryTier}" names no customer tier (${tiers.join(", ")})`,
      });
    }
  });
}

const analysisSchema = analysisObject.superRefine(gtmRules);
export type GtmAnalysis = z.infer<typeof analysisSchema>;

const derivedObject = z.object({
  budgetSummary: z.object({
    /** Σ customerTiers[].budget. */
    totalTierBudget: money,
    /** Σ channels[].budget. */
    totalChannelBudget: money,
    /** Σ channel budgets per channel type; every type present, 0 when unused. */
    byChannelType: z.object({ paid: money, organic: money, earned: money, owned: money }),
    /** Per tier, in tier order: its own budget and the channels aimed at it. */
    byTier: z
      .array(
        z.object({
          name: z.string(),
          tierBudget: money,
          channelBudget: money,
          channelCount: z.number().int().min(0),
        }),
      )
      .length(TIER_COUNT),
  }),
});
export type GtmDerived = z.infer<typeof derivedObject>;

export function budgetSummary(analysis: GtmShape): GtmDerived["budgetSummary"] {
  const byChannelType = { paid: 0, organic: 0, earned: 0, owned: 0 };
  for (const c of analysis.channels) byChannelType[c.channelType] = round2(byChannelType[c.channelType] + c.budget);
  return {
    totalTierBudget: round2(analysis.customerTiers.reduce((s, t) => s + t.budget, 0)),
    totalChannelBudget: round2(analysis.channels.reduce((s, c) => s + c.budget, 0)),
    byChannelType,
    byTier: analysis.customerTiers.map((t) => {
      const aimed = analysis.channels.filter((c) => c.primaryTier === t.name);
      return {
        name: t.name,
        tierBudget: t.budget,
        channelBudget: round2(aimed.reduce((s, c) => s + c.budget, 0)),
        channelCount: aimed.length,
      };
    }),
  };
}

// ---------------------------------------------------------------------------
// The offline analyst.

interface TierTemplate {
  name: string;
  who: string;
  share: number;
  cacFactor: number;
}

const TIERS: Record<VentureBrief["archetype"], [TierTemplate, TierTemplate, TierTemplate]> = {
  saas: [
    {
      name: "Self-serve early adopters",
      who: "owner-operators who try tools on their own",
      share: 0.5,
      cacFactor: 0.6,
    },
    { name: "Core small teams", who: "teams of a few people with one buyer", share: 0.35, cacFactor: 1 },
    { name: "Established firms", who: "larger firms with a procurement step", share: 0.15, cacFactor: 2.2 },
  ],
  marketplace: [
    { name: "Active supply side", who: "providers already listing elsewhere", share: 0.45, cacFactor: 0.5 },
    { name: "Regular demand side", who: "repeat buyers who search weekly", share: 0.4, cacFactor: 0.8 },
    {
      name: "Organisers and partners",
      who: "operators who bring many participants at once",
      share: 0.15,
      cacFactor: 2.5,
    },
  ],
  deeptech: [
    { name: "Research pilots", who: "research groups running pilots", share: 0.3, cacFactor: 0.8 },
    { name: "Innovation teams", who: "corporate innovation teams with budgets", share: 0.4, cacFactor: 1.5 },
    { name: "Enterprise production", who: "operations leaders buying at scale", share: 0.3, cacFactor: 3 },
  ],
  hardware: [
    { name: "Early lab adopters", who: "labs that build their own rigs today", share: 0.4, cacFactor: 0.8 },
    { name: "Funded startups", who: "startups with hardware budgets", share: 0.4, cacFactor: 1.2 },
    { name: "Institutional buyers", who: "institutions buying through tenders", share: 0.2, cacFactor: 2.5 },
  ],
  services: [
    { name: "Referral clients", who: "clients who come through recommendations", share: 0.5, cacFactor: 0.5 },
    { name: "Growing businesses", who: "businesses outgrowing do-it-yourself", share: 0.35, cacFactor: 1 },
    { name: "Retainer accounts", who: "organisations wanting an ongoing partner", share: 0.15, cacFactor: 2 },
  ],
  media: [
    { name: "Free readers", who: "readers who subscribe for free", share: 0.55, cacFactor: 0.3 },
    { name: "Paying members", who: "readers who pay for depth", share: 0.3, cacFactor: 1 },
    { name: "Sponsors", who: "brands buying the audience", share: 0.15, cacFactor: 3 },
  ],
  fintech: [
    { name: "Digital-first individuals", who: "people who already bank on their phone", share: 0.5, cacFactor: 0.6 },
    { name: "Small businesses", who: "owners who run finances themselves", share: 0.35, cacFactor: 1.2 },
    { name: "Partner institutions", who: "institutions distributing to their customers", share: 0.15, cacFactor: 2.8 },
  ],
};

interface ChannelTemplate {
  name: string;
  type: z.infer<typeof channelType>;
  tier: 0 | 1 | 2;
  /** Share of the paid budget (paid channels) or of the small owned/organic budget. */
  weight: number;
}

const CHANNELS: ChannelTemplate[] = [
  { name: "Search ads", type: "paid", tier: 0, weight: 3 },
  { name: "Paid social", type: "paid", tier: 1, weight: 2 },
  { name: "Outbound sales", type: "paid", tier: 2, weight: 3 },
  { name: "Trade events", type: "paid", tier: 2, weight: 2 },
  { name: "Content and SEO", type: "organic", tier: 0, weight: 1 },
  { name: "Community", type: "organic", tier: 1, weight: 1 },
  { name: "Partner referrals", type: "earned", tier: 1, weight: 0 },
  { name: "Press and analysts", type: "earned", tier: 2, weight: 0 },
  { name: "Email newsletter", type: "owned", tier: 0, weight: 1 },
  { name: "Product-led onboarding", type: "owned", tier: 0, weight: 1 },
];

/** Monthly go-to-market budget: a share of Stage 5's year-1 costs, else a modest default. */
function monthlyBudget(ctx: StageContext): number {
  const finance = asRecord(ctx.artifacts.financial_model?.content);
  const y1Costs = yearSeries(asRecord(finance.projections).costs)[0];
  const base = y1Costs && y1Costs > 0 ? (y1Costs * 0.25) / 12 : 15_000;
  return Math.max(1_000, Math.round(base / 100) * 100);
}

function simulate(ctx: StageContext, rng: Rng): GtmAnalysis {
  const v = ctx.venture;
  const p = ventureProfile(v);
  const finance = asRecord(ctx.artifacts.financial_model?.content);
  const cac = asNumber(asRecord(finance.unitEconomics).cac, 150);
  const brand = asRecord(ctx.artifacts.brand_package?.content);
  const brandName = asString(asRecord(brand.decision).selectedName, v.name);
  const pains = [v.problemStatement, ...v.keyAssumptions.map((a) => `Unproven for them: ${a}`)];
  const budget = monthlyBudget(ctx);
  const reach = Math.round((2_000 + p.market * 48_000) / 10) * 10;

  const templates = TIERS[v.archetype];
  const customerTiers = templates.map((t, i) => ({
    name: t.name,
    description: `${t.who} in ${v.targetMarket}`,
    size: Math.max(10, Math.round((reach * t.share) / 10 ** i) * 10 ** i),
    budget: Math.round((budget * (i === 0 ? 0.45 : i === 1 ? 0.35 : 0.2)) / 100) * 100,
    persona: `${cap(t.who)}; first met through ${i === 0 ? "search and word of mouth" : i === 1 ? "peers and communities" : "direct outreach"}`,
    painPoints: [pains[i % pains.length] as string, ...(i === 2 ? ["Needs proof before committing budget"] : [])],
    targetCac: Math.round(cac * t.cacFactor * (1.1 - p.strength * 0.2)),
  }));

  // Eight of the ten channels: always the two owned ones (cheap, the venture controls them), six others at random.
  const owned = CHANNELS.filter((c) => c.type === "owned");
  const picked = [
    ...owned,
    ...rng.sample(
      CHANNELS.filter((c) => c.type !== "owned"),
      CHANNEL_COUNT - owned.length,
    ),
  ];
  // Every tier gets at least one channel.
  for (let tier = 0; tier < TIER_COUNT; tier++) {
    if (!picked.some((c) => c.tier === tier)) {
      const spare = picked.findIndex((c, i) => picked.filter((d) => d.tier === c.tier).length > 1 && i >= owned.length);
      const swap = picked[spare];
      if (swap) picked[spare] = { ...swap, tier: tier as 0 | 1 | 2 };
    }
  }
  const paidWeight = picked.filter((c) => c.type === "paid").reduce((s, c) => s + c.weight, 0);
  const otherWeight = picked.filter((c) => c.type !== "paid").reduce((s, c) => s + c.weight, 0);
  const channels = picked.map((c) => {
    const pool = c.type === "paid" ? budget * 0.75 : budget * 0.2;
    const weight = c.type === "paid" ? paidWeight : otherWeight;
    const amount = weight > 0 ? (pool * c.weight) / weight : 0;
    const tier = customerTiers[c.tier] as (typeof customerTiers)[number];
    return {
      name: c.name,
      description: `${c.name} for ${tier.name.toLowerCase()}: carries the ${brandName} message to ${v.targetMarket}.`,
      budget: Math.round(amount / 50) * 50,
      channelType: c.type,
      primaryTier: tier.name,
    };
  });
  return { customerTiers, channels };
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export const stage11: StageDefinition<GtmAnalysis, GtmDerived> = {
  number: 11,
  name: "Go-to-Market",
  phase: 3,
  gateType: "none",
  consumes: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  produces: ["gtm_strategy"],
  analysisSchema,
  artifactSchema: analysisObject.extend(derivedObject.shape).superRefine(gtmRules),
  computeDerived: (analysis) => ({ budgetSummary: budgetSummary(analysis) }),
  prompt: (ctx) =>
    stagePrompt(ctx, {
      role: "a go-to-market strategist planning customer acquisition",
      task: [
        "Define exactly 3 customerTiers, tier 1 the most accessible and tier 3 the most aspirational: name, description, size (reachable customers), budget (monthly), persona, painPoints, targetCac (0 allowed).",
        "Define exactly 8 channels: name, description, budget (monthly, 0 allowed), channelType (paid, organic, earned or owned) and primaryTier (the exact name of one of the three tiers).",
        "Use the Stage 10 brand and the Stage 5 unit economics (CAC) and costs to size budgets. Do not total budgets: totals per tier and per channel type are derived.",
      ].join("\n"),
    }),
  simulate,
  qualityScore: (artifact) => {
    const tiersCovered = artifact.budgetSummary.byTier.filter((t) => t.channelCount > 0).length;
    const typesUsed = Object.values(artifact.budgetSummary.byChannelType).filter((b) => b > 0).length;
    const pains = artifact.customerTiers.filter((t) => t.painPoints.length >= 1 && t.persona.length >= 20).length;
    const funded = artifact.budgetSummary.totalChannelBudget > 0 ? 10 : 0;
    return Math.min(100, 40 + tiersCovered * 10 + typesUsed * 3 + pains * 3 + funded);
  },
};
