/**
 * Simulation experiments for the report's policy × guarantee matrix (src/report/matrix.ts): for
 * a policy setting, fast-check searches the simulated world for a scenario that breaks one
 * guarantee, within the report's bounds, and shrinks it; the minimal run comes back as a
 * sequence diagram. Only policies the simulated clients can exercise are measured here: the
 * clients mix `*` with explicit ids, messages wait in inboxes under faults, syncs page, senders
 * retransmit after lost answers, transactions are duplicated and delayed between servers, and
 * room messages are pushed through a gateway that fails and restarts. Policies the simulator has
 * no client for (device deletion, unknown recipients, spoofed senders, a reused transaction id
 * with another body) stay "not measured".
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

const FEDERATING: ScenarioShape = { faults: { loss: 0.2, dup: 0.2, reorder: 0.3, partition: 1 }, push: false, servers: [2, 3] };
experiment("federation-dedupe-retention", "sim default", "exactly-once", FEDERATING, {});
experiment("federation-dedupe-retention", "0 ms", "exactly-once", FEDERATING, { federation: { messageIdRetentionMs: 0 } });
experiment("federation-backoff", "250 ms ×2 ≤ 8 s (sim)", "liveness", FEDERATING, {});
experiment("federation-backoff", "250 ms ×2 ≤ 8 s (sim)", "order", FEDERATING, {});
experiment("federation-backoff", "10 ms ×1 ≤ 10 ms", "liveness", FEDERATING, { federation: { backoff: { initialMs: 10, multiplier: 1, maxMs: 10 } } });

const PUSHING: ScenarioShape = { faults: { gatewayError: 0.3, gatewayRestart: 1, loss: 0.2 }, push: true, servers: [1, 2] };
const PUSH_GUARANTEES = ["push-at-least-once", "push-exactly-once-at-provider", "push-order", "no-send-after-reject", "backoff-bounds"] as const;
for (const guarantee of PUSH_GUARANTEES) {
  experiment("push-backoff", "200 ms ×2 ≤ 4 s, give up 60 s (sim)", guarantee, PUSHING, {});
  experiment("push-backoff", "100 ms ×2 ≤ 800 ms, give up 1.5 s", guarantee, PUSHING, { push: { backoff: { initialMs: 100, multiplier: 2, maxMs: 800, giveUpAfterMs: 1_500 } } });
}
for (const setting of ["omit", "send"] as const) {
  experiment("zero-counts", setting, "push-exactly-once-at-provider", PUSHING, { push: { zeroCounts: setting } });
}
for (const [setting, on] of [["off", false], ["on", true]] as const) {
  experiment("legacy-notification-id", setting, "push-exactly-once-at-provider", PUSHING, { push: { legacyNotificationId: on } });
}
for (const setting of ["messages", "rooms"] as const) {
  experiment("unread-counts", setting, "push-order", PUSHING, { push: { unreadCounts: setting } });
}
