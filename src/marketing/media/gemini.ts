// Google's Gemini API through @google/genai: images from the Gemini image
// model (spec §17.2: Nano Banana Pro, gemini-3-pro-image-preview, with up to
// 14 brand reference images) and Veo video (§17.3, hero content only) as a
// long-running operation — submitted once, then looked at by its name on each
// poll. The base URL is configurable (httpOptions.baseUrl) for a local server.
import { ApiError, GoogleGenAI } from "@google/genai";
import {
  type GeneratedImage,
  type ImageGenerator,
  type ImageRequest,
  isProviderStatus,
  MediaError,
  type MediaProvider,
  providerCircuit,
  type VideoClient,
  type VideoRequest,
  type VideoStatus,
} from "./types.ts";

export const GEMINI_IMAGE_MODEL = "gemini-3-pro-image-preview";
export const VEO_MODEL = "veo-3.1-generate-preview";
export const GEMINI_BASE_URL = "https://generativelanguage.googleapis.com";
export const MAX_REFERENCE_IMAGES = 14;

export interface GeminiOptions {
  apiKey: string;
  model?: string;
  baseUrl?: string;
  timeoutMs?: number;
}

function client(o: GeminiOptions): GoogleGenAI {
  return new GoogleGenAI({
    apiKey: o.apiKey,
    httpOptions: {
      baseUrl: o.baseUrl ?? GEMINI_BASE_URL,
      apiVersion: "v1beta",
      timeout: o.timeoutMs ?? 120_000,
      // One attempt: a failure goes to the circuit breaker and the job's backoff, not a hidden retry loop.
      retryOptions: { attempts: 1 },
    },
  });
}

