/**
 * Executing a homeserver's effects on the virtual clock, and the traffic that comes back:
 *
 * - `federation.send` (FED-12): PUT /send/{txnId} over the link to the destination, which may
 *   lose it, duplicate it, hold it back, or be partitioned; the origin gets exactly one
 *   `federationResult` per send (a timeout counts as a failure), unless it crashed meanwhile;
 * - `push.notify` (PUSH-2): POST to the gateway, with the same faults plus a 500 from the
 *   gateway's front end; the answer comes back as `pushResult`;
 * - `timer` / `timer.cancel`: the engine's timers, dropped if the server crashes;
 * - `wake`: ends the device's parked long-poll; `push.dropped` goes into the push history.
 */
import type { Effect } from "../engine/effects.ts";
import type { FederationResult } from "../engine/federation/destinations.ts";
import type { HomeserverCommand } from "../engine/homeserver.ts";
import type { PushResult } from "../engine/push/pusher-queue.ts";
import type { ReceiveTransactionOutcome } from "../engine/remote.ts";
import type { TxnId } from "../ids.ts";
import { deviceKey } from "./clients.ts";
import { wakeDevice } from "./client-traffic.ts";
import type { FederationArrive, FederationResultEvent, PushResultEvent, TimerEvent } from "./events.ts";
import { sendNotify } from "./gateway-traffic.ts";
import type { HomeserverNode } from "./nodes.ts";
import { observePushers } from "./push-observer.ts";
import { TIMING } from "./scenario.ts";
import type { World } from "./world.ts";

type Send = Extract<Effect, { kind: "federation.send" }>;

export function executeEffects(w: World, node: HomeserverNode, command: HomeserverCommand | null, effects: readonly Effect[]): void {
  if (w.gateway !== null) observePushers(w, node, command);
  for (const effect of effects) {
    switch (effect.kind) {
      case "wake":
        wakeDevice(w, node, deviceKey(effect.userId, effect.deviceId));
        break;
      case "timer": {
        const generation = node.armTimer(effect.id);
        w.schedule({ kind: "timer", at: Math.max(w.now, effect.at), seq: 0, server: node.index, incarnation: node.incarnation, id: effect.id, generation });
        break;
      }
      case "timer.cancel":
        node.timers.delete(effect.id);
        break;
      case "federation.send":
        sendTransaction(w, node, effect);
        break;
      case "push.notify":
        sendNotify(w, node, effect);
        break;
      case "push.dropped":
        w.history.pusherLog(effect.pusherId, { kind: "dropped", at: w.now, eventId: eventIdIn(effect.body) });
        w.trace?.note(w.now, node.name, `push: gave up on ${eventIdIn(effect.body) ?? "a badge update"} for ${effect.pusherId}`);
        break;
      case "pusher.removed":
        w.trace?.note(w.now, node.name, `pusher ${effect.pushkey} removed (${effect.reason})`);
        break;
      case "log":
        w.trace?.note(w.now, node.name, effect.message);
        break;
    }
  }
}

function eventIdIn(body: unknown): string | null {
  const notification = typeof body === "object" && body !== null && "notification" in body ? body.notification : null;
  const id = typeof notification === "object" && notification !== null && "event_id" in notification ? notification.event_id : null;
  return typeof id === "string" ? id : null;
}

const serverIndexCache = new Map<string, number>();

/** `hs3.test` → 2; -1 for a name that is not one of the world's. */
export function serverIndex(name: string): number {
  let index = serverIndexCache.get(name);
  if (index === undefined) {
    const m = /^hs([0-9]+)\.test$/.exec(name);
    index = m === null ? -1 : Number(m[1]) - 1;
    serverIndexCache.set(name, index);
  }
  return index;
}

function sendTransaction(w: World, node: HomeserverNode, e: Send): void {
  w.stats.federationRequests += 1;
  const destination = serverIndex(e.destination);
  const base = { seq: 0, origin: node.index, incarnation: node.incarnation, destination, txnId: e.txnId };
  const label = w.trace === null ? "" : `PUT /send/${e.txnId} (${e.body.edus.length} EDUs: ${eduIds(e)})`;
  const target = w.nodes[destination];
  const link = w.link(node.index, destination);
  if (target === undefined || w.network.partitioned(node.index, destination, w.now) || w.network.lost(link)) {
    w.trace?.add(w.now, node.name, target?.name ?? e.destination, label, "lost", "LOST");
    const result: FederationResult = { ok: false, reason: "timeout" };
    w.schedule({ kind: "federationResult", at: w.now + TIMING.federationTimeoutMs, ...base, result });
    return;
  }
  w.trace?.add(w.now, node.name, target.name, label, "request");
  const arrive = { kind: "federationArrive" as const, seq: 0, origin: node.index, originIncarnation: node.incarnation, destination, txnId: e.txnId, body: e.body, sentAt: w.now };
  w.schedule({ ...arrive, at: w.now + w.network.delay(link, TIMING.federationLatency), primary: true });
  if (w.network.duplicated(link)) w.schedule({ ...arrive, at: w.now + w.network.delay(link, TIMING.federationLatency), primary: false });
}

