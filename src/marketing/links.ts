// The text a platform receives. The UTM-tagged link in it comes from utm.ts
// (spec §17.6); its utm_id (the dispatch) also makes the link the post's marker,
// found again when a dispatch is reconciled after a crash.

/** The text a platform receives: the variant's text, then its tagged link on a line of its own. */
export function postText(assetText: string, link: string | null): string {
  return link ? `${assetText.trimEnd()}\n\n${link}` : assetText;
}
