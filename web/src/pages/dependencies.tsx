// The dependency graph (spec §11, Decision #32): ventures laid out by dagre
// (web/src/graph-layout.ts, loaded with this page) from provider to dependent,
// the critical path (hard, pending, provider short of the required stage)
// drawn thick and red. The same edges follow as a table, which screen readers read.
import { useEffect, useState } from "preact/hooks";
import { type ApiError, gql, present } from "../api.ts";
import type { DependenciesQuery } from "../gql/graphql.ts";
import { graphql } from "../gql/index.ts";
import type { MapLayout } from "../graph-layout.ts";
import { onLinkClick } from "../router.ts";

const GRAPH =
  graphql(`query Dependencies { allDependencyGraphs(first: 1000) { totalCount nodes { dependencyId dependentVentureId
  dependentName dependentStage providerVentureId providerName providerStage requiredStage dependencyType status
  onCriticalPath stagesBehind } } }`);

type Edge = NonNullable<NonNullable<DependenciesQuery["allDependencyGraphs"]>["nodes"][number]>;

export function DependenciesPage() {
  const [edges, setEdges] = useState<Edge[] | null>(null);
  const [map, setMap] = useState<MapLayout | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    gql(GRAPH)
      .then(async (d) => {
        const found = present(d.allDependencyGraphs?.nodes ?? []);
        if (found.length > 0) {
          // Each venture once, named as its edges name it.
          const names = new Map<string, string>();
          for (const e of found) {
            if (e.providerVentureId)
              names.set(e.providerVentureId, `${e.providerName ?? "(unnamed)"} · Stage ${e.providerStage}`);
            if (e.dependentVentureId)
              names.set(e.dependentVentureId, `${e.dependentName ?? "(unnamed)"} · Stage ${e.dependentStage}`);
          }
          const { layoutMap } = await import("../graph-layout.ts");
          setMap(
            layoutMap(
              [...names].map(([id, label]) => ({ id, label })),
              found.flatMap((e) =>
                e.dependencyId && e.providerVentureId && e.dependentVentureId
                  ? [{ id: e.dependencyId, from: e.providerVentureId, to: e.dependentVentureId }]
                  : [],
              ),
            ),
          );
        }
        setEdges(found);
      })
      .catch(setError);
  }, []);
  if (error) return <p class="error">{error.message}</p>;
  if (!edges) return <p>Loading…</p>;
  const byId = new Map(edges.map((e) => [e.dependencyId, e]));

  const critical = edges.filter((e) => e.onCriticalPath).length;
  return (
    <section aria-labelledby="deps-title">
      <h1 id="deps-title">Dependency graph</h1>
      {edges.length === 0 ? (
        <p class="notice">
          No venture depends on another. Make one wait for another's stage with{" "}
          <code>npx eva ventures depend &lt;venture&gt; --on &lt;provider&gt; --stage &lt;n&gt;</code>.
        </p>
      ) : (
        <>
          <p class="muted">
            {edges.length} dependencies, {critical} on the critical path (hard, pending, the provider short of the stage
            required). Each box is a venture and its stage; arrows run from provider to dependent.
          </p>
          {map && (
            <svg
              class="graph"
              viewBox={`0 0 ${map.width} ${map.height}`}
              width={map.width}
              height={map.height}
              role="img"
              aria-label="Dependencies between ventures, from provider to dependent; the table below lists them"
            >
              <defs>
                {[
                  ["arrow", "#57606a"],
                  ["arrow-critical", "#a40e26"],
                ].map(([id, fill]) => (
                  <marker
                    key={id}
                    id={id}
                    viewBox="0 0 10 10"
                    refX="10"
                    refY="5"
                    markerWidth="9"
                    markerHeight="9"
                    markerUnits="userSpaceOnUse"
                    orient="auto"
                  >
                    <path d="M0,0 L10,5 L0,10 z" fill={fill} />
                  </marker>
                ))}
              </defs>
              {map.edges.map((e) => (
                <polyline
                  key={e.id}
                  data-dependency={e.id}
                  data-from={e.from}
                  data-to={e.to}
                  points={e.points.map((p) => `${p.x},${p.y}`).join(" ")}
                  class={byId.get(e.id)?.onCriticalPath ? "edge critical" : "edge"}
                  marker-end={byId.get(e.id)?.onCriticalPath ? "url(#arrow-critical)" : "url(#arrow)"}
                />
              ))}
              {map.nodes.map((n) => (
                <g key={n.id} data-venture={n.id}>
                  <rect
                    x={n.x - n.width / 2}
                    y={n.y - n.height / 2}
                    width={n.width}
                    height={n.height}
                    rx="6"
                    class="node"
                  />
                  <text x={n.x} y={n.y + 4} text-anchor="middle">
                    {n.label}
                  </text>
                </g>
              ))}
            </svg>
          )}
          <table class="queue">
            <caption class="visually-hidden">Dependencies</caption>
            <thead>
              <tr>
                <th scope="col">Dependent</th>
                <th scope="col">needs provider</th>
                <th scope="col">to reach Stage</th>
                <th scope="col">Type</th>
                <th scope="col">Status</th>
                <th scope="col">Critical path</th>
              </tr>
            </thead>
            <tbody>
              {edges.map((e) => (
                <tr key={e.dependencyId} data-dependency={e.dependencyId} class={e.onCriticalPath ? "critical" : ""}>
                  <td>
                    <a href={`/ventures/${e.dependentVentureId}`} onClick={onLinkClick}>
                      {e.dependentName}
                    </a>{" "}
                    (Stage {e.dependentStage})
                  </td>
                  <td>
                    <a href={`/ventures/${e.providerVentureId}`} onClick={onLinkClick}>
                      {e.providerName}
                    </a>{" "}
                    (Stage {e.providerStage})
                  </td>
                  <td>{e.requiredStage}</td>
                  <td>{e.dependencyType}</td>
                  <td>{e.status}</td>
                  <td>{e.onCriticalPath ? `yes, ${e.stagesBehind} stages behind` : "no"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
