/**
 * Step 5: the typed façade `index.ts` over every generated module:
 * `validators.<operationId>.{params, body, response[status]}`, `definitions.<Name>`, and the
 * route table `operations` (method, path template, base path) that the HTTP shell serves from.
 */
import type { EmittedApi } from "./emit.ts";
import { exportName } from "./emit.ts";

export interface FacadeInput {
  /** Module path relative to the output directory, without extension, e.g. `client-server/to_device`. */
  readonly module: string;
  readonly source: string;
  readonly emitted: EmittedApi;
}

function alias(module: string): string {
  return `m_${module.replace(/[^A-Za-z0-9]/g, "_")}`;
}

const TYPE_HELPERS = `type JsonOf<C> = C extends { content: { "application/json": infer B } } ? B : unknown;
export type BodyOf<O> = O extends { requestBody?: infer R } ? JsonOf<NonNullable<R>> : never;
export type ResponseOf<O, S extends PropertyKey> = O extends { responses: infer R } ? (S extends keyof R ? JsonOf<R[S]> : unknown) : unknown;
type Part<P, K extends string> = P extends { [k in K]?: infer X } ? (undefined extends X ? Partial<NonNullable<X>> : X) : unknown;
export type ParamsOf<O> = O extends { parameters: infer P } ? Part<P, "path"> & Part<P, "query"> : never;`;

export function facade(inputs: readonly FacadeInput[], validationImport: string): string {
  const lines: string[] = [
    'import { createRequire } from "node:module";',
    `import { type CompiledCheck, validatorOf } from "${validationImport}";`,
  ];
  for (const i of inputs) lines.push(`import type * as ${alias(i.module)} from "./${i.module}.ts";`);
  lines.push("", "const load = createRequire(import.meta.url);", "");
  for (const i of inputs) {
    const a = alias(i.module);
    lines.push(`const ${a}_v = load("./${i.module}.validate.cjs") as Record<string, CompiledCheck>;`);
    lines.push(`const ${a}_p = load("./${i.module}.params.cjs") as Record<string, CompiledCheck>;`);
  }
  lines.push("", TYPE_HELPERS, "", "function check(c: CompiledCheck | undefined, name: string): CompiledCheck {",
    '  if (c === undefined) throw new Error("generated validator " + name + " is missing: run npm run generate");',
    "  return c;", "}", "", "export const validators = {");
  for (const i of inputs) lines.push(...operationEntries(i));
  lines.push("} as const;", "", "export const definitions = {");
  for (const i of inputs) {
    const a = alias(i.module);
    for (const d of i.emitted.definitions) {
      const n = exportName("definitions", d);
      lines.push(`  ${JSON.stringify(d)}: validatorOf<${a}.components["schemas"][${JSON.stringify(d)}]>(check(${a}_v.${n}, ${JSON.stringify(n)})),`);
    }
  }
  lines.push("} as const;", "", "export interface OperationRoute {", "  readonly operationId: string;",
    "  readonly method: string;", "  readonly basePath: string;", "  readonly path: string;", "  readonly source: string;", "}", "",
    "export const operations: readonly OperationRoute[] = [");
  for (const i of inputs) {
    for (const op of i.emitted.operations) {
      lines.push(`  { operationId: ${JSON.stringify(op.operationId)}, method: ${JSON.stringify(op.method.toUpperCase())}, basePath: ${JSON.stringify(i.emitted.basePath)}, path: ${JSON.stringify(op.path)}, source: ${JSON.stringify(i.source)} },`);
    }
  }
  lines.push("];", "");
  return lines.join("\n");
}

function operationEntries(i: FacadeInput): string[] {
  const a = alias(i.module);
  const out: string[] = [];
  for (const op of i.emitted.operations) {
    const O = `${a}.operations[${JSON.stringify(op.operationId)}]`;
    out.push(`  ${op.operationId}: {`);
    if (op.params !== null) {
      const n = exportName(op.operationId, "params");
      out.push(`    params: validatorOf<ParamsOf<${O}>>(check(${a}_p.${n}, ${JSON.stringify(n)})),`);
    }
    if (op.body !== null) {
      const n = exportName(op.operationId, "body");
      out.push(`    body: validatorOf<BodyOf<${O}>>(check(${a}_v.${n}, ${JSON.stringify(n)})),`);
    }
    out.push("    response: {");
    for (const r of op.responses) {
      const n = exportName(op.operationId, `response_${r.status}`);
      out.push(`      ${JSON.stringify(r.status)}: validatorOf<ResponseOf<${O}, ${/^\d+$/.test(r.status) ? r.status : JSON.stringify(r.status)}>>(check(${a}_v.${n}, ${JSON.stringify(n)})),`);
    }
    out.push("    },", "  },");
  }
  return out;
}
