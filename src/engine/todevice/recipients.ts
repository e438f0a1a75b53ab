/**
 * Who gets what: turning the `messages` map of one request into deliveries to local devices and
 * groups for remote servers, under the policies.
 *
 * Order: user keys as the body lists them, then device keys as listed, `*` expanded in place in
 * the recipient's device creation order. Remote users keep their device map as sent, `*`
 * included: the receiving server expands it (TD-24).
 */
import { type DeviceId, parseDeviceId, parseUserId, type ServerName, serverOf, type UserId } from "../../ids.ts";
import { type AccountsState, type DeviceRecord, devicesOf } from "../accounts.ts";
import type { ToDeviceEvent } from "../commands.ts";
import type { JsonObject } from "../effects.ts";
import type { Policies } from "../policies.ts";
import type { SendToDeviceMessages } from "./body.ts";
import type { LocalDelivery } from "./inboxes.ts";

const WILDCARD = "*";

export interface RemoteGroup {
  readonly destination: ServerName;
  readonly messages: { [userId: string]: { readonly [deviceId: string]: JsonObject } };
}

export interface Resolved {
  readonly local: LocalDelivery[];
  /** One group per destination, in the order the body first names it. */
  readonly remote: RemoteGroup[];
}

export interface SendContext {
  readonly serverName: ServerName;
  readonly accounts: AccountsState;
  readonly policies: Policies;
  readonly sender: UserId;
  readonly eventType: string;
}

/** One shared event object per content object, so `*` costs one event for all devices. */
type EventCache = Map<JsonObject, ToDeviceEvent>;

function eventFor(ctx: SendContext, cache: EventCache, content: JsonObject): ToDeviceEvent {
  let event = cache.get(content);
  if (event === undefined) {
    event = { sender: ctx.sender, type: ctx.eventType, content };
    cache.set(content, event);
  }
  return event;
}

export function resolveRecipients(ctx: SendContext, messages: SendToDeviceMessages): Resolved {
  const local: LocalDelivery[] = [];
  const remote = new Map<ServerName, RemoteGroup>();
  const cache: EventCache = new Map();
  for (const [rawUser, byDevice] of Object.entries(messages)) {
    const parsed = parseUserId(rawUser);
    // TD-27 (unknown-recipients): an invalid user id is skipped, the others still delivered.
    if (!parsed.ok) continue;
    const userId = parsed.value;
    const destination = serverOf(userId);
    if (destination !== ctx.serverName) {
      let group = remote.get(destination);
      if (group === undefined) {
        group = { destination, messages: {} };
        remote.set(destination, group);
      }
      group.messages[userId] = byDevice;
      continue;
    }
    for (const [deviceId, content] of localTargets(ctx, userId, byDevice)) {
      local.push({ userId, deviceId, event: eventFor(ctx, cache, content) });
    }
  }
  return { local, remote: [...remote.values()] };
}

/** The (device, content) pairs one local user gets from its device map. */
function localTargets(
  ctx: SendContext,
  userId: UserId,
  byDevice: { readonly [deviceId: string]: JsonObject },
): Array<[DeviceId, JsonObject]> {
  const devices = devicesOf(ctx.accounts, userId);
  const keys = Object.keys(byDevice);
  const mixed = keys.length > 1 && Object.hasOwn(byDevice, WILDCARD);
  const targets: Array<[DeviceId, JsonObject]> = [];
  for (const key of keys) {
    const content = byDevice[key];
    if (content === undefined) continue;
    if (key !== WILDCARD) {
      const deviceId = explicitTarget(ctx, devices, key);
      if (deviceId !== null) targets.push([deviceId, content]);
    } else if (!mixed || ctx.policies.wildcardMixed !== "literal") {
      // TD-7, TD-16, TD-47, TD-48: every device the user has now, the sender's own included.
      // TD-14, TD-49 (wildcard-mixed): under explicit-wins a named device keeps its own content.
      const skipNamed = mixed && ctx.policies.wildcardMixed === "explicit-wins";
      for (const deviceId of devices?.keys() ?? []) {
        if (!(skipNamed && Object.hasOwn(byDevice, deviceId))) targets.push([deviceId, content]);
      }
    }
    // Under `literal`, a `*` beside explicit ids is an ordinary device id, and no device has it.
  }
  return targets;
}

/** TD-27, TD-28 (unknown-recipients): an unknown device is skipped, or stored under `store`. */
function explicitTarget(
  ctx: SendContext,
  devices: ReadonlyMap<DeviceId, DeviceRecord> | undefined,
  key: string,
): DeviceId | null {
  const parsed = parseDeviceId(key);
  if (!parsed.ok) return null;
  if (devices?.has(parsed.value) === true) return parsed.value;
  return ctx.policies.unknownRecipients === "store" ? parsed.value : null;
}
