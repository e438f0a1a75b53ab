// The pusher machine as the report draws it (src/report/machine-graph.ts, read from the
// definition, nothing executed) matches the state table in the machine's header: the machine is
// `pusher`, it starts `idle`, `rejected` and `stopped` are final, and the back-off timer armed on
// entering `backingOff` is what fires its `retry` (PUSH-26, PUSH-29, PUSH-35, PUSH-60).
import { describe, expect, it } from "vitest";
import { pusherMachine } from "../../../src/engine/push/pusher.machine.ts";
import { allStates, machineGraph } from "../../../src/report/machine-graph.ts";

const graph = machineGraph(pusherMachine);

describe("the pusher machine's diagram", () => {
  it("is named pusher, starts idle and ends in rejected or stopped", () => {
    expect(graph.id).toBe("pusher");
    expect(allStates(graph.root).map((s) => [s.key, s.kind, s.initial])).toEqual([
      ["idle", "atomic", true],
      ["sending", "atomic", false],
      ["givingUp", "atomic", false],
      ["backingOff", "atomic", false],
      ["rejected", "final", false],
      ["stopped", "final", false],
    ]);
  });

  it("PUSH-26, PUSH-60: the timer backingOff arms on entry raises retry, the one timed edge, back to sending", () => {
    const backingOff = allStates(graph.root).find((s) => s.key === "backingOff");
    expect(backingOff?.timers.map((t) => [t.event, t.delay])).toEqual([["retry", "backoff"]]);
    expect(graph.edges.filter((e) => e.timer).map((e) => [e.source, e.event, e.target])).toEqual([["pusher.backingOff", "retry", "pusher.sending"]]);
  });
});
