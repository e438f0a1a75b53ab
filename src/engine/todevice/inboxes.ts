/**
 * The send-to-device store of one homeserver: the to-device stream position and an inbox per
 * (user, device) with something pending. TD-10: messages live only here, never in room history.
 *
 * Stream positions: one counter per homeserver, and every stored message takes the next one, in
 * the order the request lists its recipients (user keys, then device keys, `*` expanded in
 * device creation order). So positions are unique, each inbox is strictly ordered, and a
 * message's stable id is (user, device, position). Recipients of one request therefore get
 * consecutive positions rather than a shared one (Synapse shares one); this keeps ids unique
 * even when the `expand-all` policy gives one device two messages from one request.
 *
 * Inboxes are created on first delivery and removed when they empty, so memory follows the
 * backlog, not the number of devices ever seen.
 */
import type { DeviceId, UserId } from "../../ids.ts";
import type { ToDeviceEvent } from "../commands.ts";
import type { WakeEffect } from "../effects.ts";
import { ackUpTo, appendMessage, createInbox, expireAcceptedBy, type Inbox, oldestAcceptedAt, pendingCount } from "./inbox.ts";

export interface ToDeviceState {
  /** The highest stream position handed out; 0 before the first message. */
  position: number;
  readonly inboxes: Map<UserId, Map<DeviceId, Inbox>>;
}

export function createToDeviceState(): ToDeviceState {
  return { position: 0, inboxes: new Map() };
}

/** A message for one local device. The devices one `*` reaches share one event object. */
export interface LocalDelivery {
  readonly userId: UserId;
  readonly deviceId: DeviceId;
  readonly event: ToDeviceEvent;
}

export function inboxOf(state: ToDeviceState, userId: UserId, deviceId: DeviceId): Inbox | undefined {
  return state.inboxes.get(userId)?.get(deviceId);
}

function ensureInbox(state: ToDeviceState, userId: UserId, deviceId: DeviceId): Inbox {
  let devices = state.inboxes.get(userId);
  if (devices === undefined) {
    devices = new Map();
    state.inboxes.set(userId, devices);
  }
  let inbox = devices.get(deviceId);
  if (inbox === undefined) {
    inbox = createInbox();
    devices.set(deviceId, inbox);
  }
  return inbox;
}

/**
 * TD-19, TD-20: store each message in its device's inbox, in order, each at the next stream position.
 * TD-55: returns one wake per device that got something, so the driver ends its long-poll.
 */
export function deliverLocal(state: ToDeviceState, deliveries: readonly LocalDelivery[], now: number): WakeEffect[] {
  const woken = new Set<Inbox>();
  const wakes: WakeEffect[] = [];
  for (const { userId, deviceId, event } of deliveries) {
    const inbox = ensureInbox(state, userId, deviceId);
    state.position += 1;
    appendMessage(inbox, state.position, event, now);
    if (!woken.has(inbox)) {
      woken.add(inbox);
      wakes.push({ kind: "wake", userId, deviceId });
    }
  }
  return wakes;
}

/** Remove an inbox that has nothing pending, so memory follows the backlog. */
export function releaseIfEmpty(state: ToDeviceState, userId: UserId, deviceId: DeviceId): void {
  const devices = state.inboxes.get(userId);
  if (devices === undefined) return;
  const inbox = devices.get(deviceId);
  if (inbox === undefined || pendingCount(inbox) > 0) return;
  devices.delete(deviceId);
  if (devices.size === 0) state.inboxes.delete(userId);
}

/**
 * TD-26 (device-deletion): device deletion under `purge-at-deletion`: delete the device's messages up to the stream
 * position at deletion time, so nothing stored later (for a device re-created with the same
 * id) is touched. Returns how many were deleted.
 */
export function purgeInbox(state: ToDeviceState, userId: UserId, deviceId: DeviceId, upTo: number): number {
  const inbox = inboxOf(state, userId, deviceId);
  if (inbox === undefined) return 0;
  const purged = ackUpTo(inbox, upTo);
  releaseIfEmpty(state, userId, deviceId);
  return purged;
}

/** Drop every pending message accepted at or before `cutoff`. Cost: inboxes plus what expires. */
export function expireUndelivered(state: ToDeviceState, cutoff: number): number {
  let expired = 0;
  for (const [userId, devices] of state.inboxes) {
    for (const [deviceId, inbox] of devices) {
      expired += expireAcceptedBy(inbox, cutoff);
      releaseIfEmpty(state, userId, deviceId);
    }
  }
  return expired;
}

/** The acceptance time of the oldest pending message anywhere, or null. */
export function oldestPendingAt(state: ToDeviceState): number | null {
  let oldest = Number.POSITIVE_INFINITY;
  for (const devices of state.inboxes.values()) {
    for (const inbox of devices.values()) oldest = Math.min(oldest, oldestAcceptedAt(inbox) ?? Number.POSITIVE_INFINITY);
  }
  return oldest === Number.POSITIVE_INFINITY ? null : oldest;
}
