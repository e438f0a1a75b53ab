/**
 * Step 2: list what needs a validator — for each operation its parameters (path and query, as
 * one object), its JSON body and each JSON response by status — and each named component
 * schema. The `operationId` names everything, as the upstream spec names its endpoints.
 */
import type { OpenApiDoc } from "./load.ts";
import { ApiError } from "./load.ts";

export type Schema = Record<string, unknown>;

export interface OperationSchemas {
  readonly operationId: string;
  readonly method: string;
  readonly path: string;
  readonly params: Schema | null;
  readonly body: Schema | null;
  readonly responses: ReadonlyArray<{ status: string; schema: Schema }>;
  readonly examples: ReadonlyArray<{ part: string; value: unknown }>;
}

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
  example?: unknown;
}

function paramsSchema(params: readonly Parameter[]): Schema | null {
  const inputs = params.filter((p) => p.in === "path" || p.in === "query");
  if (inputs.length === 0) return null;
  const properties: Record<string, Schema> = {};
  for (const p of inputs) properties[p.name] = p.schema ?? {};
  const required = inputs.filter((p) => p.required === true).map((p) => p.name);
  return { type: "object", properties, ...(required.length > 0 ? { required } : {}) };
}

function jsonSchemaOf(content: unknown): { schema: Schema | null; example: unknown } {
  const media = (content as Record<string, { schema?: Schema; example?: unknown; examples?: unknown }> | undefined)?.[
    "application/json"
  ];
  return { schema: media?.schema ?? null, example: media?.example ?? media?.schema?.example };
}

export function operationsOf(doc: OpenApiDoc, file: string): OperationSchemas[] {
  const out: OperationSchemas[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    const shared = ((item as { parameters?: Parameter[] }).parameters ?? []) as Parameter[];
    for (const method of METHODS) {
      const op = item[method] as Record<string, unknown> | undefined;
      if (op === undefined) continue;
      const pointer = `#/paths/${path.replaceAll("~", "~0").replaceAll("/", "~1")}/${method}`;
      const operationId = op.operationId;
      if (typeof operationId !== "string") throw new ApiError(`${file}: ${pointer} has no operationId`);
      const params = [...shared, ...((op.parameters ?? []) as Parameter[])];
      const body = jsonSchemaOf((op.requestBody as { content?: unknown } | undefined)?.content);
      const examples: Array<{ part: string; value: unknown }> = [];
      if (body.example !== undefined) examples.push({ part: "body", value: body.example });
      const responses: Array<{ status: string; schema: Schema }> = [];
      for (const [status, resp] of Object.entries((op.responses ?? {}) as Record<string, { content?: unknown }>)) {
        const r = jsonSchemaOf(resp.content);
        if (r.schema === null) continue;
        responses.push({ status, schema: r.schema });
        if (r.example !== undefined) examples.push({ part: `response ${status}`, value: r.example });
      }
      out.push({ operationId, method, path, params: paramsSchema(params), body: body.schema, responses, examples });
    }
  }
  return out;
}

export function componentSchemasOf(doc: OpenApiDoc): Array<{ name: string; schema: Schema }> {
  return Object.entries(doc.components?.schemas ?? {}).map(([name, schema]) => ({ name, schema: schema as Schema }));
}
