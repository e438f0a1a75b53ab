// Checks each provider's paths through the engine: simulated APNS answers at once and rejects an
// invalid pushkey on its next use unless re-registered (pushkey_ts), forgetting failures after
// the retention (GW-10, GW-6); simulated FCM rejects in the response, retries transient failures
// with back-off and drops permanent ones with a warning; the webhook posts and settles by status.
// Assumes the default pushkey prefixes and a virtual clock in milliseconds.
import { describe, expect, it } from "vitest";
import { outcomeFromPushkey, settleWebhook } from "../../src/gateway/providers/index.ts";
import { configFrom, eventBody, Harness } from "./harness.ts";

const APNS = "org.test.apns";
const FCM = "org.test.fcm";
const HOOK = "org.test.hook";
const DAY = 24 * 3600 * 1000;
const config = configFrom({
  apps: {
    [APNS]: { type: "apns" },
    [FCM]: { type: "fcm", transient_failures: 2, script: { s: ["transient", "permanent", "invalid"] } },
    [HOOK]: { type: "webhook", url: "http://127.0.0.1:9/up", failure_retention_ms: 7 * DAY },
  },
  retry: { initial_delay_ms: 1000, max_delay_ms: 4000, max_attempts: 4, give_up_after_ms: 60_000 },
});

const at = (app: string, pushkey: string, pushkey_ts?: number) =>
  pushkey_ts === undefined ? { app_id: app, pushkey } : { app_id: app, pushkey, pushkey_ts };

describe("outcomeFromPushkey", () => {
  it("reads the outcome from the prefix, transient for the first N attempts", () => {
    expect(outcomeFromPushkey("invalid-1", 1, 2)).toBe("invalid");
    expect(outcomeFromPushkey("permanent-1", 1, 2)).toBe("permanent");
    expect([1, 2, 3].map((a) => outcomeFromPushkey("transient-1", a, 2))).toEqual(["transient", "transient", "delivered"]);
    expect(outcomeFromPushkey("abc", 1, 2)).toBe("delivered");
  });
});

describe("simulated APNS (GW-10, GW-6)", () => {
  it("answers at once, records the failure, and rejects the pushkey on its next use", () => {
    const h = new Harness(config);
    h.now = 200_000; // the pushkey was registered at 100 s, before the failure
    expect(h.rejected(eventBody("$e1", [at(APNS, "invalid-k", 100)]))).toEqual([]);
    expect(h.logs("token-failure").map((l) => [l.pushkey, l.eventId])).toEqual([["invalid-k", "$e1"]]);
    h.now += 5000;
    expect(h.rejected(eventBody("$e2", [at(APNS, "invalid-k", 100)]))).toEqual(["invalid-k"]);
    expect(h.logs("known-token-failure")).toHaveLength(1);
    expect(h.delivered()).toEqual([]);
  });

  it("lets a pushkey re-registered after the failure through (pushkey_ts newer)", () => {
    const script = configFrom({ apps: { [APNS]: { type: "apns", script: { k: ["invalid"] } } } });
    const h = new Harness(script);
    h.now = 10_000;
    h.rejected(eventBody("$e1", [at(APNS, "k", 5)]));
    // Registered at 10 s, the failure was at 10 s: not newer, still rejected.
    expect(h.rejected(eventBody("$e2", [at(APNS, "k", 10)]))).toEqual(["k"]);
    expect(h.rejected(eventBody("$e3", [at(APNS, "k", 11)]))).toEqual([]);
    expect(h.delivered().map((d) => d.eventId)).toEqual(["$e3"]);
    expect(h.gw.state.tokenFailures).toEqual({});
  });

  it("forgets a failure after 28 days", () => {
    const script = configFrom({ apps: { [APNS]: { type: "apns", script: { k: ["invalid"] } } } });
    const h = new Harness(script);
    h.rejected(eventBody("$e1", [at(APNS, "k")]));
    h.now = 28 * DAY - 1;
    expect(h.rejected(eventBody("$e2", [at(APNS, "k")]))).toEqual(["k"]);
    h.run({ type: "cleanup" });
    expect(Object.keys(h.gw.state.tokenFailures)).toHaveLength(1);
    h.now = 28 * DAY;
    h.run({ type: "cleanup" });
    expect(h.gw.state.tokenFailures).toEqual({});
    expect(h.rejected(eventBody("$e3", [at(APNS, "k")]))).toEqual([]);
    expect(h.delivered().map((d) => d.eventId)).toEqual(["$e3"]);
  });

  it("drops what waits behind an invalid token instead of sending it", () => {
    const script = configFrom({ apps: { [APNS]: { type: "apns", script: { k: ["transient", "invalid"] } } } });
    const h = new Harness(script);
    h.notify(eventBody("$e1", [at(APNS, "k")]));
    h.notify(eventBody("$e2", [at(APNS, "k")]));
    h.drain();
    expect(h.delivered()).toEqual([]);
    expect(h.logs("dropped-after-rejection").map((l) => l.eventId)).toEqual(["$e2"]);
    expect(h.rejected(eventBody("$e3", [at(APNS, "k")]))).toEqual(["k"]);
  });
});

