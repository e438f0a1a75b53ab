// Checks who the push path notifies and when the badge changes, through the homeserver engine:
// only joined members and a member event's target, the badge over rooms the user is still in,
// a badge update when only missed calls change, nothing for events no rule notifies, and what a
// restart resends (PUSH-16, PUSH-17, PUSH-57, PUSH-60, PUSH-61); assumes one server, hs.test,
// and a gateway that answers each push with 200 unless a test says otherwise.
import { describe, expect, test } from "vitest";
import type { Json } from "../../../src/canonical-json.ts";
import { apply, type HomeserverCommand, resume } from "../../../src/engine/homeserver.ts";
import type { Effect, JsonObject } from "../../../src/engine/effects.ts";
import type { Policies } from "../../../src/engine/policies.ts";
import { withPushPolicies } from "../../../src/engine/push/policy.ts";
import type { TxnId } from "../../../src/ids.ts";
import { type Client, TestServer } from "../session.ts";

const URL = "http://localhost:5000/_matrix/push/v1/notify";
const ROOM = "!r:hs.test";

interface World {
  readonly s: TestServer;
  readonly alice: Client;
  readonly bob: Client;
  n: number;
}

/** Answers every `push.notify` with 200; returns the `notification` objects sent, in order. */
function drain(w: World, effects: readonly Effect[]): JsonObject[] {
  const sent: JsonObject[] = [];
  for (const e of effects) {
    if (e.kind !== "push.notify") continue;
    sent.push((e.body as { notification: JsonObject }).notification);
    sent.push(...drain(w, apply(w.s.hs, { type: "pushResult", pusherId: e.pusherId, result: { ok: true, status: 200, rejected: [] } }, w.s.now).effects));
  }
  return sent;
}

function run(w: World, command: HomeserverCommand): JsonObject[] {
  const applied = apply(w.s.hs, command, w.s.now);
  if (!applied.outcome.ok) throw new Error(`${command.type}: ${JSON.stringify(applied.outcome)}`);
  return drain(w, applied.effects);
}

/** Alice's room with Bob joined and Bob's pusher set (before anything happened in the room). */
function world(policies: Partial<Policies> = {}): World {
  const s = new TestServer(policies);
  const w: World = { s, alice: s.register("alice"), bob: s.register("bob"), n: 0 };
  const pusher = { kind: "http", app_id: "app", pushkey: "bobkey", app_display_name: "A", device_display_name: "D", lang: "en", data: { url: URL } };
  run(w, { type: "setPusher", token: w.bob.token, body: pusher });
  run(w, { type: "createRoom", token: w.alice.token, seed: "r", body: { invite: [w.bob.userId] } });
  run(w, { type: "join", token: w.bob.token, roomIdOrAlias: ROOM, seed: "j" });
  return w;
}

function say(w: World, from: Client, type: string, content: JsonObject, roomId = ROOM): { sent: JsonObject[]; eventId: string } {
  w.n += 1;
  const seed = `e${w.n}`;
  const sent = run(w, { type: "sendEvent", token: from.token, roomId, eventType: type, txnId: seed as TxnId, content, seed });
  return { sent, eventId: `$${seed}_0` };
}

function read(w: World, who: Client, eventId: string, roomId = ROOM): JsonObject[] {
  return run(w, { type: "setReceipt", token: who.token, roomId, receiptType: "m.read", eventId });
}

