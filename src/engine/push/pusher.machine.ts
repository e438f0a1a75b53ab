/**
 * The retry lifecycle of one pusher: this file owns the state machine, nothing else does.
 *
 * | state        | meaning                                              | clauses            |
 * |--------------|------------------------------------------------------|--------------------|
 * | `idle`       | nothing queued                                       | PUSH-2             |
 * | `sending`    | the head notification is in flight (one at a time)   | PUSH-2, PUSH-60    |
 * | `backingOff` | the head failed; waiting `nextDelay(attempt)`        | PUSH-26, PUSH-27, PUSH-60 |
 * | `givingUp`   | transient: 24 h of failure; the head is dropped      | PUSH-27 (push-backoff) |
 * | `rejected`   | final: the gateway rejected this pushkey; removed    | PUSH-29, PUSH-30, PUSH-31 |
 * | `stopped`    | final: the pusher was deleted (by its user or device)| PUSH-35, PUSH-67   |
 *
 * Notifications leave in queue order, one in flight; any failure (connection error, timeout,
 * non-2xx, non-JSON body) backs off 1 s doubling to 1 h (push-backoff policy); new
 * notifications are only queued, never sent early, while backing off; a failure 24 h after the
 * streak began drops the head (`dropHead`) and resets the back-off; a 2xx whose `rejected` names
 * this pusher's pushkey ends the pusher (`removePusher`). Effects are named actions and a
 * delayed `raise`, which `src/engine/machine-step.ts` turns into data.
 */
import { assertEvent, assign, cancel, raise, setup } from "xstate";
import type { Json } from "../../canonical-json.ts";
import { type BackoffConfig, nextDelay, shouldGiveUp } from "./backoff.ts";

export interface PusherMachineInput {
  readonly pushkey: string;
  readonly backoff: BackoffConfig;
}

export interface PusherContext {
  readonly pushkey: string;
  readonly backoff: BackoffConfig;
  /** Notify bodies not yet acknowledged; the head is the one in flight or waiting to retry. */
  readonly queue: readonly Json[];
  /** Consecutive failures of the head (0 while none). */
  readonly attempt: number;
  /** When the current failure streak began (null while not failing). */
  readonly failingSince: number | null;
}

export type PusherEvent =
  | { readonly type: "enqueue"; readonly body: Json }
  | { readonly type: "gatewayAccepted"; readonly rejected: readonly string[] }
  | { readonly type: "gatewayFailed"; readonly reason: string; readonly now: number }
  | { readonly type: "retry" }
  | { readonly type: "stop" };

// Stryker disable next-line StringLiteral: the id stays inside the machine; the pusher queue reports the raise and its cancel under the pusher's own timer id
export const BACKOFF_TIMER = "backoff";

const head = ({ context }: { context: PusherContext }) => ({ body: context.queue[0] ?? null });

export const pusherMachine = setup({
  // Stryker disable next-line ObjectLiteral: `types` only carries TypeScript types; xstate reads nothing from it at run time
  types: {
    context: {} as PusherContext,
    events: {} as PusherEvent,
    input: {} as PusherMachineInput,
  },
  actions: {
    // Named effects: the pusher queue turns them into `push.notify`, `push.dropped` and
    // `pusher.removed` effects.
    postNotification: (_, _params: { body: Json; attempt: number }) => {},
    dropHead: (_, _params: { body: Json }) => {},
    removePusher: (_, _params: { pushkey: string }) => {},
    append: assign({
      queue: ({ context, event }) => {
        assertEvent(event, "enqueue");
        return [...context.queue, event.body];
      },
    }),
    shiftQueue: assign({ queue: ({ context }) => context.queue.slice(1) }),
    resetBackoff: assign({ attempt: 0, failingSince: null }),
    recordFailure: assign({
      attempt: ({ context }) => context.attempt + 1,
      failingSince: ({ context, event }) => {
        assertEvent(event, "gatewayFailed");
        return context.failingSince ?? event.now;
      },
    }),
    scheduleRetry: raise({ type: "retry" }, { delay: "backoff", id: BACKOFF_TIMER }),
    cancelRetry: cancel(BACKOFF_TIMER),
  },
  guards: {
    // PUSH-29: only this pusher's own pushkey concerns it; other keys are ignored.
    isRejected: ({ context, event }) => {
      assertEvent(event, "gatewayAccepted");
      return event.rejected.includes(context.pushkey);
    },
    givesUp: ({ context, event }) => {
      assertEvent(event, "gatewayFailed");
      return shouldGiveUp(context.failingSince, event.now, context.backoff);
    },
    hasNext: ({ context }) => context.queue.length > 1,
  },
  delays: {
    backoff: ({ context }) => nextDelay(context.attempt, context.backoff),
  },
}).createMachine({
  id: "pusher",
  initial: "idle",
  context: ({ input }) => ({ pushkey: input.pushkey, backoff: input.backoff, queue: [], attempt: 0, failingSince: null }),
  states: {
    idle: {
      on: {
        enqueue: { target: "sending", actions: "append" },
        stop: "stopped",
      },
    },
    sending: {
      entry: { type: "postNotification", params: ({ context }) => ({ ...head({ context }), attempt: context.attempt + 1 }) },
      on: {
        enqueue: { actions: "append" },
        gatewayAccepted: [
          { guard: "isRejected", target: "rejected", actions: { type: "removePusher", params: ({ context }) => ({ pushkey: context.pushkey }) } },
          { guard: "hasNext", target: "sending", reenter: true, actions: ["shiftQueue", "resetBackoff"] },
          { target: "idle", actions: ["shiftQueue", "resetBackoff"] },
        ],
        gatewayFailed: [
          { guard: { type: "givesUp" }, target: "givingUp" },
          { target: "backingOff", actions: "recordFailure" },
        ],
        stop: "stopped",
      },
    },
    // A transient step: the head is dropped, then the next is sent at once or the pusher idles.
    givingUp: {
      entry: [{ type: "dropHead", params: head }],
      always: [
        { guard: "hasNext", target: "sending", actions: ["shiftQueue", "resetBackoff"] },
        { target: "idle", actions: ["shiftQueue", "resetBackoff"] },
      ],
    },
    backingOff: {
      entry: "scheduleRetry",
      on: {
        retry: "sending",
        // New notifications wait behind the head: they never cut the back-off short.
        enqueue: { actions: "append" },
        stop: { target: "stopped", actions: "cancelRetry" },
      },
    },
    rejected: { type: "final" },
    stopped: { type: "final" },
  },
});

export type PusherMachine = typeof pusherMachine;
export type PusherStateValue = "idle" | "sending" | "givingUp" | "backingOff" | "rejected" | "stopped";
