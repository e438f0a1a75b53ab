/**
 * Counterexample traces and their drawing as SVG sequence diagrams. The property suites and the
 * simulator produce a `Trace` when a guarantee fails; the report draws it: one lifeline per
 * actor, requests as solid arrows, responses dashed with an open head, lost messages dashed and
 * ending in a red ×, notes as boxes over the lifelines, crashes as a red mark on the lifeline.
 */
import { arrowMarker, idSafe, num, svgDocument, svgText, textWidth } from "./svg.ts";

export type StepKind = "request" | "response" | "lost" | "note" | "crash";

export interface TraceStep {
  /** Simulated time of the step, in milliseconds. */
  readonly at?: number;
  readonly from: string;
  /** For a note, the other end of the span it covers; for a crash, ignored. */
  readonly to: string;
  readonly label: string;
  /** Defaults to `request`. */
  readonly kind?: StepKind;
}

export interface Trace {
  readonly actors: readonly string[];
  readonly steps: readonly TraceStep[];
}

const FONT = 12;
const LINE = 15;
const HEAD_HEIGHT = 28;
const TOP = 10;
const ROW = 34;
const MIN_GAP = 150;
const NOTE_WRAP = 48;
const INK = "#1f2328";
const LOST = "#cf222e";
const NOTE_FILL = "#fff8c5";

/** `at` as a time that keeps every millisecond, so close steps stay distinct: `250 ms`, `600.01 s`. */
export function timeText(at: number): string {
  if (Math.abs(at) < 1_000) return `${num(at)} ms`;
  return `${Math.round(at) / 1_000} s`;
}

/** Actors in the order given, then any a step names that the list forgot, in order of appearance. */
export function traceActors(trace: Trace): string[] {
  const actors = [...new Set(trace.actors)];
  for (const step of trace.steps) {
    for (const actor of step.kind === "crash" ? [step.from] : [step.from, step.to]) {
      if (!actors.includes(actor)) actors.push(actor);
    }
  }
  return actors;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (current !== "" && current.length + 1 + word.length > width) {
      lines.push(current);
      current = word;
    } else current = current === "" ? word : `${current} ${word}`;
  }
  return [...lines, current];
}

interface Columns {
  readonly x: ReadonlyMap<string, number>;
  readonly width: number;
  readonly margin: number;
}

function columns(trace: Trace, actors: readonly string[]): Columns {
  const index = new Map(actors.map((actor, i) => [actor, i]));
  const gaps = actors.slice(1).map(() => MIN_GAP);
  for (const step of trace.steps) {
    const a = index.get(step.from) ?? 0;
    const b = index.get(step.to) ?? a;
    const span = Math.abs(a - b);
    if (span === 0 || step.kind === "note" || step.kind === "crash") continue;
    const need = (textWidth(step.label, FONT) + 24) / span;
    for (let gap = Math.min(a, b); gap < Math.max(a, b); gap++) gaps[gap] = Math.max(gaps[gap] ?? 0, need);
  }
  const times = trace.steps.flatMap((step) => (step.at === undefined ? [] : [textWidth(timeText(step.at), 11)]));
  const headWidth = Math.max(0, ...actors.map((actor) => textWidth(actor, FONT) + 20));
  const margin = (times.length > 0 ? Math.max(...times) + 14 : 0) + Math.max(60, headWidth / 2 + 10);
  const x = new Map<string, number>();
  let at = margin;
  actors.forEach((actor, i) => {
    x.set(actor, at);
    at += gaps[i] ?? 0;
  });
  const selfLoopRoom = 160;
  return { x, width: at + Math.max(headWidth / 2, selfLoopRoom) + 10, margin };
}

function stepHeight(step: TraceStep): number {
  if (step.kind === "note") return wrap(step.label, NOTE_WRAP).length * LINE + 18;
  return step.from === step.to && step.kind !== "crash" ? ROW + 14 : ROW;
}

function cross(x: number, y: number, size: number, color: string, cls: string): string {
  const d = `M${num(x - size)},${num(y - size)} L${num(x + size)},${num(y + size)} M${num(x - size)},${num(y + size)} L${num(x + size)},${num(y - size)}`;
  return `<path class="${cls}" d="${d}" stroke="${color}" stroke-width="2.2" fill="none"/>`;
}

function noteBox(step: TraceStep, y: number, x1: number, x2: number): string[] {
  const lines = wrap(step.label, NOTE_WRAP);
  const textSpan = Math.max(...lines.map((line) => textWidth(line, FONT))) + 16;
  const mid = (x1 + x2) / 2;
  const width = Math.max(Math.abs(x2 - x1) + 60, textSpan);
  const left = mid - width / 2;
  const height = lines.length * LINE + 10;
  return [
    `<rect class="note" x="${num(left)}" y="${num(y + 4)}" width="${num(width)}" height="${num(height)}" ` +
      `fill="${NOTE_FILL}" stroke="#d4a72c" rx="3"/>`,
    ...lines.map((line, i) => svgText(left + 8, y + 4 + (i + 1) * LINE, line, { size: FONT })),
  ];
}

