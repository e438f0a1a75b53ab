// Checks the gateway's retry delay: 1 s after the first failure, doubling, never above the cap,
// for any attempt number; assumes attempts count from 1. No clause covers a gateway's own
// retries; they follow from GW-10 (answer at once, so the gateway retries by itself).
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { nextDelay } from "../../src/gateway/backoff.ts";

const runs = 200 * (process.env.COURIER_DEEP ? 100 : 1);

describe("nextDelay", () => {
  it("doubles from the initial delay up to the cap", () => {
    const config = { initialDelayMs: 1000, maxDelayMs: 10_000 };
    expect([1, 2, 3, 4, 5, 6].map((a) => nextDelay(a, config))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  test.prop([fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 0, max: 10 ** 9 })], {
    numRuns: runs,
  })("stays within [initial, cap] and never shrinks as attempts grow", (attempt, initial, extra) => {
    const config = { initialDelayMs: initial, maxDelayMs: initial + extra };
    const d = nextDelay(attempt, config);
    expect(d).toBeGreaterThanOrEqual(initial);
    expect(d).toBeLessThanOrEqual(config.maxDelayMs);
    expect(nextDelay(attempt + 1, config)).toBeGreaterThanOrEqual(d);
    expect(Number.isFinite(d)).toBe(true);
  });
});
