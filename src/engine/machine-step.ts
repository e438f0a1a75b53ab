/**
 * Stepping an XState machine purely: xstate's `initialTransition` / `transition` compute the
 * next snapshot and the actions to run without running anything (the XState form of sans-I/O).
 * This module turns those actions into data the engine can return as effects:
 *
 * - a delayed `raise` (`raise(ev, { delay, id })`) becomes a timer request `{ id, at, event }`;
 *   the driver calls back with the event when the (real or virtual) clock reaches `at`;
 * - `cancel(id)` becomes a timer cancellation;
 * - every other named action is returned as `{ type, params }` for the caller to translate.
 *
 * Snapshots are plain JSON (`{ value, context, status }`), so they can be journaled and
 * restored with `restoreSnapshot`.
 */
import type { AnyStateMachine, EventFromLogic, SnapshotFrom } from "xstate";
import { initialTransition, transition } from "xstate";

export interface TimerRequest {
  readonly id: string;
  readonly at: number;
  readonly event: { readonly type: string };
}

export interface NamedAction {
  readonly type: string;
  readonly params: unknown;
}

export interface Step<M extends AnyStateMachine> {
  readonly snapshot: SnapshotFrom<M>;
  readonly actions: readonly NamedAction[];
  readonly timers: readonly TimerRequest[];
  readonly cancelled: readonly string[];
}

interface RawAction {
  type: string;
  params?: unknown;
}

function collect<M extends AnyStateMachine>(snapshot: SnapshotFrom<M>, raw: readonly RawAction[], now: number): Step<M> {
  const actions: NamedAction[] = [];
  const timers: TimerRequest[] = [];
  const cancelled: string[] = [];
  for (const a of raw) {
    if (a.type === "xstate.raise") {
      const p = a.params as { event: { type: string }; id?: string; delay?: number };
      if (typeof p.delay === "number") {
        timers.push({ id: p.id ?? p.event.type, at: now + p.delay, event: p.event });
      } else {
        // An immediate raise is already folded into the snapshot by `transition`.
      }
    } else if (a.type === "xstate.cancel") {
      const p = a.params as { sendId: string };
      cancelled.push(p.sendId);
    } else if (!a.type.startsWith("xstate.")) {
      actions.push({ type: a.type, params: a.params });
    }
  }
  return { snapshot, actions, timers, cancelled };
}

export function startMachine<M extends AnyStateMachine>(machine: M, input: unknown, now: number): Step<M> {
  const [snapshot, raw] = initialTransition(machine, input as never);
  return collect<M>(snapshot as SnapshotFrom<M>, raw as unknown as RawAction[], now);
}

export function stepMachine<M extends AnyStateMachine>(
  machine: M,
  snapshot: SnapshotFrom<M>,
  event: EventFromLogic<M>,
  now: number,
): Step<M> {
  const [next, raw] = transition(machine, snapshot as never, event as never);
  return collect<M>(next as SnapshotFrom<M>, raw as unknown as RawAction[], now);
}

/** The serialisable part of a snapshot, as kept in engine state and journals. */
export interface StoredSnapshot {
  readonly value: unknown;
  readonly context: unknown;
}

export function storeSnapshot(snapshot: { value: unknown; context: unknown }): StoredSnapshot {
  return { value: snapshot.value, context: snapshot.context };
}

export function restoreSnapshot<M extends AnyStateMachine>(machine: M, stored: StoredSnapshot): SnapshotFrom<M> {
  return machine.resolveState(stored as never) as SnapshotFrom<M>;
}
