/**
 * Inbound federation transactions, for send-to-device: `PUT /_matrix/federation/v1/send/{txnId}`
 * after the shell has verified the X-Matrix signature (`origin` is the authenticated server).
 *
 * Processing happens in two steps, so that "EDUs apply in order" and "a storage failure answers
 * 500 and nothing of that transaction is remembered as done" are both plain to see:
 * 1. `planTransaction` (pure, changes nothing) validates the transaction and turns its EDUs into
 *    the ordered list of deliveries, skipping what the rules below skip;
 * 2. `receiveTransaction` hands that whole list to the caller's `store` at once (all or nothing);
 *    only if storing succeeds does it remember the message ids and the transaction's answer.
 *
 * Rules (server-server API "Transactions", "Send-to-device messaging"; DESIGN "Federation"):
 * - FED-9 (and FED-8 for PDUs): more than 100 EDUs or 50 PDUs: refused (400 M_BAD_JSON).
 * - FED-16: a repeated (origin, txnId) gets the first answer again and delivers nothing.
 *   Remembered answers are bounded in number and in age (configurable).
 * - FED-4, FED-5: an `m.direct_to_device` EDU needs `sender`, `type`, `message_id` (at most 32 code
 *   points) and `messages`; an invalid one is skipped, not the whole transaction.
 * - FED-17: a sender whose server is not the origin is dropped (policy `spoofedSender`:
 *   `drop`, the default, or `log`, which warns and delivers as Synapse does).
 * - FED-18, FED-19: (origin, message_id) is delivered once; seen ids are kept 7 days (configurable) and
 *   `expireInbound` forgets older ones.
 * - FED-20: deliveries keep the order of the EDUs and, within one, of its entries.
 * - FED-22: if storing fails, the answer is 500 and nothing is remembered.
 * - FED-23 (nearest; policy unknown-recipients: skip): recipients on other servers are skipped.
 * - FED-7: `*` is passed on for the engine to expand. FED-3: EDU types other than
 *   `m.direct_to_device` are ignored here, and PDUs are only counted.
 */
import { type ServerName, serverOf, type TxnId, type UserId } from "../../ids.ts";
import { type Delivery, eduDeliveries, isObject, parseDirectToDevice, type Skipped } from "./inbound-edu.ts";

export type { Delivery, Skipped, SkipReason } from "./inbound-edu.ts";

export type SpoofedSenderPolicy = "drop" | "log";

export interface InboundConfig {
  readonly serverName: ServerName;
  readonly spoofedSender: SpoofedSenderPolicy;
  readonly messageIdRetentionMs: number;
  readonly transactionRetentionMs: number;
  readonly maxRememberedTransactions: number;
  readonly maxEdus: number;
  readonly maxPdus: number;
}

export const DEFAULT_INBOUND: Omit<InboundConfig, "serverName"> = {
  spoofedSender: "drop",
  messageIdRetentionMs: 7 * 24 * 60 * 60_000,
  transactionRetentionMs: 24 * 60 * 60_000,
  maxRememberedTransactions: 10_000,
  maxEdus: 100,
  maxPdus: 50,
};

interface Seen {
  readonly key: string;
  readonly at: number;
}

export interface InboundState {
  readonly config: InboundConfig;
  /** (origin, message_id) key → when it was accepted. */
  readonly messageIds: Record<string, number>;
  readonly messageIdOrder: Seen[];
  /** (origin, txnId) key → when it was answered 200. Only successes are remembered. */
  readonly answered: Record<string, number>;
  readonly answeredOrder: Seen[];
}

export interface InboundRequest {
  readonly origin: ServerName;
  readonly txnId: TxnId;
  readonly body: unknown;
}

export type InboundLog = { readonly kind: "log"; readonly level: "warn"; readonly message: string };

/** For the shell: accepted → 200 `{"pdus": {}}`; rejected → 400 M_BAD_JSON; storageFailed → 500. */
export type InboundAnswer =
  | { readonly outcome: "accepted"; readonly replayed: boolean }
  | { readonly outcome: "rejected"; readonly error: string }
  | { readonly outcome: "storageFailed"; readonly error: string };

