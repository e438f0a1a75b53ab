/**
 * Step 1 of the pipeline: read one API description, validate it, and bring it to OpenAPI 3.
 *
 * Swagger 2.0 (Courier's own `api/`): swagger-parser validates (a broken file fails naming the
 * JSON pointer), bundles external `$ref`s, then swagger2openapi converts to OpenAPI 3.0.
 * OpenAPI 3.x (for example the upstream spec's YAML): validated and bundled the same way.
 */
import { readFileSync } from "node:fs";
import SwaggerParser from "@apidevtools/swagger-parser";
import s2o from "swagger2openapi";
import { parse } from "yaml";

export type OpenApiDoc = {
  openapi: string;
  paths?: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, unknown> };
  [key: string]: unknown;
};

export interface LoadedApi {
  readonly file: string;
  readonly dialect: "swagger-2.0" | "openapi-3.0" | "openapi-3.1";
  readonly doc: OpenApiDoc;
}

export class ApiError extends Error {}

export function dialectOf(file: string): LoadedApi["dialect"] | null {
  let top: Record<string, unknown> | null;
  try {
    top = parse(readFileSync(file, "utf8")) as Record<string, unknown> | null;
  } catch (e) {
    throw new ApiError(`${file}: not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  if (top === null || typeof top !== "object") return null;
  if (top.swagger === "2.0") return "swagger-2.0";
  if (typeof top.openapi === "string") return top.openapi.startsWith("3.1") ? "openapi-3.1" : "openapi-3.0";
  return null;
}

export async function loadApi(file: string): Promise<LoadedApi> {
  const dialect = dialectOf(file);
  if (dialect === null) throw new ApiError(`${file}: neither "swagger: 2.0" nor "openapi: 3.x" at the top level`);
  try {
    await SwaggerParser.validate(file);
  } catch (e) {
    throw new ApiError(`${file}: ${(e as Error).message}`);
  }
  const bundled = (await SwaggerParser.bundle(file)) as unknown as Record<string, unknown>;
  if (dialect !== "swagger-2.0") return { file, dialect, doc: bundled as OpenApiDoc };
  const converted = (await s2o.convertObj(bundled, { patch: true, warnOnly: false })) as { openapi: OpenApiDoc };
  return { file, dialect, doc: converted.openapi };
}

/** A fully dereferenced copy (no `$ref` left), for compiling validators. */
export async function dereference(doc: OpenApiDoc): Promise<OpenApiDoc> {
  const copy = structuredClone(doc) as unknown as Parameters<typeof SwaggerParser.dereference>[0];
  return (await SwaggerParser.dereference(copy)) as unknown as OpenApiDoc;
}
