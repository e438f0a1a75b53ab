/**
 * What `/sync` needs from the room model, minimally: for one user, the rooms they are in and
 * the timeline events since a stream position. Joined rooms show every event after `since`;
 * an invite shows only the invite event (a stand-in for `invite_state`); a room the user left
 * shows events up to and including their leave. `nextBatch` is the room-stream position the
 * response covers, to be combined with the other streams in the caller's sync token.
 */
import type { RoomId, UserId } from "../../ids.ts";
import { inRoomIdOrder, type Membership, type Room, type RoomEvent, type RoomsState, type TimelineEntry } from "./room-state.ts";

export interface RoomTimeline {
  readonly roomId: RoomId;
  readonly membership: Membership;
  readonly events: readonly RoomEvent[];
  /** True when more than `limit` events were due and only the latest `limit` are returned. */
  readonly limited: boolean;
}

export interface RoomsSince {
  readonly nextBatch: number;
  readonly rooms: readonly RoomTimeline[];
}

export const DEFAULT_TIMELINE_LIMIT = 50;

/** The user's latest member event in the room, or undefined when they were never in it. */
function ownMemberEntry(room: Room, user: UserId): TimelineEntry | undefined {
  return room.timeline.findLast((e) => e.event.type === "m.room.member" && e.event.state_key === user);
}

function visibleSince(room: Room, own: TimelineEntry, since: number): TimelineEntry[] {
  const after = room.timeline.filter((e) => e.position > since);
  const membership = membershipSetBy(own);
  if (membership === "join") return after;
  if (own.position <= since) return [];
  return membership === "invite" ? [own] : after.filter((e) => e.position <= own.position);
}

/** The membership a member event sets (as `append` records it in `Room.members`). */
function membershipSetBy(own: TimelineEntry): Membership {
  return own.event.content.membership as Membership;
}

/** Timeline events for `user` in every room they are (or were) in, after position `since`. */
export function timelineSince(state: RoomsState, user: UserId, since: number, limit = DEFAULT_TIMELINE_LIMIT): RoomsSince {
  const rooms: RoomTimeline[] = [];
  for (const room of inRoomIdOrder(state.rooms.values())) {
    if (!room.members.has(user)) continue;
    // A membership is set only by a member event (`append`), so the user has one here.
    const own = ownMemberEntry(room, user) as TimelineEntry;
    const entries = visibleSince(room, own, since);
    if (entries.length === 0) continue;
    const shown = entries.slice(-limit);
    rooms.push({ roomId: room.id, membership: membershipSetBy(own), events: shown.map((e) => e.event), limited: shown.length < entries.length });
  }
  return { nextBatch: state.position, rooms };
}
