// Threads through Meta's Graph API over fetch (EVA_THREADS_API_URL, default
// https://graph.threads.net; EVA_THREADS_TOKEN, EVA_THREADS_USER_ID). No
// idempotency key: a post is a container (created, its id saved on the
// dispatch) that is published once. threads_publish can fail with a 5xx
// after publishing, so a retry first reads the saved container's status:
// PUBLISHED settles it, FINISHED publishes it, ERROR or EXPIRED re-create it.
import { hostOf, requestJson, trimSlash } from "./http.ts";
import {
  type OutgoingPost,
  type PostMetrics,
  type PublishContext,
  PublishError,
  type Published,
  type Publisher,
} from "./types.ts";

export interface ThreadsConfig {
  baseUrl: string;
  token: string;
  userId: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

interface ContainerStatus {
  id: string;
  status?: "IN_PROGRESS" | "FINISHED" | "ERROR" | "EXPIRED" | "PUBLISHED";
  error_message?: string;
}

export class ThreadsPublisher implements Publisher {
  readonly platform = "threads" as const;
  readonly mode = "live" as const;
  readonly idempotent = false;
  readonly host: string;
  private readonly config: ThreadsConfig;

  constructor(config: ThreadsConfig) {
    this.config = { ...config, baseUrl: trimSlash(config.baseUrl) };
    this.host = hostOf(config.baseUrl);
  }

  private opts() {
    return { platform: "threads", timeoutMs: this.config.timeoutMs, fetch: this.config.fetch };
  }

  /** A request; Meta answers an expired or revoked token with OAuthException code 190, often over HTTP 400. */
  private async request<T>(url: string, init: RequestInit = {}) {
    try {
      return await requestJson<T>(url, init, this.opts());
    } catch (error) {
      if (error instanceof PublishError && error.status !== null && /"code"\s*:\s*190\b/.test(error.raw ?? ""))
        throw new PublishError(error.message, {
          errorClass: "auth_expired",
          sendState: "not_sent",
          status: error.status,
          rateLimit: error.rateLimit,
          raw: error.raw,
          cause: error,
        });
      throw error;
    }
  }

  private api(path: string, params: Record<string, string> = {}): string {
    const q = new URLSearchParams({ ...params, access_token: this.config.token });
    return `${this.config.baseUrl}/v1.0/${path}?${q}`;
  }

  private async container(id: string): Promise<ContainerStatus> {
    return (await this.request<ContainerStatus>(this.api(id, { fields: "id,status,error_message" }))).data;
  }

  /** The published post a container became (Threads gives its media id through the user's threads list). */
  private async permalink(mediaId: string): Promise<string | null> {
    try {
      const r = await this.request<{ permalink?: string }>(this.api(mediaId, { fields: "id,permalink" }));
      return r.data.permalink ?? null;
    } catch {
      return null;
    }
  }

  async publish(post: OutgoingPost, ctx: PublishContext): Promise<Published> {
    let containerId = typeof post.ref.containerId === "string" ? post.ref.containerId : null;
    if (containerId) {
      const status = await this.container(containerId);
      if (status.status === "PUBLISHED") {
        const found = await this.reconcile(post);
        if (found) return found;
      }
      if (status.status === "ERROR" || status.status === "EXPIRED") containerId = null;
      if (status.status === "IN_PROGRESS") {
        throw new PublishError("threads: the container is still being processed", {
          errorClass: "system",
          sendState: "not_sent",
        });
      }
    }
    if (!containerId) {
      const created = await this.request<{ id: string }>(
        this.api(`${this.config.userId}/threads`, { media_type: "TEXT", text: post.text }),
        { method: "POST" },
      );
      containerId = created.data.id;
      await ctx.checkpoint({ containerId });
    }
    const res = await this.request<{ id: string }>(
      this.api(`${this.config.userId}/threads_publish`, { creation_id: containerId }),
      { method: "POST" },
    );
    return {
      platformPostId: res.data.id,
      url: await this.permalink(res.data.id),
      rateLimit: res.rateLimit,
      detail: { containerId },
    };
  }

  async reconcile(post: OutgoingPost): Promise<Published | null> {
    const res = await this.request<{ data?: { id: string; text?: string; permalink?: string }[] }>(
      this.api(`${this.config.userId}/threads`, { fields: "id,text,permalink", limit: "50" }),
    );
    const found = (res.data.data ?? []).find(
      (t) => (t.text ?? "").includes(post.dispatchId) || (t.text ?? "").trim() === post.text.trim(),
    );
    return found ? { platformPostId: found.id, url: found.permalink ?? null, detail: { reconciled: true } } : null;
  }

  async fetchMetrics(posts: readonly { platformPostId: string }[]): Promise<Map<string, PostMetrics>> {
    const out = new Map<string, PostMetrics>();
    for (const p of posts) {
      const res = await this.request<{ data?: { name: string; values?: { value: number }[] }[] }>(
        this.api(`${p.platformPostId}/insights`, { metric: "views,likes,replies,reposts,quotes" }),
      );
      const m: PostMetrics = {};
      for (const row of res.data.data ?? []) {
        const value = row.values?.[0]?.value;
        if (typeof value !== "number") continue;
        if (row.name === "views") m.views = value;
        if (row.name === "likes") m.likes = value;
        if (row.name === "replies") m.replies = value;
        if (row.name === "reposts") m.reposts = value;
        if (row.name === "quotes") m.quotes = value;
      }
      out.set(p.platformPostId, m);
    }
    return out;
  }
}
