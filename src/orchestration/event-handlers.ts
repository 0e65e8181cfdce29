// The reactive parts of EVA: the handlers event subscriptions name
// (eva.event_subscriptions.handler). A handler gets the event and its
// subscription; returning is success (its value is kept as the delivery's
// result), throwing is a failed attempt (PermanentDeliveryError: no retry).
//
// What is a reaction and what is not: a change's transaction keeps what must
// hold the moment it commits (a hard dependency holding the dependent's work
// as it becomes ready, a declared dependency blocking at once, the stored
// priority equal to its formula, the inbox row of an event); what follows from
// it runs here, after the commit, from the event: releasing dependents
// (dependency_reevaluation), re-ranking queued stage jobs (stage_run_rerank),
// the notification webhook (notification_webhook), the retirement saga's start
// (venture_retirement), what the portfolio learns (knowledge_extraction). A
// delivery may run twice (a worker dies between the handler and its record),
// so every handler acts on what the database holds now and is idempotent.
import { sql } from "kysely";
import type { Database } from "../db/client.ts";
import { DeliveryFailed, deliverWebhook, type WebhookConfig, webhookConfigFromEnv } from "../notifications/outbox.ts";
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

/**
 * dependency_reevaluation (the dependency-reevaluation subscription: stage.entered and a venture's end, for
 * ventures in a pending dependency): meets what the venture has reached as a provider, breaks what its end
 * leaves unreachable; each dependency's trigger releases or re-holds the dependent's work in this transaction
 * (eva_private.fn_reevaluate_dependencies).
 */
export const dependencyReevaluation: EventHandler = async ({ db, event }) => {
  if (!event.ventureId) return { skipped: "the event names no venture" };
  const { rows } = await sql<{ r: unknown }>`
    select eva_private.fn_reevaluate_dependencies(${event.ventureId}::uuid) as r`.execute(db);
  return rows[0]?.r ?? null;
};

/**
 * stage_run_rerank (the stage-run-rerank subscription: a stage completed, a decision made, a stored priority
 * moved, when a queued job is off its priority): the queued stage_run jobs of the venture and of the ventures
 * it waits on get their current priority (eva_private.fn_rerank_stage_runs; jobs a worker holds stay).
 */
export const stageRunRerank: EventHandler = async ({ db, event }) => {
  if (!event.ventureId) return { moved: 0 };
  const { rows } = await sql<{ moved: number }>`
    select eva_private.fn_rerank_stage_runs(eva_private.fn_rerank_targets(${event.ventureId}::uuid)) as moved`.execute(
    db,
  );
  return { moved: rows[0]?.moved ?? 0 };
};

/**
 * notification_webhook (the notification-webhook subscription): delivers the webhook channel of the event's
 * notification (immediate ones and digests) with src/notifications/outbox.ts's deliverWebhook, which records
 * every try in eva.notification_attempts and never sends one already delivered. A receiver that fails fails
 * the delivery: retried after the subscription's backoff, then dead-lettered (`eva dlq replay` sends it).
 */
export function notificationWebhookHandler(webhook: () => WebhookConfig): EventHandler {
  return async ({ db, event }) => {
    const { rows } = await sql<{ id: string }>`
      select n.id from eva.notifications n
      where n.event_id = ${event.id}::bigint and 'webhook' = any (n.channels)`.execute(db);
    const results: Record<string, string> = {};
    for (const { id } of rows) {
      try {
        results[id] = await deliverWebhook(db, id, webhook());
      } catch (error) {
        throw error instanceof DeliveryFailed ? new Error(`notification ${id}: ${error.message}`) : error;
      }
    }
    return { notifications: results };
  };
}

/**
 * venture_retirement (the venture-retirement subscription: venture.killed, .sunset, .exited): starts the
 * ended venture's retirement saga once (eva_private.fn_start_retirement_for_event).
 */
export const ventureRetirement: EventHandler = async ({ db, event }) => {
  const { rows } = await sql<{ r: unknown }>`
    select eva_private.fn_start_retirement_for_event(${event.id}::bigint, ${event.createdAt}::timestamptz) as r`.execute(
    db,
  );
  return rows[0]?.r ?? null;
};

/** noop: does nothing (the event-delivery bench's handler; a probe that the bus moves). */
export const noop: EventHandler = async () => null;

/** The handlers a worker runs, by the name subscriptions use. */
export function eventHandlers(
  options: { env?: NodeJS.ProcessEnv; notificationWebhook?: () => WebhookConfig } = {},
): EventHandlers {
  const notificationWebhook = options.notificationWebhook ?? (() => webhookConfigFromEnv(options.env));
  return {
    webhook: webhookHandler(options),
    knowledge_extraction: knowledgeExtraction,
    dependency_reevaluation: dependencyReevaluation,
    stage_run_rerank: stageRunRerank,
    notification_webhook: notificationWebhookHandler(notificationWebhook),
    venture_retirement: ventureRetirement,
    noop,
  };
}
