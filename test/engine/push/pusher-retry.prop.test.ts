// Property: over random arrivals, gateway answers (2xx, 2xx rejecting this or another pushkey,
// 4xx, 5xx, connection errors, non-JSON bodies) and clock jumps, one pusher sends notifications
// in arrival order, one at a time; every back-off delay is nextDelay of the failure count
// (1 s doubling, within [1 s, 1 h]); no arrival is sent while a back-off is pending; a failure
// 24 h into a streak drops exactly the head; nothing is sent once a rejection of this pushkey
// was processed; and once the gateway heals every notification is acknowledged or was dropped
// (PUSH-26, PUSH-27, PUSH-29, PUSH-30, PUSH-60). Assumes the driver fires each timer exactly at
// its `at` and answers one push before the next command. Three deliberately broken variants of
// the machine (no back-off, arrivals bypass back-off, `rejected` ignored) must each fail it.
import { fc, test } from "@fast-check/vitest";
import { createMachine } from "xstate";
import { describe, expect, it } from "vitest";
import type { Json } from "../../../src/canonical-json.ts";
import { DEFAULT_BACKOFF, nextDelay } from "../../../src/engine/push/backoff.ts";
import { type PusherMachine, pusherMachine } from "../../../src/engine/push/pusher.machine.ts";
import {
  type PushEffect,
  type PushResult,
  type PusherQueue,
  applyPushResult,
  applyPushTimer,
  enqueueNotification,
  startPusherQueue,
} from "../../../src/engine/push/pusher-queue.ts";
import type { PusherId } from "../../../src/engine/push/pushers.ts";

const deep = process.env.COURIER_DEEP ? 100 : 1;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const OUTCOMES: Record<string, PushResult> = {
  ok: { ok: true, status: 200, rejected: [] },
  rejectsMe: { ok: true, status: 200, rejected: ["PK"] },
  rejectsOther: { ok: true, status: 200, rejected: ["OTHER"] },
  s500: { ok: true, status: 500, rejected: [] },
  s404: { ok: true, status: 404, rejected: [] },
  refused: { ok: false, reason: "connection refused" },
  notJson: { ok: false, reason: "body is not JSON" },
};

/** Rejections of this pushkey end a run, so they are rare enough to leave long runs common. */
function outcomeArb(): fc.Arbitrary<string> {
  const weights: Record<string, number> = { ok: 6, rejectsMe: 1, rejectsOther: 2, s500: 4, s404: 3, refused: 4, notJson: 2 };
  return fc.oneof(...Object.entries(weights).map(([name, weight]) => ({ weight, arbitrary: fc.constant(name) })));
}

type Op =
  | { readonly op: "arrive" }
  | { readonly op: "respond"; readonly outcome: string }
  | { readonly op: "wait"; readonly ms: number }
  /** A gateway outage: `rounds` times, fail the push in flight or wait for the retry. */
  | { readonly op: "outage"; readonly rounds: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<Op>({ op: "arrive" }) },
  { weight: 4, arbitrary: outcomeArb().map((outcome): Op => ({ op: "respond", outcome })) },
  { weight: 3, arbitrary: fc.oneof(fc.integer({ min: 0, max: 70_000 }), fc.constantFrom(HOUR, DAY)).map((ms): Op => ({ op: "wait", ms })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 40 }).map((rounds): Op => ({ op: "outage", rounds })) },
);
const opsArb = fc.array(opArb, { maxLength: 60 });

/** The model: what the pusher owes, and the checks every effect must pass. */
class Harness {
  clock = 0;
  next = 0;
  head = 0;
  inFlight: number | null = null;
  timerAt: number | null = null;
  failures = 0;
  streakStart: number | null = null;
  rejectionSent = false;
  removed = false;
  longestDelay = 0;
  readonly acked: number[] = [];
  readonly dropped: number[] = [];
  readonly queue: PusherQueue;

  constructor(readonly machine: PusherMachine) {
    this.queue = startPusherQueue({ pusherId: "P" as PusherId, url: "http://gw/_matrix/push/v1/notify", pushkey: "PK", backoff: DEFAULT_BACKOFF }, 0, machine).queue;
  }

  private indexOf(body: Json): number {
    return (body as { n: number }).n;
  }

  apply(effects: readonly PushEffect[]): void {
    for (const e of effects) {
      if (e.kind === "push.notify") {
        expect(this.rejectionSent, "sent after a rejection of this pushkey was processed").toBe(false);
        expect(this.inFlight, "two notifications in flight").toBeNull();
        expect(this.timerAt, "sent while a back-off was pending").toBeNull();
        expect(this.indexOf(e.body), "sent out of order").toBe(this.head);
        this.inFlight = this.indexOf(e.body);
      } else if (e.kind === "timer") {
        expect(this.failures, "a timer without a failure").toBeGreaterThan(0);
        const delay = e.at - this.clock;
        expect(delay).toBeGreaterThanOrEqual(1_000);
        expect(delay).toBeLessThanOrEqual(HOUR);
        expect(delay, "back-off is not 1 s doubling").toBe(nextDelay(this.failures));
        this.timerAt = e.at;
        this.longestDelay = Math.max(this.longestDelay, delay);
      } else if (e.kind === "push.dropped") {
        expect(this.indexOf(e.body), "dropped something other than the head").toBe(this.head);
        this.dropped.push(this.head);
        this.head += 1;
        this.failures = 0;
        this.streakStart = null;
      } else if (e.kind === "pusher.removed") {
        this.removed = true;
      }
    }
  }

