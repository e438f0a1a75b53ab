// Explores the delivery-lifecycle machine's whole graph with xstate/graph (shortest and simple
// paths over all five events) and checks: every state is reachable, both final states are, the
// expected paths exist, nothing is acknowledged without having been returned (TD-11, TD-21), and
// final states are final. Assumes the machine has no context, so paths are finite.
import { describe, expect, test } from "vitest";
import { transition } from "xstate";
import { getShortestPaths, getSimplePaths } from "xstate/graph";
import { DELIVERY_EVENTS, type DeliveryStateValue, deliveryMachine } from "../../src/engine/todevice/delivery.machine.ts";

const options = { events: DELIVERY_EVENTS };
const shortest = getShortestPaths(deliveryMachine, options);
const simple = getSimplePaths(deliveryMachine, options);

function trail(path: { steps: readonly { event: { type: string } }[] }): string {
  return path.steps
    .map((s) => s.event.type)
    .filter((t) => t !== "xstate.init")
    .join(">");
}

function at(value: DeliveryStateValue) {
  return deliveryMachine.resolveState({ value, context: {} });
}

describe("delivery machine graph", () => {
  test("every state is reachable, by these shortest paths", () => {
    const byState = Object.fromEntries(shortest.map((p) => [String(p.state.value), trail(p)]));
    expect(byState).toEqual({
      accepted: "",
      pending: "STORE",
      returned: "STORE>RETURN",
      dropped: "STORE>ACK",
      acknowledged: "STORE>RETURN>ACK",
    });
  });

  test("TD-11, TD-21, TD-25, TD-26: both final states are reachable and done", () => {
    const finals = shortest.filter((p) => p.state.status === "done").map((p) => String(p.state.value));
    expect(finals.sort()).toEqual(["acknowledged", "dropped"]);
  });

  test("the expected simple paths exist, and no others", () => {
    const paths = simple.map((p) => `${trail(p)} => ${String(p.state.value)}`).sort();
    expect(paths).toEqual(
      [
        " => accepted",
        "STORE => pending",
        "STORE>RETURN => returned",
        "STORE>RETURN>ACK => acknowledged",
        "STORE>RETURN>DEVICE_DELETED => dropped",
        "STORE>RETURN>EXPIRE => dropped",
        "STORE>ACK => dropped",
        "STORE>DEVICE_DELETED => dropped",
        "STORE>EXPIRE => dropped",
      ].sort(),
    );
  });

  test("TD-11, TD-21: every path to acknowledged passes through returned", () => {
    const toAck = simple.filter((p) => p.state.value === "acknowledged");
    expect(toAck.length).toBeGreaterThan(0);
    for (const p of toAck) expect(p.steps.map((s) => s.state.value)).toContain("returned");
  });

  test("TD-52: a returned message is returned again while unacknowledged", () => {
    const [next] = transition(deliveryMachine, at("returned"), { type: "RETURN" });
    expect(next.value).toBe("returned");
  });

  test("TD-53: final states ignore every event", () => {
    for (const value of ["acknowledged", "dropped"] as const) {
      for (const event of DELIVERY_EVENTS) {
        const [next] = transition(deliveryMachine, at(value), event);
        expect(next.value).toBe(value);
      }
    }
  });
});
