// Kling (spec §17.3, the default for all video) through its HTTP API: a JWT
// (HS256, iss = the access key, 30 minutes) signed with the secret key on each
// call, POST /v1/videos/image2video (or text2video without a start frame)
// to start a task, GET …/<task_id> to look at it.
import { SignJWT } from "jose";
import { fetchBytes } from "./gemini.ts";
import {
  isProviderStatus,
  MediaError,
  providerCircuit,
  type VideoClient,
  type VideoRequest,
  type VideoStatus,
} from "./types.ts";

export const KLING_BASE_URL = "https://api-singapore.klingai.com";
export const KLING_MODEL = "kling-v3";

export interface KlingOptions {
  accessKey: string;
  secretKey: string;
  model?: string;
  baseUrl?: string;
  timeoutMs?: number;
  /** std or pro. */
  mode?: string;
}

interface KlingAnswer {
  code?: number;
  message?: string;
  data?: {
    task_id?: string;
    task_status?: string;
    task_status_msg?: string;
    task_result?: { videos?: { id?: string; url?: string; duration?: string }[] };
  };
}

export class KlingClient implements VideoClient {
  readonly provider = "kling" as const;
  readonly model: string;
  readonly circuit: string;
  private readonly o: KlingOptions;
  private readonly baseUrl: string;
  constructor(options: KlingOptions) {
    this.o = options;
    this.model = options.model ?? KLING_MODEL;
    this.baseUrl = (options.baseUrl ?? KLING_BASE_URL).replace(/\/+$/, "");
    this.circuit = providerCircuit(this.baseUrl);
  }

  accepts(): boolean {
    return true;
  }

  billedSeconds(durationSeconds: number): number {
    return durationSeconds;
  }

  /** The bearer token Kling asks for: HS256, iss the access key, valid 30 minutes (5 s of clock skew allowed). */
  async token(now = Date.now()): Promise<string> {
    const s = Math.floor(now / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setIssuer(this.o.accessKey)
      .setExpirationTime(s + 1800)
      .setNotBefore(s - 5)
      .sign(new TextEncoder().encode(this.o.secretKey));
  }

  private async call(method: "GET" | "POST", path: string, body?: unknown): Promise<KlingAnswer> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${await this.token()}`, "content-type": "application/json" },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 60_000),
      });
    } catch (error) {
      throw new MediaError("kling", error instanceof Error ? error.message : String(error), {
        providerError: true,
        cause: error,
      });
    }
    const text = await res.text();
    let answer: KlingAnswer = {};
    try {
      answer = JSON.parse(text) as KlingAnswer;
    } catch {
      // not JSON: the status decides
    }
    if (!res.ok || (answer.code !== undefined && answer.code !== 0)) {
      throw new MediaError(
        "kling",
        `HTTP ${res.status}, code ${answer.code ?? "?"}: ${answer.message ?? text.slice(0, 300)}`,
        {
          providerError: isProviderStatus(res.status),
          status: res.status,
        },
      );
    }
    return answer;
  }

  async submit(request: VideoRequest): Promise<string> {
    const kind = request.image ? "image2video" : "text2video";
    const answer = await this.call("POST", `/v1/videos/${kind}`, {
      model_name: this.model,
      prompt: request.prompt,
      ...(request.image ? { image: Buffer.from(request.image.bytes).toString("base64") } : {}),
      duration: String(request.durationSeconds),
      aspect_ratio: request.aspectRatio,
      mode: this.o.mode ?? "std",
    });
    const id = answer.data?.task_id;
    if (!id) throw new MediaError("kling", "no task_id in the answer", { providerError: true });
    // The task's status lives under the path it was started on: the kind travels with the id, so any worker can poll it.
    return `${kind}:${id}`;
  }

  async poll(jobId: string): Promise<VideoStatus> {
    const [kind, id] = jobId.includes(":") ? jobId.split(":", 2) : ["image2video", jobId];
    const answer = await this.call("GET", `/v1/videos/${kind}/${encodeURIComponent(id ?? "")}`);
    const status = answer.data?.task_status;
    if (status === "succeed") {
      const url = answer.data?.task_result?.videos?.[0]?.url;
      if (!url) return { state: "failed", error: "succeeded without a video" };
      return { state: "succeeded", url, mime: "video/mp4" };
    }
    if (status === "failed") return { state: "failed", error: answer.data?.task_status_msg ?? "failed" };
    return { state: "running", detail: status ?? "unknown" };
  }

  async download(status: Extract<VideoStatus, { state: "succeeded" }>): Promise<Buffer> {
    if (status.bytes) return status.bytes;
    return fetchBytes("kling", status.url ?? "", {}, this.o.timeoutMs ?? 60_000);
  }
}