function message(step: TraceStep, y: number, x1: number, x2: number, prefix: string): string[] {
  const kind = step.kind ?? "request";
  const lineY = y + 24;
  const color = kind === "lost" ? LOST : INK;
  const dash = kind === "request" ? "" : ` stroke-dasharray="6 4"`;
  const marker = kind === "lost" ? "" : ` marker-end="url(#${prefix}-${kind === "response" ? "response" : "request"})"`;
  if (x1 === x2) {
    const d = `M${num(x1)},${num(lineY - 6)} h36 v16 h-34`;
    return [
      `<path class="${kind}" d="${d}" fill="none" stroke="${color}" stroke-width="1.4"${dash}${marker}/>`,
      svgText(x1 + 44, lineY + 4, step.label, { size: FONT, fill: color }),
    ];
  }
  // A lost message stops short of its receiver: it never arrived.
  const end = kind === "lost" ? x1 + (x2 - x1) * 0.7 : x2 + (x2 > x1 ? -1 : 1);
  const parts = [
    `<line class="${kind}" x1="${num(x1)}" y1="${num(lineY)}" x2="${num(end)}" y2="${num(lineY)}" stroke="${color}" stroke-width="1.4"${dash}${marker}/>`,
    svgText((x1 + x2) / 2, lineY - 6, step.label, { size: FONT, anchor: "middle", fill: color }),
  ];
  if (kind === "lost") parts.push(cross(end, lineY, 6, LOST, "lost-mark"));
  return parts;
}

function drawStep(step: TraceStep, y: number, cols: Columns, prefix: string): string[] {
  const x1 = cols.x.get(step.from) ?? cols.margin;
  const x2 = cols.x.get(step.to) ?? x1;
  const parts = [`<g class="step" data-kind="${step.kind ?? "request"}">`];
  if (step.at !== undefined) {
    parts.push(svgText(8, y + 28, timeText(step.at), { size: 11, fill: "#57606a" }));
  }
  if (step.kind === "note") parts.push(...noteBox(step, y, x1, x2));
  else if (step.kind === "crash") {
    parts.push(cross(x1, y + 20, 9, LOST, "crash-mark"));
    parts.push(svgText(x1 + 16, y + 25, `crash: ${step.label}`, { size: FONT, weight: "bold", fill: LOST }));
  } else parts.push(...message(step, y, x1, x2, prefix));
  parts.push("</g>");
  return parts;
}

export interface SequenceOptions {
  /** Unique on the page: marker ids inside the SVG are derived from it. */
  readonly id: string;
  readonly title: string;
}

/** The trace as a self-contained SVG sequence diagram; the same trace always gives the same SVG. */
export function sequenceDiagram(trace: Trace, options: SequenceOptions): string {
  const actors = traceActors(trace);
  const cols = columns(trace, actors);
  const prefix = `s-${idSafe(options.id)}`;
  const body: string[] = [];
  let y = TOP + HEAD_HEIGHT + 6;
  for (const step of trace.steps) {
    body.push(...drawStep(step, y, cols, prefix));
    y += stepHeight(step);
  }
  const bottom = y + 10;
  const heads = actors.flatMap((actor) => {
    const x = cols.x.get(actor) ?? 0;
    const width = textWidth(actor, FONT) + 20;
    return [
      `<line class="lifeline" x1="${num(x)}" y1="${TOP + HEAD_HEIGHT}" x2="${num(x)}" y2="${num(bottom)}" stroke="#8c959f" stroke-dasharray="3 3"/>`,
      `<rect class="actor" x="${num(x - width / 2)}" y="${TOP}" width="${num(width)}" height="${HEAD_HEIGHT}" rx="4" fill="#ddf4ff" stroke="#0969da"/>`,
      svgText(x, TOP + 18, actor, { size: FONT, anchor: "middle", weight: "bold" }),
    ];
  });
  return svgDocument({
    width: cols.width,
    height: bottom + 6,
    title: options.title,
    kind: "sequence",
    defs: [arrowMarker(`${prefix}-request`, INK), arrowMarker(`${prefix}-response`, INK, true)],
    body: [...heads, ...body],
  });
}

/** A one-line text form of a step, for the Markdown twin and for logs. */
export function stepText(step: TraceStep): string {
  const time = step.at === undefined ? "" : `[${timeText(step.at)}] `;
  const kind = step.kind ?? "request";
  if (kind === "note") return `${time}note (${step.from}${step.to === step.from ? "" : `–${step.to}`}): ${step.label}`;
  if (kind === "crash") return `${time}${step.from} crashes: ${step.label}`;
  const arrow = kind === "response" ? "-->" : kind === "lost" ? "--x" : "->";
  return `${time}${step.from} ${arrow} ${step.to}: ${step.label}`;
}

