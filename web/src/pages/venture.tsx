// One venture: where it is, its stage timeline (every transition), its
// artifacts rendered readably with their version history and evidence class,
// the Stage 25 Assumptions vs Reality report as a chart, and (for the
// Chairman) its decisions. One query; decisions are left out for roles that
// may not read them.
import { useEffect, useState } from "preact/hooks";
import { type ApiError, gql, present } from "../api.ts";
import { Chart } from "../chart.tsx";
import { Content, words } from "../content.tsx";
import { dateTime, decisionTypeLabel } from "../format.ts";
import type { VentureQuery } from "../gql/graphql.ts";
import { graphql } from "../gql/index.ts";
import { onLinkClick } from "../router.ts";
import { BanditArms } from "./venture-bandits.tsx";

const VENTURE = graphql(`query Venture($id: UUID!, $withDecisions: Boolean!) {
  ventureByRowId(rowId: $id) {
    rowId name status currentLifecycleStage stageEnteredAt description targetMarket healthScore
    ventureStageTransitionsByVentureId(first: 500) { nodes { fromStage toStage transitionType gateDecision reason createdAt } }
    ventureArtifactsByVentureId(first: 500) { nodes { lifecycleStage artifactType version isCurrent qualityScore
      epistemicClassification createdAt content } }
    chairmanDecisionsByVentureId(first: 100) @include(if: $withDecisions) { nodes { rowId decisionType lifecycleStage
      status decision createdAt reason } }
  }
  banditArmsAt(pVentureId: $id, first: 200) {
    nodes { armId scope scopeKey armValue status observations posteriorMean intervalLow intervalHigh lastSelectedAt }
  }
}`);

type Venture = NonNullable<VentureQuery["ventureByRowId"]>;

type Artifact = NonNullable<Venture["ventureArtifactsByVentureId"]["nodes"][number]>;

const EPISTEMIC: Record<string, string> = {
  fact: "Fact: measured or observed",
  assumption: "Assumption: believed, not yet measured",
  simulation: "Simulation: computed from a model, not measured",
  unknown: "Unknown: the evidence is not classified",
};

/** The evidence class in words, visible (not colour alone). */
export function Epistemic(props: { value: string }) {
  return (
    <span class={`epistemic ${props.value}`} data-testid="epistemic">
      {EPISTEMIC[props.value] ?? props.value}
    </span>
  );
}

interface ReportItem {
  id: string;
  kind: string;
  source: string;
  statement: string;
  expected: number | null;
  actual: number | null;
  variancePct: number | null;
  classification: string;
  reason: string;
}

