/**
 * Lays a machine graph out with elkjs (layered, top-down, orthogonal edges) and returns boxes
 * and edge routes in absolute coordinates. Box sizes come from the text they hold, measured
 * with the monospace metrics of `svg.ts`, so the same graph always gets the same layout.
 */
import ELK from "elkjs/lib/elk.bundled.js";
import type { ElkExtendedEdge, ElkNode, ElkPoint, LayoutOptions } from "elkjs/lib/elk-api.js";
import { allStates, type MachineGraph, type StateVertex, type TransitionEdge, transitionText } from "./machine-graph.ts";
import { textWidth } from "./svg.ts";

export const TITLE_SIZE = 13;
export const LINE_SIZE = 11;
export const LABEL_SIZE = 11;
export const LINE_HEIGHT = 15;
export const TITLE_HEIGHT = 24;
export const PADDING = 10;
/** Room left of a line for the timer icon. */
export const ICON_ROOM = 16;
const INITIAL_SIZE = 12;
const MIN_BOX_WIDTH = 90;
const LABEL_WRAP = 34;

export interface BoxLine {
  readonly text: string;
  readonly timer: boolean;
}

export interface PlacedState {
  readonly vertex: StateVertex;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly lines: readonly BoxLine[];
}

export interface PlacedMarker {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly size: number;
}

export interface PlacedEdge {
  /** Undefined for the arrow from an initial marker. */
  readonly edge?: TransitionEdge;
  readonly points: readonly ElkPoint[];
  readonly label?: { readonly x: number; readonly y: number; readonly lines: readonly string[] };
}

export interface MachineLayout {
  readonly width: number;
  readonly height: number;
  readonly states: readonly PlacedState[];
  readonly markers: readonly PlacedMarker[];
  readonly edges: readonly PlacedEdge[];
}

const GRAPH_OPTIONS: LayoutOptions = {
  "elk.algorithm": "layered",
  "elk.direction": "DOWN",
  "elk.hierarchyHandling": "INCLUDE_CHILDREN",
  "elk.edgeRouting": "ORTHOGONAL",
  // Depth first from the initial marker follows the definition order; the model-order
  // strategies fail inside elkjs when the graph is hierarchical.
  "elk.layered.cycleBreaking.strategy": "DEPTH_FIRST",
  "elk.layered.spacing.nodeNodeBetweenLayers": "46",
  "elk.layered.spacing.edgeNodeBetweenLayers": "18",
  "elk.spacing.nodeNode": "34",
  "elk.spacing.edgeEdge": "12",
  "elk.spacing.edgeLabel": "4",
  "elk.randomSeed": "1",
  "elk.padding": "[top=12,left=12,bottom=12,right=12]",
};

/** The lines under a state's name: what it does on entry and exit, and what it handles in place. */
export function boxLines(vertex: StateVertex): BoxLine[] {
  const timers = new Set(vertex.timers.map((timer) => timer.action));
  return [
    ...vertex.entry.map((action) => ({ text: `entry / ${action}`, timer: timers.has(action) })),
    ...vertex.exit.map((action) => ({ text: `exit / ${action}`, timer: false })),
    ...vertex.internal.map((text) => ({ text, timer: false })),
  ];
}

function linesWidth(title: string, lines: readonly BoxLine[]): number {
  const widths = lines.map((line) => textWidth(line.text, LINE_SIZE) + (line.timer ? ICON_ROOM : 0));
  return Math.max(MIN_BOX_WIDTH, textWidth(title, TITLE_SIZE), ...widths) + 2 * PADDING;
}

/** A label split so that no line is much longer than LABEL_WRAP characters: the event, then actions. */
export function edgeLabelLines(edge: TransitionEdge): string[] {
  const head = transitionText(edge.event, edge.guard, []);
  if (edge.actions.length === 0) return [head];
  const lines = [head];
  let current = "/";
  for (const action of edge.actions) {
    const next = current === "/" ? `/ ${action}` : `${current}, ${action}`;
    if (next.length > LABEL_WRAP && current !== "/") {
      lines.push(`${current},`);
      current = `  ${action}`;
    } else current = next;
  }
  lines.push(current);
  return lines;
}

function labelOf(edge: TransitionEdge) {
  const lines = edgeLabelLines(edge);
  const iconRoom = edge.timer ? ICON_ROOM : 0;
  const width = Math.max(...lines.map((line) => textWidth(line, LABEL_SIZE))) + iconRoom + 6;
  return { text: lines.join("\n"), width, height: lines.length * LINE_HEIGHT + 2 };
}

