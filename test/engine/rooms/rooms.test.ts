// Checks the minimal room model: creating rooms, invite/join/leave rules, who may send, state
// events and display names, m.read receipts and the per-user timeline for /sync; assumes
// event ids and timestamps are supplied by the caller, as the engine's drivers do.
import { describe, expect, it } from "vitest";
import type { EventId, RoomId, UserId } from "../../../src/ids.ts";
import { setReceipt, readUpTo } from "../../../src/engine/rooms/receipts.ts";
import {
  canonicalAlias,
  displayNameIn,
  emptyRooms,
  joinedMembers,
  memberCount,
  powerLevel,
  roomName,
  type RoomsState,
} from "../../../src/engine/rooms/room-state.ts";
import { timelineSince } from "../../../src/engine/rooms/room-sync.ts";
import {
  createRoom,
  createRoomEventCount,
  displayNameEventCount,
  invite,
  join,
  leave,
  roomWithAlias,
  sendEvent,
  setDisplayName,
  setState,
} from "../../../src/engine/rooms/rooms.ts";

const alice = "@alice:hs" as UserId;
const bob = "@bob:hs" as UserId;
const carol = "@carol:hs" as UserId;
const room = "!r:hs" as RoomId;
let n = 0;
const ids = (count: number): EventId[] => Array.from({ length: count }, () => `$e${++n}` as EventId);
const id = (): EventId => `$e${++n}` as EventId;

function world(): RoomsState {
  const state = emptyRooms();
  state.profiles.set(alice, "Alice");
  state.profiles.set(bob, "Bob");
  const req = { creator: alice, roomId: room, name: "Tea", invite: [bob], now: 1 };
  const made = createRoom(state, { ...req, eventIds: ids(createRoomEventCount(req)) });
  expect(made.ok).toBe(true);
  return state;
}

function theRoom(state: RoomsState) {
  const r = state.rooms.get(room);
  if (r === undefined) throw new Error("room missing");
  return r;
}

describe("createRoom", () => {
  it("makes the create, creator join, name and invite events in order, with positions", () => {
    const state = emptyRooms();
    const req = { creator: alice, roomId: room, name: "Tea", invite: [bob], isDirect: true, now: 5 };
    const made = createRoom(state, { ...req, eventIds: ids(4) });
    if (!made.ok) throw new Error(made.error);
    expect(made.events.map((e) => [e.type, e.state_key, e.content.membership])).toEqual([
      ["m.room.create", "", undefined],
      ["m.room.member", alice, "join"],
      ["m.room.name", "", undefined],
      ["m.room.member", bob, "invite"],
    ]);
    expect(made.events[3]?.content.is_direct).toBe(true);
    expect(theRoom(state).timeline.map((t) => t.position)).toEqual([1, 2, 3, 4]);
    expect(roomName(theRoom(state))).toBe("Tea");
    expect(joinedMembers(theRoom(state))).toEqual([alice]);
  });

  it("with an alias: the canonical alias event comes before the name, and a taken alias is refused before anything is made", () => {
    const state = emptyRooms();
    const req = { creator: alice, roomId: room, alias: "#tea:hs", name: "Tea", invite: [bob], now: 5 };
    expect(createRoomEventCount(req)).toBe(5);
    const made = createRoom(state, { ...req, eventIds: ids(5) });
    if (!made.ok) throw new Error(made.error);
    expect(made.events.map((e) => e.type)).toEqual(["m.room.create", "m.room.member", "m.room.canonical_alias", "m.room.name", "m.room.member"]);
    expect(made.events[2]?.content).toEqual({ alias: "#tea:hs" });
    expect(canonicalAlias(theRoom(state))).toBe("#tea:hs");
    expect(roomWithAlias(state, "#tea:hs")?.id).toBe(room);
    expect(roomWithAlias(state, "#coffee:hs")).toBeUndefined();
    const again = createRoom(state, { creator: bob, roomId: "!s:hs" as RoomId, alias: "#tea:hs", invite: [], eventIds: ids(3), now: 6 });
    expect(again).toMatchObject({ ok: false, status: 400, errcode: "M_ROOM_IN_USE" });
    expect(state.rooms.has("!s:hs" as RoomId)).toBe(false);
  });

  it("refuses an existing room id and a short list of event ids", () => {
    const state = world();
    expect(createRoom(state, { creator: bob, roomId: room, invite: [], eventIds: ids(2), now: 1 })).toMatchObject({ ok: false, errcode: "M_ROOM_IN_USE" });
    expect(createRoom(state, { creator: bob, roomId: "!s:hs" as RoomId, invite: [carol], eventIds: ids(2), now: 1 })).toMatchObject({ ok: false, status: 500 });
  });
});

