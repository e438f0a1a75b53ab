// Property, turned around: for each deliberately broken engine (test-only wrappers, see
// variants.ts), fast-check finds a scenario in which the simulated world breaks the guarantee
// that engine departs from, shrinks it, and the test prints the minimal scenario's numbered
// trace. A property that passed on these would prove nothing. Assumes the same worlds and
// policies as faults.test.ts, with each search aimed at the faults its variant needs.
import { describe, expect, test } from "vitest";
import { scenarioArb, type ScenarioShape } from "./arbitraries.ts";
import {
  boundedTransactionMemory,
  dropOnFailure,
  gatewayWithoutDedupe,
  newTransactionOnRetry,
  noMessageIdDedupe,
  pusherIgnoresRejected,
  pusherWithoutBackoff,
  unorderedEdus,
  type Variant,
} from "./variants.ts";
import { describeFound, findViolation, runsOf } from "./world-property.ts";

const SEARCH_RUNS = 1_000;
const TIMEOUT = 120_000;

const CASES: readonly { readonly variant: Variant; readonly clauses: string; readonly shape: ScenarioShape }[] = [
  { variant: noMessageIdDedupe, clauses: "FED-18", shape: { faults: { dup: 0.3, reorder: 0.3, loss: 0.2 }, push: false, servers: [3, 3], maxActions: 40 } },
  { variant: newTransactionOnRetry, clauses: "FED-21", shape: { faults: { loss: 0.3 }, push: false, servers: [2, 3] } },
  { variant: dropOnFailure, clauses: "FED-21", shape: { faults: { loss: 0.3 }, push: false, servers: [2, 3] } },
  { variant: unorderedEdus, clauses: "FED-20", shape: { faults: { loss: 0.3, partition: 1 }, push: false, servers: [2, 3], maxActions: 40 } },
  { variant: pusherWithoutBackoff, clauses: "PUSH-26, PUSH-60", shape: { faults: { gatewayError: 0.5, loss: 0.2 }, push: true } },
  { variant: pusherIgnoresRejected, clauses: "PUSH-29, PUSH-30", shape: { faults: {}, push: true } },
  { variant: gatewayWithoutDedupe, clauses: "GW-17", shape: { faults: { loss: 0.3 }, push: true } },
];

describe("broken variants the simulation catches, each with a minimal trace", () => {
  for (const { variant, clauses, shape } of CASES) {
    test(`${variant.name} breaks ${variant.breaks} (${clauses})`, () => {
      const found = findViolation(scenarioArb(shape), SEARCH_RUNS, variant.hooks);
      expect(found, `no scenario broke ${variant.name} in ${SEARCH_RUNS} runs`).not.toBeNull();
      if (found === null) return;
      console.log(describeFound(variant.name, found));
      expect(found.violation.startsWith(`${variant.breaks} (`), found.violation).toBe(true);
    }, TIMEOUT);
  }

  test("with the same one-entry transaction memory, the reference receiver stays exactly-once (FED-16, FED-18)", () => {
    const shape = CASES[0]?.shape ?? { faults: {}, push: false };
    const found = findViolation(scenarioArb(shape), runsOf(100), boundedTransactionMemory);
    expect(found === null ? null : describeFound("bounded memory", found)).toBeNull();
  }, TIMEOUT);
});
