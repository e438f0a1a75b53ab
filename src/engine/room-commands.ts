/**
 * The room endpoints of the minimal room model that feeds push (DESIGN, "Push": the event
 * source): createRoom, invite, join, leave, send (with the same transaction-id rules as
 * send-to-device, TD-37…TD-40), state, read receipts and display names. Each command that makes
 * room events hands them to the push notifier (PUSH-51: the sender is never notified).
 *
 * Fresh ids come in with the command: `seed` is a string the driver makes unique; room ids are
 * `!<seed>:<server>` and event ids `$<seed>_<n>`.
 */
import type { Json } from "../canonical-json.ts";
import type { EventId, RoomId, TxnId, UserId } from "../ids.ts";
import { parseUserId } from "../ids.ts";
import { authenticate } from "./accounts.ts";
import type { Failure } from "./commands.ts";
import type { Effect, JsonObject } from "./effects.ts";
import type { Homeserver } from "./homeserver.ts";
import { onReceipt, onRoomEvents } from "./push/notifier.ts";
import type { Failure as RoomFailure } from "./rooms/outcome.ts";
import type { RoomEvent } from "./rooms/room-state.ts";
import { createRoom, createRoomEventCount, displayNameEventCount, invite, join, leave, type RoomResult, roomWithAlias, sendEvent, setDisplayName, setState } from "./rooms/rooms.ts";
import { setReceipt } from "./rooms/receipts.ts";
import { lookupTxn, rememberTxn, txnKey } from "./transactions.ts";

type Token = import("../ids.ts").AccessToken | null;

export type RoomCommand =
  | { readonly type: "createRoom"; readonly token: Token; readonly seed: string; readonly body: JsonObject }
  | { readonly type: "invite"; readonly token: Token; readonly roomId: string; readonly userId: string; readonly seed: string }
  | { readonly type: "join"; readonly token: Token; readonly roomIdOrAlias: string; readonly seed: string }
  | { readonly type: "leave"; readonly token: Token; readonly roomId: string; readonly seed: string }
  | { readonly type: "sendEvent"; readonly token: Token; readonly roomId: string; readonly eventType: string; readonly txnId: TxnId; readonly content: JsonObject; readonly seed: string }
  | { readonly type: "setState"; readonly token: Token; readonly roomId: string; readonly eventType: string; readonly stateKey: string; readonly content: JsonObject; readonly seed: string }
  | { readonly type: "setReceipt"; readonly token: Token; readonly roomId: string; readonly receiptType: string; readonly eventId: string }
  | { readonly type: "setDisplayName"; readonly token: Token; readonly userId: string; readonly displayname: string | null; readonly seed: string }
  | { readonly type: "getDisplayName"; readonly userId: string };

export type RoomOutcome =
  | { readonly ok: true; readonly body: Readonly<Record<string, Json>> }
  | Failure;

export function engineFailure(f: RoomFailure): Failure {
  return { ok: false, error: { errcode: f.errcode, message: f.error, status: f.status } };
}

function eventIds(seed: string, n: number): EventId[] {
  return Array.from({ length: n }, (_, i) => `$${seed}_${i}` as EventId);
}

function pushAfter(hs: Homeserver, events: readonly RoomEvent[], now: number): Effect[] {
  return onRoomEvents(hs.state.push, hs.state.rooms, events, hs.policies.push, now);
}

function finish<T>(hs: Homeserver, r: RoomResult<T>, body: (v: T) => Readonly<Record<string, Json>>, now: number): { outcome: RoomOutcome; effects: Effect[] } {
  if (!r.ok) return { outcome: engineFailure(r), effects: [] };
  return { outcome: { ok: true, body: body(r.value) }, effects: pushAfter(hs, r.events, now) };
}

/** The valid user ids of createRoom's `invite` list; anything else is ignored. */
function inviteList(v: Json | undefined): UserId[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((u) => {
    const p = typeof u === "string" ? parseUserId(u) : null;
    return p?.ok === true ? [p.value] : [];
  });
}

function resolveRoom(hs: Homeserver, idOrAlias: string): RoomId {
  if (!idOrAlias.startsWith("#")) return idOrAlias as RoomId;
  return roomWithAlias(hs.state.rooms, idOrAlias)?.id ?? (idOrAlias as RoomId);
}

/**
 * `room_alias_name` as a full alias. A localpart that is empty or holds ':', '#' or whitespace is
 * refused (the API's schema refuses it first over HTTP, as M_BAD_JSON; this guards other drivers).
 */
