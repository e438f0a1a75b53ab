// Checks the edges of the pusher table and the pusher queue that the main suites leave open:
// every refused /pushers/set body and its 400, the loopback and gateway-host allow-list, which
// pushers a claim or a device deletion removes, profile_tag in GET /pushers, which HTTP statuses
// count as success, and what a restart resends (PUSH-26, PUSH-33 … PUSH-48, PUSH-60, PUSH-67);
// assumes the default push policies unless a test names others.
import { describe, expect, it } from "vitest";
import type { DeviceId, UserId } from "../../../src/ids.ts";
import { withPushPolicies } from "../../../src/engine/push/policy.ts";
import {
  applyPushResult,
  enqueueNotification,
  isFinished,
  type PushEffect,
  type PusherQueue,
  resumePusherQueue,
  startPusherQueue,
  stopPusherQueue,
} from "../../../src/engine/push/pusher-queue.ts";
import { emptyPushers, listPushers, type PusherId, pusherIdOf, removePushersOfDevice, setPusher } from "../../../src/engine/push/pushers.ts";
import type { JsonObject } from "../../../src/engine/rooms/room-state.ts";

const P = withPushPolicies();
const alice = "@alice:hs" as UserId;
const bob = "@bob:hs" as UserId;
const URL = "http://localhost/_matrix/push/v1/notify";

function body(over: JsonObject = {}): JsonObject {
  return { kind: "http", app_id: "app", pushkey: "k", app_display_name: "A", device_display_name: "D", lang: "en", data: { url: URL }, ...over };
}

function refusal(over: JsonObject, policies = P): { status: number; errcode: string } | null {
  const out = setPusher(emptyPushers(), { user: alice, deviceId: null, body: body(over), now: 0 }, policies);
  if (out.ok) return null;
  expect(out.error.length).toBeGreaterThan(0);
  return { status: out.status, errcode: out.errcode };
}

const INVALID = { status: 400, errcode: "M_INVALID_PARAM" };

describe("/pushers/set bodies (PUSH-36 … PUSH-45)", () => {
  it("app_id and pushkey are non-empty strings, kind a string or null", () => {
    for (const over of [{ app_id: "" }, { app_id: 5 }, { pushkey: "" }, { pushkey: 5 }, { kind: 5 }]) expect(refusal(over)).toEqual(INVALID);
    expect(refusal({ app_id: "a".repeat(65) })).toEqual(INVALID);
    expect(refusal({ pushkey: "k".repeat(513) })).toEqual(INVALID);
    expect(refusal({ kind: "email" })).toEqual(INVALID);
    expect(refusal({ kind: "sms" })).toEqual(INVALID);
  });

  it("data is an object with a string url; display names, lang and profile_tag are strings, append a boolean", () => {
    for (const data of [null, [], "x", { url: 5 }]) expect(refusal({ data })).toEqual(INVALID);
    expect(refusal({ data: {} })).toEqual({ status: 400, errcode: "M_MISSING_PARAM" });
    expect(refusal({ data: { url: URL, format: "full" } })).toEqual(INVALID);
    for (const key of ["app_display_name", "device_display_name", "lang", "profile_tag"]) expect(refusal({ [key]: 1 })).toEqual(INVALID);
    expect(refusal({ append: "yes" })).toEqual(INVALID);
    expect(refusal({ profile_tag: "tag", append: true })).toBeNull();
  });

  it("PUSH-44 (pusher-url): loopback is 127.0.0.0/8, in any IPv4 spelling; configured hosts are allowed, any of them", () => {
    for (const host of ["127.10.20.30", "127.1", "0x7f.0.0.2"]) expect(refusal({ data: { url: `http://${host}/_matrix/push/v1/notify` } })).toBeNull();
    for (const host of ["x127.0.0.1", "127.0.0.1.example.org", "1.127.0.0", "128.0.0.1"]) {
      expect(refusal({ data: { url: `http://${host}/_matrix/push/v1/notify` } })).toEqual(INVALID);
    }
    const two = withPushPolicies({ gatewayHosts: ["push.example.org", "other.example.org"] });
    expect(refusal({ data: { url: "https://push.example.org/_matrix/push/v1/notify" } }, two)).toBeNull();
  });
});

