/**
 * The lifecycle of one notification's delivery to one pushkey through its provider. This file
 * owns that lifecycle; the engine (`engine.ts`) only performs what the named actions ask for and
 * feeds the provider's answers back as events. One delivery per pushkey is active at a time
 * (the others wait in its lane), which keeps deliveries in order per pushkey.
 *
 * States, and the clauses they implement:
 * - `sending`: an attempt is with the provider (`attemptDelivery`). The provider answers
 *   DELIVERED, INVALID_TOKEN, PERMANENT_FAILURE or TRANSIENT_FAILURE (now).
 * - `backingOff`: GW-4, GW-10 (nearest; no clause covers a gateway's own retries): the gateway
 *   answers the homeserver at once, so a transient failure is its own to retry: wait
 *   `nextDelay(attempt)` (1 s, doubling, capped) as a delayed RETRY, then `sending` again.
 * - `delivered` (final): GW-17: reached only once per accepted (event_id, pushkey); the provider accepted the notification (`reportDelivered`).
 * - `rejected` (final): GW-10, GW-6: the provider said the token is invalid; the failure is
 *   recorded and the pushkey is rejected on its next use (`recordRejection`).
 * - `dropped` (final): GW-22: a permanent, non-token failure; the notification is
 *   dropped and logged, the pushkey stays valid (`reportDropped`).
 * - `droppedAfterRetries` (final): attempts or the give-up time ran out; dropped and logged
 *   (`reportGaveUp`).
 *
 * Times come in on events (`now`); the machine itself reads no clock.
 */
import { assign, raise, setup } from "xstate";
import { nextDelay } from "./backoff.ts";
import type { RetryConfig } from "./config.ts";

export interface DeliveryInput {
  readonly startedAt: number;
  readonly retry: RetryConfig;
}

export interface DeliveryContext {
  /** The attempt under way or last made, from 1. */
  readonly attempt: number;
  readonly startedAt: number;
  /** When the latest retry is (or was) due: the start of the attempt after it; null before any. */
  readonly retryAt: number | null;
  readonly retry: RetryConfig;
}

export type DeliveryEvent =
  | { readonly type: "DELIVERED" }
  | { readonly type: "INVALID_TOKEN" }
  | { readonly type: "PERMANENT_FAILURE" }
  | { readonly type: "TRANSIENT_FAILURE"; readonly now: number }
  | { readonly type: "RETRY" };

export type DeliveryFinal = "delivered" | "rejected" | "dropped" | "droppedAfterRetries";
export const DELIVERY_FINALS: readonly DeliveryFinal[] = ["delivered", "rejected", "dropped", "droppedAfterRetries"];

/** The timer id the machine gives its delayed RETRY; the engine maps it to a unique one. */
export const RETRY_TIMER = "retry";

function delayAfter(context: DeliveryContext): number {
  return nextDelay(context.attempt, context.retry);
}

export const deliveryMachine = setup({
  types: {
    context: {} as DeliveryContext,
    events: {} as DeliveryEvent,
    input: {} as DeliveryInput,
  },
  actions: {
    attemptDelivery: (_: unknown, _params: { attempt: number }) => {},
    reportDelivered: (_: unknown, _params: { attempt: number }) => {},
    recordRejection: (_: unknown, _params: { attempt: number }) => {},
    reportDropped: (_: unknown, _params: { attempt: number }) => {},
    reportGaveUp: (_: unknown, _params: { attempt: number; startedAt: number }) => {},
  },
  guards: {
    // Retry only if attempts remain and the retry would start within the give-up time.
    canRetry: ({ context, event }) =>
      event.type === "TRANSIENT_FAILURE" &&
      context.attempt < context.retry.maxAttempts &&
      event.now + delayAfter(context) - context.startedAt <= context.retry.giveUpAfterMs,
  },
  delays: {
    backoff: ({ context }) => delayAfter(context),
  },
}).createMachine({
  id: "gatewayDelivery",
  context: ({ input }) => ({ attempt: 1, startedAt: input.startedAt, retryAt: null, retry: input.retry }),
  initial: "sending",
  states: {
    sending: {
      entry: { type: "attemptDelivery", params: ({ context }) => ({ attempt: context.attempt }) },
      on: {
        DELIVERED: { target: "delivered" },
        INVALID_TOKEN: { target: "rejected" },
        PERMANENT_FAILURE: { target: "dropped" },
        TRANSIENT_FAILURE: [
          {
            guard: "canRetry",
            target: "backingOff",
            actions: assign({ retryAt: ({ context, event }) => event.now + delayAfter(context) }),
          },
          { target: "droppedAfterRetries" },
        ],
      },
    },
    backingOff: {
      entry: raise({ type: "RETRY" }, { delay: "backoff", id: RETRY_TIMER }),
      on: {
        RETRY: {
          target: "sending",
          actions: assign({ attempt: ({ context }) => context.attempt + 1 }),
        },
      },
    },
    delivered: {
      type: "final",
      entry: { type: "reportDelivered", params: ({ context }) => ({ attempt: context.attempt }) },
    },
    rejected: {
      type: "final",
      entry: { type: "recordRejection", params: ({ context }) => ({ attempt: context.attempt }) },
    },
    dropped: {
      type: "final",
      entry: { type: "reportDropped", params: ({ context }) => ({ attempt: context.attempt }) },
    },
    droppedAfterRetries: {
      type: "final",
      entry: {
        type: "reportGaveUp",
        params: ({ context }) => ({ attempt: context.attempt, startedAt: context.startedAt }),
      },
    },
  },
});