export interface InboundResult {
  readonly answer: InboundAnswer;
  /** What was stored, in order; empty unless the answer is a fresh `accepted`. */
  readonly deliveries: readonly Delivery[];
  readonly skipped: readonly Skipped[];
  readonly effects: readonly InboundLog[];
}

export type InboundPlan =
  | { readonly kind: "answered"; readonly result: InboundResult }
  | {
      readonly kind: "apply";
      readonly deliveries: readonly Delivery[];
      readonly skipped: readonly Skipped[];
      readonly effects: readonly InboundLog[];
      readonly messageKeys: readonly string[];
    };

/** Stores every delivery, in order, or none of them. */
export type StoreDeliveries = (deliveries: readonly Delivery[]) => { readonly ok: true } | { readonly ok: false; readonly reason: string };

export function createInbound(config: Partial<InboundConfig> & { readonly serverName: ServerName }): InboundState {
  return {
    config: { ...DEFAULT_INBOUND, ...config },
    messageIds: Object.create(null) as Record<string, number>,
    messageIdOrder: [],
    answered: Object.create(null) as Record<string, number>,
    answeredOrder: [],
  };
}

/** Keys are JSON arrays: unambiguous whatever the peer puts in its ids. */
export function messageKey(origin: ServerName, messageId: string): string {
  return JSON.stringify([origin, messageId]);
}

function transactionKey(origin: ServerName, txnId: TxnId): string {
  return JSON.stringify([origin, txnId]);
}

/** Whether `key` was recorded less than `retention` ago; a key never recorded counts as recorded at -∞. */
function fresh(map: Record<string, number>, key: string, retention: number, now: number): boolean {
  return now - (map[key] ?? Number.NEGATIVE_INFINITY) < retention;
}

const answered = (result: Omit<InboundResult, "skipped" | "effects">): InboundPlan => ({
  kind: "answered",
  result: { ...result, skipped: [], effects: [] },
});

/** FED-8, FED-9: the transaction-level checks, before any EDU is looked at. */
function transactionEdus(state: InboundState, request: InboundRequest): readonly unknown[] | string {
  const { body } = request;
  if (!isObject(body)) return "the transaction body is not a JSON object";
  const pdus = body.pdus ?? [];
  const edus = body.edus ?? [];
  if (!Array.isArray(pdus) || !Array.isArray(edus)) return "pdus and edus must be arrays";
  if (pdus.length > state.config.maxPdus) return `more than ${state.config.maxPdus} PDUs in one transaction`;
  if (edus.length > state.config.maxEdus) return `more than ${state.config.maxEdus} EDUs in one transaction`;
  return edus;
}

interface Planning {
  readonly state: InboundState;
  readonly origin: ServerName;
  readonly deliveries: Delivery[];
  readonly skipped: Skipped[];
  readonly effects: InboundLog[];
  readonly messageKeys: string[];
}

function spoofedSenderAllowed(p: Planning, index: number, sender: UserId): boolean {
  if (serverOf(sender) === p.origin) return true;
  if (p.state.config.spoofedSender === "drop") {
    p.skipped.push({ edu: index, reason: "spoofedSender" });
    return false;
  }
  p.effects.push({
    kind: "log",
    level: "warn",
    message: `${p.origin} sent a to-device EDU from ${sender}, whose server is not the origin; delivered (policy spoofedSender: log)`,
  });
  return true;
}

function planEdu(p: Planning, index: number, raw: unknown, now: number): void {
  const edu = parseDirectToDevice(raw);
  if (typeof edu === "string") {
    p.skipped.push({ edu: index, reason: edu });
  } else if (spoofedSenderAllowed(p, index, edu.sender)) {
    const key = messageKey(p.origin, edu.messageId);
    const { messageIds, config } = p.state;
    if (fresh(messageIds, key, config.messageIdRetentionMs, now) || p.messageKeys.includes(key)) {
      p.skipped.push({ edu: index, reason: "duplicateMessageId" });
    } else {
      p.messageKeys.push(key);
      eduDeliveries(p.origin, p.state.config.serverName, index, edu, p);
    }
  }
}

