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
