// /sign-in: exchanges a one-time sign-in code (the link `eva start` prints)
// for a session token. GET /sign-in?code=… or POST /sign-in with
// {"code": "…"}; answers JSON { token, tokenType, role, jti, expiresAt }.
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type pg from "pg";
import { redeemSignInCode, SESSION_TOKEN_SECONDS } from "../src/auth/sign-in.ts";
import { issueToken } from "../src/auth/tokens.ts";

export const SIGN_IN_PATH = "/sign-in";
const MAX_BODY_BYTES = 4096;

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

function reply(res: ServerResponse, status: number, body: object): void {
  const payload = Buffer.from(JSON.stringify(body), "utf8");
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(payload.length),
    // A token must not be kept by a cache or a proxy.
    "cache-control": "no-store",
  });
  res.end(payload);
}

async function codeOf(req: IncomingMessage, url: URL): Promise<string | null> {
  if (req.method === "GET") return url.searchParams.get("code");
  let body = "";
  for await (const chunk of req) {
    body += chunk;
    if (body.length > MAX_BODY_BYTES) return null;
  }
  const type = req.headers["content-type"] ?? "";
  if (type.includes("application/x-www-form-urlencoded")) return new URLSearchParams(body).get("code");
  try {
    const code = (JSON.parse(body) as { code?: unknown } | null)?.code;
    return typeof code === "string" ? code : null;
  } catch {
    return null;
  }
}

export function signInHandler(auth: { pool: pg.Pool; secret: Uint8Array; maxSeconds: number }): Handler {
  return async (req, res) => {
    if (req.method !== "GET" && req.method !== "POST") {
      res.setHeader("allow", "GET, POST");
      return reply(res, 405, { error: 'sign in with GET /sign-in?code=… or POST /sign-in {"code": "…"}' });
    }
    const code = await codeOf(req, new URL(req.url ?? "/", "http://localhost"));
    if (!code || code.length > 200) {
      return reply(res, 400, { error: "the sign-in code is missing: use the link `eva start` printed" });
    }
    const redeemed = await redeemSignInCode(auth.pool, code);
    if ("refused" in redeemed) {
      const why = { used: "was already used", expired: "has expired", unknown: "is not one EVA issued" }[
        redeemed.refused
      ];
      return reply(res, 401, {
        error: `the sign-in code ${why}: restart \`eva start\` for a new link, or mint a token with \`npx eva chairman token\``,
      });
    }
    const minted = await issueToken(redeemed.role, Math.min(SESSION_TOKEN_SECONDS, auth.maxSeconds), {
      secret: auth.secret,
      maxSeconds: auth.maxSeconds,
    });
    reply(res, 200, {
      token: minted.token,
      tokenType: "Bearer",
      role: minted.role,
      jti: minted.jti,
      expiresAt: minted.expiresAt.toISOString(),
    });
  };
}

/**
 * Answers /sign-in, and (with `web`) the dashboard's paths (graphql/web.ts
 * isWebPath), before GraphQL sees the request; grafserv answers the rest
 * (/graphql, /graphql/stream, /graphiql, /ruru-static/).
 */
export function routeSignIn(
  server: Server,
  handler: Handler,
  web?: { handles(path: string): boolean; serve: Handler },
): void {
  const [graphql, ...others] = server.listeners("request") as ((req: IncomingMessage, res: ServerResponse) => void)[];
  if (!graphql || others.length) throw new Error("routeSignIn expects exactly the GraphQL request listener");
  server.removeAllListeners("request");
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "").split("?")[0] ?? "";
    if (path === SIGN_IN_PATH) {
      handler(req, res).catch((error: unknown) => {
        process.stderr.write(`sign-in exchange failed: ${(error as Error).message}\n`);
        if (!res.headersSent) reply(res, 500, { error: "the sign-in exchange failed; see the server's log" });
        else res.destroy();
      });
      return;
    }
    if (!web?.handles(path)) return graphql(req, res);
    web.serve(req, res).catch((error: unknown) => {
      process.stderr.write(`dashboard request failed: ${(error as Error).message}\n`);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" }).end("server error\n");
      else res.destroy();
    });
  });
}
