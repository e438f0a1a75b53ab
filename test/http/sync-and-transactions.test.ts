// Over real sockets: the per-sync limit (150 messages come as 100, then 50 at once), the
// long-poll wake-up latency (measured; p50 and p99 go to the log, each wake-up must come well
// under a second after the send), and transaction-id dedupe on /sendToDevice and on room /send,
// sequential and concurrent, with its scope (device + endpoint). Assumes one in-process
// homeserver with default policies (syncLimit 100, txnReuseDifferentBody replay).
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { login, type MatrixSession, must, register } from "../support/http-client.ts";
import { Federation } from "../support/http-servers.ts";
import { SyncChain } from "../support/http-sync.ts";

let fed: Federation;
let base: string;
let counter = 0;

beforeAll(async () => {
  fed = await Federation.start(["hs1"]);
  base = fed.url("hs1");
});
afterAll(() => fed.close());

function user(): Promise<MatrixSession> {
  counter++;
  return register(base, `u${counter}`);
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

describe("per-sync limit", () => {
  test("150 pending messages come as 100, then 50 from a long-poll that returns at once, in order (TD-22, TD-23, TD-54, TD-20)", async () => {
    const [alice, bob] = [await user(), await user()];
    for (let n = 0; n < 150; n++) must(await bob.sendToDevice("m.test", `lim-${n}`, { [alice.userId]: { [alice.deviceId]: { n } } }));
    const chain = new SyncChain(alice);
    const first = await chain.next();
    expect(first.events.map((e) => e.content.n)).toEqual(Array.from({ length: 100 }, (_, n) => n));
    const started = performance.now();
    const second = await chain.next(10_000);
    const tookMs = performance.now() - started;
    expect(second.events.map((e) => e.content.n)).toEqual(Array.from({ length: 50 }, (_, n) => n + 100));
    expect(tookMs).toBeLessThan(1_000);
    expect((await chain.next()).events).toEqual([]);
  });
});

describe("long-poll wake-up", () => {
  test("a long-poll returns well under a second after a send to its device (TD-55); p50/p99 logged", async () => {
    const [alice, bob] = [await user(), await user()];
    const chain = new SyncChain(alice);
    await chain.start();
    const samples: number[] = [];
    for (let round = 0; round < 30; round++) {
      const poll = chain.next(10_000);
      await new Promise((r) => setTimeout(r, 20));
      const sentAt = performance.now();
      must(await bob.sendToDevice("m.test", `wake-${round}`, { [alice.userId]: { [alice.deviceId]: { round } } }));
      const answer = await poll;
      samples.push(performance.now() - sentAt);
      expect(answer.events.map((e) => e.content.round)).toEqual([round]);
    }
    const sorted = [...samples].sort((a, b) => a - b);
    const p50 = percentile(sorted, 50);
    const p99 = percentile(sorted, 99);
    console.log(JSON.stringify({ metric: "long-poll wake-up after send (ms, send start to sync answer)", n: sorted.length, p50: +p50.toFixed(2), p99: +p99.toFixed(2) }));
    expect(Math.max(...samples)).toBeLessThan(1_000);
  });
});

describe("transaction ids on /sendToDevice", () => {
  test("ten concurrent copies of one request: all answer 200 {}, one delivery (TD-5, TD-38, TD-39)", async () => {
    const [alice, bob] = [await user(), await user()];
    const messages = { [alice.userId]: { [alice.deviceId]: { once: true } } };
    const answers = await Promise.all(Array.from({ length: 10 }, () => bob.sendToDevice("m.test", "same", messages)));
    for (const a of answers) expect(a).toMatchObject({ status: 200, body: {} });
    must(await bob.sendToDevice("m.test", "same", messages));
    expect((await new SyncChain(alice).next()).events.map((e) => e.content)).toEqual([{ once: true }]);
  });

  test("the scope is device + endpoint: another event type, another device of the same user, or another user is a new request (TD-37, TD-40, TD-41)", async () => {
    const [alice, bob] = [await user(), await user()];
    const bobPhone = await login(base, bob.userId);
    const carol = await user();
    const to = (n: number) => ({ [alice.userId]: { [alice.deviceId]: { n } } });
    must(await bob.sendToDevice("m.test", "t1", to(1)));
    must(await bob.sendToDevice("m.other", "t1", to(2)));
    must(await bobPhone.sendToDevice("m.test", "t1", to(3)));
    must(await carol.sendToDevice("m.test", "t1", to(4)));
    must(await bob.sendToDevice("m.test", "t1", to(5)));
    expect((await new SyncChain(alice).next()).events.map((e) => [e.type, e.content.n])).toEqual([
      ["m.test", 1],
      ["m.other", 2],
      ["m.test", 3],
      ["m.test", 4],
    ]);
  });
});

describe("transaction ids on /rooms/{roomId}/send (Complement txnid_test)", () => {
  async function room(owner: MatrixSession): Promise<string> {
    return must(await owner.createRoom({})).room_id;
  }

  test("the same txnId gives the same event_id, even with another body, and one timeline event (TD-39, TD-46 replay)", async () => {
    const alice = await user();
    const roomId = await room(alice);
    const first = must(await alice.send(roomId, "m.room.message", "txn-1", { msgtype: "m.text", body: "first" }));
    const again = must(await alice.send(roomId, "m.room.message", "txn-1", { msgtype: "m.text", body: "changed" }));
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => alice.send(roomId, "m.room.message", "txn-2", { msgtype: "m.text", body: "c" })));
    expect(again.event_id).toBe(first.event_id);
    expect(new Set(concurrent.map((a) => must(a).event_id)).size).toBe(1);
    const timeline = must(await alice.sync()).rooms?.join?.[roomId]?.timeline?.events ?? [];
    const messages = timeline.filter((e) => e.type === "m.room.message");
    expect(messages.map((e) => e.content.body)).toEqual(["first", "c"]);
  });

  test("another room is another transaction; a device id reused through /login keeps the scope (TD-40, TD-42)", async () => {
    const alice = await register(base, `txn${++counter}`, { deviceId: "ALICEDEV" });
    const [r1, r2] = [await room(alice), await room(alice)];
    const e1 = must(await alice.send(r1, "m.room.message", "same", { msgtype: "m.text", body: "a" })).event_id;
    const e2 = must(await alice.send(r2, "m.room.message", "same", { msgtype: "m.text", body: "a" })).event_id;
    expect(e2).not.toBe(e1);
    const again = await login(base, alice.userId, { deviceId: "ALICEDEV" });
    expect(must(await again.send(r1, "m.room.message", "same", { msgtype: "m.text", body: "a" })).event_id).toBe(e1);
    const other = await login(base, alice.userId);
    expect(must(await other.send(r1, "m.room.message", "same", { msgtype: "m.text", body: "a" })).event_id).not.toBe(e1);
  });
});
