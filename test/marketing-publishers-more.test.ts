// The other publishers against local HTTP servers that speak the part of each
// platform's API the publisher uses: YouTube through @googleapis/youtube
// (multipart upload, the channel's recent uploads, statistics), Threads over
// fetch (a container created, its status read before anything is re-created,
// published once), LinkedIn and TikTok through Late's client @zernio/node (a
// 409 DUPLICATE_CONTENT answer names the post that already exists), Reddit
// over fetch (a form submission, errors inside a 200). Every server keeps each
// request it received, so the tests assert on what really reached it.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DryRunPublisher, publisherFor } from "../src/marketing/publishers/index.ts";
import { LatePublisher } from "../src/marketing/publishers/late.ts";
import { RedditPublisher } from "../src/marketing/publishers/reddit.ts";
import { ThreadsPublisher } from "../src/marketing/publishers/threads.ts";
import type { OutgoingPost, Platform } from "../src/marketing/publishers/types.ts";
import { PublishError } from "../src/marketing/publishers/types.ts";
import { YouTubePublisher } from "../src/marketing/publishers/youtube.ts";
import { json as send } from "./helpers/social-servers.ts";

interface Received {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: string;
}

interface LocalApi {
  url: string;
  requests: Received[];
  /** Queued behaviours for the next write requests: a status to answer, or "accept-then-500". */
  next: (number | string)[];
  close(): Promise<void>;
}

type Handler = (req: Received, res: ServerResponse, api: LocalApi) => void;

function startApi(handler: Handler): Promise<LocalApi> {
  return new Promise((resolve) => {
    const api: LocalApi = {
      url: "",
      requests: [],
      next: [],
      close: () =>
        new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
    };
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const url = new URL(req.url ?? "/", "http://localhost");
      const r: Received = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      api.requests.push(r);
      try {
        handler(r, res, api);
      } catch (e) {
        send(res, 500, { error: String(e) });
      }
    });
    server.listen(0, "127.0.0.1", () => {
      api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve(api);
    });
  });
}

function post(platform: Platform, over: Partial<OutgoingPost> = {}): OutgoingPost {
  const dispatchId = over.dispatchId ?? crypto.randomUUID();
  const link = `https://ledgerloop.example/?utm_source=${platform}&utm_id=${dispatchId}`;
  return {
    dispatchId,
    idempotencyKey: `eva-${dispatchId}`,
    platform,
    text: `Reconcile your invoices in a minute.\n\n${link}`,
    link,
    createdAt: new Date(),
    ref: {},
    ...over,
  };
}

async function failure(p: Promise<unknown>): Promise<PublishError> {
  const e = await p.then(
    () => null,
    (error: unknown) => error,
  );
  expect(e).toBeInstanceOf(PublishError);
  return e as PublishError;
}

const triple = (e: PublishError) => [e.errorClass, e.sendState, e.retryable];

// ---------------------------------------------------------------- YouTube

interface Video {
  id: string;
  title: string;
  description: string;
  privacyStatus: string;
  bytes: number;
  stats: { viewCount?: string; likeCount?: string; commentCount?: string };
}

