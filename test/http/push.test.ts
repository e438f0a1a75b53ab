// The push path over real sockets: a pusher set against the sandbox gateway turns a room message
// into a provider delivery (seen at the gateway's /_courier/deliveries); a pushkey the sandbox
// FCM provider rejects removes the pusher; and SyTest 61push's cases that fit the minimal room
// model, checked on the notify bodies a recording gateway receives (each also checked against the
// generated notify body schema). Assumes in-process servers with default policies unless a test
// names others; pushers are active at once, so no SyTest-style warm-up loop is needed.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { GatewayServer } from "../../src/gateway-server/server.ts";
import { type MatrixSession, must, register } from "../support/http-client.ts";
import { Federation, type NotifyPost, type RecordingGateway, startRecordingGateway, startSandboxGateway, until } from "../support/http-servers.ts";

const FCM = "org.courier.sandbox.fcm";
let counter = 0;
const fresh = (prefix: string) => `${prefix}${++counter}`;

function pusherBody(url: string, pushkey: string, appId = "sytest", data: Record<string, unknown> = {}) {
  return { kind: "http", app_id: appId, app_display_name: "Courier test", device_display_name: "phone", pushkey, lang: "en", data: { url, ...data } };
}

/** alice and bob (and more) joined to a fresh room of alice's; alice has a pusher to `url`. */
async function pushedRoom(base: string, url: string, pushkey: string, extra = 0, appId = "sytest") {
  const alice = await register(base, fresh("alice"));
  const others: MatrixSession[] = [];
  for (let i = 0; i <= extra; i++) others.push(await register(base, fresh("bob")));
  const roomId = must(await alice.createRoom({})).room_id;
  for (const other of others) {
    must(await alice.invite(roomId, other.userId));
    must(await other.join(roomId));
  }
  must(await alice.setPusher(pusherBody(url, pushkey, appId)));
  const [bob] = others;
  if (bob === undefined) throw new Error("no bob");
  return { alice, bob, others, roomId };
}

const text = (body: string) => ({ msgtype: "m.text", body });

describe("to the sandbox gateway", () => {
  let fed: Federation;
  let gateway: GatewayServer;
  beforeAll(async () => {
    fed = await Federation.start(["hs1"]);
    gateway = await startSandboxGateway();
  });
  afterAll(async () => {
    await fed.close();
    await gateway.close();
  });

  const deliveries = (pushkey: string) => gateway.runtime.deliveries.list({ pushkey }).map((d) => d.event_id);

  test("a room message reaches the provider exactly once (PUSH-1, PUSH-2, GW-12, GW-17)", async () => {
    const url = `${gateway.url}/_matrix/push/v1/notify`;
    const { bob, roomId } = await pushedRoom(fed.url("hs1"), url, "fcm-ok-1", 0, FCM);
    const eventId = must(await bob.send(roomId, "m.room.message", "m1", text("hello"))).event_id;
    await until(() => deliveries("fcm-ok-1").includes(eventId), "the delivery");
    expect(deliveries("fcm-ok-1")).toEqual([eventId]);
    const listed = await fetch(`${gateway.url}/_courier/deliveries?pushkey=fcm-ok-1`).then((r) => r.json() as Promise<{ deliveries: { event_id?: string; provider: string }[] }>);
    expect(listed.deliveries).toMatchObject([{ event_id: eventId, provider: "fcm" }]);
  });

  test("a pushkey the provider rejects removes the pusher (PUSH-28, PUSH-29, PUSH-30, GW-6)", async () => {
    const url = `${gateway.url}/_matrix/push/v1/notify`;
    const { alice, bob, roomId } = await pushedRoom(fed.url("hs1"), url, "invalid-fcm-1", 0, FCM);
    must(await alice.setPusher(pusherBody(url, "fcm-kept-1", FCM)));
    must(await bob.send(roomId, "m.room.message", "r1", text("to a dead token")));
    await until(async () => must(await alice.pushers()).pushers.every((p) => p.pushkey !== "invalid-fcm-1"), "the rejected pusher to go");
    expect(must(await alice.pushers()).pushers.map((p) => p.pushkey)).toEqual(["fcm-kept-1"]);
    expect(deliveries("invalid-fcm-1")).toEqual([]);
  });
});

