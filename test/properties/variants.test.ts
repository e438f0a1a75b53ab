// Shows that each guarantee of the model-based property can fail: the same property, run on a
// variant of the engine or driver that breaks one guarantee, must find a counterexample, and the
// counterexample must be the violation that variant causes. Assumes the variants in variants.ts.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { toDeviceProperty } from "./model/property.ts";
import { DEEP, PROPERTY_TIMEOUT_MS } from "./run-config.ts";
import { ackOnReturn, checkThenAct, dropPastLimit, partial413, reorderInbox, skipTxnDedupe } from "./variants.ts";
import type { System } from "./model/world.ts";

const cases: readonly [System, string, RegExp][] = [
  // Found either as a second delivery or as a retransmission answered differently (TD-38).
  [skipTxnDedupe, "TD-39 retransmissions deliver again", /"(duplicated|unexpected)":\[\{|to deeply equal/],
  [checkThenAct, "TD-39 concurrent retransmissions deliver twice", /"(duplicated|unexpected)":\[\{/],
  [ackOnReturn, "TD-21 a lost response loses its messages", /"lost":\[\{/],
  [reorderInbox, "TD-20 messages are committed out of order", /"reordered":\[\{/],
  [dropPastLimit, "TD-54 messages past the limit are lost", /"lost":\[\{/],
  [partial413, "TD-50 a 413 request stores something", /"unexpected":\[\{/],
];

describe("the property fails on broken variants", () => {
  for (const [system, what, violation] of cases) {
    test(`${system.name}: ${what}`, async () => {
      const seed = Number(process.env.COURIER_SEED ?? 42);
      const result = await fc.check(toDeviceProperty(system), { numRuns: 2_000 * DEEP, seed });
      if (!result.failed) console.error(`variant "${system.name}" survived ${result.numRuns} runs (seed ${seed})`);
      expect(result.failed).toBe(true);
      expect(String(result.errorInstance)).toMatch(violation);
    }, PROPERTY_TIMEOUT_MS);
  }
});