function classify(provider: MediaProvider, error: unknown): MediaError {
  if (error instanceof MediaError) return error;
  if (error instanceof ApiError) {
    return new MediaError(provider, `HTTP ${error.status}: ${error.message.slice(0, 500)}`, {
      providerError: isProviderStatus(error.status),
      status: error.status,
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  // A transport error or a timeout: the provider's side.
  return new MediaError(provider, message.slice(0, 500), { providerError: true, cause: error });
}

export class GeminiImageClient implements ImageGenerator {
  readonly provider = "gemini" as const;
  readonly model: string;
  readonly circuit: string;
  private readonly ai: GoogleGenAI;
  constructor(options: GeminiOptions) {
    this.model = options.model ?? GEMINI_IMAGE_MODEL;
    this.circuit = providerCircuit(options.baseUrl ?? GEMINI_BASE_URL);
    this.ai = client(options);
  }

  async generate(request: ImageRequest): Promise<GeneratedImage> {
    const references = request.references.slice(0, MAX_REFERENCE_IMAGES);
    let response: Awaited<ReturnType<GoogleGenAI["models"]["generateContent"]>>;
    try {
      response = await this.ai.models.generateContent({
        model: this.model,
        contents: [
          {
            role: "user",
            parts: [
              { text: request.prompt },
              ...references.map((r) => ({
                inlineData: { mimeType: r.mime, data: Buffer.from(r.bytes).toString("base64") },
              })),
            ],
          },
        ],
        config: { responseModalities: ["IMAGE"], imageConfig: { aspectRatio: request.aspectRatio } },
      });
    } catch (error) {
      throw classify("gemini", error);
    }
    const parts = response.candidates?.[0]?.content?.parts ?? [];
    const image = parts.find((p) => p.inlineData?.data);
    if (!image?.inlineData?.data) {
      const reason = response.candidates?.[0]?.finishReason ?? response.promptFeedback?.blockReason ?? "no image part";
      // The model answered without an image (a safety block, a refusal): the request's problem, not the provider's.
      throw new MediaError("gemini", `no image in the answer (${reason})`, { providerError: false });
    }
    return {
      bytes: Buffer.from(image.inlineData.data, "base64"),
      mime: image.inlineData.mimeType ?? "image/png",
      model: this.model,
      simulation: false,
    };
  }
}

/**
 * Veo on the Gemini API, over its REST API: @google/genai 3.x sends
 * generateVideos only to Vertex AI, so the client speaks the documented
 * long-running calls itself — POST /v1beta/models/<model>:predictLongRunning
 * ({instances: [{prompt, image: {bytesBase64Encoded, mimeType}}], parameters}),
 * then GET /v1beta/<operation name> until done.
 */
export class VeoClient implements VideoClient {
  readonly provider = "veo" as const;
  readonly model: string;
  readonly circuit: string;
  private readonly apiKey: string;
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  constructor(options: GeminiOptions) {
    this.model = options.model ?? VEO_MODEL;
    this.baseUrl = (options.baseUrl ?? GEMINI_BASE_URL).replace(/\/+$/, "");
    this.circuit = providerCircuit(this.baseUrl);
    this.apiKey = options.apiKey;
    this.timeoutMs = options.timeoutMs ?? 120_000;
  }

  accepts(): boolean {
    return true;
  }

  billedSeconds(durationSeconds: number): number {
    return durationSeconds;
  }

  private async call(method: "GET" | "POST", path: string, body?: unknown): Promise<VeoOperation> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}/v1beta/${path}`, {
        method,
        headers: { "x-goog-api-key": this.apiKey, "content-type": "application/json" },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw classify("veo", error);
    }
    const text = await res.text();
    if (!res.ok) {
      throw new MediaError("veo", `HTTP ${res.status}: ${text.slice(0, 500)}`, {
        providerError: isProviderStatus(res.status),
        status: res.status,
      });
    }
    try {
      return JSON.parse(text) as VeoOperation;
    } catch {
      throw new MediaError("veo", `not JSON: ${text.slice(0, 200)}`, { providerError: true });
    }
  }

  async submit(request: VideoRequest): Promise<string> {
    const op = await this.call("POST", `models/${encodeURIComponent(this.model)}:predictLongRunning`, {
      instances: [
        {
          prompt: request.prompt,
          ...(request.image
            ? {
                image: {
                  bytesBase64Encoded: Buffer.from(request.image.bytes).toString("base64"),
                  mimeType: request.image.mime,
                },
              }
            : {}),
        },
      ],
      parameters: { aspectRatio: request.aspectRatio, durationSeconds: request.durationSeconds, sampleCount: 1 },
    });
    if (!op.name) throw new MediaError("veo", "the operation has no name", { providerError: true });
    return op.name;
  }

  async poll(jobId: string): Promise<VideoStatus> {
    if (!/^[A-Za-z0-9._/-]+$/.test(jobId))
      throw new MediaError("veo", `not an operation name: ${jobId}`, { providerError: false });
    const op = await this.call("GET", jobId);
    if (!op.done) return { state: "running" };
    if (op.error) return { state: "failed", error: `${op.error.code ?? ""} ${op.error.message ?? ""}`.trim() };
    const response = op.response?.generateVideoResponse;
    const video = response?.generatedSamples?.[0]?.video;
    if (!video?.uri && !video?.encodedVideo) {
      const filtered = response?.raiMediaFilteredReasons?.join("; ");
      return { state: "failed", error: `no video in the operation${filtered ? ` (filtered: ${filtered})` : ""}` };
    }
    return {
      state: "succeeded",
      ...(video.uri ? { url: video.uri } : {}),
      ...(video.encodedVideo ? { bytes: Buffer.from(video.encodedVideo, "base64") } : {}),
      mime: video.encoding ?? "video/mp4",
    };
  }

  async download(status: Extract<VideoStatus, { state: "succeeded" }>): Promise<Buffer> {
    if (status.bytes) return status.bytes;
    if (!status.url) throw new MediaError("veo", "the finished operation has no video", { providerError: true });
    return fetchBytes("veo", status.url, { "x-goog-api-key": this.apiKey }, this.timeoutMs);
  }
}

interface VeoOperation {
  name?: string;
  done?: boolean;
  error?: { code?: number; message?: string };
  response?: {
    generateVideoResponse?: {
      generatedSamples?: { video?: { uri?: string; encodedVideo?: string; encoding?: string } }[];
      raiMediaFilteredReasons?: string[];
    };
  };
}

/** GETs a finished video's bytes (a provider's file URL). */
export async function fetchBytes(
  provider: MediaProvider,
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetch(url, { headers, redirect: "follow", signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw classify(provider, error);
  }
  if (!res.ok) {
    throw new MediaError(provider, `downloading the video: HTTP ${res.status}`, {
      providerError: isProviderStatus(res.status),
      status: res.status,
    });
  }
  return Buffer.from(await res.arrayBuffer());
}
