// Checks the webhook provider end to end, against a local HTTP server standing in for the
// provider: a 2xx is a delivery; 404 (and a `rejected` list naming the pushkey) rejects the
// pushkey on its next use (GW-10, GW-6); a 500, a refused connection and a timeout are retried
// with back-off until delivered or given up, and never reject the pushkey. Assumes short retry
// delays and a 300 ms provider timeout so everything settles within a second or two.
import { afterEach, describe, expect, test } from "vitest";
import type { GatewayServer } from "../../src/gateway-server/server.ts";
import { configFrom, deliveries, eventBody, type Reply, rejectedBy, settled, startGateway, startReceiver } from "./gateway-under-test.ts";

const HOOK = "org.test.webhook";
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function gatewayPostingTo(url: string, maxAttempts = 4, log: Record<string, unknown>[] = []): Promise<GatewayServer> {
  const config = configFrom({
    apps: { [HOOK]: { type: "webhook", url } },
    retry: { initial_delay_ms: 20, max_delay_ms: 80, max_attempts: maxAttempts, give_up_after_ms: 10_000 },
  });
  const gateway = await startGateway(config, { providerTimeoutMs: 300, log: (line) => log.push(line) });
  cleanups.push(() => gateway.close());
  return gateway;
}

async function receiver(reply: (pushkey: string, index: number) => Reply) {
  const r = await startReceiver((post, index) => reply(post.body.notification.devices[0]?.pushkey ?? "", index));
  cleanups.push(r.close);
  return r;
}

const device = (pushkey: string) => ({ app_id: HOOK, pushkey });

describe("webhook provider", () => {
  test("a 2xx delivers: the receiver gets the ping for its one device", async () => {
    const hook = await receiver(() => ({ status: 200, body: { rejected: [] } }));
    const gw = await gatewayPostingTo(`${hook.url}/up`);
    expect(await rejectedBy(gw, eventBody("$e1", [device("k1"), device("k2")], { prio: "low", content: { body: "secret" } }))).toEqual([]);
    await settled(gw);
    expect(hook.received.map((p) => p.path)).toEqual(["/up", "/up"]);
    expect(hook.received[0]?.body).toEqual({
      notification: { event_id: "$e1", room_id: "!room:example.org", prio: "low", devices: [device("k1")] },
    });
    expect((await deliveries(gw)).map((d) => [d.provider, d.pushkey])).toEqual([
      ["webhook", "k1"],
      ["webhook", "k2"],
    ]);
  });

  test("404: the pushkey is rejected on its next use, and nothing more is posted for it", async () => {
    const hook = await receiver((pushkey) => (pushkey === "gone" ? { status: 404 } : { status: 200 }));
    const gw = await gatewayPostingTo(hook.url);
    expect(await rejectedBy(gw, eventBody("$e1", [device("gone"), device("here")]))).toEqual([]);
    await settled(gw);
    expect(await rejectedBy(gw, eventBody("$e2", [device("gone"), device("here")]))).toEqual(["gone"]);
    await settled(gw);
    expect(hook.pushkeys()).toEqual(["gone", "here", "here"]);
    expect((await deliveries(gw)).map((d) => [d.pushkey, d.event_id])).toEqual([
      ["here", "$e1"],
      ["here", "$e2"],
    ]);
  });

  test("a 2xx whose `rejected` names the pushkey rejects it on its next use", async () => {
    const hook = await receiver((pushkey) => ({ status: 200, body: { rejected: [pushkey] } }));
    const gw = await gatewayPostingTo(hook.url);
    expect(await rejectedBy(gw, eventBody("$e1", [device("stale")]))).toEqual([]);
    await settled(gw);
    expect(await rejectedBy(gw, eventBody("$e2", [device("stale")]))).toEqual(["stale"]);
    expect(await deliveries(gw)).toEqual([]);
  });

  test("500: retried with the same body until a 2xx, delivered once", async () => {
    const hook = await receiver((_pushkey, index) => (index < 2 ? { status: 500 } : { status: 200 }));
    const gw = await gatewayPostingTo(hook.url);
    expect(await rejectedBy(gw, eventBody("$e1", [device("flaky")]))).toEqual([]);
    await settled(gw);
    expect(hook.received).toHaveLength(3);
    expect(new Set(hook.received.map((p) => JSON.stringify(p.body))).size).toBe(1);
    expect(await deliveries(gw)).toHaveLength(1);
    expect(await rejectedBy(gw, eventBody("$e2", [device("flaky")]))).toEqual([]);
  });

  test("a provider that never answers times out and is retried; the pushkey stays valid", async () => {
    const hook = await receiver((_pushkey, index) => (index === 0 ? "hold" : { status: 200 }));
    const gw = await gatewayPostingTo(hook.url);
    const started = Date.now();
    expect(await rejectedBy(gw, eventBody("$e1", [device("slow")]))).toEqual([]);
    await settled(gw);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(hook.received).toHaveLength(2);
    expect(await deliveries(gw)).toHaveLength(1);
  });

  test("a refused connection is retried until the attempts run out; the notification is dropped, the pushkey kept", async () => {
    const hook = await receiver(() => ({ status: 200 }));
    const url = hook.url;
    await hook.close();
    const log: Record<string, unknown>[] = [];
    const gw = await gatewayPostingTo(url, 3, log);
    expect(await rejectedBy(gw, eventBody("$e1", [device("offline")]))).toEqual([]);
    await settled(gw);
    expect(await deliveries(gw)).toEqual([]);
    const posts = log.filter((l) => l.msg === "provider.post");
    expect(posts).toHaveLength(3);
    for (const post of posts) expect(post).toHaveProperty("error");
    expect(log.filter((l) => l.code === "dropped-after-retries").map((l) => l.pushkey)).toEqual(["offline"]);
    expect(await rejectedBy(gw, eventBody("$e2", [device("offline")]))).toEqual([]);
  });
});
