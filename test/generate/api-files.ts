/** The API files as the generator sees them, loaded once per test file. */
import { dereference, loadApi } from "../../scripts/generate/load.ts";
import { defaultInputs } from "../../scripts/generate.ts";
import { toJsonSchema } from "../../scripts/generate/json-schema.ts";
import { type OperationSchemas, operationsOf, type Schema } from "../../scripts/generate/operations.ts";

export interface LoadedOperation extends OperationSchemas {
  readonly file: string;
  readonly bodySchema: Schema | null;
}

export async function loadOperations(): Promise<LoadedOperation[]> {
  const out: LoadedOperation[] = [];
  for (const file of defaultInputs()) {
    const api = await loadApi(file);
    const deref = await dereference(api.doc);
    for (const op of operationsOf(deref, file)) {
      out.push({ ...op, file, bodySchema: op.body === null ? null : toJsonSchema(op.body, new Set()) });
    }
  }
  return out;
}
