// Checks the badge counts on their own: `unread` and `missed_calls` count the notifying events
// after the user's m.read receipt in rooms the user has joined (PUSH-16, PUSH-17), and forgetRead
// prunes the notification log to exactly the records that can still count; assumes rooms built
// by hand with only members and receipts, as the counts read nothing else.
import { describe, expect, it } from "vitest";
import type { EventId, RoomId, UserId } from "../../../src/ids.ts";
import { type NotificationLog, emptyNotificationLog, forgetRead, recordNotification, unreadCounts } from "../../../src/engine/push/counts.ts";
import type { Membership, Room, RoomsState } from "../../../src/engine/rooms/room-state.ts";

const me = "@me:hs" as UserId;
const A = "!a:hs" as RoomId;
const B = "!b:hs" as RoomId;
const GONE = "!gone:hs" as RoomId;
const messages = { unreadCounts: "messages" } as const;

function room(id: RoomId, membership: Membership, readUpTo?: number): Room {
  const receipts = new Map(readUpTo === undefined ? [] : [[me, { eventId: `$read${readUpTo}` as EventId, position: readUpTo }] as const]);
  return { id, creator: me, timeline: [], state: new Map(), members: new Map([[me, membership]]), receipts, positions: new Map() };
}

function roomsOf(...rooms: Room[]): RoomsState {
  return { rooms: new Map(rooms.map((r) => [r.id, r])), profiles: new Map(), position: 100 };
}

/** A log holding one notification of `me` per [room, position, isCall]. */
function logOf(...records: [RoomId, number, boolean?][]): NotificationLog {
  const log = emptyNotificationLog();
  for (const [roomId, position, isCall = false] of records) recordNotification(log, me, { roomId, eventId: `$e${position}` as EventId, position, isCall });
  return log;
}

const positions = (log: NotificationLog) => (log.get(me) ?? []).map((r) => [r.roomId, r.position]);

describe("unreadCounts (PUSH-16, PUSH-17)", () => {
  it("counts only what follows the receipt: the event the receipt names is read", () => {
    const log = logOf([A, 1], [A, 2, true], [A, 3], [A, 4, true]);
    expect(unreadCounts(log, roomsOf(room(A, "join", 2)), me, messages)).toEqual({ unread: 2, missed_calls: 1 });
    expect(unreadCounts(log, roomsOf(room(A, "join", 3)), me, messages)).toEqual({ unread: 1, missed_calls: 1 });
    expect(unreadCounts(log, roomsOf(room(A, "join")), me, messages)).toEqual({ unread: 4, missed_calls: 2 });
  });

  it("counts nothing from a room the user left or a room the server does not know", () => {
    const log = logOf([A, 1], [B, 2], [GONE, 3]);
    expect(unreadCounts(log, roomsOf(room(A, "join"), room(B, "leave")), me, messages)).toEqual({ unread: 1, missed_calls: 0 });
  });
});

describe("forgetRead", () => {
  it("forgets the records up to and including the receipt and keeps the later ones, room by room", () => {
    const log = logOf([A, 1], [B, 2], [A, 3], [B, 4], [A, 5]);
    forgetRead(log, roomsOf(room(A, "join", 3), room(B, "join", 1)), me);
    expect(positions(log)).toEqual([[B, 2], [B, 4], [A, 5]]);
  });

  it("keeps the records of a room it cannot see, having no receipt to judge them by", () => {
    const log = logOf([GONE, 1], [A, 2]);
    forgetRead(log, roomsOf(room(A, "join", 2)), me);
    expect(positions(log)).toEqual([[GONE, 1]]);
  });

  it("leaves no entry for a user who has read everything, and ignores a user with none", () => {
    const log = logOf([A, 1], [A, 2]);
    const rooms = roomsOf(room(A, "join", 2));
    forgetRead(log, rooms, me);
    expect(log.has(me)).toBe(false);
    forgetRead(log, rooms, me);
    expect(log.size).toBe(0);
  });
});
