// Checks edge cases of the push back-off decision and of display-name matching that the main
// suites leave open: the delay for a huge attempt count is the cap and is computed without
// walking every attempt, the exact bounds checkBackoff accepts (push-backoff policy, PUSH-27,
// PUSH-60), and that a display name is matched literally, never as a glob; assumes the
// reference constants unless a test gives others.
import { describe, expect, it } from "vitest";
import { checkBackoff, DEFAULT_BACKOFF, nextDelay } from "../../../src/engine/push/backoff.ts";
import { containsWords } from "../../../src/engine/push/glob.ts";

const HOUR = 3_600_000;

describe("nextDelay at the cap (PUSH-60)", () => {
  it("answers the cap at once for any attempt count, also when the multiplier is 1", () => {
    const started = performance.now();
    expect(nextDelay(Number.MAX_SAFE_INTEGER)).toBe(HOUR);
    expect(nextDelay(Number.MAX_SAFE_INTEGER, { ...DEFAULT_BACKOFF, multiplier: 1 })).toBe(DEFAULT_BACKOFF.initialMs);
    expect(nextDelay(Number.MAX_SAFE_INTEGER, { ...DEFAULT_BACKOFF, initialMs: HOUR })).toBe(HOUR);
    // The loop stops at the cap: a walk over 2^53 attempts would take days.
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe("checkBackoff bounds (push-backoff policy)", () => {
  it("accepts the tightest valid settings: max equal to initial, multiplier exactly 1", () => {
    const tight = { initialMs: 1, multiplier: 1, maxMs: 1, giveUpAfterMs: 1 };
    expect(checkBackoff(tight)).toBe(tight);
  });

  it("refuses a zero initial delay or a zero give-up time, with a message", () => {
    for (const bad of [{ ...DEFAULT_BACKOFF, initialMs: 0 }, { ...DEFAULT_BACKOFF, giveUpAfterMs: 0 }]) {
      expect(() => checkBackoff(bad)).toThrowError(/\S/);
      expect(() => checkBackoff(bad)).toThrow(RangeError);
    }
  });
});

describe("containsWords: a display name is literal text", () => {
  it("an empty name matches nothing, not even empty or blank text", () => {
    expect(containsWords("", "")).toBe(false);
    expect(containsWords("", "a  b")).toBe(false);
  });

  it("a `*` in a name stands for one character, never for any run of them", () => {
    expect(containsWords("a*b", "hi a*b!")).toBe(true);
    expect(containsWords("a*b", "hi axxb!")).toBe(false);
    expect(containsWords("a*b", "hi ab!")).toBe(false);
  });
});
