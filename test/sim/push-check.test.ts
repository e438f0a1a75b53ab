// Checks the push history checker on hand-made pusher logs: a well-behaved log has no finding,
// and each departure (early or late retry, send after rejection, out-of-order send, lost or
// twice-delivered notification, wrong or early give-up) is reported under its guarantee.
// Back-off: 100 ms doubling to 400 ms, give-up after 1 s.
import { describe, expect, test } from "vitest";
import type { BackoffConfig } from "../../src/engine/push/backoff.ts";
import type { PusherEntry, PusherHistory } from "../../src/sim/history.ts";
import { checkPusher } from "../../src/sim/push-check.ts";

const BACKOFF: BackoffConfig = { initialMs: 100, multiplier: 2, maxMs: 400, giveUpAfterMs: 1_000 };

function pusher(log: PusherEntry[], delivered: (string | null)[] = [], pushkey = "pk-fcm-d0"): PusherHistory {
  return { pusherId: "p", pushkey, server: 0, log, delivered, gatewayDropped: new Set(), observed: 0 };
}

const enq = (at: number, eventId: string | null): PusherEntry => ({ kind: "enqueued", at, eventId });
const sent = (at: number, eventId: string | null, attempt = 1): PusherEntry => ({ kind: "sent", at, eventId, attempt });
const recv = (at: number, eventId: string | null): PusherEntry => ({ kind: "received", at, eventId });
const ok = (at: number, rejected = false): PusherEntry => ({ kind: "accepted", at, rejected });
const fail = (at: number): PusherEntry => ({ kind: "failed", at });

const guarantees = (p: PusherHistory) => checkPusher(p, BACKOFF).map((f) => f.guarantee);

describe("push history checker (PUSH-26, PUSH-27, PUSH-29, PUSH-60, GW-17)", () => {
  test("a notification retried on schedule, received, delivered once: no finding", () => {
    const log = [enq(0, "$a"), sent(0, "$a"), fail(10), sent(110, "$a", 2), fail(120), sent(320, "$a", 3), recv(325, "$a"), ok(330)];
    expect(guarantees(pusher(log, ["$a"]))).toEqual([]);
  });

  test("a retry before or after its back-off breaks backoff-bounds; after a restart, later is fine", () => {
    expect(guarantees(pusher([enq(0, "$a"), sent(0, "$a"), fail(10), sent(50, "$a", 2), recv(55, "$a"), ok(60)], ["$a"]))).toEqual(["backoff-bounds"]);
    expect(guarantees(pusher([enq(0, "$a"), sent(0, "$a"), fail(10), sent(500, "$a", 2), recv(505, "$a"), ok(510)], ["$a"]))).toEqual(["backoff-bounds"]);
    const restarted: PusherEntry = { kind: "restarted", at: 400 };
    expect(guarantees(pusher([enq(0, "$a"), sent(0, "$a"), fail(10), restarted, sent(500, "$a", 2), recv(505, "$a"), ok(510)], ["$a"]))).toEqual([]);
  });

  test("a send after a processed rejection breaks no-send-after-reject; what was pending is exempt", () => {
    const log = [enq(0, "$a"), enq(0, "$b"), enq(0, "$c"), sent(0, "$a"), recv(1, "$a"), ok(2, true), sent(3, "$b")];
    expect(guarantees(pusher(log, [], "invalid-fcm-d0"))).toEqual(["no-send-after-reject"]);
  });

  test("sending anything but the oldest unresolved notification breaks push-order", () => {
    const log = [enq(0, "$a"), enq(0, "$b"), sent(0, "$b"), recv(1, "$b"), ok(2), sent(3, "$a"), recv(4, "$a"), ok(5)];
    expect(guarantees(pusher(log, ["$b", "$a"]))).toContain("push-order");
  });

  test("never reaching the gateway breaks push-at-least-once, unless given up", () => {
    expect(guarantees(pusher([enq(0, "$a")]))).toEqual(["push-at-least-once"]);
    const gaveUp = [enq(0, "$a"), sent(0, "$a"), fail(0), sent(100, "$a", 2), fail(100), sent(300, "$a", 3), fail(300), sent(700, "$a", 4), fail(700), sent(1100, "$a", 5), fail(1100), { kind: "dropped", at: 1100, eventId: "$a" } as PusherEntry];
    expect(guarantees(pusher(gaveUp))).toEqual([]);
  });

  test("give-up must drop the head, and only after giveUpAfterMs of failure", () => {
    const early = [enq(0, "$a"), sent(0, "$a"), fail(0), { kind: "dropped", at: 0, eventId: "$a" } as PusherEntry];
    expect(guarantees(pusher(early))).toEqual(["backoff-bounds"]);
    const late = [enq(0, "$a"), sent(0, "$a"), fail(0), sent(100, "$a", 2), fail(1_200), sent(1_600, "$a", 3), recv(1_601, "$a"), ok(1_602)];
    expect(guarantees(pusher(late, ["$a"]))).toContain("backoff-bounds");
  });

  test("the provider: twice is a finding, never is a finding unless the key is invalid or the gateway gave up", () => {
    const log = [enq(0, "$a"), sent(0, "$a"), recv(1, "$a"), ok(2)];
    expect(guarantees(pusher(log, ["$a", "$a"]))).toEqual(["push-exactly-once-at-provider"]);
    expect(guarantees(pusher(log, []))).toEqual(["push-exactly-once-at-provider"]);
    expect(guarantees(pusher(log, [], "invalid-apns-d0"))).toEqual([]);
    const dropped = pusher(log, []);
    dropped.gatewayDropped.add("$a");
    expect(guarantees(dropped)).toEqual([]);
  });

  test("badge-only updates are ordered with the rest but not counted at the provider (GW-18)", () => {
    const log = [enq(0, null), enq(0, "$a"), sent(0, null), recv(1, null), ok(2), sent(2, "$a"), recv(3, "$a"), ok(4)];
    expect(guarantees(pusher(log, [null, null, "$a"]))).toEqual([]);
  });
});
