// Serves the Chairman's dashboard (web/dist, built by graphql/web-build.ts):
// the app's page at / and at every client route (/decisions/<id>, ...), its
// hashed assets under /assets/ (cached for a year: a new build has new
// names), with a strict Content-Security-Policy: scripts, styles and
// connections to this server only, no inline code, no frames, no plugins.
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { gzipSync } from "node:zlib";
import { WEB_DIST } from "./web-build.ts";

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".html": "text/html; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
  ".json": "application/json; charset=utf-8",
};

/** The policy of every dashboard response; `ws:`/`wss:` of this host for the subscriptions' websocket. */
export function contentSecurityPolicy(host: string | undefined): string {
  const safeHost = host && /^[A-Za-z0-9.:[\]-]+$/.test(host) ? host : null;
  const sockets = safeHost ? ` ws://${safeHost} wss://${safeHost}` : "";
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    `connect-src 'self'${sockets}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

function securityHeaders(req: IncomingMessage): Record<string, string> {
  return {
    "content-security-policy": contentSecurityPolicy(req.headers.host),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
  };
}

/** Paths the dashboard answers (everything but the API's own: /graphql*, /graphiql, /ruru-static/, /sign-in). */
export function isWebPath(path: string): boolean {
  return !/^\/(graphql|graphiql|ruru-static)(\/|$)/.test(path) && path !== "/sign-in";
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>EVA: dashboard not built</title></head>
<body><main><h1>The dashboard is not built</h1><p>Run <code>npm run build</code> (it needs the dev dependencies:
<code>npm ci</code>), then reload. The GraphQL API is at <a href="/graphiql">/graphiql</a>.</p></main></body></html>`;

// Each file gzipped once (the build's files never change under a name; index.html is keyed by its content).
const gzipped = new Map<string, Buffer>();
function gzipOf(key: string, body: Buffer): Buffer {
  let packed = gzipped.get(key);
  if (!packed) {
    packed = gzipSync(body, { level: 9 });
    if (gzipped.size > 200) gzipped.clear();
    gzipped.set(key, packed);
  }
  return packed;
}

export async function serveWeb(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const headers = securityHeaders(req);
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { ...headers, allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
    res.end("the dashboard answers GET only; the API is POST /graphql\n");
    return;
  }
  let path: string;
  try {
    path = decodeURIComponent((req.url ?? "/").split("?")[0] ?? "/");
  } catch {
    res.writeHead(400, { ...headers, "content-type": "text/plain; charset=utf-8" });
    res.end("the path is not valid percent-encoding\n");
    return;
  }
  const acceptsGzip = /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
  /** `key` names a compressible file (gzipped once when the client accepts it). */
  const send = (status: number, type: string, body: Buffer | string, cache: string, key?: string) => {
    let payload = typeof body === "string" ? Buffer.from(body, "utf8") : body;
    const extra: Record<string, string> = {};
    if (key) extra.vary = "accept-encoding";
    if (key && acceptsGzip && payload.length > 1024) {
      payload = gzipOf(key, payload);
      extra["content-encoding"] = "gzip";
    }
    res.writeHead(status, {
      ...headers,
      ...extra,
      "content-type": type,
      "content-length": String(payload.length),
      "cache-control": cache,
    });
    res.end(req.method === "HEAD" ? undefined : payload);
  };
  if (path.startsWith("/assets/")) {
    const file = normalize(join(WEB_DIST, path));
    if (!file.startsWith(join(WEB_DIST, "assets") + sep))
      return send(404, "text/plain; charset=utf-8", "not found\n", "no-store");
    try {
      if (!(await stat(file)).isFile()) throw new Error("not a file");
      const type = TYPES[extname(file)] ?? "application/octet-stream";
      return send(200, type, await readFile(file), "public, max-age=31536000, immutable", file);
    } catch {
      return send(404, "text/plain; charset=utf-8", "not found\n", "no-store");
    }
  }
  // Any other path with a file extension is not a page of the app.
  if (extname(path) !== "") return send(404, "text/plain; charset=utf-8", "not found\n", "no-store");
  let page: Buffer;
  try {
    page = await readFile(join(WEB_DIST, "index.html"));
  } catch {
    return send(503, "text/html; charset=utf-8", NOT_BUILT, "no-store");
  }
  // The page names the current build's assets: always revalidated.
  return send(
    200,
    "text/html; charset=utf-8",
    page,
    "no-cache",
    `index:${createHash("sha256").update(page).digest("hex")}`,
  );
}
