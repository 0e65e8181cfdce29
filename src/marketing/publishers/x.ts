// X API v2 over fetch (EVA_X_API_URL, default https://api.x.com;
// EVA_X_ACCESS_TOKEN, an OAuth 2.0 user token with tweet.write): X has no
// idempotency key, so the dispatch records its intent before the call and a
// crash or an unanswered call is settled by reading the account's recent
// posts for the marker. Identical text answers 403 "duplicate": maybe the
// first attempt posted, so it is reconciled, never retried.
import { carriesMarker, hostOf, requestJson, trimSlash } from "./http.ts";
import type { OutgoingPost, PostMetrics, Published, Publisher } from "./types.ts";
import { PublishError } from "./types.ts";

export interface XConfig {
  baseUrl: string;
  accessToken: string;
  /** Where post links point (default https://x.com). */
  webUrl?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export class XPublisher implements Publisher {
  readonly platform = "x" as const;
  readonly mode = "live" as const;
  readonly idempotent = false;
  readonly host: string;
  private readonly config: XConfig;
  private userId: Promise<string> | undefined;

  constructor(config: XConfig) {
    this.config = { ...config, baseUrl: trimSlash(config.baseUrl) };
    this.host = hostOf(config.baseUrl);
  }

  private headers(): Record<string, string> {
    return { authorization: `Bearer ${this.config.accessToken}`, "content-type": "application/json" };
  }

  private opts() {
    return { platform: "x", timeoutMs: this.config.timeoutMs, fetch: this.config.fetch };
  }

  private url(id: string): string {
    return `${trimSlash(this.config.webUrl ?? "https://x.com")}/i/web/status/${id}`;
  }

  async publish(post: OutgoingPost): Promise<Published> {
    let res: Awaited<ReturnType<typeof requestJson<{ data?: { id?: string; text?: string } }>>>;
    try {
      res = await requestJson<{ data?: { id?: string; text?: string } }>(
        `${this.config.baseUrl}/2/tweets`,
        { method: "POST", headers: this.headers(), body: JSON.stringify({ text: post.text }) },
        this.opts(),
      );
    } catch (error) {
      // "Duplicate content" means an earlier attempt may have posted: find it before calling it a refusal.
      if (error instanceof PublishError && error.status === 403 && /duplicate/i.test(error.raw ?? "")) {
        const found = await this.reconcile(post);
        if (found) return found;
      }
      throw error;
    }
    const id = res.data.data?.id;
    if (!id) {
      throw new PublishError("x: a 2xx answer without a post id", {
        errorClass: "system",
        sendState: "unknown",
        status: res.status,
        raw: JSON.stringify(res.data).slice(0, 2000),
      });
    }
    return { platformPostId: id, url: this.url(id), rateLimit: res.rateLimit };
  }

  private me(): Promise<string> {
    this.userId ??= requestJson<{ data: { id: string } }>(
      `${this.config.baseUrl}/2/users/me`,
      { headers: this.headers() },
      this.opts(),
    )
      .then((r) => r.data.data.id)
      .catch((error) => {
        this.userId = undefined;
        throw error;
      });
    return this.userId;
  }

  async reconcile(post: OutgoingPost): Promise<Published | null> {
    const id = await this.me();
    const res = await requestJson<{ data?: { id: string; text: string }[] }>(
      `${this.config.baseUrl}/2/users/${id}/tweets?max_results=100&start_time=${encodeURIComponent(
        new Date(post.createdAt.getTime() - 60_000).toISOString(),
      )}`,
      { headers: this.headers() },
      this.opts(),
    );
    const found = (res.data.data ?? []).find((t) => carriesMarker(t.text, post));
    return found ? { platformPostId: found.id, url: this.url(found.id), detail: { reconciled: true } } : null;
  }

  async fetchMetrics(posts: readonly { platformPostId: string }[]): Promise<Map<string, PostMetrics>> {
    const out = new Map<string, PostMetrics>();
    for (let i = 0; i < posts.length; i += 100) {
      const ids = posts.slice(i, i + 100).map((p) => p.platformPostId);
      const res = await requestJson<{
        data?: {
          id: string;
          public_metrics?: {
            impression_count?: number;
            like_count?: number;
            retweet_count?: number;
            reply_count?: number;
            quote_count?: number;
          };
        }[];
      }>(
        `${this.config.baseUrl}/2/tweets?ids=${ids.join(",")}&tweet.fields=public_metrics`,
        { headers: this.headers() },
        this.opts(),
      );
      for (const t of res.data.data ?? []) {
        const m = t.public_metrics ?? {};
        const metrics: PostMetrics = {};
        if (m.impression_count !== undefined) metrics.impressions = m.impression_count;
        if (m.like_count !== undefined) metrics.likes = m.like_count;
        if (m.retweet_count !== undefined) metrics.reposts = m.retweet_count;
        if (m.reply_count !== undefined) metrics.replies = m.reply_count;
        if (m.quote_count !== undefined) metrics.quotes = m.quote_count;
        out.set(t.id, metrics);
      }
    }
    return out;
  }
}
