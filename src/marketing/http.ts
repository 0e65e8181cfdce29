// The marketing engine's public endpoints on EVA's HTTP server (graphql/server.ts):
// POST /webhooks/<source> (src/marketing/webhooks.ts) and the unsubscribe link,
// /unsubscribe?token=… — GET shows a confirmation button (mail scanners follow
// every link: a GET never unsubscribes), POST unsubscribes (the button, and
// mail clients' one-click List-Unsubscribe-Post, RFC 8058).
import { createHash } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { sql } from "kysely";
import type { Database } from "../db/client.ts";
import { readUnsubscribeToken } from "./email.ts";
import { type WebhookOptions, webhookHandler } from "./webhooks.ts";

export const UNSUBSCRIBE_PATH = "/unsubscribe";

function page(res: ServerResponse, status: number, title: string, body: string): void {
  res
    .writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" })
    .end(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
        `<title>${title}</title></head><body style="font-family:sans-serif;max-width:36rem;margin:3rem auto">${body}</body></html>\n`,
    );
}

/** The unsubscribe endpoint: a genuine token's address is suppressed for every campaign of its venture. */
export function unsubscribeHandler(db: Database, env: NodeJS.ProcessEnv = process.env) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const token = url.searchParams.get("token") ?? "";
    const claim = readUnsubscribeToken(token, env);
    if (!claim) {
      page(res, 400, "Link not valid", "<p>This unsubscribe link is not valid. Use the link of the email itself.</p>");
      return;
    }
    if (req.method === "GET" || req.method === "HEAD") {
      page(
        res,
        200,
        "Unsubscribe",
        `<p>Stop all emails of this sender to this address?</p><form method="post"><button type="submit">Unsubscribe</button></form>`,
      );
      return;
    }
    if (req.method !== "POST") {
      res.writeHead(405, { allow: "GET, POST" }).end();
      return;
    }
    req.resume();
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from marketing.marketing_email_suppressions
      where venture_id = ${claim.ventureId}::uuid and email = ${claim.email}`.execute(db);
    if (!rows[0]?.n) {
      const event = {
        venture_id: claim.ventureId,
        source: "eva",
        platform: "email",
        event_type: "unsubscribe",
        occurred_at: new Date().toISOString(),
        external_id: `unsubscribe:${createHash("sha256").update(token).digest("hex").slice(0, 32)}`,
        properties: { email: claim.email, campaign_id: claim.campaignId, via: "unsubscribe_link" },
      };
      await sql`select marketing.fn_ingest_events(${JSON.stringify([event])}::jsonb)`.execute(db);
    }
    page(res, 200, "Unsubscribed", "<p>You are unsubscribed: this sender will not email this address again.</p>");
  };
}

/**
 * Puts the marketing endpoints in front of the server's request listener
 * (after routeSignIn, which expects to find GraphQL's alone).
 */
export function routeMarketing(server: Server, db: Database, options: WebhookOptions = {}): void {
  const listeners = server.listeners("request") as ((req: IncomingMessage, res: ServerResponse) => void)[];
  const [rest, ...others] = listeners;
  if (!rest || others.length) throw new Error("routeMarketing expects exactly one request listener");
  const webhooks = webhookHandler(db, options);
  const unsubscribe = unsubscribeHandler(db, options.env);
  server.removeAllListeners("request");
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "").split("?")[0] ?? "";
    const handler = path.startsWith("/webhooks/") ? webhooks : path === UNSUBSCRIBE_PATH ? unsubscribe : null;
    if (!handler) return rest(req, res);
    handler(req, res).catch((error: unknown) => {
      process.stderr.write(`${path} failed: ${(error as Error).message}\n`);
      if (!res.headersSent)
        res.writeHead(500, { "content-type": "application/json" }).end(`{"error":"the server failed; see its log"}\n`);
      else res.destroy();
    });
  });
}
