// The automated brand-compliance review of a content item's variants: first
// the checks code can decide (each platform's text and title limits and
// hashtags, placeholders, links, the brand's name, claims that carry no
// evidence), then — only when those pass — a second analysis by the same
// analyst judging what code cannot: whether the voice matches the Stage 10
// brand and whether the claims are supported. Passed: the content is
// scheduled; failed: it goes back to GENERATE with the feedback.
import { z } from "zod";
import type { AnalysisResult, Analyst, TokenAllowance } from "../llm/types.ts";
import type { Prompt, Rng } from "../stages/types.ts";
import { brandName, type ContentContext, type MarketingBrief } from "./content-context.ts";
import { hashtagCount, isPlatform, PLATFORM_LIMITS, textLength } from "./platform-limits.ts";

export type CheckOutcome = "pass" | "fail" | "unknown";

export interface ReviewCheck {
  check:
    | "platform_coverage"
    | "text_limit"
    | "title_limit"
    | "hashtags"
    | "placeholders"
    | "links"
    | "brand_name"
    | "claims_evidence"
    | "brand_voice"
    | "claims_supported";
  outcome: CheckOutcome;
  /** Who decided: code (deterministic) or the model's judgement. */
  by: "code" | "model";
  platform?: string;
  variantKey?: string;
  variantId?: string;
  detail: string;
}

type Variant = ContentContext["variants"][number];

const PLACEHOLDER = /\[(?:link|url|name|product|insert)[^\]]*\]|\{\{|\}\}|\bTODO\b|lorem ipsum/i;
/** Statements that need evidence: figures with a unit, multiples, rankings, superlatives, guarantees. */
const CLAIM_PATTERN =
  /\b\d+(?:[.,]\d+)?\s?(?:%|percent|x\b|×|times\b|hours?\b|minutes?\b|customers\b|users\b|firms\b)|#1\b|\bnumber one\b|\b(?:best|fastest|cheapest|only|guaranteed?|proven|leading)\b/gi;

function claimsOf(v: Variant): { claim: string; evidence: string | null }[] {
  const raw = v.metadata.claims;
  return Array.isArray(raw)
    ? raw
        .map((c) => c as { claim?: unknown; evidence?: unknown })
        .filter((c) => typeof c.claim === "string")
        .map((c) => ({
          claim: c.claim as string,
          evidence: typeof c.evidence === "string" && c.evidence.trim() ? c.evidence : null,
        }))
    : [];
}