describe("membership", () => {
  it("lets the invited join, and a second join is a no-op", () => {
    const state = world();
    const joined = join(state, { roomId: room, user: bob, eventId: id(), now: 2 });
    expect(joined).toMatchObject({ ok: true });
    expect(joined.ok && joined.events[0]?.content).toEqual({ membership: "join", displayname: "Bob" });
    expect(join(state, { roomId: room, user: bob, eventId: id(), now: 3 })).toMatchObject({ ok: true, events: [] });
    expect(memberCount(theRoom(state))).toBe(2);
  });

  it("forbids joining uninvited, inviting when not joined, and inviting a member", () => {
    const state = world();
    expect(join(state, { roomId: room, user: carol, eventId: id(), now: 2 })).toMatchObject({ ok: false, status: 403, errcode: "M_FORBIDDEN" });
    expect(invite(state, { roomId: room, sender: carol, target: carol, eventId: id(), now: 2 })).toMatchObject({ errcode: "M_FORBIDDEN" });
    expect(invite(state, { roomId: room, sender: alice, target: alice, eventId: id(), now: 2 })).toMatchObject({ errcode: "M_FORBIDDEN" });
    expect(join(state, { roomId: "!nope:hs" as RoomId, user: bob, eventId: id(), now: 2 })).toMatchObject({ status: 404, errcode: "M_NOT_FOUND" });
  });

  it("lets members leave and invitees reject; a leaver can no longer send", () => {
    const state = world();
    expect(leave(state, { roomId: room, user: bob, eventId: id(), now: 2 })).toMatchObject({ ok: true });
    expect(leave(state, { roomId: room, user: carol, eventId: id(), now: 2 })).toMatchObject({ errcode: "M_FORBIDDEN" });
    expect(leave(state, { roomId: room, user: alice, eventId: id(), now: 3 })).toMatchObject({ ok: true });
    const sent = sendEvent(state, { roomId: room, sender: alice, type: "m.room.message", content: { body: "x" }, eventId: id(), now: 4 });
    expect(sent).toMatchObject({ ok: false, status: 403, errcode: "M_FORBIDDEN" });
  });
});

describe("sendEvent and setState", () => {
  it("only joined members send (M_FORBIDDEN otherwise)", () => {
    const state = world();
    const msg = { roomId: room, type: "m.room.message", content: { msgtype: "m.text", body: "hi" }, now: 3 };
    expect(sendEvent(state, { ...msg, sender: bob, eventId: id() })).toMatchObject({ ok: false, errcode: "M_FORBIDDEN" });
    const sent = sendEvent(state, { ...msg, sender: alice, eventId: "$given" as EventId });
    expect(sent.ok && sent.value).toMatchObject({ event_id: "$given", sender: alice, room_id: room, origin_server_ts: 3 });
  });

  it("sets name and canonical alias, and refuses member events", () => {
    const state = world();
    const base = { roomId: room, sender: alice, stateKey: "", now: 3 };
    setState(state, { ...base, type: "m.room.name", content: { name: "Coffee" }, eventId: id() });
    setState(state, { ...base, type: "m.room.canonical_alias", content: { alias: "#c:hs" }, eventId: id() });
    expect(roomName(theRoom(state))).toBe("Coffee");
    expect(canonicalAlias(theRoom(state))).toBe("#c:hs");
    expect(setState(state, { ...base, type: "m.room.member", stateKey: bob, content: { membership: "join" }, eventId: id() })).toMatchObject({ ok: false });
  });

  it("re-announces a new display name in every joined room", () => {
    const state = world();
    expect(displayNameEventCount(state, alice)).toBe(1);
    const changed = setDisplayName(state, { user: alice, displayname: "Al", eventIds: ids(1), now: 9 });
    expect(changed.ok && changed.events.map((e) => e.content)).toEqual([{ membership: "join", displayname: "Al" }]);
    expect(displayNameIn(theRoom(state), alice)).toBe("Al");
    expect(setDisplayName(state, { user: alice, displayname: "B", eventIds: [], now: 9 })).toMatchObject({ ok: false });
  });

  it("gives the creator power 100 and everyone else 0", () => {
    const state = world();
    expect(powerLevel(theRoom(state), alice)).toBe(100);
    expect(powerLevel(theRoom(state), bob)).toBe(0);
  });
});

