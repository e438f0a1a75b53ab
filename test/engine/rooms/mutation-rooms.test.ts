// Checks the room model's edges the main suite leaves open: every refusal (unknown room, not a
// member, member and create events through setState) with its reason, what member events carry,
// which rooms and events /sync shows an invited user, the order of rooms (room-id order whatever
// the order they were made in), receipts that do not move, and display names that are cleared;
// assumes event ids and times come from the caller.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { EventId, RoomId, UserId } from "../../../src/ids.ts";
import type { Failure } from "../../../src/engine/rooms/outcome.ts";
import { readUpTo, setReceipt } from "../../../src/engine/rooms/receipts.ts";
import { emptyRooms, joinedMembers, memberCount, roomName, type RoomsState } from "../../../src/engine/rooms/room-state.ts";
import { timelineSince } from "../../../src/engine/rooms/room-sync.ts";
import { createRoom, invite, join, leave, type RoomResult, sendEvent, setDisplayName, setState } from "../../../src/engine/rooms/rooms.ts";
import { assertParams } from "../../properties/run-config.ts";

const alice = "@alice:hs" as UserId;
const bob = "@bob:hs" as UserId;
const carol = "@carol:hs" as UserId;
const R = "!r:hs" as RoomId;
const NOWHERE = "!nowhere:hs" as RoomId;

let n = 0;
const id = (): EventId => `$e${++n}` as EventId;

function must<T>(r: RoomResult<T>): Extract<RoomResult<T>, { ok: true }> {
  if (!r.ok) throw new Error(r.error);
  return r;
}

function refused(r: { ok: boolean }, status: number, errcode: string): void {
  expect(r).toMatchObject({ ok: false, status, errcode });
  expect((r as Failure).error.length).toBeGreaterThan(0);
}

/** Alice's room R with Bob invited (not joined). */
function world(): RoomsState {
  const state = emptyRooms();
  must(createRoom(state, { creator: alice, roomId: R, invite: [bob], eventIds: [id(), id(), id()], now: 0 }));
  return state;
}

describe("refusals, each with a reason", () => {
  it("commands on an unknown room are 404", () => {
    const s = world();
    refused(invite(s, { roomId: NOWHERE, sender: alice, target: bob, eventId: id(), now: 0 }), 404, "M_NOT_FOUND");
    refused(leave(s, { roomId: NOWHERE, user: alice, eventId: id(), now: 0 }), 404, "M_NOT_FOUND");
    refused(sendEvent(s, { roomId: NOWHERE, sender: alice, type: "m.room.message", content: {}, eventId: id(), now: 0 }), 404, "M_NOT_FOUND");
    refused(setState(s, { roomId: NOWHERE, sender: alice, type: "m.room.name", stateKey: "", content: {}, eventId: id(), now: 0 }), 404, "M_NOT_FOUND");
    refused(setReceipt(s, { user: alice, roomId: NOWHERE, eventId: "$e1" as EventId }), 404, "M_NOT_FOUND");
  });

  it("only members act: non-members may not set state, leave or read; create and member events are not state to set", () => {
    const s = world();
    refused(setState(s, { roomId: R, sender: carol, type: "m.room.name", stateKey: "", content: { name: "x" }, eventId: id(), now: 0 }), 403, "M_FORBIDDEN");
    refused(leave(s, { roomId: R, user: carol, eventId: id(), now: 0 }), 403, "M_FORBIDDEN");
    refused(setReceipt(s, { user: carol, roomId: R, eventId: "$e1" as EventId }), 403, "M_FORBIDDEN");
    refused(setReceipt(s, { user: alice, roomId: R, eventId: "$unknown" as EventId }), 404, "M_NOT_FOUND");
    refused(setState(s, { roomId: R, sender: alice, type: "m.room.create", stateKey: "", content: {}, eventId: id(), now: 0 }), 403, "M_FORBIDDEN");
    refused(createRoom(s, { creator: alice, roomId: "!s:hs" as RoomId, invite: [], eventIds: [id()], now: 0 }), 500, "M_UNKNOWN");
    must(join(s, { roomId: R, user: bob, eventId: id(), now: 0 }));
    refused(setDisplayName(s, { user: bob, displayname: "B", eventIds: [], now: 0 }), 500, "M_UNKNOWN");
  });

  it("a joined member cannot be invited again, and the refusal says why", () => {
    const s = world();
    refused(invite(s, { roomId: R, sender: alice, target: alice, eventId: id(), now: 0 }), 403, "M_FORBIDDEN");
  });

  it("a state event of another type never changes membership, whatever its content says", () => {
    const s = world();
    must(setState(s, { roomId: R, sender: alice, type: "org.example.seat", stateKey: carol, content: { membership: "join" }, eventId: id(), now: 0 }));
    refused(sendEvent(s, { roomId: R, sender: carol, type: "m.room.message", content: {}, eventId: id(), now: 0 }), 403, "M_FORBIDDEN");
  });
});

