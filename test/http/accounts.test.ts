// The client-server surface around send-to-device, over real sockets: access tokens (Bearer,
// the `access_token` query parameter, missing, unknown) on every authenticated operation, the
// legacy r0 prefix, unknown paths and methods, CORS, registration with its interactive-auth
// answer, login reusing a device id, logout, whoami and device management. Assumes one
// in-process homeserver with default policies; every answer is checked against the API schema.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startHomeserver } from "../../src/homeserver-server/server.ts";
import type { ServerName } from "../../src/ids.ts";
import { callOperation, checkAnswer, failure, login, type MatrixSession, must, type OperationId, register } from "../support/http-client.ts";
import { Federation } from "../support/http-servers.ts";
import { SyncChain } from "../support/http-sync.ts";

let fed: Federation;
let base: string;
let alice: MatrixSession;
let counter = 0;

beforeAll(async () => {
  fed = await Federation.start(["hs1"]);
  base = fed.url("hs1");
  alice = await register(base, "alice");
});
afterAll(() => fed.close());

function fresh(prefix: string): string {
  counter++;
  return `${prefix}${counter}`;
}

/** One call per authenticated operation, each valid apart from its token. */
const AUTHENTICATED: readonly [OperationId, Parameters<typeof callOperation>[2]][] = [
  ["sync", {}],
  ["sendToDevice", { params: { eventType: "m.test", txnId: "auth" }, body: { messages: {} } }],
  ["getTokenOwner", {}],
  ["getDevices", {}],
  ["deleteDevice", { params: { deviceId: "NOPE" }, body: {} }],
  ["logout", {}],
  ["getCapabilities", {}],
  ["getPushRules", {}],
  ["getPushers", {}],
  ["createRoom", { body: {} }],
  ["defineFilter", { params: { userId: "@alice:hs1" }, body: {} }],
];

describe("access tokens (TD-2, TD-34, TD-56)", () => {
  test.each(AUTHENTICATED)("%s: no token is 401 M_MISSING_TOKEN, an unknown one 401 M_UNKNOWN_TOKEN, in the header or the query", async (op, options) => {
    expect(failure(await callOperation(base, op, options))).toMatchObject({ status: 401, errcode: "M_MISSING_TOKEN" });
    expect(failure(await callOperation(base, op, { ...options, token: "syt_nobody" }))).toMatchObject({ status: 401, errcode: "M_UNKNOWN_TOKEN" });
    const query = await callOperation(base, op, { ...options, token: "syt_nobody", tokenIn: "query" });
    expect(failure(query)).toMatchObject({ status: 401, errcode: "M_UNKNOWN_TOKEN" });
  });

  test("a valid token works as Bearer and as the access_token query parameter, under v3 and r0", async () => {
    const who = { user_id: alice.userId, device_id: alice.deviceId };
    for (const tokenIn of ["header", "query"] as const) {
      for (const legacy of [false, true]) {
        expect(must(await callOperation(base, "getTokenOwner", { token: alice.accessToken, tokenIn, legacy }))).toEqual(who);
      }
    }
  });

  test("send-to-device and sync work end to end under the legacy r0 prefix with a query token (TD-34)", async () => {
    const bob = await register(base, fresh("bob"));
    const params = { eventType: "m.test", txnId: "r0-1" };
    const body = { messages: { [bob.userId]: { [bob.deviceId]: { legacy: true } } } };
    must(await callOperation(base, "sendToDevice", { params, body, token: alice.accessToken, tokenIn: "query", legacy: true }));
    const synced = must(await callOperation(base, "sync", { token: bob.accessToken, tokenIn: "query", legacy: true }));
    expect(synced.to_device?.events).toEqual([{ sender: alice.userId, type: "m.test", content: { legacy: true } }]);
  });
});

