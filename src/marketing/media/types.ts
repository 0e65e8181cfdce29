// What the media providers' clients share: the error that says whose fault a
// failure was, and the shapes of image and video generation.

export type VideoProvider = "kling" | "veo" | "runway";
export type MediaProvider = VideoProvider | "gemini" | "offline";

/**
 * A failed provider call. `providerError` is the provider's side failing — a
 * transport error, a timeout, a 5xx, a 429, or a task the provider itself
 * reported failed — which counts against its circuit breaker and lets the
 * router try the next provider. Anything else (a 4xx: our request or the
 * content was refused) fails the generation.
 */
export class MediaError extends Error {
  readonly provider: MediaProvider;
  readonly providerError: boolean;
  readonly status: number | undefined;
  constructor(
    provider: MediaProvider,
    message: string,
    options: { providerError: boolean; status?: number; cause?: unknown },
  ) {
    super(`${provider}: ${message}`, { cause: options.cause });
    this.name = "MediaError";
    this.provider = provider;
    this.providerError = options.providerError;
    this.status = options.status;
  }
}

/** A status answered by a provider: 5xx and 429 are the provider's side; other 4xx are ours. */
export const isProviderStatus = (status: number | undefined) => status === undefined || status >= 500 || status === 429;

export interface ImageInput {
  mime: string;
  bytes: Uint8Array;
}

export interface ImageRequest {
  prompt: string;
  /** Brand references (logo, palette, approved visuals): at most 14 are sent. */
  references: ImageInput[];
  aspectRatio: string;
}

export interface GeneratedImage {
  bytes: Buffer;
  mime: string;
  model: string;
  simulation: boolean;
}

export interface ImageGenerator {
  readonly provider: "gemini" | "offline";
  readonly model: string;
  /** The circuit breaker's service name (provider:<host>), none offline. */
  readonly circuit: string | null;
  generate(request: ImageRequest): Promise<GeneratedImage>;
}

export interface VideoRequest {
  prompt: string;
  /** The start frame (image-to-video); text-to-video without it where the provider can. */
  image: ImageInput | null;
  durationSeconds: number;
  aspectRatio: string;
}

export type VideoStatus =
  | { state: "running"; detail?: string }
  | { state: "succeeded"; url?: string; bytes?: Buffer; mime: string }
  | { state: "failed"; error: string };

export interface VideoClient {
  readonly provider: VideoProvider;
  readonly model: string;
  readonly circuit: string;
  /** The seconds the provider makes (and bills) for a requested length. */
  billedSeconds(durationSeconds: number): number;
  /** Whether it can make this video (Runway needs a start frame). */
  accepts(request: VideoRequest): boolean;
  /** Starts the provider's long-running task; returns its id. */
  submit(request: VideoRequest): Promise<string>;
  /** One look at the task (never waits for it). */
  poll(jobId: string): Promise<VideoStatus>;
  /** The finished video's bytes. */
  download(status: Extract<VideoStatus, { state: "succeeded" }>): Promise<Buffer>;
}

/** The circuit breaker of a provider's API host (shared with every caller of that host). */
export function providerCircuit(baseUrl: string): string {
  try {
    return `provider:${new URL(baseUrl).host}`;
  } catch {
    return `provider:${baseUrl}`;
  }
}
