/**
 * The push gateway engine (GW-12: `POST /_matrix/push/v1/notify`) and the deliveries it starts,
 * as a pure function of (gateway, command, now) → {outcome, effects}. No I/O, no clock, no
 * randomness: the HTTP shell and the simulator drive it with the same serialisable commands and
 * execute its effects. It updates `gw.state` in place; `gw.state` is plain JSON.
 *
 * Commands:
 * - `notify`: a parsed request body; answers 200 `{rejected}` or a 400 Matrix error;
 * - `providerResult`: the driver's report of an asynchronous provider call (`provider.post`);
 * - `timer`: a retry timer (`timer` effect) fired;
 * - `cleanup`: forget dedupe answers older than the window and token failures past retention.
 */
import type { GatewayConfig } from "./config.ts";
import { forgetOldAnswers, recalled, remember } from "./dedupe.ts";
import { type GatewayEffect, logEffect } from "./effects.ts";
import { enqueue, providerAnswered, retryTimerFired } from "./lanes.ts";
import { invalidNotifyBody, type NotifyOutcome } from "./matrix-errors.ts";
import { checkNotifyBody, type NotifyDevice, type NotifyNotification } from "./notify-body.ts";
import { type ProviderResult, providerFor } from "./providers/index.ts";
import { providerPayload } from "./payload.ts";
import { compileRoutes, routeAppId } from "./routing.ts";
import { emptyState, type Gateway, type GatewayState } from "./state.ts";
import { forgetOldFailures, rejectsOnUse } from "./token-failures.ts";

export type { Gateway, GatewayState } from "./state.ts";

export type NotifyCommand = { readonly type: "notify"; readonly requestId: string; readonly body: unknown };
export type GatewayCommand =
  | NotifyCommand
  | { readonly type: "providerResult"; readonly deliveryId: string; readonly result: ProviderResult }
  | { readonly type: "timer"; readonly id: string }
  | { readonly type: "cleanup" };

/** The outcome of a driver command: whether it found what it names. */
export type DriverOutcome = { readonly handled: true } | { readonly handled: false; readonly reason: string };
export type GatewayOutcome = NotifyOutcome | DriverOutcome;

export interface Applied<O> {
  readonly outcome: O;
  readonly effects: readonly GatewayEffect[];
}

/** A gateway with the given configuration; pass `state` to resume from a snapshot. */
export function createGateway(config: GatewayConfig, state: GatewayState = emptyState()): Gateway {
  const providers = new Map(Object.entries(config.apps).map(([key, app]) => [key, providerFor(app)] as const));
  return { config, routes: compileRoutes(config.apps), providers, state };
}

/** A deep copy of the state, for snapshots and for tests that compare runs. */
export function snapshotGateway(gw: Gateway): GatewayState {
  return JSON.parse(JSON.stringify(gw.state)) as GatewayState;
}

/** The dedupe key of a notification: its event_id, or under GW-3's `honour` policy the 2015 `id`. */
function eventIdOf(gw: Gateway, n: NotifyNotification): string | null {
  if (n.event_id !== undefined) return n.event_id;
  const legacy = n.id;
  return gw.config.legacyNotificationId === "honour" && typeof legacy === "string" && legacy !== "" ? legacy : null;
}

/**
 * One device of a valid request: whether its pushkey is rejected. Each device is decided on its
 * own, so one bad device never fails the others (GW-22).
 */
function notifyDevice(gw: Gateway, requestId: string, n: NotifyNotification, device: NotifyDevice, now: number, out: GatewayEffect[]): boolean {
  const eventId = eventIdOf(gw, n);
  const about = { appId: device.app_id, pushkey: device.pushkey, eventId };
  const routed = routeAppId(gw.routes, device.app_id);
  if (!routed.ok) {
    // GW-21: an app id the gateway does not serve (or serves ambiguously) rejects the pushkey.
    const code = routed.reason === "unknown app id" ? "unknown-app" : "ambiguous-app";
    out.push(logEffect("info", code, `${routed.reason} ${JSON.stringify(device.app_id)}`, about));
    return true;
  }
  // GW-17, GW-18: only event notifications are deduped; badge-only ones are idempotent.
  const earlier = eventId === null ? undefined : recalled(gw.state, eventId, device.pushkey, now, gw.config.dedupeWindowMs);
  if (earlier !== undefined) return earlier.rejected;
  const { appKey, app } = routed.route;
  let rejected: boolean;
  if (rejectsOnUse(gw.state, appKey, device.pushkey, device.pushkey_ts, now, app.failureRetentionMs)) {
    out.push(logEffect("info", "known-token-failure", "rejected: a stored token failure", about));
    rejected = true;
  } else {
    const delivery = { requestId, eventId, notification: providerPayload(n, device), acceptedAt: now };
    const result = enqueue(gw, { appKey, appId: device.app_id, pushkey: device.pushkey }, delivery, now, out);
    rejected = result === "rejected" && gw.providers.get(appKey)?.rejectsInResponse === true;
  }
  if (eventId !== null) remember(gw.state, eventId, device.pushkey, rejected, now);
  return rejected;
}

function notify(gw: Gateway, command: NotifyCommand, now: number, out: GatewayEffect[]): NotifyOutcome {
  const checked = checkNotifyBody(command.body);
  if (!checked.ok) return invalidNotifyBody(checked.errors);
  const { notification } = checked.value;
  const rejected = new Set<string>();
  for (const device of notification.devices) {
    if (notifyDevice(gw, command.requestId, notification, device, now, out)) rejected.add(device.pushkey);
  }
  return { status: 200, body: { rejected: [...rejected] } };
}

function cleanup(gw: Gateway, now: number): DriverOutcome {
  forgetOldAnswers(gw.state, now, gw.config.dedupeWindowMs);
  forgetOldFailures(gw.state, now, (appKey) => gw.config.apps[appKey]?.failureRetentionMs);
  return { handled: true };
}

function driven(found: boolean, what: string): DriverOutcome {
  return found ? { handled: true } : { handled: false, reason: `no pending ${what}` };
}

export function apply(gw: Gateway, command: NotifyCommand, now: number): Applied<NotifyOutcome>;
export function apply(gw: Gateway, command: GatewayCommand, now: number): Applied<GatewayOutcome>;
export function apply(gw: Gateway, command: GatewayCommand, now: number): Applied<GatewayOutcome> {
  const effects: GatewayEffect[] = [];
  let outcome: GatewayOutcome;
  switch (command.type) {
    case "notify":
      outcome = notify(gw, command, now, effects);
      break;
    case "providerResult":
      outcome = driven(providerAnswered(gw, command.deliveryId, command.result, now, effects), "provider call");
      break;
    case "timer":
      outcome = driven(retryTimerFired(gw, command.id, now, effects), "timer");
      break;
    case "cleanup":
      outcome = cleanup(gw, now);
      break;
  }
  return { outcome, effects };
}
