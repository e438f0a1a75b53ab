// For every request body schema in api/: values generated from the schema are accepted by the
// generated validator, and each single mutation (a required field removed, a wrong type, a broken
// pattern) is rejected with an error naming the mutated path. Assumes the generator's schemas are
// the ones compiled (it loads them through the same pipeline).
import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import { validators } from "../../models/index.ts";
import type { Validator } from "../../src/validation.ts";
import { arbitraryOf } from "../support/schema-arbitrary.ts";
import { mutationsOf } from "../support/schema-mutations.ts";
import { type LoadedOperation, loadOperations } from "./api-files.ts";

const RUNS = 200 * (process.env.COURIER_DEEP ? 100 : 1);
const table = validators as unknown as Record<string, { body?: Validator<unknown> }>;

let operations: LoadedOperation[] = [];
beforeAll(async () => {
  operations = (await loadOperations()).filter((op) => op.bodySchema !== null);
});

describe("request schemas", () => {
  test("generated values are accepted, single mutations are rejected at the right path", () => {
    expect(operations.length).toBeGreaterThan(0);
    for (const op of operations) {
      const check = table[op.operationId]?.body;
      const schema = op.bodySchema;
      if (check === undefined || schema === null) throw new Error(`no body validator for ${op.operationId}`);
      const valid = arbitraryOf(schema);
      fc.assert(
        fc.property(valid, (value) => {
          const ok = check(value);
          if (!ok.ok) throw new Error(`${op.operationId}: generated value rejected: ${JSON.stringify(ok.errors)}`);
          for (const m of mutationsOf(schema, value)) {
            const r = check(m.value);
            if (r.ok) throw new Error(`${op.operationId}: accepted ${m.describe}`);
            const named = r.errors.some((e) => e.instancePath === m.instancePath && e.keyword === m.keyword);
            if (!named) throw new Error(`${op.operationId}: ${m.describe}: errors ${JSON.stringify(r.errors)}`);
          }
        }),
        { numRuns: RUNS, verbose: 1 },
      );
    }
  });
});