function elkNode(vertex: StateVertex, children: StateVertex[]): ElkNode {
  const lines = boxLines(vertex);
  const width = linesWidth(vertex.key, lines);
  if (children.length === 0) {
    return { id: vertex.id, width, height: TITLE_HEIGHT + lines.length * LINE_HEIGHT + PADDING };
  }
  const top = TITLE_HEIGHT + lines.length * LINE_HEIGHT + 8;
  const nodes = children.map((child) => elkNode(child, [...child.children]));
  const initial = children.find((child) => child.initial);
  if (initial !== undefined) nodes.unshift({ id: `${vertex.id}::initial`, width: INITIAL_SIZE, height: INITIAL_SIZE });
  return {
    id: vertex.id,
    children: nodes,
    layoutOptions: {
      ...GRAPH_OPTIONS,
      "elk.padding": `[top=${top},left=${PADDING + 4},bottom=${PADDING + 4},right=${PADDING + 4}]`,
      "elk.nodeSize.constraints": "MINIMUM_SIZE",
      "elk.nodeSize.minimum": `(${width},${top + 20})`,
    },
  };
}

function initialEdges(vertex: StateVertex): ElkExtendedEdge[] {
  const initial = vertex.children.find((child) => child.initial);
  const own: ElkExtendedEdge[] =
    initial === undefined ? [] : [{ id: `${vertex.id}::initial>`, sources: [`${vertex.id}::initial`], targets: [initial.id] }];
  return [...own, ...vertex.children.flatMap(initialEdges)];
}

function elkGraph(graph: MachineGraph): ElkNode {
  const edges: ElkExtendedEdge[] = [
    ...initialEdges(graph.root),
    ...graph.edges.map((edge) => ({
      id: edge.id,
      sources: [edge.source],
      targets: [edge.target],
      labels: [{ id: `${edge.id}::label`, ...labelOf(edge), layoutOptions: { "elk.edgeLabels.placement": "CENTER" } }],
    })),
  ];
  return { id: "::graph", layoutOptions: GRAPH_OPTIONS, children: [elkNode(graph.root, [...graph.root.children])], edges };
}

let engine: InstanceType<typeof ELK> | undefined;

function elk(): InstanceType<typeof ELK> {
  engine ??= new ELK();
  return engine;
}

interface Offset {
  readonly x: number;
  readonly y: number;
}

function collectNodes(node: ElkNode, at: Offset, offsets: Map<string, Offset>, into: ElkNode[]): void {
  const here = { x: at.x + (node.x ?? 0), y: at.y + (node.y ?? 0) };
  offsets.set(node.id, here);
  into.push(node);
  for (const child of node.children ?? []) collectNodes(child, here, offsets, into);
}

function placeEdge(edge: ElkExtendedEdge, offsets: Map<string, Offset>, byId: Map<string, TransitionEdge>): PlacedEdge {
  const origin = offsets.get(edge.container ?? "::graph") ?? { x: 0, y: 0 };
  const shift = (point: ElkPoint): ElkPoint => ({ x: point.x + origin.x, y: point.y + origin.y });
  const points = (edge.sections ?? []).flatMap((section) => [
    shift(section.startPoint),
    ...(section.bendPoints ?? []).map(shift),
    shift(section.endPoint),
  ]);
  const transition = byId.get(edge.id);
  const label = edge.labels?.[0];
  if (transition === undefined || label === undefined) return { points };
  return {
    edge: transition,
    points,
    label: { x: origin.x + (label.x ?? 0), y: origin.y + (label.y ?? 0), lines: (label.text ?? "").split("\n") },
  };
}

/** Lays the graph out; coordinates in the result are absolute, the origin at the top left. */
export async function layoutMachine(graph: MachineGraph): Promise<MachineLayout> {
  const laid = await elk().layout(elkGraph(graph));
  const offsets = new Map<string, Offset>();
  const nodes: ElkNode[] = [];
  collectNodes(laid, { x: 0, y: 0 }, offsets, nodes);
  const vertices = new Map([graph.root, ...allStates(graph.root)].map((vertex) => [vertex.id, vertex]));
  const states: PlacedState[] = [];
  const markers: PlacedMarker[] = [];
  for (const node of nodes) {
    const at = offsets.get(node.id) ?? { x: 0, y: 0 };
    const vertex = vertices.get(node.id);
    if (vertex !== undefined) {
      states.push({ vertex, ...at, width: node.width ?? 0, height: node.height ?? 0, lines: boxLines(vertex) });
    } else if (node.id.endsWith("::initial")) markers.push({ id: node.id, ...at, size: node.width ?? INITIAL_SIZE });
  }
  const byId = new Map(graph.edges.map((edge) => [edge.id, edge]));
  return {
    width: laid.width ?? 0,
    height: laid.height ?? 0,
    states,
    markers,
    edges: (laid.edges ?? []).map((edge) => placeEdge(edge, offsets, byId)),
  };
}
