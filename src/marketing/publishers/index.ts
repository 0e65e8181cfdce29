// Which publisher a platform gets: the real client when its credentials are
// in the environment, the dry-run publisher otherwise (the offline default).
// Base URLs are configurable so every client can be pointed at a local server.
import { BlueskyPublisher } from "./bluesky.ts";
import { DryRunPublisher } from "./dry-run.ts";
import { LatePublisher } from "./late.ts";
import { MastodonPublisher } from "./mastodon.ts";
import { RedditPublisher } from "./reddit.ts";
import { ThreadsPublisher } from "./threads.ts";
import type { Platform, Publisher } from "./types.ts";
import { XPublisher } from "./x.ts";
import { YouTubePublisher } from "./youtube.ts";

export { DRY_RUN_LABEL, DryRunPublisher } from "./dry-run.ts";
export * from "./types.ts";

/** The environment variables each platform needs before it posts for real. */
export const PLATFORM_ENV: Record<Platform, { required: string[]; optional: string[] }> = {
  bluesky: { required: ["EVA_BLUESKY_IDENTIFIER", "EVA_BLUESKY_APP_PASSWORD"], optional: ["EVA_BLUESKY_SERVICE"] },
  mastodon: { required: ["EVA_MASTODON_URL", "EVA_MASTODON_TOKEN"], optional: [] },
  x: { required: ["EVA_X_ACCESS_TOKEN"], optional: ["EVA_X_API_URL"] },
  youtube: { required: ["EVA_YOUTUBE_TOKEN"], optional: ["EVA_YOUTUBE_API_URL", "EVA_YOUTUBE_PRIVACY"] },
  threads: { required: ["EVA_THREADS_TOKEN", "EVA_THREADS_USER_ID"], optional: ["EVA_THREADS_API_URL"] },
  linkedin: { required: ["EVA_LATE_API_KEY", "EVA_LATE_LINKEDIN_ACCOUNT"], optional: ["EVA_LATE_API_URL"] },
  tiktok: { required: ["EVA_LATE_API_KEY", "EVA_LATE_TIKTOK_ACCOUNT"], optional: ["EVA_LATE_API_URL"] },
  reddit: { required: ["EVA_REDDIT_TOKEN", "EVA_REDDIT_SUBREDDIT"], optional: ["EVA_REDDIT_API_URL"] },
};

/** Each platform's credential names (a platform account's credential_refs keys) → the variable the publisher reads. */
export const ACCOUNT_CREDENTIALS: Record<Platform, { baseUrl: string; credentials: Record<string, string> }> = {
  bluesky: {
    baseUrl: "EVA_BLUESKY_SERVICE",
    credentials: { identifier: "EVA_BLUESKY_IDENTIFIER", password: "EVA_BLUESKY_APP_PASSWORD" },
  },
  mastodon: { baseUrl: "EVA_MASTODON_URL", credentials: { token: "EVA_MASTODON_TOKEN" } },
  x: { baseUrl: "EVA_X_API_URL", credentials: { token: "EVA_X_ACCESS_TOKEN" } },
  youtube: { baseUrl: "EVA_YOUTUBE_API_URL", credentials: { token: "EVA_YOUTUBE_TOKEN" } },
  threads: {
    baseUrl: "EVA_THREADS_API_URL",
    credentials: { token: "EVA_THREADS_TOKEN", user_id: "EVA_THREADS_USER_ID" },
  },
  linkedin: {
    baseUrl: "EVA_LATE_API_URL",
    credentials: { api_key: "EVA_LATE_API_KEY", account: "EVA_LATE_LINKEDIN_ACCOUNT" },
  },
  tiktok: {
    baseUrl: "EVA_LATE_API_URL",
    credentials: { api_key: "EVA_LATE_API_KEY", account: "EVA_LATE_TIKTOK_ACCOUNT" },
  },
  reddit: {
    baseUrl: "EVA_REDDIT_API_URL",
    credentials: { token: "EVA_REDDIT_TOKEN", subreddit: "EVA_REDDIT_SUBREDDIT" },
  },
};

/**
 * The environment a venture's platform account gives its publisher: the
 * account's base URL, and each credential read from the variable its
 * credential_refs names (the account stores names, never secrets). A
 * credential whose variable is unset is left as the environment has it.
 */
export function accountEnv(
  platform: Platform,
  account: { base_url?: string | null; credential_refs?: Record<string, unknown> | null } | undefined,
  env: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  if (!account) return env;
  const spec = ACCOUNT_CREDENTIALS[platform];
  const out: NodeJS.ProcessEnv = { ...env };
  if (account.base_url) out[spec.baseUrl] = account.base_url;
  for (const [name, ref] of Object.entries(account.credential_refs ?? {})) {
    const target = spec.credentials[name];
    if (target && typeof ref === "string" && env[ref]) out[target] = env[ref];
  }
  return out;
}

export function hasCredentials(platform: Platform, env: NodeJS.ProcessEnv = process.env): boolean {
  return PLATFORM_ENV[platform].required.every((name) => Boolean(env[name]));
}

const timeout = (env: NodeJS.ProcessEnv) => Number(env.EVA_PUBLISH_TIMEOUT_MS) || 30_000;

/** The publisher for a platform: live with credentials, dry-run without. */
export function publisherFor(platform: Platform, env: NodeJS.ProcessEnv = process.env): Publisher {
  if (!hasCredentials(platform, env)) return new DryRunPublisher(platform);
  const e = (name: string) => env[name] as string;
  switch (platform) {
    case "bluesky":
      return new BlueskyPublisher({
        service: env.EVA_BLUESKY_SERVICE || "https://bsky.social",
        identifier: e("EVA_BLUESKY_IDENTIFIER"),
        password: e("EVA_BLUESKY_APP_PASSWORD"),
      });
    case "mastodon":
      return new MastodonPublisher({
        url: e("EVA_MASTODON_URL"),
        token: e("EVA_MASTODON_TOKEN"),
        timeoutMs: timeout(env),
      });
    case "x":
      return new XPublisher({
        baseUrl: env.EVA_X_API_URL || "https://api.x.com",
        accessToken: e("EVA_X_ACCESS_TOKEN"),
        timeoutMs: timeout(env),
      });
    case "youtube":
      return new YouTubePublisher({
        rootUrl: env.EVA_YOUTUBE_API_URL || "https://youtube.googleapis.com/",
        token: e("EVA_YOUTUBE_TOKEN"),
        privacyStatus: (env.EVA_YOUTUBE_PRIVACY as "private" | "unlisted" | "public" | undefined) || "private",
      });
    case "threads":
      return new ThreadsPublisher({
        baseUrl: env.EVA_THREADS_API_URL || "https://graph.threads.net",
        token: e("EVA_THREADS_TOKEN"),
        userId: e("EVA_THREADS_USER_ID"),
        timeoutMs: timeout(env),
      });
    case "linkedin":
    case "tiktok":
      return new LatePublisher(platform, {
        baseUrl: env.EVA_LATE_API_URL || "https://zernio.com/api",
        apiKey: e("EVA_LATE_API_KEY"),
        accountId: e(platform === "linkedin" ? "EVA_LATE_LINKEDIN_ACCOUNT" : "EVA_LATE_TIKTOK_ACCOUNT"),
        timeoutMs: timeout(env),
      });
    case "reddit":
      return new RedditPublisher({
        baseUrl: env.EVA_REDDIT_API_URL || "https://oauth.reddit.com",
        token: e("EVA_REDDIT_TOKEN"),
        subreddit: e("EVA_REDDIT_SUBREDDIT"),
        timeoutMs: timeout(env),
      });
  }
}
