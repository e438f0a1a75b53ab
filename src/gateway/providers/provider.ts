/**
 * The one interface every push provider (APNS, FCM, a webhook) sits behind. A provider never
 * holds engine state and never performs I/O: asked to attempt a delivery, it either answers at
 * once (a simulated provider decides from its script and the pushkey) or asks the engine to POST
 * somewhere and later turns the driver's report of that POST into an outcome.
 */
import type { SimulatedOutcome } from "../config.ts";
import type { NotifyNotification } from "../notify-body.ts";

/** What one attempt came to, in the delivery machine's terms. */
export type ProviderOutcome = SimulatedOutcome;

export type ProviderType = "apns" | "fcm" | "webhook";

export interface DeliveryAttempt {
  readonly appKey: string;
  readonly appId: string;
  readonly pushkey: string;
  /** The notification as the gateway received it, with `devices` narrowed to this device. */
  readonly notification: NotifyNotification;
  /** From 1; a retry of the same notification has a higher number. */
  readonly attempt: number;
  /** How many scripted outcomes this provider has already used for this pushkey. */
  readonly scriptUsed: number;
}

export type AttemptAnswer =
  | { readonly kind: "answered"; readonly outcome: ProviderOutcome; readonly usedScript: boolean }
  | { readonly kind: "post"; readonly url: string; readonly body: unknown };

/** The driver's report of an asynchronous provider call (e.g. the webhook POST). */
export type ProviderResult =
  | { readonly status: number; readonly body?: unknown }
  | { readonly error: string };

export interface Provider {
  readonly type: ProviderType;
  /**
   * Whether an invalid token met on the attempt made while the request is being answered is
   * rejected in that same response. The spec's APNS recommendation says no: answer at once,
   * store the failure, and reject on the pushkey's next use.
   */
  readonly rejectsInResponse: boolean;
  attempt(request: DeliveryAttempt): AttemptAnswer;
  /** Only for providers that answer with `post`. */
  settle(result: ProviderResult, pushkey: string): ProviderOutcome;
}
