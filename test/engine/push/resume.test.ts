// PUSH-60 across a restart: a pusher restored from its JSON snapshot sends its in-flight
// notification again, and re-arms a back-off timer at the time it was first armed (not sooner),
// and only while that back-off is still pending.
import { describe, expect, it } from "vitest";
import { DEFAULT_BACKOFF } from "../../../src/engine/push/backoff.ts";
import { applyPushResult, applyPushTimer, enqueueNotification, type PusherQueue, resumePusherQueue, startPusherQueue } from "../../../src/engine/push/pusher-queue.ts";
import type { PusherId } from "../../../src/engine/push/pushers.ts";

const id = "p1" as PusherId;
const url = "http://gw/_matrix/push/v1/notify";

function restored(queue: PusherQueue): PusherQueue {
  return JSON.parse(JSON.stringify(queue)) as PusherQueue;
}

describe("resumePusherQueue", () => {
  it("re-sends the head that was in flight", () => {
    const { queue } = startPusherQueue({ pusherId: id, url, pushkey: "PK", backoff: DEFAULT_BACKOFF }, 0);
    enqueueNotification(queue, { n: 1 }, 0);
    enqueueNotification(queue, { n: 2 }, 0);
    expect(resumePusherQueue(restored(queue))).toEqual([{ kind: "push.notify", pusherId: id, url, body: { n: 1 }, attempt: 1 }]);
  });

  it("re-arms a back-off timer at its original time", () => {
    const { queue } = startPusherQueue({ pusherId: id, url, pushkey: "PK", backoff: DEFAULT_BACKOFF }, 0);
    enqueueNotification(queue, { n: 1 }, 0);
    const failed = applyPushResult(queue, { ok: false, reason: "connection refused" }, 500);
    const timer = failed.find((e) => e.kind === "timer");
    expect(timer).toBeDefined();
    expect(resumePusherQueue(restored(queue))).toEqual([timer]);
  });

  it("re-arms nothing once the retry succeeded: the back-off timer is no longer armed", () => {
    const { queue } = startPusherQueue({ pusherId: id, url, pushkey: "PK", backoff: DEFAULT_BACKOFF }, 0);
    enqueueNotification(queue, { n: 1 }, 0);
    applyPushResult(queue, { ok: false, reason: "connection refused" }, 500);
    expect(applyPushTimer(queue, 1500)).toMatchObject([{ kind: "push.notify", attempt: 2 }]);
    expect(applyPushResult(queue, { ok: true, status: 200, rejected: [] }, 1600)).toEqual([]);
    expect(resumePusherQueue(restored(queue))).toEqual([]);
  });

  it("has nothing to resume when idle", () => {
    const { queue } = startPusherQueue({ pusherId: id, url, pushkey: "PK", backoff: DEFAULT_BACKOFF }, 0);
    expect(resumePusherQueue(restored(queue))).toEqual([]);
  });
});
