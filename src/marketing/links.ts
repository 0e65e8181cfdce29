// UTM-tagged links (spec §17.6): lowercase values, utm_source = platform,
// utm_medium = social | email, utm_campaign = the venture, utm_content = the
// variant id, utm_id = the dispatch id — which also makes the link the post's
// marker, found again when a dispatch is reconciled after a crash.
export interface UtmParts {
  platform: string;
  ventureSlug: string;
  variantId: string;
  dispatchId: string;
}

export function ventureSlug(name: string): string {
  // The same rule as marketing.fn_request_publish's.
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "") || "venture"
  );
}

export function utmLink(url: string, parts: UtmParts): string {
  const u = new URL(url);
  u.searchParams.set("utm_source", parts.platform.toLowerCase());
  u.searchParams.set("utm_medium", parts.platform.toLowerCase() === "email" ? "email" : "social");
  u.searchParams.set("utm_campaign", parts.ventureSlug.toLowerCase());
  u.searchParams.set("utm_content", parts.variantId.toLowerCase());
  u.searchParams.set("utm_id", parts.dispatchId.toLowerCase());
  return u.toString();
}

/** The text a platform receives: the variant's text, then its tagged link on a line of its own. */
export function postText(assetText: string, link: string | null): string {
  return link ? `${assetText.trimEnd()}\n\n${link}` : assetText;
}