/** Stage 25's Assumptions vs Reality report: each projection's variance as a bar (none where nothing measured it), every item in the table. */
function AssumptionsReality(props: { artifact: Artifact }) {
  const report = props.artifact.content as {
    opsCycle?: number;
    items?: ReportItem[];
    summary?: { validated: number; invalidated: number; inconclusive: number };
    assumptionErrorRate?: number | null;
  };
  const items = Array.isArray(report.items) ? report.items : [];
  const simulated = props.artifact.epistemicClassification === "simulation";
  const rate = report.assumptionErrorRate;
  return (
    <section aria-labelledby="avr-title">
      <h2 id="avr-title">Assumptions vs Reality</h2>
      <p>
        Stage 25 report, version {props.artifact.version}
        {report.opsCycle ? `, ops cycle ${report.opsCycle}` : ""}:{" "}
        <Epistemic value={props.artifact.epistemicClassification} />
      </p>
      {report.summary && (
        <p data-testid="avr-summary">
          {report.summary.validated} validated, {report.summary.invalidated} invalidated, {report.summary.inconclusive}{" "}
          inconclusive; assumption error rate{" "}
          {rate === null || rate === undefined ? "not known (nothing was decidable)" : `${(rate * 100).toFixed(1)}%`}.
        </p>
      )}
      {items.length === 0 ? (
        <p class="notice">The report holds no items.</p>
      ) : (
        <Chart
          id="avr"
          kind="bars"
          title={
            simulated ? "Variance of actual against projected (simulation)" : "Variance of actual against projected"
          }
          description="Each item's variance, (actual − projected) / |projected| in percent, as Stage 25 computed it; no bar where nothing measured it (assumptions and unmeasured projections). The table gives every item, its figures and its classification."
          xTitle="Item"
          xLabels={items.map((i, n) => `${n + 1}. ${i.statement}`)}
          x={items.map((_, i) => i + 1)}
          series={[
            {
              label: "Variance",
              values: items.map((i) => (typeof i.variancePct === "number" ? i.variancePct : null)),
              format: (v) => `${v > 0 ? "+" : ""}${v.toFixed(1)}%`,
              color: "#0b5cad",
            },
          ]}
          note={
            simulated
              ? "Simulation: this report compares against simulated Stage 24 figures, not measured ones."
              : undefined
          }
        />
      )}
      <table class="queue" data-testid="avr-items">
        <caption class="visually-hidden">Assumptions vs Reality items</caption>
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col">Source</th>
            <th scope="col">Expected</th>
            <th scope="col">Actual</th>
            <th scope="col">Classification</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {items.map((i) => (
            <tr key={i.id}>
              <th scope="row">{i.statement}</th>
              <td>
                {i.source} {i.kind}
              </td>
              <td>{i.expected === null ? "—" : i.expected.toLocaleString()}</td>
              <td>{i.actual === null ? "not measured" : i.actual.toLocaleString()}</td>
              <td>{i.classification}</td>
              <td>{i.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** One artifact (a stage's artifact type): its current version rendered, and every version one click away. */
function ArtifactView(props: { versions: Artifact[] }) {
  const versions = props.versions; // newest first
  const current = versions.find((a) => a.isCurrent) ?? versions[0];
  const [shown, setShown] = useState<number>(current?.version ?? 1);
  const a = versions.find((x) => x.version === shown) ?? current;
  if (!a || !current) return null;
  const key = `art-${a.lifecycleStage}-${a.artifactType}`;
  return (
    <details class="artifact" data-testid="artifact">
      <summary>
        <h3 id={key}>
          Stage {current.lifecycleStage}: {words(current.artifactType)}
        </h3>{" "}
        v{current.version} <Epistemic value={current.epistemicClassification} />
      </summary>
      {versions.length > 1 && (
        <nav class="versions" aria-label={`Versions of ${words(a.artifactType)}`}>
          Versions:{" "}
          {versions.map((x) => (
            <button
              type="button"
              key={x.version}
              aria-pressed={x.version === a.version}
              onClick={() => setShown(x.version)}
            >
              v{x.version}
              {x.isCurrent ? " (current)" : ""}
            </button>
          ))}
        </nav>
      )}
      <p>
        Version {a.version} {a.isCurrent ? "(current)" : "(superseded)"}, recorded {dateTime(a.createdAt)}, quality{" "}
        {a.qualityScore ?? "not scored"}: <Epistemic value={a.epistemicClassification} />
      </p>
      <Content value={a.content} />
    </details>
  );
}

export function VenturePage(props: { id: string; canDecide: boolean }) {
  const [data, setData] = useState<VentureQuery | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    setData(undefined);
    gql(VENTURE, { id: props.id, withDecisions: props.canDecide }).then(setData).catch(setError);
  }, [props.id, props.canDecide]);
  if (error) return <p class="error">{error.message}</p>;
  if (data === undefined) return <p>Loading…</p>;
  const v = data.ventureByRowId;
  if (v === null) return <p class="notice">There is no venture {props.id} that your role may read.</p>;
  const artifacts = present(v.ventureArtifactsByVentureId.nodes).sort(
    (a, b) =>
      a.lifecycleStage - b.lifecycleStage || a.artifactType.localeCompare(b.artifactType) || b.version - a.version,
  );
  const groups = new Map<string, Artifact[]>();
  for (const a of artifacts) {
    const k = `${a.lifecycleStage}/${a.artifactType}`;
    groups.set(k, [...(groups.get(k) ?? []), a]);
  }
  const report = artifacts.find((a) => a.artifactType === "assumptions_reality_report" && a.isCurrent);
  return (
    <article aria-labelledby="venture-title">
      <h1 id="venture-title">{v.name}</h1>
      <p>{v.description}</p>
      <dl class="facts">
        <dt>Status</dt>
        <dd data-testid="venture-status">
          {words(v.status)}, Stage {v.currentLifecycleStage} (since {dateTime(v.stageEnteredAt)})
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
            {present(v.chairmanDecisionsByVentureId.nodes).map((d) => (
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
        {present(v.ventureStageTransitionsByVentureId.nodes).map((t) => (
          <li key={`${t.createdAt}-${t.toStage}`}>
            {dateTime(t.createdAt)}: Stage {t.fromStage} → {t.toStage} ({t.transitionType}
            {t.gateDecision ? `, gate ${t.gateDecision}` : ""}){t.reason ? `: ${t.reason}` : ""}
          </li>
        ))}
      </ol>
      {report ? (
        <AssumptionsReality artifact={report} />
      ) : (
        <>
          <h2>Assumptions vs Reality</h2>
          <p class="muted">No Stage 25 report yet: it is written when the venture reaches its Stage 25 review.</p>
        </>
      )}
      <BanditArms arms={present(data.banditArmsAt?.nodes ?? [])} />
      <h2>Artifacts</h2>
      <p class="muted">The current version of each, readable; open one to read it and step through its versions.</p>
      {[...groups.entries()].map(([k, versions]) => (
        <ArtifactView key={k} versions={versions} />
      ))}
      <h2>All artifact versions</h2>
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
              <td>
                <Epistemic value={a.epistemicClassification} />
              </td>
              <td>{dateTime(a.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </article>
  );
}
