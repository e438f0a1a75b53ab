// Checks the room endpoints of the homeserver engine through `apply` (the event source of push):
// ids made from the command's seed, which createRoom invites count, room ids vs aliases on join,
// who may do what, `/send` transaction ids (TD-37…TD-40), and that room events reach pushers
// (PUSH-2, PUSH-58, PUSH-62); assumes one server, hs.test, and fresh seeds.
import { describe, expect, test } from "vitest";
import type { Json } from "../../src/canonical-json.ts";
import type { Effect, JsonObject } from "../../src/engine/effects.ts";
import type { TxnId } from "../../src/ids.ts";
import { applyCommand as run, bodyOf as ok, type Client, expectRefused as refused, TestServer } from "./session.ts";

const URL = "http://localhost:5000/_matrix/push/v1/notify";

function timeline(s: TestServer, client: Client, roomId: string) {
  const out = run(s, { type: "sync", token: client.token }).outcome;
  if (!out.ok || !("rooms" in out)) throw new Error("sync failed");
  return out.rooms.rooms.find((r) => r.roomId === roomId);
}

function setPusher(s: TestServer, client: Client, pushkey: string): void {
  const body = { kind: "http", app_id: "app", pushkey, app_display_name: "A", device_display_name: "D", lang: "en", data: { url: URL } };
  ok(s, { type: "setPusher", token: client.token, body });
}

function room(s: TestServer, creator: Client, seed: string, body: JsonObject): string {
  const out = ok(s, { type: "createRoom", token: creator.token, seed, body }) as { room_id: string };
  return out.room_id;
}

describe("createRoom", () => {
  test("makes !seed:server with create, join, name and one invite per valid user id, ids $seed_n", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    const bob = s.register("bob");
    const id = room(s, alice, "r1", { name: "Tea", invite: [bob.userId, 42, "not a user id"], is_direct: true });
    expect(id).toBe("!r1:hs.test");
    const events = timeline(s, alice, id)?.events ?? [];
    expect(events.map((e) => [e.event_id, e.type, e.state_key])).toEqual([
      ["$r1_0", "m.room.create", ""],
      ["$r1_1", "m.room.member", alice.userId],
      ["$r1_2", "m.room.name", ""],
      ["$r1_3", "m.room.member", bob.userId],
    ]);
    expect(events[3]?.content).toEqual({ membership: "invite", is_direct: true });
    expect(timeline(s, bob, id)).toMatchObject({ membership: "invite", events: [{ event_id: "$r1_3" }] });
  });

  test("without a string name there is no name event, and is_direct must be true to be set", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    const bob = s.register("bob");
    const id = room(s, alice, "r2", { name: 7, invite: [bob.userId], is_direct: "yes" });
    const events = timeline(s, alice, id)?.events ?? [];
    expect(events.map((e) => e.type)).toEqual(["m.room.create", "m.room.member", "m.room.member"]);
    expect(events[2]).toMatchObject({ event_id: "$r2_2", content: { membership: "invite" } });
    expect(events[2]?.content).not.toHaveProperty("is_direct");
    refused(s, { type: "createRoom", token: alice.token, seed: "r2", body: {} }, "M_ROOM_IN_USE", 400);
  });

  test("room_alias_name makes #name:server the canonical alias, then come name and topic (a string topic only), and a join by the alias works; a bad or taken one is refused", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    const bob = s.register("bob");
    const id = room(s, alice, "r3", { room_alias_name: "tea", name: "Tea", topic: "Leaves", invite: [bob.userId] });
    const events = timeline(s, alice, id)?.events ?? [];
    expect(events.map((e) => [e.event_id, e.type])).toEqual([
      ["$r3_0", "m.room.create"],
      ["$r3_1", "m.room.member"],
      ["$r3_2", "m.room.canonical_alias"],
      ["$r3_3", "m.room.name"],
      ["$r3_4", "m.room.topic"],
      ["$r3_5", "m.room.member"],
    ]);
    expect(events.slice(2, 5).map((e) => e.content)).toEqual([{ alias: "#tea:hs.test" }, { name: "Tea" }, { topic: "Leaves" }]);
    expect(timeline(s, alice, room(s, alice, "r5", { topic: 3 }))?.events.map((e) => e.type)).toEqual(["m.room.create", "m.room.member"]);
    expect(ok(s, { type: "join", token: bob.token, roomIdOrAlias: "#tea:hs.test", seed: "j" })).toEqual({ room_id: id });
    for (const bad of ["", "a:b", "#a", "a b", 7]) {
      refused(s, { type: "createRoom", token: alice.token, seed: `bad${String(bad)}`, body: { room_alias_name: bad } }, "M_INVALID_PARAM", 400);
    }
    refused(s, { type: "createRoom", token: bob.token, seed: "r4", body: { room_alias_name: "tea" } }, "M_ROOM_IN_USE", 400);
  });

  test("invite must be a list, and only its strings that are user ids invite anyone", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    const bob = s.register("bob");
    const notAList = room(s, alice, "r3", { invite: bob.userId });
    const nested = room(s, alice, "r4", { invite: [[bob.userId], { user_id: bob.userId }, null] });
    for (const id of [notAList, nested]) {
      expect(timeline(s, alice, id)?.events.map((e) => e.type)).toEqual(["m.room.create", "m.room.member"]);
      expect(timeline(s, bob, id)).toBeUndefined();
    }
  });

  test("TD-56: room commands need a known access token", () => {
    const s = new TestServer();
    refused(s, { type: "createRoom", token: null, seed: "x", body: {} }, "M_MISSING_TOKEN", 401);
    refused(s, { type: "leave", token: "nope" as never, roomId: "!x:hs.test", seed: "y" }, "M_UNKNOWN_TOKEN", 401);
  });
});

