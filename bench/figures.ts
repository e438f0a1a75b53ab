/**
 * The plot of a run: one self-contained SVG, a panel per benchmark (an empty panel names what
 * this run did not measure), headed by the machine and Node version the figures were taken on.
 */
import { describeMachine } from "./machine.ts";
import type { BenchReport, Measurement, Section } from "./results.ts";
import { barPanel, emptyPanel, esc, linePanel, PANEL_H, PANEL_W } from "./svg-charts.ts";

const COLUMNS = 2;
const HEADER_H = 72;
const GAP = 10;

function find(report: BenchReport, name: string): Section | undefined {
  return report.sections.find((s) => s.name === name);
}

function get(section: Section, key: string): Measurement | undefined {
  return section.measurements.find((m) => m.key === key);
}

function value(section: Section, key: string): number | null {
  return get(section, key)?.value ?? null;
}

/** "0.49× bare, MISS" — the ratio and the verdict, for under a bar group. */
function ratioNote(m: Measurement | undefined, what: string): string | undefined {
  if (m?.ratio === undefined) return undefined;
  const verdict = m.verdict === undefined ? "" : m.verdict.pass ? ", PASS" : ", MISS";
  return `${m.ratio.toFixed(2)}× ${what}${verdict}`;
}

function httpSendPanel(s: Section): string {
  return barPanel({
    title: "PUT /sendToDevice over HTTP",
    subtitle: "targets: ≥ 0.6× bare in memory, ≥ 0.4× durable",
    unit: "requests/s",
    series: ["req/s"],
    groups: [
      { label: "bare node:http", values: [value(s, "bare")] },
      { label: "in memory", values: [value(s, "memory")], ...optionalNote(ratioNote(get(s, "memory"), "bare")) },
      { label: "durable", values: [value(s, "durable")], ...optionalNote(ratioNote(get(s, "durable"), "bare")) },
    ],
  });
}

function optionalNote(note: string | undefined): { note?: string } {
  return note === undefined ? {} : { note };
}

function wakePanel(s: Section): string {
  const p50 = get(s, "p50");
  const p99 = get(s, "p99");
  return barPanel({
    title: "/sync long-poll wake-up latency",
    subtitle: "send start → woken /sync answer; target p99 ≤ 5 ms",
    unit: "ms",
    series: ["bare PUT round trip", "Courier wake-up"],
    groups: [
      { label: "p50", values: [p50?.baseline?.value ?? null, p50?.value ?? null] },
      { label: "p99", values: [p99?.baseline?.value ?? null, p99?.value ?? null], ...optionalNote(p99?.verdict?.pass === false ? "MISS" : p99?.verdict?.pass ? "PASS" : undefined) },
    ],
    target: { value: 5, label: "target p99 5 ms" },
  });
}

function notifyPanel(s: Section): string {
  return barPanel({
    title: "Homeserver → gateway notifications",
    subtitle: "end to end, counted at the gateway's deliveries",
    unit: "per second",
    series: ["per second"],
    groups: [
      { label: "bare POST", values: [value(s, "bare")] },
      { label: "Courier end to end", values: [value(s, "courier")], ...optionalNote(ratioNote(get(s, "courier"), "bare")) },
    ],
  });
}

function enginePanel(s: Section): string {
  return barPanel({
    title: "Engine: send + sync + acknowledge",
    subtitle: "messages/s on one core by recipients per request (log scale)",
    unit: "messages/s",
    series: ["Courier engine", "bare queue"],
    groups: s.measurements.map((m) => ({ label: m.label.replace(/ per request$/, ""), values: [m.value, m.baseline?.value ?? null], ...optionalNote(m.verdict === undefined ? undefined : m.verdict.pass ? "PASS" : "MISS") })),
    log: true,
    target: { value: 1_000_000, label: "target 1M/s at 100" },
  });
}

function points(s: Section, name: string): Array<{ x: number; y: number }> {
  const series = s.series?.find((x) => x.name === name);
  return (series?.points ?? []).flatMap((p) => (typeof p.x === "number" ? [{ x: p.x, y: p.y }] : []));
}

function syncCostPanel(s: Section): string {
  const last = s.measurements[s.measurements.length - 1];
  return linePanel({
    title: "Sync cost against inbox size",
    subtitle: `ack 100 + return 100; largest/smallest median ${last?.ratio?.toFixed(2) ?? "?"}× (target ≤ 2×)`,
    xUnit: "pending messages",
    yUnit: "µs per sync",
    series: ["median", "mean", "p99"].map((name) => ({ name, points: points(s, name) })),
    logX: true,
    logY: true,
  });
}

