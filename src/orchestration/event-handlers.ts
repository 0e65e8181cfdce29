// The reactive parts of EVA: the handlers event subscriptions name
// (eva.event_subscriptions.handler). A handler gets the event and its
// subscription; returning is success (its value is kept as the delivery's
// result), throwing is a failed attempt (PermanentDeliveryError: no retry).
import { sql } from "kysely";
import type { Database } from "../db/client.ts";
import { webhookHeaders } from "../notifications/signature.ts";
import type { BusEvent, Subscription } from "./event-bus.ts";

export interface HandlerContext {
  db: Database;
  event: BusEvent;
  subscription: Subscription;
}

export type EventHandler = (ctx: HandlerContext) => Promise<unknown>;
export type EventHandlers = Record<string, EventHandler>;

/** A failure no retry can mend (a misconfigured subscription): dead-lettered at once. */
export class PermanentDeliveryError extends Error {}

/** The body a webhook subscriber receives for one event. */
export function eventWebhookBody(event: BusEvent, subscription: Subscription): Record<string, unknown> {
  return {
    type: event.type,
    eventId: event.id,
    cursor: event.cursor,
    ventureId: event.ventureId,
    payload: event.payload,
    createdAt: event.createdAt,
    subscription: subscription.name,
  };
}

/**
 * webhook: POSTs the event to the subscription's `config.url`, signed as
 * Standard Webhooks (src/notifications/signature.ts) with the secret held by
 * the environment variable `config.secretEnv` (never stored in the row). The
 * webhook-id is the same on every attempt (`<subscription>:<event id>`), so a
 * receiver dedupes a retry after a lost acknowledgement.
 */
export function webhookHandler(options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): EventHandler {
  return async ({ event, subscription }) => {
    const url = typeof subscription.config.url === "string" ? subscription.config.url : "";
    const secretEnv = typeof subscription.config.secretEnv === "string" ? subscription.config.secretEnv : "";
    if (!/^https?:\/\//.test(url) || !secretEnv)
      throw new PermanentDeliveryError(`subscription ${subscription.name} has no webhook url or secretEnv`);
    const secret = (options.env ?? process.env)[secretEnv];
    if (!secret) throw new Error(`the webhook secret ${secretEnv} is not set in the worker's environment`);
    const body = JSON.stringify(eventWebhookBody(event, subscription));
    const id = `${subscription.name}:${event.id}`;
    let headers: Record<string, string>;
    try {
      headers = webhookHeaders(secret, id, Math.floor(Date.now() / 1000), body);
    } catch {
      throw new Error(`${secretEnv} must be "whsec_" followed by base64`);
    }
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new Error(`the webhook ${url} could not be reached: ${error instanceof Error ? error.message : error}`);
    }
    await response.body?.cancel();
    if (!response.ok) throw new Error(`the webhook ${url} answered ${response.status} ${response.statusText}`.trim());
    return { status: response.status };
  };
}

/**
 * knowledge_extraction: what the portfolio learns from a gate outcome or a
 * kill, written to eva.portfolio_patterns with an eva.insight event
 * (eva_private.fn_extract_knowledge); other events teach nothing.
 */
export const knowledgeExtraction: EventHandler = async ({ db, event }) => {
  const { rows } = await sql<{ r: unknown }>`select eva_private.fn_extract_knowledge(${event.id}::bigint) as r`.execute(
    db,
  );
  return rows[0]?.r ?? null;
};

/** noop: does nothing (the event-delivery bench's handler; a probe that the bus moves). */
export const noop: EventHandler = async () => null;

/** The handlers a worker runs, by the name subscriptions use. */
export function eventHandlers(options: { env?: NodeJS.ProcessEnv } = {}): EventHandlers {
  return {
    webhook: webhookHandler(options),
    knowledge_extraction: knowledgeExtraction,
    noop,
  };
}
