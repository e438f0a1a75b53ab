// Checks that a machine diagram is generated from the definition alone: every state and every
// targeted transition of a small machine (and of each project machine) appears in the SVG, the
// initial and final markers are drawn, timers are marked, and the output is byte-for-byte
// deterministic. Assumes elkjs lays out a few states in well under a second.
import { and, assign, cancel, createMachine, not, or, raise, setup } from "xstate";
import { describe, expect, it } from "vitest";
import { loadMachines } from "../../src/report/discovery.ts";
import { machineDiagram } from "../../src/report/machine-diagram.ts";
import { allStates, delayText, guardText, machineGraph } from "../../src/report/machine-graph.ts";
import { PROJECT_ROOT } from "../../src/report/build.ts";

/** A small machine with one of everything the diagram must show. */
const door = setup({
  types: { events: {} as { type: "OPEN" } | { type: "CLOSE" } | { type: "LOCK" } | { type: "KNOCK" } | { type: "tick" } | { type: "BREAK" } },
  actions: {
    ring: () => {},
    armTick: raise({ type: "tick" }, { delay: "patience", id: "tick" }),
    disarmTick: cancel("tick"),
    count: assign({}),
  },
  guards: { hasKey: () => true, isDay: () => true },
  delays: { patience: 5_000 },
}).createMachine({
  id: "door",
  initial: "closed",
  states: {
    closed: {
      on: {
        OPEN: { target: "opened", guard: and(["hasKey", not("isDay")]) },
        LOCK: "locked",
        KNOCK: { actions: "ring" },
      },
    },
    opened: {
      entry: "armTick",
      exit: "disarmTick",
      on: { CLOSE: "closed", tick: { target: "opened", reenter: true, actions: "count" } },
      after: { 60000: "closed" },
    },
    locked: {
      initial: "bolted",
      states: {
        bolted: { on: { OPEN: "unbolting" } },
        unbolting: { always: { target: "#door.closed", guard: "hasKey" } },
      },
      on: { BREAK: "broken" },
    },
    broken: { type: "final" },
  },
});

describe("machineGraph", () => {
  it("reads states, initial states, timers and guards from the definition", () => {
    const graph = machineGraph(door);
    const states = allStates(graph.root);
    expect(states.map((s) => s.key)).toEqual(["closed", "opened", "locked", "bolted", "unbolting", "broken"]);
    expect(states.filter((s) => s.initial).map((s) => s.key)).toEqual(["closed", "bolted"]);
    expect(states.find((s) => s.key === "broken")?.kind).toBe("final");
    expect(states.find((s) => s.key === "opened")?.timers).toEqual([{ action: "armTick: raise tick after patience", event: "tick", delay: "patience" }]);
    expect(states.find((s) => s.key === "closed")?.internal).toEqual(["KNOCK / ring"]);
    const open = graph.edges.find((e) => e.source === "door.closed" && e.event === "OPEN");
    expect(open?.guard).toBe("hasKey && !isDay");
    const kinds = graph.edges.map((e) => `${e.trigger}:${e.event}:${e.timer}`);
    expect(kinds).toContain("event:tick:true");
    expect(kinds).toContain("after:after 1 min:true");
    expect(kinds).toContain("always:always:false");
    expect(kinds).toContain("event:CLOSE:false");
  });

  it("names delays and guards in a reader's terms", () => {
    expect([delayText(500), delayText(1_000), delayText(90_000), delayText(3_600_000), delayText("backoff")]).toEqual([
      "500 ms",
      "1 s",
      "90 s",
      "1 h",
      "backoff",
    ]);
    expect(guardText(undefined)).toBeUndefined();
    expect(guardText({ type: "named", params: {} })).toBe("named");
    expect(guardText(or(["a", and(["b", "c"])]))).toBe("a || (b && c)");
    expect(guardText(not(and(["a", "b"])))).toBe("!(a && b)");
  });
});

describe("machineDiagram", () => {
  it("draws every state and every targeted transition, with markers", async () => {
    const diagram = await machineDiagram(door);
    const graph = machineGraph(door);
    for (const state of allStates(graph.root)) {
      expect(diagram.svg).toContain(`data-state="${state.id}"`);
      expect(diagram.svg).toContain(`>${state.key}</text>`);
    }
    for (const edge of graph.edges) expect(diagram.svg).toContain(`data-edge="${edge.id}"`);
    expect(diagram.svg).toContain(">KNOCK / ring</text>");
    expect(diagram.svg).toContain(">CLOSE</text>");
    expect(diagram.svg).toContain(">OPEN [hasKey &amp;&amp; !isDay]</text>");
    expect(diagram.svg.match(/class="initial"/g)).toHaveLength(2);
    expect(diagram.svg.match(/class="final-border"/g)).toHaveLength(1);
    // The `tick` edge, the `after` edge and the entry line that arms the timer each carry a clock.
    expect(diagram.svg.match(/class="timer"/g)).toHaveLength(3);
    expect(diagram).toMatchObject({ id: "door", states: 6, transitions: graph.edges.length });
  });

  it("is deterministic: the same machine gives the same SVG", async () => {
    const first = await machineDiagram(door);
    const second = await machineDiagram(door);
    expect(second.svg).toBe(first.svg);
  });

  it("keeps marker ids apart when two machines share a page", async () => {
    const a = await machineDiagram(door, "one");
    const b = await machineDiagram(door, "two");
    expect(a.svg).toContain('id="m-one-arrow"');
    expect(b.svg).toContain('id="m-two-arrow"');
    expect(b.svg).not.toContain("m-one-");
  });

  it("draws a machine without any transition", async () => {
    const lone = createMachine({ id: "lone", initial: "only", states: { only: {} } });
    const diagram = await machineDiagram(lone);
    expect(diagram.svg).toContain('data-state="lone.only"');
    expect(diagram.transitions).toBe(0);
  });

  it("draws each project machine with all its states and transitions", async () => {
    const { machines, failures } = await loadMachines(PROJECT_ROOT);
    expect(failures).toEqual([]);
    expect(machines.length).toBeGreaterThanOrEqual(4);
    for (const { machine } of machines) {
      const graph = machineGraph(machine);
      const diagram = await machineDiagram(machine);
      for (const state of allStates(graph.root)) expect(diagram.svg).toContain(`data-state="${state.id}"`);
      for (const edge of graph.edges) expect(diagram.svg).toContain(`data-edge="${edge.id}"`);
    }
  });
});