function memoryPanel(s: Section): string {
  const measured = points(s, "bytes per pending message");
  return linePanel({
    title: "Memory per pending message",
    subtitle: "against the event's JSON size; target ≤ 2× JSON",
    xUnit: "event JSON bytes",
    yUnit: "bytes per pending message",
    series: [
      { name: "measured", points: measured },
      { name: "2× JSON (target)", points: points(s, "2 × JSON (target)"), dashed: true },
      { name: "1× JSON", points: measured.map((p) => ({ x: p.x, y: p.x })), dashed: true },
    ],
    logX: true,
    logY: true,
  });
}

function propertyPanel(s: Section): string {
  const m = get(s, "todevice");
  return barPanel({
    title: "Property runs per second",
    subtitle: "to-device model-based property vs generating its inputs only",
    unit: "runs/s",
    series: ["runs/s"],
    groups: [
      { label: "generation only", values: [m?.baseline?.value ?? null] },
      { label: "full property", values: [m?.value ?? null], ...optionalNote(m?.ratio === undefined ? undefined : `${m.ratio.toFixed(2)}×`) },
    ],
  });
}

function simulatorPanel(s: Section): string {
  const groups = s.measurements.map((m) => ({ label: m.unit, values: [m.baseline?.value ?? null, m.value], ...optionalNote(m.ratio === undefined ? undefined : `${m.ratio.toFixed(2)}× with faults`) }));
  return barPanel({ title: "Simulator speed", subtitle: "3 homeservers + gateway on a virtual clock, wall-clock rates", unit: "per second", series: ["no faults", "with faults"], groups });
}

const PANELS: ReadonlyArray<{ name: string; title: string; draw: (s: Section) => string }> = [
  { name: "http-send", title: "PUT /sendToDevice over HTTP", draw: httpSendPanel },
  { name: "http-wake", title: "/sync wake-up latency", draw: wakePanel },
  { name: "engine", title: "Engine throughput", draw: enginePanel },
  { name: "notify", title: "Homeserver → gateway notifications", draw: notifyPanel },
  { name: "sync-cost", title: "Sync cost against inbox size", draw: syncCostPanel },
  { name: "memory", title: "Memory per pending message", draw: memoryPanel },
  { name: "simulator", title: "Simulator speed", draw: simulatorPanel },
  { name: "property", title: "Property runs per second", draw: propertyPanel },
];

export function figuresSvg(report: BenchReport): string {
  const rows = Math.ceil(PANELS.length / COLUMNS);
  const width = COLUMNS * PANEL_W + (COLUMNS + 1) * GAP;
  const height = HEADER_H + rows * (PANEL_H + GAP) + GAP;
  const panels = PANELS.map((p, i) => {
    const section = find(report, p.name);
    const x = GAP + (i % COLUMNS) * (PANEL_W + GAP);
    const y = HEADER_H + Math.floor(i / COLUMNS) * (PANEL_H + GAP);
    const body = section === undefined ? emptyPanel(p.title, "not measured in this run") : p.draw(section);
    return `<g transform="translate(${x} ${y})">\n${body}\n</g>`;
  });
  const when = `${report.quick ? "QUICK RUN (small sizes, not figures to quote) — " : ""}${report.finishedAt}; other work just after the run: ${(report.backgroundBusyAtEnd * 100).toFixed(0)}% of the cores`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" role="img" aria-labelledby="courier-bench-title">`,
    `<title id="courier-bench-title">Courier benchmarks, ${esc(report.finishedAt)}: HTTP send-to-device and wake-up latency, engine throughput, sync cost, memory, notifications, simulator and property speed</title>`,
    `<rect width="${width}" height="${height}" fill="#f7f7f7"/>`,
    `<text x="${GAP}" y="24" font-size="17" font-weight="bold">Courier benchmarks</text>`,
    `<text x="${GAP}" y="44" font-size="11" fill="#444">${esc(describeMachine(report.machine))}</text>`,
    `<text x="${GAP}" y="60" font-size="11" fill="#444">${esc(when)}</text>`,
    ...panels,
    "</svg>",
    "",
  ].join("\n");
}
