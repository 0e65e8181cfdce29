// Reddit over fetch (EVA_REDDIT_API_URL, default https://oauth.reddit.com;
// EVA_REDDIT_TOKEN, EVA_REDDIT_SUBREDDIT). Off by default: a venture posts to
// Reddit only once the Chairman enabled it (marketing.fn_set_reddit_enabled);
// the dispatch refuses otherwise. No idempotency key: the link submission
// carries the dispatch id (utm_id) and reconciliation reads the account's
// recent submissions for it.
import { carriesMarker, hostOf, requestJson, trimSlash } from "./http.ts";
import type { OutgoingPost, PostMetrics, Published, Publisher } from "./types.ts";
import { PublishError } from "./types.ts";

export interface RedditConfig {
  baseUrl: string;
  token: string;
  subreddit: string;
  userAgent?: string;
  timeoutMs?: number;
}

export class RedditPublisher implements Publisher {
  readonly platform = "reddit" as const;
  readonly mode = "live" as const;
  readonly idempotent = false;
  readonly host: string;
  private readonly config: RedditConfig;

  constructor(config: RedditConfig) {
    this.config = { ...config, baseUrl: trimSlash(config.baseUrl) };
    this.host = hostOf(config.baseUrl);
  }

  private headers(): Record<string, string> {
    return {
      authorization: `Bearer ${this.config.token}`,
      "user-agent": this.config.userAgent ?? "eva-marketing/0.1",
    };
  }

  private opts() {
    return { platform: "reddit", timeoutMs: this.config.timeoutMs };
  }

  async publish(post: OutgoingPost): Promise<Published> {
    const form = new URLSearchParams({
      sr: this.config.subreddit,
      title: (post.title ?? post.text).slice(0, 300),
      api_type: "json",
      ...(post.link ? { kind: "link", url: post.link } : { kind: "self", text: post.text }),
    });
    const res = await requestJson<{
      json?: { errors?: unknown[][]; data?: { id?: string; name?: string; url?: string } };
    }>(
      `${this.config.baseUrl}/api/submit`,
      {
        method: "POST",
        headers: { ...this.headers(), "content-type": "application/x-www-form-urlencoded" },
        body: form,
      },
      this.opts(),
    );
    const errors = res.data.json?.errors ?? [];
    if (errors.length > 0) {
      const raw = JSON.stringify(errors);
      throw new PublishError(`reddit: ${raw.slice(0, 300)}`, {
        errorClass: /RATELIMIT/.test(raw) ? "rate_limited" : "user_content",
        sendState: "not_sent",
        status: res.status,
        raw,
      });
    }
    const data = res.data.json?.data;
    if (!data?.name)
      throw new PublishError("reddit: an answer without a post id", { errorClass: "system", sendState: "unknown" });
    return { platformPostId: data.name, url: data.url ?? null, rateLimit: res.rateLimit };
  }

  async reconcile(post: OutgoingPost): Promise<Published | null> {
    const me = await requestJson<{ name: string }>(
      `${this.config.baseUrl}/api/v1/me`,
      { headers: this.headers() },
      this.opts(),
    );
    const res = await requestJson<{
      data?: { children?: { data: { name: string; url?: string; selftext?: string; permalink?: string } }[] };
    }>(`${this.config.baseUrl}/user/${me.data.name}/submitted?limit=50`, { headers: this.headers() }, this.opts());
    const found = (res.data.data?.children ?? [])
      .map((c) => c.data)
      .find((d) => carriesMarker(d.url, post) || carriesMarker(d.selftext, post));
    return found ? { platformPostId: found.name, url: found.url ?? null, detail: { reconciled: true } } : null;
  }

  async fetchMetrics(posts: readonly { platformPostId: string }[]): Promise<Map<string, PostMetrics>> {
    const out = new Map<string, PostMetrics>();
    if (posts.length === 0) return out;
    const res = await requestJson<{
      data?: { children?: { data: { name: string; score?: number; num_comments?: number } }[] };
    }>(
      `${this.config.baseUrl}/api/info?id=${posts.map((p) => p.platformPostId).join(",")}`,
      { headers: this.headers() },
      this.opts(),
    );
    for (const c of res.data.data?.children ?? []) {
      const m: PostMetrics = {};
      if (typeof c.data.score === "number") m.likes = c.data.score;
      if (typeof c.data.num_comments === "number") m.replies = c.data.num_comments;
      out.set(c.data.name, m);
    }
    return out;
  }
}
