/**
 * Property runs per second of the send-to-device model-based property (test/properties: TD-11,
 * TD-20, TD-39, TD-50 over random command sequences, scheduled races, a drain and the history
 * checker), run directly with `fc.assert` on a fixed seed. Baseline, same seed and run count:
 * fast-check generating the same inputs and running nothing, so the ratio is the share of the
 * time that generation alone would take.
 */
import fc from "fast-check";
import { type RunInput, runInput, toDeviceProperty } from "../test/properties/model/property.ts";
import { REFERENCE } from "../test/properties/model/world.ts";
import { formatNumber, measured, type Section } from "./results.ts";
import { nowMs } from "./stats.ts";

export interface PropertyOptions {
  readonly runs: number;
  readonly seed: number;
  readonly progress: (line: string) => void;
}

async function timed(property: fc.IAsyncPropertyWithHooks<[RunInput]>, runs: number, seed: number): Promise<number> {
  const started = nowMs();
  await fc.assert(property, { numRuns: runs, seed });
  return nowMs() - started;
}

export async function measurePropertySpeed(options: PropertyOptions): Promise<Section> {
  options.progress(`property: to-device model-based property, ${options.runs} runs, seed ${options.seed}`);
  // Warm-up, so neither figure pays for compiling the engine and the checker.
  await fc.assert(toDeviceProperty(REFERENCE), { numRuns: Math.max(1, Math.round(options.runs / 10)), seed: options.seed + 1 });
  const generationOnly: fc.IAsyncPropertyWithHooks<[RunInput]> = fc.asyncProperty(runInput, async (_input: RunInput) => {});
  const generationMs = await timed(generationOnly, options.runs, options.seed);
  const propertyMs = await timed(toDeviceProperty(REFERENCE), options.runs, options.seed);
  const perSecond = (options.runs * 1000) / propertyMs;
  const generationPerSecond = (options.runs * 1000) / generationMs;
  options.progress(`  ${formatNumber(perSecond)} runs/s (generation alone ${formatNumber(generationPerSecond)} runs/s)`);
  return {
    name: "property",
    title: "Property runs per second (send-to-device model-based property)",
    conditions: `fc.assert on seed ${options.seed}, ${options.runs} runs (up to 40 commands each, scheduler-driven races), after a warm-up of ${Math.max(1, Math.round(options.runs / 10))} runs on another seed; one core`,
    measurements: [
      measured({
        key: "todevice",
        label: "to-device model-based property",
        value: perSecond,
        unit: "runs/s",
        baseline: { label: "input generation only", value: generationPerSecond },
        detail: { runs: options.runs, seed: options.seed, ms: propertyMs },
      }),
    ],
  };
}