describe("which pushers a change removes", () => {
  it("PUSH-47: a claim removes other users' pushers with the same app_id and pushkey, not other pushkeys", () => {
    const table = emptyPushers();
    setPusher(table, { user: bob, deviceId: null, body: body({ pushkey: "k1" }), now: 0 }, P);
    setPusher(table, { user: bob, deviceId: null, body: body({ pushkey: "k2" }), now: 0 }, P);
    setPusher(table, { user: alice, deviceId: null, body: body({ pushkey: "k1" }), now: 0 }, P);
    expect(listPushers(table, bob).pushers.map((p) => p.pushkey)).toEqual(["k2"]);
  });

  it("PUSH-67: deleting a device removes the pushers that device set, not the user's others", () => {
    const table = emptyPushers();
    setPusher(table, { user: alice, deviceId: "A" as DeviceId, body: body({ pushkey: "a" }), now: 0 }, P);
    setPusher(table, { user: alice, deviceId: "B" as DeviceId, body: body({ pushkey: "b" }), now: 0 }, P);
    expect(removePushersOfDevice(table, alice, "A" as DeviceId).map((c) => c.pusher.pushkey)).toEqual(["a"]);
    expect(listPushers(table, alice).pushers.map((p) => p.pushkey)).toEqual(["b"]);
  });

  it("PUSH-33: GET /pushers carries profile_tag only when the pusher has one", () => {
    const table = emptyPushers();
    setPusher(table, { user: alice, deviceId: null, body: body({ pushkey: "a" }), now: 0 }, P);
    setPusher(table, { user: alice, deviceId: null, body: body({ pushkey: "b", profile_tag: "work" }), now: 0 }, P);
    const [a, b] = listPushers(table, alice).pushers;
    expect(a).not.toHaveProperty("profile_tag");
    expect(b).toMatchObject({ profile_tag: "work" });
  });
});

describe("the pusher queue", () => {
  const id = pusherIdOf(alice, "app", "k") as PusherId;
  const start = (): PusherQueue => startPusherQueue({ pusherId: id, url: URL, pushkey: "k", backoff: P.backoff }, 0).queue;
  const kinds = (effects: readonly PushEffect[]) => effects.map((e) => e.kind);

  it("PUSH-26: only a 2xx status is success; 199, 300 and 500 back off", () => {
    for (const status of [199, 300, 500]) {
      const q = start();
      enqueueNotification(q, "n1", 0);
      expect(kinds(applyPushResult(q, { ok: true, status, rejected: [] }, 10))).toEqual(["timer"]);
    }
    const q = start();
    enqueueNotification(q, "n1", 0);
    expect(applyPushResult(q, { ok: true, status: 299, rejected: [] }, 10)).toEqual([]);
  });

  it("after a restart a backed-off pusher re-arms its timer at the original time, even after more was queued", () => {
    const q = start();
    enqueueNotification(q, "n1", 0);
    expect(applyPushResult(q, { ok: false, reason: "down" }, 10)).toEqual([{ kind: "timer", id: `push.backoff:${id}`, at: 1010 }]);
    expect(enqueueNotification(q, "n2", 20)).toEqual([]);
    const restored: PusherQueue = JSON.parse(JSON.stringify(q));
    expect(resumePusherQueue(restored)).toEqual([{ kind: "timer", id: `push.backoff:${id}`, at: 1010 }]);
  });

  it("PUSH-35, PUSH-67: a pusher stopped while idle or sending is finished and sends nothing more", () => {
    for (const busy of [false, true]) {
      const q = start();
      if (busy) enqueueNotification(q, "n1", 0);
      expect(stopPusherQueue(q, 5)).toEqual([]);
      expect(isFinished(q)).toBe(true);
      expect(enqueueNotification(q, "n2", 6)).toEqual([]);
      expect(applyPushResult(q, { ok: false, reason: "late" }, 7)).toEqual([]);
    }
  });

  it("a stopped pusher is finished and cancels its armed back-off", () => {
    const q = start();
    enqueueNotification(q, "n1", 0);
    applyPushResult(q, { ok: false, reason: "down" }, 10);
    expect(stopPusherQueue(q, 20)).toEqual([{ kind: "timer.cancel", id: `push.backoff:${id}` }]);
    expect(isFinished(q)).toBe(true);
    expect(resumePusherQueue(q)).toEqual([]);
  });
});
