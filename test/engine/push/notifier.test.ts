// Checks the push path end to end over the room model: who gets notified and with which body,
// unread and missed-call counts under both unreadCounts policies, badge-only updates once per
// change, muting rules, pusher removal on `rejected` and device deletion, and the order of the
// pushes one batch of events makes (PUSH-16, PUSH-17, PUSH-30, PUSH-57, PUSH-61, PUSH-62,
// PUSH-67); assumes the gateway answers every push at once.
import { describe, expect, it } from "vitest";
import type { Json } from "../../../src/canonical-json.ts";
import type { DeviceId, EventId, RoomId, UserId } from "../../../src/ids.ts";
import { unreadCounts } from "../../../src/engine/push/counts.ts";
import { type PushState, deviceDeleted, emptyPushState, onPushResult, onPushTimer, onReceipt, onRoomEvents, setPusherAndQueue } from "../../../src/engine/push/notifier.ts";
import { type PushPolicies, withPushPolicies } from "../../../src/engine/push/policy.ts";
import type { PushEffect } from "../../../src/engine/push/pusher-queue.ts";
import { pusherIdOf } from "../../../src/engine/push/pushers.ts";
import { setPushRule } from "../../../src/engine/push/rules.ts";
import { setReceipt } from "../../../src/engine/rooms/receipts.ts";
import { type JsonObject, type RoomEvent, type RoomsState, emptyRooms } from "../../../src/engine/rooms/room-state.ts";
import { createRoom, invite, join, sendEvent, setDisplayName } from "../../../src/engine/rooms/rooms.ts";

const alice = "@alice:hs" as UserId;
const bob = "@bob:hs" as UserId;
const carol = "@carol:hs" as UserId;
const R1 = "!one:hs" as RoomId;
const R2 = "!two:hs" as RoomId;
const URL = "http://localhost:5000/_matrix/push/v1/notify";
const aaron = "@aaron:hs" as UserId;
const bobPusher = pusherIdOf(bob, "app", "bobkey");

interface World {
  rooms: RoomsState;
  push: PushState;
  policies: PushPolicies;
  sent: Json[];
  n: number;
}

/** Runs effects against a gateway that accepts everything at once, collecting what was sent. */
function drain(w: World, effects: readonly PushEffect[]): void {
  for (const e of effects) {
    if (e.kind !== "push.notify") continue;
    w.sent.push(e.body);
    drain(w, onPushResult(w.push, e.pusherId, { ok: true, status: 200, rejected: [] }, 0));
  }
}

function eid(w: World): EventId {
  w.n += 1;
  return `$${w.n}` as EventId;
}

function world(over: Partial<PushPolicies> = {}): World {
  const w: World = { rooms: emptyRooms(), push: emptyPushState(), policies: withPushPolicies(over), sent: [], n: 0 };
  w.rooms.profiles.set(alice, "Alice");
  for (const [roomId, invite] of [[R1, [bob]], [R2, [bob, carol]]] as const) {
    const made = createRoom(w.rooms, { creator: alice, roomId, invite, eventIds: [eid(w), eid(w), eid(w), eid(w)], now: 0 });
    if (!made.ok) throw new Error(made.error);
    drain(w, onRoomEvents(w.push, w.rooms, made.events, w.policies, 0));
    for (const user of invite) {
      const joined = join(w.rooms, { roomId, user, eventId: eid(w), now: 0 });
      if (joined.ok) drain(w, onRoomEvents(w.push, w.rooms, joined.events, w.policies, 0));
    }
  }
  const body = { kind: "http", app_id: "app", pushkey: "bobkey", app_display_name: "A", device_display_name: "D", lang: "en", data: { url: URL } };
  drain(w, setPusherAndQueue(w.push, { user: bob, deviceId: "PHONE" as DeviceId, body, now: 1000 }, w.policies).effects);
  return w;
}

function say(w: World, roomId: RoomId, sender: UserId, type: string, content: JsonObject): EventId {
  const sent = sendEvent(w.rooms, { roomId, sender, type, content, eventId: eid(w), now: 0 });
  if (!sent.ok) throw new Error(sent.error);
  drain(w, onRoomEvents(w.push, w.rooms, sent.events, w.policies, 0));
  return sent.value.event_id;
}

function read(w: World, user: UserId, roomId: RoomId, eventId: EventId): void {
  const r = setReceipt(w.rooms, { user, roomId, eventId });
  if (!r.ok) throw new Error(r.error);
  drain(w, onReceipt(w.push, w.rooms, user, w.policies, 0));
}

const notif = (body: Json): JsonObject => (body as { notification: JsonObject }).notification;
const pushkeyOf = (body: Json): Json => (notif(body).devices as JsonObject[])[0]?.pushkey ?? null;

function addPusher(w: World, user: UserId, pushkey: string): void {
  const body = { kind: "http", app_id: "app", pushkey, app_display_name: "A", device_display_name: "D", lang: "en", data: { url: URL } };
  const set = setPusherAndQueue(w.push, { user, deviceId: null, body, now: 1000 }, w.policies);
  if (!set.outcome.ok) throw new Error(set.outcome.error);
  drain(w, set.effects);
}

