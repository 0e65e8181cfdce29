// One decision (spec §11 "Decision Detail"): the synthesized stage output as
// SQL summarizes it for every client, the options with what each does, notes,
// and one-click decide through the `decide` mutation. A refusal (stale
// context, already decided) is shown with its reason; the page re-reads
// itself when an event about this decision arrives (decided elsewhere).
import { useCallback, useEffect, useState } from "preact/hooks";
import { ApiError, gql, present } from "../api.ts";
import { words } from "../content.tsx";
import { age, dateTime, decisionTypeLabel } from "../format.ts";
import type { DecisionQuery } from "../gql/graphql.ts";
import { graphql } from "../gql/index.ts";
import { useSubscription } from "../live.ts";
import { onLinkClick } from "../router.ts";

const DECISION = graphql(`query Decision($id: UUID!) {
  chairmanDecisionByRowId(rowId: $id) {
    rowId decisionType lifecycleStage status decision notes urgency blocking createdAt decidedAt decidedBy
    recommendedAction reason artifactType artifactVersion
    ventureByVentureId { rowId name status currentLifecycleStage }
    summary { heading lines }
    choices { decision outcome effect recommended }
  }
}`);
const DECIDE = graphql(`mutation Decide($id: UUID!, $decision: String!, $notes: String) {
  decide(input: { pDecisionId: $id, pDecision: $decision, pNotes: $notes }) {
    result { rowId status decision decidedAt }
  }
}`);
const EVENTS = graphql(`subscription DecisionEvents { evaEvent { eventType payload } }`);

type Decision = NonNullable<DecisionQuery["chairmanDecisionByRowId"]>;

export function DecisionPage(props: { id: string; canDecide: boolean }) {
  const [d, setD] = useState<Decision | null | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [refusal, setRefusal] = useState<ApiError | null>(null);
  const [notes, setNotes] = useState("");
  const [busy, setBusy] = useState<string | null>(null);
  const [changed, setChanged] = useState<string | null>(null);

  const load = useCallback(
    () =>
      gql(DECISION, { id: props.id })
        .then((r) => setD(r.chairmanDecisionByRowId))
        .catch(setError),
    [props.id],
  );
  useEffect(() => {
    setD(undefined);
    load();
  }, [load]);

  useSubscription(
    props.canDecide ? EVENTS : null,
    {},
    (m) => {
      // The payload is JSON: the fields this page reads, if there.
      const payload = (m.evaEvent?.payload ?? {}) as { decision_id?: string; decision?: string };
      if (payload.decision_id !== props.id) return;
      if (m.evaEvent?.eventType !== "chairman.decision_requested")
        setChanged(`This decision was just decided: ${payload.decision ?? "?"}.`);
      load();
    },
    () => {},
    [props.id, props.canDecide],
  );

  async function decide(decision: string) {
    setBusy(decision);
    setRefusal(null);
    try {
      await gql(DECIDE, { id: props.id, decision, notes: notes.trim() || null });
      setChanged(null);
      await load();
    } catch (e) {
      setRefusal(e instanceof ApiError ? e : new ApiError(String(e)));
      await load();
    } finally {
      setBusy(null);
    }
  }

  // A role without read access to decisions (a viewer) is refused by the database: the same page as "none".
  if (error && error.code !== "FORBIDDEN") return <p class="error">{error.message}</p>;
  if (d === undefined && !error) return <p>Loading…</p>;
  if (!d) {
    return (
      <section aria-labelledby="decision-title">
        <h1 id="decision-title">Decision</h1>
        <p class="notice">
          There is no decision {props.id} that your role may read
          {props.canDecide ? "" : " (decisions are the Chairman's: a viewer sees none)"}.
        </p>
        <p>
          <a href="/" onClick={onLinkClick}>
            Back to the queue
          </a>
        </p>
      </section>
    );
  }
  const venture = d.ventureByVentureId;
  const pending = d.status === "pending";
  return (
    <article aria-labelledby="decision-title" data-status={d.status}>
      <p>
        <a href="/" onClick={onLinkClick}>
          ← Decision queue
        </a>
      </p>
      <h1 id="decision-title">
        {decisionTypeLabel(d.decisionType)}: {venture?.name ?? "a new idea"} (Stage {d.lifecycleStage})
      </h1>
      <p class="reason-line">{d.reason}</p>
      <dl class="facts">
        <dt>Status</dt>
        <dd data-testid="decision-status">
          {d.status}
          {d.decision ? `: ${d.decision}` : ""}
          {d.decidedAt ? ` (${dateTime(d.decidedAt)})` : ""}
        </dd>
        <dt>Urgency</dt>
        <dd>
          {d.urgency}
          {d.blocking ? ", blocking the venture" : ""}
        </dd>
        <dt>Waiting</dt>
        <dd>{age(d.createdAt)}</dd>
        <dt>Recommended</dt>
        <dd>{d.recommendedAction ?? "none (the stage made no recommendation)"}</dd>
        {venture && (
          <>
            <dt>Venture now</dt>
            <dd>
              <a href={`/ventures/${venture.rowId}`} onClick={onLinkClick}>
                {venture.name}
              </a>
              : {words(venture.status)}, Stage {venture.currentLifecycleStage}
            </dd>
          </>
        )}
        {d.notes && (
          <>
            <dt>Notes</dt>
            <dd>{d.notes}</dd>
          </>
        )}
      </dl>
      {changed && (
        <p class="notice" role="status">
          {changed}
        </p>
      )}

      <h2>What the stage produced</h2>
      {present(d.summary ?? []).map((s) => (
        <section class="summary" key={s.heading}>
          <h3>{s.heading}</h3>
          <ul>
            {(s.lines ?? []).map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </section>
      ))}

      <h2>Options</h2>
      {refusal && (
        <div class="error" role="alert" data-testid="refusal">
          <p>
            Refused{refusal.code ? ` (${refusal.code})` : ""}: {refusal.message}
          </p>
          {refusal.hint && <p>{refusal.hint}</p>}
        </div>
      )}
      {pending && props.canDecide && (
        <p>
          <label for="notes">Notes (recorded with the decision; a revise or hold passes them on as its reason)</label>
          <textarea id="notes" rows={3} value={notes} onInput={(e) => setNotes(e.currentTarget.value)} />
        </p>
      )}
      {pending && !props.canDecide && <p class="notice">Read-only: only the Chairman decides.</p>}
      <ul class="choices">
        {present(d.choices ?? []).map((c) => (
          <li key={c.decision} class={c.recommended ? "recommended" : ""}>
            {pending && props.canDecide ? (
              <button
                type="button"
                class={`outcome-${c.outcome}`}
                disabled={busy !== null}
                onClick={() => c.decision && decide(c.decision)}
              >
                {busy === c.decision ? "Deciding…" : c.decision}
              </button>
            ) : (
              <strong>{c.decision}</strong>
            )}{" "}
            {c.recommended ? <em>(recommended)</em> : null} <span>{c.effect}</span>
          </li>
        ))}
      </ul>
      {d.artifactType && (
        <p class="muted">
          Prepared from {d.artifactType} version {d.artifactVersion}; if a newer version exists, deciding is refused as
          stale.
        </p>
      )}
    </article>
  );
}
