// The publishers against real servers: Bluesky through @atproto/api against a
// local PDS from @atproto/dev-env (records read back with getRecord, links as
// facets with UTF-8 byte offsets, the same record key on a retry), Mastodon
// through masto against a local Mastodon-speaking server (Idempotency-Key),
// X over fetch against a local X-speaking server; and the error classes.
import { AtpAgent } from "@atproto/api";
import { TestNetworkNoAppView } from "@atproto/dev-env";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BlueskyPublisher, dispatchRkey } from "../src/marketing/publishers/bluesky.ts";
import { classifyStatus, readRateLimit, requestJson } from "../src/marketing/publishers/http.ts";
import { accountEnv, DryRunPublisher, hasCredentials, publisherFor } from "../src/marketing/publishers/index.ts";
import { MastodonPublisher } from "../src/marketing/publishers/mastodon.ts";
import { type OutgoingPost, PublishError } from "../src/marketing/publishers/types.ts";
import { XPublisher } from "../src/marketing/publishers/x.ts";
import { type SocialServer, startMastodonServer, startXServer } from "./helpers/social-servers.ts";

let network: TestNetworkNoAppView;
let mastodon: SocialServer;
let x: SocialServer;

beforeAll(async () => {
  network = await TestNetworkNoAppView.create({});
  await network.getSeedClient().createAccount("eva", { email: "eva@test.com", handle: "eva.test", password: "pw-eva" });
  mastodon = await startMastodonServer();
  x = await startXServer();
}, 120_000);
afterAll(async () => {
  await network?.close();
  await mastodon?.close();
  await x?.close();
});

const noCheckpoint = { checkpoint: async () => {} };

function post(over: Partial<OutgoingPost> = {}): OutgoingPost {
  const dispatchId = over.dispatchId ?? crypto.randomUUID();
  const link = `https://ledgerloop.example/?utm_source=bluesky&utm_id=${dispatchId}`;
  return {
    dispatchId,
    idempotencyKey: `eva-${dispatchId}`,
    platform: "bluesky",
    // An emoji and an accented letter before the link: byte offsets differ from UTF-16 ones.
    text: `Réconciliez vos factures 🧾 en une minute.\n\n${link}`,
    link,
    createdAt: new Date(),
    ref: {},
    ...over,
  };
}

describe("Bluesky against a local PDS", () => {
  it("posts a record under the dispatch's own record key, with the link as a facet at its UTF-8 byte offsets", async () => {
    const bsky = new BlueskyPublisher({ service: network.pds.url, identifier: "eva.test", password: "pw-eva" });
    const p = post();
    const saved: Record<string, unknown>[] = [];
    const published = await bsky.publish(p, { checkpoint: async (ref) => void saved.push(ref) });

    const rkey = dispatchRkey(p.createdAt, p.idempotencyKey);
    expect(saved).toEqual([expect.objectContaining({ rkey })]);
    expect(published.platformPostId).toMatch(new RegExp(`/app\\.bsky\\.feed\\.post/${rkey}$`));

    const reader = new AtpAgent({ service: network.pds.url });
    await reader.login({ identifier: "eva.test", password: "pw-eva" });
    const record = await reader.com.atproto.repo.getRecord({
      repo: reader.session?.did as string,
      collection: "app.bsky.feed.post",
      rkey,
    });
    const value = record.data.value as {
      text: string;
      facets: { index: { byteStart: number; byteEnd: number }; features: { $type: string; uri: string }[] }[];
    };
    expect(value.text).toBe(p.text);
    const facet = value.facets[0];
    expect(facet?.features[0]).toEqual({ $type: "app.bsky.richtext.facet#link", uri: p.link });
    const bytes = Buffer.from(p.text, "utf8");
    expect(bytes.subarray(facet?.index.byteStart, facet?.index.byteEnd).toString("utf8")).toBe(p.link);
    expect(facet?.index.byteStart).not.toBe(p.text.indexOf(p.link as string));
  });

  it("after a crash, reconcile finds the record by its key; a post never sent is not found", async () => {
    const bsky = new BlueskyPublisher({ service: network.pds.url, identifier: "eva.test", password: "pw-eva" });
    const p = post();
    const first = await bsky.publish(p, noCheckpoint);
    const found = await bsky.reconcile(p);
    expect(found?.platformPostId).toBe(first.platformPostId);
    expect(await bsky.reconcile(post())).toBeNull();
  });

  it("the record key is the same for the same dispatch and a valid TID", () => {
    const at = new Date("2026-12-02T10:00:00.000Z");
    expect(dispatchRkey(at, "eva-a")).toBe(dispatchRkey(at, "eva-a"));
    expect(dispatchRkey(at, "eva-a")).not.toBe(dispatchRkey(at, "eva-b"));
    expect(dispatchRkey(at, "eva-a")).toMatch(/^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/);
  });

  it("a wrong password is auth_expired, not retried", async () => {
    const bsky = new BlueskyPublisher({ service: network.pds.url, identifier: "eva.test", password: "wrong" });
    const error = await bsky.publish(post(), noCheckpoint).catch((e) => e);
    expect(error).toBeInstanceOf(PublishError);
    expect(error.errorClass).toBe("auth_expired");
    expect(error.retryable).toBe(false);
  });
});