/** YouTube Data API v3: multipart videos.insert, search.list forMine, videos.list (snippet, statistics). */
function startYouTube(token: string, videos: Video[]): Promise<LocalApi> {
  let seq = 1;
  return startApi((r, res, api) => {
    if (r.headers.authorization !== `Bearer ${token}`)
      return send(res, 401, {
        error: { code: 401, message: "Invalid Credentials", errors: [{ reason: "authError" }] },
      });
    if (r.method === "POST" && r.path === "/upload/youtube/v3/videos") {
      const behaviour = api.next.shift() ?? "ok";
      if (behaviour === 403)
        return send(res, 403, {
          error: { code: 403, message: "quota", errors: [{ reason: "quotaExceeded", domain: "youtube.quota" }] },
        });
      if (typeof behaviour === "number")
        return send(res, behaviour, {
          error: { code: behaviour, message: "refused", errors: [{ reason: "invalid" }] },
        });
      const boundary = /boundary=([^;]+)/.exec(String(r.headers["content-type"]))?.[1] ?? "";
      const parts = r.body.split(`--${boundary}`).filter((p) => p.includes("\r\n\r\n"));
      const meta = JSON.parse((parts[0] ?? "").split("\r\n\r\n")[1] ?? "{}") as {
        snippet: { title: string; description: string };
        status: { privacyStatus: string };
      };
      const media = (parts[1] ?? "").split("\r\n\r\n").slice(1).join("\r\n\r\n").replace(/\r\n$/, "");
      const video: Video = {
        id: `vid${seq++}`,
        title: meta.snippet.title,
        description: meta.snippet.description,
        privacyStatus: meta.status.privacyStatus,
        bytes: Buffer.byteLength(media),
        stats: {},
      };
      videos.push(video);
      if (behaviour === "accept-then-500")
        return send(res, 500, { error: { code: 500, message: "Backend Error", errors: [{ reason: "backendError" }] } });
      return send(res, 200, {
        kind: "youtube#video",
        id: video.id,
        snippet: { title: video.title, description: video.description },
        status: { privacyStatus: video.privacyStatus, uploadStatus: "uploaded" },
      });
    }
    if (r.method === "GET" && r.path === "/youtube/v3/search") {
      return send(res, 200, {
        kind: "youtube#searchListResponse",
        items: [...videos]
          .reverse()
          .map((v) => ({ kind: "youtube#searchResult", id: { kind: "youtube#video", videoId: v.id } })),
      });
    }
    if (r.method === "GET" && r.path === "/youtube/v3/videos") {
      const ids = r.query.getAll("id").flatMap((i) => i.split(","));
      const part = r.query.getAll("part").join(",");
      return send(res, 200, {
        kind: "youtube#videoListResponse",
        items: videos
          .filter((v) => ids.includes(v.id))
          .map((v) => ({
            id: v.id,
            ...(part.includes("snippet") ? { snippet: { title: v.title, description: v.description } } : {}),
            ...(part.includes("statistics") ? { statistics: v.stats } : {}),
          })),
      });
    }
    send(res, 404, { error: { code: 404, message: "Not Found" } });
  });
}