function aliasOf(hs: Homeserver, localpart: Json | undefined): { alias?: string } | Failure {
  if (localpart === undefined) return {};
  if (typeof localpart !== "string" || !/^[^:#\s]+$/.test(localpart)) {
    return { ok: false, error: { errcode: "M_INVALID_PARAM", message: "room_alias_name must be a non-empty localpart without ':', '#' or spaces", status: 400 } };
  }
  return { alias: `#${localpart}:${hs.serverName}` };
}

export function applyRoomCommand(hs: Homeserver, cmd: RoomCommand, now: number): { outcome: RoomOutcome; effects: Effect[] } {
  const rooms = hs.state.rooms;
  if (cmd.type === "getDisplayName") {
    const name = rooms.profiles.get(cmd.userId as UserId);
    return { outcome: name === undefined ? { ok: false, error: { errcode: "M_NOT_FOUND", message: "no display name", status: 404 } } : { ok: true, body: { displayname: name } }, effects: [] };
  }
  const who = authenticate(hs.state.accounts, cmd.token);
  if (!who.ok) return { outcome: who, effects: [] };
  switch (cmd.type) {
    case "createRoom": {
      const named = typeof cmd.body.name === "string" ? { name: cmd.body.name } : {};
      const topic = typeof cmd.body.topic === "string" ? { topic: cmd.body.topic } : {};
      const aliased = aliasOf(hs, cmd.body.room_alias_name);
      if ("ok" in aliased) return { outcome: aliased, effects: [] };
      const req = { creator: who.userId, roomId: `!${cmd.seed}:${hs.serverName}` as RoomId, ...named, ...topic, ...aliased, invite: inviteList(cmd.body.invite), isDirect: cmd.body.is_direct === true, now };
      const r = createRoom(rooms, { ...req, eventIds: eventIds(cmd.seed, createRoomEventCount(req)) });
      return finish(hs, r, (room) => ({ room_id: room.id }), now);
    }
    case "invite":
      return finish(hs, invite(rooms, { roomId: cmd.roomId as RoomId, sender: who.userId, target: cmd.userId as UserId, eventId: `$${cmd.seed}_0` as EventId, now }), () => ({}), now);
    case "join": {
      const roomId = resolveRoom(hs, cmd.roomIdOrAlias);
      return finish(hs, join(rooms, { roomId, user: who.userId, eventId: `$${cmd.seed}_0` as EventId, now }), () => ({ room_id: roomId }), now);
    }
    case "leave":
      return finish(hs, leave(rooms, { roomId: cmd.roomId as RoomId, user: who.userId, eventId: `$${cmd.seed}_0` as EventId, now }), () => ({}), now);
    case "sendEvent":
      return sendWithTxn(hs, who, cmd, now);
    case "setState": {
      const req = { roomId: cmd.roomId as RoomId, sender: who.userId, type: cmd.eventType, content: cmd.content, stateKey: cmd.stateKey, eventId: `$${cmd.seed}_0` as EventId, now };
      return finish(hs, setState(rooms, req), (e) => ({ event_id: e.event_id }), now);
    }
    case "setReceipt": {
      const r = setReceipt(rooms, { user: who.userId, roomId: cmd.roomId as RoomId, eventId: cmd.eventId as EventId });
      if (!r.ok) return { outcome: engineFailure(r), effects: [] };
      const effects = r.changed ? onReceipt(hs.state.push, rooms, who.userId, hs.policies.push, now) : [];
      return { outcome: { ok: true, body: {} }, effects };
    }
    case "setDisplayName": {
      if (cmd.userId !== who.userId) return { outcome: { ok: false, error: { errcode: "M_FORBIDDEN", message: "cannot set another user's display name", status: 403 } }, effects: [] };
      const ids = eventIds(cmd.seed, displayNameEventCount(rooms, who.userId));
      return finish(hs, setDisplayName(rooms, { user: who.userId, displayname: cmd.displayname, eventIds: ids, now }), () => ({}), now);
    }
  }
}

type SendEvent = Extract<RoomCommand, { type: "sendEvent" }>;

/** TD-37…TD-40 apply to `/send` too: scoped per device and endpoint, the first answer replayed. */
function sendWithTxn(hs: Homeserver, who: { userId: UserId; deviceId: import("../ids.ts").DeviceId }, cmd: SendEvent, now: number): { outcome: RoomOutcome; effects: Effect[] } {
  // Stryker disable next-line StringLiteral: the only other transaction-id endpoint, sendToDevice, keys one path parameter and /send two, so their keys differ whatever this label says
  const key = txnKey({ userId: who.userId, deviceId: who.deviceId, endpoint: "send", path: [cmd.roomId, cmd.eventType], txnId: cmd.txnId });
  const prior = lookupTxn(hs.state.txns, key);
  if (prior !== undefined) return { outcome: prior.outcome as RoomOutcome, effects: [] };
  const r = sendEvent(hs.state.rooms, { roomId: cmd.roomId as RoomId, sender: who.userId, type: cmd.eventType, content: cmd.content, eventId: `$${cmd.seed}_0` as EventId, now });
  const result = finish(hs, r, (e) => ({ event_id: e.event_id }), now);
  if (result.outcome.ok) rememberTxn(hs.state.txns, key, { outcome: result.outcome, storedAt: now, fingerprint: null });
  return result;
}
