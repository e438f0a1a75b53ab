/**
 * A run's trace: what each server and client did, for people. Recorded only when asked (the
 * minimal counterexample is re-run with tracing on), printed as numbered lines:
 *
 *    12  t=1300ms  hs1 → hs2         PUT /send/c3 (2 EDUs: m4 m7)  LOST
 *
 * and exported in the report's sequence-diagram format (`src/report/sequence-diagram.ts`), so
 * the report can draw a counterexample.
 */
import type { Trace, TraceStep } from "../report/sequence-diagram.ts";

export type TraceKind = "request" | "response" | "lost" | "note" | "crash";

export interface TraceEntry {
  readonly at: number;
  readonly from: string;
  readonly to: string;
  readonly label: string;
  readonly kind: TraceKind;
  /** What came of it, when known at once: `200`, `LOST`, `refused`… */
  readonly outcome?: string;
}

export class TraceLog {
  readonly entries: TraceEntry[] = [];
  readonly actors: string[] = [];

  constructor(actors: readonly string[]) {
    this.actors.push(...actors);
  }

  add(at: number, from: string, to: string, label: string, kind: TraceKind, outcome?: string): void {
    this.entries.push(outcome === undefined ? { at, from, to, label, kind } : { at, from, to, label, kind, outcome });
  }

  note(at: number, actor: string, label: string): void {
    this.add(at, actor, actor, label, "note");
  }
}

function arrow(entry: TraceEntry): string {
  if (entry.kind === "note" || entry.kind === "crash" || entry.from === entry.to) return entry.from;
  return `${entry.from} → ${entry.to}`;
}

/** Numbered, aligned lines: step, time, who → whom, what, and what came of it. */
export function formatTrace(entries: readonly TraceEntry[]): string {
  const number = String(entries.length).length;
  // Loops, not Math.max(...spread): a long run's trace has more entries than a call has arguments.
  let time = 4;
  let who = 4;
  let what = 4;
  for (const e of entries) {
    time = Math.max(time, String(e.at).length);
    who = Math.max(who, arrow(e).length);
    what = Math.max(what, Math.min(72, e.label.length));
  }
  return entries
    .map((e, i) => {
      const head = `${String(i + 1).padStart(number)}  t=${`${e.at}ms`.padEnd(time + 2)}  ${arrow(e).padEnd(who)}  `;
      const label = e.kind === "crash" ? `CRASH (${e.label})` : e.label;
      const tail = e.outcome === undefined ? label : `${label.padEnd(what)}  ${e.outcome}`;
      return `${head}${tail}`.trimEnd();
    })
    .join("\n");
}

/** The same steps for the report's sequence diagram: requests, answers, losses, notes, crashes. */
export function sequenceTrace(log: TraceLog): Trace {
  const steps: TraceStep[] = log.entries.map((e) => {
    const label = e.outcome === undefined ? e.label : `${e.label} → ${e.outcome}`;
    return { at: e.at, from: e.from, to: e.to, label, kind: e.kind };
  });
  return { actors: [...log.actors], steps };
}
