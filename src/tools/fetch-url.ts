// The fetch_url tool: one public web page over real HTTP(S), within a
// deadline, a byte cap and a redirect limit, text only, its words extracted
// from the HTML. Private, loopback and link-local addresses are refused at
// connect time (node:http's `lookup` hook checks every address the socket
// actually connects to, redirects included, so DNS cannot point a public name
// at an internal service) unless explicitly allowed (EVA_FETCH_ALLOW_PRIVATE=on,
// or `allowPrivateAddresses`, for local test servers).
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import { BlockList, isIP } from "node:net";
import { parse } from "node-html-parser";

export interface FetchLimits {
  /** The whole fetch, redirects included, must finish within this (default 10 s). */
  deadlineMs?: number;
  /** Bytes read of the final body at most; the rest is not downloaded (default 2 MB). */
  maxBytes?: number;
  /** Redirects followed at most (default 5). */
  maxRedirects?: number;
  /** Characters of extracted text kept (default 20,000). */
  maxTextChars?: number;
  /** Connect to private, loopback and link-local addresses too (default: EVA_FETCH_ALLOW_PRIVATE=on, else no). */
  allowPrivateAddresses?: boolean;
}

export interface FetchedPage {
  url: string;
  /** Where the last redirect led. */
  finalUrl: string;
  status: number;
  contentType: string;
  /** Body bytes read (at most maxBytes). */
  bytes: number;
  /** True when the body was longer than maxBytes and cut there. */
  truncated: boolean;
  redirects: number;
  title: string | null;
  description: string | null;
  headings: string[];
  /** The page's visible text, whitespace collapsed, at most maxTextChars. */
  text: string;
  durationMs: number;
}

export type FetchFailureKind =
  | "invalid_url"
  | "private_address"
  | "deadline"
  | "too_many_redirects"
  | "content_type"
  | "http_status"
  | "network";

/** A fetch that could not be completed, with why in words a person can act on. */
export class FetchFailed extends Error {
  readonly kind: FetchFailureKind;
  readonly bytes: number;
  constructor(kind: FetchFailureKind, message: string, bytes = 0, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "FetchFailed";
    this.kind = kind;
    this.bytes = bytes;
  }
}

const TEXT_TYPES = ["text/html", "application/xhtml+xml", "text/plain"];

const blocked = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  blocked.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  blocked.addSubnet(net, prefix, "ipv6");
}

/** True for loopback, private (RFC 1918, unique local), link-local, CGNAT, multicast and unspecified addresses. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, "ipv4");
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped?.[1]) return blocked.check(mapped[1], "ipv4");
    return blocked.check(address, "ipv6");
  }
  return true;
}

export function fetchLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): FetchLimits {
  const flag = env.EVA_FETCH_ALLOW_PRIVATE?.trim().toLowerCase();
  if (flag !== undefined && flag !== "" && flag !== "on" && flag !== "off") {
    throw new Error(`EVA_FETCH_ALLOW_PRIVATE must be on or off, not "${env.EVA_FETCH_ALLOW_PRIVATE}"`);
  }
  return { allowPrivateAddresses: flag === "on" };
}

interface Resolved {
  deadlineMs: number;
  maxBytes: number;
  maxRedirects: number;
  maxTextChars: number;
  allowPrivateAddresses: boolean;
}

function resolveLimits(limits: FetchLimits): Resolved {
  return {
    deadlineMs: limits.deadlineMs ?? 10_000,
    maxBytes: limits.maxBytes ?? 2_000_000,
    maxRedirects: limits.maxRedirects ?? 5,
    maxTextChars: limits.maxTextChars ?? 20_000,
    allowPrivateAddresses: limits.allowPrivateAddresses ?? fetchLimitsFromEnv().allowPrivateAddresses ?? false,
  };
}

function checkedLookup(allowPrivate: boolean): typeof dnsLookup {
  return ((hostname: string, options: object, callback: (...args: unknown[]) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error);
      const usable = allowPrivate ? addresses : addresses.filter((a) => !isPrivateAddress(a.address));
      if (usable.length === 0) {
        const list = addresses.map((a) => a.address).join(", ");
        return callback(
          new FetchFailed(
            "private_address",
            `${hostname} resolves to a private or loopback address (${list}); fetch_url reaches public addresses only (EVA_FETCH_ALLOW_PRIVATE=on allows others)`,
          ),
        );
      }
      if ((options as { all?: boolean }).all) return callback(null, usable);
      const first = usable[0] as LookupAddress;
      return callback(null, first.address, first.family);
    });
  }) as typeof dnsLookup;
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  truncated: boolean;
}

function requestOnce(url: URL, limits: Resolved, signal: AbortSignal): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    // A literal private IP never goes through the lookup hook: check it here.
    const host = url.hostname.replace(/^\[|\]$/g, "");
    if (isIP(host) && !limits.allowPrivateAddresses && isPrivateAddress(host)) {
      reject(
        new FetchFailed(
          "private_address",
          `${host} is a private or loopback address; fetch_url reaches public addresses only (EVA_FETCH_ALLOW_PRIVATE=on allows others)`,
        ),
      );
      return;
    }
    const client = url.protocol === "https:" ? https : http;
    const req = client.request(url, {
      method: "GET",
      signal,
      lookup: checkedLookup(limits.allowPrivateAddresses),
      headers: {
        "user-agent": "EVA competitor teardown (fetch_url)",
        accept: "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1",
        "accept-encoding": "identity",
      },
    });
    req.on("error", reject);
    req.on("response", (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        res.resume();
        resolve({ status, headers: res.headers, body: Buffer.alloc(0), truncated: false });
        req.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      res.on("data", (chunk: Buffer) => {
        if (truncated) return;
        const room = limits.maxBytes - size;
        if (chunk.length > room) {
          // The cap is reached: keep what fits and stop downloading (the rest is never read).
          chunks.push(chunk.subarray(0, room));
          size += room;
          truncated = true;
          resolve({ status, headers: res.headers, body: Buffer.concat(chunks), truncated });
          req.destroy();
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      res.on("end", () => {
        if (!truncated) resolve({ status, headers: res.headers, body: Buffer.concat(chunks), truncated: false });
      });
      res.on("error", (error) => {
        if (!truncated) reject(error);
      });
      // Closed before its end (the deadline, a dropped connection): a no-op once the body was resolved.
      res.on("close", () => reject(new Error("the connection closed before the body ended")));
    });
    req.end();
  });
}

function charsetOf(contentType: string): string {
  const match = /charset\s*=\s*"?([\w-]+)"?/i.exec(contentType);
  return match?.[1]?.toLowerCase() ?? "utf-8";
}

function decode(body: Buffer, contentType: string): string {
  try {
    return new TextDecoder(charsetOf(contentType)).decode(body);
  } catch {
    return new TextDecoder("utf-8").decode(body);
  }
}

const collapse = (s: string) => s.replace(/\s+/g, " ").trim();

/** The title, meta description, headings and visible text of an HTML page. */
export function extractHtml(
  html: string,
  maxTextChars = 20_000,
): Pick<FetchedPage, "title" | "description" | "headings" | "text"> {
  const root = parse(html, {
    comment: false,
    blockTextElements: { script: false, style: false, noscript: false, pre: true },
  });
  for (const el of root.querySelectorAll("script, style, noscript, svg, template, iframe")) el.remove();
  const title = collapse(root.querySelector("title")?.text ?? "") || null;
  const description =
    collapse(
      root.querySelector('meta[name="description"]')?.getAttribute("content") ??
        root.querySelector('meta[property="og:description"]')?.getAttribute("content") ??
        "",
    ) || null;
  const headings = root
    .querySelectorAll("h1, h2, h3")
    .map((h) => collapse(h.text))
    .filter(Boolean)
    .slice(0, 40);
  const body = root.querySelector("body") ?? root;
  const text = collapse(body.structuredText).slice(0, maxTextChars);
  return { title, description, headings, text };
}

