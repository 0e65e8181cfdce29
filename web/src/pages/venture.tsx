// One venture: where it is, its stage timeline (every transition), its
// artifacts with their version history, and (for the Chairman) its decisions.
// One query; decisions are left out for roles that may not read them.
import { useEffect, useState } from "preact/hooks";
import { type ApiError, gql } from "../api.ts";
import { dateTime, decisionTypeLabel } from "../format.ts";
import { onLinkClick } from "../router.ts";

const query = (withDecisions: boolean) => `query Venture($id: UUID!) {
  ventureByRowId(rowId: $id) {
    rowId name status currentLifecycleStage stageEnteredAt description targetMarket healthScore
    ventureStageTransitionsByVentureId(first: 500) { nodes { fromStage toStage transitionType gateDecision reason createdAt } }
    ventureArtifactsByVentureId(first: 500) { nodes { lifecycleStage artifactType version isCurrent qualityScore
      epistemicClassification createdAt } }
    ${withDecisions ? "chairmanDecisionsByVentureId(first: 100) { nodes { rowId decisionType lifecycleStage status decision createdAt reason } }" : ""}
  }
}`;

interface Venture {
  rowId: string;
  name: string;
  status: string;
  currentLifecycleStage: number;
  stageEnteredAt: string;
  description: string;
  targetMarket: string;
  healthScore: string | null;
  ventureStageTransitionsByVentureId: {
    nodes: {
      fromStage: number;
      toStage: number;
      transitionType: string;
      gateDecision: string | null;
      reason: string | null;
      createdAt: string;
    }[];
  };
  ventureArtifactsByVentureId: {
    nodes: {
      lifecycleStage: number;
      artifactType: string;
      version: number;
      isCurrent: boolean;
      qualityScore: number | null;
      epistemicClassification: string;
      createdAt: string;
    }[];
  };
  chairmanDecisionsByVentureId?: {
    nodes: {
      rowId: string;
      decisionType: string;
      lifecycleStage: number;
      status: string;
      decision: string | null;
      createdAt: string;
      reason: string | null;
    }[];
  };
}

export function VenturePage(props: { id: string; canDecide: boolean }) {
  const [v, setV] = useState<Venture | null | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    setV(undefined);
    gql<{ ventureByRowId: Venture | null }>(query(props.canDecide), { id: props.id })
      .then((d) => setV(d.ventureByRowId))
      .catch(setError);
  }, [props.id, props.canDecide]);
  if (error) return <p class="error">{error.message}</p>;
  if (v === undefined) return <p>Loading…</p>;
  if (v === null) return <p class="notice">There is no venture {props.id} that your role may read.</p>;
  const artifacts = [...v.ventureArtifactsByVentureId.nodes].sort(
    (a, b) =>
      a.lifecycleStage - b.lifecycleStage || a.artifactType.localeCompare(b.artifactType) || b.version - a.version,
  );
  return (
    <article aria-labelledby="venture-title">
      <h1 id="venture-title">{v.name}</h1>
      <p>{v.description}</p>
      <dl class="facts">
        <dt>Status</dt>
        <dd data-testid="venture-status">
          {v.status}, Stage {v.currentLifecycleStage} (since {dateTime(v.stageEnteredAt)})
        </dd>
        <dt>Market</dt>
        <dd>{v.targetMarket}</dd>
        <dt>Health</dt>
        <dd>{v.healthScore === null ? "not measured" : v.healthScore}</dd>
      </dl>
      {v.chairmanDecisionsByVentureId && (
        <>
          <h2>Decisions</h2>
          <ul>
            {v.chairmanDecisionsByVentureId.nodes.map((d) => (
              <li key={d.rowId}>
                <a href={`/decisions/${d.rowId}`} onClick={onLinkClick}>
                  {decisionTypeLabel(d.decisionType)} at Stage {d.lifecycleStage}
                </a>
                : {d.status}
                {d.decision ? ` (${d.decision})` : ""}, {dateTime(d.createdAt)}
              </li>
            ))}
          </ul>
        </>
      )}
      <h2>Stage timeline</h2>
      <ol class="timeline">
        {v.ventureStageTransitionsByVentureId.nodes.map((t) => (
          <li key={`${t.createdAt}-${t.toStage}`}>
            {dateTime(t.createdAt)}: Stage {t.fromStage} → {t.toStage} ({t.transitionType}
            {t.gateDecision ? `, gate ${t.gateDecision}` : ""}){t.reason ? `: ${t.reason}` : ""}
          </li>
        ))}
      </ol>
      <h2>Artifacts</h2>
      <table class="queue">
        <caption class="visually-hidden">Artifacts and their versions</caption>
        <thead>
          <tr>
            <th scope="col">Stage</th>
            <th scope="col">Artifact</th>
            <th scope="col">Version</th>
            <th scope="col">Quality</th>
            <th scope="col">Evidence</th>
            <th scope="col">Recorded</th>
          </tr>
        </thead>
        <tbody>
          {artifacts.map((a) => (
            <tr key={`${a.lifecycleStage}-${a.artifactType}-${a.version}`} class={a.isCurrent ? "" : "superseded"}>
              <td>{a.lifecycleStage}</td>
              <td>{a.artifactType}</td>
              <td>
                {a.version}
                {a.isCurrent ? " (current)" : " (superseded)"}
              </td>
              <td>{a.qualityScore ?? "—"}</td>
              <td>{a.epistemicClassification}</td>
              <td>{dateTime(a.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="muted">
        The artifacts' contents: <code>npx eva artifacts show {v.name} --stage N</code> (a readable view here is not
        built yet).
      </p>
    </article>
  );
}