  arrive(): void {
    this.apply(enqueueNotification(this.queue, { n: this.next++ }, this.clock, this.machine));
  }

  respond(name: string): void {
    const result = OUTCOMES[name];
    if (this.inFlight === null || result === undefined) return;
    this.inFlight = null;
    const success = result.ok && result.status < 300;
    const dueToDrop = !success && this.streakStart !== null && this.clock - this.streakStart >= DAY;
    if (success) {
      this.acked.push(this.head);
      this.head += 1;
      this.failures = 0;
      this.streakStart = null;
      if (result.rejected.includes("PK")) this.rejectionSent = true;
    } else if (!dueToDrop) {
      this.failures += 1;
      this.streakStart ??= this.clock;
    }
    const droppedBefore = this.dropped.length;
    this.apply(applyPushResult(this.queue, result, this.clock, this.machine));
    expect(this.dropped.length - droppedBefore, "give-up at the wrong failure").toBe(dueToDrop ? 1 : 0);
    if (this.rejectionSent) expect(this.removed, "rejection did not remove the pusher").toBe(true);
  }

  wait(ms: number): void {
    const until = this.clock + ms;
    while (this.timerAt !== null && this.timerAt <= until) {
      this.clock = this.timerAt;
      this.timerAt = null;
      this.apply(applyPushTimer(this.queue, this.clock, this.machine));
    }
    this.clock = until;
  }

  outage(rounds: number): void {
    for (let i = 0; i < rounds; i++) {
      if (this.inFlight !== null) this.respond("s500");
      else if (this.timerAt !== null) this.wait(this.timerAt - this.clock);
    }
  }

  /** The gateway heals: answer everything with 2xx and let every timer fire. */
  heal(): void {
    for (let guard = 0; guard < 1000 && (this.inFlight !== null || this.timerAt !== null); guard++) {
      if (this.inFlight !== null) this.respond("ok");
      else this.wait(HOUR);
    }
    if (!this.rejectionSent) expect([...this.acked, ...this.dropped].sort((a, b) => a - b)).toEqual([...Array(this.next).keys()]);
  }
}

function play(machine: PusherMachine, ops: readonly Op[]): Harness {
  const h = new Harness(machine);
  for (const op of ops) {
    if (op.op === "arrive") h.arrive();
    else if (op.op === "respond") h.respond(op.outcome);
    else if (op.op === "wait") h.wait(op.ms);
    else h.outage(op.rounds);
  }
  return h;
}

function run(machine: PusherMachine, ops: readonly Op[]): void {
  play(machine, ops).heal();
}

const noBackoff = pusherMachine.provide({ delays: { backoff: 0 } });
const ignoresRejected = pusherMachine.provide({ guards: { isRejected: () => false } });
const bypassesBackoff = (() => {
  const config = pusherMachine.config as unknown as { states: Record<string, { on?: Record<string, unknown> }> };
  const backingOff = config.states.backingOff ?? {};
  const states = { ...config.states, backingOff: { ...backingOff, on: { ...backingOff.on, enqueue: { target: "sending", actions: "append" } } } };
  return createMachine({ ...config, states } as never, pusherMachine.implementations as never) as unknown as PusherMachine;
})();

describe("pusher retry property", () => {
  test.prop([opsArb], { numRuns: 300 * deep })("holds for the pusher machine", (ops) => {
    run(pusherMachine, ops);
  });

  it("is reached: runs include give-ups, rejections and capped delays", () => {
    const samples = fc.sample(opsArb, { numRuns: 300, seed: 42 });
    const seen = { dropped: 0, removed: 0, capped: 0 };
    for (const ops of samples) {
      const h = play(pusherMachine, ops);
      seen.dropped += h.dropped.length;
      seen.removed += h.removed ? 1 : 0;
      seen.capped += h.longestDelay === HOUR ? 1 : 0;
    }
    expect(seen.dropped).toBeGreaterThan(0);
    expect(seen.removed).toBeGreaterThan(0);
    expect(seen.capped).toBeGreaterThan(0);
  });

  it.each([
    ["no back-off", noBackoff, /expected 0 to be greater than or equal to 1000/],
    ["arrivals bypass back-off", bypassesBackoff, /sent while a back-off was pending/],
    ["ignores rejected", ignoresRejected, /rejection did not remove the pusher/],
  ])("catches the broken variant: %s", (_name, machine, reason) => {
    const result = fc.check(fc.property(opsArb, (ops) => run(machine, ops)), { numRuns: 300 * deep });
    expect(result.failed, `variant passed ${result.numRuns} runs (seed ${result.seed})`).toBe(true);
    expect(String(result.errorInstance)).toMatch(reason);
  });
});
