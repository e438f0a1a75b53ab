// Checks, in-process, that the gateway's durable state survives a restart on the same data
// directory: the dedupe memory (GW-17) and token failures (GW-10), a retry timer pending at the
// stop, a journal left without a final snapshot (replayed under the configuration it was written
// with), and compaction; and that without a data directory nothing survives. The kill -9 case,
// with a real child process, is in crash.test.ts.
import { afterEach, describe, expect, test } from "vitest";
import { apply, createGateway, type GatewayCommand, sandboxConfig } from "../../src/gateway/index.ts";
import { JOURNAL_FILE, openGatewayStore } from "../../src/gateway-server/gateway-store.ts";
import type { GatewayServer } from "../../src/gateway-server/server.ts";
import { Journal } from "../../src/store/journal.ts";
import { APNS, configFrom, deliveries, eventBody, FCM, postNotify, rejectedBy, settled, startGateway, tempDir } from "./gateway-under-test.ts";

const open: GatewayServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((g) => g.close()));
});

async function life(config = sandboxConfig, options: Parameters<typeof startGateway>[1] = {}): Promise<GatewayServer> {
  const gateway = await startGateway(config, options);
  open.push(gateway);
  return gateway;
}

const first = eventBody("$e1", [
  { app_id: APNS, pushkey: "k1" },
  { app_id: APNS, pushkey: "invalid-a" },
  { app_id: FCM, pushkey: "invalid-f" },
]);

describe("restart on the same data directory", () => {
  test("a retried notify gets its first answer and reaches no provider again; token failures are kept", async () => {
    const dataDir = tempDir();
    const a = await life(sandboxConfig, { dataDir });
    const answered = await postNotify(a, first);
    expect(answered.body).toEqual({ rejected: ["invalid-f"] });
    expect(await deliveries(a)).toHaveLength(1);
    await a.close();

    const b = await life(sandboxConfig, { dataDir });
    expect((await postNotify(b, first)).body).toEqual(answered.body);
    expect(await deliveries(b)).toEqual([]);
    expect(await rejectedBy(b, eventBody("$e2", [{ app_id: APNS, pushkey: "invalid-a" }]))).toEqual(["invalid-a"]);
  });

  test("without a data directory nothing survives (the same steps deliver again)", async () => {
    const a = await life();
    await postNotify(a, first);
    await a.close();
    const b = await life();
    expect(await rejectedBy(b, eventBody("$e2", [{ app_id: APNS, pushkey: "invalid-a" }]))).toEqual([]);
    await postNotify(b, first);
    expect((await deliveries(b)).map((d) => d.pushkey)).toEqual(["k1"]);
  });

  test("a retry timer pending at the stop is re-armed and fires after the restart", async () => {
    const dataDir = tempDir();
    const config = configFrom({
      apps: { [APNS]: { type: "apns", transient_failures: 1 } },
      retry: { initial_delay_ms: 100, max_delay_ms: 100, max_attempts: 3, give_up_after_ms: 10_000 },
    });
    const a = await life(config, { dataDir });
    expect(await rejectedBy(a, eventBody("$t", [{ app_id: APNS, pushkey: "transient-1" }]))).toEqual([]);
    expect(a.runtime.outstanding).toEqual({ timers: 1, posts: 0 });
    expect(await deliveries(a)).toEqual([]);
    await a.close();
    // Restart after the timer was due: it fires at once.
    await new Promise((r) => setTimeout(r, 150));
    const b = await life(config, { dataDir });
    await settled(b);
    expect((await deliveries(b)).map((d) => [d.pushkey, d.event_id])).toEqual([["transient-1", "$t"]]);
  });

  test("compaction keeps the journal short and the state whole", async () => {
    const dataDir = tempDir();
    const a = await life(sandboxConfig, { dataDir, compactEvery: 5 });
    for (let i = 0; i < 12; i++) await rejectedBy(a, eventBody(`$c${i}`, [{ app_id: APNS, pushkey: "k1" }]));
    const journal = new Journal({ dir: dataDir, file: JOURNAL_FILE });
    expect(journal.journalLength()).toBe(2);
    expect(journal.snapshot()?.seq).toBe(10);
    journal.close();
    await a.close();
    const b = await life(sandboxConfig, { dataDir });
    for (let i = 0; i < 12; i++) await rejectedBy(b, eventBody(`$c${i}`, [{ app_id: APNS, pushkey: "k1" }]));
    expect(await deliveries(b)).toEqual([]);
  });
});

describe("recovery from a journal without a final snapshot (a crash)", () => {
  test("the journal is replayed under the configuration it was written with, then the new one applies", async () => {
    const dataDir = tempDir();
    // The same app id, served by FCM (rejects an invalid token in its answer) and then by APNS
    // (answers at once and rejects on the next use).
    const before = configFrom({ apps: { "org.app": { type: "fcm" } } });
    const after = configFrom({ apps: { "org.app": { type: "apns" } } });
    // What a gateway under `before` journaled before it died: two accepted notifies.
    const { store } = openGatewayStore(dataDir, before);
    const gw = createGateway(before);
    const commands: GatewayCommand[] = [
      { type: "notify", requestId: "r1", body: eventBody("$ok", [{ app_id: "org.app", pushkey: "p" }]) },
      { type: "notify", requestId: "r2", body: eventBody("$bad", [{ app_id: "org.app", pushkey: "invalid-p" }]) },
    ];
    const now = Date.now();
    for (const [i, command] of commands.entries()) {
      apply(gw, command, now + i);
      store.append(command, now + i);
    }
    store.close();

    const b = await life(after, { dataDir });
    // Replayed under `after`, `$bad` would have been answered [] (APNS); the answer FCM gave stands.
    expect(await rejectedBy(b, eventBody("$bad", [{ app_id: "org.app", pushkey: "invalid-p" }]))).toEqual(["invalid-p"]);
    expect(await rejectedBy(b, eventBody("$ok", [{ app_id: "org.app", pushkey: "p" }]))).toEqual([]);
    expect(await deliveries(b)).toEqual([]);
    // New notifications follow the new configuration: APNS answers an invalid token at once.
    expect(await rejectedBy(b, eventBody("$new", [{ app_id: "org.app", pushkey: "invalid-q" }]))).toEqual([]);
  });
});
