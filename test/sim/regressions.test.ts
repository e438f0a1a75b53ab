// Regression cases: the minimal scenarios fast-check found for each broken variant (see
// variants.test.ts), kept as data. Runs are deterministic, so each must still pass on the
// reference engines and still fail, on the guarantee named, on the variant that produced it —
// otherwise the case has gone vacuous and needs finding again.
import { describe, expect, test } from "vitest";
import { explain, NO_FAULTS, type Scenario, type SimHooks, simulate } from "../../src/sim/index.ts";
import {
  dropOnFailure,
  gatewayWithoutDedupe,
  newTransactionOnRetry,
  noMessageIdDedupe,
  pusherIgnoresRejected,
  pusherWithoutBackoff,
  unorderedEdus,
  type Variant,
} from "./variants.ts";

function scenario(s: Partial<Scenario> & Pick<Scenario, "seed" | "servers" | "actions">): Scenario {
  return { usersPerServer: 1, devicesPerUser: 1, schedule: [], healAt: 1_000, push: null, fullSyncEvery: 0, policies: {}, ...s, faults: { ...NO_FAULTS, ...s.faults } };
}

const toUser = (from: number, user: number, device: number | "*" = 0) => ({ at: 0, kind: "send" as const, from, to: [{ user, device }] });
const roomMessage = (from: number) => ({ at: 0, kind: "roomMessage" as const, from });

const CASES: readonly { readonly name: string; readonly variant: Variant; readonly scenario: Scenario }[] = [
  {
    name: "FED-18: a retransmission that outlives the transaction memory is deduplicated by message_id",
    variant: noMessageIdDedupe,
    scenario: scenario({ seed: 183951226, servers: 3, faults: { ...NO_FAULTS, loss: 0.2 }, actions: [toUser(0, 5), toUser(4, 5)] }),
  },
  {
    name: "FED-21: a retry after a lost 200 resends the same transaction, not a rebuilt one",
    variant: newTransactionOnRetry,
    scenario: scenario({ seed: 1392565296, servers: 2, devicesPerUser: 2, healAt: 1509, faults: { ...NO_FAULTS, loss: 0.3 }, actions: [toUser(5, 1)] }),
  },
  {
    name: "FED-21: EDUs of a transaction whose request was lost stay in the outbox",
    variant: dropOnFailure,
    scenario: scenario({ seed: 0, servers: 2, healAt: 1256, faults: { ...NO_FAULTS, loss: 0.3 }, actions: [toUser(0, 7, "*"), toUser(0, 1), toUser(3, 0)] }),
  },
  {
    name: "FED-20: two EDUs of one transaction reach the device in the origin's order",
    variant: unorderedEdus,
    scenario: scenario({ seed: 0, servers: 2, actions: [toUser(3, 0, "*"), toUser(7, 0), toUser(7, 0, "*")] }),
  },
  {
    name: "PUSH-60: a notification answered 500 is retried only after the back-off",
    variant: pusherWithoutBackoff,
    scenario: scenario({
      seed: 0,
      servers: 1,
      usersPerServer: 2,
      faults: { ...NO_FAULTS, gatewayError: 0.5 },
      actions: [roomMessage(0), roomMessage(0), toUser(0, 0)],
      push: { roomSize: 2, pushers: [{ device: 1, app: "fcm", key: "ok" }] },
    }),
  },
  {
    name: "PUSH-29: nothing is sent to a pushkey once its rejection was processed",
    variant: pusherIgnoresRejected,
    scenario: scenario({
      seed: 0,
      servers: 1,
      usersPerServer: 2,
      actions: [roomMessage(0), roomMessage(0), toUser(0, 0)],
      push: { roomSize: 2, pushers: [{ device: 7, app: "fcm", key: "invalid" }, { device: 0, app: "fcm", key: "ok" }] },
    }),
  },
  {
    name: "GW-17: a notify retried after its answer was lost reaches the provider once",
    variant: gatewayWithoutDedupe,
    scenario: scenario({
      seed: 0,
      servers: 1,
      usersPerServer: 2,
      faults: { ...NO_FAULTS, loss: 0.3 },
      actions: [roomMessage(3), roomMessage(0)],
      push: { roomSize: 2, pushers: [{ device: 0, app: "fcm", key: "ok" }] },
    }),
  },
];

function brokenGuarantee(s: Scenario, hooks: SimHooks): string | null {
  return simulate(s, { hooks }).verdict.guarantees.find((g) => g.holds === false)?.guarantee ?? null;
}

describe("regressions: minimal counterexamples of the broken variants", () => {
  for (const c of CASES) {
    test(c.name, () => {
      const reference = simulate(c.scenario).verdict;
      expect(reference.ok, explain(c.scenario).text).toBe(true);
      expect(brokenGuarantee(c.scenario, c.variant.hooks), explain(c.scenario, c.variant.hooks).text).toBe(c.variant.breaks);
    });
  }
});