describe("receipts", () => {
  it("move forward only, need membership and a known event; sending moves one's own", () => {
    const state = world();
    join(state, { roomId: room, user: bob, eventId: id(), now: 2 });
    const first = sendEvent(state, { roomId: room, sender: alice, type: "m.room.message", content: { body: "1" }, eventId: "$m1" as EventId, now: 3 });
    sendEvent(state, { roomId: room, sender: alice, type: "m.room.message", content: { body: "2" }, eventId: "$m2" as EventId, now: 4 });
    expect(first.ok).toBe(true);
    expect(readUpTo(theRoom(state), alice)).toBe(theRoom(state).positions.get("$m2" as EventId));
    expect(setReceipt(state, { user: bob, roomId: room, eventId: "$m2" as EventId })).toEqual({ ok: true, changed: true });
    expect(setReceipt(state, { user: bob, roomId: room, eventId: "$m1" as EventId })).toEqual({ ok: true, changed: false });
    expect(setReceipt(state, { user: bob, roomId: room, eventId: "$nope" as EventId })).toMatchObject({ status: 404 });
    expect(setReceipt(state, { user: carol, roomId: room, eventId: "$m1" as EventId })).toMatchObject({ status: 403 });
  });
});

describe("timelineSince", () => {
  it("shows joined rooms' events after since, only the invite to invitees, up to the leave for leavers", () => {
    const state = world();
    const atInvite = state.position;
    expect(timelineSince(state, bob, 0).rooms).toMatchObject([{ roomId: room, membership: "invite", events: [{ type: "m.room.member", state_key: bob }] }]);
    expect(timelineSince(state, bob, atInvite).rooms).toEqual([]);
    join(state, { roomId: room, user: bob, eventId: id(), now: 2 });
    sendEvent(state, { roomId: room, sender: alice, type: "m.room.message", content: { body: "a" }, eventId: id(), now: 3 });
    const since = timelineSince(state, bob, atInvite);
    expect(since.rooms[0]?.events.map((e) => e.type)).toEqual(["m.room.member", "m.room.message"]);
    expect(since.nextBatch).toBe(state.position);
    leave(state, { roomId: room, user: bob, eventId: id(), now: 4 });
    const leftAt = state.position;
    sendEvent(state, { roomId: room, sender: alice, type: "m.room.message", content: { body: "b" }, eventId: id(), now: 5 });
    const afterLeave = timelineSince(state, bob, atInvite);
    expect(afterLeave.rooms[0]?.membership).toBe("leave");
    expect(afterLeave.rooms[0]?.events.length).toBe(3);
    expect(timelineSince(state, bob, leftAt).rooms).toEqual([]);
  });

  it("returns only the latest events past the limit and says so", () => {
    const state = world();
    for (let i = 0; i < 5; i++) sendEvent(state, { roomId: room, sender: alice, type: "m.room.message", content: { body: `${i}` }, eventId: id(), now: 3 });
    const limited = timelineSince(state, alice, 0, 2).rooms[0];
    expect(limited?.limited).toBe(true);
    expect(limited?.events.map((e) => e.content.body)).toEqual(["3", "4"]);
  });
});