describe("membership", () => {
  test("invite, join by id or canonical alias, leave; each answers as the API does", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    const bob = s.register("bob");
    const carol = s.register("carol");
    const id = room(s, alice, "r", {});
    expect(ok(s, { type: "setState", token: alice.token, roomId: id, eventType: "m.room.canonical_alias", stateKey: "", content: { alias: "#tea:hs.test" }, seed: "a" })).toEqual({ event_id: "$a_0" });
    expect(ok(s, { type: "invite", token: alice.token, roomId: id, userId: bob.userId, seed: "i" })).toEqual({});
    refused(s, { type: "invite", token: carol.token, roomId: id, userId: carol.userId, seed: "i2" }, "M_FORBIDDEN", 403);
    refused(s, { type: "join", token: bob.token, roomIdOrAlias: "#nowhere:hs.test", seed: "j0" }, "M_NOT_FOUND", 404);
    expect(ok(s, { type: "join", token: bob.token, roomIdOrAlias: "#tea:hs.test", seed: "j" })).toEqual({ room_id: id });
    expect(timeline(s, bob, id)?.events.at(-1)).toMatchObject({ event_id: "$j_0", content: { membership: "join" } });
    refused(s, { type: "join", token: carol.token, roomIdOrAlias: id, seed: "j2" }, "M_FORBIDDEN", 403);
    expect(ok(s, { type: "leave", token: bob.token, roomId: id, seed: "l" })).toEqual({});
    expect(timeline(s, bob, id)).toMatchObject({ membership: "leave" });
  });
});

describe("join: room id or alias", () => {
  test("a room id is joined as that id, never looked up among canonical aliases", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    const bob = s.register("bob");
    const invitedTo = room(s, alice, "x", { invite: [bob.userId] });
    const other = room(s, alice, "y", {});
    // This room model does not check what an alias looks like, so another room may claim the id as its alias.
    ok(s, { type: "setState", token: alice.token, roomId: other, eventType: "m.room.canonical_alias", stateKey: "", content: { alias: invitedTo }, seed: "a" });
    expect(ok(s, { type: "join", token: bob.token, roomIdOrAlias: invitedTo, seed: "j" })).toEqual({ room_id: invitedTo });
    expect(timeline(s, bob, invitedTo)).toMatchObject({ membership: "join" });
  });
});

describe("sendEvent and state", () => {
  test("TD-37…TD-40 on /send: a repeated txnId answers the first event id and adds nothing", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    const id = room(s, alice, "r", {});
    const send = (txnId: string, eventType: string, seed: string) =>
      run(s, { type: "sendEvent", token: alice.token, roomId: id, eventType, txnId: txnId as TxnId, content: { body: seed }, seed });
    expect(send("t1", "m.room.message", "e1").outcome).toEqual({ ok: true, body: { event_id: "$e1_0" } });
    expect(send("t1", "m.room.message", "e2")).toEqual({ outcome: { ok: true, body: { event_id: "$e1_0" } }, effects: [] });
    expect(send("t1", "m.other", "e3").outcome).toEqual({ ok: true, body: { event_id: "$e3_0" } });
    expect(timeline(s, alice, id)?.events.map((e) => e.event_id).slice(-2)).toEqual(["$e1_0", "$e3_0"]);
  });

  test("a refused send is not remembered: the same txnId works once the sender has joined", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    const bob = s.register("bob");
    const id = room(s, alice, "r", { invite: [bob.userId] });
    const send = { type: "sendEvent", token: bob.token, roomId: id, eventType: "m.room.message", txnId: "t" as TxnId, content: { body: "hi" }, seed: "b" } as const;
    refused(s, send, "M_FORBIDDEN", 403);
    ok(s, { type: "join", token: bob.token, roomIdOrAlias: id, seed: "j" });
    expect(run(s, send).outcome).toEqual({ ok: true, body: { event_id: "$b_0" } });
  });

  test("setState refuses member events; setDisplayName re-announces the name in every joined room", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    const bob = s.register("bob");
    const id = room(s, alice, "r", {});
    refused(s, { type: "setState", token: alice.token, roomId: id, eventType: "m.room.member", stateKey: alice.userId, content: {}, seed: "m" }, "M_FORBIDDEN", 403);
    refused(s, { type: "setDisplayName", token: alice.token, userId: bob.userId, displayname: "B", seed: "d" }, "M_FORBIDDEN", 403);
    refused(s, { type: "getDisplayName", userId: alice.userId }, "M_NOT_FOUND", 404);
    expect(ok(s, { type: "setDisplayName", token: alice.token, userId: alice.userId, displayname: "Al", seed: "d" })).toEqual({});
    expect(ok(s, { type: "getDisplayName", userId: alice.userId })).toEqual({ displayname: "Al" });
    expect(timeline(s, alice, id)?.events.at(-1)).toMatchObject({ event_id: "$d_0", content: { membership: "join", displayname: "Al" } });
  });
});

