/**
 * Outbound send-to-device over federation: packing one accepted `sendToDevice` request's
 * messages for one destination into `m.direct_to_device` EDUs.
 *
 * Server-server API, "Send-to-device messaging" and the `m.direct_to_device` EDU schema:
 * `content` carries `sender`, `type`, `message_id` ("used for idempotence ... maximum length 32
 * codepoints") and `messages` (user id → device id or `*` → content).
 *
 * FED-10: each EDU is at most `maxEduBytes` (65536) bytes of canonical JSON, the
 * budget Synapse calls SOFT_MAX_EDU_SIZE, because proxies rejected the multi-megabyte EDUs
 * servers once produced. Packing is greedy and order-preserving: users in the request's order,
 * whole users first, and only a user who does not fit in an EDU of their own is split by
 * device. A single message above the budget still travels, alone: refusing oversized content is
 * the client API's 413 (TD-50), upstream of this module.
 *
 * FED-4, FED-5: every EDU has all four content fields and its own `message_id`.
 * FED-6: `*` is a device key like any other here; the receiving server expands it.
 */
import { canonicalJsonBytes, type Json } from "../../canonical-json.ts";
import type { UserId } from "../../ids.ts";

export type JsonObject = { readonly [key: string]: Json };

/** Device id (or `*`) → message content, for one recipient user. */
export type DeviceMessages = { readonly [deviceIdOrStar: string]: JsonObject };

/** Recipient user id → that user's device messages. */
export type MessagesByUser = { readonly [userId: string]: DeviceMessages };

export type DirectToDeviceContent = {
  readonly sender: UserId;
  readonly type: string;
  readonly message_id: string;
  readonly messages: MessagesByUser;
};

export type DirectToDeviceEdu = {
  readonly edu_type: "m.direct_to_device";
  readonly content: DirectToDeviceContent;
};

export interface OutboundToDevice {
  readonly sender: UserId;
  readonly eventType: string;
  readonly messages: MessagesByUser;
}

export const MAX_EDU_BYTES = 65536;
export const MAX_MESSAGE_ID_LENGTH = 32;

/** A map built from peer- or client-chosen keys: no prototype, so `__proto__` is just a key. */
function dict<V>(): Record<string, V> {
  return Object.create(null) as Record<string, V>;
}

function keyBytes(key: string): number {
  // Canonical JSON encodes keys exactly as JSON.stringify does; byteLength counts UTF-8 by default.
  return Buffer.byteLength(JSON.stringify(key));
}

/** Bytes of `"key":value` given the value's encoded size. */
function entryBytes(key: string, valueBytes: number): number {
  return keyBytes(key) + 1 + valueBytes;
}

interface OpenEdu {
  readonly messageId: string;
  readonly messages: Record<string, Record<string, JsonObject>>;
  /** Canonical JSON size of the whole EDU as it stands. */
  bytes: number;
}

interface Packer {
  readonly input: OutboundToDevice;
  readonly limit: number;
  readonly nextMessageId: () => string;
  readonly usedIds: Set<string>;
  readonly done: DirectToDeviceEdu[];
  /** Never empty: an EDU is opened only to receive a message at once. */
  open: OpenEdu | null;
  /** An id drawn to size the next EDU before it is opened; the next EDU takes it. */
  reserved: string | null;
}

function reserveId(p: Packer): string {
  if (p.reserved !== null) return p.reserved;
  const id = p.nextMessageId();
  // Caller misuse, not peer input: the id source must honour the schema and be fresh.
  if (id.length === 0 || Array.from(id).length > MAX_MESSAGE_ID_LENGTH || p.usedIds.has(id)) {
    throw new RangeError(`message id source returned an unusable id: ${JSON.stringify(id)}`);
  }
  p.usedIds.add(id);
  p.reserved = id;
  return id;
}

function emptyEdu(p: Packer, messageId: string): DirectToDeviceEdu {
  return {
    edu_type: "m.direct_to_device",
    content: { sender: p.input.sender, type: p.input.eventType, message_id: messageId, messages: {} },
  };
}

function openEdu(p: Packer): OpenEdu {
  const messageId = reserveId(p);
  p.reserved = null;
  const edu: OpenEdu = { messageId, messages: dict(), bytes: canonicalJsonBytes(emptyEdu(p, messageId)) };
  p.open = edu;
  return edu;
}

function close(p: Packer): void {
  const edu = p.open;
  if (edu === null) return;
  const { edu_type, content } = emptyEdu(p, edu.messageId);
  p.done.push({ edu_type, content: { ...content, messages: edu.messages } });
  p.open = null;
}

function deviceMapBytes(devices: DeviceMessages): number {
  const entries = Object.entries(devices).map(([d, c]) => entryBytes(d, canonicalJsonBytes(c)));
  return 2 + entries.reduce((a, b) => a + b, 0) + Math.max(0, entries.length - 1);
}

/** Adds a user's whole device map; `extra` is what it adds to the EDU's size. */
function addUser(edu: OpenEdu, user: string, devices: DeviceMessages, extra: number): void {
  const copy = dict<JsonObject>();
  for (const [device, content] of Object.entries(devices)) copy[device] = content;
  edu.messages[user] = copy;
  edu.bytes += extra;
}

/** Splits a user too large for an EDU of their own, device by device, in order. */
function packByDevice(p: Packer, user: string, devices: DeviceMessages): void {
  for (const [device, content] of Object.entries(devices)) {
    const deviceEntry = entryBytes(device, canonicalJsonBytes(content));
    const alone = entryBytes(user, 2 + deviceEntry);
    const edu = p.open;
    if (edu !== null) {
      const current = edu.messages[user];
      // Joining the user's map costs a comma; starting it costs the user key, braces and a comma.
      const extra = current === undefined ? alone + 1 : deviceEntry + 1;
      if (edu.bytes + extra <= p.limit) {
        if (current === undefined) {
          addUser(edu, user, { [device]: content }, extra);
        } else {
          current[device] = content;
          edu.bytes += extra;
        }
        continue;
      }
      close(p);
    }
    // A fresh EDU takes the message even when it alone exceeds the budget.
    addUser(openEdu(p), user, { [device]: content }, alone);
  }
}

function packUser(p: Packer, user: string, devices: DeviceMessages): void {
  const userEntry = entryBytes(user, deviceMapBytes(devices));
  const edu = p.open;
  if (edu !== null && edu.bytes + userEntry + 1 <= p.limit) {
    addUser(edu, user, devices, userEntry + 1);
  } else if (canonicalJsonBytes(emptyEdu(p, reserveId(p))) + userEntry <= p.limit) {
    close(p);
    addUser(openEdu(p), user, devices, userEntry);
  } else {
    packByDevice(p, user, devices);
  }
}

/**
 * Packs one request's messages for one destination into EDUs, in the request's user order.
 * `nextMessageId` is called once per EDU and must return fresh ids of 1 to 32 code points.
 * Users with an empty device map carry nothing and are left out.
 */
export function packDirectToDevice(
  input: OutboundToDevice,
  nextMessageId: () => string,
  maxEduBytes: number = MAX_EDU_BYTES,
): DirectToDeviceEdu[] {
  const p: Packer = { input, limit: maxEduBytes, nextMessageId, usedIds: new Set(), done: [], open: null, reserved: null };
  for (const [user, devices] of Object.entries(input.messages)) {
    if (Object.keys(devices).length > 0) packUser(p, user, devices);
  }
  close(p);
  return p.done;
}
