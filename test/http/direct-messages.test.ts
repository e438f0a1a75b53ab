// The twelve SyTest 46direct scenarios and Complement's TestToDeviceMessages over real sockets:
// send, receive, acknowledge, dedupe, wildcards and long-poll wake-ups, on one homeserver and
// across two. Assumes two in-process homeservers (hs1, hs2) on 127.0.0.1 that know each other,
// with default policies; every answer is checked against the API schema by the client.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { login, type MatrixSession, must, register } from "../support/http-client.ts";
import { Federation } from "../support/http-servers.ts";
import { SyncChain } from "../support/http-sync.ts";

let fed: Federation;
let counter = 0;

beforeAll(async () => {
  fed = await Federation.start(["hs1", "hs2"]);
});
afterAll(() => fed.close());

function user(server: string, options: { deviceId?: string } = {}): Promise<MatrixSession> {
  counter++;
  return register(fed.url(server), `u${counter}`, options);
}

function txn(): string {
  counter++;
  return `t${counter}`;
}

const TYPE = "my.test.type";

/** Starts a 10 s long-poll, runs `send` 100 ms later; resolves with the poll's answer and how long after the send it came. */
async function wokenBy(chain: SyncChain, send: () => Promise<unknown>) {
  const poll = chain.receive(10_000);
  await new Promise((r) => setTimeout(r, 100));
  const sentAt = performance.now();
  await send();
  const answer = await poll;
  return { answer, afterSendMs: performance.now() - sentAt };
}

