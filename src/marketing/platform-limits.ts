// Each platform's text limits in one table, and how each platform counts:
// Bluesky counts graphemes, X a weighted length (most scripts' characters 1,
// others 2, every URL 23), Mastodon characters with every URL 23, the rest
// characters (UTF-16 code units, as their APIs document). A variant's
// asset_text is what a publisher posts; platforms with a title (YouTube,
// Reddit, email's subject) post the headline as that title.

export const PLATFORMS = [
  "bluesky",
  "mastodon",
  "x",
  "youtube",
  "threads",
  "linkedin",
  "tiktok",
  "reddit",
  "email",
] as const;
export type Platform = (typeof PLATFORMS)[number];

/** The platforms content is written for when a venture has no platform account yet (Reddit is opt-in, spec §17.1). */
export const DEFAULT_PLATFORMS: readonly Platform[] = ["bluesky", "mastodon", "x", "threads", "linkedin"];

export type TextCounting = "graphemes" | "x_weighted" | "mastodon" | "characters";

export interface PlatformLimits {
  /** The most the posted text (asset_text) may count. */
  text: number;
  counting: TextCounting;
  /** The title's limit where the platform has one (the headline is posted as it). */
  title?: number;
  /** Hashtags beyond which the post reads as spam on the platform. */
  maxHashtags: number;
  /** Whether the headline is part of the posted text (no separate title field). */
  headlineInText: boolean;
  /** Where the limit is documented. */
  source: string;
}

export const PLATFORM_LIMITS: Record<Platform, PlatformLimits> = {
  bluesky: {
    text: 300,
    counting: "graphemes",
    maxHashtags: 3,
    headlineInText: true,
    source: "app.bsky.feed.post lexicon: text maxGraphemes 300",
  },
  x: {
    text: 280,
    counting: "x_weighted",
    maxHashtags: 2,
    headlineInText: true,
    source: "X counting characters (twitter-text v3 weighting; URLs count 23)",
  },
  mastodon: {
    text: 500,
    counting: "mastodon",
    maxHashtags: 5,
    headlineInText: true,
    source: "Mastodon default max_characters 500 (URLs count 23)",
  },
  threads: {
    text: 500,
    counting: "characters",
    maxHashtags: 1,
    headlineInText: true,
    source: "Threads API: text up to 500 characters, one topic tag",
  },
  linkedin: {
    text: 3000,
    counting: "characters",
    maxHashtags: 5,
    headlineInText: true,
    source: "LinkedIn share commentary up to 3,000 characters",
  },
  tiktok: {
    text: 2200,
    counting: "characters",
    maxHashtags: 5,
    headlineInText: true,
    source: "TikTok caption up to 2,200 characters",
  },
  youtube: {
    text: 5000,
    counting: "characters",
    title: 100,
    maxHashtags: 15,
    headlineInText: false,
    source: "YouTube Data API: title 100, description 5,000 characters",
  },
  reddit: {
    text: 40000,
    counting: "characters",
    title: 300,
    maxHashtags: 0,
    headlineInText: false,
    source: "Reddit: title 300, self-post 40,000 characters",
  },
  email: {
    text: 20000,
    counting: "characters",
    title: 150,
    maxHashtags: 0,
    headlineInText: false,
    source: "EVA's own limit: subject 150, body 20,000 characters",
  },
};

export function isPlatform(value: string): value is Platform {
  return (PLATFORMS as readonly string[]).includes(value);
}

const URL_PATTERN = /https?:\/\/[^\s]+/g;
const URL_LENGTH = 23;

const segmenter = new Intl.Segmenter("en", { granularity: "grapheme" });

export function graphemeCount(text: string): number {
  let n = 0;
  for (const _ of segmenter.segment(text)) n++;
  return n;
}

/** twitter-text v3: code points in these ranges weigh 1, every other weighs 2; an emoji sequence weighs 2. */
const X_LIGHT_RANGES: readonly [number, number][] = [
  [0, 4351],
  [8192, 8205],
  [8208, 8223],
  [8242, 8247],
];

/** One grapheme's weight: an emoji 2; otherwise its base character's (combining marks ride on it). */
function xWeight(grapheme: string): number {
  if (/\p{Extended_Pictographic}/u.test(grapheme)) return 2;
  const c = grapheme.codePointAt(0) ?? 0;
  return X_LIGHT_RANGES.some(([lo, hi]) => c >= lo && c <= hi) ? 1 : 2;
}

function withUrlsAs(text: string, count: (s: string) => number): number {
  const urls = text.match(URL_PATTERN) ?? [];
  const rest = text.replace(URL_PATTERN, "");
  return count(rest) + urls.length * URL_LENGTH;
}

/** The text's length as the platform counts it. */
export function textLength(platform: Platform, text: string): number {
  switch (PLATFORM_LIMITS[platform].counting) {
    case "graphemes":
      return graphemeCount(text);
    case "x_weighted":
      return withUrlsAs(text, (s) => {
        let n = 0;
        for (const { segment } of segmenter.segment(s)) n += xWeight(segment);
        return n;
      });
    case "mastodon":
      return withUrlsAs(text, (s) => [...s].length);
    case "characters":
      return text.length;
  }
}

export function hashtagCount(text: string): number {
  return (text.match(/(^|\s)#[\p{L}\p{N}_]+/gu) ?? []).length;
}

/** What a publisher posts for a variant: headline, body and CTA for platforms without a title; body and CTA for the others. */
export function composeAssetText(platform: Platform, variant: { headline: string; body: string; cta: string }): string {
  const parts = PLATFORM_LIMITS[platform].headlineInText
    ? [variant.headline, variant.body, variant.cta]
    : [variant.body, variant.cta];
  return parts
    .map((p) => p.trim())
    .filter(Boolean)
    .join("\n\n");
}

/** Shortens text at a word boundary (with an ellipsis) until the platform counts it within `max`. */
export function fitText(platform: Platform, text: string, max: number): string {
  if (textLength(platform, text) <= max) return text;
  const words = text.split(/(\s+)/);
  while (words.length > 1) {
    words.pop();
    const candidate = `${words.join("").trimEnd()}…`;
    if (textLength(platform, candidate) <= max) return candidate;
  }
  const chars = [...text];
  while (chars.length > 0 && textLength(platform, `${chars.join("")}…`) > max) chars.pop();
  return `${chars.join("")}…`;
}
