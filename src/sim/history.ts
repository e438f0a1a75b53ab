/**
 * What a run records, Jepsen-style: client-visible operations with unique ids, so the checkers
 * run in linear time.
 *
 * To-device: every send (sender, recipients as known when sent, txnId, attempts, acknowledged or
 * not, and its acceptance order: a world-wide counter taken when the origin server first
 * accepted it) and, per device, its committed sync chain (the events of every response whose
 * next_batch the device adopted). Retransmissions that changed anything are noted as they happen.
 *
 * Push: per pusher, a log in time order of what the homeserver enqueued, sent (with the attempt
 * number), learnt back (failure, 2xx with or without this pushkey in `rejected`) and dropped;
 * when its server restarted; what the gateway received; and, per pushkey, what reached the
 * provider, or what the gateway gave up on. Badge-only notifications carry no event id (`null`).
 */
import type { SendOutcome } from "../check/history.ts";

export interface SendRecord {
  readonly id: string;
  /** The sending device's key, `@u0:hs1.test|D0`. */
  readonly sender: string;
  readonly origin: number;
  readonly kind: "toDevice" | "room";
  /** Device keys the message is addressed to (`*` expanded over the fixed population). */
  readonly recipients: readonly string[];
  readonly txnId: string;
  outcome: SendOutcome | "pending";
  /** Acceptance order, or -1 while no server has accepted it. */
  order: number;
  acceptedAt: number;
  ackedAt: number;
  attempts: number;
}

export type PusherEntry =
  | { readonly kind: "enqueued"; readonly at: number; readonly eventId: string | null }
  | { readonly kind: "sent"; readonly at: number; readonly eventId: string | null; readonly attempt: number }
  | { readonly kind: "failed"; readonly at: number }
  | { readonly kind: "accepted"; readonly at: number; readonly rejected: boolean }
  | { readonly kind: "dropped"; readonly at: number; readonly eventId: string | null }
  | { readonly kind: "restarted"; readonly at: number }
  | { readonly kind: "received"; readonly at: number; readonly eventId: string | null };

export interface PusherHistory {
  readonly pusherId: string;
  readonly pushkey: string;
  readonly server: number;
  readonly log: PusherEntry[];
  /** Event ids in the order the provider delivered them. */
  readonly delivered: (string | null)[];
  /** Event ids the gateway gave up on (its own retry policy, or a permanent provider failure). */
  readonly gatewayDropped: Set<string>;
  /** How many entries of the engine's queue the world has already recorded as enqueued. */
  observed: number;
}

export interface IdempotencyFinding {
  readonly id: string;
  readonly at: number;
  readonly reason: string;
}

export class History {
  readonly sends: SendRecord[] = [];
  readonly chains = new Map<string, string[][]>();
  readonly idempotency: IdempotencyFinding[] = [];
  readonly pushers = new Map<string, PusherHistory>();
  readonly byPushkey = new Map<string, PusherHistory>();
  private acceptSeq = 0;
  committedEvents = 0;

  addSend(record: SendRecord): void {
    this.sends.push(record);
  }

  /** The origin server answered 200 to a send; the first such answer fixes its order. */
  accepted(record: SendRecord, at: number): void {
    if (record.order !== -1) return;
    record.order = this.acceptSeq++;
    record.acceptedAt = at;
  }

  commit(device: string, ids: string[]): void {
    let chain = this.chains.get(device);
    if (chain === undefined) {
      chain = [];
      this.chains.set(device, chain);
    }
    chain.push(ids);
    this.committedEvents += ids.length;
  }

  addPusher(pusherId: string, pushkey: string, server: number): void {
    const history: PusherHistory = { pusherId, pushkey, server, log: [], delivered: [], gatewayDropped: new Set(), observed: 0 };
    this.pushers.set(pusherId, history);
    this.byPushkey.set(pushkey, history);
  }

  pusherLog(pusherId: string, entry: PusherEntry): void {
    this.pushers.get(pusherId)?.log.push(entry);
  }

  /** The server restarted: every pusher it hosts re-arms timers and resends what was in flight. */
  restarted(server: number, at: number): void {
    for (const pusher of this.pushers.values()) if (pusher.server === server) pusher.log.push({ kind: "restarted", at });
  }

  providerDelivered(pushkey: string, eventId: string | null): void {
    this.byPushkey.get(pushkey)?.delivered.push(eventId);
  }

  gatewayDropped(pushkey: string, eventId: string): void {
    this.byPushkey.get(pushkey)?.gatewayDropped.add(eventId);
  }
}

/** The event id of a notify body, or null for a badge-only notification. */
export function notifiedEventId(body: unknown): string | null {
  if (typeof body !== "object" || body === null || !("notification" in body)) return null;
  const notification = body.notification;
  if (typeof notification !== "object" || notification === null || !("event_id" in notification)) return null;
  return typeof notification.event_id === "string" ? notification.event_id : null;
}
