// The generator fails loudly on a broken API file (naming the file and the JSON pointer), accepts
// OpenAPI 3 input, and its --check mode notices a stale models/ directory.
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { checkFresh, defaultInputs, generate } from "../../scripts/generate.ts";

const BROKEN = `swagger: "2.0"
info: {title: broken, version: "1"}
basePath: /x
paths:
  "/thing/{id}":
    put:
      operationId: putThing
      parameters:
        - {in: path, name: id, type: string, required: true}
`;

const OPENAPI3 = `openapi: 3.0.3
info: {title: small, version: "1"}
servers: [{url: "http://localhost/_matrix/small"}]
paths:
  /echo:
    post:
      operationId: echoThing
      requestBody:
        content:
          application/json:
            schema: {type: object, required: [n], properties: {n: {type: integer, minimum: 0}}}
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {type: object}}}
`;

function scratch(): string {
  return mkdtempSync(join(tmpdir(), "courier-gen-test-"));
}

describe("scripts/generate", () => {
  test("a broken Swagger file fails with its JSON pointer", async () => {
    const dir = scratch();
    const file = join(dir, "broken.yaml");
    writeFileSync(file, BROKEN);
    await expect(generate({ inputs: [file], out: join(dir, "out") })).rejects.toThrow(/broken\.yaml.*#\/paths\/~1thing~1\{id\}\/put/s);
  });

  test("accepts OpenAPI 3 input and emits working validators", async () => {
    const dir = scratch();
    const file = join(dir, "small.yaml");
    writeFileSync(file, OPENAPI3);
    const written = await generate({ inputs: [file], out: join(dir, "out") });
    expect(written).toContain("index.ts");
    const m = await import(join(dir, "out", "small.validate.cjs"));
    expect(m.echoThing__body({ n: 1 })).toBe(true);
    expect(m.echoThing__body({ n: -1 })).toBe(false);
  });

  test("--check reports a stale models directory", async () => {
    const dir = scratch();
    const models = join(process.cwd(), "models");
    cpSync(models, join(dir, "models"), { recursive: true });
    expect(await checkFresh(join(dir, "models"), defaultInputs(), models)).toEqual([]);
    writeFileSync(join(dir, "models", "index.ts"), "// edited by hand\n");
    writeFileSync(join(dir, "models", "extra.ts"), "// not generated\n");
    expect(await checkFresh(join(dir, "models"), defaultInputs(), models)).toEqual(["index.ts (differs)", "extra.ts (no longer generated)"]);
  });
});
