// Checks /pushers/set and /pushers semantics on the pusher table: upsert on (app_id, pushkey,
// user), kind null deletes, append false claims the pushkey from other users, required fields,
// length limits, the data.url rules of the pusher-url policy, pushkey_ts, and removal by device
// (PUSH-33 … PUSH-48, PUSH-67); assumes `now` in milliseconds and loopback on the allow-list.
import { describe, expect, it } from "vitest";
import type { DeviceId, UserId } from "../../../src/ids.ts";
import { withPushPolicies } from "../../../src/engine/push/policy.ts";
import {
  emptyPushers,
  gatewayUrlProblem,
  listPushers,
  pusherIdOf,
  removePusher,
  removePushersOfDevice,
  setPusher,
} from "../../../src/engine/push/pushers.ts";
import type { JsonObject } from "../../../src/engine/rooms/room-state.ts";

const P = withPushPolicies({ gatewayHosts: ["push.example.org"] });
const alice = "@alice:hs" as UserId;
const bob = "@bob:hs" as UserId;
const phone = "PHONE" as DeviceId;
const URL_OK = "https://push.example.org/_matrix/push/v1/notify";

function body(over: JsonObject = {}): JsonObject {
  return {
    kind: "http",
    app_id: "org.example.app.ios",
    pushkey: "key1",
    app_display_name: "App",
    device_display_name: "Phone",
    lang: "en",
    data: { url: URL_OK, custom: 1 },
    ...over,
  };
}

