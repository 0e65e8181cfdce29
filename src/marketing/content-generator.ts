// The content generator (spec §17, "Content Generator"): an analysis like a
// stage's — the same analyst (a model or the offline analyst), a zod schema,
// provenance and the venture's token budget — that writes a content item's
// variants (headline, body, CTA, visual brief) for each platform from the
// venture's marketing brief. The text limits are not asked of the schema: the
// brand review measures them in code, and a variant over its limit goes back
// with that feedback.
import { createHash } from "node:crypto";
import { z } from "zod";
import type { AnalysisResult, Analyst, TokenAllowance } from "../llm/types.ts";
import type { Prompt, Rng } from "../stages/types.ts";
import { brandName, type MarketingBrief } from "./content-context.ts";
import { composeAssetText, fitText, PLATFORM_LIMITS, PLATFORMS, type Platform, textLength } from "./platform-limits.ts";

/** Variants written per platform (a and b: the variant bandit's first arms). */
export const VARIANTS_PER_PLATFORM = 2;

const claim = z.object({
  /** A factual statement the text makes (a number, a comparison, a promise). */
  claim: z.string().min(1),
  /** Where it is supported: the upstream artifact and field, or null when nothing supports it. */
  evidence: z.string().nullable(),
});

const generatedVariant = z.object({
  platform: z.enum(PLATFORMS),
  variantKey: z.string().regex(/^[a-z0-9_]{1,40}$/),
  headline: z.string().min(1).max(300),
  body: z.string().min(1).max(20000),
  cta: z.string().min(1).max(300),
  visualBrief: z.string().min(1).max(2000),
  claims: z.array(claim),
});

const generationObject = z.object({
  /** The content item's idea in one line. */
  angle: z.string().min(1),
  conceptTags: z
    .array(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/))
    .min(1)
    .max(5),
  variants: z.array(generatedVariant).min(1),
});
export type GeneratedContent = z.infer<typeof generationObject>;

/** The generation schema for a set of platforms: every platform covered, (platform, variantKey) unique. */
export function generationSchema(platforms: readonly Platform[]) {
  return generationObject.superRefine((g, ctx) => {
    const seen = new Set<string>();
    g.variants.forEach((v, i) => {
      const key = `${v.platform}:${v.variantKey}`;
      if (seen.has(key)) {
        ctx.addIssue({ code: "custom", path: ["variants", i], message: `duplicate variant ${key}` });
      }
      seen.add(key);
    });
    for (const p of platforms) {
      if (!g.variants.some((v) => v.platform === p)) {
        ctx.addIssue({ code: "custom", path: ["variants"], message: `no variant for ${p}` });
      }
    }
  });
}

const schemaNames = new Map<string, string>();

/** The schema's name for the server and the cache, fingerprinted so a changed schema never reuses an old answer. */
export function generationSchemaName(platforms: readonly Platform[]): string {
  const key = platforms.join(",");
  let name = schemaNames.get(key);
  if (!name) {
    const json = JSON.stringify(z.toJSONSchema(generationObject, { io: "input", unrepresentable: "any" }));
    const fingerprint = createHash("sha256").update(json).update(key).digest("hex").slice(0, 8);
    name = `marketing_content_generation_${fingerprint}`;
    schemaNames.set(key, name);
  }
  return name;
}

function limitLine(p: Platform): string {
  const l = PLATFORM_LIMITS[p];
  const counted = {
    graphemes: "graphemes",
    x_weighted: "weighted characters (URLs 23)",
    mastodon: "characters (URLs 23)",
    characters: "characters",
  }[l.counting];
  const text = l.headlineInText
    ? `headline + body + CTA, joined by blank lines, at most ${l.text} ${counted}`
    : `body + CTA at most ${l.text} ${counted}; headline (the title) at most ${l.title} characters`;
  return `- ${p}: ${text}; at most ${l.maxHashtags} hashtags`;
}