describe("YouTube through @googleapis/youtube against a local YouTube-speaking server", () => {
  let yt: LocalApi;
  const videos: Video[] = [];
  let dir: string;
  let videoPath: string;
  beforeAll(async () => {
    yt = await startYouTube("yt-token", videos);
    dir = await mkdtemp(join(tmpdir(), "eva-yt-"));
    videoPath = join(dir, "clip.mp4");
    await writeFile(videoPath, "not really an mp4, but bytes all the same");
  });
  afterAll(async () => {
    await yt?.close();
    await rm(dir, { recursive: true, force: true });
  });
  const publisher = (token = "yt-token") => new YouTubePublisher({ rootUrl: yt.url, token });

  it("uploads the video as multipart with the title, the text as description and private by default", async () => {
    const p = post("youtube", { title: "Invoices in a minute", mediaPath: videoPath });
    const published = await publisher().publish(p);
    const upload = yt.requests.filter((r) => r.method === "POST").at(-1);
    expect(upload?.path).toBe("/upload/youtube/v3/videos");
    expect(upload?.query.get("uploadType")).toBe("multipart");
    expect(upload?.headers.authorization).toBe("Bearer yt-token");
    const video = videos.find((v) => v.id === published.platformPostId);
    expect(video).toMatchObject({ title: "Invoices in a minute", description: p.text, privacyStatus: "private" });
    expect(video?.bytes).toBe(Buffer.byteLength("not really an mp4, but bytes all the same"));
    expect(published.url).toBe(`https://www.youtube.com/watch?v=${published.platformPostId}`);
  });

  it("a 500 after the upload is unknown, not retried; reconcile finds the one video by the dispatch id", async () => {
    const p = post("youtube", { mediaPath: videoPath });
    const before = videos.length;
    yt.next.push("accept-then-500");
    const e = await failure(publisher().publish(p));
    expect(triple(e)).toEqual(["system", "unknown", false]);
    expect(videos.length).toBe(before + 1);
    const found = await publisher().reconcile(p);
    expect(found).toMatchObject({ platformPostId: videos.at(-1)?.id, detail: { reconciled: true } });
    expect(videos.length).toBe(before + 1);
    expect(await publisher().reconcile(post("youtube"))).toBeNull();
  });

  it("classifies: 403 quotaExceeded rate_limited, 400 user_content, 401 auth_expired; no video means media_error before any call", async () => {
    const p = () => post("youtube", { mediaPath: videoPath });
    yt.next.push(403, 400);
    expect(triple(await failure(publisher().publish(p())))).toEqual(["rate_limited", "not_sent", true]);
    expect(triple(await failure(publisher().publish(p())))).toEqual(["user_content", "not_sent", false]);
    expect(triple(await failure(publisher("expired").publish(p())))).toEqual(["auth_expired", "not_sent", false]);
    const calls = yt.requests.length;
    expect((await failure(publisher().publish(post("youtube")))).errorClass).toBe("media_error");
    expect((await failure(publisher().publish(post("youtube", { mediaPath: join(dir, "gone.mp4") })))).errorClass).toBe(
      "media_error",
    );
    expect(yt.requests.length).toBe(calls);
  });

  it("metrics are the video's statistics; a count YouTube hides stays absent", async () => {
    const a = await publisher().publish(post("youtube", { mediaPath: videoPath }));
    const video = videos.find((v) => v.id === a.platformPostId) as Video;
    video.stats = { viewCount: "321", likeCount: "12" };
    const m = await publisher().fetchMetrics([{ platformPostId: a.platformPostId }, { platformPostId: "missing" }]);
    expect(m.get(a.platformPostId)).toEqual({ views: 321, likes: 12 });
    expect(m.has("missing")).toBe(false);
    const list = yt.requests.filter((r) => r.path === "/youtube/v3/videos").at(-1);
    expect(list?.query.getAll("part").join(",")).toBe("statistics");
  });
});

// ---------------------------------------------------------------- Threads

interface Container {
  id: string;
  text: string;
  status: "IN_PROGRESS" | "FINISHED" | "ERROR" | "EXPIRED" | "PUBLISHED";
  mediaId?: string;
}

