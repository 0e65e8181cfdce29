// Live updates for the Chairman's dashboard (spec §11 "Real-time"): GraphQL
// subscriptions over the API's websocket. A NOTIFY on channel `eva_events`
// (one per transaction that logs events, see eva_private.tg_event_log_notify)
// only wakes a subscription; it then reads the log after its own cursor
// (eva.fn_events_after, as the subscriber's role, so RLS and grants decide what
// reaches whom: a viewer never gets chairman.* events). The cursor is commit
// ordered, so nothing is skipped when transactions commit out of order, and a
// client that reconnects with `after: <the last cursor it received>` gets
// everything it missed first, then the live events, each once.
import { type PgClient, type WithPgClient, withPgClient } from "postgraphile/@dataplan/pg";
import {
  access,
  constant,
  context,
  type GrafastSubscriber,
  lambda,
  listen,
  object,
  type Step,
} from "postgraphile/grafast";
import { extendSchema, gql } from "postgraphile/utils";

/** The channel eva_private.tg_event_log_notify NOTIFYs on. */
export const EVENT_CHANNEL = "eva_events";

/** An event a subscription passes on: its id (the plan reads the row) and its feed cursor. */
export interface EventNotice {
  id: string;
  cursor: string;
}

/**
 * Which events a subscription passes on, as eva.fn_events_after's scopes:
 * `all`, every event its role may read; `feed`, those eva.fn_event_feed lists
 * (the same rule as `eventFeed`); `chairman`, the chairman.* events (decisions
 * requested and made).
 */
export type EventFilter = "all" | "feed" | "chairman";

// Run once at subscription time: a role that may not read what the
// subscription serves is refused then (42501), not left listening to nothing.
const PROBE: Record<EventFilter, string> = {
  all: "select 1 from eva.eva_event_log limit 0",
  feed: "select 1 from eva.fn_event_feed(null, 0)",
  chairman: "select 1 from eva.decision_queue limit 0",
};
/** Events read per query while catching up. */
const PAGE = 100;
/** While committed events wait behind an older open transaction, look again after this long (doubling, up to MAX). */
const HELD_BACK_RETRY_MS = 50;
const HELD_BACK_RETRY_MAX_MS = 1000;

const READ = "select e.id::text as id, e.cursor from eva.fn_events_after($1, $2, $3) e";
// Committed events the feed does not list yet (an older transaction is still open): no NOTIFY may come when
// that transaction ends (it may log nothing), so the subscription looks again on its own.
const HELD_BACK: Record<EventFilter, string> = {
  all: "select exists (select 1 from eva.eva_event_log e where e.xact_id >= (select eva.fn_event_horizon())) as held",
  feed: "select exists (select 1 from eva.eva_event_log e where e.xact_id >= (select eva.fn_event_horizon())) as held",
  chairman:
    "select exists (select 1 from eva.eva_event_log e where e.xact_id >= (select eva.fn_event_horizon()) and e.event_type like 'chairman.%') as held",
};

/**
 * A subscriber that passes on, in commit-safe order and each once, the events
 * after `after` (default: from now on) that the caller's role can read and
 * that match `filter`, re-reading the log whenever a NOTIFY wakes it.
 */