describe("membership comes from member state events only", () => {
  it("a timeline event of type m.room.member (no state key) changes nobody's membership", () => {
    const s = world();
    must(sendEvent(s, { roomId: R, sender: alice, type: "m.room.member", content: { membership: "join" }, eventId: id(), now: 0 }));
    const room = s.rooms.get(R);
    if (room === undefined) throw new Error("no room");
    expect(joinedMembers(room)).toEqual([alice]);
    expect(memberCount(room)).toBe(1);
  });

  it("invite returns the invite event it made, for the push path to evaluate", () => {
    const s = world();
    const made = must(invite(s, { roomId: R, sender: alice, target: carol, eventId: "$inv" as EventId, now: 7 }));
    expect(made.events).toEqual([
      { event_id: "$inv", room_id: R, sender: alice, type: "m.room.member", content: { membership: "invite" }, state_key: carol, origin_server_ts: 7 },
    ]);
  });

  it("a member event of a user without a display name has no displayname key at all (JSON has no undefined)", () => {
    const s = world();
    const made = must(invite(s, { roomId: R, sender: alice, target: carol, eventId: id(), now: 0 }));
    expect(made.events[0]?.content).toStrictEqual({ membership: "invite" });
    must(join(s, { roomId: R, user: carol, eventId: id(), now: 0 }));
    expect(s.rooms.get(R)?.timeline.at(-1)?.event.content).toStrictEqual({ membership: "join" });
  });
});

describe("room facts", () => {
  it("the create event says room version 11; an empty name is no name", () => {
    const s = world();
    expect(s.rooms.get(R)?.timeline[0]?.event.content).toEqual({ room_version: "11" });
    must(setState(s, { roomId: R, sender: alice, type: "m.room.name", stateKey: "", content: { name: "" }, eventId: id(), now: 0 }));
    expect(roomName(s.rooms.get(R) ?? ({} as never))).toBeNull();
  });

  it("joined members are listed in user-id order; readUpTo is 0 for a user who never read", () => {
    const s = emptyRooms();
    must(createRoom(s, { creator: carol, roomId: R, invite: [bob, alice], eventIds: [id(), id(), id(), id()], now: 0 }));
    must(join(s, { roomId: R, user: bob, eventId: id(), now: 0 }));
    must(join(s, { roomId: R, user: alice, eventId: id(), now: 0 }));
    const room = s.rooms.get(R);
    if (room === undefined) throw new Error("no room");
    expect(joinedMembers(room)).toEqual([alice, bob, carol]);
    expect(readUpTo(room, "@nobody:hs" as UserId)).toBe(0);
  });

  it("a receipt for the event already read changes nothing", () => {
    const s = world();
    const first = (s.rooms.get(R)?.timeline[0]?.event.event_id ?? "") as EventId;
    must(join(s, { roomId: R, user: bob, eventId: id(), now: 0 }));
    const said = must(sendEvent(s, { roomId: R, sender: alice, type: "m.room.message", content: {}, eventId: id(), now: 0 }));
    expect(setReceipt(s, { user: bob, roomId: R, eventId: said.value.event_id })).toEqual({ ok: true, changed: true });
    expect(setReceipt(s, { user: bob, roomId: R, eventId: said.value.event_id })).toEqual({ ok: true, changed: false });
    expect(setReceipt(s, { user: bob, roomId: R, eventId: first })).toEqual({ ok: true, changed: false });
  });
});