function eduIds(e: Send): string {
  const ids: string[] = [];
  for (const edu of e.body.edus) {
    for (const byDevice of Object.values(edu.content.messages)) {
      for (const content of Object.values(byDevice)) ids.push(typeof content.msg === "string" ? content.msg : "?");
    }
  }
  return ids.join(" ");
}

export function onServerEvent(w: World, e: FederationArrive | FederationResultEvent | TimerEvent | PushResultEvent): void {
  if (e.kind === "federationArrive") federationArrive(w, e);
  else if (e.kind === "federationResult") federationResult(w, e);
  else if (e.kind === "timer") timer(w, e);
  else pushResult(w, e);
}

function statusText(outcome: ReceiveTransactionOutcome): string {
  return outcome.ok ? "200" : String(outcome.status);
}

function federationArrive(w: World, e: FederationArrive): void {
  const node = w.nodes[e.destination] as HomeserverNode;
  const origin = w.nodes[e.origin] as HomeserverNode;
  const answerAt = (result: FederationResult, at: number) =>
    w.schedule({ kind: "federationResult", at, seq: 0, origin: e.origin, incarnation: e.originIncarnation, destination: e.destination, txnId: e.txnId, result });
  if (!node.up) {
    w.trace?.add(w.now, origin.name, node.name, `PUT /send/${e.txnId}`, "lost", "refused");
    if (e.primary) answerAt({ ok: false, reason: "connection refused" }, w.now + 1);
    return;
  }
  const command: HomeserverCommand = { type: "receiveTransaction", origin: origin.engine.hs.serverName, txnId: e.txnId as TxnId, body: e.body };
  const label = `PUT /send/${e.txnId} arrives${e.primary ? "" : " (duplicate)"}`;
  const applied = w.applyOn(node, command, ({ outcome }) => w.trace?.add(w.now, origin.name, node.name, label, "request", statusText(outcome as ReceiveTransactionOutcome)));
  if (!e.primary) return;
  const outcome = applied.outcome as ReceiveTransactionOutcome;
  const back = w.link(e.destination, e.origin);
  const timeoutAt = e.sentAt + TIMING.federationTimeoutMs;
  const at = w.now + w.network.delay(back, TIMING.federationLatency);
  // FED-12: a lost answer, or one later than the origin's timeout, reaches it as a failure even
  // though this server did the work; the origin must retry and this server must dedupe (FED-16).
  if (w.network.partitioned(e.destination, e.origin, w.now) || w.network.lost(back) || at > timeoutAt) {
    w.trace?.add(w.now, node.name, origin.name, `${statusText(outcome)} for /send/${e.txnId}`, "lost", "LOST");
    answerAt({ ok: false, reason: "timeout" }, Math.max(w.now, timeoutAt));
    return;
  }
  answerAt(outcome.ok ? { ok: true } : { ok: false, status: outcome.status, reason: outcome.error }, at);
}

function federationResult(w: World, e: FederationResultEvent): void {
  const node = w.nodes[e.origin] as HomeserverNode;
  if (!node.up || node.incarnation !== e.incarnation) return;
  const destination = w.nodes[e.destination]?.engine.hs.serverName;
  if (destination === undefined) return;
  const outcome = e.result.ok ? "200" : e.result.reason;
  w.trace?.add(w.now, w.nodes[e.destination]?.name ?? "?", node.name, `answer to /send/${e.txnId}`, e.result.ok ? "response" : "lost", outcome);
  w.applyOn(node, { type: "federationResult", destination, txnId: e.txnId as TxnId, result: e.result });
}

function timer(w: World, e: TimerEvent): void {
  const node = w.nodes[e.server] as HomeserverNode;
  if (!node.up || node.incarnation !== e.incarnation || !node.takeTimer(e.id, e.generation)) return;
  w.trace?.note(w.now, node.name, `timer ${e.id}`);
  w.applyOn(node, { type: "timer", id: e.id });
}

function pushResult(w: World, e: PushResultEvent): void {
  const node = w.nodes[e.server] as HomeserverNode;
  if (!node.up || node.incarnation !== e.incarnation) return;
  const pusher = w.history.pushers.get(e.pusherId);
  const entry = outcomeEntry(e.result, pusher?.pushkey ?? "", w.now);
  w.history.pusherLog(e.pusherId, entry);
  if (w.trace !== null) {
    const text = e.result.ok ? `${e.result.status}${entry.kind === "accepted" && entry.rejected ? " rejected" : ""}` : e.result.reason;
    w.trace.add(w.now, "gateway", node.name, `answer to notify for ${pusher?.pushkey ?? e.pusherId}`, entry.kind === "failed" ? "lost" : "response", text);
  }
  w.applyOn(node, { type: "pushResult", pusherId: e.pusherId, result: e.result });
}

function outcomeEntry(result: PushResult, pushkey: string, at: number) {
  if (!result.ok || result.status < 200 || result.status >= 300) return { kind: "failed" as const, at };
  return { kind: "accepted" as const, at, rejected: result.rejected.includes(pushkey) };
}
