/**
 * The transaction-id store: makes client requests idempotent.
 *
 * TD-37, TD-40, TD-41: a request is a retransmission when its transaction id and endpoint match an earlier
 * request of the same device (spec v1.7, MSC3970); the server answers with the first answer and
 * does nothing again. The scope is (user, device, endpoint, ...the path's other parameters,
 * txnId): for `sendToDevice` the event type is part of the path, so it is part of the scope.
 *
 * Only successes are remembered: a failed request (4xx) can be retried with the same id.
 * Retention is a policy (`txnRetentionMs`); entries are kept in a Map in the order they were
 * stored, so expiry walks from the oldest and stops at the first live one (cost: what expires),
 * assuming the driver's clock does not run backwards.
 */
import { createHash } from "node:crypto";
import { canonicalJson, type Json } from "../canonical-json.ts";
import type { DeviceId, TxnId, UserId } from "../ids.ts";

export interface TxnScope {
  readonly userId: UserId;
  readonly deviceId: DeviceId;
  /** The endpoint's operation id, e.g. `sendToDevice` or `sendMessage`. */
  readonly endpoint: string;
  /** The path's other parameters, in path order (for `sendToDevice`: the event type). */
  readonly path: readonly string[];
  readonly txnId: TxnId;
}

export interface TxnRecord<O = unknown> {
  readonly outcome: O;
  readonly storedAt: number;
  /** Fingerprint of the first body, kept only when reuse with another body is rejected. */
  readonly fingerprint: string | null;
}

export interface TxnStore {
  readonly entries: Map<string, TxnRecord>;
}

export function createTxnStore(): TxnStore {
  return { entries: new Map() };
}

export function txnKey(scope: TxnScope): string {
  return JSON.stringify([scope.userId, scope.deviceId, scope.endpoint, ...scope.path, scope.txnId]);
}

/** A digest of the body's canonical JSON: equal bodies, equal fingerprints. */
export function bodyFingerprint(body: Json): string {
  return createHash("sha256").update(canonicalJson(body)).digest("base64");
}

export function lookupTxn(store: TxnStore, key: string): TxnRecord | undefined {
  return store.entries.get(key);
}

export function rememberTxn(store: TxnStore, key: string, record: TxnRecord): void {
  // Re-inserting keeps the Map in storage order even if an expired key is reused.
  store.entries.delete(key);
  store.entries.set(key, record);
}

/** Forget every entry stored at or before `now - retentionMs`; returns how many. */
export function expireTxns(store: TxnStore, now: number, retentionMs: number): number {
  let expired = 0;
  for (const [key, record] of store.entries) {
    if (record.storedAt + retentionMs > now) break;
    store.entries.delete(key);
    expired++;
  }
  return expired;
}

/** When the oldest entry expires, or null if the store is empty. */
export function nextTxnExpiry(store: TxnStore, retentionMs: number): number | null {
  for (const record of store.entries.values()) return record.storedAt + retentionMs;
  return null;
}
