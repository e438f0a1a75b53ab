// Checks send-to-device edges the main suites leave open: the combined /sync token of both
// streams, next_batch at the stream head, one wake per device, `*` and device keys under each
// recipient policy, a non-object body, the inbox's counts and the delivery abstraction (TD-7,
// TD-17, TD-21, TD-27, TD-36, TD-49, TD-52, TD-54, TD-55), releasing inboxes, and the report's
// diagram of the delivery machine; assumes one server, hs.test.
import { describe, expect, test } from "vitest";
import { apply } from "../../../src/engine/homeserver.ts";
import type { ToDeviceEvent } from "../../../src/engine/commands.ts";
import { DELIVERY_EVENTS, deliveryMachine } from "../../../src/engine/todevice/delivery.machine.ts";
import { deliveryStateOf, stands, storedMessages } from "../../../src/engine/todevice/delivery-abstraction.ts";
import { ackUpTo, appendMessage, createInbox, pendingCount } from "../../../src/engine/todevice/inbox.ts";
import { releaseIfEmpty } from "../../../src/engine/todevice/inboxes.ts";
import { machineGraph } from "../../../src/report/machine-graph.ts";
import type { AccessToken, DeviceId, TxnId, UserId } from "../../../src/ids.ts";
import { contents, TestServer } from "../session.ts";

describe("GET /sync joins both streams as <to-device>_<rooms>", () => {
  test("TD-17, TD-52: the token moves both streams; a bare number is a to-device position", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    apply(s.hs, { type: "createRoom", token: alice.token, seed: "r", body: {} }, 0);
    s.send(alice, "m.x", "t1", { [alice.userId]: { DEV1: { n: 1 } } });
    const full = apply(s.hs, { type: "sync", token: alice.token }, 0);
    expect(full).toMatchObject({ outcome: { ok: true, nextBatch: "1_2", toDevice: [{ content: { n: 1 } }] }, effects: [] });
    const again = apply(s.hs, { type: "sync", token: alice.token, since: "1_2" }, 0).outcome;
    expect(again).toMatchObject({ ok: true, nextBatch: "1_2", toDevice: [], rooms: { rooms: [] } });
    const bare = apply(s.hs, { type: "sync", token: alice.token, since: "1" }, 0).outcome;
    expect(bare).toMatchObject({ ok: true, toDevice: [], rooms: { rooms: [{ roomId: "!r:hs.test" }] } });
    apply(s.hs, { type: "setState", token: alice.token, roomId: "!r:hs.test", eventType: "m.room.name", stateKey: "", content: { name: "N" }, seed: "n" }, 0);
    const later = apply(s.hs, { type: "sync", token: alice.token, since: "1_2" }, 0).outcome;
    expect(later).toMatchObject({ ok: true, nextBatch: "1_3", rooms: { rooms: [{ events: [{ event_id: "$n_0" }] }] } });
  });

  test("malformed tokens are 400 M_INVALID_PARAM; unknown tokens 401; a room position from the future is clamped", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    for (const since of ["abc", "x1", "1x", "1_", "_1", "1_2_3", "1234567890123456", "1_1234567890123456"]) {
      const out = apply(s.hs, { type: "sync", token: alice.token, since }, 0);
      expect(out).toMatchObject({ outcome: { ok: false, error: { errcode: "M_INVALID_PARAM", status: 400 } }, effects: [] });
      expect(!out.outcome.ok && out.outcome.error.message.length > 0).toBe(true);
    }
    expect(apply(s.hs, { type: "sync", token: "nope" as AccessToken }, 0).outcome).toMatchObject({ ok: false, error: { errcode: "M_UNKNOWN_TOKEN" } });
    expect(apply(s.hs, { type: "sync", token: alice.token, since: "12_34" }, 0).outcome).toMatchObject({ ok: true, nextBatch: "0_0" });
  });
});

describe("to_device in /sync", () => {
  test("TD-54: without a cut, next_batch is the stream head even when others' messages came later", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    const bob = s.register("bob");
    s.send(alice, "m.x", "t1", { [bob.userId]: { DEV1: { n: 1 } }, [alice.userId]: { DEV1: { n: 2 } } });
    const out = apply(s.hs, { type: "syncToDevice", token: bob.token }, 0);
    expect(out).toEqual({ outcome: { ok: true, nextBatch: "2", events: [{ sender: alice.userId, type: "m.x", content: { n: 1 } }] }, effects: [] });
  });

  test("refusals and empty inboxes answer with no effects", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    expect(apply(s.hs, { type: "syncToDevice", token: null }, 0).effects).toEqual([]);
    expect(apply(s.hs, { type: "syncToDevice", token: alice.token, since: "x" }, 0).effects).toEqual([]);
    expect(apply(s.hs, { type: "syncToDevice", token: alice.token }, 0)).toEqual({ outcome: { ok: true, nextBatch: "0", events: [] }, effects: [] });
    const sent = s.send(alice, "m.x", "t", { [alice.userId]: { DEV1: { n: 1 } } });
    expect(sent.effects).toEqual([{ kind: "wake", userId: alice.userId, deviceId: "DEV1" }]);
  });
});

