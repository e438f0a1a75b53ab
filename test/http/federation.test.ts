// Send-to-device across two homeservers over real sockets: Complement's
// TestToDeviceMessagesOverFederation (good connectivity; the receiver stopped and restarted on
// its data directory; the sender restarted too while the receiver is down, so the outbox must be
// durable), the wake-up of a backed-off destination by its own traffic, and inbound transaction
// handling and authentication (signed, unsigned, forged, stranger). Assumes in-process servers
// on 127.0.0.1 with journals in temporary directories; the first suite shortens the federation
// back-off (a policy) so retries happen within the test, the second keeps the 10-minute default.
import { newSigningKey } from "../../src/http/signing.ts";
import type { ServerName } from "../../src/ids.ts";
import { startHomeserver } from "../../src/homeserver-server/server.ts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type MatrixSession, must, register } from "../support/http-client.ts";
import { directToDeviceEdu, sendTransaction } from "../support/http-federation.ts";
import { Federation } from "../support/http-servers.ts";
import { SyncChain, type ToDeviceEvent } from "../support/http-sync.ts";

const TYPE = "m.test";
const FAST_BACKOFF = { federation: { backoff: { initialMs: 100, multiplier: 2, maxMs: 500 } } };
let counter = 0;

function fresh(prefix: string): string {
  counter++;
  return `${prefix}${counter}`;
}

const from = (sender: MatrixSession, content: unknown) => (e: ToDeviceEvent) => e.sender === sender.userId && e.type === TYPE && JSON.stringify(e.content) === JSON.stringify(content);

describe("Complement TestToDeviceMessagesOverFederation", () => {
  let fed: Federation;
  beforeAll(async () => {
    fed = await Federation.start(["hs1", "hs2"], { durable: true, policies: FAST_BACKOFF });
  });
  afterAll(() => fed.close());

  async function pair(): Promise<{ alice: MatrixSession; bob: MatrixSession; chain: SyncChain }> {
    const alice = await register(fed.url("hs1"), fresh("alice"));
    const bob = await register(fed.url("hs2"), fresh("bob"));
    const chain = new SyncChain(bob);
    await chain.start();
    return { alice, bob, chain };
  }

  test("good connectivity (TD-24, FED-1, FED-12)", async () => {
    const { alice, bob, chain } = await pair();
    const content = { hello: "world", n: 1 };
    must(await alice.sendToDevice(TYPE, fresh("t"), { [bob.userId]: { [bob.deviceId]: content } }));
    await chain.nextUntil(from(alice, content));
  });

  test("interrupted connectivity: the receiver is down at the send and comes back on its data (FED-21)", async () => {
    const { alice, bob, chain } = await pair();
    await fed.stopServer("hs2");
    const content = { interrupted: true };
    expect(await alice.sendToDevice(TYPE, fresh("t"), { [bob.userId]: { [bob.deviceId]: content } })).toMatchObject({ status: 200, body: {} });
    await fed.startServer("hs2");
    await chain.nextUntil(from(alice, content));
  });

  test("stopped server: the sender restarts while the receiver is down, so its outbox must be durable (FED-21)", async () => {
    const { alice, bob, chain } = await pair();
    await fed.stopServer("hs2");
    const content = { stopped: true };
    expect(await alice.sendToDevice(TYPE, fresh("t"), { [bob.userId]: { [bob.deviceId]: content } })).toMatchObject({ status: 200, body: {} });
    await fed.restartServer("hs1");
    await fed.startServer("hs2");
    await chain.nextUntil(from(alice, content));
  });
});

describe("default federation back-off (10 minutes)", () => {
  let fed: Federation;
  beforeAll(async () => {
    fed = await Federation.start(["hs1", "hs2"], { durable: true });
  });
  afterAll(() => fed.close());

  test("a destination in back-off is woken at once by traffic from it (FED-21)", async () => {
    const alice = await register(fed.url("hs1"), "alice");
    const bob = await register(fed.url("hs2"), "bob");
    const [aliceChain, bobChain] = [new SyncChain(alice), new SyncChain(bob)];
    await aliceChain.start();
    await bobChain.start();
    await fed.stopServer("hs2");
    must(await alice.sendToDevice(TYPE, "t1", { [bob.userId]: { [bob.deviceId]: { waiting: true } } }));
    // hs1's first attempt fails and arms a 10-minute back-off; give it time to fail.
    await new Promise((r) => setTimeout(r, 300));
    await fed.startServer("hs2");
    must(await bob.sendToDevice(TYPE, "t1", { [alice.userId]: { [alice.deviceId]: { wake: "up" } } }));
    await aliceChain.nextUntil(from(bob, { wake: "up" }), 5_000);
    await bobChain.nextUntil(from(alice, { waiting: true }), 5_000);
  });
});

