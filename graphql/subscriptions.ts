// Live updates for the Chairman's dashboard (spec §11 "Real-time"): GraphQL
// subscriptions over the API's websocket, woken by the NOTIFY every
// eva.eva_event_log insert sends on channel `eva_events` (see
// eva_private.tg_event_log_notify). The notification only routes: each event
// is read back from the database as the subscriber's role, so RLS and grants
// decide what reaches whom (a viewer never gets chairman.* events), exactly as
// they do for queries. Delivery is best effort: a client that reconnects
// catches up with `eventFeed(pAfter: <last id it saw>)`.
import type { PgClient, WithPgClient } from "postgraphile/@dataplan/pg";
import { access, constant, context, type GrafastSubscriber, lambda, listen, type Step } from "postgraphile/grafast";
import { extendSchema, gql } from "postgraphile/utils";

/** The channel eva_private.tg_event_log_notify NOTIFYs on. */
export const EVENT_CHANNEL = "eva_events";

/** What a NOTIFY on `eva_events` carries: enough to route, nothing to show. */
export interface EventNotice {
  id: string;
  event_type: string;
  venture_id: string | null;
}

/**
 * Which notices a subscription passes on, each checked in the database as the
 * subscriber: `all`, every event its role may read; `feed`, those
 * eva.fn_event_feed lists (the same rule as `eventFeed`); `chairman`, the
 * chairman.* events (decisions requested and made).
 */
export type EventFilter = "all" | "feed" | "chairman";

// Run once at subscription time: a role that may not read what the
// subscription serves is refused then (42501), not left listening to nothing.
const PROBE: Record<EventFilter, string> = {
  all: "select 1 from eva.eva_event_log limit 0",
  feed: "select 1 from eva.fn_event_feed(0, 0)",
  chairman: "select 1 from eva.decision_queue limit 0",
};
const VISIBLE: Record<EventFilter, string> = {
  all: "select e.id from eva.eva_event_log e where e.id = $1::bigint",
  feed: "select e.id from eva.fn_event_feed($1::bigint - 1, 1) e where e.id = $1::bigint",
  chairman: "select e.id from eva.eva_event_log e where e.id = $1::bigint and e.event_type like 'chairman.%'",
};

function parseNotice(raw: unknown): EventNotice | null {
  try {
    const value = (typeof raw === "string" ? JSON.parse(raw) : raw) as Record<string, unknown> | null;
    const id = value?.id;
    const type = value?.event_type;
    if ((typeof id !== "number" && typeof id !== "string") || typeof type !== "string") return null;
    const venture = value?.venture_id;
    return { id: String(id), event_type: type, venture_id: typeof venture === "string" ? venture : null };
  } catch {
    return null;
  }
}

/**
 * A subscriber that passes on only the notices whose event the caller's role
 * can read (and that match `filter`), in NOTIFY order.
 */
export function visibleEvents(
  subscriber: GrafastSubscriber | null | undefined,
  withPgClient: WithPgClient<PgClient>,
  pgSettings: Record<string, string | undefined> | null,
  filter: EventFilter,
): GrafastSubscriber<Record<string, EventNotice>> {
  return {
    async subscribe(topic) {
      if (!subscriber) throw new Error("subscriptions need the database's pubsub (makePgService({ pubsub: true }))");
      // Listening first: what arrives while the probe runs is queued, not lost.
      const upstream = await subscriber.subscribe(topic as string);
      const close = async () => {
        await upstream.return?.();
      };
      try {
        await withPgClient(pgSettings, (client) => client.query({ text: PROBE[filter] }));
      } catch (error) {
        await close();
        throw error;
      }
      const iterator: AsyncIterableIterator<EventNotice> = {
        [Symbol.asyncIterator]() {
          return iterator;
        },
        async next() {
          try {
            for (;;) {
              const result = await upstream.next();
              if (result.done) return { done: true, value: undefined };
              const notice = parseNotice(result.value);
              if (!notice) continue;
              if (filter === "chairman" && !notice.event_type.startsWith("chairman.")) continue;
              const { rows } = await withPgClient(pgSettings, (client) =>
                client.query({ text: VISIBLE[filter], values: [notice.id] }),
              );
              if (rows.length > 0) return { done: false, value: notice };
            }
          } catch (error) {
            await close();
            throw error;
          }
        },
        async return() {
          await close();
          return { done: true, value: undefined };
        },
        async throw(error: unknown) {
          await close();
          throw error;
        },
      };
      return iterator;
    },
  };
}

export const EvaSubscriptionsPlugin = extendSchema((build) => {
  const { eva_event_log: eventLog, decision_queue: decisionQueue } = build.input.pgRegistry.pgResources;
  if (!eventLog || !decisionQueue)
    throw new Error("EvaSubscriptionsPlugin needs eva.eva_event_log and eva.decision_queue");

  /** The subscriber of this request, narrowed to `filter`. */
  const subscriberFor = (filter: EventFilter, $feedOnly: Step = constant(false)): Step<GrafastSubscriber> =>
    lambda(
      [context().get("pgSubscriber"), context().get("withPgClient"), context().get("pgSettings"), $feedOnly],
      ([subscriber, withPgClient, pgSettings, feedOnly]): GrafastSubscriber =>
        visibleEvents(
          subscriber as GrafastSubscriber | null,
          withPgClient as WithPgClient<PgClient>,
          pgSettings as Record<string, string> | null,
          filter === "all" && feedOnly === true ? "feed" : filter,
        ),
    );

  return {
    typeDefs: gql`
      extend type Subscription {
        """
        Each new event in the event log that your role may read (a viewer gets no chairman.* events), as it is
        logged. With feedOnly, only the events eventFeed lists. Events logged while you were not subscribed are not
        replayed: on reconnecting, read eventFeed(pAfter: <the last id you received>).
        """
        evaEvent(feedOnly: Boolean! = false): EvaEventLog

        """
        The pending decision queue (decisionQueue order: most urgent first): once when you subscribe, then each time a
        chairman.* event (a decision requested or made) is logged. For the Chairman only.
        """
        decisionQueueChanged: DecisionQueueChangedPayload
      }

      type DecisionQueueChangedPayload {
        "The chairman.* event that changed the queue; null in the first message, sent when you subscribe."
        event: EvaEventLog
        "The pending decisions now, most urgent first."
        queue: [DecisionQueue!]!
      }
    `,
    objects: {
      Subscription: {
        plans: {
          evaEvent: {
            subscribePlan(_$root, { $feedOnly }) {
              return listen(subscriberFor("all", $feedOnly), EVENT_CHANNEL);
            },
            plan($notice) {
              return eventLog.get({ id: access($notice, "id") });
            },
          },
          decisionQueueChanged: {
            subscribePlan() {
              return listen(
                subscriberFor("chairman"),
                EVENT_CHANNEL,
                undefined,
                lambda(null, () => ({ id: null })),
              );
            },
            plan($notice) {
              return $notice;
            },
          },
        },
      },
      DecisionQueueChangedPayload: {
        plans: {
          event($notice) {
            return eventLog.get({ id: access($notice, "id") });
          },
          queue() {
            return decisionQueue.find();
          },
        },
      },
    },
  };
}, "EvaSubscriptionsPlugin");
