// Checks the destination retry machine's state table transition by transition (FED-21, FED-1),
// stepped purely as destinations.ts steps it: a 200 returns to `idle` or sends again depending on
// what is queued behind, in `sending` and in `backingOff` alike, and forgets the back-off; the
// timer armed by a failure delivers the event that ends the back-off; `drained` returns to `idle`.
// Assumes the small policy below; the engine-level behaviour is in destinations.test.ts.
import { describe, expect, it } from "vitest";
import { type BackoffPolicy, type DestinationEvent, destinationMachine } from "../../../src/engine/federation/destination.machine.ts";
import { startMachine, stepMachine } from "../../../src/engine/machine-step.ts";

const policy: BackoffPolicy = { initialMs: 1000, multiplier: 2, maxMs: 8000 };

/** Steps the machine through `events` from its start; returns the last step. */
function run(events: readonly DestinationEvent[]) {
  let step = startMachine(destinationMachine, { policy }, 0);
  for (const event of events) step = stepMachine(destinationMachine, step.snapshot, event, 0);
  return step;
}

const actionsOf = (step: ReturnType<typeof run>) => step.actions.map((a) => a.type);

/** The back-off delay armed by the failure that ends `events`. */
const armed = (events: readonly DestinationEvent[]) => run(events).timers.map((t) => t.at);

const failedOnce: DestinationEvent[] = [{ type: "enqueued" }, { type: "failed" }];
const failedTwice: DestinationEvent[] = [...failedOnce, { type: "retry" }, { type: "failed" }];

describe("destination machine: a 200 (FED-21)", () => {
  it("in sending, with nothing queued behind: acknowledges and goes idle", () => {
    const step = run([{ type: "enqueued" }, { type: "succeeded", remaining: 0 }]);
    expect(step.snapshot.value).toBe("idle");
    expect(actionsOf(step)).toEqual(["acknowledge"]);
  });

  it("in sending, with EDUs queued behind: acknowledges and sends the next transaction", () => {
    const step = run([{ type: "enqueued" }, { type: "succeeded", remaining: 1 }]);
    expect(step.snapshot.value).toBe("sending");
    expect(actionsOf(step)).toEqual(["acknowledge", "sendTransaction"]);
  });

  it("in backingOff, acknowledges and goes idle or sends the next transaction, cancelling the retry", () => {
    const idle = run([...failedOnce, { type: "succeeded", remaining: 0 }]);
    expect([idle.snapshot.value, actionsOf(idle), idle.cancelled.length]).toEqual(["idle", ["acknowledge"], 1]);
    const more = run([...failedOnce, { type: "succeeded", remaining: 2 }]);
    expect([more.snapshot.value, actionsOf(more), more.cancelled.length]).toEqual(["sending", ["acknowledge", "sendTransaction"], 1]);
  });

  it("forgets the back-off, so the next failure waits the initial delay again, from every state and branch", () => {
    const retried: DestinationEvent[] = [...failedTwice, { type: "retry" }];
    expect(armed([...retried, { type: "failed" }])).toEqual([policy.initialMs * 4]);
    // A 200 in `sending` (after a retry) and in `backingOff`, with nothing or more queued behind.
    for (const before of [retried, failedTwice]) {
      expect(armed([...before, { type: "succeeded", remaining: 0 }, { type: "enqueued" }, { type: "failed" }])).toEqual([policy.initialMs]);
      expect(armed([...before, { type: "succeeded", remaining: 1 }, { type: "failed" }])).toEqual([policy.initialMs]);
    }
  });
});

describe("destination machine: back-off and draining (FED-21, FED-1)", () => {
  it("arms a timer whose event, delivered when it fires, sends again", () => {
    const failed = run(failedOnce);
    expect(failed.snapshot.value).toBe("backingOff");
    const [timer] = failed.timers;
    if (timer === undefined) throw new Error("no retry timer armed");
    const fired = stepMachine(destinationMachine, failed.snapshot, timer.event as DestinationEvent, timer.at);
    expect(fired.snapshot.value).toBe("sending");
    expect(actionsOf(fired)).toEqual(["sendTransaction"]);
  });

  it("goes idle when the driver finds nothing to send", () => {
    const step = run([{ type: "enqueued" }, { type: "drained" }]);
    expect(step.snapshot.value).toBe("idle");
    expect(actionsOf(step)).toEqual([]);
  });
});
