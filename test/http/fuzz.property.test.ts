// Property, over real sockets: whatever the method, path, query, headers and body bytes, the
// homeserver answers within 5 s with a status below 500, in JSON, and the answer fits the API
// schema of the operation the path names (any undocumented status must be a Matrix error); an
// unknown path is a Matrix error too. DESIGN "bad input never costs more than a 4xx"; TD-56.
// Assumes one in-process homeserver with a 64 KiB body limit; long-polls are kept under 1 s.
import { fc, test } from "@fast-check/vitest";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { operations } from "../../models/index.ts";
import { Router } from "../../src/http/router.ts";
import { checkAnswer, type MatrixSession, type OperationId, register } from "../support/http-client.ts";
import { rawRequest } from "../support/http-raw.ts";
import { Federation } from "../support/http-servers.ts";
import { PROPERTY_TIMEOUT_MS, runs } from "../properties/run-config.ts";

const LIMIT = 64 * 1024;
const router = new Router(operations.filter((o) => o.operationId !== "notify" && o.operationId !== "notify2015"));
let fed: Federation;
let session: MatrixSession;
let users = 0;

beforeAll(async () => {
  fed = await Federation.start(["hs1"], { bodyLimitBytes: LIMIT });
  session = await register(fed.url("hs1"), "fuzzer0");
});
afterAll(() => fed.close());

const method = fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD");

const segment = fc.oneof(fc.constantFrom("@fuzzer0:hs1", "*", "m.test", "!room:hs1", "$ev", "global", "override", "%", "%zz", "%E0%A4%A", ".."), fc.string({ maxLength: 12 }).map(encodeURIComponent));

/** A path from the route table with random segments, under v3 or r0; or any web path. */
const path = fc.oneof(
  fc.tuple(fc.constantFrom(...operations), fc.array(segment, { minLength: 4, maxLength: 4 }), fc.boolean()).map(([op, values, legacy]) => {
    let i = 0;
    const filled = op.path.replace(/\{[^}]+\}/g, () => values[i++ % values.length] ?? "x");
    return (legacy ? op.basePath.replace("/v3", "/r0") : op.basePath) + filled;
  }),
  fc.webPath().map((p) => p || "/"),
  fc.constantFrom("//", "/_matrix//client", "/_matrix/client/v3/sync/", "/%", "/_matrix/client/v3/sendToDevice/%ff/1"),
);

const query = fc.dictionary(fc.constantFrom("since", "timeout", "access_token", "filter", "x"), fc.oneof(fc.constantFrom("0", "1_1", "-5", "abc", "999"), fc.string({ maxLength: 8 })), { maxKeys: 3 });

type TokenChoice = "none" | "valid" | "bogus" | "query" | "garbled";
const token = fc.constantFrom<TokenChoice>("none", "valid", "bogus", "query", "garbled");

const body = fc.oneof(
  fc.constant(undefined),
  fc.json({ maxDepth: 4 }),
  fc.record({ messages: fc.anything({ maxDepth: 3 }) }, { requiredKeys: [] }).map((b) => JSON.stringify(b)),
  fc.string({ maxLength: 64 }),
  fc.uint8Array({ maxLength: 128 }).map((bytes) => Buffer.from(bytes)),
  fc.integer({ min: 60, max: 3000 }).map((depth) => `{"messages":${"[".repeat(depth)}${"]".repeat(depth)}}`),
  fc.integer({ min: LIMIT - 32, max: LIMIT + 32 }).map((size) => Buffer.alloc(size, 0x20)),
);

function headersFor(choice: TokenChoice, contentType: string | null): Record<string, string> {
  const headers: Record<string, string> = contentType === null ? {} : { "Content-Type": contentType };
  if (choice === "valid") headers.Authorization = `Bearer ${session.accessToken}`;
  if (choice === "bogus") headers.Authorization = "Bearer syt_not_a_token";
  if (choice === "garbled") headers.Authorization = 'X-Matrix origin="hs1",key="ed25519:auto",sig="AAAA"';
  return headers;
}

function operationOf(m: string, p: string): OperationId | null {
  const match = router.match(m, p.split("?")[0] ?? p);
  return match.kind === "found" ? (match.operationId as OperationId) : null;
}

describe("no input yields a 5xx, a hang, or an answer outside the schema", () => {
  test.prop([method, path, query, token, fc.option(fc.constantFrom("application/json", "text/plain")), body], { numRuns: runs(150) })(
    "any request is answered below 500, in JSON that fits the schema",
    async (m, p, q, choice, contentType, b) => {
      // Long-polls stay short so that a hang can only be a bug.
      const params = new URLSearchParams({ ...q, ...(q.timeout === undefined ? {} : { timeout: String(Math.min(Number(q.timeout) || 0, 500)) }) });
      if (choice === "query") params.set("access_token", session.accessToken);
      const target = `${p}${params.size === 0 ? "" : `?${params}`}`;
      const bytes = b === undefined ? undefined : Buffer.from(b);
      const headers = { ...headersFor(choice, contentType), ...(bytes === undefined ? {} : { "Content-Length": String(bytes.length) }) };
      const answer = await rawRequest(fed.url("hs1"), { method: m, path: target, headers, chunks: bytes === undefined ? [] : [bytes] });
      expect(answer.status).toBeGreaterThanOrEqual(200);
      expect(answer.status).toBeLessThan(500);
      if (m === "HEAD") return;
      const parsed: unknown = JSON.parse(answer.text);
      if (m === "OPTIONS") return void expect(answer.status).toBe(200);
      checkAnswer(operationOf(m, target), answer.status, parsed);
      // A run may log the session out or delete its device; the next run gets a fresh one.
      if ((await session.whoami()).status === 401) session = await register(fed.url("hs1"), `fuzzer${++users}`);
    },
    PROPERTY_TIMEOUT_MS,
  );
});
