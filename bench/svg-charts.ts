/**
 * Hand-written SVG charts, no dependency: a panel is a bar chart (groups of bars, optional log
 * scale, optional target line) or a line chart (series over a linear or log x axis), drawn into
 * a fixed-size box. `figures.ts` lays the panels out into one self-contained SVG document.
 */

export const PANEL_W = 470;
export const PANEL_H = 290;
const M = { left: 70, right: 16, top: 38, bottom: 58 };
export const COLORS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1"];

export function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Short tick labels: 1.2k, 3M, 0.5. */
export function shortNumber(x: number): string {
  const abs = Math.abs(x);
  const trim = (v: number) => String(Number(v.toPrecision(3)));
  if (abs >= 1e6) return `${trim(x / 1e6)}M`;
  if (abs >= 1e3) return `${trim(x / 1e3)}k`;
  return trim(x);
}

export interface Scale {
  readonly at: (v: number) => number;
  readonly ticks: readonly number[];
}

/** 1, 2, 5 × 10^k steps from 0 to at least `max`. */
export function linearScale(max: number, from: number, to: number): Scale {
  const top = max > 0 ? max : 1;
  const raw = top / 5;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? raw;
  const end = Math.ceil(top / step) * step;
  const ticks: number[] = [];
  for (let t = 0; t <= end + step / 2; t += step) ticks.push(t);
  return { at: (v) => from + ((to - from) * v) / end, ticks };
}

/** Powers of ten around [min, max]. */
export function logScale(min: number, max: number, from: number, to: number): Scale {
  const lo = Math.floor(Math.log10(Math.max(min, 1e-12)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(max, 1e-12))));
  const ticks: number[] = [];
  for (let p = lo; p <= hi; p++) ticks.push(10 ** p);
  return { at: (v) => from + ((to - from) * (Math.log10(Math.max(v, 1e-12)) - lo)) / (hi - lo), ticks };
}

function frame(title: string, subtitle: string, body: string): string {
  return [
    `<rect x="0.5" y="0.5" width="${PANEL_W - 1}" height="${PANEL_H - 1}" fill="#fff" stroke="#ddd"/>`,
    `<text x="12" y="20" font-size="13" font-weight="bold">${esc(title)}</text>`,
    `<text x="12" y="${PANEL_H - 8}" font-size="10" fill="#555">${esc(subtitle)}</text>`,
    body,
  ].join("\n");
}

function yAxis(scale: Scale, unit: string): string {
  const parts = scale.ticks.map((t) => {
    const y = scale.at(t).toFixed(1);
    return `<line x1="${M.left}" x2="${PANEL_W - M.right}" y1="${y}" y2="${y}" stroke="#eee"/><text x="${M.left - 6}" y="${y}" font-size="10" text-anchor="end" dominant-baseline="middle">${shortNumber(t)}</text>`;
  });
  const mid = (M.top + PANEL_H - M.bottom) / 2;
  parts.push(`<text x="14" y="${mid}" font-size="10" text-anchor="middle" transform="rotate(-90 14 ${mid})">${esc(unit)}</text>`);
  return parts.join("\n");
}

function targetLine(scale: Scale, value: number, label: string): string {
  const y = scale.at(value).toFixed(1);
  return `<line x1="${M.left}" x2="${PANEL_W - M.right}" y1="${y}" y2="${y}" stroke="#c00" stroke-dasharray="5 3"/><text x="${PANEL_W - M.right - 2}" y="${Number(y) - 4}" font-size="10" fill="#c00" text-anchor="end">${esc(label)}</text>`;
}

function legend(names: readonly string[]): string {
  return names
    .map((name, i) => {
      const x = M.left + i * 150;
      return `<rect x="${x}" y="26" width="10" height="8" fill="${COLORS[i % COLORS.length]}"/><text x="${x + 14}" y="33" font-size="10">${esc(name)}</text>`;
    })
    .join("\n");
}

export interface BarGroup {
  readonly label: string;
  /** One value per series, in `series` order; null leaves a gap. */
  readonly values: readonly (number | null)[];
  /** Printed above the group, e.g. a ratio. */
  readonly note?: string;
}

export interface BarPanel {
  readonly title: string;
  readonly subtitle: string;
  readonly unit: string;
  readonly series: readonly string[];
  readonly groups: readonly BarGroup[];
  readonly log?: boolean;
  readonly target?: { readonly value: number; readonly label: string };
}

