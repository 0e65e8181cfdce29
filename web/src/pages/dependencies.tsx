// The dependency graph (spec §11, Decision #32): ventures placed by their
// lifecycle stage (x) and edges from provider to dependent, the critical path
// (hard, pending, provider short of the required stage) drawn thick and red.
// The same edges follow as a table, which screen readers read.
import { useEffect, useState } from "preact/hooks";
import { type ApiError, gql, present } from "../api.ts";
import type { DependenciesQuery } from "../gql/graphql.ts";
import { graphql } from "../gql/index.ts";
import { onLinkClick } from "../router.ts";

const GRAPH =
  graphql(`query Dependencies { allDependencyGraphs(first: 1000) { totalCount nodes { dependencyId dependentVentureId
  dependentName dependentStage providerVentureId providerName providerStage requiredStage dependencyType status
  onCriticalPath stagesBehind } } }`);

type Edge = NonNullable<NonNullable<DependenciesQuery["allDependencyGraphs"]>["nodes"][number]>;

const COLUMN = 44;
const ROW = 40;

export function DependenciesPage() {
  const [edges, setEdges] = useState<Edge[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    gql(GRAPH)
      .then((d) => setEdges(present(d.allDependencyGraphs?.nodes ?? [])))
      .catch(setError);
  }, []);
  if (error) return <p class="error">{error.message}</p>;
  if (!edges) return <p>Loading…</p>;

  // Nodes: each venture once, stacked within its stage's column.
  const nodes = new Map<string, { name: string; stage: number; x: number; y: number }>();
  const perStage = new Map<number, number>();
  const place = (id: string | null, name: string | null, stage: number | null) => {
    if (id === null || stage === null) return;
    if (nodes.has(id)) return;
    const row = perStage.get(stage) ?? 0;
    perStage.set(stage, row + 1);
    nodes.set(id, { name: name ?? "(unnamed)", stage, x: 30 + stage * COLUMN, y: 40 + row * ROW });
  };
  for (const e of edges) {
    place(e.providerVentureId, e.providerName, e.providerStage);
    place(e.dependentVentureId, e.dependentName, e.dependentStage);
  }
  const height = 60 + Math.max(1, ...perStage.values()) * ROW;
  const critical = edges.filter((e) => e.onCriticalPath).length;
  return (
    <section aria-labelledby="deps-title">
      <h1 id="deps-title">Dependency graph</h1>
      {edges.length === 0 ? (
        <p class="notice">No venture depends on another.</p>
      ) : (
        <>
          <p class="muted">
            {edges.length} dependencies, {critical} on the critical path (hard, pending, the provider short of the stage
            required). Ventures stand at their lifecycle stage, left (Stage 0) to right (Stage 25).
          </p>
          <svg
            class="graph"
            viewBox={`0 0 ${60 + 25 * COLUMN + 160} ${height}`}
            role="img"
            aria-label="Dependencies between ventures; the table below lists them"
          >
            <defs>
              <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto">
                <path d="M0,0 L10,5 L0,10 z" fill="#57606a" />
              </marker>
            </defs>
            {edges.map((e) => {
              const a = nodes.get(e.providerVentureId ?? "");
              const b = nodes.get(e.dependentVentureId ?? "");
              if (!a || !b) return null;
              // Stop short of the dependent's dot so the arrow head shows.
              const length = Math.hypot(b.x - a.x, b.y - a.y) || 1;
              const [dx, dy] = [((b.x - a.x) / length) * 9, ((b.y - a.y) / length) * 9];
              return (
                <line
                  key={e.dependencyId}
                  x1={a.x + dx}
                  y1={a.y + dy}
                  x2={b.x - dx}
                  y2={b.y - dy}
                  class={e.onCriticalPath ? "edge critical" : "edge"}
                  marker-end="url(#arrow)"
                />
              );
            })}
            {[...nodes.entries()].map(([id, n]) => (
              <g key={id}>
                <circle cx={n.x} cy={n.y} r="6" class="node" />
                <text x={n.x - 6} y={n.y - 11}>
                  {n.name}
                </text>
              </g>
            ))}
          </svg>
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
                <tr key={e.dependencyId} class={e.onCriticalPath ? "critical" : ""}>
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
