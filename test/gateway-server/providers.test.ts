// Checks, over real sockets, what the sandbox providers do with each pushkey and what shows in
// GET /_courier/deliveries: APNS answers at once and rejects an invalid token on its next use
// (GW-10, GW-6), FCM rejects it at once, `transient…` is retried then delivered, a notify retried
// is delivered once (GW-17), badge-only ones are not deduped (GW-18), and one bad device never
// fails the others (GW-21, GW-22). Assumes the sandbox app ids; the transient case uses the same
// apps with short retry delays so it settles in milliseconds.
import { afterEach, describe, expect, test } from "vitest";
import { sandboxConfig } from "../../src/gateway/index.ts";
import type { GatewayServer } from "../../src/gateway-server/server.ts";
import { APNS, badgeBody, configFrom, deliveries, eventBody, FCM, postNotify, rejectedBy, settled, startGateway } from "./gateway-under-test.ts";

const running: GatewayServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((g) => g.close()));
});

async function sandbox(config = sandboxConfig): Promise<GatewayServer> {
  const gateway = await startGateway(config);
  running.push(gateway);
  return gateway;
}

const quickRetries = configFrom({
  apps: { [APNS]: { type: "apns", transient_failures: 2 }, [FCM]: { type: "fcm", transient_failures: 2 } },
  retry: { initial_delay_ms: 10, max_delay_ms: 40, max_attempts: 5, give_up_after_ms: 10_000 },
});

describe("sandbox APNS and FCM outcomes", () => {
  test("an ordinary pushkey is delivered at once and listed in /_courier/deliveries", async () => {
    const gw = await sandbox();
    expect(await rejectedBy(gw, eventBody("$e1", [{ app_id: APNS, pushkey: "alice-phone" }], { prio: "low" }))).toEqual([]);
    expect(await rejectedBy(gw, eventBody("$e1", [{ app_id: FCM, pushkey: "alice-tablet" }]))).toEqual([]);
    const listed = await deliveries(gw);
    expect(listed.map((d) => [d.provider, d.app_id, d.pushkey, d.event_id])).toEqual([
      ["apns", APNS, "alice-phone", "$e1"],
      ["fcm", FCM, "alice-tablet", "$e1"],
    ]);
    // GW-11, GW-1: the provider gets a ping with the priority, not the content.
    expect(listed[0]?.notification).toEqual({ event_id: "$e1", room_id: "!room:example.org", prio: "low", devices: [{ app_id: APNS, pushkey: "alice-phone" }] });
    expect(listed[1]?.notification.prio).toBe("high");
  });

  test("GW-10: APNS answers an invalid token at once, records it, and rejects it on its next use", async () => {
    const gw = await sandbox();
    const key = { app_id: APNS, pushkey: "invalid-apns" };
    expect(await rejectedBy(gw, eventBody("$e1", [key]))).toEqual([]);
    expect(await rejectedBy(gw, eventBody("$e2", [key]))).toEqual(["invalid-apns"]);
    // Re-registered after the failure (pushkey_ts newer): tried again, not rejected.
    const later = Math.ceil(Date.now() / 1000) + 60;
    expect(await rejectedBy(gw, eventBody("$e3", [{ ...key, pushkey_ts: later }]))).toEqual([]);
    expect(await deliveries(gw, "invalid-apns")).toEqual([]);
  });

  test("FCM rejects an invalid token in the same answer, and again on its next use", async () => {
    const gw = await sandbox();
    const key = { app_id: FCM, pushkey: "invalid-fcm" };
    expect(await rejectedBy(gw, eventBody("$e1", [key]))).toEqual(["invalid-fcm"]);
    expect(await rejectedBy(gw, eventBody("$e2", [key]))).toEqual(["invalid-fcm"]);
    expect(await deliveries(gw)).toEqual([]);
  });

  test.each([APNS, FCM])("a transient… pushkey on %s fails, is retried, then delivered once", async (appId) => {
    const gw = await sandbox(quickRetries);
    expect(await rejectedBy(gw, eventBody("$t1", [{ app_id: appId, pushkey: "transient-1" }]))).toEqual([]);
    expect(await deliveries(gw)).toEqual([]);
    await settled(gw);
    expect((await deliveries(gw)).map((d) => [d.pushkey, d.event_id])).toEqual([["transient-1", "$t1"]]);
  });

  test("the deliveries record filters by pushkey and lists the newest last", async () => {
    const gw = await sandbox();
    for (const [event, pushkey] of [["$a", "k1"], ["$b", "k2"], ["$c", "k1"]]) {
      await rejectedBy(gw, eventBody(event ?? "", [{ app_id: APNS, pushkey: pushkey ?? "" }]));
    }
    expect((await deliveries(gw, "k1")).map((d) => d.event_id)).toEqual(["$a", "$c"]);
    const all = await deliveries(gw);
    expect(all.map((d) => d.seq)).toEqual([1, 2, 3]);
    expect(await deliveries(gw, "nobody")).toEqual([]);
  });
});

describe("dedupe on (event_id, pushkey) (GW-17, GW-18)", () => {
  test("a retried notify gets the same answer and reaches the provider once", async () => {
    const gw = await sandbox();
    const body = eventBody("$dup", [
      { app_id: APNS, pushkey: "k1" },
      { app_id: FCM, pushkey: "invalid-f" },
    ]);
    const first = await postNotify(gw, body);
    const second = await postNotify(gw, body);
    expect(second.body).toEqual(first.body);
    expect(first.body).toEqual({ rejected: ["invalid-f"] });
    expect((await deliveries(gw)).map((d) => d.pushkey)).toEqual(["k1"]);
  });

  test("the same event reaches each pushkey once", async () => {
    const gw = await sandbox();
    await rejectedBy(gw, eventBody("$e", [{ app_id: APNS, pushkey: "k1" }]));
    await rejectedBy(gw, eventBody("$e", [{ app_id: APNS, pushkey: "k1" }, { app_id: APNS, pushkey: "k2" }]));
    expect((await deliveries(gw)).map((d) => d.pushkey)).toEqual(["k1", "k2"]);
  });

  test("badge-only notifications are delivered every time", async () => {
    const gw = await sandbox();
    const body = badgeBody(4, [{ app_id: APNS, pushkey: "k1" }]);
    await rejectedBy(gw, body);
    await rejectedBy(gw, body);
    const listed = await deliveries(gw, "k1");
    expect(listed).toHaveLength(2);
    expect(listed[0]).not.toHaveProperty("event_id");
  });
});

describe("one bad device never fails the others (GW-21, GW-22)", () => {
  test("unknown app, invalid token and permanent failure beside good devices", async () => {
    const gw = await sandbox();
    const answer = await postNotify(
      gw,
      eventBody("$mixed", [
        { app_id: "org.unknown.app", pushkey: "u1" },
        { app_id: APNS, pushkey: "good-1" },
        { app_id: FCM, pushkey: "invalid-2" },
        { app_id: APNS, pushkey: "permanent-3" },
        { app_id: FCM, pushkey: "good-4" },
      ]),
    );
    expect(answer).toMatchObject({ status: 200 });
    expect((answer.body as { rejected: string[] }).rejected.sort()).toEqual(["invalid-2", "u1"]);
    expect((await deliveries(gw)).map((d) => d.pushkey)).toEqual(["good-1", "good-4"]);
  });
});
