// Checks one pusher's queue step by step: one notification in flight, in order; failures of any
// kind back off and new notifications wait; a 24 h failure streak drops only the head; a
// rejection of this pushkey removes the pusher (others' pushkeys are ignored); only a rejected or
// stopped queue is finished; only the machine's three named effects leave the queue; the snapshot
// survives a JSON round trip (restart). PUSH-26, PUSH-29 … PUSH-31, PUSH-60; assumes the driver
// reports each push's result and fires each timer exactly at its `at`.
import { describe, expect, it } from "vitest";
import { DEFAULT_BACKOFF } from "../../../src/engine/push/backoff.ts";
import {
  type PusherQueue,
  applyPushResult,
  applyPushTimer,
  enqueueNotification,
  isFinished,
  pendingNotifications,
  pusherStatus,
  startPusherQueue,
  stopPusherQueue,
} from "../../../src/engine/push/pusher-queue.ts";
import { pusherMachine } from "../../../src/engine/push/pusher.machine.ts";
import type { PusherId } from "../../../src/engine/push/pushers.ts";

const id = "pusher-1" as PusherId;
const DAY = 24 * 3_600_000;

function fresh(): PusherQueue {
  const { queue, effects } = startPusherQueue({ pusherId: id, url: "http://gw/_matrix/push/v1/notify", pushkey: "PK", backoff: DEFAULT_BACKOFF }, 0);
  expect(effects).toEqual([]);
  return queue;
}

const ok = { ok: true, status: 200, rejected: [] } as const;

describe("pusher queue", () => {
  it("PUSH-2, PUSH-60: posts to the pusher's URL one at a time, in order, the next only after a 2xx", () => {
    const q = fresh();
    expect(enqueueNotification(q, "a", 0)).toEqual([{ kind: "push.notify", pusherId: id, url: "http://gw/_matrix/push/v1/notify", body: "a", attempt: 1 }]);
    expect(enqueueNotification(q, "b", 0)).toEqual([]);
    expect(applyPushResult(q, { ok: true, status: 204, rejected: [] }, 1)).toMatchObject([{ kind: "push.notify", body: "b" }]);
    expect(applyPushResult(q, ok, 2)).toEqual([]);
    expect(pusherStatus(q)).toBe("idle");
  });

  it("PUSH-26: a non-2xx, a connection error and a bad body all back off; new events wait behind the head", () => {
    const q = fresh();
    enqueueNotification(q, "a", 0);
    expect(applyPushResult(q, { ok: true, status: 400, rejected: [] }, 0)).toEqual([{ kind: "timer", id: "push.backoff:pusher-1", at: 1000 }]);
    expect(enqueueNotification(q, "b", 500)).toEqual([]);
    expect(applyPushTimer(q, 1000)).toMatchObject([{ kind: "push.notify", body: "a", attempt: 2 }]);
    expect(applyPushResult(q, { ok: false, reason: "timeout" }, 1000)).toEqual([{ kind: "timer", id: "push.backoff:pusher-1", at: 3000 }]);
    applyPushTimer(q, 3000);
    expect(applyPushResult(q, { ok: false, reason: "not JSON" }, 3000)).toEqual([{ kind: "timer", id: "push.backoff:pusher-1", at: 7000 }]);
    applyPushTimer(q, 7000);
    expect(applyPushResult(q, ok, 7000)).toMatchObject([{ kind: "push.notify", body: "b", attempt: 1 }]);
  });

  it("PUSH-27 (push-backoff): a failure 24 h into the streak drops only the head and resets the back-off", () => {
    const q = fresh();
    enqueueNotification(q, "a", 0);
    enqueueNotification(q, "b", 0);
    applyPushResult(q, { ok: false, reason: "down" }, 0);
    applyPushTimer(q, 1000);
    expect(applyPushResult(q, { ok: false, reason: "down" }, DAY)).toEqual([
      { kind: "push.dropped", pusherId: id, body: "a" },
      { kind: "push.notify", pusherId: id, url: "http://gw/_matrix/push/v1/notify", body: "b", attempt: 1 },
    ]);
    expect(applyPushResult(q, { ok: false, reason: "down" }, DAY + 5)).toEqual([{ kind: "timer", id: "push.backoff:pusher-1", at: DAY + 1005 }]);
  });

  it("PUSH-28, PUSH-29, PUSH-30, PUSH-31: a 2xx rejecting this pushkey removes the pusher; nothing is sent afterwards", () => {
    const q = fresh();
    enqueueNotification(q, "a", 0);
    enqueueNotification(q, "b", 0);
    expect(applyPushResult(q, { ok: true, status: 200, rejected: ["someone-else"] }, 0)).toMatchObject([{ kind: "push.notify", body: "b" }]);
    expect(applyPushResult(q, { ok: true, status: 200, rejected: ["PK"] }, 0)).toEqual([{ kind: "pusher.removed", pusherId: id, pushkey: "PK", reason: "rejected" }]);
    expect(isFinished(q)).toBe(true);
    expect(enqueueNotification(q, "c", 0)).toEqual([]);
    expect(applyPushTimer(q, 0)).toEqual([]);
  });

  it("ignores results and timers that do not belong to the current state", () => {
    const q = fresh();
    expect(applyPushResult(q, ok, 0)).toEqual([]);
    expect(applyPushTimer(q, 0)).toEqual([]);
    enqueueNotification(q, "a", 0);
    expect(applyPushTimer(q, 0)).toEqual([]);
    expect(pendingNotifications(q)).toEqual(["a"]);
  });

  it("is finished only once rejected or stopped: idle, sending and backing off are live", () => {
    const q = fresh();
    expect(isFinished(q)).toBe(false);
    enqueueNotification(q, "a", 0);
    expect(isFinished(q)).toBe(false);
    applyPushResult(q, { ok: false, reason: "down" }, 0);
    expect([pusherStatus(q), isFinished(q)]).toEqual(["backingOff", false]);
    stopPusherQueue(q, 10);
    expect(isFinished(q)).toBe(true);
  });

  it("turns only postNotification, dropHead and removePusher into effects: other actions of a variant machine have none", () => {
    // A variant whose back-off reset is a plain named action rather than an assign.
    const variant = pusherMachine.provide({ actions: { resetBackoff: () => {} } });
    const { queue } = startPusherQueue({ pusherId: id, url: "http://gw/_matrix/push/v1/notify", pushkey: "PK", backoff: DEFAULT_BACKOFF }, 0, variant);
    enqueueNotification(queue, "a", 0, variant);
    expect(applyPushResult(queue, ok, 1, variant)).toEqual([]);
    expect(pusherStatus(queue)).toBe("idle");
  });

  it("stops on request, cancelling a pending back-off timer", () => {
    const q = fresh();
    enqueueNotification(q, "a", 0);
    applyPushResult(q, { ok: false, reason: "down" }, 0);
    expect(stopPusherQueue(q, 10)).toEqual([{ kind: "timer.cancel", id: "push.backoff:pusher-1" }]);
    expect(pusherStatus(q)).toBe("stopped");
  });

  it("resumes from a JSON copy of its snapshot, as after a restart (at least once)", () => {
    const q = fresh();
    enqueueNotification(q, "a", 0);
    enqueueNotification(q, "b", 0);
    const restored: PusherQueue = { ...q, snapshot: JSON.parse(JSON.stringify(q.snapshot)) };
    expect(pusherStatus(restored)).toBe("sending");
    expect(applyPushResult(restored, ok, 0)).toMatchObject([{ kind: "push.notify", body: "b" }]);
  });
});