/** The checks code decides, over the current generation's variants. */
export function deterministicChecks(brief: MarketingBrief, variants: readonly Variant[]): ReviewCheck[] {
  const checks: ReviewCheck[] = [];
  const name = brandName(brief);
  for (const p of brief.platforms) {
    const covered = variants.some((v) => v.platform === p);
    checks.push({
      check: "platform_coverage",
      outcome: covered ? "pass" : "fail",
      by: "code",
      platform: p,
      detail: covered ? `${p} has a variant` : `${p} has no variant`,
    });
  }
  for (const v of variants) {
    const at = { platform: v.platform, variantKey: v.variantKey, variantId: v.id };
    const label = `${v.platform} variant ${v.variantKey}`;
    if (!isPlatform(v.platform)) {
      checks.push({ check: "text_limit", outcome: "fail", by: "code", ...at, detail: `${label}: unknown platform` });
      continue;
    }
    const limits = PLATFORM_LIMITS[v.platform];
    const length = textLength(v.platform, v.assetText);
    checks.push({
      check: "text_limit",
      outcome: length <= limits.text ? "pass" : "fail",
      by: "code",
      ...at,
      detail:
        length <= limits.text
          ? `${label}: ${length}/${limits.text} ${limits.counting}`
          : `${label} is ${length} ${limits.counting === "graphemes" ? "graphemes" : "characters"} long; ${v.platform} allows ${limits.text}: shorten it by at least ${length - limits.text}`,
    });
    if (limits.title !== undefined) {
      const t = v.headline.length;
      checks.push({
        check: "title_limit",
        outcome: t <= limits.title ? "pass" : "fail",
        by: "code",
        ...at,
        detail:
          t <= limits.title
            ? `${label}: title ${t}/${limits.title}`
            : `${label}'s headline (its title) is ${t} characters; ${v.platform} allows ${limits.title}`,
      });
    }
    const tags = hashtagCount(v.assetText);
    checks.push({
      check: "hashtags",
      outcome: tags <= limits.maxHashtags ? "pass" : "fail",
      by: "code",
      ...at,
      detail:
        tags <= limits.maxHashtags
          ? `${label}: ${tags} hashtag(s)`
          : `${label} has ${tags} hashtags; keep ${v.platform} posts to ${limits.maxHashtags}`,
    });
    const placeholder = PLACEHOLDER.exec(`${v.assetText}\n${v.headline}`);
    checks.push({
      check: "placeholders",
      outcome: placeholder ? "fail" : "pass",
      by: "code",
      ...at,
      detail: placeholder
        ? `${label} contains the placeholder "${placeholder[0]}": write the real text`
        : `${label}: no placeholders`,
    });
    const insecure = v.assetText.match(/\bhttp:\/\/\S+/);
    checks.push({
      check: "links",
      outcome: insecure ? "fail" : "pass",
      by: "code",
      ...at,
      detail: insecure ? `${label} links to ${insecure[0]} over plain http: use https` : `${label}: links are https`,
    });
    const named = `${v.headline}\n${v.assetText}`.toLowerCase().includes(name.toLowerCase());
    checks.push({
      check: "brand_name",
      outcome: named ? "pass" : "fail",
      by: "code",
      ...at,
      detail: named ? `${label} names ${name}` : `${label} never names the brand (${name})`,
    });
    const stated = [...`${v.headline}\n${v.assetText}`.matchAll(CLAIM_PATTERN)].map((m) => m[0]);
    const claims = claimsOf(v);
    const unsupported = stated.filter(
      (s) => !claims.some((c) => c.evidence && c.claim.toLowerCase().includes(s.toLowerCase())),
    );
    checks.push({
      check: "claims_evidence",
      outcome: unsupported.length ? "fail" : "pass",
      by: "code",
      ...at,
      detail: unsupported.length
        ? `${label} claims "${[...new Set(unsupported)].join('", "')}" with no evidence: remove the claim or cite the artifact that supports it`
        : `${label}: ${stated.length ? "every claim cites evidence" : "no factual claims"}`,
    });
  }
  return checks;
}

const judgement = z.object({
  brandVoice: z.object({
    matches: z.boolean(),
    notes: z.string().min(1),
  }),
  claims: z.array(
    z.object({
      platform: z.string(),
      variantKey: z.string(),
      claim: z.string().min(1),
      supported: z.boolean(),
      reason: z.string().min(1),
    }),
  ),
  verdict: z.enum(["pass", "revise"]),
  /** What to change, one instruction a line (empty when the verdict is pass). */
  feedback: z.array(z.string().min(1)),
});
export type BrandJudgement = z.infer<typeof judgement>;

export const BRAND_REVIEW_SCHEMA_NAME = "marketing_brand_review_v1";

