/**
 * Commands on the minimal room model: create a room, invite, join, leave, send a message,
 * set state, change a display name. Each is pure given its inputs: event ids and the
 * timestamp come from the caller (the transaction-id rule of `/send` is the caller's, through
 * the shared transaction store), and each returns the new events so the push path can run the
 * push rules over them.
 *
 * Membership rules are those of a private (invite-only) room: only joined members send, set
 * state or invite; only the invited (or already joined) may join.
 */
import type { EventId, RoomId, UserId } from "../../ids.ts";
import { type Failure, fail } from "./outcome.ts";
import { moveReceipt } from "./receipts.ts";
import {
  type JsonObject,
  type Membership,
  type Room,
  type RoomEvent,
  type RoomsState,
  canonicalAlias,
  joinedRooms,
  membershipOf,
  stateKey,
} from "./room-state.ts";

export type RoomResult<T = null> = { readonly ok: true; readonly value: T; readonly events: readonly RoomEvent[] } | Failure;

export interface CreateRoomRequest {
  readonly creator: UserId;
  readonly roomId: RoomId;
  readonly name?: string;
  readonly topic?: string;
  /** `#localpart:server`, from `room_alias_name`: set as the room's canonical alias. */
  readonly alias?: string;
  readonly invite: readonly UserId[];
  readonly isDirect?: boolean;
  /** One fresh id per event made, in order: create, creator's join, alias, name, topic (each if any), invites. */
  readonly eventIds: readonly EventId[];
  readonly now: number;
}

/** How many event ids `createRoom` consumes for a request. */
export function createRoomEventCount(req: Pick<CreateRoomRequest, "name" | "topic" | "alias" | "invite">): number {
  return 2 + [req.alias, req.name, req.topic].filter((v) => v !== undefined).length + req.invite.length;
}

/** The room whose canonical alias is `alias`, if any (a canonical alias is a string or null, so undefined names none). */
export function roomWithAlias(state: RoomsState, alias: string | undefined): Room | undefined {
  for (const room of state.rooms.values()) if (canonicalAlias(room) === alias) return room;
  return undefined;
}

function append(state: RoomsState, room: Room, event: RoomEvent): RoomEvent {
  state.position += 1;
  room.timeline.push({ position: state.position, event });
  room.positions.set(event.event_id, state.position);
  if (event.state_key !== undefined) {
    room.state.set(stateKey(event.type, event.state_key), event);
    if (event.type === "m.room.member") room.members.set(event.state_key as UserId, event.content.membership as Membership);
  }
  // Sending an event moves the sender's read receipt to it (client-server API, "Receiving
  // notifications": a user reads up to the events they send). A sender who is not joined (the
  // creator's create event, a leave) has the receipt read only after a later join moves it on.
  moveReceipt(room, event.sender, event.event_id, state.position);
  return event;
}

function memberContent(state: RoomsState, user: UserId, membership: Membership, isDirect: boolean): JsonObject {
  const displayname = state.profiles.get(user);
  return {
    membership,
    ...(displayname === undefined || membership === "leave" ? {} : { displayname }),
    ...(isDirect ? { is_direct: true } : {}),
  };
}

function memberEvent(state: RoomsState, room: Room, sender: UserId, target: UserId, membership: Membership, eventId: EventId, now: number, isDirect = false): RoomEvent {
  const content = memberContent(state, target, membership, isDirect);
  return { event_id: eventId, room_id: room.id, sender, type: "m.room.member", content, state_key: target, origin_server_ts: now };
}

export function createRoom(state: RoomsState, req: CreateRoomRequest): RoomResult<Room> {
  if (state.rooms.has(req.roomId)) return fail(400, "M_ROOM_IN_USE", `room ${req.roomId} already exists`);
  if (roomWithAlias(state, req.alias) !== undefined) return fail(400, "M_ROOM_IN_USE", `alias ${req.alias} is taken`);
  if (req.eventIds.length < createRoomEventCount(req)) return fail(500, "M_UNKNOWN", "createRoom needs one event id per event");
  const room: Room = { id: req.roomId, creator: req.creator, timeline: [], state: new Map(), members: new Map(), receipts: new Map(), positions: new Map() };
  state.rooms.set(req.roomId, room);
  const ids = [...req.eventIds];
  const next = (): EventId => ids.shift() as EventId;
  const base = { room_id: room.id, sender: req.creator, origin_server_ts: req.now, state_key: "" };
  const events: RoomEvent[] = [
    append(state, room, { ...base, event_id: next(), type: "m.room.create", content: { room_version: "11" } }),
    append(state, room, memberEvent(state, room, req.creator, req.creator, "join", next(), req.now)),
  ];
  // The spec's order: the canonical alias, then the name, then the topic.
  const initial: [string, JsonObject | null][] = [
    ["m.room.canonical_alias", req.alias === undefined ? null : { alias: req.alias }],
    ["m.room.name", req.name === undefined ? null : { name: req.name }],
    ["m.room.topic", req.topic === undefined ? null : { topic: req.topic }],
  ];
  for (const [type, content] of initial) {
    if (content !== null) events.push(append(state, room, { ...base, event_id: next(), type, content }));
  }
  for (const target of req.invite) {
    events.push(append(state, room, memberEvent(state, room, req.creator, target, "invite", next(), req.now, req.isDirect === true)));
  }
  return { ok: true, value: room, events };
}

