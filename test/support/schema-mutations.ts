/**
 * Single mutations of a valid value that its schema must reject, each with the JSON pointer and
 * keyword the validator's error should name: a required field removed, a value of the wrong
 * type, a string that breaks its pattern.
 */
import type { Schema } from "./schema-arbitrary.ts";

export interface Mutation {
  readonly describe: string;
  readonly value: unknown;
  readonly instancePath: string;
  readonly keyword: "required" | "type" | "pattern";
}

type Site = { path: string[]; schema: Schema; value: unknown };

function pointer(path: readonly string[]): string {
  return path.map((p) => `/${p.replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
}

function sites(schema: Schema, value: unknown, path: string[], out: Site[]): Site[] {
  if (schema.anyOf !== undefined || schema.oneOf !== undefined) return out;
  out.push({ path, schema, value });
  if (typeof value !== "object" || value === null || Array.isArray(value)) return out;
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const extra = typeof schema.additionalProperties === "object" ? (schema.additionalProperties as Schema) : null;
  for (const [k, v] of Object.entries(value)) {
    const sub = properties[k] ?? extra;
    if (sub !== null && sub !== undefined) sites(sub, v, [...path, k], out);
  }
  return out;
}

function replaceAt(root: unknown, path: readonly string[], f: (parent: Record<string, unknown>, key: string) => void): unknown {
  const copy = structuredClone(root);
  let node = copy as Record<string, unknown>;
  for (const p of path.slice(0, -1)) node = node[p] as Record<string, unknown>;
  const last = path[path.length - 1];
  if (last !== undefined) f(node, last);
  return copy;
}

function wrongTypeFor(schema: Schema): unknown {
  const t = schema.type;
  if (typeof t !== "string" || schema.enum !== undefined) return undefined;
  return t === "string" ? 12345 : `not-a-${t}`;
}

function breakPattern(pattern: string): string | undefined {
  const re = new RegExp(pattern);
  return [" ", "", "\u0000", "!!", "@", "a"].find((s) => !re.test(s));
}

export function mutationsOf(schema: Schema, value: unknown): Mutation[] {
  const out: Mutation[] = [];
  for (const site of sites(schema, value, [], [])) {
    const at = pointer(site.path);
    const required = (site.schema.required ?? []) as string[];
    if (typeof site.value === "object" && site.value !== null && !Array.isArray(site.value)) {
      for (const r of required) {
        const removed = structuredClone(site.value) as Record<string, unknown>;
        delete removed[r];
        const whole = site.path.length === 0 ? removed : replaceAt(value, site.path, (p, k) => { p[k] = removed; });
        out.push({ describe: `without required ${at}/${r}`, value: whole, instancePath: at, keyword: "required" });
      }
    }
    const wrong = wrongTypeFor(site.schema);
    if (wrong !== undefined && site.path.length > 0) {
      out.push({ describe: `wrong type at ${at}`, value: replaceAt(value, site.path, (p, k) => { p[k] = wrong; }), instancePath: at, keyword: "type" });
    }
    const bad = typeof site.schema.pattern === "string" ? breakPattern(site.schema.pattern) : undefined;
    if (bad !== undefined && typeof site.value === "string" && site.path.length > 0) {
      out.push({ describe: `pattern broken at ${at}`, value: replaceAt(value, site.path, (p, k) => { p[k] = bad; }), instancePath: at, keyword: "pattern" });
    }
  }
  return out;
}
