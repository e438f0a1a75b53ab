// Checks send-to-device over federation through two homeserver engines joined by hand: what an
// origin sends and with which ids, how a receiver applies a transaction's EDUs (order, `*`,
// sender and type per EDU), its 400 answers and its memory of transactions, and the origin's
// retry driving (timer, wake on inbound traffic, resume after a restart), and the receiver's
// spoofed-sender and message-id retention policies (FED-4, FED-5, FED-7, FED-9, FED-12, FED-16,
// FED-17, FED-19, FED-20, FED-21); assumes the driver delivers effects exactly as given.
import { describe, expect, test } from "vitest";
import { type Applied, apply, createHomeserver, type Homeserver, type HomeserverCommand, resume } from "../../../src/engine/homeserver.ts";
import type { Effect } from "../../../src/engine/effects.ts";
import { messageKey } from "../../../src/engine/federation/inbound.ts";
import { DEFAULT_FEDERATION_POLICIES } from "../../../src/engine/policies.ts";
import type { AccessToken, DeviceId, ServerName, TxnId } from "../../../src/ids.ts";
import { contents, TestServer } from "../session.ts";

const HOUR = 3_600_000;
type Send = Extract<Effect, { kind: "federation.send" }>;

function sendsOf(effects: readonly Effect[]): Send[] {
  return effects.filter((e): e is Send => e.kind === "federation.send");
}

function edu(messageId: string, sender: string, type: string, messages: object) {
  return { edu_type: "m.direct_to_device", content: { sender, type, message_id: messageId, messages } };
}

function receive(s: TestServer, txnId: string, edus: unknown[], origin = "a.test"): Applied {
  const command: HomeserverCommand = { type: "receiveTransaction", origin: origin as ServerName, txnId: txnId as TxnId, body: { origin, origin_server_ts: 0, pdus: [], edus } };
  return apply(s.hs, command, s.now);
}

