/**
 * `m.read` receipts, one per user per room. A receipt only moves forward: the client-server
 * API ("Marking notifications as read") says notifications "prior to and including that event
 * MUST be marked as read", so a receipt for an older event reads nothing new; Courier keeps the
 * furthest one. Threaded receipts and `m.read.private` are out of scope.
 */
import type { EventId, RoomId, UserId } from "../../ids.ts";
import { type Failure, fail } from "./outcome.ts";
import { type Room, type RoomsState, membershipOf, positionOf } from "./room-state.ts";

/** Moves `user`'s receipt to `position` if that is further on; says whether it moved. */
export function moveReceipt(room: Room, user: UserId, eventId: EventId, position: number): boolean {
  const current = room.receipts.get(user);
  if (current !== undefined && current.position >= position) return false;
  room.receipts.set(user, { eventId, position });
  return true;
}

export interface SetReceiptRequest {
  readonly user: UserId;
  readonly roomId: RoomId;
  readonly eventId: EventId;
}

/** `POST /rooms/{roomId}/receipt/m.read/{eventId}`; `changed` is false when nothing new was read. */
export function setReceipt(state: RoomsState, req: SetReceiptRequest): { readonly ok: true; readonly changed: boolean } | Failure {
  const room = state.rooms.get(req.roomId);
  if (room === undefined) return fail(404, "M_NOT_FOUND", `unknown room ${req.roomId}`);
  if (membershipOf(room, req.user) !== "join") return fail(403, "M_FORBIDDEN", `${req.user} is not joined to ${req.roomId}`);
  const position = positionOf(room, req.eventId);
  if (position === null) return fail(404, "M_NOT_FOUND", `unknown event ${req.eventId} in ${req.roomId}`);
  return { ok: true, changed: moveReceipt(room, req.user, req.eventId, position) };
}

/** The stream position up to which `user` has read `room` (0: nothing read). */
export function readUpTo(room: Room, user: UserId): number {
  return room.receipts.get(user)?.position ?? 0;
}