describe("setPusher", () => {
  it("PUSH-34, PUSH-21: creates a pusher with pushkey_ts in seconds, listed by GET /pushers (PUSH-33)", () => {
    const table = emptyPushers();
    const out = setPusher(table, { user: alice, deviceId: phone, body: body({ profile_tag: "t" }), now: 1_700_000_123_456 }, P);
    expect(out).toMatchObject({ ok: true, changes: [{ kind: "pusher.set" }] });
    expect(table.byId.get(pusherIdOf(alice, "org.example.app.ios", "key1"))?.pushkeyTs).toBe(1_700_000_123);
    expect(listPushers(table, alice)).toEqual({
      pushers: [
        {
          pushkey: "key1",
          kind: "http",
          app_id: "org.example.app.ios",
          app_display_name: "App",
          device_display_name: "Phone",
          profile_tag: "t",
          lang: "en",
          data: { url: URL_OK, custom: 1 },
        },
      ],
    });
    expect(listPushers(table, bob)).toEqual({ pushers: [] });
  });

  it("PUSH-34: setting the same (app_id, pushkey, user) again replaces it and refreshes pushkey_ts", () => {
    const table = emptyPushers();
    setPusher(table, { user: alice, deviceId: phone, body: body(), now: 1000 }, P);
    setPusher(table, { user: alice, deviceId: phone, body: body({ lang: "fr" }), now: 9000 }, P);
    expect(table.byId.size).toBe(1);
    expect([...table.byId.values()][0]).toMatchObject({ lang: "fr", pushkeyTs: 9 });
  });

  it("PUSH-35: kind null deletes only this user's pusher, and needs only kind, app_id, pushkey", () => {
    const table = emptyPushers();
    setPusher(table, { user: alice, deviceId: phone, body: body(), now: 0 }, P);
    setPusher(table, { user: bob, deviceId: phone, body: body({ append: true }), now: 0 }, P);
    const out = setPusher(table, { user: alice, deviceId: phone, body: { kind: null, app_id: "org.example.app.ios", pushkey: "key1" }, now: 0 }, P);
    expect(out).toMatchObject({ ok: true, changes: [{ kind: "pusher.removed", reason: "deleted" }] });
    expect([...table.byId.values()].map((p) => p.user)).toEqual([bob]);
    expect(setPusher(table, { user: alice, deviceId: phone, body: { kind: null, app_id: "x", pushkey: "y" }, now: 0 }, P)).toEqual({ ok: true, changes: [] });
  });

  it("PUSH-47: append false removes the same app_id and pushkey of other users; PUSH-48: append true keeps them", () => {
    const table = emptyPushers();
    setPusher(table, { user: bob, deviceId: phone, body: body(), now: 0 }, P);
    setPusher(table, { user: alice, deviceId: phone, body: body({ append: true }), now: 0 }, P);
    expect(table.byId.size).toBe(2);
    const out = setPusher(table, { user: alice, deviceId: phone, body: body(), now: 0 }, P);
    expect(out.ok && out.changes.map((c) => [c.kind, c.pusher.user, c.kind === "pusher.removed" && c.reason])).toEqual([
      ["pusher.removed", bob, "claimed-by-other-user"],
      ["pusher.set", alice, false],
    ]);
    setPusher(table, { user: bob, deviceId: phone, body: body({ app_id: "other.app" }), now: 0 }, P);
    expect(table.byId.size).toBe(2);
  });

  it("PUSH-36: missing always-required fields, then the ones required unless kind is null", () => {
    const table = emptyPushers();
    expect(setPusher(table, { user: alice, deviceId: phone, body: { app_id: "a" }, now: 0 }, P)).toMatchObject({
      status: 400,
      errcode: "M_MISSING_PARAM",
      error: "Missing parameters: kind, pushkey",
    });
    const { lang: _l, data: _d, ...partial } = body();
    expect(setPusher(table, { user: alice, deviceId: phone, body: partial, now: 0 }, P)).toMatchObject({ errcode: "M_MISSING_PARAM", error: "Missing parameters: lang, data" });
    expect(setPusher(table, { user: alice, deviceId: phone, body: body({ data: { custom: 1 } }), now: 0 }, P)).toMatchObject({ errcode: "M_MISSING_PARAM" });
  });

  it("PUSH-39, PUSH-40: pushkey over 512 bytes and app_id over 64 characters are M_INVALID_PARAM", () => {
    const table = emptyPushers();
    const at = (b: JsonObject) => setPusher(table, { user: alice, deviceId: phone, body: b, now: 0 }, P);
    expect(at(body({ pushkey: "k".repeat(512) })).ok).toBe(true);
    expect(at(body({ pushkey: "é".repeat(257) }))).toMatchObject({ errcode: "M_INVALID_PARAM" });
    expect(at(body({ app_id: "a".repeat(64) })).ok).toBe(true);
    expect(at(body({ app_id: "a".repeat(65) }))).toMatchObject({ errcode: "M_INVALID_PARAM" });
    expect(at(body({ pushkey: 5 }))).toMatchObject({ errcode: "M_INVALID_PARAM" });
  });

  it("PUSH-37, PUSH-38: kind email is refused as unsupported (Courier sends no email), an unknown kind as unknown", () => {
    const table = emptyPushers();
    expect(setPusher(table, { user: alice, deviceId: phone, body: body({ kind: "email", app_id: "m.email" }), now: 0 }, P)).toMatchObject({
      status: 400,
      errcode: "M_INVALID_PARAM",
      error: "Courier does not send email: only kind http is supported",
    });
    expect(setPusher(table, { user: alice, deviceId: phone, body: body({ kind: "webpush" }), now: 0 }, P)).toMatchObject({
      errcode: "M_INVALID_PARAM",
      error: 'unknown pusher kind "webpush"',
    });
  });

  it("a kind or data.url of the wrong JSON type is refused as mistyped, not as an unknown kind or a bad URL", () => {
    const at = (b: JsonObject) => setPusher(emptyPushers(), { user: alice, deviceId: phone, body: b, now: 0 }, P);
    expect(at(body({ kind: 5 }))).toMatchObject({ status: 400, errcode: "M_INVALID_PARAM", error: "kind must be a string or null" });
    expect(at(body({ data: { url: 5 } }))).toMatchObject({ status: 400, errcode: "M_INVALID_PARAM", error: "data.url must be a string" });
  });

  it("PUSH-45: data.format may only be event_id_only", () => {
    const table = emptyPushers();
    expect(setPusher(table, { user: alice, deviceId: phone, body: body({ data: { url: URL_OK, format: "event_id_only" } }), now: 0 }, P).ok).toBe(true);
    expect(setPusher(table, { user: alice, deviceId: phone, body: body({ data: { url: URL_OK, format: "id_event_only" } }), now: 0 }, P)).toMatchObject({ errcode: "M_INVALID_PARAM" });
  });
});

