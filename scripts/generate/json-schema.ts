/**
 * Step 3: turn OpenAPI 3.0 schema objects into JSON Schema that ajv compiles in strict mode.
 *
 * - `nullable: true` (from Swagger's `x-nullable`) becomes a `"null"` member of `type`;
 * - a draft-04 boolean `exclusiveMinimum`/`exclusiveMaximum` becomes the draft-07 number form;
 * - annotation keywords (`example`, `x-…`, `xml`, `externalDocs`, `discriminator`) are kept and
 *   declared to ajv as vocabulary, so strict mode still catches a misspelt real keyword.
 * OpenAPI 3.1 schemas are already JSON Schema 2020-12 and pass through unchanged.
 */
import type { Schema } from "./operations.ts";

export const ANNOTATION_KEYWORDS = ["example", "xml", "externalDocs", "discriminator"];

const SUBSCHEMA_MAPS = ["properties", "patternProperties", "definitions", "$defs"];
const SUBSCHEMA_ONE = ["additionalProperties", "items", "not", "propertyNames", "contains", "if", "then", "else"];
const SUBSCHEMA_LIST = ["allOf", "anyOf", "oneOf", "prefixItems"];

export function toJsonSchema(schema: Schema, extensionKeywords: Set<string>): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith("x-")) extensionKeywords.add(key);
    if (SUBSCHEMA_MAPS.includes(key) && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sub(v, extensionKeywords)]));
    } else if (SUBSCHEMA_ONE.includes(key) && isObject(value)) {
      out[key] = toJsonSchema(value, extensionKeywords);
    } else if (SUBSCHEMA_LIST.includes(key) && Array.isArray(value)) {
      out[key] = value.map((v) => sub(v, extensionKeywords));
    } else if (key !== "nullable") {
      out[key] = value;
    }
  }
  if (schema.nullable === true) makeNullable(out);
  fixExclusive(out, "exclusiveMinimum", "minimum");
  fixExclusive(out, "exclusiveMaximum", "maximum");
  return out;
}

function sub(value: unknown, ext: Set<string>): unknown {
  return isObject(value) ? toJsonSchema(value, ext) : value;
}

function isObject(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function makeNullable(out: Schema): void {
  if (typeof out.type === "string") out.type = [out.type, "null"];
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
}

function fixExclusive(out: Schema, exclusive: string, inclusive: string): void {
  if (out[exclusive] === true) {
    out[exclusive] = out[inclusive];
    delete out[inclusive];
  } else if (out[exclusive] === false) {
    delete out[exclusive];
  }
}
