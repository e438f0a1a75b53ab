/**
 * Simulator speed: a workload of client actions (to-device sends to explicit devices, `*` and
 * other servers' users; one action in five a room message with pushers on the gateway) over
 * three homeservers and the gateway on the virtual clock, with faults (loss, duplication,
 * reordering, partitions, crashes with journal replay, gateway errors and restarts), run to
 * quiescence and judged. Figures: client messages (sends and room messages) simulated per
 * wall-clock second, and to-device events committed per second. Baseline, same seed and workload: the run without faults.
 */
import { judge } from "../src/sim/verdict.ts";
import { runWorld } from "../src/sim/world.ts";
import { workloadScenario } from "../src/sim/workload.ts";
import { type FaultRates, NO_FAULTS } from "../src/sim/scenario.ts";
import { formatNumber, measured, type Section } from "./results.ts";
import { nowMs } from "./stats.ts";

export interface SimulatorOptions {
  readonly messages: number;
  readonly devices: number;
  readonly seed: number;
  readonly progress: (line: string) => void;
}

export const BENCH_FAULTS: FaultRates = { loss: 0.05, dup: 0.05, reorder: 0.05, partition: 0.02, crash: 0.01, gatewayError: 0.02, gatewayRestart: 0.01 };

interface SimRun {
  readonly actionsPerSecond: number;
  readonly committedPerSecond: number;
  readonly wallMs: number;
  readonly virtualMs: number;
  readonly events: number;
  readonly ok: boolean;
}

function simulate(options: SimulatorOptions, faults: FaultRates): SimRun {
  const scenario = workloadScenario({ seed: options.seed, servers: 3, devices: options.devices, messages: options.messages, faults, push: true, policies: {} });
  const started = nowMs();
  const world = runWorld(scenario);
  const wallMs = nowMs() - started;
  const verdict = judge(world);
  return {
    actionsPerSecond: (scenario.actions.length * 1000) / wallMs,
    committedPerSecond: (world.history.committedEvents * 1000) / wallMs,
    wallMs,
    virtualMs: world.now,
    events: world.stats.events,
    ok: verdict.ok,
  };
}

export function measureSimulator(options: SimulatorOptions): Section {
  options.progress(`simulator: ${options.messages} client actions, ${options.devices} devices on 3 servers + gateway, seed ${options.seed}`);
  const warmup = { ...options, messages: Math.max(10, Math.round(options.messages / 10)) };
  simulate(warmup, NO_FAULTS);
  simulate(warmup, BENCH_FAULTS);
  const clean = simulate(options, NO_FAULTS);
  const faulty = simulate(options, BENCH_FAULTS);
  options.progress(`  with faults ${formatNumber(faulty.actionsPerSecond)} messages/s, without ${formatNumber(clean.actionsPerSecond)} messages/s`);
  const detail = { wallMs: faulty.wallMs, virtualMs: faulty.virtualMs, events: faulty.events, verdict: faulty.ok ? "ok" : "violation", noFaultsWallMs: clean.wallMs, noFaultsVerdict: clean.ok ? "ok" : "violation" };
  return {
    name: "simulator",
    title: "Simulator speed (3 homeservers + gateway, virtual clock)",
    conditions: `workloadScenario: ${options.messages} actions 10 ms apart (virtual), ${options.devices} devices, push on; faults per message loss/dup/reorder 5%, per second partitions 2%, crashes 1%, gateway errors 2%, gateway restarts 1%; run to quiescence, then judged; one core, after warm-up runs (with and without faults) a tenth the size`,
    measurements: [
      measured({ key: "actions", label: "client messages simulated, with faults", value: faulty.actionsPerSecond, unit: "messages/s", baseline: { label: "same workload, no faults", value: clean.actionsPerSecond }, detail }),
      measured({ key: "committed", label: "to-device events committed, with faults", value: faulty.committedPerSecond, unit: "events/s", baseline: { label: "same workload, no faults", value: clean.committedPerSecond } }),
    ],
    ...(faulty.ok && clean.ok ? {} : { notes: ["a run's verdict found a violation (see detail): the speed is still measured, the finding is the simulator suite's business"] }),
  };
}
