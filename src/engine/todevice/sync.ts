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
 * Cost: O(log n) to find T in the inbox, O(acknowledged) amortised to delete, O(limit) to list.
 */
import { parseStreamToken, streamToken } from "../../ids.ts";
import { authenticate } from "../accounts.ts";
import { type Failure, failure, type SyncResult, type SyncToDeviceCommand } from "../commands.ts";
import type { Handled as Applied, Homeserver } from "../homeserver.ts";
import { ackUpTo, takeForSync } from "./inbox.ts";
import { inboxOf, releaseIfEmpty } from "./inboxes.ts";

/** The since position to acknowledge up to: null for none, or a failure when malformed. */
export function sincePosition(raw: string | undefined, head: number): number | null | Failure {
  if (raw === undefined) return null;
  const parsed = parseStreamToken(raw);
  if (!parsed.ok) return failure("M_INVALID_PARAM", `Invalid since token: ${parsed.reason}`);
  return Math.min(parsed.value, head);
}

export function syncToDevice(hs: Homeserver, cmd: SyncToDeviceCommand): Applied<SyncResult | Failure> {
  const who = authenticate(hs.state.accounts, cmd.token);
  if (!who.ok) return { outcome: who, effects: [] };
  const store = hs.state.todevice;
  const since = sincePosition(cmd.since, store.position);
  if (since !== null && typeof since === "object") return { outcome: since, effects: [] };

  const inbox = inboxOf(store, who.userId, who.deviceId);
  if (inbox !== undefined && since !== null) {
    ackUpTo(inbox, since);
    releaseIfEmpty(store, who.userId, who.deviceId);
  }
  if (inbox === undefined) return { outcome: listed([], store.position), effects: [] };
  const taken = takeForSync(inbox, hs.policies.syncLimit);
  const next = taken.more && taken.lastPosition !== null ? taken.lastPosition : store.position;
  return { outcome: listed(taken.events, next), effects: [] };
}

function listed(events: SyncResult["events"], position: number): SyncResult {
  return { ok: true, nextBatch: streamToken(position), events };
}
