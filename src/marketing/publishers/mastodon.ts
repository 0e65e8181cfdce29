// Mastodon through masto (EVA_MASTODON_URL, EVA_MASTODON_TOKEN). Every status
// is created with an Idempotency-Key (the dispatch's key; instances keep it an
// hour), so a retry inside that hour returns the first status; after it, the
// account's recent statuses are searched for the post's marker.
import { createRestAPIClient, type mastodon } from "masto";
import { hostOf, readRateLimit, transportError } from "./http.ts";
import {
  type ErrorClass,
  type OutgoingPost,
  type PostMetrics,
  PublishError,
  type Published,
  type Publisher,
  type SendState,
} from "./types.ts";

export interface MastodonConfig {
  url: string;
  token: string;
  timeoutMs?: number;
}

function classify(error: unknown): PublishError {
  if (error instanceof PublishError) return error;
  const e = error as { statusCode?: number; message?: string; name?: string; cause?: unknown };
  if (typeof e.statusCode !== "number") {
    // MastoTimeoutError (sent, unanswered) or a fetch failure (the cause says whether it left).
    return transportError("mastodon", e.cause ?? error);
  }
  const status = e.statusCode;
  let errorClass: ErrorClass;
  let sendState: SendState = "not_sent";
  if (status === 429) errorClass = "rate_limited";
  else if (status === 401 || status === 403) errorClass = "auth_expired";
  else if (status === 413 || status === 415) errorClass = "media_error";
  else if (status === 422 || status === 400) errorClass = "user_content";
  else if (status < 500) errorClass = "platform_rejected";
  else {
    errorClass = "system";
    sendState = "unknown";
  }
  return new PublishError(`mastodon: HTTP ${status} ${e.message ?? ""}`.trim(), {
    errorClass,
    sendState,
    status,
    raw: e.message,
    cause: error,
  });
}

function stripHtml(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/p>\s*<p>/gi, "\n\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");
}

export class MastodonPublisher implements Publisher {
  readonly platform = "mastodon" as const;
  readonly mode = "live" as const;
  readonly idempotent = true;
  readonly host: string;
  private readonly client: mastodon.rest.Client;
  private account: Promise<mastodon.v1.Account> | undefined;

  constructor(config: MastodonConfig) {
    this.host = hostOf(config.url);
    this.client = createRestAPIClient({
      url: config.url,
      accessToken: config.token,
      timeout: config.timeoutMs ?? 30_000,
      log: "error",
    });
  }

  async publish(post: OutgoingPost): Promise<Published> {
    try {
      const res = await this.client.v1.statuses.create.$raw(
        { status: post.text, visibility: "public" },
        { requestInit: { headers: { "Idempotency-Key": post.idempotencyKey } } },
      );
      return {
        platformPostId: res.data.id,
        url: res.data.url ?? res.data.uri,
        rateLimit: readRateLimit(res.headers),
      };
    } catch (error) {
      throw classify(error);
    }
  }

  private me(): Promise<mastodon.v1.Account> {
    this.account ??= this.client.v1.accounts.verifyCredentials().catch((error) => {
      this.account = undefined;
      throw classify(error);
    });
    return this.account;
  }

  async reconcile(post: OutgoingPost): Promise<Published | null> {
    const me = await this.me();
    try {
      const statuses = await this.client.v1.accounts.$select(me.id).statuses.list({ limit: 40 });
      for (const s of statuses) {
        const text = stripHtml(s.content);
        if (text.includes(post.dispatchId) || text.trim() === post.text.trim()) {
          return { platformPostId: s.id, url: s.url ?? s.uri, detail: { reconciled: true } };
        }
      }
      return null;
    } catch (error) {
      throw classify(error);
    }
  }

  async fetchMetrics(posts: readonly { platformPostId: string }[]): Promise<Map<string, PostMetrics>> {
    const out = new Map<string, PostMetrics>();
    for (const p of posts) {
      try {
        const s = await this.client.v1.statuses.$select(p.platformPostId).fetch();
        out.set(p.platformPostId, { likes: s.favouritesCount, reposts: s.reblogsCount, replies: s.repliesCount });
      } catch (error) {
        const c = classify(error);
        if (c.errorClass === "auth_expired" || c.errorClass === "rate_limited") throw c;
      }
    }
    return out;
  }
}