describe("routing and CORS", () => {
  const raw = async (method: string, path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(base + path, { method, headers, signal: AbortSignal.timeout(5_000) });
    return { status: res.status, headers: res.headers, body: (await res.json()) as unknown };
  };

  test.each([
    ["GET", "/_matrix/client/v3/nonsense", 404],
    ["GET", "/_matrix/client/r0/sendToDevice/a", 404],
    ["GET", "/", 404],
    ["DELETE", "/_matrix/client/v3/sync", 405],
    ["GET", "/_matrix/client/r0/sendToDevice/m.test/1", 405],
    ["POST", "/_matrix/federation/v1/send/1", 405],
  ] as const)("%s %s: %i M_UNRECOGNIZED", async (method, path, status) => {
    const answer = await raw(method, path, { Authorization: `Bearer ${alice.accessToken}` });
    checkAnswer(null, answer.status, answer.body);
    expect(answer).toMatchObject({ status, body: { errcode: "M_UNRECOGNIZED" } });
  });

  test("every answer carries the CORS headers; OPTIONS preflights answer 200 without a token", async () => {
    const expectCors = (headers: Headers) => {
      expect(headers.get("access-control-allow-origin")).toBe("*");
      expect(headers.get("access-control-allow-methods")).toContain("PUT");
      expect(headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
    };
    const preflight = await raw("OPTIONS", "/_matrix/client/v3/sendToDevice/m.test/1", { Origin: "https://app.example", "Access-Control-Request-Method": "PUT" });
    expect(preflight.status).toBe(200);
    expectCors(preflight.headers);
    expectCors((await callOperation(base, "getVersions")).headers);
    expectCors((await callOperation(base, "sync")).headers);
    expectCors((await raw("GET", "/nothing")).headers);
  });

  test("GET /versions lists v1.7 or later (transaction scope per device, TD-40) and r0", async () => {
    const versions = must(await callOperation(base, "getVersions")).versions;
    expect(versions).toContain("r0.6.1");
    expect(versions).toContain("v1.7");
  });
});

describe("registration, login, logout, devices", () => {
  test("register without auth answers 401 with the dummy flow; with it, 200 and a usable login", async () => {
    const username = fresh("carol");
    const uia = await callOperation(base, "register", { body: { username, password: "pw" } });
    expect(uia.status).toBe(401);
    expect(uia.body).toMatchObject({ flows: [{ stages: ["m.login.dummy"] }], session: expect.any(String) });
    const carol = await register(base, username, { password: "pw", deviceId: "CAROLDEV", displayName: "Carol's phone" });
    expect(carol).toMatchObject({ userId: `@${username}:hs1`, deviceId: "CAROLDEV" });
    expect(must(await carol.devices()).devices).toEqual([{ device_id: "CAROLDEV", display_name: "Carol's phone" }]);
    expect(failure(await callOperation(base, "register", { body: { username, password: "pw", auth: { type: "m.login.dummy" } } }))).toMatchObject({ status: 400, errcode: "M_USER_IN_USE" });
  });

  test("registration can be switched off: 403 M_FORBIDDEN", async () => {
    const closed = await startHomeserver({ serverName: "closed" as ServerName, host: "127.0.0.1", port: 0, dataDir: null, peers: new Map(), registration: false, log: () => {} });
    try {
      const answer = await callOperation(closed.url, "register", { body: { username: "x", password: "pw", auth: { type: "m.login.dummy" } } });
      expect(failure(answer)).toMatchObject({ status: 403, errcode: "M_FORBIDDEN" });
    } finally {
      await closed.close();
    }
  });

  test("login with a wrong password is 403; login naming an existing device id keeps its inbox and transaction scope (TD-42)", async () => {
    const name = fresh("dave");
    const dave = await register(base, name, { deviceId: "DAVEDEV" });
    expect(failure(await callOperation(base, "login", { body: { type: "m.login.password", identifier: { type: "m.id.user", user: name }, password: "wrong" } }))).toMatchObject({ status: 403 });
    must(await alice.sendToDevice("m.test", fresh("t"), { [dave.userId]: { DAVEDEV: { kept: true } } }));
    must(await dave.sendToDevice("m.test", "dave-1", { [dave.userId]: { DAVEDEV: { own: 1 } } }));
    const again = await login(base, name, { deviceId: "DAVEDEV" });
    expect(must(await again.whoami())).toEqual({ user_id: dave.userId, device_id: "DAVEDEV" });
    // A retransmission from the new session is still the same transaction: nothing new.
    must(await again.sendToDevice("m.test", "dave-1", { [dave.userId]: { DAVEDEV: { own: 1 } } }));
    expect((await new SyncChain(again).next()).events.map((e) => e.content)).toEqual([{ kept: true }, { own: 1 }]);
    expect(must(await again.devices()).devices.map((d) => d.device_id)).toEqual(["DAVEDEV"]);
  });

  test("logout ends the session and removes its device", async () => {
    const name = fresh("erin");
    const first = await register(base, name);
    const second = await login(base, name);
    must(await second.logout());
    expect(failure(await second.whoami())).toMatchObject({ status: 401, errcode: "M_UNKNOWN_TOKEN" });
    expect(must(await first.devices()).devices.map((d) => d.device_id)).toEqual([first.deviceId]);
  });

  test("deleting a device: 404 for an unknown one; its token dies and its pending messages are purged (TD-26 purge-at-deletion)", async () => {
    const name = fresh("frank");
    const keeper = await register(base, name);
    const doomed = await login(base, name, { deviceId: "DOOMED" });
    must(await alice.sendToDevice("m.test", fresh("t"), { [keeper.userId]: { DOOMED: { before: "delete" } } }));
    expect(failure(await keeper.deleteDevice("NO_SUCH_DEVICE"))).toMatchObject({ status: 404 });
    expect(must(await keeper.deleteDevice("DOOMED"))).toEqual({});
    expect(failure(await doomed.whoami())).toMatchObject({ status: 401, errcode: "M_UNKNOWN_TOKEN" });
    const reborn = await login(base, name, { deviceId: "DOOMED" });
    expect((await new SyncChain(reborn).next()).events).toEqual([]);
  });
});
