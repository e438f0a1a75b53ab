// The remaining client-server and key endpoints over real sockets, success and error paths: the
// minimal room model (create, invite, join by id and by alias, send, state, receipts), display
// names, filters, capabilities and login flows, push rules (read, add, enable, set actions,
// delete) and pushers (upsert, delete, append, URL checks), and the server key document. Assumes
// one in-process homeserver with default policies; every answer is checked against the schema.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Json } from "../../src/canonical-json.ts";
import { publicKeyFrom, verifyJson } from "../../src/http/signing.ts";
import { callOperation, checkAnswer, failure, type MatrixSession, must, register } from "../support/http-client.ts";
import { Federation } from "../support/http-servers.ts";

let fed: Federation;
let base: string;
let alice: MatrixSession;
let bob: MatrixSession;
let carol: MatrixSession;

beforeAll(async () => {
  fed = await Federation.start(["hs1"]);
  base = fed.url("hs1");
  [alice, bob, carol] = [await register(base, "alice"), await register(base, "bob"), await register(base, "carol")];
});
afterAll(() => fed.close());

describe("rooms (the event source for push)", () => {
  test("create, invite, join by id and by canonical alias, send, state and receipts; outsiders get 403, unknown rooms 404", async () => {
    expect(failure(await alice.call("createRoom", { body: { invite: "not a list" } }))).toMatchObject({ status: 400, errcode: "M_BAD_JSON" });
    const roomId = must(await alice.createRoom({})).room_id;
    expect(failure(await carol.invite(roomId, bob.userId))).toMatchObject({ status: 403 });
    expect(failure(await carol.join(roomId))).toMatchObject({ status: 403 });
    expect(failure(await bob.join("!nowhere:hs1"))).toMatchObject({ status: 404 });
    must(await alice.invite(roomId, bob.userId));
    expect(must(await bob.join(roomId)).room_id).toBe(roomId);
    must(await alice.setState(roomId, "m.room.canonical_alias", "", { alias: "#lobby:hs1" }));
    must(await alice.call("setRoomState", { params: { roomId, eventType: "m.room.topic" }, body: { topic: "t" } }));
    must(await alice.invite(roomId, carol.userId));
    expect(must(await carol.call("joinRoom", { params: { roomIdOrAlias: "#lobby:hs1" }, body: {} })).room_id).toBe(roomId);
    const eventId = must(await bob.send(roomId, "m.room.message", "e1", { msgtype: "m.text", body: "hi" })).event_id;
    const outsider = await register(base, "dave");
    expect(failure(await outsider.send(roomId, "m.room.message", "e1", { body: "x" }))).toMatchObject({ status: 403 });
    expect(failure(await outsider.call("setRoomState", { params: { roomId, eventType: "m.room.topic" }, body: { topic: "x" } }))).toMatchObject({ status: 403 });
    expect(must(await alice.receipt(roomId, eventId))).toEqual({});
    expect(failure(await alice.receipt(roomId, "$unknown"))).toMatchObject({ status: 404 });
    expect(failure(await alice.receipt("!nowhere:hs1", eventId))).toMatchObject({ status: 404 });
    const timeline = must(await carol.sync()).rooms?.join?.[roomId]?.timeline?.events ?? [];
    expect(timeline.some((e) => e.event_id === eventId && e.sender === bob.userId)).toBe(true);
  });

  test("createRoom with room_alias_name sets the canonical alias a join can use; a taken alias is 400 M_ROOM_IN_USE, a bad one 400 M_BAD_JSON (the API's pattern)", async () => {
    const roomId = must(await alice.createRoom({ room_alias_name: "garden", invite: [bob.userId] })).room_id;
    expect(must(await bob.call("joinRoom", { params: { roomIdOrAlias: "#garden:hs1" }, body: {} })).room_id).toBe(roomId);
    const state = must(await bob.sync()).rooms?.join?.[roomId]?.timeline?.events ?? [];
    expect(state.find((e) => e.type === "m.room.canonical_alias")?.content).toEqual({ alias: "#garden:hs1" });
    expect(failure(await carol.createRoom({ room_alias_name: "garden" }))).toMatchObject({ status: 400, errcode: "M_ROOM_IN_USE" });
    for (const bad of ["bad:name", "#x", "a b", ""]) expect(failure(await carol.createRoom({ room_alias_name: bad }))).toMatchObject({ status: 400, errcode: "M_BAD_JSON" });
  });

  test("display names: set your own, read anyone's, 403 for another user's, 404 when none (PUSH-9)", async () => {
    must(await alice.setDisplayName("Alice A"));
    expect(must(await bob.call("getDisplayName", { params: { userId: alice.userId } }))).toEqual({ displayname: "Alice A" });
    expect(failure(await alice.call("setDisplayName", { params: { userId: bob.userId }, body: { displayname: "x" } }))).toMatchObject({ status: 403 });
    expect(failure(await alice.call("getDisplayName", { params: { userId: "@nobody:hs1" } }))).toMatchObject({ status: 404 });
  });
});

