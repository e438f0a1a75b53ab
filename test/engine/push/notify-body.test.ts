// Checks the notify body the homeserver sends, one test per field rule of the 2015 HTTP
// Notification Protocol and of today's push_notifier.yaml (each names its clause), plus the
// spec's and the seed's examples, event_id_only, badge-only and the zero-counts and legacy-id
// policies; assumes one device per request and the gateway's body check as the schema oracle.
import { describe, expect, it } from "vitest";
import type { EventId, PushKey, RoomId, UserId } from "../../../src/ids.ts";
import type { Counts } from "../../../src/engine/push/counts.ts";
import { type NotifyBodyInput, badgeBody, notifyBody } from "../../../src/engine/push/notify-body.ts";
import { DEFAULT_PUSH_POLICIES as P, withPushPolicies } from "../../../src/engine/push/policy.ts";
import type { JsonObject, RoomEvent } from "../../../src/engine/rooms/room-state.ts";
import { checkNotifyBody } from "../../../src/gateway/notify-body.ts";

const me = "@me:hs" as UserId;
const pusher = { appId: "org.example.ios", pushkey: "PK" as PushKey, pushkeyTs: 1_700_000_000, data: { url: "http://localhost/_matrix/push/v1/notify", custom: { a: 1 } } };
const message: RoomEvent = {
  event_id: "$ev" as EventId,
  room_id: "!room:hs" as RoomId,
  sender: "@them:hs" as UserId,
  type: "m.room.message",
  content: { msgtype: "m.text", body: "hello" },
  origin_server_ts: 5,
};
const facts = { senderDisplayName: "Them", roomName: "Tea", roomAlias: "#tea:hs" };

function input(over: Partial<NotifyBodyInput> = {}): NotifyBodyInput {
  return { event: message, forUser: me, facts, counts: { unread: 3, missed_calls: 1 }, pusher, tweaks: {}, ...over };
}

function n(over: Partial<NotifyBodyInput> = {}, policies = P): JsonObject {
  const body = notifyBody(input(over), policies);
  expect(checkNotifyBody(body).ok).toBe(true);
  return body.notification;
}

function device(over: Partial<NotifyBodyInput> = {}): JsonObject {
  const devices = n(over).devices as readonly JsonObject[];
  expect(devices).toHaveLength(1);
  return devices[0] ?? {};
}

describe("fields of an event notification", () => {
  it("PUSH-51, PUSH-4: the body is a JSON object whose only top-level key is notification", () => {
    expect(Object.keys(notifyBody(input(), P))).toEqual(["notification"]);
  });
  it("PUSH-52: event_id is the Matrix event id", () => expect(n().event_id).toBe("$ev"));
  it("PUSH-5 (legacy-notification-id): id is absent by default and equals event_id under the policy", () => {
    expect(n().id).toBeUndefined();
    expect(n({}, withPushPolicies({ legacyNotificationId: true })).id).toBe("$ev");
  });
  it("PUSH-6: room_id is the event's room", () => expect(n().room_id).toBe("!room:hs"));
  it("PUSH-7: type is the event's type", () => expect(n().type).toBe("m.room.message"));
  it("PUSH-8: sender is the event's sender", () => expect(n().sender).toBe("@them:hs"));
  it("PUSH-9: sender_display_name is the sender's name in the room, absent when none", () => {
    expect(n().sender_display_name).toBe("Them");
    expect("sender_display_name" in n({ facts: { ...facts, senderDisplayName: null } })).toBe(false);
  });
  it("PUSH-10: room_name is the room's name, absent when none", () => {
    expect(n().room_name).toBe("Tea");
    expect("room_name" in n({ facts: { ...facts, roomName: null } })).toBe(false);
  });
  it("PUSH-11: room_alias is the canonical alias, absent when none", () => {
    expect(n().room_alias).toBe("#tea:hs");
    expect("room_alias" in n({ facts: { ...facts, roomAlias: null } })).toBe(false);
  });
  it("PUSH-12: prio is high for encrypted events or a sound or highlight tweak, else low", () => {
    expect(n().prio).toBe("low");
    expect(n({ tweaks: { sound: "default" } }).prio).toBe("high");
    expect(n({ tweaks: { highlight: true } }).prio).toBe("high");
    expect(n({ tweaks: { highlight: false } }).prio).toBe("low");
    expect(n({ event: { ...message, type: "m.room.encrypted", content: { ciphertext: "x" } } }).prio).toBe("high");
  });
  it("PUSH-13: content is the event's content", () => expect(n().content).toEqual({ msgtype: "m.text", body: "hello" }));
  it("PUSH-14, PUSH-16, PUSH-17: counts carries unread and missed_calls inside notification (PUSH-53)", () => {
    expect(n().counts).toEqual({ unread: 3, missed_calls: 1 });
  });
  it("PUSH-15, PUSH-53 (zero-counts): zero counts are omitted by default and sent under the send policy", () => {
    expect(n({ counts: { unread: 0, missed_calls: 2 } }).counts).toEqual({ missed_calls: 2 });
    expect(n({ counts: { unread: 0, missed_calls: 0 } }).counts).toEqual({});
    expect(n({ counts: { unread: 0, missed_calls: 0 } }, withPushPolicies({ zeroCounts: "send" })).counts).toEqual({ unread: 0, missed_calls: 0 });
  });
  it("PUSH-18: devices lists exactly this pusher's device", () => expect((n().devices as readonly JsonObject[]).length).toBe(1));
  it("PUSH-19: a device's app_id is the pusher's", () => expect(device().app_id).toBe("org.example.ios"));
  it("PUSH-20: a device's pushkey is the pusher's", () => expect(device().pushkey).toBe("PK"));
  it("PUSH-21, PUSH-59: pushkey_ts is the pusher's, an integer count of seconds", () => {
    expect(device().pushkey_ts).toBe(1_700_000_000);
    expect(Number.isInteger(device().pushkey_ts)).toBe(true);
  });
  it("PUSH-22, PUSH-46: data is the pusher's data minus url, custom keys and format kept", () => {
    expect(device().data).toEqual({ custom: { a: 1 } });
  });
  it("PUSH-23, PUSH-24, PUSH-63, PUSH-65: tweaks are the rule's tweaks, unknown ones included; absent when empty", () => {
    expect(device({ tweaks: { sound: "bing", "org.example.flash": "red" } }).tweaks).toEqual({ sound: "bing", "org.example.flash": "red" });
    expect("tweaks" in device()).toBe(false);
  });
  it("PUSH-25, PUSH-58: user_is_target only on member events, true when the recipient is the state_key", () => {
    expect("user_is_target" in n()).toBe(false);
    const member = { ...message, type: "m.room.member", content: { membership: "invite" }, state_key: me };
    expect(n({ event: member }).user_is_target).toBe(true);
    expect(n({ event: { ...member, state_key: "@x:hs" } }).user_is_target).toBe(false);
  });
});