describe("display names", () => {
  it("are re-announced in joined rooms only, in room-id order; a leave event carries none; null clears", () => {
    const s = emptyRooms();
    s.profiles.set(bob, "Bob");
    for (const roomId of ["!z:hs", "!a:hs", "!m:hs"] as RoomId[]) must(createRoom(s, { creator: alice, roomId, invite: [bob], eventIds: [id(), id(), id()], now: 0 }));
    must(join(s, { roomId: "!z:hs" as RoomId, user: bob, eventId: id(), now: 0 }));
    must(join(s, { roomId: "!a:hs" as RoomId, user: bob, eventId: id(), now: 0 }));
    const left = must(leave(s, { roomId: "!a:hs" as RoomId, user: bob, eventId: id(), now: 0 }));
    expect(left.events[0]?.content).toEqual({ membership: "leave" });
    must(join(s, { roomId: "!m:hs" as RoomId, user: bob, eventId: id(), now: 0 }));
    const renamed = must(setDisplayName(s, { user: bob, displayname: "B2", eventIds: ["$d0", "$d1"] as EventId[], now: 0 }));
    expect(renamed.events.map((e) => [e.room_id, e.event_id, e.content.displayname])).toEqual([
      ["!m:hs", "$d0", "B2"],
      ["!z:hs", "$d1", "B2"],
    ]);
    const cleared = must(setDisplayName(s, { user: bob, displayname: null, eventIds: ["$c0", "$c1"] as EventId[], now: 0 }));
    expect(s.profiles.has(bob)).toBe(false);
    expect(cleared.events[0]?.content).toEqual({ membership: "join" });
  });
});

describe("/sync rooms for one user", () => {
  it("an invited user sees only their invite, once, whatever happens after it; rooms in id order", () => {
    const s = emptyRooms();
    must(createRoom(s, { creator: alice, roomId: "!z:hs" as RoomId, invite: [], eventIds: [id(), id()], now: 0 }));
    must(createRoom(s, { creator: alice, roomId: R, invite: [bob, carol], eventIds: [id(), id(), id(), id()], now: 0 }));
    const bobInvite = s.rooms.get(R)?.timeline[2]?.event.event_id;
    must(join(s, { roomId: R, user: carol, eventId: id(), now: 0 }));
    must(sendEvent(s, { roomId: R, sender: alice, type: "m.room.message", content: {}, eventId: id(), now: 0 }));
    must(setState(s, { roomId: R, sender: alice, type: "org.example.seat", stateKey: bob, content: {}, eventId: id(), now: 0 }));
    const first = timelineSince(s, bob, 0);
    expect(first.rooms.map((r) => [r.roomId, r.membership, r.events.map((e) => e.event_id)])).toEqual([[R, "invite", [bobInvite]]]);
    expect(timelineSince(s, bob, first.nextBatch).rooms).toEqual([]);
    const forAlice = timelineSince(s, alice, 0);
    expect(forAlice.rooms.map((r) => [r.roomId, r.limited])).toEqual([[R, false], ["!z:hs", false]]);
    expect(timelineSince(s, alice, 0, 1).rooms.map((r) => [r.events.length, r.limited])).toEqual([[1, true], [1, true]]);
  });
});

describe("room order", () => {
  const localparts = fc.uniqueArray(fc.stringMatching(/^[A-Za-z0-9]{1,6}$/), { maxLength: 10 });

  it("display-name events and /sync rooms come in room-id order, whatever order the rooms were made in", () => {
    fc.assert(
      fc.property(localparts, localparts, (mine, others) => {
        const s = emptyRooms();
        const bobs = mine.map((l) => `!${l}:hs` as RoomId);
        const alices = others.map((l) => `!${l}:other` as RoomId);
        const made = [...bobs.map((roomId) => [bob, roomId] as const), ...alices.map((roomId) => [alice, roomId] as const)];
        for (const [creator, roomId] of made) must(createRoom(s, { creator, roomId, invite: [], eventIds: [id(), id()], now: 0 }));
        const inIdOrder = [...bobs].sort();
        const renamed = must(setDisplayName(s, { user: bob, displayname: "B", eventIds: bobs.map(() => id()), now: 0 }));
        expect(renamed.events.map((e) => e.room_id)).toEqual(inIdOrder);
        expect(timelineSince(s, bob, 0).rooms.map((r) => r.roomId)).toEqual(inIdOrder);
      }),
      assertParams(100),
    );
  });

  it("room-id order is code-unit order: upper case before lower case", () => {
    const s = emptyRooms();
    for (const roomId of ["!b:hs", "!B:hs", "!a:hs"] as RoomId[]) must(createRoom(s, { creator: bob, roomId, invite: [], eventIds: [id(), id()], now: 0 }));
    expect(timelineSince(s, bob, 0).rooms.map((r) => r.roomId)).toEqual(["!B:hs", "!a:hs", "!b:hs"]);
  });
});
