/**
 * The retry lifecycle of one federation destination, as an XState machine. This file owns the
 * state table; `destinations.ts` steps it purely (`machine-step.ts`) and turns its named actions
 * into effects. The outbox (`outbox.ts`) holds the EDUs; the machine only decides when to send.
 *
 * States and the clauses they carry:
 * - `idle` (FED-1): nothing queued, nothing in flight. `enqueued` → `sending` at once, with no
 *   wake-up delay: Synapse #15161 shows what such a delay does to to-device messages.
 * - `sending` (FED-12, FED-8, FED-21): entry `sendTransaction` sends the transaction in flight
 *   again, or builds the next one of at most 100 EDUs. On a 200 (`succeeded`), `acknowledge`
 *   drops exactly that transaction's EDUs from the outbox, then `sending` again if more are
 *   queued, else `idle`. Any failure → `backingOff`. `drained` (nothing to send) → `idle`, for a
 *   driver whose queue can run dry under it; `destinations.ts` never needs it, since it reports
 *   `remaining` exactly.
 * - `backingOff` (FED-21, policy federation-backoff): entry arms a delayed `retry`; delays
 *   start at 10 minutes, double, and stop growing at 1 day (Synapse's values; configurable);
 *   it never gives up. `retry` → `sending`, which resends the SAME transaction. `inboundFrom`
 *   (the destination just sent us a request, so it is up) wakes it at once and resets the
 *   back-off, as Synapse does. A late 200 for the transaction in flight still acknowledges it.
 *   New EDUs do not shorten a back-off: they wait behind the transaction in flight.
 */
import { assign, cancel, raise, setup } from "xstate";

export interface BackoffPolicy {
  readonly initialMs: number;
  readonly multiplier: number;
  readonly maxMs: number;
}

/** Synapse's federation retry constants: 10 minutes, doubling, capped (here at one day). */
export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 10 * 60_000, multiplier: 2, maxMs: 24 * 60 * 60_000 };

/**
 * The delay before the next retry, given the delay used after the previous consecutive failure
 * (`null` for the first failure since the destination last answered or woke).
 */
export function nextDelay(previous: number | null, policy: BackoffPolicy): number {
  if (previous === null) return Math.min(policy.initialMs, policy.maxMs);
  return Math.min(previous * policy.multiplier, policy.maxMs);
}

export interface DestinationContext {
  readonly policy: BackoffPolicy;
  /** The back-off delay now running or last used in this run of failures; null after success. */
  readonly delay: number | null;
}

export type DestinationEvent =
  | { readonly type: "enqueued" }
  /** A 200 for the transaction in flight; `remaining` EDUs wait behind it. */
  | { readonly type: "succeeded"; readonly remaining: number }
  | { readonly type: "failed" }
  | { readonly type: "retry" }
  | { readonly type: "inboundFrom" }
  | { readonly type: "drained" };

// Stryker disable next-line StringLiteral: the id only pairs the retry raise with its cancel (and labels them in the report); every use names this constant
export const RETRY_TIMER = "retry";

export const destinationMachine = setup({
  // Stryker disable next-line ObjectLiteral: type-only declarations, erased at run time
  types: {
    context: {} as DestinationContext,
    events: {} as DestinationEvent,
    input: {} as { readonly policy: BackoffPolicy },
  },
  actions: {
    // Named and empty: pure stepping hands them back as data for destinations.ts to carry out.
    sendTransaction: () => {},
    acknowledge: () => {},
    growBackoff: assign({ delay: ({ context }) => nextDelay(context.delay, context.policy) }),
    resetBackoff: assign({ delay: null }),
    armRetry: raise({ type: "retry" }, { delay: "backoff", id: RETRY_TIMER }),
    disarmRetry: cancel(RETRY_TIMER),
  },
  delays: {
    backoff: ({ context }) => context.delay ?? context.policy.initialMs,
  },
  guards: {
    // Used on `succeeded` only, with the event as params (typed per transition): EDUs still wait
    // behind the transaction just acknowledged.
    moreQueued: (_, params: { readonly remaining: number }) => params.remaining > 0,
  },
}).createMachine({
  // Stryker disable next-line StringLiteral: stored snapshots hold only the state value and context, and nothing targets states by id; the id only titles the report's diagram
  id: "destination",
  context: ({ input }) => ({ policy: input.policy, delay: null }),
  initial: "idle",
  states: {
    idle: {
      on: { enqueued: { target: "sending" } },
    },
    sending: {
      entry: "sendTransaction",
      on: {
        succeeded: [
          { guard: { type: "moreQueued", params: ({ event }) => event }, target: "sending", reenter: true, actions: ["acknowledge", "resetBackoff"] },
          { target: "idle", actions: ["acknowledge", "resetBackoff"] },
        ],
        failed: { target: "backingOff", actions: "growBackoff" },
        drained: { target: "idle" },
      },
    },
    backingOff: {
      entry: "armRetry",
      exit: "disarmRetry",
      on: {
        retry: { target: "sending" },
        inboundFrom: { target: "sending", actions: "resetBackoff" },
        succeeded: [
          { guard: { type: "moreQueued", params: ({ event }) => event }, target: "sending", actions: ["acknowledge", "resetBackoff"] },
          { target: "idle", actions: ["acknowledge", "resetBackoff"] },
        ],
      },
    },
  },
});

export type DestinationStateValue = "idle" | "sending" | "backingOff";