/** Answers every `push.notify` with 200 through the `pushResult` command; returns the bodies sent. */
function drain(s: TestServer, effects: readonly Effect[]): Json[] {
  const sent: Json[] = [];
  for (const e of effects) {
    if (e.kind !== "push.notify") continue;
    sent.push(e.body);
    const answered = run(s, { type: "pushResult", pusherId: e.pusherId, result: { ok: true, status: 200, rejected: [] } });
    expect(answered.outcome).toEqual({ ok: true });
    sent.push(...drain(s, answered.effects));
  }
  return sent;
}

describe("room events feed the push path", () => {
  test("PUSH-2: a message notifies the other member's pusher at its URL, never the sender's (PUSH-62)", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    const bob = s.register("bob");
    setPusher(s, alice, "alicekey");
    setPusher(s, bob, "bobkey");
    const made = run(s, { type: "createRoom", token: alice.token, seed: "r", body: { invite: [bob.userId] } });
    const id = "!r:hs.test";
    drain(s, [...made.effects, ...run(s, { type: "join", token: bob.token, roomIdOrAlias: id, seed: "j" }).effects]);
    const sent = run(s, { type: "sendEvent", token: alice.token, roomId: id, eventType: "m.room.message", txnId: "t" as TxnId, content: { msgtype: "m.text", body: "hi" }, seed: "m" });
    const notified = sent.effects.filter((e) => e.kind === "push.notify");
    expect(notified.map((e) => e.url)).toEqual([URL]);
    expect(notified[0]?.body).toMatchObject({ notification: { event_id: "$m_0", devices: [{ pushkey: "bobkey" }] } });
  });

  test("PUSH-58: an invite reaches the invitee's pusher, with user_is_target set", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    const bob = s.register("bob");
    setPusher(s, bob, "bobkey");
    const id = room(s, alice, "r", {});
    const invited = run(s, { type: "invite", token: alice.token, roomId: id, userId: bob.userId, seed: "i" });
    expect(drain(s, invited.effects)).toMatchObject([
      { notification: { event_id: "$i_0", type: "m.room.member", content: { membership: "invite" }, user_is_target: true, devices: [{ pushkey: "bobkey" }] } },
    ]);
  });

  test("PUSH-57: a read receipt that lowers the badge queues a badge update; a repeated one nothing", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    const bob = s.register("bob");
    setPusher(s, bob, "bobkey");
    const made = run(s, { type: "createRoom", token: alice.token, seed: "r", body: { invite: [bob.userId] } });
    const id = "!r:hs.test";
    drain(s, [...made.effects, ...run(s, { type: "join", token: bob.token, roomIdOrAlias: id, seed: "j" }).effects]);
    const said = run(s, { type: "sendEvent", token: alice.token, roomId: id, eventType: "m.room.message", txnId: "t" as TxnId, content: { msgtype: "m.text", body: "hi" }, seed: "m" });
    expect(drain(s, said.effects)).toMatchObject([{ notification: { event_id: "$m_0", counts: { unread: 1 } } }]);
    const receipt = { type: "setReceipt", token: bob.token, roomId: id, receiptType: "m.read", eventId: "$m_0" } as const;
    const first = run(s, receipt);
    expect(first.outcome).toEqual({ ok: true, body: {} });
    expect(first.effects).toMatchObject([{ kind: "push.notify", body: { notification: { counts: {} } } }]);
    expect(run(s, receipt)).toEqual({ outcome: { ok: true, body: {} }, effects: [] });
    refused(s, { ...receipt, roomId: "!none:hs.test" }, "M_NOT_FOUND", 404);
  });
});
