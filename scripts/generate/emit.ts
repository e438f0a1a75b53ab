/**
 * Step 4: emit, for one API file, its TypeScript types (openapi-typescript) and its ajv
 * standalone validators (CommonJS: ajv's standalone output may `require` its runtime helpers).
 * Parameters get their own module compiled with type coercion, because path and query values
 * arrive as strings.
 */
import { Ajv, type Options } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import standaloneCode from "ajv/dist/standalone/index.js";
import openapiTS, { astToString } from "openapi-typescript";
import type { LoadedApi, OpenApiDoc } from "./load.ts";
import { dereference } from "./load.ts";
import { ANNOTATION_KEYWORDS, toJsonSchema } from "./json-schema.ts";
import { componentSchemasOf, type OperationSchemas, operationsOf, type Schema } from "./operations.ts";

export interface EmittedApi {
  readonly types: string;
  readonly validators: string;
  readonly params: string;
  readonly operations: readonly OperationSchemas[];
  readonly definitions: readonly string[];
  readonly basePath: string;
}

/** Export name inside the validators module, e.g. `sendToDevice__response_200`. */
export function exportName(operationId: string, part: string): string {
  return `${operationId}__${part.replace(/[^A-Za-z0-9_]/g, "_")}`;
}

function newAjv(dialect: LoadedApi["dialect"], extra: Partial<Options>, keywords: Set<string>) {
  const options: Options = {
    strict: true,
    allErrors: true,
    code: { source: true, lines: true },
    formats: { int32: true, int64: true, byte: true, float: true, double: true },
    ...extra,
  };
  const ajv = dialect === "openapi-3.1" ? new Ajv2020(options) : new Ajv(options);
  ajv.addVocabulary([...ANNOTATION_KEYWORDS, ...keywords]);
  return ajv;
}

function basePathOf(doc: OpenApiDoc): string {
  const servers = (doc.servers ?? []) as Array<{ url?: string }>;
  const url = servers[0]?.url ?? "";
  const path = url.replace(/^[a-z]+:\/\/[^/]*/i, "");
  return path.replace(/\/$/, "");
}

export async function emitApi(api: LoadedApi): Promise<EmittedApi> {
  const types = astToString(await openapiTS(api.doc as never, { emptyObjectsUnknown: true, alphabetize: true }));
  const deref = await dereference(api.doc);
  const operations = operationsOf(deref, api.file);
  const keywords = new Set<string>();
  const convert = (s: Schema) => (api.dialect === "openapi-3.1" ? s : toJsonSchema(s, keywords));
  const main: Array<[string, Schema]> = [];
  const params: Array<[string, Schema]> = [];
  for (const op of operations) {
    if (op.params !== null) params.push([exportName(op.operationId, "params"), convert(op.params)]);
    if (op.body !== null) main.push([exportName(op.operationId, "body"), convert(op.body)]);
    for (const r of op.responses) main.push([exportName(op.operationId, `response_${r.status}`), convert(r.schema)]);
  }
  const definitions = componentSchemasOf(deref);
  for (const d of definitions) main.push([exportName("definitions", d.name), convert(d.schema)]);
  return {
    types,
    validators: compile(api.dialect, main, {}, keywords),
    params: compile(api.dialect, params, { coerceTypes: true }, keywords),
    operations,
    definitions: definitions.map((d) => d.name),
    basePath: basePathOf(api.doc),
  };
}

function compile(dialect: LoadedApi["dialect"], schemas: Array<[string, Schema]>, extra: Partial<Options>, keywords: Set<string>) {
  const ajv = newAjv(dialect, extra, keywords);
  const refs: Record<string, string> = {};
  for (const [name, schema] of schemas) {
    ajv.addSchema(schema, name);
    refs[name] = name;
  }
  if (schemas.length === 0) return '"use strict";\n';
  return standaloneCode(ajv, refs);
}
