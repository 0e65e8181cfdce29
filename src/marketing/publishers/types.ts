// The one interface every platform's publisher implements, and the error every
// one of them throws: classified (what went wrong) and placed (whether the
// request can have reached the platform). Only an error proven to have
// happened before anything was sent may be retried blindly; any other
// failure leaves the post "unconfirmed" until it is reconciled by reading the
// platform back.

export const PLATFORMS = ["bluesky", "mastodon", "x", "youtube", "threads", "linkedin", "tiktok", "reddit"] as const;
export type Platform = (typeof PLATFORMS)[number];

export function isPlatform(value: unknown): value is Platform {
  return typeof value === "string" && (PLATFORMS as readonly string[]).includes(value);
}

export type ErrorClass =
  | "auth_expired"
  | "user_content"
  | "platform_rejected"
  | "rate_limited"
  | "media_error"
  | "system";

/**
 * Where a failed call stands: `not_sent` (refused before the platform acted:
 * DNS, connection refused, a 429, a 4xx validation refusal), `unknown` (a
 * timeout or 5xx after the request went out: it may have posted).
 */
export type SendState = "not_sent" | "unknown";

/** What a response's rate-limit headers said (any field may be missing). */
export interface RateLimitInfo {
  limit?: number;
  remaining?: number;
  resetAt?: string;
  /** Which header family: x-rate-limit-*, x-ratelimit-*, ratelimit-*, retry-after. */
  source?: string;
}

export class PublishError extends Error {
  readonly errorClass: ErrorClass;
  readonly sendState: SendState;
  readonly status: number | null;
  readonly rateLimit: RateLimitInfo | undefined;
  /** The platform says this was already posted (Late's 409 DUPLICATE_CONTENT). */
  readonly existingPostId: string | undefined;
  /** The provider's own error text, kept raw. */
  readonly raw: string | undefined;

  constructor(
    message: string,
    options: {
      errorClass: ErrorClass;
      sendState: SendState;
      status?: number | null;
      rateLimit?: RateLimitInfo | undefined;
      existingPostId?: string | undefined;
      raw?: string | undefined;
      cause?: unknown;
    },
  ) {
    super(message, { cause: options.cause });
    this.name = "PublishError";
    this.errorClass = options.errorClass;
    this.sendState = options.sendState;
    this.status = options.status ?? null;
    this.rateLimit = options.rateLimit;
    this.existingPostId = options.existingPostId;
    this.raw = options.raw;
  }

  /** Safe to try again automatically: nothing reached the platform, and the cause is passing. */
  get retryable(): boolean {
    return this.sendState === "not_sent" && (this.errorClass === "rate_limited" || this.errorClass === "system");
  }

  /** Counts against the provider's circuit breaker: the platform (or the way to it) failed, not our post. */
  get circuitFailure(): boolean {
    return this.errorClass === "system" || this.errorClass === "rate_limited";
  }
}

/** One post going out: the variant's text for one platform, keyed by its dispatch. */
export interface OutgoingPost {
  dispatchId: string;
  /** Deterministic for (variant, platform, account): the same on every attempt. */
  idempotencyKey: string;
  platform: Platform;
  text: string;
  /** The link (UTM-tagged, carrying the dispatch id as utm_id: the post's marker). */
  link?: string | null;
  title?: string | null;
  /** A local media file (YouTube's video). */
  mediaPath?: string | null;
  /** When the dispatch was created: Bluesky's record key is derived from it. */
  createdAt: Date;
  /** What earlier attempts saved before their irreversible call (an rkey, a container id). */
  ref: Record<string, unknown>;
}

export interface Published {
  platformPostId: string;
  url: string | null;
  rateLimit?: RateLimitInfo | undefined;
  /** Extra facts worth keeping (cid, container id). */
  detail?: Record<string, unknown>;
}

export interface PublishContext {
  /** Saves `ref` on the dispatch before the irreversible call: awaited, so a crash after it keeps it. */
  checkpoint(ref: Record<string, unknown>): Promise<void>;
}

/** Counts read from the platform for one post; a count the platform does not give is absent (unknown). */
export interface PostMetrics {
  impressions?: number;
  likes?: number;
  reposts?: number;
  replies?: number;
  quotes?: number;
  clicks?: number;
  views?: number;
}

export interface Publisher {
  readonly platform: Platform;
  /** `live` posts; `dry_run` records what would have been posted. */
  readonly mode: "live" | "dry_run";
  /** The host calls go to (the provider's circuit breaker is provider:<host>); null for dry-run. */
  readonly host: string | null;
  /** Whether a repeated publish of the same post is harmless (the platform dedupes by our key). */
  readonly idempotent: boolean;
  publish(post: OutgoingPost, ctx: PublishContext): Promise<Published>;
  /** Finds the post on the platform by its marker after a crash or an unconfirmed answer; null: not there. */
  reconcile(post: OutgoingPost): Promise<Published | null>;
  fetchMetrics(posts: readonly { platformPostId: string }[]): Promise<Map<string, PostMetrics>>;
}
