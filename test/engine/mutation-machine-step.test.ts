// Checks the pure machine stepper that every engine lifecycle machine relies on: a step returns
// exactly the machine's own named actions with their params (none of xstate's, such as a log), a delayed raise as a timer at
// now + delay (named by its id, else by its event type), a cancel as a cancellation, and folds
// immediate raises and assignments into the snapshot; assumes xstate v5's pure `transition`.
import { describe, expect, it } from "vitest";
import { assign, cancel, log, raise, setup } from "xstate";
import { restoreSnapshot, startMachine, stepMachine, storeSnapshot } from "../../src/engine/machine-step.ts";

type Ev = { type: "go" } | { type: "tick" } | { type: "stop" } | { type: "now" };

const probe = setup({
  types: { context: {} as { n: number }, events: {} as Ev },
  actions: {
    ping: (_, _params: { x: number }) => {},
    bump: assign({ n: ({ context }) => context.n + 1 }),
    later: raise({ type: "tick" }, { delay: 500, id: "t1" }),
    laterUnnamed: raise({ type: "tick" }, { delay: 700 }),
    stopLater: cancel("t1"),
    immediate: raise({ type: "now" }),
    trace: log("stepping"),
  },
}).createMachine({
  context: { n: 0 },
  initial: "a",
  states: {
    a: { on: { go: { target: "b", actions: [{ type: "ping", params: { x: 1 } }, "bump", "trace", "later", "laterUnnamed"] } } },
    b: { on: { stop: { actions: ["stopLater", "immediate"] }, now: { target: "c" } } },
    c: {},
  },
});

describe("stepMachine", () => {
  it("returns named actions, delayed raises as timers and nothing of xstate's own (an assignment, a log)", () => {
    const start = startMachine(probe, undefined, 0);
    expect(start).toMatchObject({ actions: [], timers: [], cancelled: [] });
    const go = stepMachine(probe, start.snapshot, { type: "go" }, 1_000);
    expect(go.actions).toEqual([{ type: "ping", params: { x: 1 } }]);
    expect(go.timers).toEqual([
      { id: "t1", at: 1_500, event: { type: "tick" } },
      { id: "tick", at: 1_700, event: { type: "tick" } },
    ]);
    expect(go.cancelled).toEqual([]);
    expect(storeSnapshot(go.snapshot)).toEqual({ value: "b", context: { n: 1 } });
  });

  it("a cancel becomes a cancellation and an immediate raise is already applied", () => {
    const go = stepMachine(probe, startMachine(probe, undefined, 0).snapshot, { type: "go" }, 1_000);
    const stored = JSON.parse(JSON.stringify(storeSnapshot(go.snapshot)));
    const stop = stepMachine(probe, restoreSnapshot(probe, stored), { type: "stop" }, 2_000);
    expect(stop).toMatchObject({ actions: [], timers: [], cancelled: ["t1"] });
    expect(stop.snapshot.value).toBe("c");
  });
});
