/**
 * The small SVG vocabulary both diagram renderers share: escaping, text measurement, number
 * formatting and the document frame. Text is set in a monospace face so that widths can be
 * computed at build time without a browser, which keeps the output deterministic.
 */

export const FONT_FAMILY = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace";

/** Average advance of a monospace glyph, in ems; generous so labels never overflow their boxes. */
const GLYPH_EM = 0.62;

export function escapeXml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

export function textWidth(text: string, fontSize: number): number {
  return Math.ceil([...text].length * fontSize * GLYPH_EM);
}

/** Coordinates rounded to a tenth, printed without trailing zeros, so output is byte-stable. */
export function num(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return Object.is(rounded, -0) ? "0" : String(rounded);
}

/** A string usable inside an XML id: every other character becomes `-`. */
export function idSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, "-");
}

export interface TextOptions {
  readonly size: number;
  readonly anchor?: "start" | "middle" | "end";
  readonly weight?: "normal" | "bold";
  readonly fill?: string;
  readonly italic?: boolean;
}

export function svgText(x: number, y: number, content: string, options: TextOptions): string {
  const attributes = [
    `x="${num(x)}"`,
    `y="${num(y)}"`,
    `font-size="${options.size}"`,
    `text-anchor="${options.anchor ?? "start"}"`,
    `fill="${options.fill ?? "#1f2328"}"`,
  ];
  if (options.weight === "bold") attributes.push(`font-weight="bold"`);
  if (options.italic === true) attributes.push(`font-style="italic"`);
  return `<text ${attributes.join(" ")}>${escapeXml(content)}</text>`;
}

/** A filled arrowhead marker; `open` draws a V instead (for responses). */
export function arrowMarker(id: string, color: string, open = false): string {
  const shape = open
    ? `<path d="M1,1 L9,5 L1,9" fill="none" stroke="${color}" stroke-width="1.5"/>`
    : `<path d="M0,0 L10,5 L0,10 z" fill="${color}"/>`;
  return (
    `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" ` +
    `orient="auto-start-reverse" markerUnits="userSpaceOnUse">${shape}</marker>`
  );
}

export interface SvgFrame {
  readonly width: number;
  readonly height: number;
  /** Read by screen readers and shown as a tooltip. */
  readonly title: string;
  readonly defs: readonly string[];
  readonly body: readonly string[];
  /** Marks the root element so a page can find it (`data-diagram`). */
  readonly kind: string;
}

export function svgDocument(frame: SvgFrame): string {
  const width = num(Math.ceil(frame.width));
  const height = num(Math.ceil(frame.height));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" ` +
      `role="img" data-diagram="${escapeXml(frame.kind)}" font-family="${escapeXml(FONT_FAMILY)}">`,
    `<title>${escapeXml(frame.title)}</title>`,
    frame.defs.length > 0 ? `<defs>${frame.defs.join("")}</defs>` : "",
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    ...frame.body,
    "</svg>",
  ]
    .filter((line) => line !== "")
    .join("\n");
}
