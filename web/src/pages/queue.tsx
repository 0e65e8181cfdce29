// The decision queue (spec §11): every pending decision, ranked by urgency,
// venture priority and age, with why it is here and what EVA recommends.
// One query on load; then the decisionQueueChanged subscription replaces the
// rows each time a decision is requested or made, anywhere.
import { useEffect, useState } from "preact/hooks";
import { type ApiError, gql, present } from "../api.ts";
import { age, decisionTypeLabel } from "../format.ts";
import type { QueueRowFragment } from "../gql/graphql.ts";
import { graphql } from "../gql/index.ts";
import { useConnected, useSubscription } from "../live.ts";
import { onLinkClick } from "../router.ts";

graphql(`fragment QueueRow on DecisionQueue { decisionId ventureName decisionType lifecycleStage urgency blocking createdAt
  reason recommendedAction priorityScore }`);
// The count comes from eva.fn_pending_decision_count, not the connection's totalCount, which would rank the
// whole queue a second time to count it.
const QUEUE = graphql(
  `query Queue($first: Int!) { allDecisionQueues(first: $first) { nodes { ...QueueRow } } pendingDecisionCount }`,
);
const LIVE = graphql(
  `subscription QueueLive($first: Int!) { decisionQueueChanged(first: $first) { queue { ...QueueRow } pendingCount } }`,
);

export type QueueRow = QueueRowFragment;

/** Rows read and listed before "Show all": the top of the ranking, where the Chairman starts. */
const QUEUE_ROWS = 100;
/** Rows read after "Show all". */
const ALL_ROWS = 500;

export function QueuePage(props: { canDecide: boolean }) {
  const [rows, setRows] = useState<QueueRow[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<ApiError | null>(null);
  const [, setTick] = useState(0);
  const [allRows, setAllRows] = useState(false);
  const connected = useConnected();

  // The page reads what it lists: the first hundred, and up to 500 once "Show all" is clicked.
  const first = allRows ? ALL_ROWS : QUEUE_ROWS;
  useEffect(() => {
    gql(QUEUE, { first })
      .then((d) => {
        setRows(present(d.allDecisionQueues?.nodes ?? []));
        setTotal(Number(d.pendingDecisionCount ?? 0));
      })
      .catch(setError);
  }, [first]);
  useEffect(() => {
    // Ages move on without new data.
    const timer = setInterval(() => setTick((t) => t + 1), 30_000);
    return () => clearInterval(timer);
  }, []);

  useSubscription(
    props.canDecide ? LIVE : null,
    { first },
    (d) => {
      setRows(d.decisionQueueChanged?.queue ?? []);
      setTotal(d.decisionQueueChanged?.pendingCount ?? 0);
    },
    setError,
    [props.canDecide, first],
  );

  if (error?.code === "FORBIDDEN") {
    return (
      <section aria-labelledby="queue-title">
        <h1 id="queue-title">Decision queue</h1>
        <p class="notice">
          Decisions are the Chairman's: your role may not read them (the database's row-level security decides this).
        </p>
      </section>
    );
  }
  // A long queue's rows past the first hundred wait for a click: laying out hundreds of rows held up the first ones.
  const shown = rows ?? [];
  return (
    <section aria-labelledby="queue-title">
      <div class="title-row">
        <h1 id="queue-title">Decision queue</h1>
        <span class={connected ? "live on" : "live"} role="status">
          {connected ? "live" : props.canDecide ? "connecting…" : "not live"}
        </span>
      </div>
      {error && <p class="error">{error.message}</p>}
      {rows === null && !error && <p>Loading…</p>}
      {rows !== null && rows.length === 0 && <p class="notice">No decision is waiting for you.</p>}
      {rows !== null && rows.length > 0 && (
        <>
          <p class="muted" data-testid="queue-count">
            {total} pending{total > shown.length ? `, the first ${shown.length} shown` : ""}; most urgent first, then by
            venture priority, then oldest.
          </p>
          <table class="queue">
            <caption class="visually-hidden">Pending decisions</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Venture</th>
                <th scope="col">Type</th>
                <th scope="col">Stage</th>
                <th scope="col">Urgency</th>
                <th scope="col">Age</th>
                <th scope="col">Why it is here</th>
                <th scope="col">Recommended</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r, i) => (
                <tr key={r.decisionId} data-decision={r.decisionId ?? undefined}>
                  <td>{i + 1}</td>
                  <td>
                    <a href={`/decisions/${r.decisionId}`} onClick={onLinkClick}>
                      {r.ventureName ?? "(unnamed)"}
                    </a>
                  </td>
                  <td>{decisionTypeLabel(r.decisionType)}</td>
                  <td>{r.lifecycleStage}</td>
                  <td>
                    <span class={`urgency ${r.urgency}`}>{r.urgency}</span>
                    {r.blocking ? " · blocking" : ""}
                  </td>
                  <td>{age(r.createdAt)}</td>
                  <td class="reason">{r.reason ?? "—"}</td>
                  <td>{r.recommendedAction ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {!allRows && shown.length < total && (
            <p>
              <button type="button" onClick={() => setAllRows(true)}>
                Show {total <= ALL_ROWS ? `all ${total}` : `the first ${ALL_ROWS}`}
              </button>
            </p>
          )}
        </>
      )}
    </section>
  );
}
