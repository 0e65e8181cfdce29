// Email through Resend (spec §17.4): the client (base URL configurable), the
// drip sender (`email:drip:send`, every 5 minutes) and the unsubscribe link.
// SQL owns the drip state machine (marketing.fn_email_claim_due picks the
// due steps and writes each send's Idempotency-Key before the call;
// marketing.fn_email_advance moves the subscriber on); this file does the I/O:
// one Resend call per claimed send, with List-Unsubscribe (RFC 2369, one-click
// per RFC 8058) and a signed unsubscribe link in the body, tagged with the
// venture, campaign and step so Resend's webhooks find their way back.
import { createHmac, timingSafeEqual } from "node:crypto";
import { sql } from "kysely";
import { Resend } from "resend";
import { jwtSecret } from "../auth/tokens.ts";
import type { Database } from "../db/client.ts";
import type { Capture } from "./posthog.ts";

export interface EmailMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html?: string | undefined;
  headers?: Record<string, string>;
  tags?: { name: string; value: string }[];
}

/** What a send came to: the provider's id, or an error that is worth retrying (or not). */
export type SendResult = { ok: true; id: string } | { ok: false; retry: boolean; error: string };

export interface EmailClient {
  send(message: EmailMessage, idempotencyKey: string): Promise<SendResult>;
}

/**
 * The Resend client, from RESEND_API_KEY and EVA_RESEND_URL (default Resend's
 * own https://api.resend.com); null without a key (email is then not sent).
 */
export function resendClient(env: NodeJS.ProcessEnv = process.env): EmailClient | null {
  const key = env.RESEND_API_KEY;
  if (!key) return null;
  const resend = new Resend(key, env.EVA_RESEND_URL ? { baseUrl: env.EVA_RESEND_URL.replace(/\/+$/, "") } : undefined);
  return {
    async send(message, idempotencyKey) {
      try {
        const { data, error } = await resend.emails.send(
          {
            from: message.from,
            to: message.to,
            subject: message.subject,
            text: message.text,
            ...(message.html ? { html: message.html } : {}),
            ...(message.headers ? { headers: message.headers } : {}),
            ...(message.tags ? { tags: message.tags } : {}),
          },
          { idempotencyKey },
        );
        if (data?.id) return { ok: true, id: data.id };
        const status = (error as { statusCode?: number | null } | null)?.statusCode ?? null;
        // 4xx other than 429 are permanent (a refused address, a bad sender); the rest may pass later.
        const retry = status === null || status === 429 || status >= 500;
        return { ok: false, retry, error: `${error?.name ?? "error"}: ${error?.message ?? "no id returned"}` };
      } catch (error) {
        return { ok: false, retry: true, error: (error as Error).message };
      }
    },
  };
}

// --- The unsubscribe link: a token naming venture, address and campaign, signed with HMAC-SHA256.

function unsubscribeKey(env: NodeJS.ProcessEnv): Uint8Array {
  return env.EVA_UNSUBSCRIBE_SECRET ? new TextEncoder().encode(env.EVA_UNSUBSCRIBE_SECRET) : jwtSecret(env);
}

export interface UnsubscribeClaim {
  ventureId: string;
  email: string;
  campaignId: string;
}

export function unsubscribeToken(claim: UnsubscribeClaim, env: NodeJS.ProcessEnv = process.env): string {
  const payload = Buffer.from(JSON.stringify([claim.ventureId, claim.email.toLowerCase(), claim.campaignId])).toString(
    "base64url",
  );
  const mac = createHmac("sha256", unsubscribeKey(env)).update(payload).digest("base64url");
  return `${payload}.${mac}`;
}

/** The claim a genuine token carries, or null. */
export function readUnsubscribeToken(token: string, env: NodeJS.ProcessEnv = process.env): UnsubscribeClaim | null {
  const [payload, mac, extra] = token.split(".");
  if (!payload || !mac || extra !== undefined) return null;
  const expected = createHmac("sha256", unsubscribeKey(env)).update(payload).digest();
  const given = Buffer.from(mac, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const [ventureId, email, campaignId] = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as string[];
    if (!ventureId || !email || !campaignId) return null;
    return { ventureId, email, campaignId };
  } catch {
    return null;
  }
}