export function reviewPrompt(brief: MarketingBrief, variants: readonly Variant[]): Prompt {
  const b = brief.brand;
  const system = [
    "You are the brand-compliance reviewer of EVA's marketing engine.",
    "Answer with one JSON object matching the given schema, nothing else.",
    "Judge only: does each variant's voice match the brand, and is each factual claim supported by the venture's artifacts?",
    "Lengths, hashtags and links are checked elsewhere.",
  ].join(" ");
  const user = [
    `## Venture: ${brief.venture.name}: ${brief.venture.valueProp}`,
    b
      ? `## Brand (${brief.sources.brand})\nName: ${b.name}; archetype: ${b.archetype}; tone: ${b.tone}${b.voice ? `\nVoice: ${b.voice}` : ""}\nValues: ${b.values.join(", ")}\nDifferentiators: ${b.differentiators.join("; ")}`
      : "## Brand\nunknown: no Stage 10 brand; judge the voice as plain and factual.",
    `## Variants\n${variants
      .map(
        (v) =>
          `### ${v.platform} ${v.variantKey}\n${v.assetText}${v.headline && !v.assetText.includes(v.headline) ? `\n(title: ${v.headline})` : ""}\nclaims: ${JSON.stringify(claimsOf(v))}`,
      )
      .join("\n\n")}`,
    "## Task\nverdict pass when the voice matches and every claim is supported; else revise, with feedback the writer can act on.",
  ].join("\n\n");
  return { system, user };
}

/** The offline analyst's review: the simulated content makes no claims, so only the voice is judged — as a simulation. */
export function simulateJudgement(brief: MarketingBrief, variants: readonly Variant[], _rng: Rng): BrandJudgement {
  return {
    brandVoice: {
      matches: true,
      notes: brief.brand
        ? `simulation: written from the Stage 10 brand (tone ${brief.brand.tone}); not judged by a model`
        : "simulation: no Stage 10 brand, voice unknown; not judged by a model",
    },
    claims: variants.flatMap((v) =>
      claimsOf(v).map((c) => ({
        platform: v.platform,
        variantKey: v.variantKey,
        claim: c.claim,
        supported: c.evidence !== null,
        reason: c.evidence ? `cites ${c.evidence}` : "no evidence given",
      })),
    ),
    verdict: "pass",
    feedback: [],
  };
}

export interface BrandReview {
  passed: boolean;
  checks: ReviewCheck[];
  feedback: string[];
  /** The model's judgement; absent when the code's checks already failed (no call made). */
  judgement?: AnalysisResult<BrandJudgement>;
}

/** Reviews the current variants: code's checks, then (if they pass) the analyst's judgement. */
export async function reviewContent(
  analyst: Analyst,
  brief: MarketingBrief,
  variants: readonly Variant[],
  options: { budget?: TokenAllowance; signal?: AbortSignal } = {},
): Promise<BrandReview> {
  const checks = deterministicChecks(brief, variants);
  const failed = checks.filter((c) => c.outcome === "fail");
  if (failed.length > 0) {
    return { passed: false, checks, feedback: failed.map((c) => c.detail) };
  }
  const result = await analyst.analyze({
    schemaName: BRAND_REVIEW_SCHEMA_NAME,
    schema: judgement,
    prompt: reviewPrompt(brief, variants),
    simulate: (rng) => simulateJudgement(brief, variants, rng),
    ...(options.budget ? { budget: options.budget } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const j = result.output;
  const simulated = result.epistemic === "simulation";
  checks.push({
    check: "brand_voice",
    // A simulated judgement is no evidence that the voice matches: recorded as unknown, not as a pass.
    outcome: simulated && j.brandVoice.matches ? "unknown" : j.brandVoice.matches ? "pass" : "fail",
    by: "model",
    detail: j.brandVoice.notes,
  });
  for (const c of j.claims) {
    checks.push({
      check: "claims_supported",
      outcome: c.supported ? "pass" : "fail",
      by: "model",
      platform: c.platform,
      variantKey: c.variantKey,
      detail: `${c.platform} ${c.variantKey}: "${c.claim}" — ${c.reason}`,
    });
  }
  const modelFailures = checks.filter((c) => c.by === "model" && c.outcome === "fail").map((c) => c.detail);
  const passed = j.verdict === "pass" && modelFailures.length === 0;
  const feedback = passed
    ? []
    : [...new Set([...j.feedback, ...modelFailures])]
        .filter(Boolean)
        .concat(
          j.feedback.length === 0 && modelFailures.length === 0
            ? ["the reviewer asked for a revision without details"]
            : [],
        );
  return { passed, checks, feedback, judgement: result };
}
