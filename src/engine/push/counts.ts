/**
 * The badge: `counts.unread` and `counts.missed_calls` of the notify body (PUSH-14, PUSH-16,
 * PUSH-17). The push path records every event that notified a user; the counts are the
 * records after the user's `m.read` receipt in each room they have joined.
 *
 * - `unread` (policy `unreadCounts`): `messages` counts the notifying events, as the text says
 *   ("the number of unread messages ... across all of the rooms"); `rooms` counts rooms with at
 *   least one, as Synapse does by default.
 * - `missed_calls`: notifying `m.call.invite` events after the receipt ("unacknowledged missed
 *   calls"). A call the user's rules silence is not counted as missed.
 */
import type { EventId, RoomId, UserId } from "../../ids.ts";
import { readUpTo } from "../rooms/receipts.ts";
import type { RoomsState } from "../rooms/room-state.ts";
import type { PushPolicies } from "./policy.ts";

export interface NotificationRecord {
  readonly roomId: RoomId;
  readonly eventId: EventId;
  readonly position: number;
  readonly isCall: boolean;
}

export type NotificationLog = Map<UserId, NotificationRecord[]>;

export interface Counts {
  readonly unread: number;
  readonly missed_calls: number;
}

export const NO_COUNTS: Counts = { unread: 0, missed_calls: 0 };

export function emptyNotificationLog(): NotificationLog {
  return new Map();
}

export function recordNotification(log: NotificationLog, user: UserId, record: NotificationRecord): void {
  const records = log.get(user);
  if (records === undefined) log.set(user, [record]);
  else records.push(record);
}

function unreadRecords(log: NotificationLog, rooms: RoomsState, user: UserId): NotificationRecord[] {
  // Stryker disable next-line ArrayDeclaration: a stand-in element has no roomId, so no room is found for it and the filter drops it
  return (log.get(user) ?? []).filter((r) => {
    const room = rooms.rooms.get(r.roomId);
    return room !== undefined && room.members.get(user) === "join" && r.position > readUpTo(room, user);
  });
}

export function unreadCounts(log: NotificationLog, rooms: RoomsState, user: UserId, policies: Pick<PushPolicies, "unreadCounts">): Counts {
  const unread = unreadRecords(log, rooms, user);
  const missed_calls = unread.filter((r) => r.isCall).length;
  if (policies.unreadCounts === "rooms") return { unread: new Set(unread.map((r) => r.roomId)).size, missed_calls };
  return { unread: unread.length, missed_calls };
}

/** Forgets records the user has read, so the log only holds what can still count. */
export function forgetRead(log: NotificationLog, rooms: RoomsState, user: UserId): void {
  const records = log.get(user);
  if (records === undefined) return;
  const kept = records.filter((r) => {
    const room = rooms.rooms.get(r.roomId);
    return room === undefined || r.position > readUpTo(room, user);
  });
  if (kept.length === 0) log.delete(user);
  else log.set(user, kept);
}

export function sameCounts(a: Counts, b: Counts): boolean {
  return a.unread === b.unread && a.missed_calls === b.missed_calls;
}
