/**
 * Values from a JSON Schema, as fast-check arbitraries: enough of the keyword set our API files
 * use (object, array, string with pattern/enum/length, integer, number, boolean, null, anyOf).
 * Used to check that every generated validator accepts what its schema describes.
 */
import fc from "fast-check";

export type Schema = Record<string, unknown>;

const KEY = fc.stringMatching(/^[a-z_][a-z0-9_.]{0,8}$/);

function typesOf(schema: Schema): string[] {
  const t = schema.type;
  if (Array.isArray(t)) return t as string[];
  if (typeof t === "string") return [t];
  if (schema.properties !== undefined || schema.additionalProperties !== undefined) return ["object"];
  if (schema.items !== undefined) return ["array"];
  return ["object"];
}

export function arbitraryOf(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  if ("const" in schema) return fc.constant(schema.const);
  const alternatives = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (alternatives !== undefined) return fc.oneof(...alternatives.map((s) => arbitraryOf(s, depth)));
  return fc.oneof(...typesOf(schema).map((t) => ofType(t, schema, depth)));
}

function ofType(type: string, schema: Schema, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case "null":
      return fc.constant(null);
    case "boolean":
      return fc.boolean();
    case "integer":
      return fc.integer({ min: num(schema.minimum, -1000), max: num(schema.maximum, 1_000_000) });
    case "number":
      return fc.double({ min: num(schema.minimum, -1000), max: num(schema.maximum, 1000), noNaN: true, noDefaultInfinity: true });
    case "string":
      return stringOf(schema);
    case "array": {
      const items = (schema.items as Schema | undefined) ?? {};
      return fc.array(arbitraryOf(items, depth + 1), { minLength: num(schema.minItems, 0), maxLength: Math.min(num(schema.maxItems, 3), 3) });
    }
    default:
      return objectOf(schema, depth);
  }
}

function num(v: unknown, fallback: number): number {
  return typeof v === "number" ? v : fallback;
}

function stringOf(schema: Schema): fc.Arbitrary<string> {
  const min = num(schema.minLength, 0);
  const max = Math.min(num(schema.maxLength, 24), 64);
  if (typeof schema.pattern === "string") {
    return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= min && [...s].length <= max);
  }
  return fc.string({ minLength: min, maxLength: Math.max(min, max) });
}

function objectOf(schema: Schema, depth: number): fc.Arbitrary<unknown> {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required ?? []) as string[]);
  const known: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [k, s] of Object.entries(properties)) known[k] = arbitraryOf(s, depth + 1);
  const fixed = fc.record(known, { requiredKeys: [...required].filter((k) => k in known) });
  const extra = schema.additionalProperties;
  if (typeof extra !== "object" || extra === null || depth > 4 || schema.maxProperties === 0) return fixed;
  const names = schema.propertyNames as Schema | undefined;
  const keys = typeof names?.pattern === "string" ? fc.stringMatching(new RegExp(names.pattern)) : KEY;
  const more = fc.dictionary(keys.filter((k) => !(k in properties)), arbitraryOf(extra as Schema, depth + 1), { maxKeys: 2 });
  return fc.tuple(fixed, more).map(([a, b]) => ({ ...b, ...(a as object) }));
}
