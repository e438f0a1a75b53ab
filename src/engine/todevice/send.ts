/**
 * PUT /_matrix/client/v3/sendToDevice/{eventType}/{txnId} (TD-1, TD-34).
 *
 * The steps, in order; each either answers or goes on:
 * 1. TD-2, TD-56: authenticate the access token.
 * 2. TD-37, TD-38, TD-39, TD-40: a retransmission in the scope (user, device, endpoint, event
 *    type, txnId) is answered with the stored outcome and changes nothing. Concurrent duplicates cannot slip
 *    between check and store: the engine applies one command at a time, and this step and
 *    step 6 happen within one `apply`.
 * 3. TD-6, TD-8, TD-35, TD-36: check the body.
 * 4. TD-50: any content over 65536 bytes of canonical JSON rejects the whole request with
 *    413 M_TOO_LARGE, before anything is stored.
 * 5. TD-19, TD-24: store the local messages and hand the remote ones to federation. TD-3,
 *    TD-15: every message carries the path's event type.
 * 6. TD-5, TD-9: remember the outcome `200 {}` under the transaction key (TD-28: unknown
 *    recipients are not reported; the answer is `{}` either way). Failures are not
 *    remembered, so the client may retry them with the same txnId.
 */
import { canonicalJsonBytes, type Json } from "../../canonical-json.ts";
import type { UserId } from "../../ids.ts";
import { authenticate } from "../accounts.ts";
import { type Done, type Failure, failure, type SendToDeviceCommand } from "../commands.ts";
import type { InternalEffect, JsonObject } from "../effects.ts";
import type { Handled as Applied, Homeserver } from "../homeserver.ts";
import { bodyFingerprint, lookupTxn, rememberTxn, type TxnRecord, txnKey } from "../transactions.ts";
import { checkSendToDeviceBody, type SendToDeviceMessages } from "./body.ts";
import { deliverLocal } from "./inboxes.ts";
import { resolveRecipients } from "./recipients.ts";

/** TD-50: the largest content, in bytes of canonical JSON (MSC4514's EDU limit). */
export const MAX_TO_DEVICE_CONTENT_BYTES = 65536;

// Stryker disable next-line StringLiteral: the only other transaction-id endpoint, /send, keys two path parameters and this one one, so their keys differ whatever this label says
const ENDPOINT = "sendToDevice";

export function sendToDevice(hs: Homeserver, cmd: SendToDeviceCommand, now: number): Applied<Done | Failure> {
  const who = authenticate(hs.state.accounts, cmd.token);
  if (!who.ok) return { outcome: who, effects: [] };
  const scope = { userId: who.userId, deviceId: who.deviceId, endpoint: ENDPOINT, path: [cmd.eventType], txnId: cmd.txnId };
  const key = txnKey(scope);
  const prior = lookupTxn(hs.state.txns, key);
  if (prior !== undefined) return { outcome: replay(prior, cmd), effects: [] };

  const checked = checkSendToDeviceBody(cmd.body);
  if (!checked.ok) return { outcome: checked, effects: [] };
  if (hasOversizedContent(checked.value.messages)) {
    return { outcome: failure("M_TOO_LARGE", "A device message is too large."), effects: [] };
  }
  const effects = deliver(hs, who.userId, cmd.eventType, checked.value.messages, now);
  const outcome: Done = { ok: true };
  const fingerprint = hs.policies.txnReuseDifferentBody === "reject" ? bodyFingerprint(cmd.body) : null;
  rememberTxn(hs.state.txns, key, { outcome, storedAt: now, fingerprint });
  return { outcome, effects };
}

/** TD-38, TD-39, TD-46 (txn-body-mismatch): the first answer, or a refusal under `reject`. */
function replay(prior: TxnRecord, cmd: SendToDeviceCommand): Done | Failure {
  if (prior.fingerprint !== null && prior.fingerprint !== bodyFingerprint(cmd.body)) {
    return failure("M_INVALID_PARAM", "Transaction id reused with a different body.");
  }
  // The key names this endpoint, so the stored outcome is one this function stored.
  return prior.outcome as Done;
}

function hasOversizedContent(messages: SendToDeviceMessages): boolean {
  // for-in, not Object.values: this runs once per message, and the arrays were a measurable cost.
  for (const user in messages) {
    const byDevice = messages[user] as SendToDeviceMessages[string];
    for (const device in byDevice) {
      const content = byDevice[device] as JsonObject;
      // The cheap bound first: the exact count only for contents it cannot vouch for.
      if (!(jsonBytesAtMost(content, MAX_TO_DEVICE_CONTENT_BYTES) || canonicalJsonBytes(content) <= MAX_TO_DEVICE_CONTENT_BYTES)) return true;
    }
  }
  return false;
}

/**
 * True when the JSON encoding of `value` certainly fits in `budget` bytes, by a bound that costs
 * less than encoding: a string of n UTF-16 units takes at most 6n + 2 bytes (every unit escaped
 * as \uXXXX), a number at most 25 (JavaScript's longest shortest-round-trip form: a sign, "0.",
 * five zeros and 17 significant digits, as in -0.0000017871891121763511), null or a
 * boolean at most 5; an array or object at most 2 for its brackets and, per item, one separator
 * plus the item's bound, and for an object member its key as a string plus a colon. False means
 * "measure it": the bound is over budget, or the value is nested deeper than BOUND_DEPTH.
 */
export function jsonBytesAtMost(value: Json, budget: number): boolean {
  return jsonBytesBound(value, 0) <= budget;
}

/**
 * The longest text JSON.stringify gives a finite number: below 1e-6 and from 1e21 it switches to
 * exponent form (at most 24: -1.2345678901234567e-308), so the longest is a negative number in
 * [1e-6, 1e-5) with 17 significant digits, written out in full: 25.
 */
export const MAX_NUMBER_BYTES = 25;

/** Past this depth the bound gives up (Infinity), so it never recurses deeper than this. */
const BOUND_DEPTH = 32;

function jsonBytesBound(value: Json, depth: number): number {
  if (value === null || typeof value === "boolean") return 5;
  if (typeof value === "number") return MAX_NUMBER_BYTES;
  if (typeof value === "string") return 6 * value.length + 2;
  if (depth === BOUND_DEPTH) return Number.POSITIVE_INFINITY;
  let total = 2;
  if (Array.isArray(value)) {
    for (const item of value as readonly Json[]) total += 1 + jsonBytesBound(item, depth + 1);
    return total;
  }
  const object = value as { readonly [key: string]: Json };
  for (const key in object) total += 6 * key.length + 4 + jsonBytesBound(object[key] as Json, depth + 1);
  return total;
}

function deliver(
  hs: Homeserver,
  sender: UserId,
  eventType: string,
  messages: SendToDeviceMessages,
  now: number,
): InternalEffect[] {
  const ctx = { serverName: hs.serverName, accounts: hs.state.accounts, policies: hs.policies, sender, eventType };
  const resolved = resolveRecipients(ctx, messages);
  const effects: InternalEffect[] = deliverLocal(hs.state.todevice, resolved.local, now);
  for (const { destination, messages: forDestination } of resolved.remote) {
    effects.push({ kind: "federation.enqueue", destination, sender, eventType, messages: forDestination });
  }
  return effects;
}
