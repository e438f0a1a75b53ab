// Bad input over real sockets costs a Matrix 4xx and nothing more: text that is not JSON, JSON
// of the wrong shape (the error names the field), missing and malformed parameters, bodies over
// the server's limit (declared or chunked), one to-device content over 65536 bytes of canonical
// JSON (413, nothing stored, not remembered as a transaction), and JSON nested 10,000 deep.
// Assumes one in-process homeserver with a 256 KiB body limit and default policies.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { callOperation, checkAnswer, failure, type MatrixSession, must, type OperationId, operationPath, register } from "../support/http-client.ts";
import { rawRequest } from "../support/http-raw.ts";
import { Federation } from "../support/http-servers.ts";
import { SyncChain } from "../support/http-sync.ts";

const LIMIT = 256 * 1024;
let fed: Federation;
let base: string;
let alice: MatrixSession;
let bob: MatrixSession;

beforeAll(async () => {
  fed = await Federation.start(["hs1"], { bodyLimitBytes: LIMIT });
  base = fed.url("hs1");
  alice = await register(base, "alice");
  bob = await register(base, "bob");
});
afterAll(() => fed.close());

/** Sends `body` bytes to an operation as alice; checks the answer against the schema. */
async function send(op: OperationId, params: Record<string, string>, body: string | Buffer, extra: Record<string, string> = {}) {
  const { method, path } = operationPath(op, params);
  const answer = await rawRequest(base, { method, path, headers: { Authorization: `Bearer ${alice.accessToken}`, "Content-Type": "application/json", ...extra }, chunks: [body] });
  const parsed: unknown = JSON.parse(answer.text);
  checkAnswer(op, answer.status, parsed);
  return { status: answer.status, body: parsed as { errcode?: string; error?: string } };
}

const toDevice = (txnId: string) => ({ eventType: "m.test", txnId });

describe("malformed requests", () => {
  test.each([
    ["not JSON at all", "{nope", "M_NOT_JSON"],
    ["a truncated object", '{"messages": {', "M_NOT_JSON"],
    ["a JSON array", "[]", "M_BAD_JSON"],
  ])("sendToDevice with %s: 400 %s (TD-35)", async (_what, body, errcode) => {
    expect(await send("sendToDevice", toDevice("bad-1"), body)).toMatchObject({ status: 400, body: { errcode } });
  });

  test("a content that is not an object: 400 M_BAD_JSON naming the field (TD-8, TD-36)", async () => {
    const answer = await send("sendToDevice", toDevice("bad-2"), JSON.stringify({ messages: { [bob.userId]: { [bob.deviceId]: "text" } } }));
    expect(answer).toMatchObject({ status: 400, body: { errcode: "M_BAD_JSON" } });
    expect(answer.body.error).toContain(`/messages/${bob.userId}/${bob.deviceId}`);
  });

  test("no `messages`: 400 M_MISSING_PARAM naming it (TD-6, TD-35)", async () => {
    const answer = await send("sendToDevice", toDevice("bad-3"), "{}");
    expect(answer).toMatchObject({ status: 400, body: { errcode: "M_MISSING_PARAM" } });
    expect(answer.body.error).toContain("messages");
  });

  test("a pusher without app_id: 400 M_MISSING_PARAM naming it (PUSH-36)", async () => {
    const answer = failure(await alice.setPusher({ kind: "http", pushkey: "k", app_display_name: "a", device_display_name: "d", lang: "en", data: { url: "http://127.0.0.1:1/_matrix/push/v1/notify" } }));
    expect(answer).toMatchObject({ status: 400, errcode: "M_MISSING_PARAM" });
    expect(answer.error).toContain("app_id");
  });

  test.each(["abc", "1_x", "-1", "1_2_3", "9".repeat(40)])("sync since=%s: 400 M_INVALID_PARAM", async (since) => {
    expect(failure(await alice.sync({ since }))).toMatchObject({ status: 400, errcode: "M_INVALID_PARAM" });
  });

  test("sync with a non-numeric timeout: 400 M_INVALID_PARAM", async () => {
    const answer = await callOperation(base, "sync", { token: alice.accessToken, query: { timeout: "soon" } });
    expect(failure(answer)).toMatchObject({ status: 400, errcode: "M_INVALID_PARAM" });
  });

  test("a since token from the future is clamped: the chain goes on receiving (TD-21)", async () => {
    const carol = await register(base, "carol");
    const future = must(await carol.sync({ since: "999999999_999999" }));
    const chain = new SyncChain(carol);
    chain.since = future.next_batch;
    must(await alice.sendToDevice("m.test", "after-future", { [carol.userId]: { [carol.deviceId]: { n: 1 } } }));
    expect((await chain.next()).events.map((e) => e.content)).toEqual([{ n: 1 }]);
  });
});

describe("size limits", () => {
  const big = (bytes: number) => JSON.stringify({ messages: { [bob.userId]: { [bob.deviceId]: { pad: "x".repeat(bytes) } } } });

  test("a body over the server's limit: 413 M_TOO_LARGE, declared or chunked", async () => {
    const body = big(LIMIT + 10);
    expect(await send("sendToDevice", toDevice("huge-1"), body, { "Content-Length": String(Buffer.byteLength(body)) })).toMatchObject({ status: 413, body: { errcode: "M_TOO_LARGE" } });
    expect(await send("sendToDevice", toDevice("huge-2"), body)).toMatchObject({ status: 413, body: { errcode: "M_TOO_LARGE" } });
  });

  test("one content over 65536 bytes rejects the whole request with 413 before storing; 65536 exactly is accepted; the failure is not remembered (TD-50, TD-38)", async () => {
    const dave = await register(base, "dave");
    const chain = new SyncChain(dave);
    // {"pad":"…"} is 10 bytes of canonical JSON around the padding.
    const content = (pad: number) => ({ pad: "x".repeat(pad) });
    const over = { [dave.userId]: { [dave.deviceId]: { small: true } }, [bob.userId]: { [bob.deviceId]: content(65527) } };
    expect(failure(await alice.sendToDevice("m.test", "size-1", over))).toMatchObject({ status: 413, errcode: "M_TOO_LARGE" });
    expect((await chain.next()).events).toEqual([]);
    must(await alice.sendToDevice("m.test", "size-1", { [dave.userId]: { [dave.deviceId]: content(65526) } }));
    expect((await chain.next()).events.map((e) => JSON.stringify(e.content).length)).toEqual([65536]);
  });

  test("JSON nested 10,000 deep: 400, not a 5xx; the same depth inside a string is plain data", async () => {
    const deep = `{"messages":{"${bob.userId}":{"${bob.deviceId}":{"d":${"[".repeat(10_000)}${"]".repeat(10_000)}}}}}`;
    expect(await send("sendToDevice", toDevice("deep-1"), deep)).toMatchObject({ status: 400, body: { errcode: "M_BAD_JSON" } });
    const deepObjects = `{"messages":${'{"a":'.repeat(10_000)}{}${"}".repeat(10_000)}}`;
    expect((await send("sendToDevice", toDevice("deep-2"), deepObjects)).status).toBe(400);
    const inString = JSON.stringify({ messages: { [bob.userId]: { [bob.deviceId]: { s: "[{".repeat(10_000) } } } });
    expect((await send("sendToDevice", toDevice("deep-3"), inString)).status).toBe(200);
  });
});
