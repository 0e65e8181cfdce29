// LinkedIn and TikTok through Late (Zernio), its npm client @zernio/node
// (EVA_LATE_API_URL, default https://zernio.com/api; EVA_LATE_API_KEY;
// EVA_LATE_LINKEDIN_ACCOUNT / EVA_LATE_TIKTOK_ACCOUNT, Late's account ids).
// Late has no idempotency key: each post carries the dispatch id in its
// metadata, and its 409 DUPLICATE_CONTENT answer names the post that already
// exists (the first attempt succeeded): that post is taken, never re-sent.
import { Zernio } from "@zernio/node";
import { classifyStatus, hostOf, readRateLimit, transportError } from "./http.ts";
import type { OutgoingPost, PostMetrics, Published, Publisher } from "./types.ts";
import { PublishError } from "./types.ts";

export interface LateConfig {
  baseUrl: string;
  apiKey: string;
  accountId: string;
  timeoutMs?: number;
}

type LatePlatform = "linkedin" | "tiktok";

interface LatePost {
  _id?: string;
  content?: string;
  status?: string;
  metadata?: Record<string, unknown>;
  platforms?: { platform?: string; platformPostId?: string; platformPostUrl?: string | null; status?: string }[];
}

function fromPost(platform: LatePlatform, post: LatePost | undefined, rateLimit?: Published["rateLimit"]): Published {
  const target = post?.platforms?.find((p) => p.platform === platform) ?? post?.platforms?.[0];
  const id = post?._id;
  if (!id) {
    throw new PublishError(`${platform} (Late): an answer without a post id`, {
      errorClass: "system",
      sendState: "unknown",
    });
  }
  return {
    platformPostId: id,
    url: target?.platformPostUrl ?? null,
    rateLimit,
    detail: { latePostId: id, status: post?.status, nativePostId: target?.platformPostId ?? null },
  };
}

export class LatePublisher implements Publisher {
  readonly platform: LatePlatform;
  readonly mode = "live" as const;
  readonly idempotent = false;
  readonly host: string;
  private readonly client: Zernio;
  private readonly config: LateConfig;

  constructor(platform: LatePlatform, config: LateConfig) {
    this.platform = platform;
    this.config = config;
    this.host = hostOf(config.baseUrl);
    this.client = new Zernio({ apiKey: config.apiKey, baseURL: config.baseUrl, timeout: config.timeoutMs ?? 30_000 });
  }

  private fail(status: number, body: unknown, headers?: Headers, rateLimit?: Published["rateLimit"], cause?: unknown) {
    const raw = JSON.stringify(body ?? {});
    const { errorClass, sendState } = classifyStatus(status, raw);
    return new PublishError(`${this.platform} (Late): HTTP ${status} ${raw.slice(0, 300)}`, {
      errorClass,
      sendState,
      status,
      raw: raw.slice(0, 2000),
      rateLimit: headers ? readRateLimit(headers) : rateLimit,
      existingPostId: (body as { details?: { existingPostId?: string } } | undefined)?.details?.existingPostId,
      cause,
    });
  }

  /** The client throws its ZernioApiError (statusCode, body) on every non-2xx answer: classified like one. */
  private thrown(error: unknown): PublishError {
    const e = error as { statusCode?: unknown; body?: unknown; limit?: number; remaining?: number; resetAt?: Date };
    if (typeof e.statusCode !== "number") return transportError(this.platform, error);
    const rateLimit =
      e.statusCode === 429
        ? {
            source: "x-ratelimit-*",
            ...(e.limit !== undefined ? { limit: e.limit } : {}),
            ...(e.remaining !== undefined ? { remaining: e.remaining } : {}),
            ...(e.resetAt && !Number.isNaN(e.resetAt.getTime()) ? { resetAt: e.resetAt.toISOString() } : {}),
          }
        : undefined;
    return this.fail(e.statusCode, e.body, undefined, rateLimit, error);
  }

