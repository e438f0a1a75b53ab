/**
 * Lanes: the notifications for one (app id, pushkey), delivered one at a time in the order the
 * gateway accepted them, each through its own delivery machine (`delivery.machine.ts`). This
 * module performs the machine's named actions (call the provider, report, record, log) and
 * feeds the provider's answers back, until the head delivery is either waiting (a retry timer,
 * an asynchronous provider call) or finished, in which case the next one starts.
 *
 * One delivery in flight per pushkey keeps them in order per pushkey (DESIGN.md "Guarantees",
 * push; the catalogue has no clause for it). GW-22: a failure touches only its own lane; other
 * pushkeys never wait on it.
 */
import { type NamedAction, restoreSnapshot, type Step, startMachine, stepMachine, storeSnapshot } from "../engine/machine-step.ts";
import { type DeliveryEvent, type DeliveryFinal, deliveryMachine } from "./delivery.machine.ts";
import { type GatewayEffect, logEffect } from "./effects.ts";
import type { ProviderOutcome, ProviderResult } from "./providers/provider.ts";
import type { ActiveDelivery, Delivery, Gateway, Lane } from "./state.ts";
import { keyOf } from "./state.ts";
import { recordTokenFailure } from "./token-failures.ts";

type DeliveryStep = Step<typeof deliveryMachine>;

function eventOf(outcome: ProviderOutcome, now: number): DeliveryEvent {
  switch (outcome) {
    case "delivered":
      return { type: "DELIVERED" };
    case "invalid":
      return { type: "INVALID_TOKEN" };
    case "permanent":
      return { type: "PERMANENT_FAILURE" };
    case "transient":
      return { type: "TRANSIENT_FAILURE", now };
  }
}

/** The `attempt` parameter of the machine's `attemptDelivery` action. */
function attemptNumber(params: unknown): number {
  const n = typeof params === "object" && params !== null && "attempt" in params ? params.attempt : undefined;
  return typeof n === "number" ? n : 1;
}

interface Drive {
  readonly gw: Gateway;
  readonly laneKey: string;
  readonly lane: Lane;
  readonly head: ActiveDelivery;
  readonly now: number;
  readonly out: GatewayEffect[];
}

function about(d: Drive): { appId: string; pushkey: string; eventId: string | null } {
  return { appId: d.lane.appId, pushkey: d.lane.pushkey, eventId: d.head.eventId };
}

/** Makes one attempt; returns the machine event when the provider answered at once. */
function attempt(d: Drive, params: unknown): DeliveryEvent | null {
  const { gw, lane, head } = d;
  const provider = gw.providers.get(lane.appKey);
  head.attemptId = `a${gw.state.nextAttempt++}`;
  if (provider === undefined) return { type: "PERMANENT_FAILURE" };
  const scriptKey = keyOf(lane.appKey, lane.pushkey);
  const answer = provider.attempt({
    appKey: lane.appKey,
    appId: lane.appId,
    pushkey: lane.pushkey,
    notification: head.notification,
    attempt: attemptNumber(params),
    scriptUsed: gw.state.scriptUsed[scriptKey] ?? 0,
  });
  if (answer.kind === "answered") {
    if (answer.usedScript) gw.state.scriptUsed[scriptKey] = (gw.state.scriptUsed[scriptKey] ?? 0) + 1;
    return eventOf(answer.outcome, d.now);
  }
  gw.state.awaited[head.attemptId] = d.laneKey;
  d.out.push({ kind: "provider.post", deliveryId: head.attemptId, url: answer.url, body: answer.body });
  return null;
}

function reportDelivered(d: Drive): void {
  const provider = d.gw.providers.get(d.lane.appKey);
  if (provider === undefined) return;
  const { appId, pushkey, eventId } = about(d);
  const base = { kind: "provider.delivered" as const, provider: provider.type, appId, pushkey, notification: d.head.notification };
  d.out.push(eventId === null ? base : { ...base, eventId });
}

/** The token is invalid: remember it, and send nothing more to this pushkey. */
function recordRejection(d: Drive): void {
  recordTokenFailure(d.gw.state, d.lane.appKey, d.lane.pushkey, d.now);
  d.out.push(logEffect("info", "token-failure", "provider reported an invalid token; rejected on next use", about(d)));
  for (const dropped of d.lane.queue.splice(0)) {
    const what = { appId: d.lane.appId, pushkey: d.lane.pushkey, eventId: dropped.eventId };
    d.out.push(logEffect("warn", "dropped-after-rejection", "dropped: its pushkey was found invalid", what));
  }
}

