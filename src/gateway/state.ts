/**
 * The gateway engine's state: plain JSON, so a snapshot is `JSON.stringify(gw.state)` and
 * replaying the journal of accepted commands from a snapshot rebuilds it exactly. Maps are
 * records keyed by `keyOf(...)` (a JSON array, so no separator can collide with a pushkey).
 */
import type { StoredSnapshot } from "../engine/machine-step.ts";
import type { GatewayConfig } from "./config.ts";
import type { NotifyNotification } from "./notify-body.ts";
import type { Provider } from "./providers/provider.ts";
import type { RoutingTable } from "./routing.ts";

/** A notification waiting for, or in, delivery to one pushkey. */
export interface Delivery {
  readonly requestId: string;
  readonly eventId: string | null;
  readonly notification: NotifyNotification;
  readonly acceptedAt: number;
}

/** The delivery at the head of a lane, with its machine. */
export interface ActiveDelivery extends Delivery {
  machine: StoredSnapshot;
  /** The id of the attempt under way or last made: names its POST and its retry timer. */
  attemptId: string;
}

/**
 * The notifications for one (app id, pushkey), delivered one at a time in the order accepted:
 * the head is with the provider or backing off; the rest wait.
 */
export interface Lane {
  readonly appKey: string;
  readonly appId: string;
  readonly pushkey: string;
  head: ActiveDelivery | null;
  readonly queue: Delivery[];
}

export interface DedupeEntry {
  readonly at: number;
  readonly rejected: boolean;
}

export interface GatewayState {
  /** Counter for attempt ids; the engine makes no random ids. */
  nextAttempt: number;
  /** Answers already given, keyed by (event_id, pushkey). */
  readonly dedupe: Record<string, DedupeEntry>;
  /** When a provider last reported the token invalid, keyed by (app key, pushkey). */
  readonly tokenFailures: Record<string, number>;
  /** Keyed by (app id, pushkey). */
  readonly lanes: Record<string, Lane>;
  /** Pending retry timers and awaited provider calls: attempt id → lane key. */
  readonly timers: Record<string, string>;
  readonly awaited: Record<string, string>;
  /** Scripted outcomes used so far, keyed by (app key, pushkey). */
  readonly scriptUsed: Record<string, number>;
}

export function emptyState(): GatewayState {
  return { nextAttempt: 1, dedupe: {}, tokenFailures: {}, lanes: {}, timers: {}, awaited: {}, scriptUsed: {} };
}

export function keyOf(a: string, b: string): string {
  return JSON.stringify([a, b]);
}

/** A running gateway: its configuration, derived lookup tables, and its state. */
export interface Gateway {
  readonly config: GatewayConfig;
  readonly routes: RoutingTable;
  readonly providers: ReadonlyMap<string, Provider>;
  state: GatewayState;
}