/** The Threads Graph API: containers, threads_publish, a media's permalink, the user's threads, insights. */
function startThreads(token: string, userId: string) {
  const containers: Container[] = [];
  const published: { id: string; text: string; containerId: string }[] = [];
  const insights = new Map<string, Record<string, number>>();
  let seq = 17_000;
  const ready = startApi((r, res, api) => {
    if (r.query.get("access_token") !== token)
      return send(res, 400, {
        error: { message: "Error validating access token: Session has expired", type: "OAuthException", code: 190 },
      });
    if (r.method === "POST" && r.path === `/v1.0/${userId}/threads`) {
      const behaviour = typeof api.next[0] === "number" ? api.next.shift() : "ok";
      if (typeof behaviour === "number")
        return send(res, behaviour, {
          error: { message: `refused with ${behaviour}`, type: "OAuthException", code: 1 },
        });
      const c: Container = { id: String(seq++), text: r.query.get("text") ?? "", status: "FINISHED" };
      containers.push(c);
      return send(res, 200, { id: c.id });
    }
    if (r.method === "POST" && r.path === `/v1.0/${userId}/threads_publish`) {
      const c = containers.find((x) => x.id === r.query.get("creation_id"));
      if (c?.status !== "FINISHED")
        return send(res, 400, { error: { message: "The media is not ready to be published", code: 24 } });
      c.status = "PUBLISHED";
      c.mediaId = String(seq++);
      published.push({ id: c.mediaId, text: c.text, containerId: c.id });
      if (api.next[0] === "accept-then-500") {
        api.next.shift();
        return send(res, 500, { error: { message: "An unexpected error has occurred", code: 2 } });
      }
      return send(res, 200, { id: c.mediaId });
    }
    if (r.method === "GET" && r.path === `/v1.0/${userId}/threads`) {
      return send(res, 200, {
        data: [...published]
          .reverse()
          .map((t) => ({ id: t.id, text: t.text, permalink: `https://www.threads.net/@eva/post/${t.id}` })),
      });
    }
    const insight = /^\/v1\.0\/(\d+)\/insights$/.exec(r.path);
    if (r.method === "GET" && insight) {
      const counts = insights.get(insight[1] as string) ?? {};
      const asked = (r.query.get("metric") ?? "").split(",");
      return send(res, 200, {
        data: asked
          .filter((name) => name in counts)
          .map((name) => ({
            name,
            period: "lifetime",
            values: [{ value: counts[name] }],
            id: `${insight[1]}/insights/${name}/lifetime`,
          })),
      });
    }
    const one = /^\/v1\.0\/(\d+)$/.exec(r.path);
    if (r.method === "GET" && one) {
      const c = containers.find((x) => x.id === one[1]);
      if (c) return send(res, 200, { id: c.id, status: c.status });
      const t = published.find((x) => x.id === one[1]);
      if (t) return send(res, 200, { id: t.id, permalink: `https://www.threads.net/@eva/post/${t.id}` });
    }
    send(res, 400, { error: { message: "Unsupported request", code: 100 } });
  });
  return { ready, containers, published, insights };
}

