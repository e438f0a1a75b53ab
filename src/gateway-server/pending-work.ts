/**
 * The work the engine has asked its driver for and not yet heard back about: retry timers (with
 * when they are due) and provider POSTs (with what to send). The engine's state names them only
 * by id, so the runtime keeps this beside it, updates it from every command and effect, and
 * stores it in each snapshot; after a restart it re-arms the timers and sends the POSTs again.
 */
import type { GatewayCommand, GatewayEffect, GatewayState } from "../gateway/index.ts";

export interface PendingPost {
  readonly url: string;
  readonly body: unknown;
}

export interface PendingWork {
  /** Timer id → when it is due (ms since the epoch). */
  readonly timers: Record<string, number>;
  /** Delivery id → the POST whose answer the engine awaits. */
  readonly posts: Record<string, PendingPost>;
}

export function emptyPending(): PendingWork {
  return { timers: {}, posts: {} };
}

/**
 * Brings `pending` up to date after the engine accepted `command` (null when it changed nothing)
 * and asked for `effects`.
 */
export function notePending(pending: PendingWork, command: GatewayCommand | null, effects: readonly GatewayEffect[]): void {
  if (command?.type === "timer") delete pending.timers[command.id];
  if (command?.type === "providerResult") delete pending.posts[command.deliveryId];
  for (const effect of effects) {
    if (effect.kind === "timer") pending.timers[effect.id] = effect.at;
    else if (effect.kind === "provider.post") pending.posts[effect.deliveryId] = { url: effect.url, body: effect.body };
  }
}

/** Drops what the engine no longer waits for, so a stale entry can never be resumed. */
export function prunePending(pending: PendingWork, state: GatewayState): void {
  for (const id of Object.keys(pending.timers)) if (!(id in state.timers)) delete pending.timers[id];
  for (const id of Object.keys(pending.posts)) if (!(id in state.awaited)) delete pending.posts[id];
}
