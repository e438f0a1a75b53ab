/**
 * This homeserver's side of federation for send-to-device: messages for users of other servers
 * go to the per-destination outbox (FED-1, FED-3…FED-12), and transactions received from other
 * servers are applied to the local inboxes (FED-13…FED-23). The outbox, the destination retry
 * machine and the inbound rules are pure modules in `federation/`; this file joins them to the
 * homeserver's state, ids and inboxes.
 */
import type { ServerName, TxnId } from "../ids.ts";
import type { Effect, FederationEnqueueEffect, JsonObject } from "./effects.ts";
import { createDestinations, type DestinationsState, type FederationResult, resumeDestinations, stepDestinations } from "./federation/destinations.ts";
import { createInbound, type Delivery, expireInbound, type InboundState, receiveTransaction } from "./federation/inbound.ts";
import type { Homeserver } from "./homeserver.ts";
import type { Policies } from "./policies.ts";
import { deliverLocal, type LocalDelivery } from "./todevice/inboxes.ts";
import { resolveRecipients } from "./todevice/recipients.ts";

export interface RemoteState {
  readonly destinations: DestinationsState;
  readonly inbound: InboundState;
}

export function createRemote(serverName: ServerName, policies: Policies): RemoteState {
  const f = policies.federation;
  return {
    destinations: createDestinations({ origin: serverName, backoff: f.backoff, maxEdusPerTransaction: f.maxEdusPerTransaction }),
    inbound: createInbound({ serverName, spoofedSender: f.spoofedSender, messageIdRetentionMs: f.messageIdRetentionMs }),
  };
}

/**
 * Fresh ids for message_id and txnId: the homeserver's epoch (given once, at creation, by its
 * driver) and a counter in state. Deterministic, so replay rebuilds the same ids; unique across
 * data wipes because the epoch changes (FED-5: at most 32 characters).
 */
export function freshIdSource(hs: Homeserver): () => string {
  // Stryker disable next-line UpdateOperator: counting down (-1, -2, …) yields distinct ids just as counting up does, and distinctness is all FED-5 asks
  return () => `${hs.epoch}${(++hs.state.ids.counter).toString(36)}`;
}

/** FED-1: hand messages for another server to its outbox; sending starts at once. */
export function forwardToDevice(hs: Homeserver, effect: FederationEnqueueEffect, now: number): Effect[] {
  return [...stepDestinations(hs.state.remote.destinations, effect, now, freshIdSource(hs)).effects];
}

export interface ReceiveTransactionCommand {
  readonly type: "receiveTransaction";
  readonly origin: ServerName;
  readonly txnId: TxnId;
  readonly body: unknown;
}

export type ReceiveTransactionOutcome =
  | { readonly ok: true; readonly status: 200; readonly body: { readonly pdus: JsonObject } }
  | { readonly ok: false; readonly status: 400 | 500; readonly errcode: string; readonly error: string };

/** FED-9: a malformed transaction is 400 M_BAD_JSON; FED-22: one that could not be stored is 500, so the origin retries. */
const REFUSALS = {
  rejected: { status: 400, errcode: "M_BAD_JSON" },
  storageFailed: { status: 500, errcode: "M_UNKNOWN" },
} as const;

/**
 * `PUT /_matrix/federation/v1/send/{txnId}` from an authenticated origin. Traffic from a
 * destination in back-off wakes it at once (FED-21).
 */
export function receiveTransactionCommand(hs: Homeserver, cmd: ReceiveTransactionCommand, now: number): { outcome: ReceiveTransactionOutcome; effects: Effect[] } {
  const effects: Effect[] = [];
  const store = (deliveries: readonly Delivery[]) => {
    effects.push(...deliverLocal(hs.state.todevice, localDeliveries(hs, deliveries), now));
    return { ok: true } as const;
  };
  const result = receiveTransaction(hs.state.remote.inbound, { origin: cmd.origin, txnId: cmd.txnId, body: cmd.body }, now, store);
  for (const log of result.effects) effects.push({ kind: "log", level: log.level, message: log.message });
  effects.push(...stepDestinations(hs.state.remote.destinations, { kind: "inboundFrom", origin: cmd.origin }, now, freshIdSource(hs)).effects);
  const answer = result.answer;
  if (answer.outcome === "accepted") return { outcome: { ok: true, status: 200, body: { pdus: {} } }, effects };
  const { status, errcode } = REFUSALS[answer.outcome];
  return { outcome: { ok: false, status, errcode, error: answer.error }, effects };
}


/**
 * FED-19, FED-23: `*` expands to the local user's devices and unknown recipients are handled as
 * for a local send (policy unknown-recipients), one EDU at a time so arrival order is kept.
 */
function localDeliveries(hs: Homeserver, deliveries: readonly Delivery[]): LocalDelivery[] {
  const out: LocalDelivery[] = [];
  let i = 0;
  while (i < deliveries.length) {
    const first = deliveries[i] as Delivery;
    const messages: Record<string, Record<string, JsonObject>> = {};
    for (; i < deliveries.length; i++) {
      const d = deliveries[i] as Delivery;
      // One transaction, one origin; its EDUs have distinct message ids (FED-18).
      if (d.messageId !== first.messageId) break;
      const byDevice = messages[d.userId] ?? {};
      byDevice[d.deviceId] = d.content;
      messages[d.userId] = byDevice;
    }
    const ctx = { serverName: hs.serverName, accounts: hs.state.accounts, policies: hs.policies, sender: first.sender, eventType: first.eventType };
    out.push(...resolveRecipients(ctx, messages).local);
  }
  return out;
}

export interface FederationResultCommand {
  readonly type: "federationResult";
  readonly destination: ServerName;
  readonly txnId: TxnId;
  readonly result: FederationResult;
}

export function federationResultCommand(hs: Homeserver, cmd: FederationResultCommand, now: number): Effect[] {
  const command = { kind: "federationResult", destination: cmd.destination, txnId: cmd.txnId, result: cmd.result } as const;
  return [...stepDestinations(hs.state.remote.destinations, command, now, freshIdSource(hs)).effects];
}

export function federationTimer(hs: Homeserver, id: string, now: number): Effect[] {
  return [...stepDestinations(hs.state.remote.destinations, { kind: "timer", id }, now, freshIdSource(hs)).effects];
}

export function expireRemote(hs: Homeserver, now: number): number {
  return expireInbound(hs.state.remote.inbound, now).messageIds;
}

/** After a restart: transactions in flight go out again, back-off timers are re-armed. */
export function resumeRemote(hs: Homeserver): Effect[] {
  return [...resumeDestinations(hs.state.remote.destinations)];
}

