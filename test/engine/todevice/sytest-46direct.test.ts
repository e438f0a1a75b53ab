// Checks the local SyTest `tests/46direct` scenarios (research to_device.md §4.1) against the
// engine directly, assuming the default policies and one homeserver (the federation cases belong
// to the federation suites; "wakes up /sync" is checked as the engine's wake effect).
import { describe, expect, test } from "vitest";
import { contents, expectOk, TestServer } from "../session.ts";

const TYPE = "my.test.type";

describe("TD-10: SyTest 46direct, in engine form", () => {
  test("TD-1, TD-9, TD-34: can send a message directly to a device using PUT /sendToDevice", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    const sent = s.send(alice, TYPE, "1", { [alice.userId]: { [alice.deviceId]: { my_key: "my_value" } } });
    expect(sent.outcome).toEqual({ ok: true });
  });

  test("TD-17, TD-29, TD-30, TD-31, TD-32, TD-33: can recv a device message using /sync", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    s.send(alice, TYPE, "1", { [alice.userId]: { [alice.deviceId]: { my_key: "my_value" } } });
    expect(s.syncOk(alice).events).toEqual([{ sender: alice.userId, type: TYPE, content: { my_key: "my_value" } }]);
  });

  test("TD-14, TD-17: can send a to-device message to two users which both receive it using /sync", () => {
    const s = new TestServer();
    const sender = s.register("sender");
    const r1 = s.register("recip1");
    const r2 = s.register("recip2");
    const since1 = s.syncOk(r1).nextBatch;
    const since2 = s.syncOk(r2).nextBatch;
    expectOk(
      s.send(sender, TYPE, "1", {
        [r1.userId]: { [r1.deviceId]: { my_key: "r1" } },
        [r2.userId]: { [r2.deviceId]: { my_key: "r2" } },
      }).outcome,
    );
    expect(s.syncOk(r1, since1).events).toEqual([{ sender: sender.userId, type: TYPE, content: { my_key: "r1" } }]);
    expect(s.syncOk(r2, since2).events).toEqual([{ sender: sender.userId, type: TYPE, content: { my_key: "r2" } }]);
  });

  test("TD-21, TD-52, TD-53: can recv device messages until they are acknowledged", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    s.send(alice, TYPE, "1", { [alice.userId]: { [alice.deviceId]: { message: "first" } } });
    const first = s.syncOk(alice);
    expect(contents(first.events)).toEqual([{ message: "first" }]);
    const again = s.syncOk(alice);
    expect(contents(again.events)).toEqual([{ message: "first" }]);
    expect(contents(s.syncOk(alice, again.nextBatch).events)).toEqual([]);
    s.send(alice, TYPE, "2", { [alice.userId]: { [alice.deviceId]: { message: "second" } } });
    expect(contents(s.syncOk(alice, again.nextBatch).events)).toEqual([{ message: "second" }]);
  });

  test("TD-5, TD-38, TD-39: device messages with the same txn_id are deduplicated", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    const first = { [alice.userId]: { [alice.deviceId]: { message: "first" } } };
    expectOk(s.send(alice, TYPE, "my_transaction_id", first).outcome);
    const got = s.syncOk(alice);
    expect(contents(got.events)).toEqual([{ message: "first" }]);
    const acked = s.syncOk(alice, got.nextBatch);
    const replay = s.send(alice, TYPE, "my_transaction_id", first);
    expect(replay).toEqual({ outcome: { ok: true }, effects: [] });
    s.send(alice, TYPE, "other_id", { [alice.userId]: { [alice.deviceId]: { message: "second" } } });
    expect(contents(s.syncOk(alice, acked.nextBatch).events)).toEqual([{ message: "second" }]);
  });

  test("TD-55: device messages wake up /sync (a wake effect for the device)", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    const sent = s.send(alice, TYPE, "1", { [alice.userId]: { [alice.deviceId]: { my_key: "my_value" } } });
    expect(sent.effects).toEqual([{ kind: "wake", userId: alice.userId, deviceId: alice.deviceId }]);
  });

  test("TD-7, TD-16, TD-47: can send messages with a wildcard device id", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    s.send(alice, TYPE, "1", { [alice.userId]: { "*": { message: "first" } } });
    const got = s.syncOk(alice);
    expect(contents(got.events)).toEqual([{ message: "first" }]);
    const next = s.syncOk(alice, got.nextBatch);
    s.send(alice, TYPE, "2", { [alice.userId]: { "*": { message: "second" } } });
    expect(contents(s.syncOk(alice, next.nextBatch).events)).toEqual([{ message: "second" }]);
  });

  test("TD-7, TD-47: can send messages with a wildcard device id to two devices", () => {
    const s = new TestServer();
    const d1 = s.register("alice", "D1");
    const d2 = s.login(d1.userId, "D2");
    const sent = s.send(d1, TYPE, "1", { [d1.userId]: { "*": { message: "first" } } });
    expect(sent.effects).toEqual([
      { kind: "wake", userId: d1.userId, deviceId: "D1" },
      { kind: "wake", userId: d1.userId, deviceId: "D2" },
    ]);
    const got1 = s.syncOk(d1);
    const got2 = s.syncOk(d2);
    expect(contents(got1.events)).toEqual([{ message: "first" }]);
    expect(got2.events).toEqual(got1.events);
    s.send(d1, TYPE, "2", { [d1.userId]: { "*": { message: "second" } } });
    expect(contents(s.syncOk(d1, got1.nextBatch).events)).toEqual([{ message: "second" }]);
    expect(contents(s.syncOk(d2, got2.nextBatch).events)).toEqual([{ message: "second" }]);
  });
});