describe("formats", () => {
  it("PUSH-55: without a format every event field is filled in", () => {
    expect(Object.keys(n()).sort()).toEqual(["content", "counts", "devices", "event_id", "prio", "room_alias", "room_id", "room_name", "sender", "sender_display_name", "type"]);
  });
  it("PUSH-56: event_id_only sends event_id, room_id, counts, devices and prio only, with format forwarded", () => {
    const only = { ...pusher, data: { ...pusher.data, format: "event_id_only" } };
    const body = n({ pusher: only });
    expect(Object.keys(body).sort()).toEqual(["counts", "devices", "event_id", "prio", "room_id"]);
    expect((body.devices as readonly JsonObject[])[0]?.data).toEqual({ custom: { a: 1 }, format: "event_id_only" });
  });
  it("PUSH-57: a badge-only update has counts and devices and nothing else (no type: null)", () => {
    const counts: Counts = { unread: 0, missed_calls: 0 };
    const body = badgeBody(counts, pusher, P);
    expect(checkNotifyBody(body).ok).toBe(true);
    expect(body).toEqual({ notification: { counts: {}, devices: [{ app_id: "org.example.ios", pushkey: "PK", pushkey_ts: 1_700_000_000, data: { custom: { a: 1 } } }] } });
    expect(badgeBody({ unread: 4, missed_calls: 0 }, pusher, withPushPolicies({ zeroCounts: "send" })).notification.counts).toEqual({ unread: 4, missed_calls: 0 });
  });
});

describe("the published examples", () => {
  const example = {
    event: {
      event_id: "$3957tyerfgewrf384" as EventId,
      room_id: "!slw48wfj34rtnrf:example.com" as RoomId,
      type: "m.room.message",
      sender: "@exampleuser:matrix.org" as UserId,
      content: { msgtype: "m.text", body: "I'm floating in a most peculiar way." },
      origin_server_ts: 0,
    },
    forUser: "@someone:example.com" as UserId,
    facts: { senderDisplayName: "Major Tom", roomName: "Mission Control", roomAlias: "#exampleroom:matrix.org" },
    counts: { unread: 2, missed_calls: 1 },
    pusher: { appId: "org.matrix.matrixConsole.ios", pushkey: "V2h5IG9uIGVhcnRoIGRpZCB5b3UgZGVjb2RlIHRoaXM/" as PushKey, pushkeyTs: 12345678, data: { url: "https://gw/_matrix/push/v1/notify" } },
    tweaks: { sound: "bing" },
  };
  const device = { app_id: "org.matrix.matrixConsole.ios", pushkey: "V2h5IG9uIGVhcnRoIGRpZCB5b3UgZGVjb2RlIHRoaXM/", pushkey_ts: 12345678, data: {}, tweaks: { sound: "bing" } };
  const eventFields = {
    room_id: "!slw48wfj34rtnrf:example.com",
    type: "m.room.message",
    sender: "@exampleuser:matrix.org",
    sender_display_name: "Major Tom",
    room_name: "Mission Control",
    room_alias: "#exampleroom:matrix.org",
    prio: "high",
    content: { msgtype: "m.text", body: "I'm floating in a most peculiar way." },
  };

  it("PUSH-51 … PUSH-59: reproduces today's push_notifier.yaml request example exactly", () => {
    expect(notifyBody(example, P)).toEqual({
      notification: { event_id: "$3957tyerfgewrf384", ...eventFields, counts: { unread: 2, missed_calls: 1 }, devices: [device] },
    });
  });

  it("PUSH-1 … PUSH-25: carries every field of the 2015 seed example, with id under the legacy policy", () => {
    const sent = notifyBody(example, withPushPolicies({ legacyNotificationId: true })).notification;
    // The seed put counts and devices beside `notification` (a documentation slip fixed in 2016,
    // PUSH-14, PUSH-18); today they sit inside it, so they are compared there.
    expect(sent).toMatchObject({ id: "$3957tyerfgewrf384", ...eventFields });
    expect(sent.counts).toEqual({ unread: 2, missed_calls: 1 });
    expect(sent.devices).toEqual([device]);
  });
});
