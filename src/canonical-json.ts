/**
 * Canonical JSON, as the Matrix appendices define it: object keys sorted by code point, no
 * insignificant white space, UTF-8. Used for size limits (65536 bytes per EDU and per
 * to-device message) and for signing federation requests.
 *
 * Iterative, not recursive: input nesting is bounded at the edge, but this function must not be
 * the thing that overflows the stack if it ever is not.
 */

export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

type Frame = { items: string[]; keys: string[] | null; values: readonly Json[] | null; index: number; close: string };

function scalar(value: Json): string | null {
  if (value === null || typeof value === "boolean" || typeof value === "number" || typeof value === "string") {
    return JSON.stringify(value);
  }
  return null;
}

function open(value: Json): Frame {
  if (Array.isArray(value)) return { items: [], keys: null, values: value, index: 0, close: "]" };
  const obj = value as { readonly [key: string]: Json };
  const keys = Object.keys(obj).sort(compareCodePoints);
  return { items: [], keys, values: keys.map((k) => obj[k] ?? null), index: 0, close: "}" };
}

function compareCodePoints(a: string, b: string): number {
  // JavaScript compares strings by UTF-16 code unit; the spec asks for code points.
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i]?.codePointAt(0) ?? 0) - (y[i]?.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

export function canonicalJson(value: Json): string {
  const first = scalar(value);
  if (first !== null) return first;
  const stack: Frame[] = [open(value)];
  let done = "";
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as Frame;
    const values = top.values ?? [];
    if (top.index >= values.length) {
      stack.pop();
      const text = (top.close === "]" ? "[" : "{") + top.items.join(",") + top.close;
      const parent = stack[stack.length - 1];
      if (parent === undefined) done = text;
      else parent.items[parent.items.length - 1] += text;
      continue;
    }
    const i = top.index++;
    const child = values[i] ?? null;
    const prefix = top.keys === null ? "" : `${JSON.stringify(top.keys[i])}:`;
    const s = scalar(child);
    if (s !== null) {
      top.items.push(prefix + s);
    } else {
      top.items.push(prefix);
      stack.push(open(child));
    }
  }
  return done;
}

/**
 * Size in bytes of the canonical JSON encoding, without building it. Canonical JSON differs from
 * `JSON.stringify`'s compact output only in the order of object keys (both escape strings and
 * print numbers the same way), and order does not change length; so the byte length of the
 * cheaper encoding is the answer. Sorting keys by code point was most of the cost of a
 * to-device send (TD-50 measures every content). Only if the native encoder gives up on a deep
 * value does the iterative encoder take over.
 */
export function canonicalJsonBytes(value: Json): number {
  return Buffer.byteLength(compactJson(value), "utf8");
}

function compactJson(value: Json): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (error instanceof RangeError) return canonicalJson(value);
    throw error;
  }
}
