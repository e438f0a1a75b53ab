/**
 * Outbound federation for send-to-device, for all destinations (FED-1): packs accepted messages
 * into EDUs, keeps them in the outbox, steps each destination's retry machine
 * (`destination.machine.ts`) purely and turns its actions into effects:
 *
 * - `{kind: 'federation.send', destination, txnId, body}` (FED-12): PUT
 *   /_matrix/federation/v1/send/{txnId} with `body = {origin, origin_server_ts, pdus: [], edus}`
 *   (FED-3: no PDUs). The driver answers with a `federationResult` command, exactly one per send,
 *   a timeout or lost connection counting as a failure; any failure is retried (FED-21);
 * - `{kind: 'timer', id, at}`: the driver answers with a `timer` command at `at`. A timer whose
 *   back-off ended early (inbound traffic, a late 200) is simply ignored when it fires.
 *
 * Pure: time and fresh ids (message ids and transaction ids, one source) are inputs.
 */
import type { ServerName, TxnId, UserId } from "../../ids.ts";
import { restoreSnapshot, type StoredSnapshot, startMachine, stepMachine, storeSnapshot } from "../machine-step.ts";
import {
  type BackoffPolicy,
  DEFAULT_BACKOFF,
  type DestinationEvent,
  type DestinationStateValue,
  destinationMachine,
  RETRY_TIMER,
} from "./destination.machine.ts";
import { type DirectToDeviceEdu, MAX_EDU_BYTES, type MessagesByUser, packDirectToDevice } from "./edu-packing.ts";
import {
  acknowledge,
  createOutbox,
  enqueue,
  inFlight,
  type NextTransaction,
  nextTransaction,
  type Outbox,
  type OutboxTransaction,
  queuedCount,
} from "./outbox.ts";

export interface DestinationsConfig {
  readonly origin: ServerName;
  readonly backoff?: BackoffPolicy;
  readonly maxEdusPerTransaction?: number;
  readonly maxEduBytes?: number;
}

export interface DestinationRecord {
  snapshot: StoredSnapshot;
  retryTimer: { readonly id: string; readonly at: number } | null;
}

export interface DestinationsState {
  readonly origin: ServerName;
  readonly backoff: BackoffPolicy;
  readonly maxEduBytes: number;
  readonly outbox: Outbox;
  /** Destinations with something queued, in flight or backing off; idle ones are dropped. */
  readonly destinations: Record<string, DestinationRecord>;
  /** Makes every armed timer id unique, so a stale timer can never be mistaken for a live one. */
  timerSeq: number;
}

export type TransactionBody = {
  readonly origin: ServerName;
  readonly origin_server_ts: number;
  readonly pdus: readonly never[];
  readonly edus: readonly DirectToDeviceEdu[];
};

export type DestinationsEffect =
  | { readonly kind: "federation.send"; readonly destination: ServerName; readonly txnId: TxnId; readonly body: TransactionBody }
  | { readonly kind: "timer"; readonly id: string; readonly at: number };

export type FederationResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly status?: number; readonly reason: string };

export type DestinationsCommand =
  | {
      readonly kind: "federation.enqueue";
      readonly destination: ServerName;
      readonly sender: UserId;
      readonly eventType: string;
      readonly messages: MessagesByUser;
    }
  | { readonly kind: "federationResult"; readonly destination: ServerName; readonly txnId: TxnId; readonly result: FederationResult }
  | { readonly kind: "timer"; readonly id: string }
  | { readonly kind: "inboundFrom"; readonly origin: ServerName };

export type DestinationsOutcome =
  | { readonly outcome: "enqueued"; readonly edus: number }
  | { readonly outcome: "nothingToSend" }
  | { readonly outcome: "acknowledged"; readonly removed: number }
  | { readonly outcome: "failed" }
  | { readonly outcome: "retrying" }
  | { readonly outcome: "woken" }
  /** A result for a transaction no longer in flight, a stale timer, or traffic from an idle peer. */
  | { readonly outcome: "ignored" };

export interface DestinationsStep {
  readonly result: DestinationsOutcome;
  readonly effects: readonly DestinationsEffect[];
}

// Stryker disable next-line StringLiteral: a fired timer counts only if it equals its destination's armed id, so the prefix just labels ids (push's start with `push.backoff:`)
const TIMER_PREFIX = "federation.retry:";

export function createDestinations(config: DestinationsConfig): DestinationsState {
  return {
    origin: config.origin,
    backoff: config.backoff ?? DEFAULT_BACKOFF,
    maxEduBytes: config.maxEduBytes ?? MAX_EDU_BYTES,
    outbox: createOutbox({ maxEdusPerTransaction: config.maxEdusPerTransaction }),
    destinations: Object.create(null) as Record<string, DestinationRecord>,
    timerSeq: 0,
  };
}

export function destinationState(state: DestinationsState, destination: ServerName): DestinationStateValue {
  const record = state.destinations[destination];
  return record === undefined ? "idle" : (record.snapshot.value as DestinationStateValue);
}

function recordOf(state: DestinationsState, destination: ServerName, now: number): DestinationRecord {
  const existing = state.destinations[destination];
  if (existing !== undefined) return existing;
  const start = startMachine(destinationMachine, { policy: state.backoff }, now);
  const created: DestinationRecord = { snapshot: storeSnapshot(start.snapshot), retryTimer: null };
  state.destinations[destination] = created;
  return created;
}

function sendEffect(state: DestinationsState, destination: ServerName, txn: OutboxTransaction): DestinationsEffect {
  const body: TransactionBody = { origin: state.origin, origin_server_ts: txn.originServerTs, pdus: [], edus: txn.edus };
  return { kind: "federation.send", destination, txnId: txn.txnId, body };
}