export function generationPrompt(brief: MarketingBrief, contentType: string): Prompt {
  const v = brief.venture;
  const brand = brief.brand;
  const system = [
    "You are the marketing content writer of EVA, a system that runs ventures through a 25-stage lifecycle.",
    "Answer with one JSON object matching the given schema, nothing else.",
    "Write in the venture's brand voice. Make no claim the venture's artifacts do not support:",
    "list every factual claim (a number, a comparison, a promise) in `claims` with its evidence, or null when there is none — better, leave such claims out.",
  ].join(" ");
  const user = [
    `## Venture: ${v.name} (${v.archetype}), at stage ${v.stage}`,
    `Description: ${v.description}`,
    `Problem: ${v.problemStatement}`,
    `Value proposition: ${v.valueProp}`,
    `Target market: ${v.targetMarket}`,
    brand
      ? [
          `## Brand (${brief.sources.brand})`,
          `Name: ${brand.name}; archetype: ${brand.archetype}; tone: ${brand.tone}`,
          brand.voice ? `Voice: ${brand.voice}` : "",
          `Values: ${brand.values.join(", ") || "unknown"}`,
          `Audience: ${brand.audience}`,
          `Differentiators: ${brand.differentiators.join("; ") || "unknown"}`,
        ]
          .filter(Boolean)
          .join("\n")
      : "## Brand\nunknown: no Stage 10 brand yet; write plainly under the venture's name.",
    brief.tiers.length
      ? `## Customer tiers (${brief.sources.gtm})\n${brief.tiers
          .map((t) => `- ${t.name}: ${t.persona}${t.painPoints.length ? ` (pains: ${t.painPoints.join("; ")})` : ""}`)
          .join("\n")}`
      : "## Customer tiers\nunknown: no Stage 11 plan yet.",
    brief.channels.length
      ? `## Channels\n${brief.channels.map((c) => `- ${c.name} (${c.channelType}, for ${c.primaryTier})`).join("\n")}`
      : "",
    brief.funnel.length
      ? `## Funnel (${brief.sources.funnel})\n${brief.funnel.join(" → ")}`
      : "## Funnel\nunknown: no Stage 12 funnel yet.",
    `## Prior performance\n${brief.performance === "unknown" ? "unknown (nothing measured yet)" : JSON.stringify(brief.performance)}`,
    `## Task\nWrite one ${contentType.replace("_", " ")} with ${VARIANTS_PER_PLATFORM} variants (variantKey "a" and "b", different angles) for each of these platforms, within each platform's limits:\n${brief.platforms.map(limitLine).join("\n")}`,
    brief.conceptTags.length
      ? `Concept tags requested: ${brief.conceptTags.join(", ")} (the content is about these).`
      : "",
    "Each variant: headline, body, cta (one short call to action), visualBrief (subject, mood, composition, aspect ratio for the image), claims. Use no placeholders such as [link]. Mention the brand's name.",
    brief.feedback.length
      ? `## The brand review sent the previous version back; address every point\n${brief.feedback.map((f) => `- ${f}`).join("\n")}`
      : "",
  ]
    .filter(Boolean)
    .join("\n\n");
  return { system, user };
}

// Each opener leads with the brand's name, so fitting a headline to its limit never cuts the name off.
const OPENERS = [
  (b: string, pain: string) => `${b} takes ${lowerFirst(pain)} off your plate`,
  (b: string, pain: string) => `${b}: less time on ${lowerFirst(pain)}, more on the work that matters`,
  (b: string) => `${b} is here`,
  (b: string, pain: string) => `${b}, built for anyone tired of ${lowerFirst(pain)}`,
];
/** When no tier names a short pain point, the openers lead with the value proposition. */
const VALUE_OPENERS = [
  (b: string, value: string) => `${b}: ${lowerFirst(value)}`,
  (b: string) => `${b} is here`,
  (b: string, value: string) => `Meet ${b}: ${lowerFirst(value)}`,
];
function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
const CTAS = ["Join the early list", "See how it works", "Try it free", "Get early access", "Read the launch note"];
const MOODS = ["calm and confident", "bright and optimistic", "focused, uncluttered", "warm and human"];
const SUBJECTS = [
  "a person finishing the task in seconds",
  "the product on a laptop in a small office",
  "a before/after of a cluttered desk",
];
const ASPECT: Record<Platform, string> = {
  bluesky: "16:9",
  x: "16:9",
  mastodon: "16:9",
  threads: "4:5",
  linkedin: "1.91:1",
  tiktok: "9:16",
  youtube: "16:9",
  reddit: "4:3",
  email: "2:1",
};

