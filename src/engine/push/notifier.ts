/**
 * The homeserver's push path, end to end and pure: room events and receipts in, pusher queue
 * effects out. For each new room event it runs the push rules for every local user the event
 * concerns (the joined members, and the target of a member event), records the notifications
 * that the badge counts, and queues a notify body on each of the user's pushers. A read
 * receipt that changes a pusher's badge queues a badge-only update, once per change (PUSH-57).
 *
 * Badge-only updates travel through the same queue as event notifications, so they obey the
 * same order and back-off (Synapse sends them on the side, unretried).
 *
 * Re-setting an existing pusher restarts its queue: anything pending for the old settings is
 * discarded (as Synapse restarts a pusher at the current stream position).
 */
import type { Json } from "../../canonical-json.ts";
import type { DeviceId, UserId } from "../../ids.ts";
import {
  NOTIFICATION_POWER_LEVELS,
  type Room,
  type RoomEvent,
  type RoomsState,
  canonicalAlias,
  displayNameIn,
  joinedMembers,
  memberCount,
  powerLevel,
  roomName,
} from "../rooms/room-state.ts";
import { type Counts, NO_COUNTS, type NotificationLog, emptyNotificationLog, forgetRead, recordNotification, sameCounts, unreadCounts } from "./counts.ts";
import { evaluate } from "./evaluate.ts";
import { badgeBody, notifyBody } from "./notify-body.ts";
import type { PushPolicies } from "./policy.ts";
import {
  type PushEffect,
  type PushResult,
  type PusherQueue,
  applyPushResult,
  applyPushTimer,
  enqueueNotification,
  pusherOfTimer,
  resumePusherQueue,
  startPusherQueue,
  stopPusherQueue,
} from "./pusher-queue.ts";
import {
  type PusherChange,
  type PusherId,
  type PusherOutcome,
  type PusherTable,
  type SetPusherRequest,
  emptyPushers,
  pushersOf,
  removePusher,
  removePushersOfDevice,
  setPusher,
} from "./pushers.ts";
import { type PushRulesStore, emptyPushRules, rulesetFor } from "./rules.ts";

export interface PushState {
  readonly pushers: PusherTable;
  readonly rules: PushRulesStore;
  readonly log: NotificationLog;
  readonly queues: Map<PusherId, PusherQueue>;
  /** The counts last queued on each pusher: a badge-only update goes out only when they change. */
  readonly lastCounts: Map<PusherId, Counts>;
}

export function emptyPushState(): PushState {
  return { pushers: emptyPushers(), rules: emptyPushRules(), log: emptyNotificationLog(), queues: new Map(), lastCounts: new Map() };
}

function applyChanges(state: PushState, changes: readonly PusherChange[], policies: PushPolicies, now: number): PushEffect[] {
  const effects: PushEffect[] = [];
  for (const change of changes) {
    const old = state.queues.get(change.pusher.id);
    if (old !== undefined) effects.push(...stopPusherQueue(old, now));
    state.queues.delete(change.pusher.id);
    state.lastCounts.delete(change.pusher.id);
    if (change.kind === "pusher.set") {
      const p = change.pusher;
      const started = startPusherQueue({ pusherId: p.id, url: p.url, pushkey: p.pushkey, backoff: policies.backoff }, now);
      state.queues.set(p.id, started.queue);
      effects.push(...started.effects);
    }
  }
  return effects;
}

/** `POST /pushers/set`, with the pusher queues started or stopped to match. */
export function setPusherAndQueue(state: PushState, req: SetPusherRequest, policies: PushPolicies): { outcome: PusherOutcome; effects: PushEffect[] } {
  const outcome = setPusher(state.pushers, req, policies);
  return { outcome, effects: outcome.ok ? applyChanges(state, outcome.changes, policies, req.now) : [] };
}

/** Device deletion or logout (device-deletion policy, PUSH-67). */
export function deviceDeleted(state: PushState, user: UserId, deviceId: DeviceId, policies: PushPolicies, now: number): PushEffect[] {
  return applyChanges(state, removePushersOfDevice(state.pushers, user, deviceId), policies, now);
}

/** Runs `f` on the pusher's queue; a pusher that is gone (a late answer or timer) yields nothing. */
function withQueue(state: PushState, pusherId: PusherId, f: (queue: PusherQueue) => PushEffect[]): PushEffect[] {
  const queue = state.queues.get(pusherId);
  return queue === undefined ? [] : f(queue);
}