describe("what clients ask for at start (matrix-js-sdk's startup calls)", () => {
  test("capabilities, login flows, filters: 200 for your own user, 403 for another's (TD-51)", async () => {
    expect(must(await alice.call("getCapabilities")).capabilities).toBeDefined();
    expect(must(await callOperation(base, "getLoginFlows")).flows).toEqual([{ type: "m.login.password" }]);
    const filterId = must(await alice.call("defineFilter", { params: { userId: alice.userId }, body: { room: { timeline: { limit: 1 } } } })).filter_id;
    expect(filterId).not.toBe("");
    must(await alice.call("getFilter", { params: { userId: alice.userId, filterId } }));
    expect(failure(await alice.call("defineFilter", { params: { userId: bob.userId }, body: {} }))).toMatchObject({ status: 403, errcode: "M_FORBIDDEN" });
  });
});

describe("push rules (PUSH-66)", () => {
  test("the defaults are served; a sender rule is added, disabled, given new actions and deleted; defaults cannot be deleted", async () => {
    const rules = must(await alice.pushRules()).global;
    expect(rules.override?.map((r) => r.rule_id)).toContain(".m.rule.master");
    expect(rules.underride?.map((r) => r.rule_id)).toContain(".m.rule.message");
    const rule = { params: { kind: "sender", ruleId: bob.userId } };
    must(await alice.setPushRule("sender", bob.userId, { actions: ["dont_notify"] }));
    must(await alice.call("setPushRuleEnabled", { ...rule, body: { enabled: false } }));
    must(await alice.call("setPushRuleActions", { ...rule, body: { actions: ["notify"] } }));
    expect(must(await alice.call("getPushRule", rule))).toMatchObject({ rule_id: bob.userId, enabled: false, actions: ["notify"] });
    must(await alice.call("deletePushRule", rule));
    expect(failure(await alice.call("deletePushRule", rule))).toMatchObject({ status: 404 });
    expect(failure(await alice.call("getPushRule", rule))).toMatchObject({ status: 404 });
    expect(failure(await alice.call("setPushRuleEnabled", { ...rule, body: { enabled: true } }))).toMatchObject({ status: 404 });
    expect(failure(await alice.call("deletePushRule", { params: { kind: "override", ruleId: ".m.rule.master" } }))).toMatchObject({ status: 400 });
    expect(failure(await alice.call("getPushRule", { params: { kind: "bogus", ruleId: "x" } }))).toMatchObject({ status: 400, errcode: "M_INVALID_PARAM" });
  });
});

describe("pushers", () => {
  const GATEWAY_URL = "http://127.0.0.1:9/_matrix/push/v1/notify";
  const pusher = (pushkey: string, extra: Record<string, unknown> = {}) => ({ kind: "http", app_id: "org.test", app_display_name: "a", device_display_name: "d", pushkey, lang: "en", data: { url: GATEWAY_URL }, ...extra });

  test("set upserts, kind null deletes, append false takes the pushkey from other users, append true shares it (PUSH-34, PUSH-35, PUSH-47, PUSH-48)", async () => {
    must(await alice.setPusher(pusher("shared")));
    must(await alice.setPusher(pusher("shared", { lang: "fr" })));
    expect(must(await alice.pushers()).pushers).toMatchObject([{ pushkey: "shared", lang: "fr" }]);
    must(await bob.setPusher(pusher("shared", { append: true })));
    expect(must(await alice.pushers()).pushers).toHaveLength(1);
    must(await carol.setPusher(pusher("shared")));
    expect(must(await alice.pushers()).pushers).toEqual([]);
    expect(must(await bob.pushers()).pushers).toEqual([]);
    must(await carol.setPusher({ kind: null, app_id: "org.test", pushkey: "shared" }));
    expect(must(await carol.pushers()).pushers).toEqual([]);
  });

  test.each([
    ["a host off the allow-list", "http://example.com/_matrix/push/v1/notify", "M_INVALID_PARAM"],
    ["another path", "http://127.0.0.1:9/notify", "M_BAD_JSON"],
    ["another scheme", "ftp://127.0.0.1/_matrix/push/v1/notify", "M_BAD_JSON"],
  ])("data.url with %s: 400 %s and nothing stored (PUSH-43, PUSH-44)", async (_what, url, errcode) => {
    expect(failure(await alice.setPusher(pusher("bad-url", { data: { url } })))).toMatchObject({ status: 400, errcode });
    expect(must(await alice.pushers()).pushers.map((p) => p.pushkey)).not.toContain("bad-url");
  });
});

describe("server keys", () => {
  test("GET /_matrix/key/v2/server fits the schema and is self-signed with the key it lists (FED-14)", async () => {
    const res = await fetch(`${base}/_matrix/key/v2/server`);
    const doc = (await res.json()) as { server_name: string; verify_keys: Record<string, { key: string }>; signatures: Record<string, Record<string, string>> };
    checkAnswer("getServerKey", res.status, doc);
    expect(doc.server_name).toBe("hs1");
    const [keyId, { key }] = Object.entries(doc.verify_keys)[0] ?? ["", { key: "" }];
    const { signatures, ...unsigned } = doc;
    expect(verifyJson(unsigned as unknown as Json, signatures.hs1?.[keyId] ?? "", publicKeyFrom(key))).toBe(true);
  });
});
