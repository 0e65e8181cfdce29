// The Chairman's inbox (spec §11, Decision #30): notifications newest first,
// unread ones marked, each linking to where to act (its action path is a
// dashboard page). Re-read when an event arrives (notifications are written
// in the event's transaction). Chairman only, as the table's RLS says.
import { useCallback, useEffect, useState } from "preact/hooks";
import { type ApiError, gql, present } from "../api.ts";
import { dateTime } from "../format.ts";
import type { InboxQuery } from "../gql/graphql.ts";
import { graphql } from "../gql/index.ts";
import { useSubscription } from "../live.ts";
import { onLinkClick } from "../router.ts";

const INBOX = graphql(`query Inbox {
  allNotifications(first: 200, orderBy: [CREATED_AT_DESC]) { totalCount nodes {
    rowId notificationType urgency summary actionPath readAt createdAt ventureByVentureId { name } } }
}`);
const READ = graphql(
  `mutation Read($id: UUID!, $read: Boolean!) { notificationRead(input: { pId: $id, pRead: $read }) { clientMutationId } }`,
);
const READ_ALL = graphql(`mutation ReadAll { notificationsReadAll(input: {}) { clientMutationId } }`);
const EVENTS = graphql(`subscription InboxEvents { evaEvent { rowId } }`);

type Notice = NonNullable<NonNullable<InboxQuery["allNotifications"]>["nodes"][number]>;

export function NotificationsPage(props: { canDecide: boolean }) {
  const [items, setItems] = useState<Notice[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<ApiError | null>(null);
  const load = useCallback(
    () =>
      gql(INBOX)
        .then((d) => {
          setItems(present(d.allNotifications?.nodes ?? []));
          setTotal(d.allNotifications?.totalCount ?? 0);
        })
        .catch(setError),
    [],
  );
  useEffect(() => {
    load();
  }, [load]);
  useSubscription(
    props.canDecide ? EVENTS : null,
    {},
    () => load(),
    () => {},
    [props.canDecide],
  );

  const mark = async (id: string, read: boolean) => {
    await gql(READ, { id, read }).catch(setError);
    await load();
  };
  if (error?.code === "FORBIDDEN") {
    return (
      <section aria-labelledby="inbox-title">
        <h1 id="inbox-title">Notifications</h1>
        <p class="notice">Notifications are the Chairman's: your role may not read them.</p>
      </section>
    );
  }
  const unread = items?.filter((n) => !n.readAt).length ?? 0;
  return (
    <section aria-labelledby="inbox-title">
      <div class="title-row">
        <h1 id="inbox-title">Notifications</h1>
        {unread > 0 && (
          <button
            type="button"
            onClick={async () => {
              await gql(READ_ALL).catch(setError);
              await load();
            }}
          >
            Mark all read
          </button>
        )}
      </div>
      {error && <p class="error">{error.message}</p>}
      {items === null && !error && <p>Loading…</p>}
      {items !== null && (
        <p class="muted">
          {total} notifications, {unread} unread{total > items.length ? ` (the latest ${items.length} shown)` : ""}.
        </p>
      )}
      {items !== null && items.length > 0 && (
        <ul class="feed">
          {items.map((n) => (
            <li key={n.rowId} class={n.readAt ? "" : "unread"}>
              <time dateTime={n.createdAt}>{dateTime(n.createdAt)}</time>{" "}
              <span class={`urgency ${n.urgency}`}>{n.urgency}</span>{" "}
              <a href={n.actionPath} onClick={onLinkClick}>
                {n.summary}
              </a>{" "}
              <button type="button" class="small" onClick={() => mark(n.rowId, !n.readAt)}>
                {n.readAt ? "Mark unread" : "Mark read"}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