describe("Threads over fetch against a local Threads-speaking server", () => {
  const threads = startThreads("th-token", "777");
  let api: LocalApi;
  beforeAll(async () => {
    api = await threads.ready;
  });
  afterAll(async () => api?.close());
  const publisher = (token = "th-token") => new ThreadsPublisher({ baseUrl: api.url, token, userId: "777" });

  it("creates a text container, checkpoints its id before publishing, publishes it once", async () => {
    const p = post("threads");
    const saved: Record<string, unknown>[] = [];
    const result = await publisher().publish(p, { checkpoint: async (ref) => void saved.push(ref) });
    const create = api.requests.find((r) => r.method === "POST" && r.query.get("text") === p.text);
    expect(create?.path).toBe("/v1.0/777/threads");
    expect(create?.query.get("media_type")).toBe("TEXT");
    const container = threads.containers.find((c) => c.text === p.text) as Container;
    expect(saved).toEqual([{ containerId: container.id }]);
    const pub = api.requests.filter(
      (r) => r.path === "/v1.0/777/threads_publish" && r.query.get("creation_id") === container.id,
    );
    expect(pub).toHaveLength(1);
    expect(result).toMatchObject({
      platformPostId: container.mediaId,
      url: `https://www.threads.net/@eva/post/${container.mediaId}`,
      detail: { containerId: container.id },
    });
  });

  it("a 500 after publishing: the retry reads the saved container, finds it PUBLISHED and posts nothing new", async () => {
    const p = post("threads");
    const saved: Record<string, unknown>[] = [];
    api.next.push("accept-then-500");
    const e = await failure(publisher().publish(p, { checkpoint: async (ref) => void saved.push(ref) }));
    expect(triple(e)).toEqual(["system", "unknown", false]);
    const containerId = saved[0]?.containerId as string;
    const containersBefore = threads.containers.length;
    const posts = threads.published.filter((t) => t.text === p.text);
    expect(posts).toHaveLength(1);

    const retry = await publisher().publish({ ...p, ref: { containerId } }, { checkpoint: async () => {} });
    expect(retry).toMatchObject({ platformPostId: posts[0]?.id, detail: { reconciled: true } });
    expect(threads.containers.length).toBe(containersBefore);
    expect(threads.published.filter((t) => t.text === p.text)).toHaveLength(1);
    const statusRead = api.requests.filter((r) => r.method === "GET" && r.path === `/v1.0/${containerId}`);
    expect(statusRead.at(-1)?.query.get("fields")).toBe("id,status,error_message");
  });

  it("a saved container still FINISHED is published, not re-created; an EXPIRED one is re-created", async () => {
    const p = post("threads");
    const c: Container = { id: "99001", text: p.text, status: "FINISHED" };
    threads.containers.push(c);
    const before = threads.containers.length;
    const r1 = await publisher().publish({ ...p, ref: { containerId: c.id } }, { checkpoint: async () => {} });
    expect(threads.containers.length).toBe(before);
    expect(r1.platformPostId).toBe(c.mediaId);

    const q = post("threads");
    threads.containers.push({ id: "99002", text: q.text, status: "EXPIRED" });
    const saved: Record<string, unknown>[] = [];
    const r2 = await publisher().publish(
      { ...q, ref: { containerId: "99002" } },
      { checkpoint: async (ref) => void saved.push(ref) },
    );
    expect(saved[0]?.containerId).not.toBe("99002");
    expect(r2.detail?.containerId).toBe(saved[0]?.containerId);
    expect(threads.published.filter((t) => t.text === q.text)).toHaveLength(1);
  });

  it("classifies: 429 rate_limited (retryable), 400 user_content, 500 unknown; an expired token is auth_expired", async () => {
    api.next.push(429, 400, 500);
    const errors: PublishError[] = [];
    for (let i = 0; i < 3; i++)
      errors.push(await failure(publisher().publish(post("threads"), { checkpoint: async () => {} })));
    expect(errors.map(triple)).toEqual([
      ["rate_limited", "not_sent", true],
      ["user_content", "not_sent", false],
      ["system", "unknown", false],
    ]);
    const expired = await failure(publisher("old").publish(post("threads"), { checkpoint: async () => {} }));
    expect(triple(expired)).toEqual(["auth_expired", "not_sent", false]);
  });

  it("metrics are the insights' values; one Threads does not give stays absent", async () => {
    const a = await publisher().publish(post("threads"), { checkpoint: async () => {} });
    threads.insights.set(a.platformPostId, { views: 250, likes: 9, replies: 2 });
    const m = await publisher().fetchMetrics([{ platformPostId: a.platformPostId }]);
    expect(m.get(a.platformPostId)).toEqual({ views: 250, likes: 9, replies: 2 });
    const asked = api.requests.filter((r) => r.path === `/v1.0/${a.platformPostId}/insights`).at(-1);
    expect(asked?.query.get("metric")).toBe("views,likes,replies,reposts,quotes");
  });
});

// ---------------------------------------------------------------- Late (LinkedIn, TikTok)

interface LateStored {
  _id: string;
  content: string;
  status: string;
  metadata: Record<string, unknown>;
  createdAt: string;
  platforms: { platform: string; accountId: string; platformPostId: string; platformPostUrl: string; status: string }[];
}

