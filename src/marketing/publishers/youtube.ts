// YouTube through @googleapis/youtube (EVA_YOUTUBE_API_URL is its rootUrl,
// default https://youtube.googleapis.com/; EVA_YOUTUBE_TOKEN, an OAuth access
// token with youtube.upload). A retried upload makes a second video, so the
// upload is never retried blindly: the video's description carries the
// dispatch id (the marker) and a crash is settled by reading the channel's
// recent uploads for it. Unverified API projects can only upload private videos.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { youtube, type youtube_v3 } from "@googleapis/youtube";
import { classifyStatus, hostOf, readRateLimit, transportError } from "./http.ts";
import type { OutgoingPost, PostMetrics, Published, Publisher } from "./types.ts";
import { PublishError } from "./types.ts";

export interface YouTubeConfig {
  rootUrl: string;
  token: string;
  privacyStatus?: "private" | "unlisted" | "public";
}

function classify(error: unknown): PublishError {
  if (error instanceof PublishError) return error;
  const e = error as { status?: number; response?: { status?: number; data?: unknown; headers?: unknown } };
  const status = e.response?.status ?? e.status;
  if (typeof status !== "number") return transportError("youtube", error);
  const raw = JSON.stringify(e.response?.data ?? (error as Error).message ?? "");
  // YouTube answers an exhausted quota with 403 quotaExceeded.
  const quota = status === 403 && /quotaExceeded|rateLimitExceeded|uploadLimitExceeded/.test(raw);
  const c = quota
    ? { errorClass: "rate_limited" as const, sendState: "not_sent" as const }
    : classifyStatus(status, raw);
  const headers = e.response?.headers;
  return new PublishError(`youtube: HTTP ${status} ${raw.slice(0, 300)}`, {
    ...c,
    status,
    raw: raw.slice(0, 2000),
    rateLimit: headers && typeof headers === "object" ? readRateLimit(headers as Record<string, string>) : undefined,
    cause: error,
  });
}

export class YouTubePublisher implements Publisher {
  readonly platform = "youtube" as const;
  readonly mode = "live" as const;
  readonly idempotent = false;
  readonly host: string;
  private readonly api: youtube_v3.Youtube;
  private readonly config: YouTubeConfig;
  private readonly rootUrl: string;

  constructor(config: YouTubeConfig) {
    this.config = config;
    this.host = hostOf(config.rootUrl);
    this.rootUrl = config.rootUrl.endsWith("/") ? config.rootUrl : `${config.rootUrl}/`;
    this.api = youtube({
      version: "v3",
      rootUrl: this.rootUrl,
      headers: { authorization: `Bearer ${config.token}` },
    });
  }

  async publish(post: OutgoingPost): Promise<Published> {
    if (!post.mediaPath) {
      throw new PublishError("youtube: the variant has no video (asset_video_key)", {
        errorClass: "media_error",
        sendState: "not_sent",
      });
    }
    try {
      await stat(post.mediaPath);
    } catch {
      throw new PublishError(`youtube: the video ${post.mediaPath} is missing`, {
        errorClass: "media_error",
        sendState: "not_sent",
      });
    }
    try {
      const res = await this.api.videos.insert(
        {
          part: ["snippet", "status"],
          requestBody: {
            snippet: { title: (post.title ?? post.text).slice(0, 100), description: post.text },
            status: { privacyStatus: this.config.privacyStatus ?? "private" },
          },
          media: { body: createReadStream(post.mediaPath) },
        },
        // The upload goes to <rootUrl>upload/…, computed from the call's own options, not the client's.
        { rootUrl: this.rootUrl },
      );
      const id = res.data.id;
      if (!id)
        throw new PublishError("youtube: an answer without a video id", { errorClass: "system", sendState: "unknown" });
      return { platformPostId: id, url: `https://www.youtube.com/watch?v=${id}` };
    } catch (error) {
      throw classify(error);
    }
  }

  async reconcile(post: OutgoingPost): Promise<Published | null> {
    try {
      const found = await this.api.search.list({
        part: ["snippet"],
        forMine: true,
        type: ["video"],
        maxResults: 50,
        order: "date",
      });
      const ids = (found.data.items ?? []).map((i) => i.id?.videoId).filter((id): id is string => Boolean(id));
      if (ids.length === 0) return null;
      const videos = await this.api.videos.list({ part: ["snippet"], id: ids });
      const match = (videos.data.items ?? []).find((v) => (v.snippet?.description ?? "").includes(post.dispatchId));
      return match?.id
        ? { platformPostId: match.id, url: `https://www.youtube.com/watch?v=${match.id}`, detail: { reconciled: true } }
        : null;
    } catch (error) {
      throw classify(error);
    }
  }

  async fetchMetrics(posts: readonly { platformPostId: string }[]): Promise<Map<string, PostMetrics>> {
    const out = new Map<string, PostMetrics>();
    for (let i = 0; i < posts.length; i += 50) {
      const ids = posts.slice(i, i + 50).map((p) => p.platformPostId);
      try {
        const res = await this.api.videos.list({ part: ["statistics"], id: ids });
        for (const v of res.data.items ?? []) {
          if (!v.id) continue;
          const s = v.statistics ?? {};
          const m: PostMetrics = {};
          if (s.viewCount != null) m.views = Number(s.viewCount);
          if (s.likeCount != null) m.likes = Number(s.likeCount);
          if (s.commentCount != null) m.replies = Number(s.commentCount);
          out.set(v.id, m);
        }
      } catch (error) {
        throw classify(error);
      }
    }
    return out;
  }
}