describe("simulated FCM", () => {
  it("rejects an invalid token in the same response", () => {
    const h = new Harness(config);
    expect(h.rejected(eventBody("$e1", [at(FCM, "invalid-f")]))).toEqual(["invalid-f"]);
    expect(h.rejected(eventBody("$e2", [at(FCM, "invalid-f")]))).toEqual(["invalid-f"]);
    expect(h.delivered()).toEqual([]);
  });

  it("retries a transient failure after 1 s, then 2 s, and delivers", () => {
    const h = new Harness(config);
    expect(h.rejected(eventBody("$e1", [at(FCM, "transient-f")]))).toEqual([]);
    const timers = () => h.effects.filter((e) => e.kind === "timer").map((e) => (e.kind === "timer" ? e.at : 0));
    expect(timers()).toEqual([1000]);
    h.fireNextTimer();
    expect(timers()).toEqual([1000, 3000]);
    expect(h.delivered()).toEqual([]);
    h.fireNextTimer();
    expect(h.delivered().map((d) => [d.eventId, d.provider])).toEqual([["$e1", "fcm"]]);
    expect(h.timers.size).toBe(0);
  });

  it("drops a permanent failure and logs a warning, keeping the pushkey", () => {
    const h = new Harness(config);
    expect(h.rejected(eventBody("$e1", [at(FCM, "permanent-f")]))).toEqual([]);
    expect(h.logs("dropped-permanent")).toMatchObject([{ level: "warn", pushkey: "permanent-f", eventId: "$e1" }]);
    expect(h.timers.size).toBe(0);
  });

  it("follows a script, then the pushkey; a late invalid token is rejected on next use", () => {
    const h = new Harness(config);
    h.notify(eventBody("$e1", [at(FCM, "s")])); // transient, then permanent: dropped
    h.notify(eventBody("$e2", [at(FCM, "s")])); // invalid, after the response: recorded
    h.drain();
    expect(h.logs("dropped-permanent").map((l) => l.eventId)).toEqual(["$e1"]);
    expect(h.logs("token-failure").map((l) => l.eventId)).toEqual(["$e2"]);
    expect(h.rejected(eventBody("$e3", [at(FCM, "s")]))).toEqual(["s"]);
  });

  it("gives up after max_attempts and logs it", () => {
    const many = configFrom({
      apps: { [FCM]: { type: "fcm", transient_failures: 10 } },
      retry: { initial_delay_ms: 1000, max_delay_ms: 4000, max_attempts: 4, give_up_after_ms: 60_000 },
    });
    const h = new Harness(many);
    h.notify(eventBody("$e1", [at(FCM, "transient-f")]));
    h.notify(eventBody("$e2", [at(FCM, "ok")]));
    h.drain();
    expect(h.logs("dropped-after-retries")).toMatchObject([{ level: "warn", eventId: "$e1" }]);
    expect(h.now).toBe(1000 + 2000 + 4000);
    expect(h.delivered().map((d) => d.eventId)).toEqual(["$e2"]);
  });

  it("gives up when the next retry would start after give_up_after_ms", () => {
    const short = configFrom({
      apps: { [FCM]: { type: "fcm", transient_failures: 10 } },
      retry: { initial_delay_ms: 1000, max_delay_ms: 4000, max_attempts: 100, give_up_after_ms: 10_000 },
    });
    const h = new Harness(short);
    h.notify(eventBody("$e1", [at(FCM, "transient-f")]));
    h.drain();
    // Retries start at 1, 3, 7 s; the next would be at 11 s > 10 s.
    expect(h.now).toBe(7000);
    expect(h.logs("dropped-after-retries")).toHaveLength(1);
  });
});

