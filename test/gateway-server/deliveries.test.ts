// Checks the in-memory delivery record behind GET /_courier/deliveries: oldest first, newest
// last; a full ring drops the oldest; `total` counts everything recorded; the pushkey filter.
// Assumes effects shaped as the engine's `provider.delivered`.
import { describe, expect, test } from "vitest";
import { DeliveryRecord } from "../../src/gateway-server/deliveries.ts";

function delivered(pushkey: string, eventId?: string) {
  const base = { kind: "provider.delivered" as const, provider: "apns" as const, appId: "org.a", pushkey, notification: { devices: [{ app_id: "org.a", pushkey }] } };
  return eventId === undefined ? base : { ...base, eventId };
}

describe("DeliveryRecord", () => {
  test("lists in order of delivery, with snake_case fields, and event_id only when there is one", () => {
    const record = new DeliveryRecord(4);
    record.record(delivered("k1", "$a"), 100);
    record.record(delivered("k2"), 200);
    expect(record.list()).toEqual([
      { seq: 1, ts: 100, provider: "apns", app_id: "org.a", pushkey: "k1", event_id: "$a", notification: { devices: [{ app_id: "org.a", pushkey: "k1" }] } },
      { seq: 2, ts: 200, provider: "apns", app_id: "org.a", pushkey: "k2", notification: { devices: [{ app_id: "org.a", pushkey: "k2" }] } },
    ]);
  });

  test("a full ring keeps the newest `capacity` entries; total counts them all", () => {
    const record = new DeliveryRecord(3);
    for (let i = 1; i <= 7; i++) record.record(delivered(i % 2 === 0 ? "even" : "odd", `$${i}`), i);
    expect(record.list().map((e) => e.seq)).toEqual([5, 6, 7]);
    expect(record.total).toBe(7);
    expect(record.list({ pushkey: "odd" }).map((e) => e.event_id)).toEqual(["$5", "$7"]);
    expect(record.list({ pushkey: "none" })).toEqual([]);
  });

  test("refuses a capacity that is not a positive integer", () => {
    expect(() => new DeliveryRecord(0)).toThrow(RangeError);
    expect(() => new DeliveryRecord(1.5)).toThrow(RangeError);
  });
});
