// Explores the gateway delivery machine's state graph with xstate/graph: every final state
// (delivered, rejected, dropped, droppedAfterRetries) is reachable, and on every simple path the
// back-off delays are exactly nextDelay (1 s doubling, capped), attempts never exceed max_attempts
// and no retry starts after give_up_after_ms (GW-10, GW-22). Assumes a provider answers either at
// once or 30 s late, the two timings the events below offer.
import { getShortestPaths, getSimplePaths } from "xstate/graph";
import { describe, expect, it } from "vitest";
import { startMachine, stepMachine } from "../../src/engine/machine-step.ts";
import { nextDelay } from "../../src/gateway/backoff.ts";
import type { RetryConfig } from "../../src/gateway/config.ts";
import {
  DELIVERY_FINALS,
  type DeliveryEvent,
  deliveryMachine,
} from "../../src/gateway/delivery.machine.ts";

const retry: RetryConfig = { initialDelayMs: 1000, maxDelayMs: 4000, maxAttempts: 5, giveUpAfterMs: 45_000 };
const input = { startedAt: 0, retry };
const SLOW_MS = 30_000;

type Snapshot = ReturnType<typeof deliveryMachine.transition>;

/** The events a provider or the retry timer can send, timed from the current attempt's start. */
function eventsAt(snapshot: Snapshot): DeliveryEvent[] {
  const attemptStart = snapshot.context.retryAt ?? snapshot.context.startedAt;
  return [
    { type: "DELIVERED" },
    { type: "INVALID_TOKEN" },
    { type: "PERMANENT_FAILURE" },
    { type: "TRANSIENT_FAILURE", now: attemptStart },
    { type: "TRANSIENT_FAILURE", now: attemptStart + SLOW_MS },
    { type: "RETRY" },
  ];
}

const options = { input, events: eventsAt };

/** A path's events after the machine's own `xstate.init`. */
function eventsOf(path: { readonly steps: readonly { readonly event: { readonly type: string } }[] }): DeliveryEvent[] {
  return path.steps.map((s) => s.event).filter((e) => e.type !== "xstate.init") as DeliveryEvent[];
}

interface Replayed {
  readonly final: unknown;
  readonly delays: readonly number[];
  readonly retryStarts: readonly number[];
  readonly attempts: number;
}

/** Replays a path through the pure stepper, as the engine does, reading the timers it asks for. */
function replay(events: readonly DeliveryEvent[]): Replayed {
  let step = startMachine(deliveryMachine, input, 0);
  let clock = 0;
  const delays: number[] = [];
  const retryStarts: number[] = [];
  let attempts = step.actions.filter((a) => a.type === "attemptDelivery").length;
  for (const event of events) {
    if (event.type === "TRANSIENT_FAILURE") clock = event.now;
    step = stepMachine(deliveryMachine, step.snapshot, event, clock);
    for (const timer of step.timers) {
      delays.push(timer.at - clock);
      retryStarts.push(timer.at);
      clock = timer.at;
    }
    attempts += step.actions.filter((a) => a.type === "attemptDelivery").length;
  }
  return { final: step.snapshot.value, delays, retryStarts, attempts };
}

describe("gateway delivery machine graph", () => {
  const shortest = getShortestPaths(deliveryMachine, options);
  const simple = getSimplePaths(deliveryMachine, options);

  it("reaches every final state", () => {
    const reached = new Set(shortest.map((p) => p.state.value));
    for (const final of DELIVERY_FINALS) expect(reached).toContain(final);
    const shortestTo = (final: string) => Math.min(...shortest.filter((p) => p.state.value === final).map((p) => p.steps.length));
    // From the initial attempt, one provider answer settles delivered, rejected and dropped.
    expect(shortestTo("delivered")).toBe(2);
    expect(shortestTo("rejected")).toBe(2);
    expect(shortestTo("dropped")).toBe(2);
  });

  it("reaches droppedAfterRetries both by attempts and by give-up time", () => {
    const givenUp = simple.filter((p) => p.state.value === "droppedAfterRetries");
    const attemptsUsed = new Set(givenUp.map((p) => p.state.context.attempt));
    expect(attemptsUsed).toContain(retry.maxAttempts);
    expect([...attemptsUsed].some((a) => a < retry.maxAttempts)).toBe(true);
  });

  it("keeps back-off delays and retries within their bounds on every simple path", () => {
    expect(simple.length).toBeGreaterThan(DELIVERY_FINALS.length);
    for (const path of simple) {
      const run = replay(eventsOf(path));
      expect(run.final).toEqual(path.state.value);
      expect(run.delays).toEqual(run.delays.map((_, i) => nextDelay(i + 1, retry)));
      for (const d of run.delays) {
        expect(d).toBeGreaterThanOrEqual(retry.initialDelayMs);
        expect(d).toBeLessThanOrEqual(retry.maxDelayMs);
      }
      for (const start of run.retryStarts) expect(start).toBeLessThanOrEqual(retry.giveUpAfterMs);
      expect(run.attempts).toBeLessThanOrEqual(retry.maxAttempts);
      expect(run.attempts).toBe(path.state.context.attempt);
    }
  });

  it("ends every path that reaches a final state in exactly one report action", () => {
    const reports = ["reportDelivered", "recordRejection", "reportDropped", "reportGaveUp"];
    for (const path of simple.filter((p) => p.state.status === "done")) {
      let step = startMachine(deliveryMachine, input, 0);
      let count = 0;
      for (const event of eventsOf(path)) {
        step = stepMachine(deliveryMachine, step.snapshot, event, 0);
        count += step.actions.filter((a) => reports.includes(a.type)).length;
      }
      expect(count).toBe(1);
    }
  });
});
