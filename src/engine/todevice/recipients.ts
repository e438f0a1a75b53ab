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

/** The event a recipient receives (TD-3, TD-15: the path's event type, the sender). */
function eventOf(ctx: SendContext, content: JsonObject): ToDeviceEvent {
  return { sender: ctx.sender, type: ctx.eventType, content };
}

export function resolveRecipients(ctx: SendContext, messages: SendToDeviceMessages): Resolved {
  const local: LocalDelivery[] = [];
  const remote = new Map<ServerName, RemoteGroup>();
  for (const rawUser in messages) {
    const byDevice = messages[rawUser] as SendToDeviceMessages[string];
    // A local account's id is a valid user id of this server: no need to parse it again.
    const known = ctx.accounts.users.has(rawUser as UserId);
    const parsed = known ? null : parseUserId(rawUser);
    // TD-27 (unknown-recipients): an invalid user id is skipped, the others still delivered.
    if (parsed !== null && !parsed.ok) continue;
    const userId = rawUser as UserId;
    const destination = known ? ctx.serverName : serverOf(userId);
    if (destination !== ctx.serverName) {
      let group = remote.get(destination);
      if (group === undefined) {
        group = { destination, messages: {} };
        remote.set(destination, group);
      }
      group.messages[userId] = byDevice;
      continue;
    }
    addLocalTargets(ctx, userId, byDevice, local);
  }
  return { local, remote: [...remote.values()] };
}

/** Appends one delivery per target device of `userId`; the devices of a `*` share one event object. */
function addLocalTargets(
  ctx: SendContext,
  userId: UserId,
  byDevice: { readonly [deviceId: string]: JsonObject },
  local: LocalDelivery[],
): void {
  const devices = devicesOf(ctx.accounts, userId);
  const keys = Object.keys(byDevice);
  const mixed = keys.length > 1 && Object.hasOwn(byDevice, WILDCARD);
  for (const key of keys) {
    const content = byDevice[key] as JsonObject;
    if (key !== WILDCARD) {
      const deviceId = explicitTarget(ctx, devices, key);
      if (deviceId !== null) local.push({ userId, deviceId, event: eventOf(ctx, content) });
    } else if (!mixed || ctx.policies.wildcardMixed !== "literal") {
      // TD-7, TD-16, TD-47, TD-48: every device the user has now, the sender's own included.
      // TD-14, TD-49 (wildcard-mixed): under explicit-wins a named device keeps its own content.
      const skipNamed = mixed && ctx.policies.wildcardMixed === "explicit-wins";
      const event = eventOf(ctx, content);
      for (const deviceId of devices?.keys() ?? []) {
        if (!(skipNamed && Object.hasOwn(byDevice, deviceId))) local.push({ userId, deviceId, event });
      }
    }
    // Under `literal`, a `*` beside explicit ids is an ordinary device id, and no device has it.
  }
}

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
