// Checks one device's inbox queue: strictly increasing positions, acknowledgement by galloping
// search (against a linear scan), the sync window and its returned watermark, compaction (memory follows the backlog,
// acknowledging stays O(1) amortised), expiry by acceptance time.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { ToDeviceEvent } from "../../../src/engine/commands.ts";
import {
  ackUpTo,
  appendMessage,
  createInbox,
  expireAcceptedBy,
  holds,
  oldestAcceptedAt,
  pendingCount,
  pendingPositions,
  takeForSync,
} from "../../../src/engine/todevice/inbox.ts";
import type { UserId } from "../../../src/ids.ts";
import { assertParams } from "../../properties/run-config.ts";

const event = (n: number): ToDeviceEvent => ({ sender: "@a:x" as UserId, type: "m.x", content: { n } });

function inboxWith(positions: number[]) {
  const inbox = createInbox();
  for (const p of positions) appendMessage(inbox, p, event(p), p * 10);
  return inbox;
}

describe("inbox", () => {
  test("TD-20: positions must increase", () => {
    const inbox = inboxWith([1, 5]);
    expect(() => appendMessage(inbox, 5, event(5), 0)).toThrow(/increase/);
    expect(() => appendMessage(inbox, 4, event(4), 0)).toThrow(/increase/);
  });

  test("TD-21: ackUpTo deletes exactly the positions at or below T, between positions too", () => {
    const inbox = inboxWith([2, 4, 6, 8]);
    expect(ackUpTo(inbox, 1)).toBe(0);
    expect(ackUpTo(inbox, 5)).toBe(2);
    expect(pendingPositions(inbox)).toEqual([6, 8]);
    expect(ackUpTo(inbox, 5)).toBe(0);
    expect(ackUpTo(inbox, 8)).toBe(2);
    expect(pendingCount(inbox)).toBe(0);
  });

  test("TD-22, TD-54: takeForSync returns the oldest `limit`, says whether more remain, marks them returned", () => {
    const inbox = inboxWith([3, 5, 7]);
    const first = takeForSync(inbox, 2);
    expect(first).toEqual({ events: [event(3), event(5)], lastPosition: 5, more: true });
    expect(inbox.returnedUpTo).toBe(5);
    expect(takeForSync(inbox, 3)).toEqual({ events: [event(3), event(5), event(7)], lastPosition: 7, more: false });
    expect(takeForSync(createInbox(), 3)).toEqual({ events: [], lastPosition: null, more: false });
  });

  test("ackUpTo and holds agree with a linear scan, for any positions, head and probe (galloping search)", () => {
    const scenario = fc.record({
      gaps: fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 300 }),
      acked: fc.nat({ max: 400 }),
      probes: fc.array(fc.integer({ min: -5, max: 1_600 }), { minLength: 1, maxLength: 20 }),
    });
    fc.assert(
      fc.property(scenario, ({ gaps, acked, probes }) => {
        const positions: number[] = [];
        for (const gap of gaps) positions.push((positions.at(-1) ?? 0) + gap);
        const inbox = inboxWith(positions);
        ackUpTo(inbox, acked);
        let pending = positions.filter((p) => p > acked);
        expect(pendingPositions(inbox)).toEqual(pending);
        for (const probe of probes) {
          expect(holds(inbox, probe)).toBe(pending.includes(probe));
          const dropped = pending.filter((p) => p <= probe).length;
          expect(ackUpTo(inbox, probe)).toBe(dropped);
          pending = pending.filter((p) => p > probe);
          expect(pendingPositions(inbox)).toEqual(pending);
        }
      }),
      assertParams(300),
    );
  });

  test("holds answers for pending positions only", () => {
    const inbox = inboxWith([2, 4, 6]);
    ackUpTo(inbox, 2);
    expect([1, 2, 3, 4, 5, 6, 7].map((p) => holds(inbox, p))).toEqual([false, false, false, true, false, true, false]);
  });

  test("TD-22: the returned watermark only rises: a smaller or empty window later keeps what was listed returned", () => {
    const inbox = inboxWith([3, 5, 7]);
    takeForSync(inbox, 3);
    expect(takeForSync(inbox, 1)).toEqual({ events: [event(3)], lastPosition: 3, more: true });
    expect(inbox.returnedUpTo).toBe(7);
    ackUpTo(inbox, 7);
    expect(takeForSync(inbox, 3)).toEqual({ events: [], lastPosition: null, more: false });
    expect(inbox.returnedUpTo).toBe(7);
  });

  test("a window of no messages lists nothing and names no position, behind acknowledged ones too", () => {
    const inbox = inboxWith([2, 4, 6]);
    ackUpTo(inbox, 2);
    expect(takeForSync(inbox, 0)).toEqual({ events: [], lastPosition: null, more: true });
    expect(inbox.returnedUpTo).toBe(0);
  });

  test("compaction keeps the arrays near the backlog and positions intact", () => {
    const inbox = inboxWith(Array.from({ length: 5_000 }, (_, i) => i + 1));
    for (let t = 100; t <= 4_000; t += 100) ackUpTo(inbox, t);
    expect(inbox.positions.length).toBeLessThan(2 * 1_000 + 1_024);
    expect(pendingPositions(inbox)).toEqual(Array.from({ length: 1_000 }, (_, i) => 4_001 + i));
    expect(takeForSync(inbox, 1).events).toEqual([event(4_001)]);
  });

  test("an inbox emptied by acknowledgement or expiry keeps no entries", () => {
    const acked = inboxWith([1, 2, 3]);
    expect(ackUpTo(acked, 3)).toBe(3);
    const expired = inboxWith([1, 2, 3]);
    expect(expireAcceptedBy(expired, 30)).toBe(3);
    for (const inbox of [acked, expired]) {
      expect([inbox.positions.length, inbox.events.length, inbox.acceptedAt.length]).toEqual([0, 0, 0]);
      // An emptied inbox starts afresh: the next message may take any position.
      appendMessage(inbox, 1, event(1), 0);
      expect(pendingPositions(inbox)).toEqual([1]);
    }
  });

  test("memory follows the backlog: a dead prefix of 1024 or more that is at least half the arrays is compacted away", () => {
    const inbox = inboxWith(Array.from({ length: 2_048 }, (_, i) => i + 1));
    ackUpTo(inbox, 1_024);
    expect(inbox.positions.length).toBe(1_024);
    expect(pendingPositions(inbox)).toEqual(Array.from({ length: 1_024 }, (_, i) => 1_025 + i));
    // Below 1024 dead entries the arrays are left as they are: compaction would cost more than it frees.
    const small = inboxWith([1, 2, 3]);
    ackUpTo(small, 2);
    expect(pendingPositions(small)).toEqual([3]);
  });

  test("memory follows the backlog under any mix of appends, acknowledgements and expiry", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("append" as const), count: fc.integer({ min: 1, max: 3_000 }) }),
      fc.record({ kind: fc.constant("ack" as const), count: fc.integer({ min: 0, max: 3_000 }) }),
      fc.record({ kind: fc.constant("expire" as const), count: fc.integer({ min: 0, max: 3_000 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 12 }), (ops) => {
        const inbox = createInbox();
        let next = 1;
        for (const { kind, count } of ops) {
          const oldest = pendingPositions(inbox)[0] ?? next;
          if (kind === "append") for (let i = 0; i < count; i++, next++) appendMessage(inbox, next, event(next), next);
          else if (kind === "ack") ackUpTo(inbox, oldest + count - 1);
          else expireAcceptedBy(inbox, oldest + count - 1);
          const live = pendingCount(inbox);
          const dead = inbox.positions.length - live;
          // Dead entries never reach both 1024 and the live count, and an empty inbox holds none.
          expect(dead < Math.max(1_024, live)).toBe(true);
          if (live === 0) expect(inbox.positions.length).toBe(0);
          expect([inbox.events.length, inbox.acceptedAt.length]).toEqual([inbox.positions.length, inbox.positions.length]);
        }
      }),
      assertParams(100),
    );
  });

  test("TD-21: acknowledged entries are moved out in bulk, once the dead prefix reaches max(1024, live), so each acknowledgement costs O(1) amortised", () => {
    const inbox = inboxWith(Array.from({ length: 3_000 }, (_, i) => i + 1));
    for (let p = 1; p <= 1_023; p++) ackUpTo(inbox, p);
    // 1023 dead entries: below 1024, nothing moved yet.
    expect(inbox.positions.length).toBe(3_000);
    ackUpTo(inbox, 1_024);
    // 1024 dead against 1976 live: still kept.
    expect(inbox.positions.length).toBe(3_000);
    for (let p = 1_025; p <= 1_499; p++) ackUpTo(inbox, p);
    expect(inbox.positions.length).toBe(3_000);
    // 1500 dead against 1500 live: moved out in one go.
    ackUpTo(inbox, 1_500);
    expect(inbox.positions.length).toBe(1_500);
    expect(pendingPositions(inbox)[0]).toBe(1_501);
  });

  test("TD-25: a cutoff after every acceptance time expires the whole inbox, and no more", () => {
    const inbox = inboxWith([1, 2, 3]);
    expect(expireAcceptedBy(inbox, Number.POSITIVE_INFINITY)).toBe(3);
    expect(pendingCount(inbox)).toBe(0);
    expect(oldestAcceptedAt(inbox)).toBeNull();
  });

  test("TD-25: expiry drops messages accepted at or before the cutoff, oldest first", () => {
    const inbox = inboxWith([1, 2, 3]); // accepted at 10, 20, 30
    expect(expireAcceptedBy(inbox, 20)).toBe(2);
    expect(oldestAcceptedAt(inbox)).toBe(30);
    expect(expireAcceptedBy(inbox, 29)).toBe(0);
    expect(expireAcceptedBy(inbox, 30)).toBe(1);
    expect(oldestAcceptedAt(inbox)).toBeNull();
  });
});
