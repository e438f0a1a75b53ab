// Checks the transaction-id store and its use by sendToDevice: the scope (user, device, endpoint,
// event type, txnId), replay of the first answer, retention and the body-mismatch policy; assumes
// a driver clock that does not run backwards.
import { describe, expect, test } from "vitest";
import { apply } from "../../src/engine/homeserver.ts";
import {
  createTxnStore,
  expireTxns,
  lookupTxn,
  nextTxnExpiry,
  rememberTxn,
  txnKey,
} from "../../src/engine/transactions.ts";
import type { DeviceId, TxnId, UserId } from "../../src/ids.ts";
import { contents, TestServer } from "./session.ts";

const scope = { userId: "@a:x" as UserId, deviceId: "D" as DeviceId, endpoint: "sendToDevice", path: ["m.x"], txnId: "1" as TxnId };

describe("transaction store", () => {
  test("TD-40, TD-41: keys differ in every part of the scope", () => {
    const keys = new Set([
      txnKey(scope),
      txnKey({ ...scope, userId: "@b:x" as UserId }),
      txnKey({ ...scope, deviceId: "E" as DeviceId }),
      txnKey({ ...scope, endpoint: "sendMessage" }),
      txnKey({ ...scope, path: ["m.y"] }),
      txnKey({ ...scope, txnId: "2" as TxnId }),
      // No ambiguity from separators inside parts.
      txnKey({ ...scope, path: ['m.x","1'], txnId: "" as TxnId }),
    ]);
    expect(keys.size).toBe(7);
  });

  test("TD-45 (txn-retention): entries expire at storedAt + retention, oldest first", () => {
    const store = createTxnStore();
    rememberTxn(store, "a", { outcome: 1, storedAt: 0, fingerprint: null });
    rememberTxn(store, "b", { outcome: 2, storedAt: 10, fingerprint: null });
    expect(nextTxnExpiry(store, 100)).toBe(100);
    expect(expireTxns(store, 99, 100)).toBe(0);
    expect(expireTxns(store, 100, 100)).toBe(1);
    expect(lookupTxn(store, "a")).toBeUndefined();
    expect(lookupTxn(store, "b")?.outcome).toBe(2);
    expect(nextTxnExpiry(store, 100)).toBe(110);
    expect(expireTxns(store, 1_000, 100)).toBe(1);
    expect(nextTxnExpiry(store, 100)).toBeNull();
  });
});

describe("sendToDevice transaction ids", () => {
  function setup(policies = {}) {
    const s = new TestServer(policies);
    const alice = s.register("alice", "A");
    const bob = s.register("bob");
    const to = (n: number) => ({ [bob.userId]: { [bob.deviceId]: { n } } });
    const received = () => contents(s.syncOk(bob).events);
    return { s, alice, bob, to, received };
  }

  test("TD-37, TD-38, TD-39: a retransmission answers the first answer and delivers nothing", () => {
    const { s, alice, to, received } = setup();
    const first = s.send(alice, "m.x", "1", to(1));
    expect(s.send(alice, "m.x", "1", to(1))).toEqual({ outcome: first.outcome, effects: [] });
    expect(received()).toEqual([{ n: 1 }]);
  });

  test("TD-40, TD-41: other event type, other device, other user: distinct requests", () => {
    const { s, alice, bob, to, received } = setup();
    s.send(alice, "m.x", "1", to(1));
    s.send(alice, "m.y", "1", to(2));
    s.send(s.login(alice.userId, "A2"), "m.x", "1", to(3));
    s.send(bob, "m.x", "1", to(4));
    expect(received()).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
  });

  test("TD-42: logging in again with the old device_id keeps the scope; a new device does not", () => {
    const { s, alice, to, received } = setup();
    s.send(alice, "m.x", "1", to(1));
    s.send(s.login(alice.userId, "A"), "m.x", "1", to(2));
    s.send(s.login(alice.userId, "NEW"), "m.x", "1", to(3));
    expect(received()).toEqual([{ n: 1 }, { n: 3 }]);
  });

  test("TD-46 (txn-body-mismatch: replay, default): a different body gets the first answer", () => {
    const { s, alice, to, received } = setup();
    s.send(alice, "m.x", "1", to(1));
    expect(s.send(alice, "m.x", "1", to(2))).toEqual({ outcome: { ok: true }, effects: [] });
    expect(received()).toEqual([{ n: 1 }]);
  });

  test("TD-46 (txn-body-mismatch: reject): a different body is 400, an identical one replays", () => {
    const { s, alice, to, received } = setup({ txnReuseDifferentBody: "reject" });
    s.send(alice, "m.x", "1", to(1));
    const refused = s.send(alice, "m.x", "1", to(2));
    expect(refused).toMatchObject({ outcome: { ok: false, error: { errcode: "M_INVALID_PARAM", status: 400, message: expect.stringMatching(/\S/) } }, effects: [] });
    expect(s.send(alice, "m.x", "1", to(1))).toEqual({ outcome: { ok: true }, effects: [] });
    expect(received()).toEqual([{ n: 1 }]);
  });

  test("TD-45 (txn-retention): remembered for the retention time, then a new request", () => {
    const { s, alice, to, received } = setup({ txnRetentionMs: 1_000 });
    s.send(alice, "m.x", "1", to(1));
    s.now += 999;
    expect(apply(s.hs, { type: "expire" }, s.now).outcome).toMatchObject({ txnsExpired: 0, nextExpiryAt: s.now + 1 });
    s.send(alice, "m.x", "1", to(2));
    s.now += 1;
    expect(apply(s.hs, { type: "expire" }, s.now).outcome).toEqual({ ok: true, txnsExpired: 1, messagesExpired: 0, nextExpiryAt: null });
    s.send(alice, "m.x", "1", to(3));
    expect(received()).toEqual([{ n: 1 }, { n: 3 }]);
  });
});
