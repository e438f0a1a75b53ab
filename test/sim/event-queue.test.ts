// Property: the simulator's agenda pops events in order of time, ties in the order they were
// scheduled, whatever the interleaving of pushes and pops (checked against a sorted list).
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { EventQueue, type Scheduled } from "../../src/sim/event-queue.ts";
import { runsOf } from "./world-property.ts";

interface Item extends Scheduled {
  readonly label: number;
}

describe("event queue", () => {
  test("pops by (time, scheduling order) under any mix of pushes and pops", () => {
    const op = fc.oneof(fc.record({ push: fc.integer({ min: 0, max: 20 }) }), fc.constant({ pop: true as const }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const queue = new EventQueue<Item>();
        const model: { at: number; order: number; label: number }[] = [];
        let order = 0;
        for (const o of ops) {
          if ("push" in o) {
            const label = order++;
            queue.push({ at: o.push, seq: 0, label });
            model.push({ at: o.push, order: label, label });
            model.sort((a, b) => a.at - b.at || a.order - b.order);
          } else {
            expect(queue.pop()?.label).toBe(model.shift()?.label);
          }
          expect(queue.size).toBe(model.length);
          expect(queue.peek()?.label).toBe(model[0]?.label);
        }
      }),
      { numRuns: runsOf(200) },
    );
  });
});
