// Checks the gateway engine's request-level guarantees: answers are 200 with `rejected` (GW-4,
// GW-5, GW-12, GW-14); dedupe on (event_id, pushkey) with the same answer (GW-17); the legacy `id`
// policy (GW-3); no dedupe for badge-only notifications (GW-18); a bounded dedupe memory;
// per-device isolation (GW-22); order per pushkey; the ping payload (GW-1, GW-11, GW-20); and a
// state that is plain JSON a gateway can resume from. Assumes the simulated providers' prefixes.
import { describe, expect, it } from "vitest";
import { createGateway, snapshotGateway } from "../../src/gateway/engine.ts";
import { badgeBody, configFrom, eventBody, Harness } from "./harness.ts";

const APNS = "org.test.apns";
const FCM = "org.test.fcm";
const config = configFrom({
  apps: {
    [APNS]: { type: "apns", transient_failures: 2 },
    [FCM]: { type: "fcm", script: { scripted: ["invalid", "delivered"] } },
  },
  dedupe_window_ms: 60_000,
  retry: { initial_delay_ms: 1000, max_delay_ms: 8000, max_attempts: 5, give_up_after_ms: 600_000 },
});

describe("dedupe (GW-17, GW-18)", () => {
  it("delivers a retried event notification once and answers it the same", () => {
    const h = new Harness(config);
    const body = eventBody("$e1", [{ app_id: APNS, pushkey: "k1" }]);
    expect(h.notify(body)).toEqual({ status: 200, body: { rejected: [] } });
    h.now += 5000;
    expect(h.notify(body)).toEqual({ status: 200, body: { rejected: [] } });
    expect(h.delivered().map((d) => d.eventId)).toEqual(["$e1"]);
  });

  it("repeats a rejection without asking the provider again", () => {
    const h = new Harness(config);
    const body = eventBody("$e1", [{ app_id: FCM, pushkey: "scripted" }]);
    expect(h.rejected(body)).toEqual(["scripted"]);
    // The script's second outcome would be `delivered`: a second attempt would show.
    expect(h.rejected(body)).toEqual(["scripted"]);
    expect(h.delivered()).toEqual([]);
    expect(h.gw.state.scriptUsed).toEqual({ [JSON.stringify([FCM, "scripted"])]: 1 });
  });

  it("keys on the pushkey too: the same event reaches each pushkey once", () => {
    const h = new Harness(config);
    h.notify(eventBody("$e1", [{ app_id: APNS, pushkey: "k1" }]));
    h.notify(eventBody("$e1", [{ app_id: APNS, pushkey: "k1" }, { app_id: APNS, pushkey: "k2" }]));
    expect(h.delivered().map((d) => [d.eventId, d.pushkey])).toEqual([
      ["$e1", "k1"],
      ["$e1", "k2"],
    ]);
  });

  it("does not dedupe badge-only notifications", () => {
    const h = new Harness(config);
    const body = badgeBody(3, [{ app_id: APNS, pushkey: "k1" }]);
    h.notify(body);
    h.notify(body);
    expect(h.delivered("k1")).toHaveLength(2);
    expect(h.delivered("k1")[0]).not.toHaveProperty("eventId");
  });

  it("GW-3: ignores the 2015 `id` by default, and dedupes on it under the `honour` policy", () => {
    const body = { notification: { id: "$old", counts: { unread: 1 }, devices: [{ app_id: APNS, pushkey: "k1" }] } };
    const ignoring = new Harness(config);
    ignoring.notify(body);
    ignoring.notify(body);
    expect(ignoring.delivered().map((d) => d.eventId)).toEqual([undefined, undefined]);
    const honouring = new Harness({ ...config, legacyNotificationId: "honour" });
    honouring.notify(body);
    honouring.notify(body);
    expect(honouring.delivered().map((d) => d.eventId)).toEqual(["$old"]);
  });

  it("remembers answers for the window only, and cleanup drops older ones", () => {
    const h = new Harness(config);
    const body = eventBody("$e1", [{ app_id: APNS, pushkey: "k1" }]);
    h.notify(body);
    h.now = 59_999;
    h.notify(body);
    expect(h.delivered()).toHaveLength(1);
    h.run({ type: "cleanup" });
    expect(Object.keys(h.gw.state.dedupe)).toHaveLength(1);
    h.now = 60_000;
    h.run({ type: "cleanup" });
    expect(h.gw.state.dedupe).toEqual({});
    h.notify(body);
    expect(h.delivered()).toHaveLength(2);
  });
});

