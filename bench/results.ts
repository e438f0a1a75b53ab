/**
 * What every benchmark hands back: sections of measurements, each measured beside its baseline
 * in the same run, with the ratio and, where the issue sets one, a target and its verdict. The
 * JSON written to `reports/bench/` is exactly these objects plus the machine description.
 */
import type { MachineInfo } from "./machine.ts";

/** A goal: `value` must be at least (`atLeast`) or at most (`atMost`) the bound. */
export interface Target {
  readonly kind: "atLeast" | "atMost";
  readonly bound: number;
  /** What is compared with the bound, e.g. "ratio to bare" or "p99 (ms)". */
  readonly of: string;
}

export interface Verdict {
  readonly pass: boolean;
  /** `PASS`, or `MISS` with the gap: by how much, absolutely and relatively. */
  readonly text: string;
}

export interface Measurement {
  readonly key: string;
  readonly label: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline?: { readonly label: string; readonly value: number };
  /** value / baseline.value, when there is a baseline. */
  readonly ratio?: number;
  readonly target?: Target;
  /** The number the target is checked against (the ratio, or the value itself). */
  readonly checked?: number;
  readonly verdict?: Verdict;
  /** Further figures worth keeping (percentiles, counts, sizes). */
  readonly detail?: Readonly<Record<string, number | string>>;
}

/** One curve or bar group of a section, for the plot. */
export interface Series {
  readonly name: string;
  readonly points: ReadonlyArray<{ readonly x: number | string; readonly y: number }>;
}

export interface Section {
  readonly name: string;
  readonly title: string;
  /** How it was measured: sizes, durations, concurrency, what shares the cores. */
  readonly conditions: string;
  readonly measurements: readonly Measurement[];
  readonly series?: readonly Series[];
  /** Known gaps and caveats, printed under the table. */
  readonly notes?: readonly string[];
}

export interface BenchReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly quick: boolean;
  /** The command line options of the run. */
  readonly options: readonly string[];
  readonly machine: MachineInfo;
  /** Share of the cores busy with other work just after the run (see `MachineInfo`). */
  readonly backgroundBusyAtEnd: number;
  readonly warnings: readonly string[];
  readonly sections: readonly Section[];
  /** Benchmarks that could not run, with the reason (e.g. a component not there yet). */
  readonly failed: ReadonlyArray<{ readonly name: string; readonly error: string }>;
}

function formatGap(kind: Target["kind"], value: number, bound: number): string {
  const gap = Math.abs(value - bound);
  const relative = bound === 0 ? "" : `, ${((gap / Math.abs(bound)) * 100).toFixed(0)}%`;
  const word = kind === "atLeast" ? "short" : "over";
  return `${word} by ${formatNumber(gap)}${relative}`;
}

/** PASS, or MISS with how far the measured number is from the bound. */
export function verdictOf(target: Target, value: number): Verdict {
  const pass = target.kind === "atLeast" ? value >= target.bound : value <= target.bound;
  if (pass) return { pass, text: "PASS" };
  const sign = target.kind === "atLeast" ? "<" : ">";
  return { pass, text: `MISS: ${target.of} ${formatNumber(value)} ${sign} ${formatNumber(target.bound)} (${formatGap(target.kind, value, target.bound)})` };
}

/** A measurement with its ratio to the baseline and, if it has a target, the verdict. */
export function measured(m: Omit<Measurement, "ratio" | "checked" | "verdict">, check: "ratio" | "value" = "ratio"): Measurement {
  const ratio = m.baseline === undefined || m.baseline.value === 0 ? undefined : m.value / m.baseline.value;
  const checked = check === "ratio" ? ratio : m.value;
  if (m.target === undefined || checked === undefined) return ratio === undefined ? m : { ...m, ratio };
  const verdict = verdictOf(m.target, checked);
  return ratio === undefined ? { ...m, checked, verdict } : { ...m, ratio, checked, verdict };
}

/** Three significant digits, thousands grouped: 1,234,000 / 12.3 / 0.0456. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs >= 1000) return Math.round(x).toLocaleString("en-US");
  if (abs >= 100) return x.toFixed(0);
  if (abs >= 10) return x.toFixed(1);
  if (abs >= 1) return x.toFixed(2);
  if (abs === 0) return "0";
  return x.toPrecision(3);
}
