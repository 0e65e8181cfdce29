// Local HTTP servers that speak the parts of the platforms' APIs the
// publishers use, for tests where no real local server exists: Mastodon
// (statuses with Idempotency-Key, the account's statuses, one status) and
// X API v2 (POST /2/tweets, /2/users/me, a user's tweets, tweets by ids).
// Each keeps every post it accepted, so a test counts what really landed,
// and can be told to answer 429, a 4xx, or to accept a post and never answer
// (a timeout after sending: the case that makes schedulers double-post).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Accepted {
  id: string;
  text: string;
  idempotencyKey: string | null;
  at: string;
}

export interface SocialServer {
  url: string;
  posts: Accepted[];
  /** Every request: method, path, headers. */
  requests: { method: string; path: string; headers: IncomingMessage["headers"] }[];
  /** Queued behaviours for the next post requests, in order: "ok", "hang" (accept, never answer), "hang-before" (never answer, not accepted), 429, 400, 403, 500… */
  next: (string | number)[];
  /** Counts per post id (likes etc.) the metrics endpoints return. */
  counts: Map<string, Record<string, number>>;
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** A JSON answer with its status and extra headers (for every local API server in the tests). */
export function json(res: ServerResponse, status: number, data: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(data));
}

function start(handler: (s: SocialServer, req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>) {
  return new Promise<SocialServer>((resolve) => {
    const hanging: ServerResponse[] = [];
    const state: SocialServer = {
      url: "",
      posts: [],
      requests: [],
      next: [],
      counts: new Map(),
      close: () =>
        new Promise<void>((done) => {
          for (const r of hanging) r.destroy();
          server.closeAllConnections();
          server.close(() => done());
        }),
    };
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://localhost");
      state.requests.push({ method: req.method ?? "GET", path: url.pathname, headers: req.headers });
      (res as ServerResponse & { hang?: () => void }).hang = () => hanging.push(res);
      handler(state, req, res, url).catch((e) => json(res, 500, { error: String(e) }));
    });
    server.listen(0, "127.0.0.1", () => {
      state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve(state);
    });
  });
}

const hang = (res: ServerResponse) => (res as ServerResponse & { hang: () => void }).hang();

const ACCOUNT = { id: "109", username: "eva", acct: "eva", display_name: "EVA", url: "http://masto.test/@eva" };

function mastodonStatus(s: SocialServer, p: Accepted) {
  const c = s.counts.get(p.id) ?? {};
  return {
    id: p.id,
    uri: `http://masto.test/users/eva/statuses/${p.id}`,
    url: `http://masto.test/@eva/${p.id}`,
    created_at: p.at,
    content: `<p>${p.text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/\n/g, "<br>")}</p>`,
    visibility: "public",
    account: ACCOUNT,
    favourites_count: c.likes ?? 0,
    reblogs_count: c.reposts ?? 0,
    replies_count: c.replies ?? 0,
    media_attachments: [],
    mentions: [],
    tags: [],
    emojis: [],
  };
}

