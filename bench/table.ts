/**
 * The printed report: the machine line, then per benchmark its conditions and a table of
 * figure, baseline, ratio and verdict (PASS, or MISS with the gap), then notes and failures.
 */
import { busyWarning, describeMachine } from "./machine.ts";
import { type BenchReport, formatNumber, type Measurement, type Section } from "./results.ts";

function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line.length > 0 && line.length + word.length + 1 > width) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line.length === 0 ? word : `${line} ${word}`;
    }
  }
  if (line.length > 0) lines.push(indent + line);
  return lines;
}

function row(m: Measurement): string[] {
  const baseline = m.baseline === undefined ? "" : `${formatNumber(m.baseline.value)} (${m.baseline.label})`;
  const ratio = m.ratio === undefined ? "" : `${m.ratio.toFixed(m.ratio < 0.1 ? 3 : 2)}×`;
  return [m.label, `${formatNumber(m.value)} ${m.unit}`, baseline, ratio, m.verdict?.text ?? ""];
}

function table(rows: readonly string[][], log: (line: string) => void): void {
  const widths = rows.reduce<number[]>((w, r) => r.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), []);
  for (const r of rows) log(`  ${r.map((cell, i) => cell.padEnd(i === r.length - 1 ? 0 : (widths[i] ?? 0))).join("  ").trimEnd()}`);
}

function printSection(s: Section, log: (line: string) => void): void {
  log("");
  log(`== ${s.title}`);
  for (const line of wrap(s.conditions, 100, "   ")) log(line);
  table([["figure", "value", "baseline", "ratio", "target"], ...s.measurements.map(row)], log);
  for (const note of s.notes ?? []) for (const line of wrap(`note: ${note}`, 100, "   ")) log(line);
}

export function printReport(report: BenchReport, log: (line: string) => void): void {
  log("");
  log(`Courier benchmarks${report.quick ? " (QUICK: small sizes, not figures to quote)" : ""}, ${report.startedAt} → ${report.finishedAt}`);
  log(`Machine: ${describeMachine(report.machine)}`);
  const atEnd = busyWarning(report.backgroundBusyAtEnd, "just after the run");
  log(`Other work on the machine just after the run: ${(report.backgroundBusyAtEnd * 100).toFixed(0)}% of the cores${atEnd === null ? "" : " (see warnings)"}`);
  for (const s of report.sections) printSection(s, log);
  const misses = report.sections.flatMap((s) => s.measurements.filter((m) => m.verdict?.pass === false).map((m) => `${s.name}/${m.key}: ${m.verdict?.text ?? ""}`));
  log("");
  if (misses.length > 0) {
    log("Targets missed:");
    for (const miss of misses) log(`  ${miss}`);
  }
  for (const w of report.warnings) log(`WARNING: ${w}`);
  for (const f of report.failed) log(`FAILED ${f.name}: ${f.error}`);
}
