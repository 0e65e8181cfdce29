// Each platform's text as the platform counts it: Bluesky in graphemes, X
// weighted (URLs 23, CJK and emoji 2), Mastodon with URLs as 23, and the
// helpers that compose and fit a variant's posted text.
import { describe, expect, it } from "vitest";
import {
  composeAssetText,
  fitText,
  graphemeCount,
  hashtagCount,
  PLATFORM_LIMITS,
  PLATFORMS,
  textLength,
} from "../../src/marketing/platform-limits.ts";

describe("platform limits", () => {
  it("has one row per platform with the documented text limits", () => {
    expect(Object.keys(PLATFORM_LIMITS).sort()).toEqual([...PLATFORMS].sort());
    expect(PLATFORM_LIMITS.bluesky.text).toBe(300);
    expect(PLATFORM_LIMITS.x.text).toBe(280);
    expect(PLATFORM_LIMITS.mastodon.text).toBe(500);
    expect(PLATFORM_LIMITS.threads.text).toBe(500);
    expect(PLATFORM_LIMITS.linkedin.text).toBe(3000);
    expect(PLATFORM_LIMITS.youtube.title).toBe(100);
  });

  it("counts Bluesky in graphemes: a family emoji is one, not seven code units", () => {
    const family = "👨‍👩‍👧";
    expect(family.length).toBe(8);
    expect(graphemeCount(family)).toBe(1);
    expect(textLength("bluesky", `hi ${family}`)).toBe(4);
  });

  it("weighs X's text: a URL is 23 whatever its length, CJK and emoji count 2", () => {
    const url = "https://example.com/a/very/long/path/that/is/much/longer/than/twenty-three?utm_source=x";
    expect(textLength("x", `go ${url}`)).toBe(3 + 23);
    expect(textLength("x", "日本語")).toBe(6);
    expect(textLength("x", "ok 👍")).toBe(5);
    expect(textLength("mastodon", `go ${url}`)).toBe(3 + 23);
    expect(textLength("linkedin", `go ${url}`)).toBe(3 + url.length);
  });

  it("composes what is posted: headline in the text where the platform has no title field", () => {
    const v = { headline: "Title", body: "Body text.", cta: "Join" };
    expect(composeAssetText("bluesky", v)).toBe("Title\n\nBody text.\n\nJoin");
    expect(composeAssetText("youtube", v)).toBe("Body text.\n\nJoin");
  });

  it("fits text within a limit at a word boundary", () => {
    const text = "word ".repeat(100).trim();
    const fitted = fitText("x", text, 50);
    expect(textLength("x", fitted)).toBeLessThanOrEqual(50);
    expect(fitted.endsWith("word…")).toBe(true);
    expect(fitText("x", "short", 50)).toBe("short");
  });

  it("counts hashtags", () => {
    expect(hashtagCount("#one two #three #4x and a#b")).toBe(3);
  });
});