function roomOf(state: RoomsState, roomId: RoomId): Room | Failure {
  return state.rooms.get(roomId) ?? fail(404, "M_NOT_FOUND", `unknown room ${roomId}`);
}

function requireJoined(room: Room, user: UserId): Failure | null {
  return membershipOf(room, user) === "join" ? null : fail(403, "M_FORBIDDEN", `${user} is not joined to ${room.id}`);
}

export interface InviteRequest {
  readonly roomId: RoomId;
  readonly sender: UserId;
  readonly target: UserId;
  readonly eventId: EventId;
  readonly now: number;
}

export function invite(state: RoomsState, req: InviteRequest): RoomResult {
  const room = roomOf(state, req.roomId);
  if ("ok" in room) return room;
  const denied = requireJoined(room, req.sender);
  if (denied !== null) return denied;
  if (membershipOf(room, req.target) === "join") return fail(403, "M_FORBIDDEN", `${req.target} is already in the room`);
  const event = append(state, room, memberEvent(state, room, req.sender, req.target, "invite", req.eventId, req.now));
  return { ok: true, value: null, events: [event] };
}

export interface MembershipRequest {
  readonly roomId: RoomId;
  readonly user: UserId;
  readonly eventId: EventId;
  readonly now: number;
}

/** Joining a room one is already in changes nothing and makes no event. */
export function join(state: RoomsState, req: MembershipRequest): RoomResult {
  const room = roomOf(state, req.roomId);
  if ("ok" in room) return room;
  const membership = membershipOf(room, req.user);
  if (membership === "join") return { ok: true, value: null, events: [] };
  if (membership !== "invite") return fail(403, "M_FORBIDDEN", `${req.user} is not invited to ${room.id}`);
  return { ok: true, value: null, events: [append(state, room, memberEvent(state, room, req.user, req.user, "join", req.eventId, req.now))] };
}

/** Leaving (or rejecting an invite). */
export function leave(state: RoomsState, req: MembershipRequest): RoomResult {
  const room = roomOf(state, req.roomId);
  if ("ok" in room) return room;
  const membership = membershipOf(room, req.user);
  if (membership !== "join" && membership !== "invite") return fail(403, "M_FORBIDDEN", `${req.user} is not in ${room.id}`);
  return { ok: true, value: null, events: [append(state, room, memberEvent(state, room, req.user, req.user, "leave", req.eventId, req.now))] };
}

export interface SendEventRequest {
  readonly roomId: RoomId;
  readonly sender: UserId;
  readonly type: string;
  readonly content: JsonObject;
  readonly eventId: EventId;
  readonly now: number;
}

/** `PUT /rooms/{roomId}/send/{eventType}/{txnId}` once the transaction id is known to be new. */
export function sendEvent(state: RoomsState, req: SendEventRequest): RoomResult<RoomEvent> {
  const room = roomOf(state, req.roomId);
  if ("ok" in room) return room;
  const denied = requireJoined(room, req.sender);
  if (denied !== null) return denied;
  const event = append(state, room, { event_id: req.eventId, room_id: room.id, sender: req.sender, type: req.type, content: req.content, origin_server_ts: req.now });
  return { ok: true, value: event, events: [event] };
}

export interface SetStateRequest extends SendEventRequest {
  readonly stateKey: string;
}

/** Membership changes go through invite/join/leave, so member and create events are refused here. */
export function setState(state: RoomsState, req: SetStateRequest): RoomResult<RoomEvent> {
  const room = roomOf(state, req.roomId);
  if ("ok" in room) return room;
  const denied = requireJoined(room, req.sender);
  if (denied !== null) return denied;
  if (req.type === "m.room.member" || req.type === "m.room.create") {
    return fail(403, "M_FORBIDDEN", `${req.type} cannot be set directly in this room model`);
  }
  const event = append(state, room, { event_id: req.eventId, room_id: room.id, sender: req.sender, type: req.type, content: req.content, state_key: req.stateKey, origin_server_ts: req.now });
  return { ok: true, value: event, events: [event] };
}

export interface SetDisplayNameRequest {
  readonly user: UserId;
  readonly displayname: string | null;
  /** One fresh id per joined room, used in room-id order (see `displayNameEventCount`). */
  readonly eventIds: readonly EventId[];
  readonly now: number;
}

export function displayNameEventCount(state: RoomsState, user: UserId): number {
  return joinedRooms(state, user).length;
}

/** Sets the profile name and, as servers do, re-announces it in every joined room. */
export function setDisplayName(state: RoomsState, req: SetDisplayNameRequest): RoomResult {
  const rooms = joinedRooms(state, req.user);
  if (req.eventIds.length < rooms.length) return fail(500, "M_UNKNOWN", "setDisplayName needs one event id per joined room");
  if (req.displayname === null) state.profiles.delete(req.user);
  else state.profiles.set(req.user, req.displayname);
  const events = rooms.map((room, i) =>
    append(state, room, memberEvent(state, room, req.user, req.user, "join", req.eventIds[i] as EventId, req.now)),
  );
  return { ok: true, value: null, events };
}