describe("the origin (FED-4, FED-5, FED-12)", () => {
  test("a message for another server's user leaves at once, in a transaction from this server", () => {
    const a = new TestServer({}, "a.test");
    const alice = a.register("alice");
    const sent = sendsOf(a.send(alice, "m.x", "t1", { "@bob:b.test": { PHONE: { n: 1 } } }).effects);
    expect(sent).toEqual([
      {
        kind: "federation.send",
        destination: "b.test",
        txnId: expect.any(String),
        body: { origin: "a.test", origin_server_ts: a.now, pdus: [], edus: [edu(expect.any(String), alice.userId, "m.x", { "@bob:b.test": { PHONE: { n: 1 } } })] },
      },
    ]);
  });

  test("FED-5: transaction and message ids never repeat, also across servers made with different epochs", () => {
    const ids: string[] = [];
    for (const epoch of ["x", "y"]) {
      const hs: Homeserver = createHomeserver({ serverName: "a.test" as ServerName, epoch });
      apply(hs, { type: "register", username: "alice", deviceId: "D" as DeviceId, accessToken: "t" as AccessToken }, 0);
      for (const txnId of ["1", "2"]) {
        const body = { messages: { "@bob:b.test": { PHONE: { n: txnId } } } };
        const [send] = sendsOf(apply(hs, { type: "sendToDevice", token: "t" as AccessToken, eventType: "m.x", txnId: txnId as TxnId, body }, 0).effects);
        if (send === undefined) throw new Error("nothing sent");
        ids.push(send.txnId, ...send.body.edus.map((e) => e.content.message_id));
        apply(hs, { type: "federationResult", destination: send.destination, txnId: send.txnId, result: { ok: true } }, 0);
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("the receiver (FED-7, FED-9, FED-16, FED-20)", () => {
  test("applies EDUs in order, each with its own sender and type, expanding `*`", () => {
    const b = new TestServer({}, "b.test");
    const bob = b.register("bob");
    const tablet = b.login(bob.userId, "TABLET");
    const out = receive(b, "T1", [
      edu("m1", "@alice:a.test", "m.one", { [bob.userId]: { "*": { n: 1 } } }),
      edu("m2", "@carol:a.test", "m.two", { [bob.userId]: { DEV1: { n: 2 } } }),
    ]);
    expect(out.outcome).toEqual({ ok: true, status: 200, body: { pdus: {} } });
    expect(out.effects).toEqual([
      { kind: "wake", userId: bob.userId, deviceId: "DEV1" },
      { kind: "wake", userId: bob.userId, deviceId: "TABLET" },
    ]);
    expect(b.syncOk(bob).events).toEqual([
      { sender: "@alice:a.test", type: "m.one", content: { n: 1 } },
      { sender: "@carol:a.test", type: "m.two", content: { n: 2 } },
    ]);
    expect(contents(b.syncOk(tablet).events)).toEqual([{ n: 1 }]);
  });

  test("FED-9: a malformed or oversized transaction is 400 M_BAD_JSON with a reason, and stores nothing", () => {
    const b = new TestServer({}, "b.test");
    const bob = b.register("bob");
    const many = Array.from({ length: 101 }, (_, i) => edu(`m${i}`, "@alice:a.test", "m.x", { [bob.userId]: { DEV1: { i } } }));
    const refused = receive(b, "T1", many);
    expect(refused.outcome).toMatchObject({ ok: false, status: 400, errcode: "M_BAD_JSON", error: expect.stringMatching(/\S/) });
    const notObject = apply(b.hs, { type: "receiveTransaction", origin: "a.test" as ServerName, txnId: "T2" as TxnId, body: [] }, 0);
    expect(notObject.outcome).toMatchObject({ ok: false, status: 400, errcode: "M_BAD_JSON" });
    expect(b.syncOk(bob).events).toEqual([]);
  });

  test("FED-16: a transaction id seen an hour ago is answered from memory and delivers nothing", () => {
    const b = new TestServer({}, "b.test");
    const bob = b.register("bob");
    receive(b, "T1", [edu("m1", "@alice:a.test", "m.x", { [bob.userId]: { DEV1: { n: 1 } } })]);
    b.now += HOUR;
    const again = receive(b, "T1", [edu("m2", "@alice:a.test", "m.x", { [bob.userId]: { DEV1: { n: 2 } } })]);
    expect(again).toEqual({ outcome: { ok: true, status: 200, body: { pdus: {} } }, effects: [] });
    expect(contents(b.syncOk(bob).events)).toEqual([{ n: 1 }]);
  });
});

describe("the receiver's policies (FED-17, FED-19)", () => {
  test("FED-17: under spoofedSender log, an EDU from another server's user is delivered, with a warning", () => {
    const b = new TestServer({ federation: { ...DEFAULT_FEDERATION_POLICIES, spoofedSender: "log" } }, "b.test");
    const bob = b.register("bob");
    const out = receive(b, "T1", [edu("m1", "@mallory:c.test", "m.x", { [bob.userId]: { DEV1: { n: 1 } } })]);
    expect(out.effects).toEqual([
      { kind: "wake", userId: bob.userId, deviceId: "DEV1" },
      { kind: "log", level: "warn", message: expect.stringContaining("@mallory:c.test") },
    ]);
    expect(b.syncOk(bob).events).toEqual([{ sender: "@mallory:c.test", type: "m.x", content: { n: 1 } }]);
  });

  test("FED-19: the expire command forgets message ids older than their retention and keeps newer ones", () => {
    const b = new TestServer({ federation: { ...DEFAULT_FEDERATION_POLICIES, messageIdRetentionMs: HOUR } }, "b.test");
    const bob = b.register("bob");
    receive(b, "T1", [edu("m1", "@alice:a.test", "m.x", { [bob.userId]: { DEV1: { n: 1 } } })]);
    b.now += HOUR / 2;
    receive(b, "T2", [edu("m2", "@alice:a.test", "m.x", { [bob.userId]: { DEV1: { n: 2 } } })]);
    b.now += HOUR / 2;
    apply(b.hs, { type: "expire" }, b.now);
    expect(Object.keys(b.hs.state.remote.inbound.messageIds)).toEqual([messageKey("a.test" as ServerName, "m2")]);
  });
});

describe("the origin's retries (FED-21)", () => {
  function failedOnce(): { a: TestServer; send: Send; retryAt: number; timerId: string } {
    const a = new TestServer({}, "a.test");
    const alice = a.register("alice");
    const [send] = sendsOf(a.send(alice, "m.x", "t1", { "@bob:b.test": { PHONE: { n: 1 } } }).effects);
    if (send === undefined) throw new Error("nothing sent");
    const failed = apply(a.hs, { type: "federationResult", destination: send.destination, txnId: send.txnId, result: { ok: false, reason: "down" } }, a.now);
    const timer = failed.effects[0];
    if (timer?.kind !== "timer") throw new Error("no retry timer");
    return { a, send, retryAt: timer.at, timerId: timer.id };
  }

  test("the retry timer sends the same transaction again; a 200 then leaves nothing to resume", () => {
    const { a, send, retryAt, timerId } = failedOnce();
    expect(retryAt).toBe(a.now + 10 * 60_000);
    const retried = apply(a.hs, { type: "timer", id: timerId }, retryAt);
    expect(retried).toEqual({ outcome: { ok: true }, effects: [send] });
    expect(apply(a.hs, { type: "federationResult", destination: send.destination, txnId: send.txnId, result: { ok: true } }, retryAt)).toEqual({ outcome: { ok: true }, effects: [] });
    expect(resume(a.hs)).toEqual([]);
  });

  test("traffic from the destination wakes it at once; a restart resumes only what is outstanding", () => {
    const { a, send, retryAt, timerId } = failedOnce();
    expect(resume(a.hs)).toEqual([{ kind: "timer", id: timerId, at: retryAt }]);
    const woken = receive(a, "B1", [], "b.test");
    expect(woken.outcome).toEqual({ ok: true, status: 200, body: { pdus: {} } });
    expect(sendsOf(woken.effects)).toEqual([send]);
    expect(resume(a.hs)).toEqual([send]);
  });
});
