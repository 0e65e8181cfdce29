// Inbound marketing webhooks, POST /webhooks/<source> (spec §17.8): the raw
// body's signature checked before anything is parsed — Resend's through svix
// (svix-id, svix-timestamp, svix-signature), every other source per Standard
// Webhooks (webhook-id, webhook-timestamp, webhook-signature, the check of
// src/notifications/signature.ts), each with its own secret
// EVA_WEBHOOK_SECRET_<SOURCE>. A forged or stale signature is 401 and nothing
// is stored; a source without a secret is 404. The verified body becomes
// marketing events (per source below) stored with the delivery's receipt by
// marketing.fn_receive_webhook, so a re-delivery is stored once.
import type { IncomingMessage, ServerResponse } from "node:http";
import { sql } from "kysely";
import { Webhook } from "svix";
import type { Database } from "../db/client.ts";
import { sqlState } from "../db/errors.ts";
import { verifyWebhook } from "../notifications/signature.ts";
import { utmOf } from "./utm.ts";

export const WEBHOOK_PATH = /^\/webhooks\/([a-z][a-z0-9_]{0,39})\/?$/;
/** Signed timestamps older or newer than this are stale (Standard Webhooks' and svix's default). */
export const TOLERANCE_SECONDS = 5 * 60;
export const DEFAULT_MAX_BYTES = 256 * 1024;

/** One row as marketing.fn_ingest_events takes it. */
export interface MarketingEvent {
  venture_id: string;
  source: string;
  platform?: string | null;
  event_type: string;
  quantity?: number;
  occurred_at: string;
  content_id?: string | null;
  variant_id?: string | null;
  external_id: string;
  properties?: Record<string, unknown>;
  revenue_cents?: number;
}

export interface WebhookDelivery {
  source: string;
  deliveryId: string;
  /** The verified body, parsed. */
  body: unknown;
  /** ?venture=<uuid> on the endpoint URL (a source's events that do not name their venture). */
  venture: string | null;
}

/** A delivery's events, or why it cannot give any (answered 422, nothing stored). */
export type Mapped = { events: MarketingEvent[] } | { problem: string };

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** Resend's tags as an object: webhooks carry them as {name: value} (sends take [{name, value}]). */
function tagsOf(value: unknown): Record<string, string> {
  if (Array.isArray(value))
    return Object.fromEntries(
      value.flatMap((t) =>
        str(obj(t).name) && str(obj(t).value) ? [[obj(t).name as string, obj(t).value as string]] : [],
      ),
    );
  return Object.fromEntries(Object.entries(obj(value)).flatMap(([k, v]) => (str(v) ? [[k, v as string]] : [])));
}

const RESEND_TYPES: Record<string, string> = {
  "email.delivered": "delivered",
  "email.opened": "open",
  "email.clicked": "click",
  "email.bounced": "bounce",
  "email.complained": "complaint",
};

/**
 * Resend (https://resend.com/docs/dashboard/webhooks/event-types): one event
 * per delivery, {type, created_at, data: {email_id, to, tags, click?, bounce?}}.
 * The venture is the venture_id tag EVA's sends carry. Other types (sent,
 * delivery_delayed, contacts, domains) store nothing.
 */
export function resendEvents(d: WebhookDelivery): Mapped {
  const body = obj(d.body);
  const type = str(body.type);
  if (!type) return { problem: "a Resend event has a type" };
  const eventType = RESEND_TYPES[type];
  if (!eventType) return { events: [] };
  const data = obj(body.data);
  const tags = tagsOf(data.tags);
  const venture = tags.venture_id ?? d.venture;
  if (!venture || !UUID.test(venture))
    return { problem: "the email carries no venture_id tag (and the URL no ?venture=)" };
  const click = obj(data.click);
  const bounce = obj(data.bounce);
  const to = Array.isArray(data.to) ? str(data.to[0]) : str(data.to);
  const link = str(click.link);
  const properties: Record<string, unknown> = {
    email_id: str(data.email_id) ?? null,
    email: to?.toLowerCase() ?? null,
    subject: str(data.subject) ?? null,
    campaign_id: tags.campaign_id ?? null,
    step: tags.step ?? null,
    ...(link ? { link, ...utmOf(link) } : {}),
    ...(str(click.userAgent) ? { user_agent: click.userAgent } : {}),
    ...(str(bounce.type)
      ? { bounce_type: String(bounce.type).toLowerCase(), bounce_message: str(bounce.message) ?? null }
      : {}),
  };
  return {
    events: [
      {
        venture_id: venture,
        source: "resend",
        platform: "email",
        event_type: eventType,
        occurred_at: str(body.created_at) ?? str(data.created_at) ?? new Date().toISOString(),
        external_id: d.deliveryId,
        variant_id: tags.variant_id && UUID.test(tags.variant_id) ? tags.variant_id : null,
        properties,
      },
    ],
  };
}