/** Late's API: POST /v1/posts (409 DUPLICATE_CONTENT for the same content on the same account), GET one, list, analytics. */
function startLate(apiKey: string) {
  const posts: LateStored[] = [];
  const analytics = new Map<string, Record<string, number>>();
  let seq = 1;
  const ready = startApi((r, res, api) => {
    if (r.headers.authorization !== `Bearer ${apiKey}`) return send(res, 401, { error: "Invalid API key" });
    if (r.method === "POST" && r.path === "/v1/posts") {
      const behaviour = api.next.shift() ?? "ok";
      if (behaviour === 429) return send(res, 429, { error: "Rate limit exceeded" }, { "retry-after": "60" });
      if (typeof behaviour === "number") return send(res, behaviour, { error: `refused with ${behaviour}` });
      const b = JSON.parse(r.body) as {
        content: string;
        platforms: { platform: string; accountId: string }[];
        metadata?: Record<string, unknown>;
      };
      const target = b.platforms[0] as { platform: string; accountId: string };
      const dup = posts.find((p) => p.content === b.content && p.platforms[0]?.accountId === target.accountId);
      if (dup)
        return send(res, 409, {
          error: "This content was already posted to this account in the last 24 hours.",
          code: "DUPLICATE_CONTENT",
          details: { existingPostId: dup._id },
        });
      const id = `late${seq++}`;
      const stored: LateStored = {
        _id: id,
        content: b.content,
        status: "published",
        metadata: b.metadata ?? {},
        createdAt: new Date().toISOString(),
        platforms: [
          {
            ...target,
            platformPostId: `urn:li:share:${id}`,
            platformPostUrl: `https://${target.platform}.example/p/${id}`,
            status: "published",
          },
        ],
      };
      posts.push(stored);
      return send(res, 201, { post: stored, message: "Post published" });
    }
    const one = /^\/v1\/posts\/([^/]+)$/.exec(r.path);
    if (r.method === "GET" && one) {
      const p = posts.find((x) => x._id === one[1]);
      return p ? send(res, 200, { post: p }) : send(res, 404, { error: "Post not found" });
    }
    if (r.method === "GET" && r.path === "/v1/posts") {
      const from = Date.parse(r.query.get("dateFrom") ?? "1970-01-01");
      return send(res, 200, { posts: posts.filter((p) => Date.parse(p.createdAt) >= from), pagination: {} });
    }
    if (r.method === "GET" && r.path === "/v1/analytics") {
      const a = analytics.get(r.query.get("postId") ?? "");
      return a
        ? send(res, 200, { postId: r.query.get("postId"), analytics: a })
        : send(res, 404, { error: "Post not found" });
    }
    send(res, 404, { error: "Not found" });
  });
  return { ready, posts, analytics };
}

describe("LinkedIn and TikTok through @zernio/node against a local Late-speaking server", () => {
  const late = startLate("late-key");
  let api: LocalApi;
  beforeAll(async () => {
    api = await late.ready;
  });
  afterAll(async () => api?.close());
  const publisher = (platform: "linkedin" | "tiktok", apiKey = "late-key") =>
    new LatePublisher(platform, { baseUrl: api.url, apiKey, accountId: `acc-${platform}` });

  it("posts now to the platform's account with the dispatch id in metadata, for LinkedIn and TikTok", async () => {
    for (const platform of ["linkedin", "tiktok"] as const) {
      const p = post(platform);
      const result = await publisher(platform).publish(p);
      const sent = api.requests.filter((r) => r.method === "POST").at(-1) as Received;
      expect(sent.path).toBe("/v1/posts");
      expect(sent.headers.authorization).toBe("Bearer late-key");
      expect(JSON.parse(sent.body)).toEqual({
        content: p.text,
        platforms: [{ platform, accountId: `acc-${platform}` }],
        publishNow: true,
        metadata: { evaDispatchId: p.dispatchId, idempotencyKey: p.idempotencyKey },
      });
      const stored = late.posts.at(-1) as LateStored;
      expect(result).toMatchObject({
        platformPostId: stored._id,
        url: `https://${platform}.example/p/${stored._id}`,
        detail: { latePostId: stored._id, nativePostId: `urn:li:share:${stored._id}` },
      });
    }
  });

  it("a retry answered 409 DUPLICATE_CONTENT takes the existing post: one post on Late", async () => {
    const p = post("linkedin");
    const first = await publisher("linkedin").publish(p);
    const again = await publisher("linkedin").publish(p);
    expect(again.platformPostId).toBe(first.platformPostId);
    expect(again.url).toBe(first.url);
    expect(late.posts.filter((x) => x.content === p.text)).toHaveLength(1);
    expect(api.requests.some((r) => r.method === "GET" && r.path === `/v1/posts/${first.platformPostId}`)).toBe(true);
  });

  it("reconcile finds the post by the dispatch id in its metadata; one never sent is not found", async () => {
    const p = post("tiktok");
    const first = await publisher("tiktok").publish(p);
    expect(await publisher("tiktok").reconcile(p)).toMatchObject({
      platformPostId: first.platformPostId,
      detail: { reconciled: true },
    });
    expect(await publisher("tiktok").reconcile(post("tiktok"))).toBeNull();
  });

  it("classifies: 429 rate_limited (retryable), 400 user_content, 500 unknown, a bad key auth_expired", async () => {
    api.next.push(429, 400, 500);
    const errors: PublishError[] = [];
    for (let i = 0; i < 3; i++) errors.push(await failure(publisher("linkedin").publish(post("linkedin"))));
    expect(errors.map(triple)).toEqual([
      ["rate_limited", "not_sent", true],
      ["user_content", "not_sent", false],
      ["system", "unknown", false],
    ]);
    expect(errors[0]?.status).toBe(429);
    const bad = await failure(publisher("linkedin", "wrong").publish(post("linkedin")));
    expect(triple(bad)).toEqual(["auth_expired", "not_sent", false]);
  });

  it("metrics are Late's analytics; a post Late has no analytics for is left out", async () => {
    const a = await publisher("linkedin").publish(post("linkedin"));
    late.analytics.set(a.platformPostId, { impressions: 800, likes: 31, shares: 4, comments: 3, clicks: 17 });
    const m = await publisher("linkedin").fetchMetrics([
      { platformPostId: a.platformPostId },
      { platformPostId: "none" },
    ]);
    expect(m.get(a.platformPostId)).toEqual({ impressions: 800, likes: 31, reposts: 4, replies: 3, clicks: 17 });
    expect(m.has("none")).toBe(false);
  });
});