describe("who is notified", () => {
  test("PUSH-61: an event no rule notifies queues nothing at all", () => {
    const w = world();
    const applied = apply(w.s.hs, { type: "sendEvent", token: w.alice.token, roomId: ROOM, eventType: "org.example.quiet", txnId: "q" as TxnId, content: {}, seed: "q" }, w.s.now);
    expect(applied.effects).toEqual([]);
  });

  test("a state event keyed by an invited user's id does not notify them: only joined members and member targets", () => {
    const w = world();
    const carol = w.s.register("carol");
    run(w, { type: "invite", token: w.alice.token, roomId: ROOM, userId: carol.userId, seed: "i" });
    const carolPusher = { kind: "http", app_id: "app", pushkey: "carolkey", app_display_name: "A", device_display_name: "D", lang: "en", data: { url: URL } };
    run(w, { type: "setPusher", token: carol.token, body: carolPusher });
    const sent = run(w, { type: "setState", token: w.alice.token, roomId: ROOM, eventType: "m.room.message", stateKey: carol.userId, content: { body: "x" }, seed: "st" });
    expect(sent.map((n) => (n.devices as Json[])[0])).toEqual([expect.objectContaining({ pushkey: "bobkey" })]);
  });

  test("the sender's own receipt move sends their pushers nothing when their badge is unchanged", () => {
    const w = world();
    const alicePusher = { kind: "http", app_id: "app", pushkey: "alicekey", app_display_name: "A", device_display_name: "D", lang: "en", data: { url: URL } };
    run(w, { type: "setPusher", token: w.alice.token, body: alicePusher });
    const applied = apply(w.s.hs, { type: "sendEvent", token: w.alice.token, roomId: ROOM, eventType: "m.room.message", txnId: "m" as TxnId, content: { body: "x" }, seed: "m" }, w.s.now);
    expect(applied.effects.map((e) => e.kind)).toEqual(["push.notify"]);
  });
});

describe("the badge (PUSH-16, PUSH-17, PUSH-57)", () => {
  test("unread counts only rooms the user is still in: leaving drops that room's messages from the badge", () => {
    const w = world();
    run(w, { type: "createRoom", token: w.alice.token, seed: "r2", body: { invite: [w.bob.userId] } });
    run(w, { type: "join", token: w.bob.token, roomIdOrAlias: "!r2:hs.test", seed: "j2" });
    say(w, w.alice, "m.room.message", { body: "one" });
    const second = say(w, w.alice, "m.room.message", { body: "two" }, "!r2:hs.test");
    expect(second.sent.map((n) => n.counts)).toEqual([{ unread: 2 }]);
    run(w, { type: "leave", token: w.bob.token, roomId: ROOM, seed: "l" });
    const third = say(w, w.alice, "m.room.message", { body: "three" }, "!r2:hs.test");
    expect(third.sent.map((n) => n.counts)).toEqual([{ unread: 2 }]);
  });

  test("a receipt that changes only missed_calls still sends a badge update (unreadCounts: rooms)", () => {
    const w = world({ push: withPushPolicies({ unreadCounts: "rooms" }) });
    const call = say(w, w.alice, "m.call.invite", { call_id: "c", version: 1 });
    const msg = say(w, w.alice, "m.room.message", { body: "later" });
    expect(msg.sent.map((n) => n.counts)).toEqual([{ unread: 1, missed_calls: 1 }]);
    expect(read(w, w.bob, call.eventId)).toEqual([{ counts: { unread: 1 }, devices: [expect.objectContaining({ pushkey: "bobkey" })] }]);
  });
});

describe("the driver's answers", () => {
  test("an answer or a timer for a pusher that no longer exists changes nothing", () => {
    const w = world();
    expect(apply(w.s.hs, { type: "pushResult", pusherId: "gone", result: { ok: true, status: 200, rejected: [] } }, 0)).toEqual({ outcome: { ok: true }, effects: [] });
    expect(apply(w.s.hs, { type: "timer", id: "push.backoff:gone" }, 0)).toEqual({ outcome: { ok: true }, effects: [] });
  });

  test("PUSH-60: after a restart the push in flight goes out again and an armed back-off is re-armed", () => {
    const w = world();
    const applied = apply(w.s.hs, { type: "sendEvent", token: w.alice.token, roomId: ROOM, eventType: "m.room.message", txnId: "m" as TxnId, content: { body: "x" }, seed: "m" }, w.s.now);
    const push = applied.effects.find((e) => e.kind === "push.notify");
    if (push?.kind !== "push.notify") throw new Error("no push");
    expect(resume(w.s.hs)).toEqual([push]);
    apply(w.s.hs, { type: "pushResult", pusherId: push.pusherId, result: { ok: false, reason: "down" } }, w.s.now);
    expect(resume(w.s.hs)).toEqual([{ kind: "timer", id: `push.backoff:${push.pusherId}`, at: w.s.now + 1000 }]);
  });
});
