// Every example written in the API files (request bodies and responses) is accepted by the
// validator generated from the same file: the examples and the schemas cannot drift apart.
import { beforeAll, describe, expect, test } from "vitest";
import { validators } from "../../models/index.ts";
import type { Validator } from "../../src/validation.ts";
import { type LoadedOperation, loadOperations } from "./api-files.ts";

type Entry = { body?: Validator<unknown>; response: Record<string, Validator<unknown>> };
const table = validators as unknown as Record<string, Entry>;

let operations: LoadedOperation[] = [];
beforeAll(async () => {
  operations = await loadOperations();
});

describe("API examples", () => {
  test("every operation in api/ has generated validators", () => {
    expect(operations.length).toBeGreaterThan(0);
    for (const op of operations) expect(table[op.operationId], op.operationId).toBeDefined();
  });

  test("every example validates against its own schema", () => {
    let checked = 0;
    for (const op of operations) {
      const entry = table[op.operationId];
      for (const ex of op.examples) {
        const v = ex.part === "body" ? entry?.body : entry?.response[ex.part.replace("response ", "")];
        expect(v, `${op.operationId} ${ex.part}`).toBeDefined();
        const result = v?.(ex.value);
        expect(result?.ok ? [] : result?.errors, `${op.file} ${op.operationId} ${ex.part}`).toEqual([]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  test("a known-bad body is rejected with the path of the offending field", () => {
    const check = table.sendToDevice?.body;
    const bad = check?.({ messages: { "@alice:example.com": { DEV1: "not an object" } } });
    expect(bad?.ok).toBe(false);
    expect(bad?.ok === false ? bad.errors[0]?.instancePath : "").toBe("/messages/@alice:example.com/DEV1");
  });
});
