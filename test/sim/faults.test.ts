// Property: in the whole simulated world (1–3 homeservers, the push gateway, a client per
// device), every guarantee holds under each network and process fault alone and under all of
// them together: to-device exactly-once, order per origin, idempotent retransmissions, liveness
// within the bound once faults heal; push at-least-once to the gateway, exactly-once at the
// provider, order per pusher, nothing after a rejection, back-off within its bounds. Assumes
// one sync loop per device and the simulation's small back-off policies (src/sim/scenario.ts).
// Each case also checks that its fault actually struck, so a quiet generator cannot pass it;
// a fault is met by chance, so rounds of runs repeat (up to four) until each has struck.
import { describe, expect, test } from "vitest";
import type { PolicyOverrides } from "../../src/engine/policies.ts";
import { scenarioArb, type ScenarioShape } from "./arbitraries.ts";
import { assertWorldHoldsAndStrikes, runsOf, type Strike, strikeMessage } from "./world-property.ts";

const RUNS = runsOf(50);
const TIMEOUT = 120_000 * (process.env.COURIER_DEEP ? 100 : 1);

interface Case {
  readonly name: string;
  /** Clauses this case exercises beyond the ones every case checks. */
  readonly clauses?: string;
  readonly shape: ScenarioShape;
  readonly struck: Strike[];
}

const ALL = { loss: 0.15, dup: 0.1, reorder: 0.2, partition: 1, crash: 1, gatewayError: 0.15, gatewayRestart: 1 };

const CASES: readonly Case[] = [
  { name: "message loss (requests and answers, after the work was done)", shape: { faults: { loss: 0.2 }, push: true }, struck: ["lost", "retransmissions"] },
  { name: "duplicated federation and notify requests", shape: { faults: { dup: 0.3 }, push: true, servers: [2, 3] }, struck: ["duplicated"] },
  { name: "reordering (packets held back)", shape: { faults: { reorder: 0.4, dup: 0.1 }, push: true, servers: [2, 3] }, struck: ["reordered"] },
  { name: "partitions that heal", shape: { faults: { partition: 1 }, push: true, servers: [2, 3] }, struck: ["partitioned"] },
  { name: "homeserver crashes, restarted from the journal", shape: { faults: { crash: 1 }, push: true }, struck: ["crashes"] },
  { name: "gateway 500s and restarts", shape: { faults: { gatewayError: 0.3, gatewayRestart: 1 }, push: true }, struck: ["gatewayErrors", "gatewayRestarts"] },
  { name: "all faults together", shape: { faults: ALL, push: true }, struck: ["lost", "duplicated", "reordered", "crashes", "gatewayErrors"] },
  {
    name: "all faults, sync responses of 1–3 events and transactions of 1–3 EDUs",
    clauses: "TD-22, TD-54, FED-8, ",
    shape: { faults: ALL, push: true, smallLimits: true, maxActions: 40 },
    struck: ["lost", "duplicated", "crashes"],
  },
];

describe("the simulated world keeps every guarantee under faults", () => {
  for (const c of CASES) {
    test(`${c.name} (${c.clauses ?? ""}TD-11, TD-20, TD-39, FED-16, FED-18, FED-20, FED-21, PUSH-29, PUSH-60, GW-17)`, () => {
      const struck = assertWorldHoldsAndStrikes(c.name, scenarioArb(c.shape), RUNS, [...c.struck, "notifications"]);
      for (const key of c.struck) expect(struck[key], strikeMessage(key, struck)).toBeGreaterThan(0);
      expect(struck.notifications, strikeMessage("notifications", struck)).toBeGreaterThan(0);
    }, TIMEOUT);
  }

  test("to-device only, larger worlds, all faults (TD-11, TD-20, FED-21)", () => {
    const struck = assertWorldHoldsAndStrikes("to-device, all faults", scenarioArb({ faults: ALL, push: false, servers: [2, 3], maxActions: 60 }), RUNS, ["lost"]);
    expect(struck.lost + struck.crashes, strikeMessage("lost or crashes", struck)).toBeGreaterThan(0);
  }, TIMEOUT);

  test("push give-up under long outages drops exactly the head (PUSH-27, policy push-backoff)", () => {
    const policies: PolicyOverrides = { push: { backoff: { initialMs: 100, multiplier: 2, maxMs: 800, giveUpAfterMs: 1_500 } } };
    const struck = assertWorldHoldsAndStrikes("push give-up", scenarioArb({ faults: { partition: 1, gatewayError: 0.8, loss: 0.3 }, push: true, policies }), RUNS, ["givenUp"]);
    expect(struck.givenUp, strikeMessage("givenUp", struck)).toBeGreaterThan(0);
  }, TIMEOUT);
});