describe("Mastodon against a local Mastodon-speaking server", () => {
  it("posts with the dispatch's Idempotency-Key: the same key twice is one status", async () => {
    const m = new MastodonPublisher({ url: mastodon.url, token: "test-token" });
    const p = post({ platform: "mastodon" });
    const a = await m.publish(p);
    const b = await m.publish(p);
    expect(b.platformPostId).toBe(a.platformPostId);
    expect(mastodon.posts.filter((s) => s.idempotencyKey === p.idempotencyKey)).toHaveLength(1);
    const sent = mastodon.requests.filter((r) => r.method === "POST").at(-1);
    expect(sent?.headers["idempotency-key"]).toBe(p.idempotencyKey);
    expect(a.url).toBe(`http://masto.test/@eva/${a.platformPostId}`);
    expect(a.rateLimit).toMatchObject({ limit: 300, remaining: 299, source: "x-ratelimit-*" });
    expect((await m.reconcile(p))?.platformPostId).toBe(a.platformPostId);
  });

  it("classifies: 429 rate_limited (retryable), 422 user_content, 401 auth_expired, 500 unknown (may have posted)", async () => {
    const m = new MastodonPublisher({ url: mastodon.url, token: "test-token" });
    mastodon.next.push(429, 422, 500);
    const errors = [];
    for (let i = 0; i < 3; i++) errors.push(await m.publish(post({ platform: "mastodon" })).catch((e) => e));
    expect(errors.map((e) => [e.errorClass, e.sendState, e.retryable])).toEqual([
      ["rate_limited", "not_sent", true],
      ["user_content", "not_sent", false],
      ["system", "unknown", false],
    ]);
    const bad = new MastodonPublisher({ url: mastodon.url, token: "nope" });
    expect((await bad.publish(post()).catch((e) => e)).errorClass).toBe("auth_expired");
  });

  it("a refused connection is proven not sent (retryable); a timeout after sending is not", async () => {
    const closed = await startMastodonServer();
    const closedUrl = closed.url;
    await closed.close();
    const refused = new MastodonPublisher({ url: closedUrl, token: "t" });
    const e1 = await refused.publish(post()).catch((e) => e);
    expect([e1.errorClass, e1.sendState, e1.retryable]).toEqual(["system", "not_sent", true]);
    const slow = new MastodonPublisher({ url: mastodon.url, token: "test-token", timeoutMs: 300 });
    mastodon.next.push("hang");
    const before = mastodon.posts.length;
    const e2 = await slow.publish(post({ platform: "mastodon" })).catch((e) => e);
    expect([e2.errorClass, e2.sendState, e2.retryable]).toEqual(["system", "unknown", false]);
    expect(mastodon.posts.length).toBe(before + 1);
  });
});