function perform(d: Drive, action: NamedAction): DeliveryEvent | null {
  switch (action.type) {
    case "attemptDelivery":
      return attempt(d, action.params);
    case "reportDelivered":
      reportDelivered(d);
      return null;
    case "recordRejection":
      recordRejection(d);
      return null;
    case "reportDropped":
      d.out.push(logEffect("warn", "dropped-permanent", "dropped: the provider failed permanently", about(d)));
      return null;
    case "reportGaveUp":
      d.out.push(logEffect("warn", "dropped-after-retries", "dropped: retries exhausted", about(d)));
      return null;
    default:
      return null;
  }
}

/** Steps the head's machine until it waits or finishes. */
function advance(d: Drive, first: DeliveryStep): DeliveryFinal | "pending" {
  let step = first;
  for (;;) {
    d.head.machine = storeSnapshot(step.snapshot);
    let next: DeliveryEvent | null = null;
    for (const action of step.actions) next = perform(d, action) ?? next;
    for (const timer of step.timers) {
      const id = `retry:${d.head.attemptId}`;
      d.gw.state.timers[id] = d.laneKey;
      d.out.push({ kind: "timer", id, at: timer.at });
    }
    if (step.snapshot.status === "done") return step.snapshot.value as DeliveryFinal;
    if (next === null) return "pending";
    step = stepMachine(deliveryMachine, step.snapshot, next, d.now);
  }
}

function start(gw: Gateway, laneKey: string, lane: Lane, delivery: Delivery, now: number, out: GatewayEffect[]) {
  const head: ActiveDelivery = { ...delivery, machine: { value: null, context: null }, attemptId: "" };
  lane.head = head;
  const first = startMachine(deliveryMachine, { startedAt: now, retry: gw.config.retry }, now);
  return advance({ gw, laneKey, lane, head, now, out }, first);
}

/** After the head finished: start the next ones until one waits or the lane is empty. */
function moveOn(gw: Gateway, laneKey: string, lane: Lane, now: number, out: GatewayEffect[]): void {
  lane.head = null;
  for (let next = lane.queue.shift(); next !== undefined; next = lane.queue.shift()) {
    if (start(gw, laneKey, lane, next, now, out) === "pending") return;
    lane.head = null;
  }
  delete gw.state.lanes[laneKey];
}

/**
 * Accepts a notification into its lane. Returns how its delivery ended if it started and
 * finished at once, `pending` if it started and waits, `queued` if it waits behind others.
 */
export function enqueue(
  gw: Gateway,
  route: { readonly appKey: string; readonly appId: string; readonly pushkey: string },
  delivery: Delivery,
  now: number,
  out: GatewayEffect[],
): DeliveryFinal | "pending" | "queued" {
  const laneKey = keyOf(route.appId, route.pushkey);
  const existing = gw.state.lanes[laneKey];
  if (existing !== undefined) {
    existing.queue.push(delivery);
    return "queued";
  }
  const lane: Lane = { appKey: route.appKey, appId: route.appId, pushkey: route.pushkey, head: null, queue: [] };
  gw.state.lanes[laneKey] = lane;
  const result = start(gw, laneKey, lane, delivery, now, out);
  if (result !== "pending") moveOn(gw, laneKey, lane, now, out);
  return result;
}

type EventFor = (lane: Lane, head: ActiveDelivery) => DeliveryEvent;

function resume(gw: Gateway, laneKey: string, eventFor: EventFor, now: number, out: GatewayEffect[]): void {
  const lane = gw.state.lanes[laneKey];
  const head = lane?.head;
  if (lane === undefined || head === undefined || head === null) return;
  const snapshot = restoreSnapshot(deliveryMachine, head.machine);
  const step = stepMachine(deliveryMachine, snapshot, eventFor(lane, head), now);
  if (advance({ gw, laneKey, lane, head, now, out }, step) !== "pending") moveOn(gw, laneKey, lane, now, out);
}

/** A retry timer fired. False if no such timer is pending (already fired, or never set). */
export function retryTimerFired(gw: Gateway, timerId: string, now: number, out: GatewayEffect[]): boolean {
  const laneKey = gw.state.timers[timerId];
  if (laneKey === undefined) return false;
  delete gw.state.timers[timerId];
  resume(gw, laneKey, () => ({ type: "RETRY" }), now, out);
  return true;
}

/** The driver reports an asynchronous provider call. False if no such call is awaited. */
export function providerAnswered(gw: Gateway, attemptId: string, result: ProviderResult, now: number, out: GatewayEffect[]): boolean {
  const laneKey = gw.state.awaited[attemptId];
  if (laneKey === undefined) return false;
  delete gw.state.awaited[attemptId];
  const settle: EventFor = (lane) => {
    const outcome = gw.providers.get(lane.appKey)?.settle(result, lane.pushkey) ?? "permanent";
    return eventOf(outcome, now);
  };
  resume(gw, laneKey, settle, now, out);
  return true;
}
