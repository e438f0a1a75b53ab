/**
 * The machine a run measured on, printed beside every set of figures: a ratio only means
 * something with the CPU, core count and Node version it was taken on, and with how busy the
 * machine was with other work (the load generator shares the cores too).
 */
import { availableParallelism, cpus, platform, release, totalmem } from "node:os";
import { sleep } from "./stats.ts";

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly node: string;
  readonly v8: string;
  readonly os: string;
  /** Share of all cores busy with other work while this process slept, before the run (0..1). */
  readonly backgroundBusy: number;
}

function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const cpu of cpus()) {
    const t = cpu.times;
    busy += t.user + t.nice + t.sys + t.irq;
    total += t.user + t.nice + t.sys + t.irq + t.idle;
  }
  return { busy, total };
}

/** Share of all cores busy during `ms` while this process does nothing. */
export async function backgroundBusy(ms: number): Promise<number> {
  const a = cpuTimes();
  await sleep(ms);
  const b = cpuTimes();
  const total = b.total - a.total;
  return total > 0 ? (b.busy - a.busy) / total : 0;
}

export async function machineInfo(): Promise<MachineInfo> {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? "unknown",
    cores: availableParallelism(),
    memoryBytes: totalmem(),
    node: process.version,
    v8: process.versions.v8,
    os: `${platform()} ${release()}`,
    backgroundBusy: await backgroundBusy(1000),
  };
}

export function describeMachine(m: MachineInfo): string {
  const gib = (m.memoryBytes / 2 ** 30).toFixed(1);
  const busy = `${(m.backgroundBusy * 100).toFixed(0)}% of the cores busy with other work at start`;
  return `${m.cpuModel}, ${m.cores} cores, ${gib} GiB memory, Node ${m.node} (V8 ${m.v8}), ${m.os}; ${busy}`;
}

/** A warning when other work already keeps the cores busy: the figures will be low and noisy. */
export function busyWarning(busy: number, when: string): string | null {
  if (busy < 0.1) return null;
  return `${when}: ${(busy * 100).toFixed(0)}% of the cores were busy with other work; figures are low and noisy — rerun on a quiet machine`;
}
