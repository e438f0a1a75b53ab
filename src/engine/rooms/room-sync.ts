/**
 * What `/sync` needs from the room model, minimally: for one user, the rooms they are in and
 * the timeline events since a stream position. Joined rooms show every event after `since`;
 * an invite shows only the invite event (a stand-in for `invite_state`); a room the user left
 * shows events up to and including their leave. `nextBatch` is the room-stream position the
 * response covers, to be combined with the other streams in the caller's sync token.
 */
import type { RoomId, UserId } from "../../ids.ts";
import type { Membership, Room, RoomEvent, RoomsState, TimelineEntry } from "./room-state.ts";

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

function lastMembershipEntry(room: Room, user: UserId): TimelineEntry | undefined {
  for (let i = room.timeline.length - 1; i >= 0; i--) {
    const entry = room.timeline[i];
    if (entry !== undefined && entry.event.type === "m.room.member" && entry.event.state_key === user) return entry;
  }
  return undefined;
}

function visibleSince(room: Room, user: UserId, membership: Membership, since: number): TimelineEntry[] {
  const after = room.timeline.filter((e) => e.position > since);
  if (membership === "join") return after;
  const own = lastMembershipEntry(room, user);
  if (own === undefined || own.position <= since) return [];
  return membership === "invite" ? [own] : after.filter((e) => e.position <= own.position);
}

/** Timeline events for `user` in every room they are (or were) in, after position `since`. */
export function timelineSince(state: RoomsState, user: UserId, since: number, limit = DEFAULT_TIMELINE_LIMIT): RoomsSince {
  const rooms: RoomTimeline[] = [];
  const ordered = [...state.rooms.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const room of ordered) {
    const membership = room.members.get(user);
    if (membership === undefined) continue;
    const entries = visibleSince(room, user, membership, since);
    if (entries.length === 0) continue;
    const shown = entries.slice(-limit);
    rooms.push({ roomId: room.id, membership, events: shown.map((e) => e.event), limited: shown.length < entries.length });
  }
  return { nextBatch: state.position, rooms };
}
