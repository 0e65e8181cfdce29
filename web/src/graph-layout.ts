// The dependency map's layout (dagre, a layered graph layout): ventures as
// labelled boxes, ranked left to right from provider to dependent, each edge
// routed between them as a polyline. Loaded with the dependency page only.
import { graphlib, layout } from "@dagrejs/dagre";

export interface MapNode {
  id: string;
  label: string;
}
export interface MapEdge {
  id: string;
  from: string;
  to: string;
}
export interface PlacedNode extends MapNode {
  x: number;
  y: number;
  width: number;
  height: number;
}
export interface PlacedEdge extends MapEdge {
  points: { x: number; y: number }[];
}
export interface MapLayout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

const NODE_HEIGHT = 30;
/** Roughly 12px text's advance per character, plus padding. */
const nodeWidth = (label: string) => Math.max(60, Math.round(label.length * 7 + 24));

export function layoutMap(nodes: readonly MapNode[], edges: readonly MapEdge[]): MapLayout {
  const g = new graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: "LR", nodesep: 18, ranksep: 70, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: nodeWidth(n.label), height: NODE_HEIGHT });
  for (const e of edges) g.setEdge(e.from, e.to, {}, e.id);
  layout(g);
  const graph = g.graph();
  return {
    width: Math.ceil(graph.width ?? 0),
    height: Math.ceil(graph.height ?? 0),
    nodes: nodes.map((n) => {
      const placed = g.node(n.id);
      return { ...n, x: placed.x, y: placed.y, width: placed.width, height: placed.height };
    }),
    edges: edges.map((e) => ({
      ...e,
      points: ((g.edge(e.from, e.to, e.id)?.points ?? []) as { x: number; y: number }[]).map(({ x, y }) => ({ x, y })),
    })),
  };
}