describe("X over fetch against a local X-speaking server", () => {
  it("posts, reads the x-rate-limit headers, and a duplicate refusal finds the earlier post instead of failing", async () => {
    const xp = new XPublisher({ baseUrl: x.url, accessToken: "x-token" });
    const p = post({ platform: "x" });
    const a = await xp.publish(p);
    expect(a.rateLimit).toMatchObject({ limit: 100, source: "x-rate-limit-*" });
    expect(Date.parse(a.rateLimit?.resetAt ?? "")).toBeGreaterThan(Date.now());
    const again = await xp.publish(p);
    expect(again.platformPostId).toBe(a.platformPostId);
    expect(x.posts.filter((t) => t.text === p.text)).toHaveLength(1);
  });

  it("metrics are the platform's counts, and absent ones stay absent", async () => {
    const xp = new XPublisher({ baseUrl: x.url, accessToken: "x-token" });
    const a = await xp.publish(post({ platform: "x" }));
    x.counts.set(a.platformPostId, { impressions: 120, likes: 7 });
    const m = await xp.fetchMetrics([{ platformPostId: a.platformPostId }]);
    expect(m.get(a.platformPostId)).toMatchObject({ impressions: 120, likes: 7, reposts: 0 });
    expect(m.get("nope")).toBeUndefined();
  });
});

describe("classification and configuration", () => {
  it("maps statuses: 4xx other than 429 permanent, 5xx unknown", () => {
    expect(classifyStatus(429)).toEqual({ errorClass: "rate_limited", sendState: "not_sent" });
    expect(classifyStatus(401)).toEqual({ errorClass: "auth_expired", sendState: "not_sent" });
    expect(classifyStatus(413)).toEqual({ errorClass: "media_error", sendState: "not_sent" });
    expect(classifyStatus(400)).toEqual({ errorClass: "user_content", sendState: "not_sent" });
    expect(classifyStatus(404)).toEqual({ errorClass: "platform_rejected", sendState: "not_sent" });
    expect(classifyStatus(503)).toEqual({ errorClass: "system", sendState: "unknown" });
  });

  it("reads the header families", () => {
    const now = Date.parse("2026-12-02T10:00:00Z");
    expect(readRateLimit(new Headers({ "retry-after": "30" }), now)).toEqual({
      remaining: 0,
      resetAt: "2026-12-02T10:00:30.000Z",
      source: "retry-after",
    });
    expect(readRateLimit(new Headers({ "ratelimit-remaining": "4", "ratelimit-reset": "60" }), now)).toEqual({
      remaining: 4,
      resetAt: "2026-12-02T10:01:00.000Z",
      source: "ratelimit-*",
    });
    expect(readRateLimit(new Headers({}), now)).toBeUndefined();
  });

  it("a 2xx that is not JSON is unknown (it may have posted)", async () => {
    const error = await requestJson(
      `${x.url}/2/users/me`,
      {},
      { platform: "x", fetch: async () => new Response("<html>", { status: 200 }) },
    ).catch((e) => e);
    expect([error.errorClass, error.sendState]).toEqual(["system", "unknown"]);
  });

  it("a venture's platform account names its credentials' variables; the publisher reads them there", () => {
    const env = { EVA_MASTODON_TOKEN_LEDGERLOOP: "secret-ll", EVA_MASTODON_TOKEN: "global" };
    const account = { base_url: mastodon.url, credential_refs: { token: "EVA_MASTODON_TOKEN_LEDGERLOOP" } };
    const e = accountEnv("mastodon", account, env);
    expect(e.EVA_MASTODON_URL).toBe(mastodon.url);
    expect(e.EVA_MASTODON_TOKEN).toBe("secret-ll");
    expect(publisherFor("mastodon", e).mode).toBe("live");
    // A reference to an unset variable leaves the environment's value; no account, the environment as it is.
    expect(accountEnv("mastodon", { credential_refs: { token: "EVA_UNSET_TOKEN" } }, env).EVA_MASTODON_TOKEN).toBe(
      "global",
    );
    expect(accountEnv("mastodon", undefined, env)).toBe(env);
  });

  it("without credentials a platform gets the dry-run publisher", async () => {
    expect(hasCredentials("mastodon", {})).toBe(false);
    const p = publisherFor("mastodon", {});
    expect(p).toBeInstanceOf(DryRunPublisher);
    expect(p.mode).toBe("dry_run");
    const live = publisherFor("mastodon", { EVA_MASTODON_URL: mastodon.url, EVA_MASTODON_TOKEN: "t" });
    expect(live.mode).toBe("live");
    expect(live.host).toBe(new URL(mastodon.url).host);
  });
});