describe("data.url (PUSH-42, PUSH-43, PUSH-44; pusher-url policy)", () => {
  it("PUSH-3, PUSH-32: accepts http(s) to loopback and configured gateways with the exact notify path", () => {
    for (const url of ["http://localhost:5000/_matrix/push/v1/notify", "http://127.0.0.1/_matrix/push/v1/notify", "https://[::1]:8/_matrix/push/v1/notify", URL_OK]) {
      expect(gatewayUrlProblem(url, P)).toBeNull();
    }
  });

  it("names the reason for a bad scheme, path or host", () => {
    expect(gatewayUrlProblem("ftp://localhost/_matrix/push/v1/notify", P)).toMatch(/http or https/);
    expect(gatewayUrlProblem("http://localhost/_matrix/push/v1/notify/", P)).toMatch(/path/);
    expect(gatewayUrlProblem("http://localhost/", P)).toMatch(/path/);
    expect(gatewayUrlProblem("https://evil.example.com/_matrix/push/v1/notify", P)).toMatch(/not an allowed push gateway/);
    expect(gatewayUrlProblem("not a url", P)).toMatch(/absolute URL/);
    const out = setPusher(emptyPushers(), { user: alice, deviceId: phone, body: body({ data: { url: "https://10.0.0.1/_matrix/push/v1/notify" } }), now: 0 }, P);
    expect(out).toMatchObject({ status: 400, errcode: "M_INVALID_PARAM", error: "data.url host 10.0.0.1 is not an allowed push gateway" });
  });

  it("follows the policy's alternatives: https-only (any host) and any", () => {
    const httpsOnly = withPushPolicies({ pusherUrl: "https-only" });
    expect(gatewayUrlProblem("https://anywhere.example/_matrix/push/v1/notify", httpsOnly)).toBeNull();
    expect(gatewayUrlProblem("http://localhost/_matrix/push/v1/notify", httpsOnly)).toBe("data.url must use https");
    expect(gatewayUrlProblem("http://anywhere.example/_matrix/push/v1/notify", withPushPolicies({ pusherUrl: "any" }))).toBeNull();
  });
});

describe("removal", () => {
  it("PUSH-67 (device-deletion): removes the pushers the deleted device set, only those", () => {
    const table = emptyPushers();
    setPusher(table, { user: alice, deviceId: phone, body: body(), now: 0 }, P);
    setPusher(table, { user: alice, deviceId: "TABLET" as DeviceId, body: body({ pushkey: "key2" }), now: 0 }, P);
    expect(removePushersOfDevice(table, alice, phone).map((c) => [c.kind, c.pusher.pushkey, c.kind === "pusher.removed" && c.reason])).toEqual([
      ["pusher.removed", "key1", "device-deleted"],
    ]);
    expect(listPushers(table, alice).pushers.map((p) => p.pushkey)).toEqual(["key2"]);
  });

  it("PUSH-67: a device id names a device of one user: another user's device of the same id keeps its pushers", () => {
    const table = emptyPushers();
    setPusher(table, { user: alice, deviceId: phone, body: body(), now: 0 }, P);
    setPusher(table, { user: bob, deviceId: phone, body: body({ pushkey: "key2" }), now: 0 }, P);
    expect(removePushersOfDevice(table, bob, phone).map((c) => c.pusher.user)).toEqual([bob]);
    expect(listPushers(table, alice).pushers.map((p) => p.pushkey)).toEqual(["key1"]);
  });

  it("PUSH-30: removePusher removes a rejected pusher once", () => {
    const table = emptyPushers();
    setPusher(table, { user: alice, deviceId: phone, body: body(), now: 0 }, P);
    const id = pusherIdOf(alice, "org.example.app.ios", "key1");
    expect(removePusher(table, id, "rejected")).toHaveLength(1);
    expect(removePusher(table, id, "rejected")).toEqual([]);
  });
});
