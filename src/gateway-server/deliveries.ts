/**
 * What the simulated providers "send": each `provider.delivered` effect the gateway executes is
 * kept here, so tests and the demo can see what reached a provider. Courier-specific, not
 * Matrix: it is served at `GET /_courier/deliveries` (see `app.ts`). A bounded ring buffer in
 * memory: the oldest entries make room for new ones, and nothing survives a restart (the log line
 * written for each delivery is the durable trace).
 */
import type { GatewayEffect } from "../gateway/index.ts";

type DeliveredEffect = Extract<GatewayEffect, { kind: "provider.delivered" }>;

/** One delivery as `GET /_courier/deliveries` lists it (snake_case, like the Matrix APIs). */
export interface DeliveryEntry {
  /** Position in the order of delivery since the process started, from 1. */
  readonly seq: number;
  /** When the gateway executed the delivery, in milliseconds since the epoch. */
  readonly ts: number;
  readonly provider: DeliveredEffect["provider"];
  readonly app_id: string;
  readonly pushkey: string;
  readonly event_id?: string;
  /** What the provider was given: the ping payload for this one device. */
  readonly notification: DeliveredEffect["notification"];
}

export interface DeliveryFilter {
  readonly pushkey?: string;
}

export const DEFAULT_DELIVERIES_KEPT = 1000;

export class DeliveryRecord {
  private readonly ring: (DeliveryEntry | undefined)[];
  /** How many deliveries were recorded in all; the newest sits at `(recorded - 1) % capacity`. */
  private recorded = 0;

  constructor(readonly capacity: number = DEFAULT_DELIVERIES_KEPT) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError("capacity must be a positive integer");
    this.ring = new Array<DeliveryEntry | undefined>(capacity).fill(undefined);
  }

  record(effect: DeliveredEffect, ts: number): DeliveryEntry {
    const base = { seq: this.recorded + 1, ts, provider: effect.provider, app_id: effect.appId, pushkey: effect.pushkey };
    const entry: DeliveryEntry =
      effect.eventId === undefined
        ? { ...base, notification: effect.notification }
        : { ...base, event_id: effect.eventId, notification: effect.notification };
    this.ring[this.recorded % this.capacity] = entry;
    this.recorded++;
    return entry;
  }

  /** The deliveries still kept, oldest first, newest last. */
  list(filter: DeliveryFilter = {}): DeliveryEntry[] {
    const kept = Math.min(this.recorded, this.capacity);
    const out: DeliveryEntry[] = [];
    for (let i = this.recorded - kept; i < this.recorded; i++) {
      const entry = this.ring[i % this.capacity];
      if (entry !== undefined && (filter.pushkey === undefined || entry.pushkey === filter.pushkey)) out.push(entry);
    }
    return out;
  }

  /** Deliveries recorded since the process started, including those no longer kept. */
  get total(): number {
    return this.recorded;
  }
}
