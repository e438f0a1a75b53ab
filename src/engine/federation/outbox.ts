/**
 * The federation outbox: for each destination, the `m.direct_to_device` EDUs waiting to leave,
 * in the order the origin accepted them, and the one transaction in flight.
 *
 * FED-8: a transaction carries at most 50 PDUs and 100 EDUs, and a sender never exceeds that.
 * FED-21, Courier's reference rules (DESIGN "Federation"):
 * - one transaction in flight per destination, so EDUs reach it in acceptance order;
 * - an EDU leaves the outbox only once the destination answered 200 to the transaction that
 *   carried it ("deleted only after a successful /send", as Synapse does);
 * - after a failure the SAME transaction (same txnId, same EDUs, same timestamp) is sent again,
 *   so the receiver's (origin, txnId) memory and (origin, message_id) dedupe both recognise it.
 *
 * Plain data, updated in place, JSON-serialisable: it is part of the engine's durable state.
 */
import type { ServerName, TxnId } from "../../ids.ts";
import type { DirectToDeviceEdu } from "./edu-packing.ts";

export const MAX_EDUS_PER_TRANSACTION = 100;

export interface OutboxTransaction {
  readonly txnId: TxnId;
  /** Fixed when the transaction is built, so every retry carries an identical body. */
  readonly originServerTs: number;
  readonly edus: readonly DirectToDeviceEdu[];
}

export interface DestinationQueue {
  /** EDUs not yet in any transaction, oldest first. */
  queued: DirectToDeviceEdu[];
  inFlight: OutboxTransaction | null;
}

export interface Outbox {
  readonly maxEdusPerTransaction: number;
  /** Keyed by destination server name; a destination with nothing left has no entry. */
  readonly queues: Record<string, DestinationQueue>;
}

export type NextTransaction =
  | { readonly outcome: "started"; readonly transaction: OutboxTransaction }
  | { readonly outcome: "busy"; readonly transaction: OutboxTransaction }
  | { readonly outcome: "empty" };

export type Acknowledgement =
  | { readonly outcome: "acknowledged"; readonly removed: number }
  | { readonly outcome: "notInFlight" };

/** FED-8: a transaction carries 1 to 100 EDUs; a policy asking for more or fewer is refused. */
export function checkEdusPerTransaction(max: number): void {
  if (!Number.isInteger(max) || max < 1 || max > MAX_EDUS_PER_TRANSACTION) {
    throw new RangeError(`maxEdusPerTransaction must be an integer from 1 to ${MAX_EDUS_PER_TRANSACTION}, got ${max}`);
  }
}

export function createOutbox(options: { readonly maxEdusPerTransaction?: number | undefined } = {}): Outbox {
  const max = options.maxEdusPerTransaction ?? MAX_EDUS_PER_TRANSACTION;
  checkEdusPerTransaction(max);
  // Null prototype: destination names come from user ids chosen by clients.
  return { maxEdusPerTransaction: max, queues: Object.create(null) as Record<string, DestinationQueue> };
}

function queueOf(outbox: Outbox, destination: ServerName): DestinationQueue {
  const existing = outbox.queues[destination];
  if (existing !== undefined) return existing;
  const created: DestinationQueue = { queued: [], inFlight: null };
  outbox.queues[destination] = created;
  return created;
}

/** Appends EDUs behind everything already queued for the destination. */
export function enqueue(outbox: Outbox, destination: ServerName, edus: readonly DirectToDeviceEdu[]): void {
  if (edus.length === 0) return;
  queueOf(outbox, destination).queued.push(...edus);
}

/**
 * Builds the destination's next transaction from the head of its queue, with an id from `newTxnId`,
 * if nothing is in flight. While one is in flight, returns it unchanged ("busy"), taking no id:
 * there is never a second.
 */
export function nextTransaction(outbox: Outbox, destination: ServerName, newTxnId: () => TxnId, now: number): NextTransaction {
  const queue = outbox.queues[destination];
  if (queue === undefined) return { outcome: "empty" };
  if (queue.inFlight !== null) return { outcome: "busy", transaction: queue.inFlight };
  // Not empty: a destination with nothing queued or in flight has no entry (see `acknowledge`).
  const edus = queue.queued.splice(0, outbox.maxEdusPerTransaction);
  const transaction: OutboxTransaction = { txnId: newTxnId(), originServerTs: now, edus };
  queue.inFlight = transaction;
  return { outcome: "started", transaction };
}

export function inFlight(outbox: Outbox, destination: ServerName): OutboxTransaction | null {
  return outbox.queues[destination]?.inFlight ?? null;
}

/** EDUs waiting behind the transaction in flight (not counting it). */
export function queuedCount(outbox: Outbox, destination: ServerName): number {
  return outbox.queues[destination]?.queued.length ?? 0;
}

/**
 * The destination answered 200 to `txnId`: exactly that transaction's EDUs leave the outbox.
 * An answer for any other transaction (a late duplicate, an old retry) changes nothing.
 */
export function acknowledge(outbox: Outbox, destination: ServerName, txnId: TxnId): Acknowledgement {
  const queue = outbox.queues[destination];
  if (queue?.inFlight?.txnId !== txnId) return { outcome: "notInFlight" };
  const removed = queue.inFlight.edus.length;
  queue.inFlight = null;
  if (queue.queued.length === 0) delete outbox.queues[destination];
  return { outcome: "acknowledged", removed };
}

/** Destinations that still hold EDUs, queued or in flight. */
export function pendingDestinations(outbox: Outbox): ServerName[] {
  return Object.keys(outbox.queues) as ServerName[];
}
