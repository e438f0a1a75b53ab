/**
 * One pusher's queue: owns the pusher machine's snapshot (plain JSON, so it is journaled and
 * survives a restart: pending pushes are sent again after recovery, at least once) and turns
 * the machine's actions into effects the driver executes:
 *
 * - `push.notify`: POST `body` to `url` (one at a time per pusher);
 * - `timer` / `timer.cancel`: the back-off wait, under a timer id unique to the pusher;
 * - `push.dropped`: the head notification was given up after 24 h of failure;
 * - `pusher.removed`: the gateway rejected the pushkey (PUSH-29, PUSH-30); remove the pusher.
 *
 * The driver answers a `push.notify` with `applyPushResult` and a fired timer with
 * `applyPushTimer`. Every function takes the machine as a last argument only so tests can run
 * deliberately broken variants through the same code.
 */
import type { Json } from "../../canonical-json.ts";
import type { TimerEffect } from "../effects.ts";
import { type Step, type StoredSnapshot, restoreSnapshot, startMachine, stepMachine, storeSnapshot } from "../machine-step.ts";
import type { BackoffConfig } from "./backoff.ts";
import type { PusherId } from "./pushers.ts";
import { type PusherContext, type PusherEvent, type PusherMachine, type PusherStateValue, pusherMachine } from "./pusher.machine.ts";

export interface PusherQueue {
  readonly pusherId: PusherId;
  readonly url: string;
  snapshot: StoredSnapshot;
  /** When the armed back-off timer fires, so a restart can re-arm it; null when none is armed. */
  retryAt: number | null;
}

export type PushEffect =
  | { readonly kind: "push.notify"; readonly pusherId: PusherId; readonly url: string; readonly body: Json; readonly attempt: number }
  | TimerEffect
  | { readonly kind: "timer.cancel"; readonly id: string }
  | { readonly kind: "push.dropped"; readonly pusherId: PusherId; readonly body: Json }
  | { readonly kind: "pusher.removed"; readonly pusherId: PusherId; readonly pushkey: string; readonly reason: "rejected" };

/**
 * What became of one `push.notify`. `ok: true` means an HTTP response with a JSON body arrived
 * (its status may still be an error); anything else (connection error, timeout, a body that is
 * not JSON) is `ok: false`. `rejected` is the gateway's list of invalid pushkeys (PUSH-28).
 */
export type PushResult =
  | { readonly ok: true; readonly status: number; readonly rejected: readonly string[] }
  | { readonly ok: false; readonly reason: string };

const TIMER_PREFIX = "push.backoff:";

export function pushTimerId(pusherId: PusherId): string {
  return TIMER_PREFIX + pusherId;
}

/** The pusher a timer id belongs to, or null when the timer is not a pusher's. */
export function pusherOfTimer(id: string): PusherId | null {
  return id.startsWith(TIMER_PREFIX) ? (id.slice(TIMER_PREFIX.length) as PusherId) : null;
}

function effectsOf(queue: PusherQueue, step: Step<PusherMachine>): PushEffect[] {
  queue.snapshot = storeSnapshot(step.snapshot);
  // Only `backingOff` arms the timer, on entry; leaving it (to retry, or stopped) disarms it.
  if (step.snapshot.value !== "backingOff") queue.retryAt = null;
  const effects: PushEffect[] = [];
  // The machine's one timer is its back-off (BACKOFF_TIMER), known to the driver by the pusher's timer id.
  for (const _cancelled of step.cancelled) effects.push({ kind: "timer.cancel", id: pushTimerId(queue.pusherId) });
  for (const action of step.actions) {
    // The params are those the machine's `setup` declares for each action.
    if (action.type === "postNotification") {
      const p = action.params as { body: Json; attempt: number };
      effects.push({ kind: "push.notify", pusherId: queue.pusherId, url: queue.url, body: p.body, attempt: p.attempt });
    } else if (action.type === "dropHead") {
      const p = action.params as { body: Json };
      effects.push({ kind: "push.dropped", pusherId: queue.pusherId, body: p.body });
    } else if (action.type === "removePusher") {
      const p = action.params as { pushkey: string };
      effects.push({ kind: "pusher.removed", pusherId: queue.pusherId, pushkey: p.pushkey, reason: "rejected" });
    }
  }
  for (const timer of step.timers) {
    queue.retryAt = timer.at;
    effects.push({ kind: "timer", id: pushTimerId(queue.pusherId), at: timer.at });
  }
  return effects;
}

