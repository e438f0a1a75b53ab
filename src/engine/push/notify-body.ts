/**
 * PUSH-1, PUSH-4: the body of `POST /_matrix/push/v1/notify` as the homeserver sends it (push gateway API,
 * push_notifier.yaml; the 2015 seed's HTTP Notification Protocol). PUSH-51: everything sits
 * inside `notification`, whose only required key is `devices`.
 *
 * Courier sends one device per request (the pusher's own), like Synapse, so a `rejected` answer
 * is always about this pusher's pushkey or about nothing it sent.
 */
import type { Json } from "../../canonical-json.ts";
import type { UserId } from "../../ids.ts";
import type { JsonObject, RoomEvent } from "../rooms/room-state.ts";
import type { Counts } from "./counts.ts";
import type { PushPolicies } from "./policy.ts";
import type { Pusher } from "./pushers.ts";
import type { Tweaks } from "./rule-types.ts";

export type NotifyPolicies = Pick<PushPolicies, "zeroCounts" | "legacyNotificationId">;
export type NotifyPusher = Pick<Pusher, "appId" | "pushkey" | "pushkeyTs" | "data">;

/** What the room says about the event at the time it is pushed. */
export interface EventFacts {
  readonly senderDisplayName: string | null;
  readonly roomName: string | null;
  readonly roomAlias: string | null;
}

export interface NotifyBodyInput {
  readonly event: RoomEvent;
  readonly forUser: UserId;
  readonly facts: EventFacts;
  readonly counts: Counts;
  readonly pusher: NotifyPusher;
  readonly tweaks: Tweaks;
}

/** PUSH-22, PUSH-46: the pusher's data minus `url`; `format` and custom keys are kept. */
export function dataMinusUrl(data: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(data).filter(([key]) => key !== "url"));
}

/** PUSH-18, PUSH-19, PUSH-20, PUSH-21, PUSH-22, PUSH-23, PUSH-24, PUSH-59: the one device entry. Empty tweaks are left out. */
export function deviceOf(pusher: NotifyPusher, tweaks: Tweaks): JsonObject {
  return {
    app_id: pusher.appId,
    pushkey: pusher.pushkey,
    pushkey_ts: pusher.pushkeyTs,
    data: dataMinusUrl(pusher.data),
    ...(Object.keys(tweaks).length > 0 ? { tweaks } : {}),
  };
}

/**
 * PUSH-14, PUSH-15, PUSH-53 (zero-counts policy). The `counts` object itself is always sent,
 * possibly empty: an empty `counts` still says "the badge is now zero", which a missing one
 * cannot say.
 */
export function countsJson(counts: Counts, policies: NotifyPolicies): JsonObject {
  const keep = (n: number) => policies.zeroCounts === "send" || n !== 0;
  return {
    ...(keep(counts.unread) ? { unread: counts.unread } : {}),
    ...(keep(counts.missed_calls) ? { missed_calls: counts.missed_calls } : {}),
  };
}

/** PUSH-12: `high` for encrypted events or a sound or highlight tweak, else `low`. */
export function prioOf(eventType: string, tweaks: Tweaks): "high" | "low" {
  const alerting = tweaks.sound !== undefined || tweaks.highlight === true;
  return eventType === "m.room.encrypted" || alerting ? "high" : "low";
}

function optional(key: string, value: string | null): JsonObject {
  return value === null ? {} : { [key]: value };
}

/** The event notification for one pusher, in the pusher's `format` (PUSH-55, PUSH-56). */
export function notifyBody(input: NotifyBodyInput, policies: NotifyPolicies): { readonly notification: JsonObject } {
  const { event, facts, pusher, tweaks } = input;
  const common: JsonObject = {
    event_id: event.event_id, // PUSH-52
    ...(policies.legacyNotificationId ? { id: event.event_id } : {}), // PUSH-5
    room_id: event.room_id, // PUSH-6
  };
  const tail: JsonObject = {
    prio: prioOf(event.type, tweaks),
    counts: countsJson(input.counts, policies),
    devices: [deviceOf(pusher, tweaks)],
  };
  if (pusher.data.format === "event_id_only") return { notification: { ...common, ...tail } };
  const isMember = event.type === "m.room.member";
  const notification: JsonObject = {
    ...common,
    type: event.type, // PUSH-7
    sender: event.sender, // PUSH-8
    ...optional("sender_display_name", facts.senderDisplayName), // PUSH-9
    ...optional("room_name", facts.roomName), // PUSH-10
    ...optional("room_alias", facts.roomAlias), // PUSH-11
    ...(isMember ? { user_is_target: event.state_key === input.forUser } : {}), // PUSH-25, PUSH-58
    content: event.content as Json, // PUSH-13
    ...tail,
  };
  return { notification };
}

/**
 * PUSH-57: a badge-only update, counts and devices and nothing else (no `type: null`, no empty
 * `id`, unlike what Synapse sends), so it is valid under today's schema.
 */
export function badgeBody(counts: Counts, pusher: NotifyPusher, policies: NotifyPolicies): { readonly notification: JsonObject } {
  return { notification: { counts: countsJson(counts, policies), devices: [deviceOf(pusher, {})] } };
}
