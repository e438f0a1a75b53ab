// Property (refinement of the delivery machine): for random command sequences under random
// policies, every engine step moves each message it touches along a legal transition of
// delivery.machine.ts, under an event the command stands for, and moves no other message.
// Assumptions: messages are identified by (user, device, stream position); since tokens may be
// followed, stale, forged or from the future; the clock only moves forward.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Clients, type Op, scenario } from "./clients.ts";
import { type Engine, realEngine } from "./model/world.ts";
import { RefinementChecker } from "./refinement.ts";
import { assertParams, PROPERTY_TIMEOUT_MS } from "./run-config.ts";
import { ackOnReturn } from "./variants.ts";

function refines(engine: Engine, ops: readonly Op[]): RefinementChecker {
  const checker = new RefinementChecker(engine);
  const clients = new Clients(engine, (command, now) => checker.step(command, now));
  for (const o of ops) clients.apply(o);
  return checker;
}


describe("refinement of the delivery machine", () => {
  test("TD-11, TD-19, TD-20, TD-21, TD-25, TD-26, TD-52, TD-53: every engine step is a legal machine step", () => {
    fc.assert(
      fc.property(scenario, ({ policies: p, ops }) => {
        refines(realEngine(p), ops);
      }),
      assertParams(1_000),
    );
  }, PROPERTY_TIMEOUT_MS);

  test("the check can fail: acknowledging on return moves a pending message to gone without a covering since", () => {
    const result = fc.check(
      fc.property(scenario, ({ policies: p, ops }) => {
        refines(ackOnReturn.engine(p), ops);
      }),
      { numRuns: 1_000, seed: 7 },
    );
    expect(result.failed).toBe(true);
    expect(String(result.errorInstance)).toMatch(/illegal move of .*: pending \(seen pending\) → gone on syncToDevice/);
  });
});