function enqueueFor(state: PushState, pusherId: PusherId, body: Json, counts: Counts, now: number): PushEffect[] {
  return withQueue(state, pusherId, (queue) => {
    state.lastCounts.set(pusherId, counts);
    return enqueueNotification(queue, body, now);
  });
}

/** The local users an event is evaluated for, in user-id order: joined members and a member event's target. */
function recipientsOf(room: Room, event: RoomEvent): UserId[] {
  const users = new Set(joinedMembers(room));
  // A member event always has a state_key; the sender only stands in for the type checker and goes next.
  if (event.type === "m.room.member") users.add((event.state_key ?? event.sender) as UserId);
  users.delete(event.sender);
  return [...users].sort();
}

function notifyUser(state: PushState, rooms: RoomsState, room: Room, event: RoomEvent, user: UserId, policies: PushPolicies, now: number): PushEffect[] {
  const verdict = evaluate(event, user, {
    ruleset: rulesetFor(state.rules, user, policies),
    roomMemberCount: memberCount(room),
    userDisplayName: displayNameIn(room, user),
    senderPowerLevel: powerLevel(room, event.sender),
    notificationPowerLevels: NOTIFICATION_POWER_LEVELS,
  });
  if (!verdict.notify) return [];
  const position = room.positions.get(event.event_id) ?? rooms.position;
  recordNotification(state.log, user, { roomId: room.id, eventId: event.event_id, position, isCall: event.type === "m.call.invite" });
  const counts = unreadCounts(state.log, rooms, user, policies);
  const facts = { senderDisplayName: displayNameIn(room, event.sender), roomName: roomName(room), roomAlias: canonicalAlias(room) };
  return pushersOf(state.pushers, user).flatMap((pusher) =>
    enqueueFor(state, pusher.id, notifyBody({ event, forUser: user, facts, counts, pusher, tweaks: verdict.tweaks }, policies), counts, now),
  );
}

/** New room events (as returned by the room commands), in order. */
export function onRoomEvents(state: PushState, rooms: RoomsState, events: readonly RoomEvent[], policies: PushPolicies, now: number): PushEffect[] {
  const effects: PushEffect[] = [];
  for (const event of events) {
    const room = rooms.rooms.get(event.room_id);
    if (room === undefined) continue;
    for (const user of recipientsOf(room, event)) effects.push(...notifyUser(state, rooms, room, event, user, policies, now));
  }
  // Sending moves the sender's own receipt, which may lower their badge.
  const senders = new Set(events.map((e) => e.sender));
  for (const sender of [...senders].sort()) effects.push(...onReceipt(state, rooms, sender, policies, now));
  return effects;
}

/** After a user's read receipt moved: a badge-only update on each pusher whose badge changed. */
export function onReceipt(state: PushState, rooms: RoomsState, user: UserId, policies: PushPolicies, now: number): PushEffect[] {
  forgetRead(state.log, rooms, user);
  const counts = unreadCounts(state.log, rooms, user, policies);
  return pushersOf(state.pushers, user).flatMap((pusher) => {
    if (sameCounts(state.lastCounts.get(pusher.id) ?? NO_COUNTS, counts)) return [];
    return enqueueFor(state, pusher.id, badgeBody(counts, pusher, policies), counts, now);
  });
}

/** The answer to a `push.notify`. A processed rejection removes the pusher (PUSH-30). */
export function onPushResult(state: PushState, pusherId: PusherId, result: PushResult, now: number): PushEffect[] {
  return withQueue(state, pusherId, (queue) => {
    const effects = applyPushResult(queue, result, now);
    if (effects.some((e) => e.kind === "pusher.removed")) {
      // Stryker disable next-line StringLiteral: the change removePusher returns is dropped here, so its reason is never read
      removePusher(state.pushers, pusherId, "rejected");
      state.queues.delete(pusherId);
      state.lastCounts.delete(pusherId);
    }
    return effects;
  });
}

/** A fired timer; null when the id is not a pusher's (the caller routes it elsewhere). */
export function onPushTimer(state: PushState, timerId: string, now: number): PushEffect[] | null {
  const pusherId = pusherOfTimer(timerId);
  if (pusherId === null) return null;
  return withQueue(state, pusherId, (queue) => applyPushTimer(queue, now));
}

/** After a restart: every pusher's push in flight and armed timer, again (at least once). */
export function resumePushers(state: PushState): PushEffect[] {
  return [...state.queues.values()].flatMap(resumePusherQueue);
}
