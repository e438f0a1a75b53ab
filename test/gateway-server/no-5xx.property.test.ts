// Property, over real sockets: whatever the method, path and body bytes, the gateway answers
// within 5 s with a status below 500, every body is JSON, and every error is a Matrix error
// (`errcode`); GW-15, GW-16, GW-22 and DESIGN.md "bad input never costs more than a 4xx".
// Assumes the sandbox configuration and a 64 KiB body limit so the too-large path is reached.
import { fc, test } from "@fast-check/vitest";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { sandboxConfig } from "../../src/gateway/index.ts";
import type { GatewayServer } from "../../src/gateway-server/server.ts";
import { APNS, FCM, NOTIFY, rawRequest, startGateway } from "./gateway-under-test.ts";

const RUNS = 150 * (process.env.COURIER_DEEP ? 100 : 1);
const LIMIT = 64 * 1024;

let gateway: GatewayServer;
beforeAll(async () => {
  gateway = await startGateway(sandboxConfig, { bodyLimitBytes: LIMIT });
});
afterAll(() => gateway.close());

const method = fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD");

const path = fc.oneof(
  fc.constant(NOTIFY),
  fc.constant("/_courier/deliveries"),
  fc.webPath().map((p) => p || "/"),
  fc.tuple(fc.constantFrom(NOTIFY, "/_courier/deliveries"), fc.webQueryParameters()).map(([p, q]) => `${p}?${q}`),
  fc.constantFrom("/%", "/%zz", "/_matrix/push/v1/%E0%A4%A", "/_courier/deliveries?pushkey=%ff"),
);

/** Pushkeys that reach each simulated outcome, and anything else. */
const pushkey = fc.oneof(fc.constantFrom("k", "invalid-1", "transient-1", "permanent-1"), fc.string());

const device = fc.record(
  { app_id: fc.oneof(fc.constantFrom(APNS, FCM), fc.string()), pushkey, pushkey_ts: fc.oneof(fc.integer(), fc.anything()), data: fc.anything(), tweaks: fc.anything() },
  { requiredKeys: [] },
);

const notification = fc.record(
  {
    event_id: fc.oneof(fc.constantFrom("$a", "$b"), fc.anything()),
    devices: fc.oneof(fc.array(device, { maxLength: 4 }), fc.anything()),
    counts: fc.oneof(fc.record({ unread: fc.integer(), missed_calls: fc.anything() }, { requiredKeys: [] }), fc.anything()),
    prio: fc.oneof(fc.constantFrom("high", "low"), fc.anything()),
    id: fc.anything(),
  },
  { requiredKeys: [] },
);

const body = fc.oneof(
  fc.constant(undefined),
  fc.record({ notification: fc.oneof(notification, fc.anything()) }, { requiredKeys: [] }).map((b) => Buffer.from(JSON.stringify(b))),
  fc.json().map((text) => Buffer.from(text)),
  fc.string().map((text) => Buffer.from(text)),
  fc.uint8Array({ maxLength: 256 }).map((bytes) => Buffer.from(bytes)),
  fc.integer({ min: 0, max: 2000 }).map((depth) => Buffer.from(`{"notification":${"[".repeat(depth)}${"]".repeat(depth)}}`)),
  fc.integer({ min: LIMIT - 64, max: LIMIT + 64 }).map((size) => Buffer.alloc(size, 0x20)),
);

describe("no input yields a 5xx or a hang", () => {
  test.prop([method, path, body], { numRuns: RUNS })("any request is answered below 500, in JSON", async (m, p, b) => {
    // A declared length keeps the bytes one well-formed request whatever the method.
    const sent = b === undefined ? { method: m, path: p } : { method: m, path: p, headers: { "Content-Length": String(b.length) }, chunks: [b] };
    const answer = await rawRequest(gateway.url, sent);
    expect(answer.status).toBeGreaterThanOrEqual(200);
    expect(answer.status).toBeLessThan(500);
    if (m === "HEAD") return;
    const parsed: unknown = JSON.parse(answer.text);
    if (answer.status >= 400) expect(parsed).toMatchObject({ errcode: expect.stringMatching(/^M_/), error: expect.any(String) });
  });
});
