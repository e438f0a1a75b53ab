/**
 * Running the world under fast-check: a property that every guarantee holds for every generated
 * scenario, run with a logged seed; on failure fast-check shrinks the scenario and we re-run the
 * minimal one with tracing to print what every server and client did.
 */
import fc from "fast-check";
import { explain, firstViolation, type Scenario, type SimHooks, simulate } from "../../src/sim/index.ts";
import { DEEP } from "../properties/run-config.ts";

export interface Found {
  readonly violation: string;
  readonly seed: number;
  readonly runs: number;
  readonly scenario: Scenario;
  /** The numbered trace of the minimal scenario. */
  readonly trace: string;
}

/** Totals over every run of a property, so a test can show its faults actually struck. */
export interface Struck {
  runs: number;
  lost: number;
  duplicated: number;
  reordered: number;
  partitioned: number;
  gatewayErrors: number;
  crashes: number;
  gatewayRestarts: number;
  retransmissions: number;
  notifications: number;
  /** Heads a pusher gave up on (PUSH-27). */
  givenUp: number;
  /** The fast-check seed of each round, so a round whose faults never struck can be replayed. */
  seeds: number[];
}

export function emptyStruck(): Struck {
  return { runs: 0, lost: 0, duplicated: 0, reordered: 0, partitioned: 0, gatewayErrors: 0, crashes: 0, gatewayRestarts: 0, retransmissions: 0, notifications: 0, givenUp: 0, seeds: [] };
}

export function runsOf(base: number): number {
  return base * DEEP;
}

function seedOf(): number {
  const fixed = process.env.COURIER_SEED;
  return fixed === undefined ? Date.now() ^ (Math.random() * 0x100000000) : Number(fixed);
}

function tally(struck: Struck, world: ReturnType<typeof simulate>["world"]): void {
  struck.runs += 1;
  for (const key of ["lost", "duplicated", "reordered", "partitioned", "gatewayErrors"] as const) struck[key] += world.network.struck[key];
  struck.crashes += world.stats.crashes;
  struck.gatewayRestarts += world.stats.gatewayRestarts;
  struck.notifications += world.stats.notifyRequests;
  for (const send of world.history.sends) struck.retransmissions += Math.max(0, send.attempts - 1);
  for (const pusher of world.history.pushers.values()) struck.givenUp += pusher.log.filter((e) => e.kind === "dropped").length;
}

/** Searches for a scenario that breaks a guarantee; null if none was found in `runs` runs. */
export function findViolation(arb: fc.Arbitrary<Scenario>, runs: number, hooks?: SimHooks, struck?: Struck): Found | null {
  const options = hooks === undefined ? {} : { hooks };
  const property = fc.property(arb, (scenario) => {
    const { world, verdict } = simulate(scenario, options);
    if (struck !== undefined) tally(struck, world);
    if (!verdict.ok) throw new Error(firstViolation(verdict) ?? "violation");
  });
  const seed = seedOf();
  struck?.seeds.push(seed);
  const details = fc.check(property, { numRuns: runs, seed });
  const scenario = details.counterexample?.[0];
  if (!details.failed || scenario === undefined) return null;
  const explanation = explain(scenario, hooks);
  return { violation: explanation.violation ?? "", seed: details.seed, runs: details.numRuns, scenario, trace: explanation.text };
}

export function describeFound(title: string, found: Found): string {
  return [
    `${title}: ${found.violation}`,
    `fast-check seed ${found.seed} (replay with COURIER_SEED=${found.seed}), failed after ${found.runs} runs; minimal scenario:`,
    JSON.stringify(found.scenario),
    "trace of the minimal scenario:",
    found.trace,
  ].join("\n");
}

/** Asserts every guarantee holds; a failure throws with the minimal scenario and its trace. */
export function assertWorldHolds(title: string, arb: fc.Arbitrary<Scenario>, runs: number, struck?: Struck): void {
  const found = findViolation(arb, runs, undefined, struck);
  if (found !== null) throw new Error(describeFound(title, found));
}

export type Strike = Exclude<keyof Struck, "runs" | "seeds">;

/**
 * Asserts every guarantee holds, round after round of `runs` runs, until each fault in `expected`
 * has struck at least once (at most `maxRounds` rounds): whether a random scenario meets a fault
 * is chance, and one round of a rare fault can miss it. Returns the totals; the caller asserts
 * them, and a failure message names every round's seed.
 */
export function assertWorldHoldsAndStrikes(title: string, arb: fc.Arbitrary<Scenario>, runs: number, expected: readonly Strike[], maxRounds = 4): Struck {
  const struck = emptyStruck();
  for (let round = 0; round < maxRounds; round++) {
    assertWorldHolds(title, arb, runs, struck);
    if (expected.every((key) => struck[key] > 0)) break;
  }
  return struck;
}

/** The message for a fault that never struck: the totals and every seed to replay them with. */
export function strikeMessage(key: string, struck: Struck): string {
  return `${key} over ${struck.runs} runs (COURIER_SEED one of ${struck.seeds.join(", ")})`;
}
