/**
 * Effects: what the engine asks its driver to do, as data. The HTTP shell executes them for
 * real, the simulator on a virtual clock; the engine never learns whether they happened.
 *
 * Timers: the send-to-device core needs none. Transaction-id retention and undelivered-message
 * expiry are applied by the `expire` command, which the driver sends periodically or at the
 * `nextExpiryAt` that command returns.
 */
import type { Json } from "../canonical-json.ts";
import type { DeviceId, ServerName, UserId } from "../ids.ts";
import type { DestinationsEffect } from "./federation/destinations.ts";
import type { PushEffect } from "./push/pusher-queue.ts";

/** A device got something new: the driver wakes its pending long-poll, if any. */
export interface WakeEffect {
  readonly kind: "wake";
  readonly userId: UserId;
  readonly deviceId: DeviceId;
}

/** Content objects as the body carried them (a JSON object). */
export type JsonObject = { readonly [key: string]: Json };

/**
 * Messages for users of another server, in acceptance order, for the federation outbox.
 * `*` travels unexpanded: the receiving server expands it.
 */
export interface FederationEnqueueEffect {
  readonly kind: "federation.enqueue";
  readonly destination: ServerName;
  readonly sender: UserId;
  readonly eventType: string;
  readonly messages: { readonly [userId: string]: { readonly [deviceId: string]: JsonObject } };
}

/** A timer request: call back at `at` (virtual or real milliseconds) with the id. */
export interface TimerEffect {
  readonly kind: "timer";
  readonly id: string;
  readonly at: number;
}

/** A federation transaction to PUT to a destination (the outbox keeps it until a 200). */
export type FederationSendEffect = Extract<DestinationsEffect, { kind: "federation.send" }>;

/** Something worth a log line that is not an error of the request (e.g. a spoofed EDU sender). */
export interface LogEffect {
  readonly kind: "log";
  readonly level: "info" | "warn";
  readonly message: string;
}

/**
 * What `apply` returns to its driver. `federation.enqueue` never leaves the engine: the
 * homeserver hands it to its outbox, which answers with `federation.send` and timers.
 */
export type Effect = WakeEffect | TimerEffect | FederationSendEffect | PushEffect | LogEffect;

/** Effects inside the engine, before the homeserver routes `federation.enqueue` to the outbox. */
export type InternalEffect = Effect | FederationEnqueueEffect;
