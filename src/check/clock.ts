/**
 * The two clocks a scenario can run on. Against a real server time is real: `sleep` waits and
 * `until` polls. In process it is virtual: the in-process driver keeps an agenda of what the
 * engine asked to happen later (back-off timers, a gateway's late answer), and sleeping jumps
 * from one agenda entry to the next, so a 24-hour back-off costs nothing.
 */
import type { Clock } from "./driver.ts";

const POLL_MS = 20;

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
  async until(done, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (done()) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(1, deadline - Date.now()))));
    }
  },
};

interface Entry {
  readonly at: number;
  readonly seq: number;
  readonly key: string | null;
  readonly run: () => Promise<void> | void;
}

/** Virtual milliseconds with an agenda; ties run in the order they were scheduled. */
export class VirtualClock implements Clock {
  private time: number;
  private seq = 0;
  private agenda: Entry[] = [];

  constructor(start = 1_700_000_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  /** Runs `run` at virtual time `at`; a `key` replaces any entry scheduled under the same key. */
  schedule(at: number, run: () => Promise<void> | void, key: string | null = null): void {
    if (key !== null) this.cancel(key);
    this.agenda.push({ at: Math.max(at, this.time), seq: this.seq++, key, run });
    this.agenda.sort((a, b) => a.at - b.at || a.seq - b.seq);
  }

  cancel(key: string): void {
    this.agenda = this.agenda.filter((e) => e.key !== key);
  }

  /** Runs every entry due by `until`, in order, moving the clock to each; then to `until`. */
  private async runTo(until: number, stop: () => boolean = () => false): Promise<boolean> {
    for (;;) {
      if (stop()) return true;
      const next = this.agenda[0];
      if (next === undefined || next.at > until) break;
      this.agenda.shift();
      this.time = Math.max(this.time, next.at);
      await next.run();
    }
    this.time = Math.max(this.time, until);
    return stop();
  }

  async sleep(ms: number): Promise<void> {
    await this.runTo(this.time + Math.max(0, ms));
  }

  async until(done: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = this.time + timeoutMs;
    if (await this.runTo(this.time, done)) return true;
    for (;;) {
      const next = this.agenda[0];
      if (next === undefined || next.at > deadline) {
        await this.runTo(deadline);
        return done();
      }
      if (await this.runTo(next.at, done)) return true;
    }
  }

  /** Runs what is due now (answers the engine is owed at this instant). */
  async settle(): Promise<void> {
    await this.runTo(this.time);
  }
}