describe("inbound transactions and server authentication", () => {
  let fed: Federation;
  let alice: MatrixSession;
  let chain: SyncChain;
  beforeAll(async () => {
    fed = await Federation.start(["hs1", "hs2"]);
    alice = await register(fed.url("hs1"), "alice");
    chain = new SyncChain(alice);
    await chain.start();
  });
  afterAll(() => fed.close());

  const hs2Key = () => fed.server("hs2").runtime.signingKey;
  const txn = (edus: readonly ReturnType<typeof directToDeviceEdu>[]) => ({ origin: "hs2", origin_server_ts: Date.now(), pdus: [], edus });
  const send = (txnId: string, edus: readonly ReturnType<typeof directToDeviceEdu>[]) =>
    sendTransaction(fed.url("hs1"), { key: hs2Key(), origin: "hs2", destination: "hs1", txnId, body: txn(edus) });

  test("a signed EDU with `*` and empty content is expanded and delivered; a retransmission and a repeated message_id deliver nothing again (FED-7, FED-16, FED-18)", async () => {
    const edu = directToDeviceEdu("@derek:hs2", "m.test", "hiezohf6Hoo7kaev", { [alice.userId]: { "*": {} } });
    const first = await send("txn-a", [edu]);
    expect(first.status).toBe(200);
    expect(await send("txn-a", [edu])).toEqual(first);
    expect((await send("txn-b", [edu])).status).toBe(200);
    const marker = directToDeviceEdu("@derek:hs2", "m.test", "marker-1", { [alice.userId]: { [alice.deviceId]: { last: true } } });
    expect((await send("txn-c", [marker])).status).toBe(200);
    const events = (await chain.next()).events;
    expect(events).toEqual([
      { sender: "@derek:hs2", type: "m.test", content: {} },
      { sender: "@derek:hs2", type: "m.test", content: { last: true } },
    ]);
  });

  test("an EDU whose sender is not of the origin is dropped; EDUs apply in order (FED-17, FED-20)", async () => {
    const spoofed = directToDeviceEdu("@mallory:hs1", "m.test", "spoof-1", { [alice.userId]: { [alice.deviceId]: { spoofed: true } } });
    const ok = [1, 2, 3].map((n) => directToDeviceEdu("@derek:hs2", "m.test", `order-${n}`, { [alice.userId]: { [alice.deviceId]: { n } } }));
    expect((await send("txn-d", [ok[0], spoofed, ok[1], ok[2]].filter((e) => e !== undefined))).status).toBe(200);
    expect((await chain.next()).events.map((e) => e.content)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  test("more than 100 EDUs: 400 and nothing delivered (FED-9)", async () => {
    const edus = Array.from({ length: 101 }, (_, i) => directToDeviceEdu("@derek:hs2", "m.test", `many-${i}`, { [alice.userId]: { [alice.deviceId]: { i } } }));
    const answer = await send("txn-e", edus);
    expect(answer.status).toBe(400);
    expect((await chain.next()).events).toEqual([]);
  });

  test("unsigned, forged, misaddressed and stranger requests: 401 and nothing delivered (FED-13, FED-15)", async () => {
    const edu = directToDeviceEdu("@derek:hs2", "m.test", "auth-1", { [alice.userId]: { [alice.deviceId]: { forged: true } } });
    const base = { origin: "hs2", destination: "hs1", txnId: "txn-auth", body: txn([edu]) };
    expect((await sendTransaction(fed.url("hs1"), base)).status).toBe(401);
    expect((await sendTransaction(fed.url("hs1"), { ...base, key: newSigningKey().key })).status).toBe(401);
    expect((await sendTransaction(fed.url("hs1"), { ...base, key: hs2Key(), destination: "hs9" })).status).toBe(401);
    // hs3 is a real server with a real key, but hs1 was not given it as a peer.
    const hs3 = await startHomeserver({ serverName: "hs3" as ServerName, host: "127.0.0.1", port: 0, dataDir: null, peers: new Map([["hs1", fed.url("hs1")]]), log: () => {} });
    try {
      const stranger = directToDeviceEdu("@eve:hs3", "m.test", "auth-2", { [alice.userId]: { [alice.deviceId]: { stranger: true } } });
      const answer = await sendTransaction(fed.url("hs1"), { origin: "hs3", destination: "hs1", txnId: "txn-s", key: hs3.runtime.signingKey, body: { ...txn([stranger]), origin: "hs3" } });
      expect(answer).toMatchObject({ status: 401, body: { errcode: "M_UNAUTHORIZED" } });
    } finally {
      await hs3.close();
    }
    expect((await chain.next()).events).toEqual([]);
  });
});
