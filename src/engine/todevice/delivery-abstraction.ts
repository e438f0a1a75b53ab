/**
 * The abstraction function from engine state to the delivery machine (delivery.machine.ts).
 *
 * A message's id is (user, device, stream position). The engine keeps a message only while it
 * is pending, so:
 * - held in the inbox, at or below the inbox's `returnedUpTo` watermark → `returned`;
 * - held, above the watermark → `pending`;
 * - not held → `gone`: the machine is in a final state (acknowledged or dropped). The engine
 *   keeps no trace of which, or of ids it never stored; the refinement test asks only about ids
 *   it has seen stored, and lets the machine say which final state a step led to.
 */
import type { DeviceId, UserId } from "../../ids.ts";
import type { Homeserver } from "../homeserver.ts";
import type { DeliveryStateValue } from "./delivery.machine.ts";
import { holds, pendingPositions } from "./inbox.ts";
import { inboxOf } from "./inboxes.ts";

export type AbstractDelivery = "pending" | "returned" | "gone";

export interface MessageRef {
  readonly userId: UserId;
  readonly deviceId: DeviceId;
  readonly position: number;
}

export function deliveryStateOf(hs: Homeserver, userId: UserId, deviceId: DeviceId, messageId: number): AbstractDelivery {
  const inbox = inboxOf(hs.state.todevice, userId, deviceId);
  if (inbox === undefined || !holds(inbox, messageId)) return "gone";
  return messageId <= inbox.returnedUpTo ? "returned" : "pending";
}

/** Whether a machine state is one the abstract state stands for. */
export function stands(abstract: AbstractDelivery, machine: DeliveryStateValue): boolean {
  if (abstract === "gone") return machine === "acknowledged" || machine === "dropped";
  return abstract === machine;
}

/** Every message the engine holds, inbox by inbox, oldest first (for tests: O(backlog)). */
export function* storedMessages(hs: Homeserver): Generator<MessageRef> {
  for (const [userId, devices] of hs.state.todevice.inboxes) {
    for (const [deviceId, inbox] of devices) {
      for (const position of pendingPositions(inbox)) yield { userId, deviceId, position };
    }
  }
}
