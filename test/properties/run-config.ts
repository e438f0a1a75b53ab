/**
 * Run counts and seeds for the property suites. `npm test` runs the default counts;
 * `npm run test:deep` sets COURIER_DEEP and multiplies them by 100. COURIER_SEED (and
 * COURIER_PATH) replay a failure that fast-check reported.
 */
import type fc from "fast-check";

export const DEEP = process.env.COURIER_DEEP !== undefined && process.env.COURIER_DEEP !== "" ? 100 : 1;

export function runs(base: number): number {
  return base * DEEP;
}

/** Parameters for `fc.assert`: the seed is fixed per run and printed, so any failure replays. */
export function assertParams<T>(base: number): fc.Parameters<T> {
  const seed = process.env.COURIER_SEED === undefined ? Date.now() ^ (Math.random() * 0x100000000) : Number(process.env.COURIER_SEED);
  const path = process.env.COURIER_PATH;
  const params: fc.Parameters<T> = { numRuns: runs(base), seed, verbose: 1 };
  if (path !== undefined) params.path = path;
  return params;
}

/** A vitest timeout for a property test: the default minute, scaled for deep runs. */
export const PROPERTY_TIMEOUT_MS = 60_000 * DEEP;