/** Where unsubscribe links point: EVA_PUBLIC_URL (the tunnel's address, spec §17.8), else the local server. */
export function publicUrl(env: NodeJS.ProcessEnv = process.env): string {
  return (env.EVA_PUBLIC_URL || `http://localhost:${env.EVA_PORT || 5678}`).replace(/\/+$/, "");
}

export const unsubscribeUrl = (claim: UnsubscribeClaim, env: NodeJS.ProcessEnv = process.env) =>
  `${publicUrl(env)}/unsubscribe?token=${unsubscribeToken(claim, env)}`;

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

interface Claimed {
  send_id: string;
  idempotency_key: string;
  venture_id: string;
  campaign_id: string;
  subscriber_id: string;
  step_number: number;
  to_email: string;
  from_address: string;
  from_name: string | null;
  subject: string;
  body_text: string;
  body_html: string | null;
  state_id: string;
}

/** One due step as the message Resend gets: the unsubscribe link in the body and in List-Unsubscribe. */
export function dripMessage(c: Omit<Claimed, "send_id" | "idempotency_key">, env: NodeJS.ProcessEnv = process.env) {
  const link = unsubscribeUrl({ ventureId: c.venture_id, email: c.to_email, campaignId: c.campaign_id }, env);
  const message: EmailMessage = {
    from: c.from_name ? `${c.from_name} <${c.from_address}>` : c.from_address,
    to: c.to_email,
    subject: c.subject,
    text: `${c.body_text}\n\n--\nUnsubscribe: ${link}\n`,
    headers: { "List-Unsubscribe": `<${link}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
    tags: [
      { name: "venture_id", value: c.venture_id },
      { name: "campaign_id", value: c.campaign_id },
      { name: "step", value: String(c.step_number) },
    ],
  };
  if (c.body_html)
    message.html = `${c.body_html}\n<p style="font-size:12px;color:#666"><a href="${escapeHtml(link)}">Unsubscribe</a></p>`;
  return message;
}

export interface DripReport {
  claimed: number;
  sent: number;
  failed: number;
  refused: number;
}

/**
 * One run of `email:drip:send`, as eva_service: the due steps claimed in SQL,
 * each sent with its Idempotency-Key and reported back. Without a client
 * (no RESEND_API_KEY) nothing is claimed: due steps wait, none is skipped.
 */
export async function sendDueEmails(
  db: Database,
  client: EmailClient | null,
  options: { limit?: number; env?: NodeJS.ProcessEnv; log?: (line: string) => void; capture?: Capture | null } = {},
): Promise<DripReport> {
  const report: DripReport = { claimed: 0, sent: 0, failed: 0, refused: 0 };
  if (!client) {
    options.log?.("email:drip:send: RESEND_API_KEY is not set, nothing sent");
    return report;
  }
  const { rows } = await sql<Claimed>`
    select * from marketing.fn_email_claim_due(${options.limit ?? 100})`.execute(db);
  report.claimed = rows.length;
  for (const c of rows) {
    const result = await client.send(dripMessage(c, options.env), c.idempotency_key);
    const outcome = result.ok ? "sent" : result.retry ? "failed" : "refused";
    report[outcome === "sent" ? "sent" : outcome === "failed" ? "failed" : "refused"] += 1;
    await sql`select marketing.fn_email_advance(${c.state_id}::uuid, ${c.step_number}::int, ${result.ok ? result.id : null},
      ${outcome}, ${result.ok ? null : result.error})`.execute(db);
    // PostHog sees the send beside the site's events (its uuid is the send's: a retried capture is one event).
    if (result.ok && options.capture)
      await options.capture.capture({
        distinctId: c.subscriber_id,
        event: "marketing_email_sent",
        uuid: c.send_id,
        properties: { venture_id: c.venture_id, campaign_id: c.campaign_id, step: c.step_number, resend_id: result.id },
      });
    options.log?.(
      `email ${c.idempotency_key} to ${c.to_email}: ${outcome}${result.ok ? ` (${result.id})` : `: ${result.error}`}`,
    );
  }
  return report;
}
