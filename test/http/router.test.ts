// The router over the generated route table: every operation is found at its own path (v3 and
// the legacy r0 prefix) with its parameters decoded, a literal segment wins over a parameter, a
// path served with other methods is 405 with those methods, and anything else is 404; a path
// with more or fewer segments never matches a template (a parameter never holds "/").
import { describe, expect, test } from "vitest";
import { operations } from "../../models/index.ts";
import { Router } from "../../src/http/router.ts";

const router = new Router(operations);

function filled(path: string): { path: string; params: Record<string, string> } {
  const params: Record<string, string> = {};
  let n = 0;
  const out = path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    params[name] = `v${++n} é`;
    return encodeURIComponent(params[name]);
  });
  return { path: out, params };
}

describe("Router", () => {
  test("every operation matches its own path with its parameters decoded, under each prefix", () => {
    for (const op of operations) {
      const { path, params } = filled(op.path);
      const prefixes = op.basePath === "/_matrix/client/v3" ? [op.basePath, "/_matrix/client/r0"] : [op.basePath];
      for (const prefix of prefixes) {
        const match = router.match(op.method, prefix + path);
        // Another operation may claim the path: one with more literal segments there, or an
        // earlier one with the very same template (notify and notify2015, two versions of one API).
        if (match.kind === "found" && match.operationId !== op.operationId) {
          const other = operations.find((o) => o.operationId === match.operationId);
          const literals = (p: string) => p.split("/").filter((s) => !s.startsWith("{")).length;
          const same = other !== undefined && other.method === op.method && other.basePath + other.path === op.basePath + op.path;
          expect(same || literals(other?.path ?? "") > literals(op.path)).toBe(true);
          continue;
        }
        expect(match).toEqual({ kind: "found", operationId: op.operationId, params });
      }
    }
  });

  test("a literal segment wins over a parameter", () => {
    const match = router.match("PUT", "/_matrix/client/v3/pushrules/global/override/r1/enabled");
    expect(match).toMatchObject({ kind: "found", operationId: "setPushRuleEnabled", params: { kind: "override", ruleId: "r1" } });
  });

  test("a served path with another method is 405 naming the methods served; an unknown path, or one segment more or less, is 404", () => {
    expect(router.match("DELETE", "/_matrix/client/v3/sendToDevice/m.x/t1")).toEqual({ kind: "wrong-method", allowed: ["PUT"] });
    expect(router.match("PUT", "/_matrix/client/v3/sendToDevice/m.x")).toEqual({ kind: "not-found" });
    expect(router.match("PUT", "/_matrix/client/v3/sendToDevice/m.x/t1/extra")).toEqual({ kind: "not-found" });
    expect(router.match("PUT", "/_matrix/client/v3/sendToDevice/m.x/")).toEqual({ kind: "not-found" });
    expect(router.match("GET", "/nothing/here")).toEqual({ kind: "not-found" });
  });

  test("HEAD is served wherever GET is; an undecodable parameter is 404", () => {
    expect(router.match("HEAD", "/_matrix/client/v3/sync")).toMatchObject({ kind: "found", operationId: "sync" });
    expect(router.match("PUT", "/_matrix/client/v3/sendToDevice/%E0%A4%A/t1")).toEqual({ kind: "not-found" });
  });
});