export function barPanel(p: BarPanel): string {
  const values = p.groups.flatMap((g) => g.values.filter((v): v is number => v !== null && v > 0));
  if (p.target !== undefined) values.push(p.target.value);
  const bottom = PANEL_H - M.bottom;
  const scale = p.log === true ? logScale(Math.min(...values), Math.max(...values), bottom, M.top + 12) : linearScale(Math.max(...values), bottom, M.top + 12);
  const slot = (PANEL_W - M.left - M.right) / Math.max(1, p.groups.length);
  const bar = Math.min(40, (slot * 0.8) / Math.max(1, p.series.length));
  const parts: string[] = [yAxis(scale, p.unit), legend(p.series.length > 1 ? p.series : [])];
  p.groups.forEach((g, gi) => {
    const x0 = M.left + gi * slot + (slot - bar * p.series.length) / 2;
    g.values.forEach((v, si) => {
      if (v === null) return;
      const y = Math.min(bottom, scale.at(Math.max(v, p.log === true ? scale.ticks[0] ?? 1 : 0)));
      parts.push(`<rect x="${(x0 + si * bar).toFixed(1)}" y="${y.toFixed(1)}" width="${(bar - 2).toFixed(1)}" height="${(bottom - y).toFixed(1)}" fill="${COLORS[si % COLORS.length]}"><title>${esc(`${p.series[si] ?? ""} ${g.label}: ${shortNumber(v)} ${p.unit}`)}</title></rect>`);
      parts.push(`<text x="${(x0 + si * bar + bar / 2 - 1).toFixed(1)}" y="${(y - 3).toFixed(1)}" font-size="9" text-anchor="middle">${shortNumber(v)}</text>`);
    });
    const cx = (M.left + gi * slot + slot / 2).toFixed(1);
    parts.push(`<text x="${cx}" y="${bottom + 14}" font-size="10" text-anchor="middle">${esc(g.label)}</text>`);
    if (g.note !== undefined) parts.push(`<text x="${cx}" y="${bottom + 27}" font-size="10" text-anchor="middle" fill="#333" font-weight="bold">${esc(g.note)}</text>`);
  });
  if (p.target !== undefined) parts.push(targetLine(scale, p.target.value, p.target.label));
  return frame(p.title, p.subtitle, parts.join("\n"));
}

export interface LineSeries {
  readonly name: string;
  readonly points: ReadonlyArray<{ readonly x: number; readonly y: number }>;
  readonly dashed?: boolean;
}

export interface LinePanel {
  readonly title: string;
  readonly subtitle: string;
  readonly xUnit: string;
  readonly yUnit: string;
  readonly series: readonly LineSeries[];
  readonly logX?: boolean;
  readonly logY?: boolean;
}

export function linePanel(p: LinePanel): string {
  const xs = p.series.flatMap((s) => s.points.map((q) => q.x));
  const ys = p.series.flatMap((s) => s.points.map((q) => q.y)).filter((y) => Number.isFinite(y));
  const bottom = PANEL_H - M.bottom;
  const right = PANEL_W - M.right;
  const xScale = p.logX === true ? logScale(Math.min(...xs), Math.max(...xs), M.left + 10, right - 10) : linearScale(Math.max(...xs), M.left + 10, right - 10);
  const yScale = p.logY === true ? logScale(Math.min(...ys), Math.max(...ys), bottom, M.top + 12) : linearScale(Math.max(...ys), bottom, M.top + 12);
  const parts: string[] = [yAxis(yScale, p.yUnit), legend(p.series.map((s) => s.name))];
  for (const t of xScale.ticks) {
    parts.push(`<text x="${xScale.at(t).toFixed(1)}" y="${bottom + 14}" font-size="10" text-anchor="middle">${shortNumber(t)}</text>`);
  }
  parts.push(`<text x="${(M.left + right) / 2}" y="${bottom + 28}" font-size="10" text-anchor="middle">${esc(p.xUnit)}</text>`);
  p.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const path = s.points.map((q) => `${xScale.at(q.x).toFixed(1)},${yScale.at(q.y).toFixed(1)}`).join(" ");
    parts.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"${s.dashed === true ? ' stroke-dasharray="5 3"' : ""}/>`);
    for (const q of s.points) {
      parts.push(`<circle cx="${xScale.at(q.x).toFixed(1)}" cy="${yScale.at(q.y).toFixed(1)}" r="3" fill="${color}"><title>${esc(`${s.name}: ${shortNumber(q.x)} → ${shortNumber(q.y)}`)}</title></circle>`);
    }
  });
  return frame(p.title, p.subtitle, parts.join("\n"));
}

export function emptyPanel(title: string, reason: string): string {
  return frame(title, "", `<text x="${PANEL_W / 2}" y="${PANEL_H / 2}" font-size="12" fill="#888" text-anchor="middle">${esc(reason)}</text>`);
}
