// Runway (spec §17.3: the fallback, only after the primary routes failed with
// provider errors) through @runwayml/sdk: image_to_video starts a task,
// tasks.retrieve looks at it. Runway needs a start frame. The SDK's own
// retries are off: failures go to the circuit breaker and the job's backoff.
import RunwayML, { APIConnectionError, APIError } from "@runwayml/sdk";
import { fetchBytes } from "./gemini.ts";
import {
  isProviderStatus,
  MediaError,
  providerCircuit,
  type VideoClient,
  type VideoRequest,
  type VideoStatus,
} from "./types.ts";

export const RUNWAY_BASE_URL = "https://api.dev.runwayml.com";
export const RUNWAY_MODEL = "gen4_turbo";

export interface RunwayOptions {
  apiKey: string;
  model?: string;
  baseUrl?: string;
  timeoutMs?: number;
}

const RATIOS: Record<string, "1280:720" | "720:1280" | "960:960" | "1104:832" | "832:1104" | "1584:672"> = {
  "16:9": "1280:720",
  "9:16": "720:1280",
  "1:1": "960:960",
  "4:3": "1104:832",
  "3:4": "832:1104",
  "21:9": "1584:672",
};

function classify(error: unknown): MediaError {
  if (error instanceof MediaError) return error;
  if (error instanceof APIConnectionError)
    return new MediaError("runway", error.message, { providerError: true, cause: error });
  if (error instanceof APIError) {
    return new MediaError("runway", `HTTP ${error.status}: ${error.message.slice(0, 500)}`, {
      providerError: isProviderStatus(error.status),
      ...(error.status !== undefined ? { status: error.status } : {}),
      cause: error,
    });
  }
  return new MediaError("runway", error instanceof Error ? error.message : String(error), {
    providerError: true,
    cause: error,
  });
}

export class RunwayClient implements VideoClient {
  readonly provider = "runway" as const;
  readonly model: string;
  readonly circuit: string;
  private readonly sdk: RunwayML;
  private readonly timeoutMs: number;
  constructor(options: RunwayOptions) {
    this.model = options.model ?? RUNWAY_MODEL;
    const baseURL = options.baseUrl ?? RUNWAY_BASE_URL;
    this.circuit = providerCircuit(baseURL);
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.sdk = new RunwayML({ apiKey: options.apiKey, baseURL, maxRetries: 0, timeout: this.timeoutMs });
  }

  /** gen4_turbo makes 5 or 10 seconds. */
  billedSeconds(durationSeconds: number): number {
    return durationSeconds <= 5 ? 5 : 10;
  }

  accepts(request: VideoRequest): boolean {
    return request.image !== null;
  }

  async submit(request: VideoRequest): Promise<string> {
    if (!request.image) throw new MediaError("runway", "image-to-video needs a start frame", { providerError: false });
    try {
      const task = await this.sdk.imageToVideo.create({
        model: this.model as "gen4_turbo",
        promptImage: `data:${request.image.mime};base64,${Buffer.from(request.image.bytes).toString("base64")}`,
        promptText: request.prompt.slice(0, 1000),
        ratio: RATIOS[request.aspectRatio] ?? "1280:720",
        duration: this.billedSeconds(request.durationSeconds),
      });
      return task.id;
    } catch (error) {
      throw classify(error);
    }
  }

  async poll(jobId: string): Promise<VideoStatus> {
    let task: Awaited<ReturnType<RunwayML["tasks"]["retrieve"]>>;
    try {
      task = await this.sdk.tasks.retrieve(jobId);
    } catch (error) {
      throw classify(error);
    }
    switch (task.status) {
      case "SUCCEEDED": {
        const url = task.output?.[0];
        return url
          ? { state: "succeeded", url, mime: "video/mp4" }
          : { state: "failed", error: "succeeded without output" };
      }
      case "FAILED":
        return { state: "failed", error: task.failure ?? "failed" };
      case "CANCELLED":
        return { state: "failed", error: "cancelled" };
      default:
        return { state: "running", detail: task.status };
    }
  }

  async download(status: Extract<VideoStatus, { state: "succeeded" }>): Promise<Buffer> {
    if (status.bytes) return status.bytes;
    return fetchBytes("runway", status.url ?? "", {}, this.timeoutMs);
  }
}
