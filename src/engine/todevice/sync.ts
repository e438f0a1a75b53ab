/**
 * The `to_device` part of GET /sync (TD-17, TD-29, TD-30): acknowledge, then list.
 *
 * 1. TD-56: authenticate; the token names the device.
 * 2. `since`, if given, is a stream position: malformed is 400 M_INVALID_PARAM; one beyond the
 *    stream head (a token from the future) is clamped to the head.
 * 3. TD-21, TD-53: a sync with since=T treats every message at or below T as delivered and
 *    deletes it. TD-52: a sync without `since` deletes nothing.
 * 4. TD-20, TD-22, TD-23: list the oldest pending messages, in arrival order, at most
 *    `syncLimit` of them (TD-51: no filter applies).
 * 5. TD-54: if the limit left messages behind, `nextBatch` is the position of the last message
 *    returned, so the next sync (since=nextBatch) has something at once; otherwise it is the
 *    stream head.
 *
 * Cost: O(log k) to find T in the inbox for k acknowledged (a galloping search from its head),
 * O(k) amortised to delete them, O(limit) to list.
 */
import { parseStreamToken, streamToken } from "../../ids.ts";
import { authenticate, type Identity } from "../accounts.ts";
import { type Failure, failure, type SyncResult, type SyncToDeviceCommand } from "../commands.ts";
import type { Handled as Applied, Homeserver } from "../homeserver.ts";
import { ackUpTo, takeForSync } from "./inbox.ts";
import { inboxOf, releaseIfEmpty } from "./inboxes.ts";

/**
 * The position to acknowledge up to, or a failure when `since` is malformed. No `since` is 0:
 * stream positions start at 1, so it acknowledges nothing (TD-52).
 */
export function sincePosition(raw: string | undefined, head: number): number | Failure {
  if (raw === undefined) return 0;
  const parsed = parseStreamToken(raw);
  if (!parsed.ok) return failure("M_INVALID_PARAM", `Invalid since token: ${parsed.reason}`);
  return Math.min(parsed.value, head);
}

export function syncToDevice(hs: Homeserver, cmd: SyncToDeviceCommand): Applied<SyncResult | Failure> {
  const who = authenticate(hs.state.accounts, cmd.token);
  if (!who.ok) return { outcome: who, effects: [] };
  const since = sincePosition(cmd.since, hs.state.todevice.position);
  if (typeof since === "object") return { outcome: since, effects: [] };
  return { outcome: toDeviceSince(hs, who, since), effects: [] };
}

/** Steps 3 to 5 for an authenticated device, `since` already read and clamped to the head. */
export function toDeviceSince(hs: Homeserver, device: Identity, since: number): SyncResult {
  const store = hs.state.todevice;
  const inbox = inboxOf(store, device.userId, device.deviceId);
  if (inbox === undefined) return listed([], store.position);
  ackUpTo(inbox, since);
  releaseIfEmpty(store, device.userId, device.deviceId);
  const taken = takeForSync(inbox, hs.policies.syncLimit);
  // A cut (more left behind) always follows a returned message, so its position is there.
  const next = taken.more ? (taken.lastPosition ?? store.position) : store.position;
  return listed(taken.events, next);
}

function listed(events: SyncResult["events"], position: number): SyncResult {
  return { ok: true, nextBatch: streamToken(position), events };
}