/** Events made in the room model but not yet handed to the push path. */
function quietly(w: World, roomId: RoomId, sender: UserId, type: string): readonly RoomEvent[] {
  const sent = sendEvent(w.rooms, { roomId, sender, type, content: {}, eventId: eid(w), now: 0 });
  if (!sent.ok) throw new Error(sent.error);
  return sent.events;
}

const MEMBER_EVENTS_NOTIFY = { conditions: [{ kind: "event_match", key: "type", pattern: "m.room.member" }], actions: ["notify"] };

describe("event notifications", () => {
  it("pushes a message to the other member's pusher with the counts so far (PUSH-16)", () => {
    const w = world();
    const e1 = say(w, R1, alice, "m.room.message", { msgtype: "m.text", body: "one" });
    say(w, R2, alice, "m.room.message", { msgtype: "m.text", body: "two" });
    expect(w.sent.map(notif).map((x) => [x.event_id, x.counts, x.prio])).toEqual([
      [e1, { unread: 1 }, "high"],
      [`$${w.n}`, { unread: 2 }, "low"],
    ]);
    expect(notif(w.sent[0] ?? null)).toMatchObject({ sender: alice, sender_display_name: "Alice", devices: [{ pushkey: "bobkey", pushkey_ts: 1, tweaks: { sound: "default" } }] });
  });

  it("PUSH-62: never pushes an event to its sender; PUSH-61: nothing for unmatched event types", () => {
    const w = world();
    say(w, R1, bob, "m.room.message", { msgtype: "m.text", body: "me" });
    say(w, R1, alice, "org.example.unknown", {});
    expect(w.sent).toEqual([]);
  });

  it("a room rule mutes that room and a sender rule notifies despite it (rules are per user)", () => {
    const w = world();
    setPushRule(w.push.rules, bob, { kind: "room", ruleId: R2, body: { actions: [] } });
    say(w, R2, alice, "m.room.message", { msgtype: "m.text", body: "muted" });
    expect(w.sent).toEqual([]);
    setPushRule(w.push.rules, bob, { kind: "override", ruleId: "alice", body: { conditions: [{ kind: "event_match", key: "sender", pattern: alice }], actions: ["notify"] } });
    say(w, R2, alice, "m.room.message", { msgtype: "m.text", body: "loud" });
    expect(w.sent).toHaveLength(1);
  });

  it("PUSH-17: counts missed calls after the receipt, and messages or rooms per the unreadCounts policy", () => {
    for (const [mode, unread] of [["messages", 3], ["rooms", 2]] as const) {
      const w = world({ unreadCounts: mode });
      say(w, R1, alice, "m.call.invite", { call_id: "c", version: 1 });
      say(w, R1, alice, "m.room.message", { msgtype: "m.text", body: "x" });
      say(w, R2, alice, "m.room.message", { msgtype: "m.text", body: "y" });
      expect(unreadCounts(w.push.log, w.rooms, bob, w.policies)).toEqual({ unread, missed_calls: 1 });
      expect(notif(w.sent[0] ?? null).counts).toEqual({ unread: 1, missed_calls: 1 });
    }
  });
});

describe("one batch of events", () => {
  it("an event of a room the server does not hold notifies no one", () => {
    const w = world();
    const stray: RoomEvent = { event_id: "$stray" as EventId, room_id: "!elsewhere:hs" as RoomId, sender: alice, type: "m.room.message", content: { body: "x" }, origin_server_ts: 0 };
    expect(onRoomEvents(w.push, w.rooms, [stray], w.policies, 0)).toEqual([]);
  });

  it("pushes one event to its recipients in user-id order, an invited user among the members", () => {
    const w = world();
    setPushRule(w.push.rules, bob, { kind: "override", ruleId: "members", body: MEMBER_EVENTS_NOTIFY });
    addPusher(w, aaron, "aaronkey");
    const invited = invite(w.rooms, { roomId: R1, sender: alice, target: aaron, eventId: eid(w), now: 0 });
    if (!invited.ok) throw new Error(invited.error);
    drain(w, onRoomEvents(w.push, w.rooms, invited.events, w.policies, 0));
    expect(w.sent.map(pushkeyOf)).toEqual(["aaronkey", "bobkey"]);
  });

  it("PUSH-16: a notification counts until the receipt reaches its own event, though its batch spans rooms", () => {
    const w = world();
    setPushRule(w.push.rules, bob, { kind: "override", ruleId: "members", body: MEMBER_EVENTS_NOTIFY });
    // A display-name change re-announces Alice in each of her rooms, R1 first: one batch, two rooms.
    const renamed = setDisplayName(w.rooms, { user: alice, displayname: "Alicia", eventIds: [eid(w), eid(w)], now: 0 });
    if (!renamed.ok) throw new Error(renamed.error);
    drain(w, onRoomEvents(w.push, w.rooms, renamed.events, w.policies, 0));
    expect(w.sent.map((b) => [notif(b).room_id, notif(b).counts])).toEqual([
      [R1, { unread: 1 }],
      [R2, { unread: 2 }],
    ]);
    w.sent.length = 0;
    read(w, bob, R1, renamed.events[0]?.event_id as EventId);
    expect(w.sent.map((b) => notif(b).counts)).toEqual([{ unread: 1 }]);
  });

  it("PUSH-57: the senders' badge updates after a batch go out in user-id order", () => {
    const w = world();
    addPusher(w, alice, "alicekey");
    say(w, R2, carol, "m.room.message", { msgtype: "m.text", body: "to both" });
    w.sent.length = 0;
    // Bob, then Alice, post something no rule notifies: each one's receipt moves past Carol's message.
    const batch = [...quietly(w, R2, bob, "org.example.quiet"), ...quietly(w, R2, alice, "org.example.quiet")];
    drain(w, onRoomEvents(w.push, w.rooms, batch, w.policies, 0));
    expect(w.sent.map((b) => [pushkeyOf(b), notif(b).counts])).toEqual([
      ["alicekey", {}],
      ["bobkey", {}],
    ]);
  });
});