describe("SyTest 46direct", () => {
  test("Can send a message directly to a device using PUT /sendToDevice (TD-1, TD-9, TD-34)", async () => {
    const alice = await user("hs1");
    const answer = await alice.sendToDevice(TYPE, txn(), { [alice.userId]: { [alice.deviceId]: { my_key: "my_value" } } });
    expect(answer).toMatchObject({ ok: true, status: 200, body: {} });
  });

  test("Can recv a device message using /sync (TD-17, TD-20, TD-30, TD-31, TD-32, TD-33)", async () => {
    const alice = await user("hs1");
    must(await alice.sendToDevice(TYPE, txn(), { [alice.userId]: { [alice.deviceId]: { my_key: "my_value" } } }));
    const got = await new SyncChain(alice).receiveSome();
    expect(got.events).toEqual([{ sender: alice.userId, type: TYPE, content: { my_key: "my_value" } }]);
  });

  test("Can send a to-device message to two users which both receive it using /sync (TD-1, TD-6)", async () => {
    const [sender, r1, r2] = [await user("hs1"), await user("hs1"), await user("hs1")];
    const [c1, c2] = [new SyncChain(r1), new SyncChain(r2)];
    await c1.start();
    await c2.start();
    must(await sender.sendToDevice(TYPE, txn(), { [r1.userId]: { [r1.deviceId]: { my_key: "r1" } }, [r2.userId]: { [r2.deviceId]: { my_key: "r2" } } }));
    expect((await c1.receiveSome()).events).toEqual([{ sender: sender.userId, type: TYPE, content: { my_key: "r1" } }]);
    expect((await c2.receiveSome()).events).toEqual([{ sender: sender.userId, type: TYPE, content: { my_key: "r2" } }]);
  });

  test("Can recv device messages until they are acknowledged (TD-19, TD-21, TD-52, TD-53)", async () => {
    const alice = await user("hs1");
    const chain = new SyncChain(alice);
    must(await alice.sendToDevice(TYPE, txn(), { [alice.userId]: { [alice.deviceId]: { message: "first" } } }));
    const first = await chain.receiveSome();
    const again = await chain.receiveSome();
    expect(first.events).toEqual([{ sender: alice.userId, type: TYPE, content: { message: "first" } }]);
    expect(again.events).toEqual(first.events);
    await chain.ack(again.nextBatch);
    must(await alice.sendToDevice(TYPE, txn(), { [alice.userId]: { [alice.deviceId]: { message: "second" } } }));
    expect((await chain.receiveSome()).events).toEqual([{ sender: alice.userId, type: TYPE, content: { message: "second" } }]);
    // TD-53: acknowledged messages never come back, not even to an initial sync.
    expect(must(await alice.sync()).to_device?.events).toEqual([{ sender: alice.userId, type: TYPE, content: { message: "second" } }]);
  });

  test("Device messages with the same txn_id are deduplicated (TD-5, TD-37, TD-38, TD-39)", async () => {
    const alice = await user("hs1");
    const chain = new SyncChain(alice);
    const to = (message: string) => ({ [alice.userId]: { [alice.deviceId]: { message } } });
    must(await alice.sendToDevice(TYPE, "my_transaction_id", to("first")));
    const first = await chain.receiveSome();
    expect(first.events.map((e) => e.content)).toEqual([{ message: "first" }]);
    await chain.ack(first.nextBatch);
    expect(await alice.sendToDevice(TYPE, "my_transaction_id", to("first"))).toMatchObject({ status: 200, body: {} });
    must(await alice.sendToDevice(TYPE, txn(), to("second")));
    expect((await chain.receiveSome()).events.map((e) => e.content)).toEqual([{ message: "second" }]);
  });

  test("Device messages wake up /sync (TD-55)", async () => {
    const alice = await user("hs1");
    const chain = new SyncChain(alice);
    await chain.start();
    const { answer, afterSendMs } = await wokenBy(chain, () => alice.sendToDevice(TYPE, txn(), { [alice.userId]: { [alice.deviceId]: { n: 1 } } }));
    expect(answer.events).toEqual([{ sender: alice.userId, type: TYPE, content: { n: 1 } }]);
    expect(afterSendMs).toBeLessThan(1_000);
  });

  test("Can recv device messages over federation (TD-24, FED-1, FED-3, FED-18)", async () => {
    const alice = await user("hs1");
    const bob = await user("hs2");
    const chain = new SyncChain(bob);
    must(await alice.sendToDevice(TYPE, txn(), { [bob.userId]: { [bob.deviceId]: { message: "first" } } }));
    const first = await chain.receiveSome();
    expect(first.events).toEqual([{ sender: alice.userId, type: TYPE, content: { message: "first" } }]);
    await chain.ack(first.nextBatch);
    must(await alice.sendToDevice(TYPE, txn(), { [bob.userId]: { [bob.deviceId]: { message: "second" } } }));
    expect((await chain.receiveSome()).events).toEqual([{ sender: alice.userId, type: TYPE, content: { message: "second" } }]);
  });

  test("Device messages over federation wake up /sync (TD-55, FED-1)", async () => {
    const local = await user("hs1");
    const remote = await user("hs2");
    const chain = new SyncChain(local);
    await chain.start();
    const { answer, afterSendMs } = await wokenBy(chain, () => remote.sendToDevice(TYPE, txn(), { [local.userId]: { [local.deviceId]: { n: 2 } } }));
    expect(answer.events).toEqual([{ sender: remote.userId, type: TYPE, content: { n: 2 } }]);
    expect(afterSendMs).toBeLessThan(1_000);
  });

  test("Can send messages with a wildcard device id (TD-7, TD-16, TD-47)", async () => {
    const alice = await user("hs1");
    const chain = new SyncChain(alice);
    must(await alice.sendToDevice(TYPE, txn(), { [alice.userId]: { "*": { message: "first" } } }));
    const first = await chain.receiveSome();
    expect(first.events).toEqual([{ sender: alice.userId, type: TYPE, content: { message: "first" } }]);
    await chain.ack(first.nextBatch);
    must(await alice.sendToDevice(TYPE, txn(), { [alice.userId]: { "*": { message: "second" } } }));
    expect((await chain.receiveSome()).events).toEqual([{ sender: alice.userId, type: TYPE, content: { message: "second" } }]);
  });

  test("Can send messages with a wildcard device id to two devices (TD-7, TD-47, TD-48)", async () => {
    const alice = await user("hs1");
    const other = await login(alice.baseUrl, alice.userId);
    const [c1, c2] = [new SyncChain(alice), new SyncChain(other)];
    must(await alice.sendToDevice(TYPE, txn(), { [alice.userId]: { "*": { message: "first" } } }));
    const [r1, r2] = [await c1.receiveSome(), await c2.receiveSome()];
    expect(r1.events).toEqual([{ sender: alice.userId, type: TYPE, content: { message: "first" } }]);
    expect(r2.events).toEqual(r1.events);
    await c1.ack(r1.nextBatch);
    await c2.ack(r2.nextBatch);
    must(await alice.sendToDevice(TYPE, txn(), { [alice.userId]: { "*": { message: "second" } } }));
    expect((await c1.receiveSome()).events.map((e) => e.content)).toEqual([{ message: "second" }]);
    expect((await c2.receiveSome()).events.map((e) => e.content)).toEqual([{ message: "second" }]);
  });

  test("Wildcard device messages wake up /sync (TD-7, TD-55)", async () => {
    const alice = await user("hs1");
    const chain = new SyncChain(alice);
    await chain.start();
    const { answer, afterSendMs } = await wokenBy(chain, () => alice.sendToDevice(TYPE, txn(), { [alice.userId]: { "*": { n: 3 } } }));
    expect(answer.events).toEqual([{ sender: alice.userId, type: TYPE, content: { n: 3 } }]);
    expect(afterSendMs).toBeLessThan(1_000);
  });

  test("Wildcard device messages over federation wake up /sync (FED-6, FED-7, TD-55)", async () => {
    const local = await user("hs1");
    const remote = await user("hs2");
    const chain = new SyncChain(local);
    await chain.start();
    const { answer, afterSendMs } = await wokenBy(chain, () => remote.sendToDevice(TYPE, txn(), { [local.userId]: { "*": { n: 4 } } }));
    expect(answer.events).toEqual([{ sender: remote.userId, type: TYPE, content: { n: 4 } }]);
    expect(afterSendMs).toBeLessThan(1_000);
  });
});

describe("Complement TestToDeviceMessages", () => {
  test("one request to two users reaches both sync loops (TD-1, TD-17, TD-20)", async () => {
    const [alice, bob, charlie] = [await user("hs1"), await user("hs1"), await user("hs1")];
    const [b, c] = [new SyncChain(bob), new SyncChain(charlie)];
    await b.start();
    await c.start();
    const content = { my_key: "my_value" };
    must(await alice.sendToDevice(TYPE, txn(), { [bob.userId]: { [bob.deviceId]: content }, [charlie.userId]: { [charlie.deviceId]: content } }));
    const wanted = (e: { sender: string; type: string; content: unknown }) => e.sender === alice.userId && e.type === TYPE;
    expect((await b.nextUntil(wanted, 5_000)).content).toEqual(content);
    expect((await c.nextUntil(wanted, 5_000)).content).toEqual(content);
  });
});