// ---------------------------------------------------------------- Reddit

interface Submission {
  name: string;
  sr: string;
  title: string;
  kind: string;
  url?: string;
  selftext?: string;
  score: number;
  num_comments: number;
}

/** Reddit's OAuth API: POST /api/submit (form, api_type=json), /api/v1/me, a user's submitted, /api/info. */
function startReddit(token: string) {
  const submissions: Submission[] = [];
  let seq = 1;
  const ready = startApi((r, res, api) => {
    if (r.headers.authorization !== `Bearer ${token}`) return send(res, 401, { message: "Unauthorized", error: 401 });
    if (r.method === "POST" && r.path === "/api/submit") {
      const behaviour = api.next.shift() ?? "ok";
      if (behaviour === "RATELIMIT")
        return send(res, 200, {
          json: {
            errors: [
              ["RATELIMIT", "Looks like you've been doing that a lot. Take a break for 9 minutes.", "ratelimit"],
            ],
          },
        });
      if (typeof behaviour === "number") return send(res, behaviour, { message: "refused", error: behaviour });
      const form = new URLSearchParams(r.body);
      const id = `abc${seq++}`;
      const s: Submission = {
        name: `t3_${id}`,
        sr: form.get("sr") ?? "",
        title: form.get("title") ?? "",
        kind: form.get("kind") ?? "",
        score: 1,
        num_comments: 0,
        ...(form.get("url") ? { url: form.get("url") as string } : {}),
        ...(form.get("text") ? { selftext: form.get("text") as string } : {}),
      };
      submissions.push(s);
      return send(res, 200, {
        json: { errors: [], data: { url: `https://www.reddit.com/r/${s.sr}/comments/${id}/`, id, name: s.name } },
      });
    }
    if (r.method === "GET" && r.path === "/api/v1/me") return send(res, 200, { name: "eva_bot" });
    const listing = (items: Submission[]) => ({
      kind: "Listing",
      data: { children: items.map((s) => ({ kind: "t3", data: s })) },
    });
    if (r.method === "GET" && r.path === "/user/eva_bot/submitted")
      return send(res, 200, listing([...submissions].reverse()));
    if (r.method === "GET" && r.path === "/api/info") {
      const ids = (r.query.get("id") ?? "").split(",");
      return send(res, 200, listing(submissions.filter((s) => ids.includes(s.name))));
    }
    send(res, 404, { message: "Not Found", error: 404 });
  });
  return { ready, submissions };
}

