// The node:http adapter's answers: JSON with its byte length (not its length in UTF-16 units),
// the CORS headers on every answer, and a handler's own headers added, or replacing a common
// header of the same name whatever its case. Assumes a listener on 127.0.0.1 over a fixed app.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ShellResponse } from "../../src/http/app.ts";
import { type Listening, listen } from "../../src/http/listen.ts";
import { rawRequest } from "../support/http-raw.ts";

const answers: Record<string, ShellResponse> = {
  "/text": { status: 200, body: { greeting: "héllo wörld ✓ 🎉" } },
  "/allow": { status: 405, body: { errcode: "M_UNRECOGNIZED" }, headers: { Allow: "GET, PUT" } },
  "/override": { status: 200, body: {}, headers: { "content-type": "application/json; charset=utf-8" } },
};
let server: Listening;

beforeAll(async () => {
  server = await listen(async (request) => answers[request.path] ?? { status: 404, body: {} }, { host: "127.0.0.1", port: 0, bodyLimitBytes: 1024, log: () => {} });
});
afterAll(() => server.close());

describe("listen: answers", () => {
  test("a body with multi-byte characters is sent whole, Content-Length counting bytes", async () => {
    const answer = await rawRequest(server.url, { method: "GET", path: "/text", headers: {}, chunks: [] });
    expect(JSON.parse(answer.text)).toEqual(answers["/text"]?.body);
    expect(Number(answer.headers["content-length"])).toBe(Buffer.byteLength(answer.text));
    expect(Number(answer.headers["content-length"])).toBeGreaterThan(answer.text.length);
    expect(answer.headers["access-control-allow-origin"]).toBe("*");
  });

  test("a handler's header is added beside the common ones", async () => {
    const answer = await rawRequest(server.url, { method: "GET", path: "/allow", headers: {}, chunks: [] });
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe("GET, PUT");
    expect(answer.headers["content-type"]).toBe("application/json");
    expect(answer.headers["access-control-allow-methods"]).toContain("PUT");
  });

  test("a handler's header replaces a common one of the same name, in any case", async () => {
    const answer = await rawRequest(server.url, { method: "GET", path: "/override", headers: {}, chunks: [] });
    // Node keeps the first of duplicated Content-Type headers: sending both would read as the common one.
    expect(answer.headers["content-type"]).toBe("application/json; charset=utf-8");
  });
});