function firstSentence(text: string): string {
  const s = text.split(/(?<=[.!?])\s/)[0] ?? text;
  return s.replace(/[.!?]+$/, "");
}

/** The offline analyst's content: drawn from the brief alone, within every platform's limits, with no claims. */
export function simulateContent(brief: MarketingBrief, rng: Rng): GeneratedContent {
  const name = brandName(brief);
  // A pain point reads well in a headline when it is a short phrase.
  const pains = brief.tiers.flatMap((t) => t.painPoints).filter((p) => p.length <= 60 && !/[:;]/.test(p));
  const value = firstSentence(brief.venture.valueProp);
  const pain = pains.length ? rng.pick(pains) : value;
  const openerSet = pains.length ? OPENERS : VALUE_OPENERS;
  const tone = brief.brand?.tone && brief.brand.tone !== "unknown" ? brief.brand.tone : "plain";
  const tags = [
    ...brief.conceptTags,
    brief.venture.archetype,
    ...(brief.venture.stage >= 22 ? ["pre_launch"] : []),
    ...(brief.brand?.values ?? []).slice(0, 2),
  ]
    .map((t) =>
      t
        .toLowerCase()
        .replace(/[^a-z0-9_-]+/g, "-")
        .replace(/^-+|-+$/g, "")
        .slice(0, 40),
    )
    .filter((t) => /^[a-z0-9][a-z0-9_-]{0,39}$/.test(t));
  const variants: GeneratedContent["variants"] = [];
  for (const platform of brief.platforms) {
    const openers = rng.sample(openerSet, VARIANTS_PER_PLATFORM);
    openers.forEach((opener, i) => {
      const limits = PLATFORM_LIMITS[platform];
      const headline = fitText(platform, opener(name, pain), limits.title ?? 120);
      const cta = rng.pick(CTAS);
      const fullBody =
        `${value}. ${brief.tiers[0]?.persona ? `Made for ${brief.tiers[0].persona.replace(/\.$/, "")}.` : ""}`.trim();
      // The body gets what the headline and CTA leave of the platform's limit.
      const used = limits.headlineInText
        ? textLength(platform, `${headline}\n\n\n\n${cta}`)
        : textLength(platform, `\n\n${cta}`);
      const body = fitText(platform, fullBody, Math.max(20, limits.text - used));
      variants.push({
        platform,
        variantKey: i === 0 ? "a" : "b",
        headline,
        body,
        cta,
        visualBrief: `${rng.pick(SUBJECTS)}; mood ${rng.pick(MOODS)} (${tone}); brand colours; aspect ${ASPECT[platform]}`,
        claims: [],
      });
    });
  }
  return {
    angle: `${name}: ${value.toLowerCase()}`.slice(0, 200),
    conceptTags: tags.length ? [...new Set(tags)].slice(0, 5) : ["launch"],
    variants,
  };
}

export interface GeneratedVariantRow {
  variant_key: string;
  platform: Platform;
  headline: string;
  body: string;
  cta: string;
  visual_brief: string;
  asset_text: string;
  metadata: { claims: GeneratedContent["variants"][number]["claims"]; epistemic_classification: string };
}

export interface ContentGeneration {
  output: GeneratedContent;
  variants: GeneratedVariantRow[];
  result: AnalysisResult<GeneratedContent>;
}

/** Runs the generation analysis and shapes its variants as rows (asset_text composed per platform). */
export async function generateContent(
  analyst: Analyst,
  brief: MarketingBrief,
  options: { contentType?: string; budget?: TokenAllowance; signal?: AbortSignal } = {},
): Promise<ContentGeneration> {
  const schema = generationSchema(brief.platforms);
  const result = await analyst.analyze({
    schemaName: generationSchemaName(brief.platforms),
    schema,
    prompt: generationPrompt(brief, options.contentType ?? "social_post"),
    simulate: (rng) => simulateContent(brief, rng),
    ...(options.budget ? { budget: options.budget } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const variants = result.output.variants.map((v) => ({
    variant_key: v.variantKey,
    platform: v.platform,
    headline: v.headline,
    body: v.body,
    cta: v.cta,
    visual_brief: v.visualBrief,
    asset_text: composeAssetText(v.platform, v),
    metadata: { claims: v.claims, epistemic_classification: result.epistemic },
  }));
  return { output: result.output, variants, result };
}