/** PostHog event names counted as conversions (EVA_POSTHOG_CONVERSION_EVENTS, comma-separated). */
export function conversionEvents(env: NodeJS.ProcessEnv = process.env): Set<string> {
  const list = env.EVA_POSTHOG_CONVERSION_EVENTS ?? "signup,sign_up,signed_up,purchase,purchased,subscription_created";
  return new Set(
    list
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

/**
 * PostHog's HTTP webhook destination (body {event: {uuid, event, distinct_id,
 * properties, timestamp}} or the event itself; PostHog dedupes on the uuid):
 * a conversion event (conversionEvents()) is a conversion, a $pageview that
 * arrived through a tagged link (utm_*) a click; other events store nothing.
 * UTM parameters come from the properties or the page URL, so attribution
 * works from either; revenue from properties.revenue (major units) or
 * revenue_cents. The venture: properties.venture_id, else ?venture=.
 */
export function posthogEvents(d: WebhookDelivery, env: NodeJS.ProcessEnv = process.env): Mapped {
  const outer = obj(d.body);
  const event = Object.keys(obj(outer.event)).length ? obj(outer.event) : outer;
  const name = str(event.event);
  if (!name) return { problem: "a PostHog event has an event name (event.event)" };
  const props = obj(event.properties);
  const utm = utmOf(str(props.$current_url));
  for (const key of ["utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_id"])
    if (str(props[key])) utm[key] = String(props[key]).toLowerCase();
  const explicit = str(props.eva_event_type);
  const eventType =
    explicit ??
    (conversionEvents(env).has(name) ? "conversion" : name === "$pageview" && utm.utm_source ? "click" : null);
  if (!eventType) return { events: [] };
  const venture = str(props.venture_id) ?? d.venture;
  if (!venture || !UUID.test(venture))
    return { problem: "the event names no venture (properties.venture_id or ?venture=)" };
  const revenue =
    typeof props.revenue_cents === "number"
      ? Math.round(props.revenue_cents)
      : typeof props.revenue === "number"
        ? Math.round(props.revenue * 100)
        : undefined;
  const uuid = str(event.uuid) ?? d.deliveryId;
  return {
    events: [
      {
        venture_id: venture,
        source: "posthog",
        platform: null,
        event_type: eventType,
        occurred_at: str(event.timestamp) ?? new Date().toISOString(),
        external_id: uuid,
        properties: {
          event: name,
          distinct_id: str(event.distinct_id) ?? null,
          ...(str(props.$current_url) ? { url: props.$current_url } : {}),
          ...(str(props.$raw_user_agent) ? { user_agent: props.$raw_user_agent } : {}),
          ...utm,
        },
        ...(revenue !== undefined && eventType === "conversion" ? { revenue_cents: revenue } : {}),
      },
    ],
  };
}

/** Any other source: EVA's own event rows, {events: [...]} or one row, their source forced to the endpoint's. */
export function genericEvents(d: WebhookDelivery): Mapped {
  const body = d.body;
  const rows = Array.isArray(obj(body).events) ? (obj(body).events as unknown[]) : [body];
  return {
    events: rows.map((r, i) => {
      const row = { ...obj(r) } as unknown as MarketingEvent;
      row.source = d.source;
      if (!row.venture_id && d.venture) row.venture_id = d.venture;
      if (!row.external_id) row.external_id = rows.length === 1 ? d.deliveryId : `${d.deliveryId}:${i}`;
      return row;
    }),
  };
}

const MAPPERS: Record<string, (d: WebhookDelivery) => Mapped> = {
  resend: resendEvents,
  posthog: (d) => posthogEvents(d),
};

/** The environment variable holding a source's signing secret. */
export const secretVariable = (source: string) => `EVA_WEBHOOK_SECRET_${source.toUpperCase()}`;

export interface WebhookOptions {
  env?: NodeJS.ProcessEnv;
  /** Largest body accepted (default EVA_WEBHOOK_MAX_BYTES or 256 KiB). */
  maxBytes?: number;
  /** The clock signatures are checked against (tests). */
  now?: () => number;
}

function send(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(`${JSON.stringify(body)}\n`);
}

/** The body, refused past maxBytes (the connection is not read further). */
async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | null> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Whether a signed delivery is genuine and fresh: its delivery id, or null (answered 401). */
export function verifyDelivery(
  source: string,
  secret: string,
  raw: Buffer,
  headers: (name: string) => string | undefined,
  now = Date.now(),
): string | null {
  if (source === "resend") {
    const id = headers("svix-id");
    const timestamp = headers("svix-timestamp");
    const signature = headers("svix-signature");
    if (!id || !timestamp || !signature) return null;
    // svix checks the tolerance against the real clock; an injected clock is checked here first.
    if (!fresh(timestamp, now)) return null;
    try {
      new Webhook(secret).verify(raw.toString("utf8"), {
        "svix-id": id,
        "svix-timestamp": timestamp,
        "svix-signature": signature,
      });
      return id;
    } catch {
      return null;
    }
  }
  const id = headers("webhook-id");
  const timestamp = headers("webhook-timestamp");
  const signature = headers("webhook-signature");
  if (!id || !timestamp || !signature || !fresh(timestamp, now)) return null;
  return verifyWebhook(secret, id, timestamp, raw.toString("utf8"), signature) ? id : null;
}

function fresh(timestamp: string, now: number): boolean {
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  return Math.abs(now / 1000 - Number(timestamp)) <= TOLERANCE_SECONDS;
}

/** The handler of POST /webhooks/<source>, storing through `db` (acting as eva_service). */
export function webhookHandler(db: Database, options: WebhookOptions = {}) {
  const env = options.env ?? process.env;
  const maxBytes = options.maxBytes ?? (Number(env.EVA_WEBHOOK_MAX_BYTES) || DEFAULT_MAX_BYTES);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const source = WEBHOOK_PATH.exec(url.pathname)?.[1];
    const secret = source ? env[secretVariable(source)] : undefined;
    if (!source || !secret) {
      send(res, 404, { error: `unknown webhook source: set ${secretVariable(source ?? "<source>")} to receive it` });
      return;
    }
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      send(res, 405, { error: "webhooks are POSTed" });
      return;
    }
    const raw = await readBody(req, maxBytes);
    if (raw === null) {
      send(res, 413, { error: `the body is larger than ${maxBytes} bytes` });
      req.resume();
      return;
    }
    let deliveryId: string | null;
    try {
      deliveryId = verifyDelivery(source, secret, raw, (name) => header(req, name), options.now?.() ?? Date.now());
    } catch (error) {
      // A secret that is not "whsec_<base64>": the operator's to fix, not the sender's.
      send(res, 500, { error: `${secretVariable(source)} is not a usable secret: ${(error as Error).message}` });
      return;
    }
    if (!deliveryId) {
      send(res, 401, { error: "signature missing, forged or stale" });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch {
      send(res, 400, { error: "the body is not JSON" });
      return;
    }
    const venture = url.searchParams.get("venture");
    const mapped = (MAPPERS[source] ?? genericEvents)({ source, deliveryId, body, venture });
    if ("problem" in mapped) {
      send(res, 422, { error: mapped.problem });
      return;
    }
    try {
      const { rows } = await sql<{ r: { duplicate: boolean; stored: number } }>`
        select marketing.fn_receive_webhook(${source}, ${deliveryId}, ${JSON.stringify(mapped.events)}::jsonb) as r`.execute(
        db,
      );
      send(res, 200, { received: true, ...rows[0]?.r });
    } catch (error) {
      if (sqlState(error) === "EV400") send(res, 422, { error: (error as Error).message });
      else throw error;
    }
  };
}
