// The media client factory (spec §17.3, like the LLM client factory): which
// provider makes a video, and each provider's client from the environment.
//
//   video, content_tier = 'hero' → Veo, then Kling, then Runway
//   video, otherwise             → Kling, then Runway
//   image                        → Gemini (the offline renderer, labelled simulation, without a key)
//
// Veo never makes standard content (its hero-only rule exists to stop cost
// drift, so a failed Kling does not move standard video to Veo). Runway is
// tried only after every provider before it on the route failed with a
// provider error (or its circuit breaker was open) — never for content type.
import { GEMINI_BASE_URL, GEMINI_IMAGE_MODEL, GeminiImageClient, VEO_MODEL, VeoClient } from "./gemini.ts";
import { KLING_BASE_URL, KLING_MODEL, KlingClient } from "./kling.ts";
import { OFFLINE_MODEL, renderOffline } from "./offline-renderer.ts";
import { RUNWAY_BASE_URL, RUNWAY_MODEL, RunwayClient } from "./runway.ts";
import type { GeneratedImage, ImageGenerator, ImageRequest, VideoClient, VideoProvider } from "./types.ts";

export type ContentTier = "standard" | "hero";

/** The providers a video goes to, in order, for its content tier. */
export function videoRoute(tier: ContentTier): VideoProvider[] {
  return tier === "hero" ? ["veo", "kling", "runway"] : ["kling", "runway"];
}

const ASPECT: Record<string, [number, number]> = {
  "1:1": [1024, 1024],
  "16:9": [1280, 720],
  "9:16": [720, 1280],
  "4:3": [1024, 768],
  "3:4": [768, 1024],
  "3:2": [1200, 800],
  "2:3": [800, 1200],
  "21:9": [1680, 720],
};

/** A canvas for an aspect ratio (the offline renderer's size when no template gives one). */
export function sizeFor(aspectRatio: string): [number, number] {
  return ASPECT[aspectRatio] ?? [1280, 720];
}

/** The deterministic local renderer as an image generator (no call, no cost, simulation). */
export class OfflineImageGenerator implements ImageGenerator {
  readonly provider = "offline" as const;
  readonly model = OFFLINE_MODEL;
  readonly circuit = null;
  async generate(request: ImageRequest): Promise<GeneratedImage> {
    const [w, h] = sizeFor(request.aspectRatio);
    const r = await renderOffline(request.prompt, w, h);
    return { bytes: r.bytes, mime: r.mime, model: r.model, simulation: true };
  }
}

const env = (e: NodeJS.ProcessEnv, ...names: string[]) => {
  for (const n of names) if (e[n]) return e[n];
  return undefined;
};

/** The image generator: Gemini when EVA_GEMINI_API_KEY (or GEMINI_API_KEY) is set, else the offline renderer. */
export function imageGeneratorFromEnv(e: NodeJS.ProcessEnv = process.env): ImageGenerator {
  const apiKey = env(e, "EVA_GEMINI_API_KEY", "GEMINI_API_KEY");
  if (!apiKey || e.EVA_MEDIA_OFFLINE === "1") return new OfflineImageGenerator();
  return new GeminiImageClient({
    apiKey,
    model: e.EVA_GEMINI_IMAGE_MODEL || GEMINI_IMAGE_MODEL,
    baseUrl: e.EVA_GEMINI_BASE_URL || GEMINI_BASE_URL,
  });
}

/** A video provider's client from the environment, or null when its keys are not set. */
export function videoClientFromEnv(provider: VideoProvider, e: NodeJS.ProcessEnv = process.env): VideoClient | null {
  switch (provider) {
    case "kling": {
      const accessKey = e.EVA_KLING_ACCESS_KEY;
      const secretKey = e.EVA_KLING_SECRET_KEY;
      if (!accessKey || !secretKey) return null;
      return new KlingClient({
        accessKey,
        secretKey,
        model: e.EVA_KLING_MODEL || KLING_MODEL,
        baseUrl: e.EVA_KLING_BASE_URL || KLING_BASE_URL,
      });
    }
    case "veo": {
      const apiKey = env(e, "EVA_GEMINI_API_KEY", "GEMINI_API_KEY");
      if (!apiKey) return null;
      return new VeoClient({
        apiKey,
        model: e.EVA_VEO_MODEL || VEO_MODEL,
        baseUrl: e.EVA_GEMINI_BASE_URL || GEMINI_BASE_URL,
      });
    }
    case "runway": {
      const apiKey = env(e, "EVA_RUNWAY_API_KEY", "RUNWAYML_API_SECRET");
      if (!apiKey) return null;
      return new RunwayClient({
        apiKey,
        model: e.EVA_RUNWAY_MODEL || RUNWAY_MODEL,
        baseUrl: e.EVA_RUNWAY_BASE_URL || RUNWAY_BASE_URL,
      });
    }
  }
}

/** What each provider needs set, for messages. */
export const PROVIDER_KEYS: Record<VideoProvider | "gemini", string> = {
  kling: "EVA_KLING_ACCESS_KEY and EVA_KLING_SECRET_KEY",
  veo: "EVA_GEMINI_API_KEY",
  runway: "EVA_RUNWAY_API_KEY",
  gemini: "EVA_GEMINI_API_KEY",
};
