// HTTP for the publishers that speak to their platform over fetch (X, Threads,
// Reddit), and the classification every publisher shares: an HTTP status or a
// transport failure → an error class and whether the request can have been
// acted on; rate-limit headers → RateLimitInfo.
import { type ErrorClass, PublishError, type RateLimitInfo, type SendState } from "./types.ts";

/** Transport failures that prove the request never left: no name, no listener, no route. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

function errorCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && e; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A fetch that threw: before sending (DNS, refused) is retryable; a timeout or reset may have posted. */
export function transportError(platform: string, error: unknown): PublishError {
  if (error instanceof PublishError) return error;
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  const sendState: SendState = code && NOT_SENT_CODES.has(code) ? "not_sent" : "unknown";
  return new PublishError(`${platform}: ${code ?? message}`, {
    errorClass: "system",
    sendState,
    raw: message,
    cause: error,
  });
}

/** The error class of an HTTP status (4xx other than 429 are permanent; 5xx may have posted). */
export function classifyStatus(status: number, body = ""): { errorClass: ErrorClass; sendState: SendState } {
  const text = body.toLowerCase();
  if (status === 429) return { errorClass: "rate_limited", sendState: "not_sent" };
  if (status === 401 || (status === 403 && /token|expired|unauthori[sz]ed|invalid_grant/.test(text)))
    return { errorClass: "auth_expired", sendState: "not_sent" };
  if (status === 413 || status === 415 || (/media|upload|video|image/.test(text) && status >= 400 && status < 500))
    return { errorClass: "media_error", sendState: "not_sent" };
  if (status === 400 || status === 422) return { errorClass: "user_content", sendState: "not_sent" };
  if (status === 403 && /duplicate/.test(text)) return { errorClass: "user_content", sendState: "not_sent" };
  if (status >= 400 && status < 500) return { errorClass: "platform_rejected", sendState: "not_sent" };
  return { errorClass: "system", sendState: "unknown" };
}

function num(value: string | null): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** A reset header as an instant: epoch seconds (X), or seconds from now (IETF ratelimit-reset, retry-after). */
function resetInstant(value: number | undefined, relative: boolean, now: number): string | undefined {
  if (value === undefined) return undefined;
  const ms = relative || value < 1e9 ? now + value * 1000 : value * 1000;
  return new Date(ms).toISOString();
}

/** Reads the rate-limit headers platforms send: X's x-rate-limit-*, x-ratelimit-*, IETF ratelimit-*, retry-after. */
export function readRateLimit(
  headers: Headers | Record<string, string | undefined>,
  now = Date.now(),
): RateLimitInfo | undefined {
  const get = (name: string): string | null => {
    if (headers instanceof Headers) return headers.get(name);
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    return key === undefined ? null : (headers[key] ?? null);
  };
  for (const prefix of ["x-rate-limit-", "x-ratelimit-", "ratelimit-"]) {
    const limit = num(get(`${prefix}limit`));
    const remaining = num(get(`${prefix}remaining`));
    const resetRaw = get(`${prefix}reset`);
    if (limit === undefined && remaining === undefined && resetRaw === null) continue;
    // Mastodon sends an ISO time in x-ratelimit-reset.
    const resetAt =
      resetRaw && Number.isNaN(Number(resetRaw)) && !Number.isNaN(Date.parse(resetRaw))
        ? new Date(resetRaw).toISOString()
        : resetInstant(num(resetRaw), prefix === "ratelimit-", now);
    const info: RateLimitInfo = { source: `${prefix}*` };
    if (limit !== undefined) info.limit = limit;
    if (remaining !== undefined) info.remaining = remaining;
    if (resetAt !== undefined) info.resetAt = resetAt;
    return info;
  }
  const retryAfter = get("retry-after");
  if (retryAfter !== null) {
    const seconds = num(retryAfter);
    const resetAt =
      seconds !== undefined ? resetInstant(seconds, true, now) : new Date(Date.parse(retryAfter)).toISOString();
    return { remaining: 0, ...(resetAt ? { resetAt } : {}), source: "retry-after" };
  }
  return undefined;
}

export interface JsonResponse<T> {
  status: number;
  data: T;
  headers: Headers;
  rateLimit: RateLimitInfo | undefined;
}

export interface HttpOptions {
  platform: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** One JSON request: a non-2xx answer or a transport failure becomes a classified PublishError. */
export async function requestJson<T>(url: string, init: RequestInit, options: HttpOptions): Promise<JsonResponse<T>> {
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(url, { ...init, signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
  } catch (error) {
    throw transportError(options.platform, error);
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    // The platform answered and the body broke off: it may well have acted.
    throw transportError(options.platform, error);
  }
  const rateLimit = readRateLimit(response.headers);
  if (!response.ok) {
    const { errorClass, sendState } = classifyStatus(response.status, text);
    throw new PublishError(`${options.platform}: HTTP ${response.status} ${text.slice(0, 300)}`, {
      errorClass,
      sendState,
      status: response.status,
      rateLimit,
      raw: text.slice(0, 2000),
    });
  }
  let data: T;
  try {
    data = (text ? JSON.parse(text) : {}) as T;
  } catch (error) {
    throw new PublishError(`${options.platform}: an answer that is not JSON (HTTP ${response.status})`, {
      errorClass: "system",
      sendState: "unknown",
      status: response.status,
      raw: text.slice(0, 2000),
      cause: error,
    });
  }
  return { status: response.status, data, headers: response.headers, rateLimit };
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

/** Whether a platform's text carries the post's marker (the dispatch id travels as the link's utm_id). */
export function carriesMarker(text: string | null | undefined, post: { dispatchId: string; text: string }): boolean {
  if (!text) return false;
  return text.includes(post.dispatchId) || text.trim() === post.text.trim();
}