describe("badge-only updates (PUSH-57)", () => {
  it("go out once per change of the badge, never for a receipt that changes nothing", () => {
    const w = world();
    const e1 = say(w, R1, alice, "m.room.message", { msgtype: "m.text", body: "1" });
    const e2 = say(w, R1, alice, "m.room.message", { msgtype: "m.text", body: "2" });
    w.sent.length = 0;
    read(w, bob, R1, e1);
    read(w, bob, R1, e1);
    read(w, bob, R1, e2);
    read(w, bob, R1, e2);
    expect(w.sent).toEqual([
      { notification: { counts: { unread: 1 }, devices: [{ app_id: "app", pushkey: "bobkey", pushkey_ts: 1, data: {} }] } },
      { notification: { counts: {}, devices: [{ app_id: "app", pushkey: "bobkey", pushkey_ts: 1, data: {} }] } },
    ]);
  });

  it("go out when the user's own message moves their receipt", () => {
    const w = world();
    say(w, R1, alice, "m.room.message", { msgtype: "m.text", body: "1" });
    w.sent.length = 0;
    say(w, R1, bob, "m.room.message", { msgtype: "m.text", body: "reply" });
    expect(w.sent.map(notif)).toEqual([{ counts: {}, devices: [expect.objectContaining({ pushkey: "bobkey" })] }]);
  });
});

describe("pusher lifecycle through the notifier", () => {
  it("PUSH-30: a rejection removes the pusher and nothing more is sent", () => {
    const w = world();
    const effects = onRoomEvents(w.push, w.rooms, [], w.policies, 0);
    expect(effects).toEqual([]);
    const sent = sendEvent(w.rooms, { roomId: R1, sender: alice, type: "m.room.message", content: { body: "x" }, eventId: eid(w), now: 0 });
    if (!sent.ok) throw new Error(sent.error);
    const out = onRoomEvents(w.push, w.rooms, sent.events, w.policies, 0);
    expect(out.map((e) => e.kind)).toEqual(["push.notify"]);
    expect(onPushResult(w.push, bobPusher, { ok: true, status: 200, rejected: ["bobkey"] }, 0)).toMatchObject([{ kind: "pusher.removed", pushkey: "bobkey" }]);
    expect(w.push.pushers.byId.size).toBe(0);
    say(w, R1, alice, "m.room.message", { msgtype: "m.text", body: "after" });
    expect(w.sent).toEqual([]);
  });

  it("a failed push backs off with a timer the notifier routes back to the pusher", () => {
    const w = world();
    const sent = sendEvent(w.rooms, { roomId: R1, sender: alice, type: "m.room.message", content: { body: "x" }, eventId: eid(w), now: 0 });
    if (!sent.ok) throw new Error(sent.error);
    onRoomEvents(w.push, w.rooms, sent.events, w.policies, 0);
    const failed = onPushResult(w.push, bobPusher, { ok: true, status: 503, rejected: [] }, 10);
    expect(failed).toEqual([{ kind: "timer", id: `push.backoff:${bobPusher}`, at: 1010 }]);
    expect(onPushTimer(w.push, "some.other.timer", 1010)).toBeNull();
    expect(onPushTimer(w.push, `push.backoff:${bobPusher}`, 1010)).toMatchObject([{ kind: "push.notify", attempt: 2 }]);
  });

  it("PUSH-67: deleting the device that set the pusher stops it, cancelling its back-off", () => {
    const w = world();
    const sent = sendEvent(w.rooms, { roomId: R1, sender: alice, type: "m.room.message", content: { body: "x" }, eventId: eid(w), now: 0 });
    if (!sent.ok) throw new Error(sent.error);
    onRoomEvents(w.push, w.rooms, sent.events, w.policies, 0);
    onPushResult(w.push, bobPusher, { ok: false, reason: "connection refused" }, 10);
    expect(deviceDeleted(w.push, bob, "PHONE" as DeviceId, w.policies, 20)).toEqual([{ kind: "timer.cancel", id: `push.backoff:${bobPusher}` }]);
    expect(w.push.queues.size).toBe(0);
    say(w, R1, alice, "m.room.message", { msgtype: "m.text", body: "after" });
    expect(w.sent).toEqual([]);
  });
});
