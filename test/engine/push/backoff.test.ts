// Checks the pusher's retry decision (push-backoff policy, PUSH-27, PUSH-60): 1 s after the first
// failure, doubling, capped at 1 h, and give-up exactly 24 h into a failure streak; assumes
// attempts count consecutive failures from 1.
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { DEFAULT_BACKOFF, checkBackoff, nextDelay, shouldGiveUp } from "../../../src/engine/push/backoff.ts";

const runs = 300 * (process.env.COURIER_DEEP ? 100 : 1);
const HOUR = 3_600_000;

describe("nextDelay", () => {
  it("PUSH-60: 1 s, 2 s, 4 s … up to the 1 h cap", () => {
    expect([1, 2, 3, 12, 13, 14, 1000].map((a) => nextDelay(a))).toEqual([1000, 2000, 4000, 2_048_000, HOUR, HOUR, HOUR]);
  });

  test.prop([fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 60_000 }), fc.integer({ min: 0, max: 10 * HOUR }), fc.constantFrom(1, 1.5, 2, 3)], {
    numRuns: runs,
  })("stays in [initial, max], never shrinks, and grows by the multiplier until the cap", (attempt, initialMs, extra, multiplier) => {
    const config = { ...DEFAULT_BACKOFF, initialMs, maxMs: initialMs + extra, multiplier };
    const d = nextDelay(attempt, config);
    const next = nextDelay(attempt + 1, config);
    expect(d).toBeGreaterThanOrEqual(initialMs);
    expect(d).toBeLessThanOrEqual(config.maxMs);
    expect(next).toBe(Math.min(d * multiplier, config.maxMs));
  });
});

describe("shouldGiveUp", () => {
  it("gives up on a failure 24 h or more after the streak began, never when not failing", () => {
    expect(shouldGiveUp(0, 24 * HOUR - 1)).toBe(false);
    expect(shouldGiveUp(0, 24 * HOUR)).toBe(true);
    expect(shouldGiveUp(null, 10 ** 12)).toBe(false);
  });

  it("refuses a configuration that cannot back off", () => {
    expect(() => checkBackoff({ ...DEFAULT_BACKOFF, multiplier: 0.5 })).toThrow(RangeError);
    expect(() => checkBackoff({ ...DEFAULT_BACKOFF, maxMs: 10 })).toThrow(RangeError);
    expect(checkBackoff(DEFAULT_BACKOFF)).toBe(DEFAULT_BACKOFF);
  });
});
