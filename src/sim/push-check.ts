/**
 * The push history checker: one linear walk over each pusher's log (what its homeserver enqueued,
 * sent, learnt back, dropped; restarts; what the gateway received) and its pushkey's provider
 * deliveries. Findings, by guarantee (DESIGN "Guarantees", push):
 *
 * - `push-order` (PUSH-2, PUSH-60): every notify carries the oldest unresolved notification of
 *   its pusher (one in flight, in order); first arrivals at the gateway and deliveries at the
 *   provider follow the order the homeserver enqueued them;
 * - `push-at-least-once`: every event notification enqueued reaches the gateway, unless it was
 *   given up (PUSH-27) or its pusher was rejected first;
 * - `push-exactly-once-at-provider` (GW-17): each (event_id, pushkey) is delivered at most once,
 *   and exactly once if the gateway received it, did not give it up (its own retry policy) and
 *   the provider accepts the pushkey (the simulated providers refuse `invalid…` keys);
 * - `no-send-after-reject` (PUSH-29, PUSH-30): nothing is sent once a 2xx naming the pushkey in
 *   `rejected` was processed;
 * - `backoff-bounds` (PUSH-26, PUSH-60, policy push-backoff): after the n-th consecutive failure
 *   the next send waits exactly `nextDelay(n)` (a restart in between only allows it later), and
 *   the head is dropped exactly when a failure comes `giveUpAfterMs` after the streak began.
 *
 * Badge-only notifications (no event id, GW-18) count for order, rejection and back-off; the
 * gateway need not dedupe them, so they are not counted at the provider.
 */
import { type BackoffConfig, nextDelay } from "../engine/push/backoff.ts";
import type { PusherEntry, PusherHistory } from "./history.ts";

export type PushGuarantee = "push-order" | "push-at-least-once" | "push-exactly-once-at-provider" | "no-send-after-reject" | "backoff-bounds";

export interface PushFinding {
  readonly guarantee: PushGuarantee;
  readonly pushkey: string;
  readonly detail: string;
}

interface Walk {
  readonly pusher: PusherHistory;
  readonly backoff: BackoffConfig;
  readonly findings: PushFinding[];
  readonly queue: (string | null)[];
  head: number;
  rejectedAt: number | null;
  /** The queue index from which notifications were still unresolved when the rejection was processed. */
  rejectedHead: number;
  streak: number;
  failingSince: number;
  lastFailAt: number;
  restarted: boolean;
  mustDrop: boolean;
  readonly dropped: Set<string>;
  readonly received: string[];
  readonly receivedSet: Set<string>;
}

function find(w: Walk, guarantee: PushGuarantee, detail: string): void {
  w.findings.push({ guarantee, pushkey: w.pusher.pushkey, detail });
}

const show = (id: string | null | undefined) => (id === undefined ? "nothing" : (id ?? "a badge update"));

function sent(w: Walk, e: Extract<PusherEntry, { kind: "sent" }>): void {
  if (w.rejectedAt !== null) find(w, "no-send-after-reject", `t=${e.at}ms: sent ${show(e.eventId)} after the rejection processed at t=${w.rejectedAt}ms`);
  if (w.queue[w.head] !== e.eventId) find(w, "push-order", `t=${e.at}ms: sent ${show(e.eventId)} while ${show(w.queue[w.head])} was the oldest unresolved`);
  if (w.streak === 0) return;
  const delay = nextDelay(w.streak, w.backoff);
  const waited = e.at - w.lastFailAt;
  if (waited < delay || (waited > delay && !w.restarted)) {
    find(w, "backoff-bounds", `t=${e.at}ms: resent ${waited}ms after failure ${w.streak}; the back-off is ${delay}ms`);
  }
}

function failed(w: Walk, at: number): void {
  w.streak += 1;
  if (w.streak === 1) w.failingSince = at;
  w.lastFailAt = at;
  w.restarted = false;
  w.mustDrop = at - w.failingSince >= w.backoff.giveUpAfterMs;
}

