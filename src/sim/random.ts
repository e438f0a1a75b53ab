/**
 * The simulator's only source of randomness: a small seeded generator (sfc32), so a run is a
 * pure function of its scenario. Each channel of the world (a network link, a client) draws from
 * its own generator, seeded from the scenario seed and the channel's name: removing one client
 * action then changes only the draws of the channels it used, which keeps fast-check's shrinking
 * effective.
 */

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, salt = "") {
    const h = hashString(`${seed >>> 0}:${salt}`);
    this.a = h ^ 0x9e3779b9;
    this.b = Math.imul(h, 0x85ebca6b) ^ 0xc2b2ae35;
    this.c = Math.imul(h ^ (h >>> 16), 0x27d4eb2f);
    this.d = 1;
    // A few rounds so that close seeds do not start with close outputs.
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform number in [0, 1). */
  next(): number {
    return this.nextUint() / 4294967296;
  }

  /** True with probability `p` (no draw is made when p is 0, so "no faults" costs nothing). */
  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }

  /** A uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError("pick from an empty list");
    return item;
  }
}

/** FNV-1a, 32 bits: stable channel seeds from names. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