/**
 * The `sendTransaction` action: the transaction in flight again, or a new one from the queue.
 * The machine enters `sending` with nothing in flight only on `enqueued` (just queued) or on a
 * `succeeded` guarded by `moreQueued`, so the outbox is never empty here and `drained` is not needed.
 */
function sendTransaction(state: DestinationsState, destination: ServerName, now: number, freshId: () => string): DestinationsEffect {
  const next = nextTransaction(state.outbox, destination, () => freshId() as TxnId, now);
  return sendEffect(state, destination, (next as Exclude<NextTransaction, { outcome: "empty" }>).transaction);
}

function drive(
  state: DestinationsState,
  destination: ServerName,
  event: DestinationEvent,
  now: number,
  freshId: () => string,
): DestinationsEffect[] {
  const record = recordOf(state, destination, now);
  const step = stepMachine(destinationMachine, restoreSnapshot(destinationMachine, record.snapshot), event, now);
  record.snapshot = storeSnapshot(step.snapshot);
  if (step.cancelled.includes(RETRY_TIMER)) record.retryTimer = null;
  const effects: DestinationsEffect[] = [];
  for (const action of step.actions) {
    if (action.type === "acknowledge") {
      // Stepped on `succeeded`, which federationResult sends only for the transaction in flight.
      acknowledge(state.outbox, destination, (inFlight(state.outbox, destination) as OutboxTransaction).txnId);
    } else {
      // `sendTransaction`, the machine's only other named action (the rest are assign, raise, cancel).
      effects.push(sendTransaction(state, destination, now, freshId));
    }
  }
  for (const timer of step.timers) {
    // Stryker disable next-line AssignmentOperator: counting down keeps every armed id distinct just as counting up does, and ids are only compared for equality
    state.timerSeq += 1;
    record.retryTimer = { id: `${TIMER_PREFIX}${state.timerSeq}:${destination}`, at: timer.at };
    effects.push({ kind: "timer", id: record.retryTimer.id, at: timer.at });
  }
  if (step.snapshot.value === "idle") delete state.destinations[destination];
  return effects;
}

function enqueueToDevice(
  state: DestinationsState,
  command: Extract<DestinationsCommand, { kind: "federation.enqueue" }>,
  now: number,
  freshId: () => string,
): DestinationsStep {
  const edus = packDirectToDevice(command, freshId, state.maxEduBytes);
  if (edus.length === 0) return { result: { outcome: "nothingToSend" }, effects: [] };
  enqueue(state.outbox, command.destination, edus);
  const effects = drive(state, command.destination, { type: "enqueued" }, now, freshId);
  return { result: { outcome: "enqueued", edus: edus.length }, effects };
}

function federationResult(
  state: DestinationsState,
  command: Extract<DestinationsCommand, { kind: "federationResult" }>,
  now: number,
  freshId: () => string,
): DestinationsStep {
  const { destination, txnId, result } = command;
  const current = inFlight(state.outbox, destination);
  // A destination with a transaction in flight is never idle, so it always has a record.
  if (current?.txnId !== txnId) return { result: { outcome: "ignored" }, effects: [] };
  if (!result.ok) {
    return { result: { outcome: "failed" }, effects: drive(state, destination, { type: "failed" }, now, freshId) };
  }
  const remaining = queuedCount(state.outbox, destination);
  const effects = drive(state, destination, { type: "succeeded", remaining }, now, freshId);
  return { result: { outcome: "acknowledged", removed: current.edus.length }, effects };
}

function timerFired(state: DestinationsState, id: string, now: number, freshId: () => string): DestinationsStep {
  // `${TIMER_PREFIX}${seq}:${destination}`; the destination may hold a colon itself (a port). Any
  // other id names no destination's live timer exactly, so it is ignored.
  const destination = id.slice(id.indexOf(":", TIMER_PREFIX.length) + 1) as ServerName;
  const record = state.destinations[destination];
  if (record?.retryTimer?.id !== id) return { result: { outcome: "ignored" }, effects: [] };
  record.retryTimer = null;
  return { result: { outcome: "retrying" }, effects: drive(state, destination, { type: "retry" }, now, freshId) };
}

function inboundFrom(state: DestinationsState, origin: ServerName, now: number, freshId: () => string): DestinationsStep {
  if (destinationState(state, origin) !== "backingOff") return { result: { outcome: "ignored" }, effects: [] };
  return { result: { outcome: "woken" }, effects: drive(state, origin, { type: "inboundFrom" }, now, freshId) };
}

/** Applies one command. `freshId` must return ids never returned before (at most 32 characters). */
export function stepDestinations(
  state: DestinationsState,
  command: DestinationsCommand,
  now: number,
  freshId: () => string,
): DestinationsStep {
  switch (command.kind) {
    case "federation.enqueue":
      return enqueueToDevice(state, command, now, freshId);
    case "federationResult":
      return federationResult(state, command, now, freshId);
    case "timer":
      return timerFired(state, command.id, now, freshId);
    case "inboundFrom":
      return inboundFrom(state, command.origin, now, freshId);
  }
}

/**
 * After a restart from stored state: the effects that were outstanding. Sends still in flight go
 * out again (the same transaction; the receiver dedupes), armed back-off timers are re-armed.
 */
export function resumeDestinations(state: DestinationsState): DestinationsEffect[] {
  const effects: DestinationsEffect[] = [];
  for (const [name, record] of Object.entries(state.destinations)) {
    const destination = name as ServerName;
    const txn = record.snapshot.value === "sending" ? inFlight(state.outbox, destination) : null;
    if (txn !== null) effects.push(sendEffect(state, destination, txn));
    if (record.retryTimer !== null) effects.push({ kind: "timer", ...record.retryTimer });
  }
  return effects;
}