/** A Mastodon-speaking server: Bearer `token` required; Idempotency-Key honoured like an instance (same key → same status). */
export function startMastodonServer(token = "test-token"): Promise<SocialServer> {
  let seq = 1000;
  return start(async (s, req, res, url) => {
    if (req.headers.authorization !== `Bearer ${token}`)
      return json(res, 401, { error: "The access token is invalid" });
    const rate = {
      "x-ratelimit-limit": "300",
      "x-ratelimit-remaining": "299",
      "x-ratelimit-reset": new Date(Date.now() + 300_000).toISOString(),
    };
    if (req.method === "POST" && url.pathname === "/api/v1/statuses") {
      const raw = await body(req);
      const text = String((JSON.parse(raw || "{}") as { status?: string }).status ?? "");
      const key = (req.headers["idempotency-key"] as string | undefined) ?? null;
      const behaviour = s.next.shift() ?? "ok";
      if (behaviour === "hang-before") return hang(res);
      if (typeof behaviour === "number") return json(res, behaviour, { error: `refused with ${behaviour}` }, rate);
      const existing = key ? s.posts.find((p) => p.idempotencyKey === key) : undefined;
      const post = existing ?? { id: String(seq++), text, idempotencyKey: key, at: new Date().toISOString() };
      if (!existing) s.posts.push(post);
      if (behaviour === "hang") return hang(res);
      return json(res, 200, mastodonStatus(s, post), rate);
    }
    if (req.method === "GET" && url.pathname === "/api/v1/accounts/verify_credentials") return json(res, 200, ACCOUNT);
    const list = url.pathname.match(/^\/api\/v1\/accounts\/([^/]+)\/statuses$/);
    if (req.method === "GET" && list) {
      return json(
        res,
        200,
        [...s.posts].reverse().map((p) => mastodonStatus(s, p)),
      );
    }
    const one = url.pathname.match(/^\/api\/v1\/statuses\/([^/]+)$/);
    if (req.method === "GET" && one) {
      const p = s.posts.find((x) => x.id === one[1]);
      return p ? json(res, 200, mastodonStatus(s, p)) : json(res, 404, { error: "Record not found" });
    }
    json(res, 404, { error: "not here" });
  });
}

/** An X API v2-speaking server: no idempotency (like X), identical text → 403 duplicate, x-rate-limit-* headers. */
export function startXServer(token = "x-token"): Promise<SocialServer> {
  let seq = 1_800_000_000_000;
  return start(async (s, req, res, url) => {
    if (req.headers.authorization !== `Bearer ${token}`) return json(res, 401, { title: "Unauthorized" });
    const reset = String(Math.floor(Date.now() / 1000) + 900);
    if (req.method === "POST" && url.pathname === "/2/tweets") {
      const { text } = JSON.parse((await body(req)) || "{}") as { text: string };
      const behaviour = s.next.shift() ?? "ok";
      if (behaviour === "hang-before") return hang(res);
      if (behaviour === 429) {
        return json(
          res,
          429,
          { title: "Too Many Requests" },
          {
            "x-rate-limit-limit": "100",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": String(Math.floor(Date.now() / 1000) + 1),
          },
        );
      }
      if (typeof behaviour === "number")
        return json(res, behaviour, { title: "Invalid Request", detail: "text is invalid" });
      if (s.posts.some((p) => p.text === text)) {
        return json(res, 403, { detail: "You are not allowed to create a Tweet with duplicate content.", status: 403 });
      }
      const post = { id: String(seq++), text, idempotencyKey: null, at: new Date().toISOString() };
      s.posts.push(post);
      if (behaviour === "hang") return hang(res);
      return json(
        res,
        201,
        { data: { id: post.id, text } },
        {
          "x-rate-limit-limit": "100",
          "x-rate-limit-remaining": String(100 - s.posts.length),
          "x-rate-limit-reset": reset,
        },
      );
    }
    if (req.method === "GET" && url.pathname === "/2/users/me")
      return json(res, 200, { data: { id: "42", username: "eva" } });
    if (req.method === "GET" && url.pathname === "/2/users/42/tweets") {
      return json(res, 200, { data: [...s.posts].reverse().map((p) => ({ id: p.id, text: p.text })) });
    }
    if (req.method === "GET" && url.pathname === "/2/tweets") {
      const ids = (url.searchParams.get("ids") ?? "").split(",");
      return json(res, 200, {
        data: s.posts
          .filter((p) => ids.includes(p.id))
          .map((p) => {
            const c = s.counts.get(p.id) ?? {};
            return {
              id: p.id,
              text: p.text,
              public_metrics: {
                impression_count: c.impressions ?? 0,
                like_count: c.likes ?? 0,
                retweet_count: c.reposts ?? 0,
                reply_count: c.replies ?? 0,
                quote_count: 0,
              },
            };
          }),
      });
    }
    json(res, 404, { title: "Not Found" });
  });
}
