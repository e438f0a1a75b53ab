/**
 * The benchmark suite behind `npm run bench` and `npm run bench:http`: which benchmarks exist,
 * their sizes (full and `--quick`), running a selection with progress lines, and writing the
 * results (JSON + SVG in the output directory, `reports/bench/` by default; the SVG of a full,
 * complete run is also copied to `bench/figures.svg`, which is committed for the README).
 *
 * Each benchmark module is imported only when selected, and one that fails (or cannot load) is
 * reported as failed without stopping the others.
 */
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { figuresSvg } from "./figures.ts";
import { backgroundBusy, busyWarning, machineInfo } from "./machine.ts";
import { REPO_ROOT } from "./processes.ts";
import { printReport } from "./table.ts";
import type { BenchReport, Section } from "./results.ts";

export interface SuiteOptions {
  readonly quick: boolean;
  readonly names: readonly BenchName[];
  readonly outDir: string;
  /** The file names' prefix in `outDir` (`bench` or `http`). */
  readonly prefix: string;
  /** Copy the SVG to `bench/figures.svg` (only full runs of the whole suite should). */
  readonly publish: boolean;
  readonly argv: readonly string[];
  readonly log: (line: string) => void;
}

export const ENGINE_BENCHES = ["engine", "sync-cost", "memory", "simulator", "property"] as const;
export const HTTP_BENCHES = ["http-send", "http-wake", "notify"] as const;
export const ALL_BENCHES = [...ENGINE_BENCHES, ...HTTP_BENCHES] as const;
export type BenchName = (typeof ALL_BENCHES)[number];

export function isBenchName(name: string): name is BenchName {
  return (ALL_BENCHES as readonly string[]).includes(name);
}

export const DEFAULT_OUT_DIR = join(REPO_ROOT, "reports", "bench");
export const PUBLISHED_SVG = join(REPO_ROOT, "bench", "figures.svg");

type Runner = (quick: boolean, progress: (line: string) => void) => Promise<Section>;

const RUNNERS: Record<BenchName, Runner> = {
  engine: async (quick, progress) =>
    (await import("./engine-throughput.ts")).measureEngineThroughput({ recipients: [1, 10, 100], sendsPerRound: 10, durationMs: quick ? 100 : 3000, warmupMs: quick ? 30 : 1000, progress }),
  "sync-cost": async (quick, progress) =>
    (await import("./sync-cost.ts")).measureSyncCost({ sizes: quick ? [1e3, 1e4] : [1e3, 1e4, 1e5, 1e6], minSyncs: quick ? 200 : 5000, progress }),
  memory: async (quick, progress) =>
    (await import("./memory.ts")).measureMemory({ contentSizes: quick ? [256, 4096] : [256, 1024, 4096, 16384, 65000], maxCount: quick ? 2000 : 20_000, progress }),
  simulator: async (quick, progress) =>
    (await import("./simulator.ts")).measureSimulator({ messages: quick ? 100 : 5000, devices: quick ? 12 : 60, seed: 7, progress }),
  property: async (quick, progress) => (await import("./property-speed.ts")).measurePropertySpeed({ runs: quick ? 10 : 500, seed: 42, progress }),
  "http-send": async (quick, progress) =>
    (await import("./http-send.ts")).measureHttpSend({ durationS: quick ? 0.5 : 8, warmupS: quick ? 0.2 : 2, connections: quick ? 10 : 50, progress }),
  "http-wake": async (quick, progress) =>
    (await import("./http-wake.ts")).measureHttpWake({ waiters: quick ? 10 : 100, samples: quick ? 50 : 3000, warmup: quick ? 10 : 300, progress }),
  notify: async (quick, progress) => (await import("./http-notify.ts")).measureHttpNotify({ pushers: quick ? 5 : 50, durationS: quick ? 0.5 : 8, warmupS: quick ? 0.2 : 1, progress }),
};

/** Run one benchmark by name with explicit sizes chosen by `quick`. */
export function runBench(name: BenchName, quick: boolean, progress: (line: string) => void): Promise<Section> {
  return RUNNERS[name](quick, progress);
}

function stamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, "-");
}

export async function runSuite(options: SuiteOptions): Promise<BenchReport> {
  const started = new Date();
  const machine = await machineInfo();
  const sections: Section[] = [];
  const failed: { name: string; error: string }[] = [];
  const startWarning = busyWarning(machine.backgroundBusy, "before the run");
  if (startWarning !== null) options.log(`WARNING: ${startWarning}`);
  for (const name of options.names) {
    const t0 = performance.now();
    try {
      sections.push(await runBench(name, options.quick, options.log));
      options.log(`  (${name} took ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      failed.push({ name, error });
      options.log(`FAILED ${name}: ${error}`);
    }
  }
  const busyAtEnd = await backgroundBusy(1000);
  const endWarning = busyWarning(busyAtEnd, "just after the run");
  const report: BenchReport = {
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    quick: options.quick,
    options: options.argv,
    machine,
    backgroundBusyAtEnd: busyAtEnd,
    warnings: [startWarning, endWarning].filter((w): w is string => w !== null),
    sections,
    failed,
  };
  printReport(report, options.log);
  writeOutputs(report, options);
  return report;
}

function writeOutputs(report: BenchReport, options: SuiteOptions): void {
  mkdirSync(options.outDir, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const svg = figuresSvg(report);
  const base = `${options.prefix}-${stamp(new Date(report.startedAt))}`;
  writeFileSync(join(options.outDir, `${base}.json`), json);
  writeFileSync(join(options.outDir, `${options.prefix}-latest.json`), json);
  writeFileSync(join(options.outDir, `${base}.svg`), svg);
  const latestSvg = join(options.outDir, `${options.prefix}-latest.svg`);
  writeFileSync(latestSvg, svg);
  options.log(`results: ${join(options.outDir, `${options.prefix}-latest.json`)}, plot: ${latestSvg}`);
  if (options.publish && report.failed.length === 0) {
    copyFileSync(latestSvg, PUBLISHED_SVG);
    options.log(`plot copied to ${PUBLISHED_SVG}`);
  }
}
