/**
 * Push traffic: a homeserver's `push.notify` crossing the link to the gateway (PUSH-2), the
 * gateway engine applying it (GW-12) and delivering to its simulated providers, and the answer
 * crossing back as a `pushResult`: a 2xx with `rejected` (PUSH-28), a failure status, or a
 * timeout. Faults: loss of the request or of the answer (after the gateway did the work),
 * duplication, reordering, partitions, a 500 from the gateway's front end, and gateway restarts.
 */
import type { Effect } from "../engine/effects.ts";
import type { PushResult } from "../engine/push/pusher-queue.ts";
import type { GatewayEffect } from "../gateway/index.ts";
import type { GatewayTimerEvent, NotifyArrive } from "./events.ts";
import { notifiedEventId } from "./history.ts";
import type { GatewayNode, HomeserverNode } from "./nodes.ts";
import { GATEWAY, TIMING } from "./scenario.ts";
import type { World } from "./world.ts";

type Notify = Extract<Effect, { kind: "push.notify" }>;

function label(body: unknown, attempt: number): string {
  return `POST /notify ${notifiedEventId(body) ?? "(badge)"} attempt ${attempt}`;
}

export function sendNotify(w: World, node: HomeserverNode, e: Notify): void {
  w.stats.notifyRequests += 1;
  const eventId = notifiedEventId(e.body);
  w.history.pusherLog(e.pusherId, { kind: "sent", at: w.now, eventId, attempt: e.attempt });
  const link = w.link(node.index, GATEWAY);
  const answer = (result: PushResult, at: number) =>
    w.schedule({ kind: "pushResult", at, seq: 0, server: node.index, incarnation: node.incarnation, pusherId: e.pusherId, result });
  if (w.gateway === null || w.network.partitioned(node.index, GATEWAY, w.now) || w.network.lost(link)) {
    w.trace?.add(w.now, node.name, "gateway", label(e.body, e.attempt), "lost", "LOST");
    answer({ ok: false, reason: "timeout" }, w.now + TIMING.notifyTimeoutMs);
    return;
  }
  if (w.network.gatewayError(link)) {
    w.trace?.add(w.now, node.name, "gateway", label(e.body, e.attempt), "request", "500 from the front end");
    answer({ ok: true, status: 500, rejected: [] }, w.now + 2 * w.network.delay(link, TIMING.gatewayLatency));
    return;
  }
  w.trace?.add(w.now, node.name, "gateway", label(e.body, e.attempt), "request");
  const arrive = { kind: "notifyArrive" as const, seq: 0, server: node.index, serverIncarnation: node.incarnation, gatewayIncarnation: w.gateway.incarnation, pusherId: e.pusherId, body: e.body, sentAt: w.now };
  w.schedule({ ...arrive, at: w.now + w.network.delay(link, TIMING.gatewayLatency), primary: true });
  if (w.network.duplicated(link)) w.schedule({ ...arrive, at: w.now + w.network.delay(link, TIMING.gatewayLatency), primary: false });
}

export function onGatewayEvent(w: World, e: NotifyArrive | GatewayTimerEvent): void {
  const gw = w.gateway;
  if (gw === null) return;
  if (e.kind === "notifyArrive") notifyArrive(w, gw, e);
  else gatewayTimer(w, gw, e);
}

function notifyArrive(w: World, gw: GatewayNode, e: NotifyArrive): void {
  const server = w.nodes[e.server] as HomeserverNode;
  const answer = (result: PushResult, at: number) =>
    w.schedule({ kind: "pushResult", at, seq: 0, server: e.server, incarnation: e.serverIncarnation, pusherId: e.pusherId, result });
  if (!gw.up) {
    w.trace?.add(w.now, server.name, "gateway", "POST /notify", "lost", "refused");
    if (e.primary) answer({ ok: false, reason: "connection refused" }, w.now + 1);
    return;
  }
  w.requests += 1;
  const applied = gw.engine.apply({ type: "notify", requestId: `n${w.requests}`, body: e.body }, w.now);
  const outcome = applied.outcome as { status: number; body: unknown };
  if (outcome.status === 200) w.history.pusherLog(e.pusherId, { kind: "received", at: w.now, eventId: notifiedEventId(e.body) });
  const rejected = rejectedOf(outcome);
  w.trace?.add(w.now, server.name, "gateway", `POST /notify ${notifiedEventId(e.body) ?? "(badge)"} arrives${e.primary ? "" : " (duplicate)"}`, "request", `${outcome.status}${rejected.length > 0 ? ` rejected=${rejected.join(",")}` : ""}`);
  gatewayEffects(w, gw, applied.effects);
  if (!e.primary) return;
  const back = w.link(GATEWAY, e.server);
  const timeoutAt = e.sentAt + TIMING.notifyTimeoutMs;
  const at = w.now + w.network.delay(back, TIMING.gatewayLatency);
  if (w.network.partitioned(e.server, GATEWAY, w.now) || w.network.lost(back) || at > timeoutAt) {
    w.trace?.add(w.now, "gateway", server.name, `answer ${outcome.status}`, "lost", "LOST");
    answer({ ok: false, reason: "timeout" }, Math.max(w.now, timeoutAt));
    return;
  }
  answer({ ok: true, status: outcome.status, rejected }, at);
}

function rejectedOf(outcome: { status: number; body: unknown }): string[] {
  const body = outcome.body;
  if (outcome.status !== 200 || typeof body !== "object" || body === null || !("rejected" in body) || !Array.isArray(body.rejected)) return [];
  return body.rejected.filter((k): k is string => typeof k === "string");
}

function gatewayEffects(w: World, gw: GatewayNode, effects: readonly GatewayEffect[]): void {
  for (const effect of effects) {
    if (effect.kind === "provider.delivered") {
      w.history.providerDelivered(effect.pushkey, effect.eventId ?? null);
      w.trace?.add(w.now, "gateway", "provider", `deliver ${effect.eventId ?? "(badge)"} to ${effect.pushkey}`, "request");
    } else if (effect.kind === "timer") {
      gw.pendingTimers.set(effect.id, effect.at);
      w.schedule({ kind: "gatewayTimer", at: Math.max(w.now, effect.at), seq: 0, incarnation: gw.incarnation, id: effect.id });
    } else if (effect.kind === "log") {
      if (effect.code.startsWith("dropped") && effect.eventId !== undefined) w.history.gatewayDropped(effect.pushkey, effect.eventId);
      w.trace?.note(w.now, "gateway", `${effect.code}: ${effect.eventId ?? "(badge)"} for ${effect.pushkey}`);
    } else {
      // The simulation configures only simulated providers, which answer in the same step.
      throw new Error(`simulation: the gateway asked for a provider POST (${effect.url}); webhook providers are not simulated`);
    }
  }
}

function gatewayTimer(w: World, gw: GatewayNode, e: GatewayTimerEvent): void {
  if (!gw.up || gw.incarnation !== e.incarnation || !gw.pendingTimers.has(e.id)) return;
  gw.pendingTimers.delete(e.id);
  gatewayEffects(w, gw, gw.engine.apply({ type: "timer", id: e.id }, w.now).effects);
}

/** After a gateway restart: its pending retry timers fire at their original time (or now). */
export function rearmGatewayTimers(w: World, gw: GatewayNode): void {
  for (const [id, at] of gw.pendingTimers) {
    w.schedule({ kind: "gatewayTimer", at: Math.max(w.now, at), seq: 0, incarnation: gw.incarnation, id });
  }
}