describe("recipients (TD-7, TD-27, TD-49, TD-55)", () => {
  test("TD-55: a device that gets two messages from one request is woken once", () => {
    const s = new TestServer({ wildcardMixed: "expand-all" });
    const alice = s.register("alice");
    const sent = s.send(alice, "m.x", "t", { [alice.userId]: { "*": { all: true }, DEV1: { mine: true } } });
    expect(sent.effects).toEqual([{ kind: "wake", userId: alice.userId, deviceId: "DEV1" }]);
    expect(contents(s.syncOk(alice).events)).toEqual([{ all: true }, { mine: true }]);
  });

  test("TD-49 (wildcard-mixed: literal): a `*` that is the only key still expands", () => {
    const s = new TestServer({ wildcardMixed: "literal" });
    const alice = s.register("alice");
    const phone = s.login(alice.userId, "PHONE");
    s.send(alice, "m.x", "t", { [alice.userId]: { "*": { n: 1 } } });
    expect(contents(s.syncOk(phone).events)).toEqual([{ n: 1 }]);
  });

  test("TD-27 (unknown-recipients): `*` for an unknown local user stores nothing, and `store` keeps no invalid device id", () => {
    for (const unknownRecipients of ["skip", "store"] as const) {
      const s = new TestServer({ unknownRecipients });
      const alice = s.register("alice");
      s.send(alice, "m.x", "t", { "@ghost:hs.test": { "*": { n: 1 } }, [alice.userId]: { "": { n: 2 } } });
      expect([...storedMessages(s.hs)]).toEqual([]);
    }
  });

  test("TD-36: a body that is not an object is 400 M_BAD_JSON, not a missing parameter", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    for (const body of [[], 5, "x"]) {
      const cmd = { type: "sendToDevice", token: alice.token, eventType: "m.x", txnId: "t" as TxnId, body } as const;
      expect(apply(s.hs, cmd, 0).outcome).toMatchObject({ ok: false, error: { errcode: "M_BAD_JSON", status: 400 } });
    }
  });
});

describe("inbox and the delivery abstraction (TD-20, TD-21)", () => {
  const event: ToDeviceEvent = { sender: "@a:hs" as UserId, type: "m.x", content: {} };

  test("pendingCount counts what is left after an acknowledgement", () => {
    const inbox = createInbox();
    for (const p of [1, 2, 3]) appendMessage(inbox, p, event, 0);
    ackUpTo(inbox, 1);
    expect(pendingCount(inbox)).toBe(2);
  });

  test("a message is `returned` up to and including the last position a sync listed, `pending` after", () => {
    const s = new TestServer({ syncLimit: 1 });
    const alice = s.register("alice");
    s.send(alice, "m.x", "t1", { [alice.userId]: { DEV1: { n: 1 } } });
    s.send(alice, "m.x", "t2", { [alice.userId]: { DEV1: { n: 2 } } });
    s.syncOk(alice);
    const dev = "DEV1" as DeviceId;
    expect([1, 2, 3].map((p) => deliveryStateOf(s.hs, alice.userId, dev, p))).toEqual(["returned", "pending", "gone"]);
  });

  test("`stands` maps each abstract state to exactly its machine states", () => {
    expect([stands("pending", "pending"), stands("pending", "returned"), stands("returned", "pending")]).toEqual([true, false, false]);
    expect([stands("gone", "acknowledged"), stands("gone", "dropped"), stands("gone", "returned")]).toEqual([true, true, false]);
  });

  test("DELIVERY_EVENTS, which the graph and refinement suites explore, is every event the machine takes", () => {
    expect(DELIVERY_EVENTS.map((e) => e.type).sort()).toEqual([...deliveryMachine.events].sort());
  });

  test("the report draws the delivery machine, named `delivery`, with every transition of its header's table (TD-52: returned stays returned)", () => {
    const graph = machineGraph(deliveryMachine);
    const short = (id: string) => id.replace(/^delivery\./, "");
    expect(graph.id).toBe("delivery");
    expect(graph.edges.map((e) => `${short(e.source)} ${e.event} ${short(e.target)}`).sort()).toEqual(
      [
        "accepted STORE pending",
        "pending RETURN returned",
        "pending ACK dropped",
        "pending DEVICE_DELETED dropped",
        "pending EXPIRE dropped",
        "returned RETURN returned",
        "returned ACK acknowledged",
        "returned DEVICE_DELETED dropped",
        "returned EXPIRE dropped",
      ].sort(),
    );
  });

  test("releasing the inbox of an unknown user or device changes nothing", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    s.send(alice, "m.x", "t", { [alice.userId]: { DEV1: { n: 1 } } });
    releaseIfEmpty(s.hs.state.todevice, "@ghost:hs.test" as UserId, "DEV1" as DeviceId);
    releaseIfEmpty(s.hs.state.todevice, alice.userId, "OTHER" as DeviceId);
    releaseIfEmpty(s.hs.state.todevice, alice.userId, alice.deviceId);
    expect([...storedMessages(s.hs)]).toEqual([{ userId: alice.userId, deviceId: "DEV1", position: 1 }]);
  });
});
