/**
 * The minimal room model that feeds the push path: just enough of a room (membership, the
 * state events `m.room.name`, `m.room.canonical_alias` and `m.room.member`, a timeline and
 * `m.read` receipts) to produce the events push rules run over and the facts a notify body
 * carries. There is no federation of rooms, no auth-rule engine and no `m.room.power_levels`
 * event: the creator holds power level 100 and everyone else 0, which is what the default
 * power levels of a freshly created private room give (see `powerLevel`).
 *
 * This file holds the state types and the read-only questions asked of a room; the commands
 * that change rooms live in `rooms.ts`, receipts in `receipts.ts`.
 */
import type { EventId, RoomId, UserId } from "../../ids.ts";
import type { JsonObject } from "../effects.ts";

export type { JsonObject };

export type Membership = "invite" | "join" | "leave";

/** A room event in the client-server "ClientEvent" shape, as push rules see it. */
export interface RoomEvent {
  readonly event_id: EventId;
  readonly room_id: RoomId;
  readonly sender: UserId;
  readonly type: string;
  readonly content: JsonObject;
  readonly state_key?: string;
  readonly origin_server_ts: number;
}

/** A timeline entry: the event and its position in the server-wide room stream. */
export interface TimelineEntry {
  readonly position: number;
  readonly event: RoomEvent;
}

export interface Receipt {
  readonly eventId: EventId;
  readonly position: number;
}

export interface Room {
  readonly id: RoomId;
  readonly creator: UserId;
  readonly timeline: TimelineEntry[];
  /** Current state, keyed by `stateKey(type, state_key)`. */
  readonly state: Map<string, RoomEvent>;
  readonly members: Map<UserId, Membership>;
  /** `m.read` receipts, one per user, only ever moving forward. */
  readonly receipts: Map<UserId, Receipt>;
  readonly positions: Map<EventId, number>;
}

export interface RoomsState {
  readonly rooms: Map<RoomId, Room>;
  /** Global display names (the profile), copied into member events when they are made. */
  readonly profiles: Map<UserId, string>;
  /** The last position handed out in the room stream (0: nothing yet). */
  position: number;
}

export function emptyRooms(): RoomsState {
  return { rooms: new Map(), profiles: new Map(), position: 0 };
}

export function stateKey(type: string, key: string): string {
  return `${type}\u0000${key}`;
}

export function membershipOf(room: Room, user: UserId): Membership | null {
  return room.members.get(user) ?? null;
}

/** Joined members, in user-id order so everything derived from them is deterministic. */
export function joinedMembers(room: Room): UserId[] {
  const joined: UserId[] = [];
  for (const [user, membership] of room.members) if (membership === "join") joined.push(user);
  return joined.sort();
}

/** The number `room_member_count` conditions compare against: joined members. */
export function memberCount(room: Room): number {
  return joinedMembers(room).length;
}

function stringField(event: RoomEvent | undefined, field: string): string | null {
  const value = event?.content[field];
  return typeof value === "string" && value.length > 0 ? value : null;
}

export function roomName(room: Room): string | null {
  return stringField(room.state.get(stateKey("m.room.name", "")), "name");
}

export function canonicalAlias(room: Room): string | null {
  return stringField(room.state.get(stateKey("m.room.canonical_alias", "")), "alias");
}

/** A user's display name in a room: the `displayname` of their current member event. */
export function displayNameIn(room: Room, user: UserId): string | null {
  return stringField(room.state.get(stateKey("m.room.member", user)), "displayname");
}

/**
 * Power levels without a power-levels event: the creator has 100, everyone else 0 (the
 * defaults `createRoom` would write for a private chat). Courier has no power-levels event, so
 * this is a documented simplification, not the auth rules.
 */
export function powerLevel(room: Room, user: UserId): number {
  return user === room.creator ? 100 : 0;
}

/** The `notifications` levels of the default power levels: `room` (an `@room` ping) needs 50. */
// Stryker disable next-line ObjectLiteral: push rule evaluation reads a missing `notifications` key as 50 (the spec's default), so `{}` and `{ room: 50 }` answer every rule alike
export const NOTIFICATION_POWER_LEVELS: Readonly<Record<string, number>> = { room: 50 };

export function positionOf(room: Room, eventId: EventId): number | null {
  return room.positions.get(eventId) ?? null;
}

/** Rooms in room-id order: ids compared as `sort()` compares strings, by UTF-16 code unit. */
export function inRoomIdOrder(rooms: Iterable<Room>): Room[] {
  const byId = new Map<RoomId, Room>();
  for (const room of rooms) byId.set(room.id, room);
  return [...byId.keys()].sort().map((id) => byId.get(id) as Room);
}

/** Rooms a user has joined, in room-id order. */
export function joinedRooms(state: RoomsState, user: UserId): Room[] {
  return inRoomIdOrder([...state.rooms.values()].filter((room) => room.members.get(user) === "join"));
}