  /** A 409 DUPLICATE_CONTENT names the post the first attempt made: that post is the answer. */
  private async existingOr(error: PublishError): Promise<Published> {
    if (error.status === 409 && error.existingPostId) {
      const existing = await this.byId(error.existingPostId);
      if (existing) return existing;
      return { platformPostId: error.existingPostId, url: null, detail: { duplicateOf: error.existingPostId } };
    }
    throw error;
  }

  async publish(post: OutgoingPost): Promise<Published> {
    let result: Awaited<ReturnType<Zernio["posts"]["createPost"]>>;
    try {
      result = await this.client.posts.createPost({
        body: {
          content: post.text,
          platforms: [{ platform: this.platform, accountId: this.config.accountId }],
          publishNow: true,
          metadata: { evaDispatchId: post.dispatchId, idempotencyKey: post.idempotencyKey },
        } as never,
      });
    } catch (error) {
      return this.existingOr(this.thrown(error));
    }
    const response = result.response as Response | undefined;
    if (result.error || !response?.ok)
      return this.existingOr(this.fail(response?.status ?? 500, result.error, response?.headers));
    const data = result.data as { post?: LatePost } | undefined;
    return fromPost(this.platform, data?.post, readRateLimit(response.headers));
  }

  private async byId(id: string): Promise<Published | null> {
    let r: Awaited<ReturnType<Zernio["posts"]["getPost"]>>;
    try {
      r = await this.client.posts.getPost({ path: { postId: id } });
    } catch (error) {
      const failed = this.thrown(error);
      if (failed.status === 404) return null;
      throw failed;
    }
    const response = r.response as Response | undefined;
    if (response?.status === 404) return null;
    if (r.error || !response?.ok) throw this.fail(response?.status ?? 500, r.error, response?.headers);
    const data = r.data as { post?: LatePost } | LatePost | undefined;
    const p = (data as { post?: LatePost })?.post ?? (data as LatePost);
    return fromPost(this.platform, p);
  }

  async reconcile(post: OutgoingPost): Promise<Published | null> {
    let r: Awaited<ReturnType<Zernio["posts"]["listPosts"]>>;
    try {
      r = await this.client.posts.listPosts({
        query: { dateFrom: new Date(post.createdAt.getTime() - 60_000).toISOString(), limit: 100 } as never,
      });
    } catch (error) {
      throw this.thrown(error);
    }
    const response = r.response as Response | undefined;
    if (r.error || !response?.ok) throw this.fail(response?.status ?? 500, r.error, response?.headers);
    const posts = ((r.data as { posts?: LatePost[] } | undefined)?.posts ?? []) as LatePost[];
    const found = posts.find(
      (p) => p.metadata?.evaDispatchId === post.dispatchId || (p.content ?? "").includes(post.dispatchId),
    );
    return found ? { ...fromPost(this.platform, found), detail: { reconciled: true, latePostId: found._id } } : null;
  }

  async fetchMetrics(posts: readonly { platformPostId: string }[]): Promise<Map<string, PostMetrics>> {
    const out = new Map<string, PostMetrics>();
    for (const p of posts) {
      let r: Awaited<ReturnType<Zernio["analytics"]["getAnalytics"]>>;
      try {
        r = await this.client.analytics.getAnalytics({ query: { postId: p.platformPostId } as never });
      } catch (error) {
        // An answer with a status (no analytics for that post): left out, like a non-2xx result.
        if (this.thrown(error).status !== null) continue;
        throw this.thrown(error);
      }
      const response = r.response as Response | undefined;
      if (r.error || !response?.ok) continue;
      const a = (r.data as { analytics?: Record<string, unknown> } | undefined)?.analytics ?? {};
      const m: PostMetrics = {};
      const n = (k: string) => (typeof a[k] === "number" ? (a[k] as number) : undefined);
      if (n("impressions") !== undefined) m.impressions = n("impressions");
      if (n("likes") !== undefined) m.likes = n("likes");
      if (n("shares") !== undefined) m.reposts = n("shares");
      if (n("comments") !== undefined) m.replies = n("comments");
      if (n("clicks") !== undefined) m.clicks = n("clicks");
      if (n("views") !== undefined) m.views = n("views");
      out.set(p.platformPostId, m);
    }
    return out;
  }
}
