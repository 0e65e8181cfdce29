// UTM parameters (spec §17.6: UTM-based last-touch attribution): utm_source =
// the platform, utm_medium = social or email, utm_campaign = the venture,
// utm_content = the variant id, utm_id = the dispatch (one post or one email),
// all lowercase. A post's link is tagged in SQL
// (eva_private.fn_marketing_compose_post, the same parameters); utmLink tags a
// link in TypeScript, and utmOf reads them back from a webhook's URL. A
// conversion that carries them is attributed to that variant by
// marketing.fn_ingest_events.

export interface UtmTags {
  /** bluesky, mastodon, x, email... (lowercase platform name). */
  platform: string;
  /** The venture's slug (ventureSlug(name)). */
  ventureSlug: string;
  variantId: string;
  /** The dispatch (variant × platform) or email send the link went out in. */
  dispatchId: string;
  /** Default: email for the email platform, social otherwise. */
  medium?: "social" | "email" | "paid";
}

/** A venture's name as a UTM campaign: lowercase ASCII words joined by "-". */
export function ventureSlug(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80);
}

/** The link with EVA's UTM parameters set (existing ones replaced; the path, other parameters and the fragment kept). */
export function utmLink(url: string, tags: UtmTags): string {
  const link = new URL(url);
  if (link.protocol !== "https:" && link.protocol !== "http:") throw new Error(`not a web link: ${url}`);
  const platform = tags.platform.trim().toLowerCase();
  const medium = tags.medium ?? (platform === "email" ? "email" : "social");
  const values: [string, string][] = [
    ["utm_source", platform],
    ["utm_medium", medium],
    ["utm_campaign", ventureSlug(tags.ventureSlug) || tags.ventureSlug.toLowerCase()],
    ["utm_content", tags.variantId.toLowerCase()],
    ["utm_id", tags.dispatchId.toLowerCase()],
  ];
  for (const [key, value] of values) {
    if (!value) throw new Error(`${key} would be empty: every EVA link carries all five UTM parameters`);
    link.searchParams.set(key, value);
  }
  return link.toString();
}

/** The UTM parameters of a link, lowercase ({} when there are none or it is not a URL). */
export function utmOf(url: string | undefined | null): Record<string, string> {
  if (!url) return {};
  let link: URL;
  try {
    link = new URL(url);
  } catch {
    return {};
  }
  const found: Record<string, string> = {};
  for (const key of ["utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_id"]) {
    const value = link.searchParams.get(key);
    if (value) found[key] = value.toLowerCase();
  }
  return found;
}
