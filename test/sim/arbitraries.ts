/**
 * fast-check generators of simulation scenarios: a small world (1–3 servers, 1–3 users each,
 * at least 2 with push so rooms have someone to notify; 1–2 devices per user), client actions over a few seconds, an explicit fault schedule, and the
 * per-packet fault rates a test names, each of which may shrink to 0 so a minimal counterexample
 * keeps only the faults it needs.
 */
import fc from "fast-check";
import type { PolicyOverrides } from "../../src/engine/policies.ts";
import { type Action, type Fault, type FaultRates, GATEWAY, NO_FAULTS, type PushSetup, type Scenario, type Target } from "../../src/sim/index.ts";

export interface ScenarioShape {
  /** Upper rates; each shrinks to 0. Faults not named are off. */
  readonly faults: Partial<FaultRates>;
  readonly push: boolean;
  readonly servers?: readonly [number, number];
  readonly maxActions?: number;
  readonly policies?: PolicyOverrides;
  /** Also vary the per-sync limit and the EDUs per transaction (1–3 each), so paging and batching are exercised. */
  readonly smallLimits?: boolean;
}

const HEAL_MIN = 1_000;
const HEAL_MAX = 8_000;

function target(): fc.Arbitrary<Target> {
  return fc.record({ user: fc.nat(8), device: fc.oneof({ weight: 3, arbitrary: fc.nat(1) }, { weight: 1, arbitrary: fc.constant("*" as const) }) });
}

function action(push: boolean): fc.Arbitrary<Action> {
  const at = fc.integer({ min: 0, max: HEAL_MAX });
  const send = fc.record({ at, kind: fc.constant("send" as const), from: fc.nat(17), to: fc.array(target(), { minLength: 1, maxLength: 3 }) });
  if (!push) return send;
  const room = fc.record({ at, kind: fc.constant("roomMessage" as const), from: fc.nat(17) });
  return fc.oneof({ weight: 2, arbitrary: send }, { weight: 2, arbitrary: room });
}

function fault(shape: ScenarioShape): fc.Arbitrary<Fault> {
  const at = fc.integer({ min: 0, max: HEAL_MAX });
  const choices: fc.Arbitrary<Fault>[] = [];
  if ((shape.faults.partition ?? 0) > 0) {
    const other = shape.push ? fc.oneof(fc.nat(2), fc.constant(GATEWAY)) : fc.nat(2);
    choices.push(fc.record({ at, kind: fc.constant("partition" as const), a: fc.nat(2), b: other, durationMs: fc.integer({ min: 200, max: 6_000 }) }));
  }
  if ((shape.faults.crash ?? 0) > 0) {
    choices.push(fc.record({ at, kind: fc.constant("crash" as const), server: fc.nat(2), downMs: fc.integer({ min: 50, max: 3_000 }) }));
  }
  if (shape.push && (shape.faults.gatewayRestart ?? 0) > 0) {
    choices.push(fc.record({ at, kind: fc.constant("gatewayRestart" as const), downMs: fc.integer({ min: 50, max: 2_000 }) }));
  }
  return choices.length === 0 ? fc.constant({ at: 0, kind: "crash", server: 0, downMs: 0 } as Fault) : fc.oneof(...choices);
}

function rates(shape: ScenarioShape): fc.Arbitrary<FaultRates> {
  // Shrinks to 0 (false), so a minimal counterexample keeps only the faults it needs.
  const rate = (p: number | undefined) => (p === undefined || p === 0 ? fc.constant(0) : fc.boolean().map((on) => (on ? p : 0)));
  return fc.record({
    loss: rate(shape.faults.loss),
    dup: rate(shape.faults.dup),
    reorder: rate(shape.faults.reorder),
    partition: fc.constant(0),
    crash: fc.constant(0),
    gatewayError: rate(shape.faults.gatewayError),
    gatewayRestart: fc.constant(0),
  });
}

const pushSetup: fc.Arbitrary<PushSetup> = fc.record({
  roomSize: fc.integer({ min: 2, max: 3 }),
  pushers: fc.array(
    fc.record({ device: fc.nat(17), app: fc.constantFrom("fcm" as const, "apns" as const), key: fc.constantFrom("ok" as const, "invalid" as const, "transient" as const) }),
    { minLength: 1, maxLength: 6 },
  ),
});

export function scenarioArb(shape: ScenarioShape): fc.Arbitrary<Scenario> {
  const [minServers, maxServers] = shape.servers ?? [1, 3];
  const scheduled = (shape.faults.partition ?? 0) + (shape.faults.crash ?? 0) + (shape.faults.gatewayRestart ?? 0) > 0;
  return fc
    .record({
      seed: fc.nat(),
      servers: fc.integer({ min: minServers, max: maxServers }),
      usersPerServer: fc.integer({ min: shape.push ? 2 : 1, max: 3 }),
      devicesPerUser: fc.integer({ min: 1, max: 2 }),
      faults: rates(shape),
      schedule: scheduled ? fc.array(fault(shape), { maxLength: 5 }) : fc.constant([]),
      healAt: fc.integer({ min: HEAL_MIN, max: HEAL_MAX }),
      actions: fc.array(action(shape.push), { minLength: 1, maxLength: shape.maxActions ?? 24 }),
      push: shape.push ? pushSetup : fc.constant(null),
      fullSyncEvery: fc.constantFrom(0, 2, 3),
      limits: shape.smallLimits === true ? fc.record({ sync: fc.integer({ min: 1, max: 3 }), edus: fc.integer({ min: 1, max: 3 }) }) : fc.constant(null),
    })
    .map(({ limits, ...s }) => ({ ...s, faults: { ...NO_FAULTS, ...s.faults }, policies: withLimits(shape.policies ?? {}, limits) }));
}

function withLimits(policies: PolicyOverrides, limits: { sync: number; edus: number } | null): PolicyOverrides {
  if (limits === null) return policies;
  return { ...policies, syncLimit: limits.sync, federation: { ...policies.federation, maxEdusPerTransaction: limits.edus } };
}
