/**
 * The network model: for each directed link, a delay, and the faults of the scenario: loss of a
 * request or of a response (after the receiver did the work), duplication, reordering (a packet
 * held back so later ones overtake it) and partitions that heal. Every link draws from its own
 * seeded generator. From `healAt` on the network is perfect.
 *
 * Endpoints: homeserver `s` is `s` (0-based), the gateway is `GATEWAY`, and client devices talk
 * to their own server over a `c{device}` link that can lose packets but never partitions.
 */
import { Random } from "./random.ts";
import { type FaultRates, type Fault, GATEWAY, TIMING } from "./scenario.ts";

type Range = readonly [number, number];

interface Partition {
  readonly from: number;
  readonly until: number;
}

export class Network {
  private readonly channels = new Map<string, Random>();
  private readonly partitions = new Map<string, Partition[]>();
  healed = false;
  /** How often each fault struck, so a test can tell a quiet run from a faulty one. */
  readonly struck = { lost: 0, duplicated: 0, reordered: 0, partitioned: 0, gatewayErrors: 0 };

  constructor(
    private readonly seed: number,
    private readonly rates: FaultRates,
    schedule: readonly Fault[],
    healAt: number,
    servers: number,
  ) {
    for (const fault of schedule) {
      if (fault.kind !== "partition" || fault.at >= healAt) continue;
      const a = fault.a === GATEWAY ? GATEWAY : fault.a % servers;
      const b = fault.b === GATEWAY ? GATEWAY : fault.b % servers;
      if (a === b) continue;
      const key = pairKey(a, b);
      const list = this.partitions.get(key) ?? [];
      list.push({ from: fault.at, until: Math.min(fault.at + fault.durationMs, healAt) });
      this.partitions.set(key, list);
    }
  }

  /** The generator of one channel; callers keep it, so no name is built per packet. */
  channel(name: string): Random {
    let random = this.channels.get(name);
    if (random === undefined) {
      random = new Random(this.seed, name);
      this.channels.set(name, random);
    }
    return random;
  }

  partitioned(a: number, b: number, at: number): boolean {
    if (this.healed) return false;
    const list = this.partitions.get(pairKey(a, b));
    if (list === undefined) return false;
    for (const p of list) {
      if (p.from <= at && at < p.until) {
        this.struck.partitioned += 1;
        return true;
      }
    }
    return false;
  }

  /** Whether the next packet on this channel is lost. */
  lost(channel: Random): boolean {
    const lost = !this.healed && channel.chance(this.rates.loss);
    if (lost) this.struck.lost += 1;
    return lost;
  }

  duplicated(channel: Random): boolean {
    const duplicated = !this.healed && channel.chance(this.rates.dup);
    if (duplicated) this.struck.duplicated += 1;
    return duplicated;
  }

  gatewayError(channel: Random): boolean {
    const error = !this.healed && channel.chance(this.rates.gatewayError);
    if (error) this.struck.gatewayErrors += 1;
    return error;
  }

  /** One packet's transit time on a server or gateway link, reordering included. */
  delay(channel: Random, range: Range): number {
    const base = channel.int(range[0], range[1]);
    if (this.healed || !channel.chance(this.rates.reorder)) return base;
    this.struck.reordered += 1;
    return base + channel.int(1, TIMING.reorderMaxMs);
  }

  /** A client link: latency only (clients talk to one server in order). */
  clientDelay(channel: Random): number {
    return channel.int(TIMING.clientLatency[0], TIMING.clientLatency[1]);
  }
}

export function pairKey(a: number, b: number): string {
  return a < b ? `${a}-${b}` : `${b}-${a}`;
}

export function linkChannel(from: number, to: number): string {
  return `${from === GATEWAY ? "gw" : from}>${to === GATEWAY ? "gw" : to}`;
}

export function clientChannel(device: number): string {
  return `c${device}`;
}
