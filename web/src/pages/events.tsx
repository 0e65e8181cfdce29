// The event feed (spec §11): the portfolio's significant events, live. It
// opens on the recent past (eventFeedRecent) and follows
// evaEvent(feedOnly: true, after: <the last cursor received>); after a
// reconnect it subscribes again from the last cursor it holds, so an event
// logged while the connection was down arrives then, once (rows are also
// keyed by id, so a replay cannot show one twice).
import { useEffect, useRef, useState } from "preact/hooks";
import { type ApiError, gql, onConnection, present } from "../api.ts";
import { describe } from "../feed-lines.ts";
import { dateTime } from "../format.ts";
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