describe("per-device isolation (GW-22)", () => {
  it("gives each device its own result; only rejected pushkeys are listed", () => {
    const h = new Harness(config);
    const rejected = h.rejected(
      eventBody("$e1", [
        { app_id: FCM, pushkey: "invalid-f" },
        { app_id: FCM, pushkey: "permanent-f" },
        { app_id: APNS, pushkey: "transient-a" },
        { app_id: "org.unknown", pushkey: "u" },
        { app_id: APNS, pushkey: "invalid-a" },
        { app_id: APNS, pushkey: "good" },
      ]),
    );
    expect(rejected).toEqual(["invalid-f", "u"]);
    expect(h.delivered().map((d) => d.pushkey)).toEqual(["good"]);
    expect(h.logs("dropped-permanent").map((l) => l.pushkey)).toEqual(["permanent-f"]);
    h.drain();
    expect(h.delivered().map((d) => d.pushkey)).toEqual(["good", "transient-a"]);
  });
});

describe("order per pushkey", () => {
  it("queues later notifications behind one that is backing off", () => {
    const h = new Harness(config);
    for (const e of ["$e1", "$e2", "$e3"]) h.notify(eventBody(e, [{ app_id: APNS, pushkey: "transient-k" }]));
    h.notify(eventBody("$e4", [{ app_id: APNS, pushkey: "other" }]));
    expect(h.delivered().map((d) => d.eventId)).toEqual(["$e4"]);
    h.drain();
    expect(h.delivered("transient-k").map((d) => d.eventId)).toEqual(["$e1", "$e2", "$e3"]);
    // Each of the three failed twice before it was delivered: 1 s, then 2 s, three times over.
    expect(h.now).toBe(9000);
    expect(h.gw.state.lanes).toEqual({});
  });
});

describe("the payload a provider gets (GW-1, GW-2, GW-11, GW-20)", () => {
  it("is a ping: ids, counts, priority (high when absent) and the one device, no content", () => {
    const h = new Harness(config);
    const device = { app_id: APNS, pushkey: "k1", pushkey_ts: 10, data: { custom: 1 }, tweaks: { sound: "bing" } };
    const other = { app_id: APNS, pushkey: "k2" };
    h.notify(eventBody("$e1", [device, other], { content: { body: "secret" }, sender: "@a:x", counts: { unread: 2 } }));
    expect(h.delivered("k1")[0]?.notification).toEqual({
      event_id: "$e1",
      room_id: "!room:example.org",
      prio: "high",
      counts: { unread: 2 },
      devices: [device],
    });
    h.notify(eventBody("$e2", [device], { prio: "low" }));
    expect(h.delivered("k1")[1]?.notification.prio).toBe("low");
    // Absent counts stay absent (they mean zero); the gateway invents none.
    expect(h.delivered("k1")[1]?.notification).not.toHaveProperty("counts");
  });
});

describe("driver commands and state", () => {
  it("ignores timers and provider results it does not know", () => {
    const h = new Harness(config);
    expect(h.run({ type: "timer", id: "retry:a99" })).toEqual({ handled: false, reason: "no pending timer" });
    expect(h.run({ type: "providerResult", deliveryId: "a1", result: { status: 200 } })).toEqual({
      handled: false,
      reason: "no pending provider call",
    });
  });

  it("resumes from a JSON snapshot taken mid-retry exactly as the original continues", () => {
    const a = new Harness(config);
    a.notify(eventBody("$e1", [{ app_id: APNS, pushkey: "transient-k" }]));
    a.notify(eventBody("$e2", [{ app_id: APNS, pushkey: "transient-k" }]));
    a.fireNextTimer();
    const copy = JSON.parse(JSON.stringify(snapshotGateway(a.gw)));
    const b = new Harness(config);
    b.gw.state = createGateway(config, copy).state;
    b.now = a.now;
    for (const [id, at] of a.timers) b.timers.set(id, at);
    a.effects.length = 0;
    a.drain();
    b.drain();
    expect(b.effects).toEqual(a.effects);
    expect(b.delivered().map((d) => d.eventId)).toEqual(["$e1", "$e2"]);
  });
});
