// Explores the destination retry machine's state graph with xstate/graph (FED-21, FED-1): every
// state is reachable; on every simple path each back-off delay is the one prescribed for that many
// failures in a row (initial, doubling, capped) and within [initial, max], and every `failed` edge
// of the graph, the capped one included, arms nextDelay of the previous delay; every entry to
// `sending` sends; inbound traffic wakes a backed-off destination at once. Assumes the small policy
// below (1 s doubling to 8 s), whose finite ladder keeps the graph finite (a state is its value
// plus the current delay); Synapse's defaults are checked separately.
import { describe, expect, it } from "vitest";
import { getAdjacencyMap, getShortestPaths, getSimplePaths } from "xstate/graph";
import {
  type BackoffPolicy,
  DEFAULT_BACKOFF,
  type DestinationEvent,
  destinationMachine,
  nextDelay,
  RETRY_TIMER,
} from "../../src/engine/federation/destination.machine.ts";
import { startMachine, stepMachine } from "../../src/engine/machine-step.ts";

const policy: BackoffPolicy = { initialMs: 1000, multiplier: 2, maxMs: 8000 };
const events: DestinationEvent[] = [
  { type: "enqueued" },
  { type: "succeeded", remaining: 0 },
  { type: "succeeded", remaining: 3 },
  { type: "failed" },
  { type: "retry" },
  { type: "inboundFrom" },
  { type: "drained" },
];
const options = { input: { policy }, events };

type Path = { readonly steps: readonly { readonly event: { readonly type: string } }[] };

function eventsOf(path: Path): DestinationEvent[] {
  return path.steps.map((s) => s.event).filter((e) => e.type !== "xstate.init") as DestinationEvent[];
}

interface Replay {
  readonly states: string[];
  /** Back-off delays in the order they were armed, each with the run of failures it belongs to. */
  readonly delays: { readonly delay: number; readonly failuresInRow: number }[];
  sendsOnEntry: boolean;
}

/** Replays a path with the engine's pure stepping, collecting what the driver would see. */
function replay(path: Path, p: BackoffPolicy = policy): Replay {
  let snapshot = startMachine(destinationMachine, { policy: p }, 0).snapshot;
  const out: Replay = { states: [String(snapshot.value)], delays: [], sendsOnEntry: true };
  let failuresInRow = 0;
  let now = 0;
  for (const event of eventsOf(path)) {
    const before = snapshot.value;
    const step = stepMachine(destinationMachine, snapshot, event, now);
    snapshot = step.snapshot;
    if (event.type === "succeeded" || event.type === "inboundFrom") failuresInRow = 0;
    if (event.type === "failed" && before === "sending") failuresInRow += 1;
    for (const timer of step.timers) out.delays.push({ delay: timer.at - now, failuresInRow });
    const entered = snapshot.value === "sending" && (before !== "sending" || event.type === "succeeded");
    const sent = step.actions.some((a) => a.type === "sendTransaction");
    if (entered !== sent) out.sendsOnEntry = false;
    out.states.push(String(snapshot.value));
    now += 1;
  }
  return out;
}

/** The delay the policy prescribes after `n` failures in a row. */
function prescribed(n: number, p: BackoffPolicy): number {
  let d = nextDelay(null, p);
  for (let i = 1; i < n; i++) d = nextDelay(d, p);
  return d;
}

describe("destination machine graph (FED-21)", () => {
  const shortest = getShortestPaths(destinationMachine, options);
  const simple = getSimplePaths(destinationMachine, options);

  it("reaches every state", () => {
    expect(new Set(shortest.map((p) => p.state.value))).toEqual(new Set(["idle", "sending", "backingOff"]));
  });

  it("on every simple path, back-off delays double from the initial delay up to the cap, never outside it", () => {
    expect(simple.length).toBeGreaterThanOrEqual(shortest.length);
    let longestRun = 0;
    for (const path of simple) {
      for (const { delay, failuresInRow } of replay(path).delays) {
        expect(delay).toBe(prescribed(failuresInRow, policy));
        expect(delay).toBeGreaterThanOrEqual(policy.initialMs);
        expect(delay).toBeLessThanOrEqual(policy.maxMs);
        longestRun = Math.max(longestRun, failuresInRow);
      }
    }
    // Some path climbs the whole ladder 1, 2, 4, 8 s, so the cap value is reached.
    expect(prescribed(longestRun, policy)).toBe(policy.maxMs);
  });

  it("every failed edge in the graph arms nextDelay of the previous delay, the capped edge included", () => {
    const adjacency = getAdjacencyMap(destinationMachine, options);
    const armed: number[] = [];
    for (const { state } of Object.values(adjacency)) {
      if (state.value !== "sending") continue;
      const step = stepMachine(destinationMachine, state, { type: "failed" }, 0);
      expect(step.timers.map((t) => t.at)).toEqual([nextDelay(state.context.delay, policy)]);
      armed.push(...step.timers.map((t) => t.at));
    }
    expect(new Set(armed)).toEqual(new Set([1000, 2000, 4000, 8000]));
    expect(armed.filter((d) => d === policy.maxMs).length).toBeGreaterThanOrEqual(2);
  });

  it("sends a transaction on every entry to sending, and only then (FED-1: no wake-up delay)", () => {
    for (const path of simple) expect(replay(path).sendsOnEntry).toBe(true);
  });

  it("wakes at once from every back-off on inbound traffic, cancelling the retry timer", () => {
    const backingOff = simple.filter((p) => p.state.value === "backingOff");
    expect(backingOff.length).toBeGreaterThan(0);
    for (const path of backingOff) {
      const woken = stepMachine(destinationMachine, path.state, { type: "inboundFrom" }, 0);
      expect(woken.snapshot.value).toBe("sending");
      expect(woken.actions.map((a) => a.type)).toContain("sendTransaction");
      expect(woken.cancelled).toEqual([RETRY_TIMER]);
      expect(woken.snapshot.context.delay).toBeNull();
    }
  });

  it("keeps Synapse's defaults: 10 min, doubling, capped at one day", () => {
    const ladder = Array.from({ length: 10 }, (_, i) => prescribed(i + 1, DEFAULT_BACKOFF) / 60_000);
    expect(ladder).toEqual([10, 20, 40, 80, 160, 320, 640, 1280, 1440, 1440]);
  });
});
