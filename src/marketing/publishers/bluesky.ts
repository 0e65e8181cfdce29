// Bluesky through @atproto/api against any PDS (EVA_BLUESKY_SERVICE). The
// post's record key is a TID derived from the dispatch (its creation time and
// a hash of its idempotency key), saved before createRecord: a retry writes
// the same key, and after a crash getRecord tells whether the first attempt
// landed (a duplicate rkey answers 500 today, so it is never relied on).
// Links become facets with UTF-8 byte offsets, or they would be plain text.
import { createHash } from "node:crypto";
import { AtpAgent, RichText } from "@atproto/api";
import { hostOf, readRateLimit, transportError } from "./http.ts";
import {
  type ErrorClass,
  type OutgoingPost,
  type PostMetrics,
  type PublishContext,
  PublishError,
  type Published,
  type Publisher,
  type SendState,
} from "./types.ts";

export interface BlueskyConfig {
  service: string;
  identifier: string;
  password: string;
  /** Where post links point (default https://bsky.app). */
  webUrl?: string;
}

const S32 = "234567abcdefghijklmnopqrstuvwxyz";

/** A TID (13 base32-sortable chars: 53 bits of microseconds, 10 bits of clock id) for this dispatch, always the same. */
export function dispatchRkey(createdAt: Date, idempotencyKey: string): string {
  const micros = BigInt(createdAt.getTime()) * 1000n;
  const clockId = BigInt(createHash("sha256").update(idempotencyKey).digest().readUInt16BE(0) & 0x3ff);
  let n = (micros << 10n) | clockId;
  let out = "";
  for (let i = 0; i < 13; i++) {
    out = S32[Number(n & 31n)] + out;
    n >>= 5n;
  }
  return out;
}

const COLLECTION = "app.bsky.feed.post";

/** Maps an XRPC failure: status 1 is a transport failure (the cause says whether it was sent). */
function classify(error: unknown): PublishError {
  if (error instanceof PublishError) return error;
  const e = error as { status?: number; error?: string; message?: string; headers?: Record<string, string> };
  const status = typeof e.status === "number" ? e.status : 1;
  const name = e.error ?? "";
  const rateLimit = e.headers ? readRateLimit(e.headers) : undefined;
  if (status <= 2) return transportError("bluesky", (error as { cause?: unknown }).cause ?? error);
  let errorClass: ErrorClass;
  let sendState: SendState = "not_sent";
  if (status === 429 || name === "RateLimitExceeded") errorClass = "rate_limited";
  else if (status === 401 || name === "ExpiredToken" || name === "InvalidToken" || name === "AuthRequired")
    errorClass = "auth_expired";
  else if (status === 413 || name === "BlobTooLarge") errorClass = "media_error";
  else if (status === 400) errorClass = "user_content";
  else if (status < 500) errorClass = "platform_rejected";
  else {
    errorClass = "system";
    sendState = "unknown";
  }
  return new PublishError(`bluesky: ${status} ${name} ${e.message ?? ""}`.trim(), {
    errorClass,
    sendState,
    status,
    rateLimit,
    raw: e.message,
    cause: error,
  });
}

// Sessions are few per day (createSession is rate-limited): one agent per account, reused.
const agents = new Map<string, Promise<AtpAgent>>();

export class BlueskyPublisher implements Publisher {
  readonly platform = "bluesky" as const;
  readonly mode = "live" as const;
  readonly idempotent = true;
  readonly host: string;
  private readonly config: BlueskyConfig;

  constructor(config: BlueskyConfig) {
    this.config = config;
    this.host = hostOf(config.service);
  }

  private agent(): Promise<AtpAgent> {
    const secret = createHash("sha256").update(this.config.password).digest("hex").slice(0, 16);
    const key = `${this.config.service}|${this.config.identifier}|${secret}`;
    let agent = agents.get(key);
    if (!agent) {
      agent = (async () => {
        const a = new AtpAgent({ service: this.config.service });
        try {
          await a.login({ identifier: this.config.identifier, password: this.config.password });
        } catch (error) {
          agents.delete(key);
          throw classify(error);
        }
        return a;
      })();
      agents.set(key, agent);
    }
    return agent;
  }

  private url(handle: string, rkey: string): string {
    return `${(this.config.webUrl ?? "https://bsky.app").replace(/\/+$/, "")}/profile/${handle}/post/${rkey}`;
  }

  async publish(post: OutgoingPost, ctx: PublishContext): Promise<Published> {
    const agent = await this.agent();
    const rkey = typeof post.ref.rkey === "string" ? post.ref.rkey : dispatchRkey(post.createdAt, post.idempotencyKey);
    const did = agent.session?.did as string;
    await ctx.checkpoint({ rkey, repo: did });
    const rt = new RichText({ text: post.text });
    rt.detectFacetsWithoutResolution();
    const record: Record<string, unknown> = {
      $type: COLLECTION,
      text: rt.text,
      createdAt: post.createdAt.toISOString(),
    };
    if (rt.facets?.length) record.facets = rt.facets;
    try {
      const res = await agent.com.atproto.repo.createRecord({ repo: did, collection: COLLECTION, rkey, record });
      return {
        platformPostId: res.data.uri,
        url: this.url(agent.session?.handle ?? did, rkey),
        rateLimit: readRateLimit(res.headers),
        detail: { cid: res.data.cid, rkey },
      };
    } catch (error) {
      const classified = classify(error);
      // The key is ours and fixed: a failure after sending is settled by reading the record back.
      if (classified.sendState === "unknown") {
        const found = await this.reconcile({ ...post, ref: { ...post.ref, rkey } }).catch(() => null);
        if (found) return found;
      }
      throw classified;
    }
  }

  async reconcile(post: OutgoingPost): Promise<Published | null> {
    const agent = await this.agent();
    const rkey = typeof post.ref.rkey === "string" ? post.ref.rkey : dispatchRkey(post.createdAt, post.idempotencyKey);
    const did = agent.session?.did as string;
    try {
      const res = await agent.com.atproto.repo.getRecord({ repo: did, collection: COLLECTION, rkey });
      return {
        platformPostId: res.data.uri,
        url: this.url(agent.session?.handle ?? did, rkey),
        detail: { cid: res.data.cid, rkey, reconciled: true },
      };
    } catch (error) {
      const e = error as { status?: number; error?: string };
      if (e.status === 400 && e.error === "RecordNotFound") return null;
      if (e.status === 404) return null;
      throw classify(error);
    }
  }

  async fetchMetrics(posts: readonly { platformPostId: string }[]): Promise<Map<string, PostMetrics>> {
    const out = new Map<string, PostMetrics>();
    if (posts.length === 0) return out;
    const agent = await this.agent();
    for (let i = 0; i < posts.length; i += 25) {
      const uris = posts.slice(i, i + 25).map((p) => p.platformPostId);
      try {
        const res = await agent.app.bsky.feed.getPosts({ uris });
        for (const p of res.data.posts) {
          const m: PostMetrics = {};
          if (typeof p.likeCount === "number") m.likes = p.likeCount;
          if (typeof p.repostCount === "number") m.reposts = p.repostCount;
          if (typeof p.replyCount === "number") m.replies = p.replyCount;
          if (typeof p.quoteCount === "number") m.quotes = p.quoteCount;
          out.set(p.uri, m);
        }
      } catch (error) {
        // A PDS without an AppView has no counts: those posts stay unknown.
        const c = classify(error);
        if (c.errorClass === "auth_expired" || c.errorClass === "rate_limited") throw c;
      }
    }
    return out;
  }
}
