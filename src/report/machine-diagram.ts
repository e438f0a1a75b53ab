/**
 * A state diagram of an XState machine, generated from its definition (never drawn by hand):
 * `machineGraph` reads the definition, `layoutMachine` places it with elkjs, and this file
 * draws a self-contained SVG: rounded state boxes, a filled dot marking each initial state,
 * a double border on final states, edge labels `event [guard] / actions`, and a clock on every
 * timer (an `after` transition, or an event the state raises with a delay on entry).
 */
import type { AnyStateMachine } from "xstate";
import { allStates, machineGraph, type MachineGraph } from "./machine-graph.ts";
import {
  ICON_ROOM,
  LABEL_SIZE,
  LINE_HEIGHT,
  LINE_SIZE,
  layoutMachine,
  type MachineLayout,
  PADDING,
  type PlacedEdge,
  type PlacedState,
  TITLE_HEIGHT,
  TITLE_SIZE,
} from "./machine-layout.ts";
import { arrowMarker, escapeXml, idSafe, num, svgDocument, svgText } from "./svg.ts";

const INK = "#1f2328";
const EDGE = "#57606a";
const TIMER = "#9a6700";
const FINAL = "#1a7f37";
const STATE_FILL = "#f6f8fa";
const COMPOUND_FILL = "#ffffff";

export interface MachineDiagram {
  readonly id: string;
  readonly svg: string;
  readonly states: number;
  readonly transitions: number;
}

/** A small clock: the mark of a timer, drawn with its top left corner at (x, y). */
function clock(x: number, y: number, color: string): string {
  const cx = x + 6;
  const cy = y + 6;
  return (
    `<g class="timer" stroke="${color}" fill="none" stroke-width="1.3">` +
    `<circle cx="${num(cx)}" cy="${num(cy)}" r="5.5"/>` +
    `<path d="M${num(cx)},${num(cy - 3.5)} L${num(cx)},${num(cy)} L${num(cx + 2.5)},${num(cy + 1.5)}"/></g>`
  );
}

function stateBox(placed: PlacedState): string {
  const { vertex, x, y, width, height } = placed;
  const compound = vertex.children.length > 0;
  const parts = [`<g class="state" data-state="${escapeXml(vertex.id)}" data-kind="${vertex.kind}">`];
  const dash = vertex.kind === "parallel" ? ` stroke-dasharray="6 3"` : "";
  const stroke = vertex.kind === "final" ? FINAL : INK;
  parts.push(
    `<rect x="${num(x)}" y="${num(y)}" width="${num(width)}" height="${num(height)}" rx="10" ry="10" ` +
      `fill="${compound ? COMPOUND_FILL : STATE_FILL}" stroke="${stroke}" stroke-width="1.4"${dash}/>`,
  );
  if (vertex.kind === "final") {
    parts.push(
      `<rect class="final-border" x="${num(x + 4)}" y="${num(y + 4)}" width="${num(width - 8)}" height="${num(height - 8)}" ` +
        `rx="7" ry="7" fill="none" stroke="${FINAL}" stroke-width="1.4"/>`,
    );
  }
  const titleX = compound ? x + PADDING : x + width / 2;
  parts.push(svgText(titleX, y + 17, vertex.key, { size: TITLE_SIZE, weight: "bold", anchor: compound ? "start" : "middle" }));
  placed.lines.forEach((line, index) => {
    const lineY = y + TITLE_HEIGHT + index * LINE_HEIGHT + 8;
    const textX = x + PADDING + (line.timer ? ICON_ROOM : 0);
    if (line.timer) parts.push(clock(x + PADDING, lineY - 10, TIMER));
    parts.push(svgText(textX, lineY, line.text, { size: LINE_SIZE, fill: line.timer ? TIMER : "#424a53" }));
  });
  if (placed.lines.length > 0 && !compound) {
    const ruleY = y + TITLE_HEIGHT - 2;
    parts.push(`<line x1="${num(x)}" y1="${num(ruleY)}" x2="${num(x + width)}" y2="${num(ruleY)}" stroke="#d0d7de"/>`);
  }
  parts.push("</g>");
  return parts.join("");
}

function edgePath(placed: PlacedEdge, markerPrefix: string): string {
  const points = placed.points.map((point) => `${num(point.x)},${num(point.y)}`).join(" L");
  const edge = placed.edge;
  const timer = edge?.timer === true;
  const color = timer ? TIMER : EDGE;
  const dash = timer ? ` stroke-dasharray="5 3"` : edge?.trigger === "always" ? ` stroke-dasharray="2 3"` : "";
  const marker = `${markerPrefix}-${timer ? "timer" : "arrow"}`;
  const data = edge === undefined ? `data-initial="true"` : `data-edge="${escapeXml(edge.id)}" data-event="${escapeXml(edge.event)}"`;
  return `<path class="transition" ${data} d="M${points}" fill="none" stroke="${color}" stroke-width="1.3"${dash} marker-end="url(#${marker})"/>`;
}

function edgeLabel(placed: PlacedEdge): string {
  const label = placed.label;
  if (label === undefined || placed.edge === undefined) return "";
  const timer = placed.edge.timer;
  const textX = label.x + 3 + (timer ? ICON_ROOM : 0);
  const parts = ['<g class="label">'];
  label.lines.forEach((line, index) => {
    const y = label.y + (index + 1) * LINE_HEIGHT - 3;
    const color = index === 0 ? (timer ? TIMER : INK) : "#57606a";
    parts.push(svgText(textX, y, line, { size: LABEL_SIZE, fill: color, weight: index === 0 ? "bold" : "normal" }));
  });
  if (timer) parts.push(clock(label.x + 2, label.y + 2, TIMER));
  parts.push("</g>");
  return parts.join("");
}

/**
 * The SVG for a laid-out graph. Ids inside are prefixed with `key` (default: the machine id) so
 * that several diagrams can share a page; pass a key when two machines share an id.
 */
export function renderMachine(graph: MachineGraph, layout: MachineLayout, key = graph.id): string {
  const prefix = `m-${idSafe(key)}`;
  const body = [
    ...layout.states.map(stateBox),
    ...layout.markers.map(
      (marker) =>
        `<circle class="initial" cx="${num(marker.x + marker.size / 2)}" cy="${num(marker.y + marker.size / 2)}" r="${num(marker.size / 2)}" fill="${INK}"/>`,
    ),
    ...layout.edges.map((edge) => edgePath(edge, prefix)),
    ...layout.edges.map(edgeLabel).filter((label) => label !== ""),
  ];
  return svgDocument({
    width: layout.width,
    height: layout.height,
    title: `State machine ${graph.id}`,
    kind: "machine",
    defs: [arrowMarker(`${prefix}-arrow`, EDGE), arrowMarker(`${prefix}-timer`, TIMER)],
    body,
  });
}

/** Graph, layout and SVG for one machine; the same machine always gives the same SVG. */
export async function machineDiagram(machine: AnyStateMachine, key?: string): Promise<MachineDiagram> {
  const graph = machineGraph(machine);
  const layout = await layoutMachine(graph);
  return {
    id: graph.id,
    svg: renderMachine(graph, layout, key),
    states: allStates(graph.root).length,
    transitions: graph.edges.length,
  };
}
