/**
 * One inbound `m.direct_to_device` EDU, read from a peer's JSON: its validation (FED-4, FED-5)
 * and the messages it carries for this server, in order (FED-20). Peer input is untrusted, so
 * nothing here assumes a shape it has not checked.
 */
import type { Json } from "../../canonical-json.ts";
import { type DeviceId, parseDeviceId, parseUserId, type ServerName, serverOf, type UserId } from "../../ids.ts";
import { type JsonObject, MAX_MESSAGE_ID_LENGTH } from "./edu-packing.ts";

/** One message to store: `deviceId` may be `*`, which the engine expands to the user's devices. */
export interface Delivery {
  readonly origin: ServerName;
  readonly messageId: string;
  readonly sender: UserId;
  readonly eventType: string;
  readonly userId: UserId;
  readonly deviceId: DeviceId;
  readonly content: JsonObject;
}

export type SkipReason =
  | "unknownEduType"
  | "invalidEdu"
  | "spoofedSender"
  | "duplicateMessageId"
  | "invalidRecipient"
  | "remoteRecipient"
  | "invalidContent";

export interface Skipped {
  readonly edu: number;
  readonly reason: SkipReason;
  readonly userId?: string;
  readonly deviceId?: string;
}

export function isObject(value: unknown): value is { readonly [key: string]: Json } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export interface DirectToDevice {
  readonly sender: UserId;
  readonly type: string;
  readonly messageId: string;
  readonly messages: { readonly [key: string]: Json };
}

export function parseDirectToDevice(edu: unknown): DirectToDevice | SkipReason {
  if (!isObject(edu) || typeof edu.edu_type !== "string") return "invalidEdu";
  if (edu.edu_type !== "m.direct_to_device") return "unknownEduType";
  const content = edu.content;
  if (!isObject(content)) return "invalidEdu";
  const { sender, type, message_id: messageId, messages } = content;
  const parsedSender = typeof sender === "string" ? parseUserId(sender) : null;
  if (parsedSender === null || !parsedSender.ok || typeof type !== "string" || type.length === 0) return "invalidEdu";
  if (typeof messageId !== "string" || messageId.length === 0) return "invalidEdu";
  if (Array.from(messageId).length > MAX_MESSAGE_ID_LENGTH || !isObject(messages)) return "invalidEdu";
  return { sender: parsedSender.value, type, messageId, messages };
}

/**
 * The deliveries an accepted EDU makes on `serverName`, appended in the EDU's order. FED-23
 * (nearest; policy unknown-recipients: skip): recipients of other servers are skipped. FED-7:
 * `*` passes through for the engine to expand.
 */
export function eduDeliveries(
  origin: ServerName,
  serverName: ServerName,
  index: number,
  edu: DirectToDevice,
  out: { readonly deliveries: Delivery[]; readonly skipped: Skipped[] },
): void {
  const { sender, type: eventType, messageId } = edu;
  for (const [user, devices] of Object.entries(edu.messages)) {
    const userId = parseUserId(user);
    if (!userId.ok || !isObject(devices)) {
      out.skipped.push({ edu: index, reason: "invalidRecipient", userId: user });
    } else if (serverOf(userId.value) !== serverName) {
      out.skipped.push({ edu: index, reason: "remoteRecipient", userId: user });
    } else {
      for (const [device, content] of Object.entries(devices)) {
        const deviceId = parseDeviceId(device);
        if (deviceId.ok && isObject(content)) {
          out.deliveries.push({ origin, messageId, sender, eventType, userId: userId.value, deviceId: deviceId.value, content });
        } else {
          out.skipped.push({ edu: index, reason: "invalidContent", userId: user, deviceId: device });
        }
      }
    }
  }
}
