// Explores the pusher machine's state graph with xstate/graph: every state, both final states
// (rejected, stopped) and the back-off cap are reachable, and on every path the back-off delays
// start at 1 s, double and never leave [1 s, 1 h], an enqueue never posts while backing off,
// and nothing is posted after `rejected` (PUSH-26, PUSH-27, PUSH-29, PUSH-60). Assumes a queue of
// at most two notifications and failures that come either at once or 24 h into the streak,
// which are the events offered below.
import { getShortestPaths, getSimplePaths } from "xstate/graph";
import { describe, expect, it } from "vitest";
import { startMachine, stepMachine } from "../../src/engine/machine-step.ts";
import { DEFAULT_BACKOFF, nextDelay } from "../../src/engine/push/backoff.ts";
import { type PusherEvent, pusherMachine } from "../../src/engine/push/pusher.machine.ts";

const input = { pushkey: "PK", backoff: DEFAULT_BACKOFF };
const DAY = DEFAULT_BACKOFF.giveUpAfterMs;
type Snapshot = ReturnType<typeof pusherMachine.transition>;

/** Events the driver can send, bounded so the graph is finite: queue ≤ `maxQueue`, attempts ≤ `maxAttempt`. */
function eventsFor(maxQueue: number, maxAttempt: number) {
  return (s: Snapshot): PusherEvent[] => {
    const since = s.context.failingSince ?? 0;
    const events: PusherEvent[] = [
      { type: "gatewayAccepted", rejected: [] },
      { type: "gatewayAccepted", rejected: ["PK"] },
      { type: "gatewayAccepted", rejected: ["someone-else"] },
      { type: "gatewayFailed", reason: "late", now: since + DAY },
      { type: "retry" },
      { type: "stop" },
    ];
    if (s.context.queue.length < maxQueue) events.push({ type: "enqueue", body: `n${s.context.queue.length}` });
    if (s.context.attempt < maxAttempt) events.push({ type: "gatewayFailed", reason: "now", now: since });
    return events;
  };
}

function eventsOf(path: { readonly steps: readonly { readonly event: { readonly type: string } }[] }): PusherEvent[] {
  return path.steps.map((s) => s.event).filter((e) => e.type !== "xstate.init") as PusherEvent[];
}

interface Replayed {
  readonly delays: readonly number[][];
  readonly final: unknown;
}

/** Replays a path through the pure stepper, checking the per-step rules and collecting back-off streaks. */
function replay(events: readonly PusherEvent[]): Replayed {
  let step = startMachine(pusherMachine, input, 0);
  const streaks: number[][] = [[]];
  let rejected = false;
  for (const event of events) {
    const before = step.snapshot.value;
    const now = event.type === "gatewayFailed" ? event.now : 0;
    step = stepMachine(pusherMachine, step.snapshot, event, now);
    const posts = step.actions.filter((a) => a.type === "postNotification");
    if (rejected) expect(posts).toEqual([]);
    if (before === "backingOff" && event.type === "enqueue") expect(posts).toEqual([]);
    if (step.actions.some((a) => a.type === "removePusher")) rejected = true;
    const reset = step.actions.some((a) => a.type === "dropHead") || (event.type === "gatewayAccepted" && before === "sending");
    if (reset) streaks.push([]);
    for (const timer of step.timers) streaks[streaks.length - 1]?.push(timer.at - now);
  }
  return { delays: streaks.filter((s) => s.length > 0), final: step.snapshot.value };
}

function checkStreak(delays: readonly number[]): void {
  delays.forEach((d, i) => {
    expect(d).toBeGreaterThanOrEqual(1_000);
    expect(d).toBeLessThanOrEqual(3_600_000);
    expect(d).toBe(i === 0 ? 1_000 : Math.min(2 * (delays[i - 1] ?? 0), 3_600_000));
    expect(d).toBe(nextDelay(i + 1));
  });
}

describe("pusher machine graph", () => {
  const shortest = getShortestPaths(pusherMachine, { input, events: eventsFor(2, 14) });

  it("reaches every state, both final states and the 1 h cap", () => {
    const values = new Set(shortest.map((p) => p.state.value));
    expect([...values].sort()).toEqual(["backingOff", "idle", "rejected", "sending", "stopped"]);
    expect(shortest.some((p) => p.state.value === "backingOff" && nextDelay(p.state.context.attempt) === 3_600_000)).toBe(true);
    expect(shortest.some((p) => p.state.value === "sending" && p.state.context.queue.length === 1 && eventsOf(p).some((e) => e.type === "gatewayFailed" && e.reason === "late"))).toBe(true);
  });

  it("keeps every back-off streak on every shortest path at 1 s doubling within [1 s, 1 h]", () => {
    let streaks = 0;
    for (const path of shortest) {
      const { delays, final } = replay(eventsOf(path));
      expect(final).toEqual(path.state.value);
      for (const streak of delays) checkStreak(streak);
      streaks += delays.length;
    }
    expect(streaks).toBeGreaterThan(0);
  });

  // Simple paths multiply fast, so two smaller graphs: one notification with streaks up to the
  // cap, and two notifications with short streaks (3,334 paths).
  it.each([
    [1, 14],
    [2, 2],
  ])("keeps the same rules on every simple path with queue ≤ %i and attempts ≤ %i", (maxQueue, maxAttempt) => {
    const events = eventsFor(maxQueue, maxAttempt);
    const simple = getSimplePaths(pusherMachine, { input, events });
    expect(simple.length).toBeGreaterThanOrEqual(getShortestPaths(pusherMachine, { input, events }).length);
    const finals = new Set<unknown>();
    for (const path of simple) {
      const { delays, final } = replay(eventsOf(path));
      finals.add(final);
      for (const streak of delays) checkStreak(streak);
    }
    expect(finals.has("rejected") && finals.has("stopped")).toBe(true);
  });
});