export function visibleEvents(
  subscriber: GrafastSubscriber | null | undefined,
  withPgClient: WithPgClient<PgClient>,
  pgSettings: Record<string, string | undefined> | null,
  filter: EventFilter,
  after: string | null = null,
): GrafastSubscriber<Record<string, EventNotice>> {
  const query = async <R>(text: string, values: unknown[] = []): Promise<readonly R[]> =>
    (await withPgClient(pgSettings, (client) => client.query<R>({ text, values }))).rows;
  return {
    async subscribe(topic) {
      if (!subscriber) throw new Error("subscriptions need the database's pubsub (makePgService({ pubsub: true }))");
      // Listening first: a wake-up that arrives while the cursor is taken is queued, not lost.
      const upstream = await subscriber.subscribe(topic as string);
      const close = async () => {
        await upstream.return?.();
      };
      let cursor: string;
      try {
        await query(PROBE[filter]);
        if (after === null || after === "") {
          cursor = (await query<{ cursor: string }>("select eva.fn_event_cursor() as cursor"))[0]?.cursor ?? "";
        } else {
          // A cursor that is not one is refused now (EV400), not at the first event.
          await query(READ, [after, 0, filter]);
          cursor = after;
        }
      } catch (error) {
        await close();
        throw error;
      }
      const buffer: EventNotice[] = [];
      let pendingWake: Promise<IteratorResult<unknown>> | null = null;
      let retryMs = HELD_BACK_RETRY_MS;
      /** Waits for the next NOTIFY, or `ms` at most: "woke", "timeout" or "done" (the listener ended). */
      const wake = async (ms?: number): Promise<"woke" | "timeout" | "done"> => {
        pendingWake ??= upstream.next();
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout =
          ms === undefined
            ? null
            : new Promise<"timeout">((resolve) => {
                timer = setTimeout(() => resolve("timeout"), ms);
              });
        const result = await (timeout ? Promise.race([pendingWake, timeout]) : pendingWake);
        clearTimeout(timer);
        if (result === "timeout") return "timeout";
        pendingWake = null;
        return result.done ? "done" : "woke";
      };
      const iterator: AsyncIterableIterator<EventNotice> = {
        [Symbol.asyncIterator]() {
          return iterator;
        },
        async next() {
          try {
            for (;;) {
              const ready = buffer.shift();
              if (ready) return { done: false, value: ready };
              const rows = await query<EventNotice>(READ, [cursor, PAGE, filter]);
              const last = rows.at(-1);
              if (last) {
                cursor = last.cursor;
                buffer.push(...rows);
                retryMs = HELD_BACK_RETRY_MS;
                continue;
              }
              const held = (await query<{ held: boolean }>(HELD_BACK[filter]))[0]?.held === true;
              const woke = await wake(held ? retryMs : undefined);
              if (woke === "done") return { done: true, value: undefined };
              retryMs = woke === "timeout" ? Math.min(retryMs * 2, HELD_BACK_RETRY_MAX_MS) : HELD_BACK_RETRY_MS;
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

  /** The subscriber of this request, narrowed to `filter`, reading after `$after` (default: from now on). */
  const subscriberFor = (
    filter: EventFilter,
    $feedOnly: Step = constant(false),
    $after: Step = constant(null),
  ): Step<GrafastSubscriber> =>
    lambda(
      [context().get("pgSubscriber"), context().get("withPgClient"), context().get("pgSettings"), $feedOnly, $after],
      ([subscriber, withPgClient, pgSettings, feedOnly, after]): GrafastSubscriber =>
        visibleEvents(
          subscriber as GrafastSubscriber | null,
          withPgClient as WithPgClient<PgClient>,
          pgSettings as Record<string, string> | null,
          filter === "all" && feedOnly === true ? "feed" : filter,
          typeof after === "string" ? after : null,
        ),
    );

  return {
    typeDefs: gql`
      extend type Subscription {
        """
        Each event in the event log that your role may read (a viewer gets no chairman.* events), in commit order,
        each once: an event arrives when its transaction and every older one have ended. With feedOnly, only the
        events eventFeed lists. Without after, from now on; on reconnecting, pass after: <the cursor of the last
        event you received> to get everything since first, with no gap.
        """
        evaEvent(feedOnly: Boolean! = false, after: String): EvaEventLog

        """
        The pending decision queue (decisionQueue order: most urgent first): once when you subscribe, then each time a
        chairman.* event (a decision requested or made) is logged. For the Chairman only. With first, only the first
        that many (a page that lists the top of the queue need not receive all of it); pendingCount says how many wait.
        """
        decisionQueueChanged(first: Int): DecisionQueueChangedPayload
      }

      type DecisionQueueChangedPayload {
        "The chairman.* event that changed the queue; null in the first message, sent when you subscribe."
        event: EvaEventLog
        "The pending decisions now, most urgent first (the first \`first\` of them when given)."
        queue: [DecisionQueue!]!
        "How many decisions are pending now (eva.fn_pending_decision_count), however many queue lists."
        pendingCount: Int!
      }
    `,
    objects: {
      Subscription: {
        plans: {
          evaEvent: {
            subscribePlan(_$root, { $feedOnly, $after }) {
              return listen(subscriberFor("all", $feedOnly, $after), EVENT_CHANNEL);
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
            plan($notice, { $first }) {
              // The queue is read here, where the subscription's first (a unary step) can bound it.
              const $queue = decisionQueue.find();
              if ($first) $queue.setFirst($first);
              return object({ id: access($notice, "id"), queue: $queue });
            },
          },
        },
      },
      DecisionQueueChangedPayload: {
        plans: {
          event($payload) {
            return eventLog.get({ id: access($payload, "id") });
          },
          queue($payload) {
            return ($payload as ReturnType<typeof object>).get("queue");
          },
          pendingCount() {
            // As the subscriber's role, in the request's transaction settings, as the queue is read.
            return withPgClient(decisionQueue.executor, constant(null), async (client) => {
              const { rows } = await client.query<{ n: number }>({
                text: "select eva.fn_pending_decision_count()::int as n",
              });
              return rows[0]?.n ?? 0;
            });
          },
        },
      },
    },
  };
}, "EvaSubscriptionsPlugin");
