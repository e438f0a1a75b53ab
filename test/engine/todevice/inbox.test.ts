// Checks one device's inbox queue: strictly increasing positions, acknowledgement by binary
// search, the sync window and its returned watermark, compaction, expiry by acceptance time.
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

  test("holds answers by binary search, for pending positions only", () => {
    const inbox = inboxWith([2, 4, 6]);
    ackUpTo(inbox, 2);
    expect([1, 2, 3, 4, 5, 6, 7].map((p) => holds(inbox, p))).toEqual([false, false, false, true, false, true, false]);
  });

  test("compaction keeps the arrays near the backlog and positions intact", () => {
    const inbox = inboxWith(Array.from({ length: 5_000 }, (_, i) => i + 1));
    for (let t = 100; t <= 4_000; t += 100) ackUpTo(inbox, t);
    expect(inbox.positions.length).toBeLessThan(2 * 1_000 + 1_024);
    expect(pendingPositions(inbox)).toEqual(Array.from({ length: 1_000 }, (_, i) => 4_001 + i));
    expect(takeForSync(inbox, 1).events).toEqual([event(4_001)]);
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
