// The event feed (spec §11): the portfolio's significant events, live. It
// opens on the recent past (eventFeedRecent) and follows
// evaEvent(feedOnly: true, after: <the last cursor received>); after a
// reconnect it subscribes again from the last cursor it holds, so an event
// logged while the connection was down arrives then, once (rows are also
// keyed by id, so a replay cannot show one twice).
import { useEffect, useRef, useState } from "preact/hooks";
import { type ApiError, gql, onConnection, present } from "../api.ts";
import { dateTime, decisionTypeLabel } from "../format.ts";
import type { FeedEventFragment } from "../gql/graphql.ts";
import { graphql } from "../gql/index.ts";
import { useConnected, useSubscription } from "../live.ts";
import { onLinkClick } from "../router.ts";

graphql(
  `fragment FeedEvent on EvaEventLog { rowId eventType ventureId createdAt cursor payload ventureByVentureId { name } }`,
);
const RECENT = graphql(`query Events { eventFeedRecent(pWindow: 1000) { nodes { ...FeedEvent } } }`);
const LIVE = graphql(
  `subscription EventsLive($after: String) { evaEvent(feedOnly: true, after: $after) { ...FeedEvent } }`,
);
const SHOWN = 300;

type FeedEvent = FeedEventFragment;

const text = (v: unknown) => (typeof v === "string" || typeof v === "number" ? String(v) : "");

/** One line a person reads for an event. */
export function describe(e: FeedEvent): string {
  const p = (e.payload ?? {}) as Record<string, unknown>;
  switch (e.eventType) {
    case "stage.entered":
      return `entered Stage ${text(p.to_stage)}${p.reason ? ` (${text(p.reason)})` : ""}`;
    case "chairman.decision_requested":
      return `${decisionTypeLabel(text(p.decision_type))} requested at Stage ${text(p.stage)}; recommended: ${text(p.recommended_action) || "none"}`;
    case "gate.evaluated":
      return `${text(p.gate_type)} gate at Stage ${text(p.stage)}: ${text(p.decision)}${p.rationale ? `: ${text(p.rationale)}` : ""}`;
    case "dfe.evaluated":
      return `Decision Filter Engine at Stage ${text(p.stage)}: ${text(p.output)}`;
    case "venture.created":
      return `created at Stage ${text(p.stage)} (${text(p.archetype)})`;
    case "stage.blocked":
    case "stage.failed":
      return `Stage ${text(p.stage)} ${e.eventType.slice("stage.".length)}${p.reason ? `: ${text(p.reason)}` : ""}`;
    case "saga.completed": {
      const steps = Array.isArray(p.steps) ? p.steps.map((s) => text(s).replace(/_/g, " ")).join(", ") : "";
      return `${text(p.saga_type).replace(/_/g, " ") || "saga"} completed${steps ? `: ${steps}` : ""}`;
    }
    default:
      if (e.eventType.startsWith("chairman.") && p.decision_type)
        return `the Chairman decided ${text(p.decision)} on the ${decisionTypeLabel(text(p.decision_type)).toLowerCase()} at Stage ${text(p.stage)}${p.notes ? `: ${text(p.notes)}` : ""}`;
      if (e.eventType.startsWith("venture.")) {
        const what = e.eventType.slice("venture.".length).replace(/_/g, " ");
        const reason = text(p.reason);
        // "killed at stage 3: …" says what happened itself; other reasons follow the word.
        return reason.startsWith(`${what} `) ? reason : `${what}${reason ? `: ${reason}` : ""}`;
      }
      return e.eventType;
  }
}

export function EventsPage() {
  const [events, setEvents] = useState<FeedEvent[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [after, setAfter] = useState<string | null | undefined>(undefined);
  const seen = useRef(new Set<string>());
  const last = useRef<string | null>(null);
  const connected = useConnected();

  const add = (incoming: FeedEvent[]) => {
    const fresh = incoming.filter((e) => !seen.current.has(e.rowId));
    for (const e of fresh) seen.current.add(e.rowId);
    const tail = incoming.at(-1);
    if (tail) last.current = tail.cursor;
    if (fresh.length) setEvents((old) => [...fresh.reverse(), ...(old ?? [])].slice(0, SHOWN));
  };

  useEffect(() => {
    gql(RECENT)
      .then((d) => {
        setEvents([]);
        add(present(d.eventFeedRecent?.nodes ?? []));
        setAfter(last.current);
      })
      .catch(setError);
    // After a reconnect, subscribe again from the last cursor received (graphql-ws alone would resend the
    // first cursor and replay everything since the page opened; the ids filter such repeats anyway).
    let dropped = false;
    return onConnection((up) => {
      if (!up) dropped = true;
      else if (dropped && last.current !== null) {
        dropped = false;
        setAfter(last.current);
      }
    });
  }, []);

  useSubscription(
    after === undefined ? null : LIVE,
    { after },
    (d) => {
      if (d.evaEvent) add([d.evaEvent]);
    },
    setError,
    [after],
  );

  return (
    <section aria-labelledby="events-title">
      <div class="title-row">
        <h1 id="events-title">Event feed</h1>
        <span class={connected ? "live on" : "live"} role="status">
          {connected ? "live" : "reconnecting…"}
        </span>
      </div>
      <p class="muted">
        Kills, launches, gate outcomes, escalations and decisions, newest first (events the Chairman does not need, such
        as each artifact written, are left out).
      </p>
      {error && <p class="error">{error.message}</p>}
      {events === null && !error && <p>Loading…</p>}
      {events !== null && events.length === 0 && <p class="notice">No event yet.</p>}
      {events !== null && events.length > 0 && (
        <ol class="feed" reversed>
          {events.map((e) => (
            <li key={e.rowId} data-event={e.rowId}>
              <time dateTime={e.createdAt}>{dateTime(e.createdAt)}</time>{" "}
              {e.ventureId ? (
                <a href={`/ventures/${e.ventureId}`} onClick={onLinkClick}>
                  {e.ventureByVentureId?.name ?? "a venture"}
                </a>
              ) : (
                <strong>portfolio</strong>
              )}{" "}
              <span class="event-type">{e.eventType}</span> {describe(e)}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