function step(queue: PusherQueue, event: PusherEvent, now: number, machine: PusherMachine): PushEffect[] {
  return effectsOf(queue, stepMachine(machine, restoreSnapshot(machine, queue.snapshot), event, now));
}

export interface PusherQueueInput {
  readonly pusherId: PusherId;
  readonly url: string;
  readonly pushkey: string;
  readonly backoff: BackoffConfig;
}

export function startPusherQueue(input: PusherQueueInput, now: number, machine: PusherMachine = pusherMachine): { queue: PusherQueue; effects: PushEffect[] } {
  const started = startMachine(machine, { pushkey: input.pushkey, backoff: input.backoff }, now);
  const queue: PusherQueue = { pusherId: input.pusherId, url: input.url, snapshot: storeSnapshot(started.snapshot), retryAt: null };
  return { queue, effects: effectsOf(queue, started) };
}

export function enqueueNotification(queue: PusherQueue, body: Json, now: number, machine: PusherMachine = pusherMachine): PushEffect[] {
  return step(queue, { type: "enqueue", body }, now, machine);
}

/** PUSH-26, PUSH-60: a non-2xx status is a failure like a connection error. */
export function applyPushResult(queue: PusherQueue, result: PushResult, now: number, machine: PusherMachine = pusherMachine): PushEffect[] {
  if (result.ok && result.status >= 200 && result.status < 300) {
    return step(queue, { type: "gatewayAccepted", rejected: result.rejected }, now, machine);
  }
  // Stryker disable next-line StringLiteral: the machine never reads a failure's reason (only its time), so the text changes no step
  const reason = result.ok ? `HTTP ${result.status}` : result.reason;
  return step(queue, { type: "gatewayFailed", reason, now }, now, machine);
}

export function applyPushTimer(queue: PusherQueue, now: number, machine: PusherMachine = pusherMachine): PushEffect[] {
  return step(queue, { type: "retry" }, now, machine);
}

/** The pusher was deleted: nothing more is sent and a pending back-off timer is cancelled. */
export function stopPusherQueue(queue: PusherQueue, now: number, machine: PusherMachine = pusherMachine): PushEffect[] {
  return step(queue, { type: "stop" }, now, machine);
}

/**
 * After a restart from stored state: the push in flight goes out again (at least once; the
 * gateway dedupes on event_id) and an armed back-off timer is re-armed at its original time.
 */
export function resumePusherQueue(queue: PusherQueue): PushEffect[] {
  const context = queue.snapshot.context as PusherContext;
  // `sending` always has a head: it is entered only with a notification queued.
  if (pusherStatus(queue) === "sending") {
    return [{ kind: "push.notify", pusherId: queue.pusherId, url: queue.url, body: context.queue[0] ?? null, attempt: context.attempt + 1 }];
  }
  if (queue.retryAt !== null) return [{ kind: "timer", id: pushTimerId(queue.pusherId), at: queue.retryAt }];
  return [];
}

export function pusherStatus(queue: PusherQueue): PusherStateValue {
  return queue.snapshot.value as PusherStateValue;
}

export function pendingNotifications(queue: PusherQueue): readonly Json[] {
  return (queue.snapshot.context as PusherContext).queue;
}

export function isFinished(queue: PusherQueue): boolean {
  const status = pusherStatus(queue);
  return status === "rejected" || status === "stopped";
}