/** Pure: what receiving this transaction would store and answer. Changes nothing. */
export function planTransaction(state: InboundState, request: InboundRequest, now: number): InboundPlan {
  const { origin, txnId } = request;
  if (fresh(state.answered, transactionKey(origin, txnId), state.config.transactionRetentionMs, now)) {
    return answered({ answer: { outcome: "accepted", replayed: true }, deliveries: [] });
  }
  const edus = transactionEdus(state, request);
  if (typeof edus === "string") return answered({ answer: { outcome: "rejected", error: edus }, deliveries: [] });
  const p: Planning = { state, origin, deliveries: [], skipped: [], effects: [], messageKeys: [] };
  for (const [index, edu] of edus.entries()) planEdu(p, index, edu, now);
  return { kind: "apply", deliveries: p.deliveries, skipped: p.skipped, effects: p.effects, messageKeys: p.messageKeys };
}

function remember(map: Record<string, number>, order: Seen[], key: string, now: number): void {
  map[key] = now;
  order.push({ key, at: now });
}

/** Forgets the oldest entries while `stale` says so, and only entries not renewed since. */
function forget(map: Record<string, number>, order: Seen[], stale: (entry: Seen, left: number) => boolean): void {
  let drop = 0;
  while (drop < order.length) {
    const entry = order[drop] as Seen;
    if (!stale(entry, order.length - drop)) break;
    if (map[entry.key] === entry.at) delete map[entry.key];
    drop += 1;
  }
  order.splice(0, drop);
}

/** Records a stored transaction: its message ids and its answer (the answer memory is bounded). */
export function commitTransaction(
  state: InboundState,
  request: InboundRequest,
  plan: Extract<InboundPlan, { kind: "apply" }>,
  now: number,
): void {
  for (const key of plan.messageKeys) remember(state.messageIds, state.messageIdOrder, key, now);
  remember(state.answered, state.answeredOrder, transactionKey(request.origin, request.txnId), now);
  forget(state.answered, state.answeredOrder, (_, left) => left > state.config.maxRememberedTransactions);
}

function attemptStore(store: StoreDeliveries, deliveries: readonly Delivery[]): string | null {
  if (deliveries.length === 0) return null;
  try {
    const stored = store(deliveries);
    return stored.ok ? null : stored.reason;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Receives one transaction: plan, store every delivery at once, then remember. If storing fails
 * the answer is `storageFailed` (500) and nothing is remembered, so the origin's retry of the
 * same transaction is processed afresh (FED-22).
 */
export function receiveTransaction(
  state: InboundState,
  request: InboundRequest,
  now: number,
  store: StoreDeliveries,
): InboundResult {
  const plan = planTransaction(state, request, now);
  if (plan.kind === "answered") return plan.result;
  const failure = attemptStore(store, plan.deliveries);
  if (failure !== null) {
    return { answer: { outcome: "storageFailed", error: failure }, deliveries: [], skipped: plan.skipped, effects: plan.effects };
  }
  commitTransaction(state, request, plan, now);
  const answer: InboundAnswer = { outcome: "accepted", replayed: false };
  return { answer, deliveries: plan.deliveries, skipped: plan.skipped, effects: plan.effects };
}

/** The cleanup command: forgets message ids and answers older than their retention. */
export function expireInbound(state: InboundState, now: number): { readonly messageIds: number; readonly answers: number } {
  const before = { messageIds: state.messageIdOrder.length, answers: state.answeredOrder.length };
  const { messageIdRetentionMs, transactionRetentionMs } = state.config;
  forget(state.messageIds, state.messageIdOrder, (e) => now - e.at >= messageIdRetentionMs);
  forget(state.answered, state.answeredOrder, (e) => now - e.at >= transactionRetentionMs);
  return {
    messageIds: before.messageIds - state.messageIdOrder.length,
    answers: before.answers - state.answeredOrder.length,
  };
}
