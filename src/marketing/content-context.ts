// What the content generator and the brand review know about a content item
// (eva_private.fn_marketing_content_context, one round trip), parsed, and
// the venture's marketing brief drawn from it: the brand (Stage 10), the GTM
// tiers and channels (Stage 11), the funnel (Stage 12), the stage, and prior
// performance — `unknown` when no rollups exist, never invented.
import { sql } from "kysely";
import { z } from "zod";
import type { Database } from "../db/client.ts";
import { asArray, asRecord, asString } from "../stages/stage-10.ts";
import { DEFAULT_PLATFORMS, isPlatform, type Platform } from "./platform-limits.ts";

const artifact = z.object({
  stage: z.number().int(),
  version: z.number().int(),
  epistemic: z.string(),
  content: z.unknown(),
});

export const contentContextSchema = z.object({
  content: z.object({
    id: z.string(),
    venture_id: z.string(),
    content_type: z.string(),
    channel_family: z.string(),
    concept_tags: z.array(z.string()),
    lifecycle_state: z.enum(["IDEATE", "GENERATE", "REVIEW", "SCHEDULE", "DISPATCH", "MEASURE", "OPTIMIZE"]),
    status: z.enum(["active", "blocked"]),
    blocked_reason: z.string().nullable(),
    origin: z.string(),
    cycle: z.number().int(),
    generation: z.number().int(),
    review_loops: z.number().int(),
    metadata: z.record(z.string(), z.unknown()),
  }),
  venture: z.object({
    id: z.string(),
    name: z.string(),
    archetype: z.string(),
    description: z.string(),
    problemStatement: z.string(),
    valueProp: z.string(),
    targetMarket: z.string(),
    keyAssumptions: z.array(z.string()),
    stage: z.number().int(),
    status: z.string(),
  }),
  artifacts: z.record(z.string(), artifact),
  accounts: z.array(z.object({ platform: z.string(), handle: z.string(), enabled: z.boolean() })),
  distribution: z.string(),
  performance: z
    .array(
      z.object({
        platform: z.string(),
        impressions: z.number(),
        engagements: z.number(),
        clicks: z.number(),
        conversions: z.number(),
      }),
    )
    .nullable(),
  variants: z.array(
    z.object({
      id: z.string(),
      variantKey: z.string(),
      platform: z.string(),
      headline: z.string(),
      body: z.string(),
      cta: z.string(),
      visualBrief: z.string(),
      assetText: z.string(),
      metadata: z.record(z.string(), z.unknown()),
    }),
  ),
  feedback: z.array(z.string()),
  maxReviewLoops: z.number().int(),
  budget: z.object({
    ventureRemaining: z.number().nullable(),
    phaseRemaining: z.number().nullable(),
    phase: z.number().nullable(),
  }),
});
export type ContentContext = z.infer<typeof contentContextSchema>;

export async function loadContentContext(db: Database, contentId: string): Promise<ContentContext | null> {
  const { rows } = await sql<{ ctx: unknown }>`
    select eva_private.fn_marketing_content_context(${contentId}::uuid) as ctx`.execute(db);
  const raw = rows[0]?.ctx;
  return raw == null ? null : contentContextSchema.parse(raw);
}

/** The brand as Stage 10 left it; null when the venture has no brand artifact yet. */
export interface BrandBrief {
  name: string;
  archetype: string;
  tone: string;
  voice: string | null;
  values: string[];
  audience: string;
  differentiators: string[];
  epistemic: string;
}

export interface MarketingBrief {
  venture: ContentContext["venture"];
  brand: BrandBrief | null;
  tiers: { name: string; persona: string; painPoints: string[] }[];
  channels: { name: string; channelType: string; primaryTier: string }[];
  funnel: string[];
  /** Per platform over the last 30 days, or "unknown" (no rollups). */
  performance: ContentContext["performance"] | "unknown";
  /** The platforms to write for: the venture's enabled accounts, else EVA's default set. */
  platforms: Platform[];
  /** What each upstream input was: its stage, version and epistemic label, or missing. */
  sources: Record<string, string>;
  feedback: string[];
  /** The concept tags the content was requested with. */
  conceptTags: string[];
}

export function marketingBrief(ctx: ContentContext): MarketingBrief {
  const brandArtifact = ctx.artifacts.brand_package;
  const brand = asRecord(brandArtifact?.content);
  const genome = asRecord(brand.brandGenome);
  const narrative = asRecord(brand.narrativeExtension);
  const decision = asRecord(brand.decision);
  const gtm = asRecord(ctx.artifacts.gtm_strategy?.content);
  const funnel = asRecord(asRecord(ctx.artifacts.sales_pipeline?.content).funnel);
  const strings = (x: unknown) => asArray(x).filter((s): s is string => typeof s === "string" && s.trim() !== "");
  const enabled = ctx.accounts.filter((a) => a.enabled).map((a) => a.platform);
  const platforms = enabled.filter(isPlatform);
  const source = (type: string) => {
    const a = ctx.artifacts[type];
    return a ? `stage ${a.stage} ${type} v${a.version} (${a.epistemic})` : "missing";
  };
  return {
    venture: ctx.venture,
    brand: brandArtifact
      ? {
          name: asString(decision.selectedName, ctx.venture.name),
          archetype: asString(genome.archetype, "unknown"),
          tone: asString(genome.tone, "unknown"),
          voice: typeof narrative.brandVoice === "string" ? narrative.brandVoice : null,
          values: strings(genome.values),
          audience: asString(genome.audience, ctx.venture.targetMarket),
          differentiators: strings(genome.differentiators),
          epistemic: brandArtifact.epistemic,
        }
      : null,
    tiers: asArray(gtm.customerTiers).map((t) => {
      const r = asRecord(t);
      return { name: asString(r.name, "tier"), persona: asString(r.persona, ""), painPoints: strings(r.painPoints) };
    }),
    channels: asArray(gtm.channels).map((c) => {
      const r = asRecord(c);
      return {
        name: asString(r.name, "channel"),
        channelType: asString(r.channelType, "unknown"),
        primaryTier: asString(r.primaryTier, ""),
      };
    }),
    funnel: asArray(funnel.stages).map((s) => asString(asRecord(s).name, "stage")),
    performance: ctx.performance ?? "unknown",
    platforms: platforms.length > 0 ? [...new Set(platforms)].sort() : [...DEFAULT_PLATFORMS],
    sources: {
      brand: source("brand_package"),
      gtm: source("gtm_strategy"),
      funnel: source("sales_pipeline"),
      performance: ctx.performance ? "marketing_daily_rollups, last 30 days" : "unknown (no rollups)",
    },
    feedback: ctx.feedback,
    conceptTags: ctx.content.concept_tags,
  };
}

/** The brand's name if Stage 10 chose one, else the venture's. */
export function brandName(brief: MarketingBrief): string {
  return brief.brand?.name ?? brief.venture.name;
}
