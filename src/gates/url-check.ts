// URL reachability for the reality gates (spec §13 "Reality Gate Evaluator":
// artifact existence, quality thresholds, URL reachability). The I/O half:
// find the http(s) URLs an artifact names and ask each once, with a timeout,
// before the pure gate is evaluated; the gate reads the results as data.
// With the offline analyst, or EVA_URL_CHECK=off, nothing is asked and every
// URL is `unchecked` — never `pass`.

/** What one URL check found. `unchecked` is not evidence either way. */
export type UrlStatus = "reachable" | "unreachable" | "timeout" | "unchecked";

export interface NamedUrl {
  url: string;
  /** The stage whose artifact names the URL (the one a retry would re-run). */
  stage: number;
  artifactType: string;
}

export interface UrlCheckResult extends NamedUrl {
  status: UrlStatus;
  /** The HTTP status when the server answered. */
  httpStatus?: number;
  detail: string;
}

/** How many URLs one gate asks about at most (the first ones named, by stage). */
export const MAX_URLS_PER_GATE = 10;
export const DEFAULT_URL_TIMEOUT_MS = 5000;

const URL_PATTERN = /\bhttps?:\/\/[^\s"'<>()[\]{}]+/gi;

function stringsIn(value: unknown, out: string[], depth = 0): void {
  if (depth > 12) return;
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsIn(v, out, depth + 1);
  else if (value && typeof value === "object") for (const v of Object.values(value)) stringsIn(v, out, depth + 1);
}

/**
 * The distinct http(s) URLs named anywhere in the artifacts' content (fields
 * such as a competitor's site or a deployed app, or a URL cited in a text),
 * each attributed to the earliest stage that names it; at most `limit`.
 */
export function urlsNamedIn(
  artifacts: readonly { stage: number; type: string; content: unknown }[],
  limit = MAX_URLS_PER_GATE,
): NamedUrl[] {
  const found = new Map<string, NamedUrl>();
  for (const a of [...artifacts].sort((x, y) => x.stage - y.stage || x.type.localeCompare(y.type))) {
    const strings: string[] = [];
    stringsIn(a.content, strings);
    for (const s of strings) {
      for (const match of s.matchAll(URL_PATTERN)) {
        const url = match[0].replace(/[.,;:!?]+$/, "");
        try {
          new URL(url);
        } catch {
          continue;
        }
        if (!found.has(url)) found.set(url, { url, stage: a.stage, artifactType: a.type });
      }
    }
  }
  return [...found.values()].slice(0, limit);
}

export interface UrlCheckOptions {
  /** false: report every URL `unchecked` (offline analyst, EVA_URL_CHECK=off). */
  enabled: boolean;
  /** Why the URLs were not checked, when disabled (shown in the gate's rationale). */
  disabledReason?: string;
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
}

/** Whether URLs are checked: not with the offline analyst (a simulation names no real pages), not with EVA_URL_CHECK=off. */
export function urlCheckOptions(
  analystKind: "openai" | "offline",
  env: Record<string, string | undefined> = process.env,
): UrlCheckOptions {
  const setting = (env.EVA_URL_CHECK ?? "").trim().toLowerCase();
  const timeout = Number(env.EVA_URL_CHECK_TIMEOUT_MS);
  const timeoutMs = Number.isInteger(timeout) && timeout > 0 ? timeout : DEFAULT_URL_TIMEOUT_MS;
  if (setting === "off") return { enabled: false, disabledReason: "EVA_URL_CHECK=off", timeoutMs };
  if (analystKind === "offline")
    return { enabled: false, disabledReason: "the offline analyst's artifacts are simulations", timeoutMs };
  return { enabled: true, timeoutMs };
}

async function checkOne(named: NamedUrl, fetchFn: typeof globalThis.fetch, timeoutMs: number): Promise<UrlCheckResult> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    // GET, not HEAD: many servers answer HEAD with 405 or 404 though the page is there.
    const response = await fetchFn(named.url, { method: "GET", redirect: "follow", signal: controller.signal });
    await response.body?.cancel().catch(() => {});
    return response.ok
      ? { ...named, status: "reachable", httpStatus: response.status, detail: `HTTP ${response.status}` }
      : { ...named, status: "unreachable", httpStatus: response.status, detail: `HTTP ${response.status}` };
  } catch (error) {
    if (timedOut) return { ...named, status: "timeout", detail: `no answer within ${timeoutMs} ms` };
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { ...named, status: "unreachable", detail: cause?.code ?? cause?.message ?? (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** Asks each URL once, concurrently, each with its own timeout; or reports them all `unchecked`. */
export async function checkUrls(urls: readonly NamedUrl[], options: UrlCheckOptions): Promise<UrlCheckResult[]> {
  if (!options.enabled) {
    const why = options.disabledReason ?? "URL checks are off";
    return urls.map((u) => ({ ...u, status: "unchecked", detail: `not checked: ${why}` }));
  }
  const fetchFn = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_URL_TIMEOUT_MS;
  return Promise.all(urls.map((u) => checkOne(u, fetchFn, timeoutMs)));
}
