/**
 * Simulation experiments for the report's policy × guarantee matrix (src/report/matrix.ts): for
 * a policy setting, fast-check searches the simulated world for a scenario that breaks one
 * guarantee, within the report's bounds, and shrinks it; the minimal run comes back as a
 * sequence diagram. Only policies the simulated clients can exercise are measured here: the
 * clients mix `*` with explicit ids, messages wait in inboxes under faults, syncs page, and
 * senders retransmit after lost answers.
 */
import fc from "fast-check";
import type { PolicyOverrides } from "../../src/engine/policies.ts";
import { type Guarantee, registerExperiment } from "../../src/report/matrix.ts";
import { explain, simulate } from "../../src/sim/index.ts";
import { scenarioArb, type ScenarioShape } from "./arbitraries.ts";

function experiment(policy: string, setting: string, guarantee: Guarantee, shape: ScenarioShape, policies: PolicyOverrides): void {
  registerExperiment({
    policy,
    setting,
    guarantee,
    async run(bounds) {
      const property = fc.property(scenarioArb({ ...shape, policies }), (scenario) => {
        const verdict = simulate(scenario).verdict.guarantees.find((g) => g.guarantee === guarantee);
        if (verdict?.holds === false) throw new Error(verdict.findings[0] ?? guarantee);
      });
      const details = fc.check(property, { numRuns: bounds.runs, seed: bounds.seed, interruptAfterTimeLimit: bounds.timeLimitMs });
      const scenario = details.counterexample?.[0];
      const faults = Object.keys(shape.faults).join(", ") || "none";
      if (!details.failed || scenario === undefined) return { holds: true, runs: details.numRuns, seed: details.seed, note: `simulated world; faults: ${faults}` };
      const explanation = explain(scenario);
      const finding = explanation.verdict.guarantees.find((g) => g.guarantee === guarantee)?.findings[0] ?? guarantee;
      return { holds: false, runs: details.numRuns, seed: details.seed, counterexample: explanation.sequence, note: finding };
    },
  });
}

const QUIET: ScenarioShape = { faults: {}, push: false, servers: [1, 2], maxActions: 12 };
const LOSSY: ScenarioShape = { faults: { loss: 0.3, crash: 1 }, push: false, servers: [1, 2] };

for (const setting of ["explicit-wins", "literal", "expand-all"] as const) {
  experiment("wildcard-mixed", setting, "exactly-once", QUIET, { wildcardMixed: setting });
}
experiment("undelivered-expiry", "none", "exactly-once", LOSSY, { undeliveredExpiryMs: "none" });
experiment("undelivered-expiry", "1 s", "exactly-once", LOSSY, { undeliveredExpiryMs: 1_000 });
experiment("txn-retention", "24 h", "idempotency", LOSSY, {});
experiment("txn-retention", "1 s", "idempotency", LOSSY, { txnRetentionMs: 1_000 });
for (const limit of [100, 1]) {
  experiment("per-sync-limit", String(limit), "exactly-once", LOSSY, { syncLimit: limit });
  experiment("per-sync-limit", String(limit), "order", LOSSY, { syncLimit: limit });
}