/** Fetches one page within `limits`; a FetchFailed says why not. */
export async function fetchUrl(address: string, limits: FetchLimits = {}): Promise<FetchedPage> {
  const resolved = resolveLimits(limits);
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new FetchFailed("invalid_url", `"${address}" is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new FetchFailed("invalid_url", `fetch_url fetches http(s) URLs only, not ${url.protocol}`);
  }
  const started = performance.now();
  const deadline = AbortSignal.timeout(resolved.deadlineMs);
  let redirects = 0;
  try {
    for (;;) {
      const response = await requestOnce(url, resolved, deadline);
      if (response.status >= 300 && response.status < 400 && response.headers.location) {
        if (redirects >= resolved.maxRedirects) {
          throw new FetchFailed(
            "too_many_redirects",
            `${address} redirected more than ${resolved.maxRedirects} times (last to ${response.headers.location})`,
          );
        }
        redirects++;
        const next = new URL(response.headers.location, url);
        if (next.protocol !== "http:" && next.protocol !== "https:") {
          throw new FetchFailed("invalid_url", `${url.href} redirected to a ${next.protocol} URL`);
        }
        url = next;
        continue;
      }
      const contentType = String(response.headers["content-type"] ?? "");
      const mediaType = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
      if (response.status < 200 || response.status >= 300) {
        throw new FetchFailed("http_status", `${url.href} answered HTTP ${response.status}`, response.body.length);
      }
      if (!TEXT_TYPES.includes(mediaType)) {
        throw new FetchFailed(
          "content_type",
          `${url.href} is ${mediaType || "of no declared type"}, not a text page (fetch_url reads ${TEXT_TYPES.join(", ")})`,
          response.body.length,
        );
      }
      const decoded = decode(response.body, contentType);
      const extracted =
        mediaType === "text/plain"
          ? { title: null, description: null, headings: [], text: collapse(decoded).slice(0, resolved.maxTextChars) }
          : extractHtml(decoded, resolved.maxTextChars);
      return {
        url: address,
        finalUrl: url.href,
        status: response.status,
        contentType: mediaType,
        bytes: response.body.length,
        truncated: response.truncated,
        redirects,
        ...extracted,
        durationMs: performance.now() - started,
      };
    }
  } catch (error) {
    if (error instanceof FetchFailed) throw error;
    if (deadline.aborted) {
      throw new FetchFailed("deadline", `${address} did not answer within ${resolved.deadlineMs} ms`, 0, {
        cause: error,
      });
    }
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof FetchFailed) throw cause;
    throw new FetchFailed("network", `${address}: ${(error as Error).message}`, 0, { cause: error });
  }
}