describe("webhook", () => {
  it("posts the ping to the configured URL and delivers on 2xx", () => {
    const h = new Harness(config);
    expect(h.rejected(eventBody("$e1", [at(HOOK, "w")]))).toEqual([]);
    const [post] = [...h.posts.values()];
    expect(post).toMatchObject({ kind: "provider.post", url: "http://127.0.0.1:9/up" });
    expect(post?.body).toEqual({ notification: expect.objectContaining({ event_id: "$e1", devices: [at(HOOK, "w")] }) });
    expect(h.delivered()).toEqual([]);
    expect(h.answer(post?.deliveryId ?? "", { status: 202 })).toEqual({ handled: true });
    expect(h.delivered().map((d) => [d.eventId, d.provider])).toEqual([["$e1", "webhook"]]);
    // A second report for the same call is stale.
    expect(h.answer(post?.deliveryId ?? "", { status: 200 })).toMatchObject({ handled: false });
  });

  it.each([404, 410])("treats %i as gone: rejected on the next use, queued ones dropped", (status) => {
    const h = new Harness(config);
    h.notify(eventBody("$e1", [at(HOOK, "w")]));
    h.notify(eventBody("$e2", [at(HOOK, "w")]));
    expect(h.posts.size).toBe(1);
    h.drain({ status });
    expect(h.delivered()).toEqual([]);
    expect(h.logs("dropped-after-rejection").map((l) => l.eventId)).toEqual(["$e2"]);
    expect(h.rejected(eventBody("$e3", [at(HOOK, "w")]))).toEqual(["w"]);
  });

  it("retries other failures with back-off, keeping later notifications in order", () => {
    const h = new Harness(config);
    h.notify(eventBody("$e1", [at(HOOK, "w")]));
    h.notify(eventBody("$e2", [at(HOOK, "w")]));
    const first = [...h.posts.keys()][0] ?? "";
    h.answer(first, { status: 503 });
    expect(h.timers.size).toBe(1);
    h.fireNextTimer();
    const second = [...h.posts.keys()][0] ?? "";
    expect(second).not.toBe(first);
    h.answer(second, { error: "connection refused" });
    h.drain();
    expect(h.delivered().map((d) => d.eventId)).toEqual(["$e1", "$e2"]);
  });

  it("settles by status and by a `rejected` list naming the pushkey", () => {
    expect(settleWebhook({ status: 200, body: { rejected: ["w"] } }, "w")).toBe("invalid");
    expect(settleWebhook({ status: 200, body: { rejected: ["x"] } }, "w")).toBe("delivered");
    expect(settleWebhook({ status: 429 }, "w")).toBe("transient");
    expect(settleWebhook({ status: 500 }, "w")).toBe("transient");
    expect(settleWebhook({ error: "timeout" }, "w")).toBe("transient");
  });
});