describe("SyTest 61push against a recording gateway", () => {
  let fed: Federation;
  let gw: RecordingGateway;
  const rejectKey1 = { on: false };
  beforeAll(async () => {
    fed = await Federation.start(["hs1"]);
    gw = await startRecordingGateway((post) => (rejectKey1.on ? post.notification.devices.map((d) => d.pushkey).filter((k) => k.startsWith("key_1")) : []));
  });
  afterAll(async () => {
    expect(gw.invalid).toEqual([]);
    await fed.close();
    await gw.close();
  });

  const postsFor = (pushkey: string): NotifyPost["notification"][] => gw.received.filter((p) => p.notification.devices.some((d) => d.pushkey === pushkey)).map((p) => p.notification);

  test("Test that a message is pushed; the read receipt sends a badge with no unread count (PUSH-6, PUSH-7, PUSH-8, PUSH-13, PUSH-14, PUSH-16, PUSH-18, PUSH-19, PUSH-20, PUSH-21, PUSH-22, PUSH-23, PUSH-53, PUSH-57)", async () => {
    const { alice, bob, roomId } = await pushedRoom(fed.url("hs1"), gw.notifyUrl, "msg-1");
    const eventId = must(await bob.send(roomId, "m.room.message", "p1", text("Hi there"))).event_id;
    await until(() => postsFor("msg-1").length === 1, "the push");
    const [pushed] = postsFor("msg-1");
    expect(pushed).toMatchObject({ event_id: eventId, room_id: roomId, type: "m.room.message", sender: bob.userId, content: text("Hi there"), counts: { unread: 1 } });
    expect(Object.keys(pushed?.devices[0] ?? {}).sort()).toEqual(["app_id", "data", "pushkey", "pushkey_ts", "tweaks"]);
    must(await alice.receipt(roomId, eventId));
    await until(() => postsFor("msg-1").length === 2, "the badge update");
    expect(postsFor("msg-1")[1]).toEqual({ counts: {}, devices: [expect.objectContaining({ pushkey: "msg-1" })] });
  });

  test("Invites are pushed (PUSH-25, PUSH-58)", async () => {
    const alice = await register(fed.url("hs1"), fresh("alice"));
    const bob = await register(fed.url("hs1"), fresh("bob"));
    must(await alice.setPusher(pusherBody(gw.notifyUrl, "inv-1")));
    const roomId = must(await bob.createRoom({})).room_id;
    must(await bob.invite(roomId, alice.userId));
    await until(() => postsFor("inv-1").length === 1, "the invite push");
    expect(postsFor("inv-1")[0]).toMatchObject({ type: "m.room.member", room_id: roomId, sender: bob.userId, user_is_target: true, content: { membership: "invite" } });
  });

  test("Rooms with names, with a canonical alias, and with many users are named in pushes (PUSH-10, PUSH-11)", async () => {
    const { bob, others, roomId } = await pushedRoom(fed.url("hs1"), gw.notifyUrl, "names-1", 1);
    must(await bob.setState(roomId, "m.room.canonical_alias", "", { alias: "#alias:hs1" }));
    must(await bob.send(roomId, "m.room.message", "n1", text("aliased")));
    must(await bob.setState(roomId, "m.room.name", "", { name: "Test Name" }));
    must(await (others[1] ?? bob).send(roomId, "m.room.message", "n2", text("named")));
    await until(() => postsFor("names-1").length === 2, "two pushes");
    expect(postsFor("names-1").map((n) => [n.content?.body, n.room_name, n.room_alias])).toEqual([
      ["aliased", undefined, "#alias:hs1"],
      ["named", "Test Name", "#alias:hs1"],
    ]);
  });

  test("Don't get pushed for rooms you've muted, except for a mention; never for your own events (PUSH-61, PUSH-62, PUSH-66)", async () => {
    const { alice, bob, roomId } = await pushedRoom(fed.url("hs1"), gw.notifyUrl, "mute-1");
    must(await alice.setPushRule("room", roomId, { actions: ["dont_notify"] }));
    must(await alice.send(roomId, "m.room.message", "own", text("mine")));
    must(await bob.send(roomId, "m.room.message", "q1", text("quiet")));
    const mention = must(await bob.send(roomId, "m.room.message", "q2", { ...text("hey alice"), "m.mentions": { user_ids: [alice.userId] } })).event_id;
    await until(() => postsFor("mute-1").length >= 1, "the mention push");
    // One notification in flight per pusher, in order: had "quiet" been pushed it would be first.
    expect(postsFor("mute-1").map((n) => n.event_id)).toEqual([mention]);
  });

  test("Can fetch a user's pushers; event_id_only sends only the ids, counts and devices, data minus url (PUSH-33, PUSH-45, PUSH-46, PUSH-56)", async () => {
    const { alice, bob, roomId } = await pushedRoom(fed.url("hs1"), gw.notifyUrl, "unused-1");
    const body = pusherBody(gw.notifyUrl, "fmt-1", "sytest", { testcustom: "x", format: "event_id_only" });
    must(await alice.setPusher({ ...body, profile_tag: "tag" }));
    const listed = must(await alice.pushers()).pushers.find((p) => p.pushkey === "fmt-1");
    expect(listed).toMatchObject({ ...body, profile_tag: "tag" });
    const eventId = must(await bob.send(roomId, "m.room.message", "f1", text("secret"))).event_id;
    await until(() => postsFor("fmt-1").length === 1, "the event_id_only push");
    const [pushed] = postsFor("fmt-1");
    expect(Object.keys(pushed ?? {}).sort()).toEqual(["counts", "devices", "event_id", "prio", "room_id"]);
    expect(pushed).toMatchObject({ event_id: eventId, room_id: roomId, devices: [{ pushkey: "fmt-1", data: { testcustom: "x", format: "event_id_only" } }] });
  });

  test("Test that rejected pushers are removed (PUSH-29, PUSH-30, PUSH-31)", async () => {
    const { alice, bob, roomId } = await pushedRoom(fed.url("hs1"), gw.notifyUrl, "key_1");
    must(await alice.setPusher(pusherBody(gw.notifyUrl, "key_2")));
    expect(must(await alice.pushers()).pushers).toHaveLength(2);
    must(await bob.send(roomId, "m.room.message", "k1", text("both")));
    await until(() => postsFor("key_1").length === 1 && postsFor("key_2").length === 1, "both pushers to work");
    rejectKey1.on = true;
    must(await bob.send(roomId, "m.room.message", "k2", text("rejects key_1")));
    await until(async () => must(await alice.pushers()).pushers.length === 1, "the rejected pusher to go");
    rejectKey1.on = false;
    expect(must(await alice.pushers()).pushers.map((p) => p.pushkey)).toEqual(["key_2"]);
    const last = must(await bob.send(roomId, "m.room.message", "k3", text("after"))).event_id;
    await until(() => postsFor("key_2").some((n) => n.event_id === last), "key_2 to keep working");
    expect(postsFor("key_1")).toHaveLength(2);
  });
});

describe("SyTest's exact expectations under the Synapse-like push policies", () => {
  test("with zeroCounts=send and the legacy id, the first push has `id` and the receipt sends unread 0 (PUSH-5, PUSH-15)", async () => {
    const fed = await Federation.start(["hs1"], { policies: { push: { zeroCounts: "send", legacyNotificationId: true } } });
    const gw = await startRecordingGateway();
    try {
      const { alice, bob, roomId } = await pushedRoom(fed.url("hs1"), gw.notifyUrl, "zero-1");
      const eventId = must(await bob.send(roomId, "m.room.message", "z1", text("Hi there"))).event_id;
      await until(() => gw.received.length === 1, "the push");
      expect(gw.received[0]?.notification).toMatchObject({ id: eventId, event_id: eventId, counts: { unread: 1 } });
      must(await alice.receipt(roomId, eventId));
      await until(() => gw.received.length === 2, "the zero badge");
      expect(gw.received[1]?.notification.counts).toMatchObject({ unread: 0 });
      expect(gw.invalid).toEqual([]);
    } finally {
      await fed.close();
      await gw.close();
    }
  });
});