describe("Reddit over fetch against a local Reddit-speaking server", () => {
  const reddit = startReddit("rd-token");
  let api: LocalApi;
  beforeAll(async () => {
    api = await reddit.ready;
  });
  afterAll(async () => api?.close());
  const publisher = (token = "rd-token") => new RedditPublisher({ baseUrl: api.url, token, subreddit: "ledgerloop" });

  it("submits the link as a form to the subreddit with a user agent, and returns the fullname and url", async () => {
    const p = post("reddit", { title: "Invoices in a minute" });
    const result = await publisher().publish(p);
    const sent = api.requests.filter((r) => r.method === "POST").at(-1) as Received;
    expect(sent.path).toBe("/api/submit");
    expect(sent.headers.authorization).toBe("Bearer rd-token");
    expect(sent.headers["user-agent"]).toBe("eva-marketing/0.1");
    expect(sent.headers["content-type"]).toContain("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(sent.body))).toEqual({
      sr: "ledgerloop",
      title: "Invoices in a minute",
      api_type: "json",
      kind: "link",
      url: p.link,
    });
    const s = reddit.submissions.at(-1) as Submission;
    expect(result).toMatchObject({
      platformPostId: s.name,
      url: `https://www.reddit.com/r/ledgerloop/comments/${s.name.slice(3)}/`,
    });
    const self = await publisher().publish(post("reddit", { link: null, text: "A text post" }));
    expect(reddit.submissions.find((x) => x.name === self.platformPostId)).toMatchObject({
      kind: "self",
      selftext: "A text post",
    });
  });

  it("reconcile finds the submission by the dispatch id in its link; one never sent is not found", async () => {
    const p = post("reddit");
    const first = await publisher().publish(p);
    expect(await publisher().reconcile(p)).toMatchObject({
      platformPostId: first.platformPostId,
      detail: { reconciled: true },
    });
    expect(await publisher().reconcile(post("reddit"))).toBeNull();
  });

  it("classifies: RATELIMIT inside a 200 rate_limited (retryable), 429 rate_limited, 403 permanent, 500 unknown, 401 auth_expired", async () => {
    api.next.push("RATELIMIT", 429, 403, 500);
    const errors: PublishError[] = [];
    for (let i = 0; i < 4; i++) errors.push(await failure(publisher().publish(post("reddit"))));
    expect(errors.map(triple)).toEqual([
      ["rate_limited", "not_sent", true],
      ["rate_limited", "not_sent", true],
      ["platform_rejected", "not_sent", false],
      ["system", "unknown", false],
    ]);
    expect(triple(await failure(publisher("old").publish(post("reddit"))))).toEqual([
      "auth_expired",
      "not_sent",
      false,
    ]);
  });

  it("metrics: score as likes and comments as replies, read from /api/info", async () => {
    const a = await publisher().publish(post("reddit"));
    const s = reddit.submissions.find((x) => x.name === a.platformPostId) as Submission;
    s.score = 42;
    s.num_comments = 5;
    const m = await publisher().fetchMetrics([{ platformPostId: a.platformPostId }]);
    expect(m.get(a.platformPostId)).toEqual({ likes: 42, replies: 5 });
    expect(
      api.requests
        .filter((r) => r.path === "/api/info")
        .at(-1)
        ?.query.get("id"),
    ).toBe(a.platformPostId);
  });

  it("without its token and subreddit Reddit is a dry run (the Chairman's enabling is in SQL)", () => {
    expect(publisherFor("reddit", {})).toBeInstanceOf(DryRunPublisher);
    expect(publisherFor("reddit", { EVA_REDDIT_TOKEN: "t" })).toBeInstanceOf(DryRunPublisher);
    expect(publisherFor("reddit", { EVA_REDDIT_TOKEN: "t", EVA_REDDIT_SUBREDDIT: "s" })).toBeInstanceOf(
      RedditPublisher,
    );
  });
});
