/**
 * The simulator's public face: run a `Scenario` in the deterministic world and judge its
 * history; re-run a failing one with tracing to explain it. Used by `courier simulate`, the
 * simulation tests and the report.
 */
import type { Trace } from "../report/sequence-diagram.ts";
import type { Scenario } from "./scenario.ts";
import { formatTrace, sequenceTrace } from "./trace.ts";
import { firstViolation, judge, type RunVerdict } from "./verdict.ts";
import { type RunOptions, runWorld, type SimHooks, type World } from "./world.ts";

export type { Action, Fault, FaultRates, PusherSpec, PushSetup, Scenario, Target } from "./scenario.ts";
export { GATEWAY, livenessBoundMs, NO_FAULTS, SIM_GATEWAY, SIM_POLICIES, TIMING } from "./scenario.ts";
export type { GatewayEngine, GatewayFactory, HomeserverEngine, HomeserverFactory } from "./nodes.ts";
export { referenceGateway, referenceHomeserver } from "./nodes.ts";
export type { GuaranteeVerdict, RunVerdict } from "./verdict.ts";
export { firstViolation } from "./verdict.ts";
export type { RunOptions, SimHooks, SimStats } from "./world.ts";
export { simPolicies, World } from "./world.ts";
export { workloadScenario, type WorkloadParams } from "./workload.ts";
export { faultsText, parseFaults, parsePolicies, POLICY_NAMES } from "./settings.ts";

export interface Simulation {
  readonly world: World;
  readonly verdict: RunVerdict;
}

export function simulate(scenario: Scenario, options: RunOptions = {}): Simulation {
  const world = runWorld(scenario, options);
  return { world, verdict: judge(world) };
}

export interface Explanation {
  /** The first broken guarantee, one line. */
  readonly violation: string | null;
  /** The numbered trace of what every server and client did. */
  readonly text: string;
  /** The same run for the report's sequence diagram. */
  readonly sequence: Trace;
  readonly verdict: RunVerdict;
}

/** Re-runs a scenario with tracing on (runs are deterministic, so it fails the same way). */
export function explain(scenario: Scenario, hooks?: SimHooks): Explanation {
  const { world, verdict } = simulate(scenario, hooks === undefined ? { trace: true } : { trace: true, hooks });
  const log = world.trace;
  if (log === null) throw new Error("explain: the world recorded no trace");
  return { violation: firstViolation(verdict), text: formatTrace(log.entries), sequence: sequenceTrace(log), verdict };
}
