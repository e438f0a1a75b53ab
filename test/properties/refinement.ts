/**
 * The refinement check: run commands on an engine and, after each, map every message the
 * engine ever stored to the delivery machine through `deliveryStateOf`; each message that moved
 * must have moved along a transition of the machine (checked with xstate's pure `transition`)
 * under an event the command stands for, and no other message may move.
 *
 * Which events a command stands for, per message of device D at position p:
 * - sendToDevice: STORE for the messages it creates (from `accepted`), nothing else;
 * - syncToDevice by D with since T (clamped to the head): ACK if p ≤ T, RETURN for any of D's;
 * - deleteDevice / logout of D: DEVICE_DELETED;
 * - expire: EXPIRE;
 * - anything else: no event.
 */
import { transition } from "xstate";
import type { Command } from "../../src/engine/commands.ts";
import type { Applied } from "../../src/engine/homeserver.ts";
import {
  type AbstractDelivery,
  deliveryStateOf,
  type MessageRef,
  stands,
  storedMessages,
} from "../../src/engine/todevice/delivery-abstraction.ts";
import {
  type DeliveryEvent,
  type DeliveryStateValue,
  deliveryMachine,
} from "../../src/engine/todevice/delivery.machine.ts";
import { parseStreamToken } from "../../src/ids.ts";
import type { Engine } from "./model/world.ts";

interface Tracked {
  readonly ref: MessageRef;
  machine: DeliveryStateValue;
  seen: AbstractDelivery;
}

export class RefinementChecker {
  private readonly tracked = new Map<string, Tracked>();
  transitions = 0;

  constructor(private readonly engine: Engine) {}

  /** Apply one command and throw if any message moved illegally. */
  step(command: Command, now: number): Applied {
    const hs = this.engine.hs;
    const target = command.type === "sendToDevice" || command.type === "expire" ? null : whoOf(this.engine, command);
    const head = hs.state.todevice.position;
    const applied = this.engine.apply(command, now);
    for (const item of this.tracked.values()) {
      const after = deliveryStateOf(hs, item.ref.userId, item.ref.deviceId, item.ref.position);
      if (after === item.seen) continue;
      const events = eventsFor(command, item.ref, target, head);
      this.move(item, after, events, command);
    }
    for (const ref of storedMessages(hs)) {
      const key = `${ref.userId}|${ref.deviceId}|${ref.position}`;
      if (this.tracked.has(key)) continue;
      const item: Tracked = { ref, machine: "accepted", seen: "gone" };
      this.tracked.set(key, item);
      const after = deliveryStateOf(hs, ref.userId, ref.deviceId, ref.position);
      this.move(item, after, command.type === "sendToDevice" ? [{ type: "STORE" }] : [], command);
    }
    return applied;
  }

  private move(item: Tracked, after: AbstractDelivery, events: readonly DeliveryEvent[], command: Command): void {
    for (const event of events) {
      this.transitions++;
      const [next] = transition(deliveryMachine, deliveryMachine.resolveState({ value: item.machine, context: {} }), event);
      const value = next.value as DeliveryStateValue;
      if (value !== item.machine && stands(after, value)) {
        item.machine = value;
        item.seen = after;
        return;
      }
    }
    const what = `${item.ref.userId}/${item.ref.deviceId}@${item.ref.position}`;
    throw new Error(
      `illegal move of ${what}: ${item.machine} (seen ${item.seen}) → ${after} on ${command.type}; allowed events ${JSON.stringify(events)}`,
    );
  }
}

interface Target {
  readonly userId: string;
  readonly deviceId: string;
}

/** The device a command acts on (the token's device, or the device it deletes). */
function whoOf(engine: Engine, command: Exclude<Command, { type: "sendToDevice" | "expire" }>): Target | null {
  if (!("token" in command) || command.token === null) return null;
  const who = engine.hs.state.accounts.tokens.get(command.token);
  if (who === undefined) return null;
  return command.type === "deleteDevice" ? { userId: who.userId, deviceId: command.deviceId } : who;
}

function eventsFor(command: Command, ref: MessageRef, target: Target | null, head: number): DeliveryEvent[] {
  if (command.type === "expire") return [{ type: "EXPIRE" }];
  if (target === null || target.userId !== ref.userId || target.deviceId !== ref.deviceId) return [];
  switch (command.type) {
    case "syncToDevice": {
      const since = command.since === undefined ? null : parseStreamToken(command.since);
      const acked = since?.ok === true && ref.position <= Math.min(since.value, head);
      return acked ? [{ type: "ACK" }, { type: "RETURN" }] : [{ type: "RETURN" }];
    }
    case "deleteDevice":
    case "logout":
      return [{ type: "DEVICE_DELETED" }];
    default:
      return [];
  }
}