function dropped(w: Walk, e: Extract<PusherEntry, { kind: "dropped" }>): void {
  if (w.queue[w.head] !== e.eventId) find(w, "backoff-bounds", `t=${e.at}ms: gave up on ${show(e.eventId)}, not the head ${show(w.queue[w.head])}`);
  if (e.at - w.failingSince < w.backoff.giveUpAfterMs) find(w, "backoff-bounds", `t=${e.at}ms: gave up after ${e.at - w.failingSince}ms of failure`);
  if (e.eventId !== null) w.dropped.add(e.eventId);
  w.head += 1;
  w.streak = 0;
}

function step(w: Walk, e: PusherEntry): void {
  if (w.mustDrop && e.kind !== "dropped") find(w, "backoff-bounds", `t=${e.at}ms: failing for ${w.lastFailAt - w.failingSince}ms but the head was not given up`);
  w.mustDrop = false;
  switch (e.kind) {
    case "enqueued":
      w.queue.push(e.eventId);
      return;
    case "sent":
      sent(w, e);
      return;
    case "failed":
      failed(w, e.at);
      return;
    case "accepted":
      // A 2xx resolves the notification in flight, whether or not it also rejects the pushkey.
      w.head += 1;
      w.streak = 0;
      if (e.rejected && w.rejectedAt === null) {
        w.rejectedAt = e.at;
        w.rejectedHead = w.head;
      }
      return;
    case "dropped":
      dropped(w, e);
      return;
    case "restarted":
      w.restarted = true;
      return;
    case "received":
      if (e.eventId !== null && !w.receivedSet.has(e.eventId)) {
        w.receivedSet.add(e.eventId);
        w.received.push(e.eventId);
      }
  }
}

/** Whether `ids` appear in the order `rank` gives them; the first id out of order, if any. */
function outOfOrder(ids: readonly string[], rank: ReadonlyMap<string, number>): string | null {
  let last = -1;
  for (const id of ids) {
    const r = rank.get(id);
    if (r === undefined) continue;
    if (r < last) return id;
    last = r;
  }
  return null;
}

function afterwards(w: Walk): void {
  const { pusher } = w;
  const rank = new Map<string, number>();
  w.queue.forEach((id, i) => {
    if (id !== null && !rank.has(id)) rank.set(id, i);
  });
  // Everything still unresolved when the rejection was processed is exempt from delivery.
  const exempt = new Set(w.rejectedAt === null ? [] : w.queue.slice(w.rejectedHead).filter((id): id is string => id !== null));
  for (const id of rank.keys()) {
    if (!w.receivedSet.has(id) && !w.dropped.has(id) && !exempt.has(id)) find(w, "push-at-least-once", `${id} never reached the gateway`);
  }
  const late = outOfOrder(w.received, rank);
  if (late !== null) find(w, "push-order", `${late} reached the gateway after a later notification`);
  const delivered = pusher.delivered.filter((id): id is string => id !== null);
  const counts = new Map<string, number>();
  for (const id of delivered) counts.set(id, (counts.get(id) ?? 0) + 1);
  for (const [id, n] of counts) if (n > 1) find(w, "push-exactly-once-at-provider", `${id} delivered ${n} times`);
  if (!pusher.pushkey.startsWith("invalid")) {
    for (const id of w.received) {
      if (!counts.has(id) && !pusher.gatewayDropped.has(id)) find(w, "push-exactly-once-at-provider", `${id} reached the gateway but never the provider`);
    }
  }
  const unordered = outOfOrder(delivered, rank);
  if (unordered !== null) find(w, "push-order", `${unordered} reached the provider after a later notification`);
}

export function checkPusher(pusher: PusherHistory, backoff: BackoffConfig): PushFinding[] {
  const w: Walk = {
    pusher,
    backoff,
    findings: [],
    queue: [],
    head: 0,
    rejectedAt: null,
    rejectedHead: 0,
    streak: 0,
    failingSince: 0,
    lastFailAt: 0,
    restarted: false,
    mustDrop: false,
    dropped: new Set(),
    received: [],
    receivedSet: new Set(),
  };
  for (const entry of pusher.log) step(w, entry);
  afterwards(w);
  return w.findings;
}

export function checkPush(pushers: Iterable<PusherHistory>, backoff: BackoffConfig): PushFinding[] {
  const findings: PushFinding[] = [];
  for (const pusher of pushers) findings.push(...checkPusher(pusher, backoff));
  return findings;
}
