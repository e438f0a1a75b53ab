// Checks the checker's virtual clock: agenda entries run in time order (ties in scheduling
// order), a keyed entry replaces an earlier one with the same key, `until` stops at the first
// moment its condition holds and otherwise at the deadline. No assumptions beyond the clock.
import { describe, expect, test } from "vitest";
import { VirtualClock } from "../../src/check/clock.ts";

describe("VirtualClock", () => {
  test("runs entries in time order, ties in the order scheduled", async () => {
    const clock = new VirtualClock(0);
    const seen: string[] = [];
    clock.schedule(20, () => void seen.push("b@20"));
    clock.schedule(10, () => void seen.push("a@10"));
    clock.schedule(20, () => void seen.push("c@20"));
    await clock.sleep(15);
    expect(seen).toEqual(["a@10"]);
    expect(clock.now()).toBe(15);
    await clock.sleep(100);
    expect(seen).toEqual(["a@10", "b@20", "c@20"]);
    expect(clock.now()).toBe(115);
  });

  test("a key replaces the entry scheduled under it; cancel removes it", async () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    clock.schedule(10, () => void seen.push(1), "timer");
    clock.schedule(30, () => void seen.push(2), "timer");
    clock.schedule(40, () => void seen.push(3), "other");
    clock.cancel("other");
    await clock.sleep(100);
    expect(seen).toEqual([2]);
  });

  test("until stops when the condition first holds, at that entry's time", async () => {
    const clock = new VirtualClock(0);
    let fired = 0;
    for (const at of [100, 200, 300]) clock.schedule(at, () => void fired++);
    expect(await clock.until(() => fired >= 2, 1_000)).toBe(true);
    expect(clock.now()).toBe(200);
    expect(await clock.until(() => fired >= 5, 500)).toBe(false);
    expect(clock.now()).toBe(700);
    expect(fired).toBe(3);
  });

  test("entries scheduled while running run too, if due", async () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    clock.schedule(10, () => clock.schedule(clock.now() + 5, () => void seen.push(clock.now())));
    await clock.sleep(20);
    expect(seen).toEqual([15]);
  });
});
