// Checks the push endpoints of the homeserver engine through `apply`: /pushers/set and GET
// /pushers, the /pushrules endpoints (create, place, update, enable, actions, delete), the
// server-default rules a fresh user sees, and the driver's answers (`pushResult`, `timer`)
// (PUSH-29, PUSH-30, PUSH-33, PUSH-34, PUSH-60, PUSH-66); assumes one server, hs.test.
import { describe, expect, test } from "vitest";
import { withPushPolicies } from "../../src/engine/push/policy.ts";
import type { PushRule, Ruleset } from "../../src/engine/push/rule-types.ts";
import type { TxnId } from "../../src/ids.ts";
import { applyCommand as run, bodyOf as body, type Client, expectRefused as refused, TestServer } from "./session.ts";

const URL = "http://localhost:5000/_matrix/push/v1/notify";

function ruleset(s: TestServer, c: Client): Ruleset {
  return (body(s, { type: "getPushRules", token: c.token }) as unknown as { global: Ruleset }).global;
}

const ids = (rules: readonly PushRule[]) => rules.map((r) => r.rule_id);
const pusherBody = (pushkey: string) => ({ kind: "http", app_id: "app", pushkey, app_display_name: "A", device_display_name: "D", lang: "en", data: { url: URL } });

describe("pushers through the engine", () => {
  test("PUSH-34, PUSH-33: set answers {} and GET /pushers lists it; a bad body is 400 and changes nothing", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    expect(run(s, { type: "setPusher", token: alice.token, body: pusherBody("k1") })).toEqual({ outcome: { ok: true, body: {} }, effects: [] });
    refused(s, { type: "setPusher", token: alice.token, body: { kind: "http" } }, "M_MISSING_PARAM", 400);
    refused(s, { type: "getPushers", token: null }, "M_MISSING_TOKEN", 401);
    expect(body(s, { type: "getPushers", token: alice.token })).toEqual({
      pushers: [{ pushkey: "k1", kind: "http", app_id: "app", app_display_name: "A", device_display_name: "D", lang: "en", data: { url: URL } }],
    });
  });

  test("PUSH-33, PUSH-66: GET /pushers and GET /pushrules are reads: they answer without any effect", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    run(s, { type: "setPusher", token: alice.token, body: pusherBody("k1") });
    expect(run(s, { type: "getPushers", token: alice.token })).toMatchObject({ outcome: { ok: true }, effects: [] });
    expect(run(s, { type: "getPushRules", token: alice.token })).toMatchObject({ outcome: { ok: true }, effects: [] });
  });

  test("PUSH-60, PUSH-29, PUSH-30: a failure arms a timer the engine routes back; a rejection removes the pusher", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    const bob = s.register("bob");
    run(s, { type: "setPusher", token: bob.token, body: pusherBody("bobkey") });
    const made = run(s, { type: "createRoom", token: alice.token, seed: "r", body: { invite: [bob.userId] } });
    const push = made.effects.find((e) => e.kind === "push.notify");
    if (push?.kind !== "push.notify") throw new Error("no invite push");
    const failed = run(s, { type: "pushResult", pusherId: push.pusherId, result: { ok: false, reason: "refused" } });
    expect(failed).toEqual({ outcome: { ok: true }, effects: [{ kind: "timer", id: `push.backoff:${push.pusherId}`, at: s.now + 1000 }] });
    expect(run(s, { type: "timer", id: "push.backoff:nobody" })).toEqual({ outcome: { ok: true }, effects: [] });
    const retried = run(s, { type: "timer", id: `push.backoff:${push.pusherId}` });
    expect(retried.effects).toMatchObject([{ kind: "push.notify", attempt: 2 }]);
    const rejected = run(s, { type: "pushResult", pusherId: push.pusherId, result: { ok: true, status: 200, rejected: ["bobkey"] } });
    expect(rejected.effects).toMatchObject([{ kind: "pusher.removed", pushkey: "bobkey" }]);
    expect(body(s, { type: "getPushers", token: bob.token })).toEqual({ pushers: [] });
    run(s, { type: "join", token: bob.token, roomIdOrAlias: "!r:hs.test", seed: "j" });
    const later = run(s, { type: "sendEvent", token: alice.token, roomId: "!r:hs.test", eventType: "m.room.message", txnId: "t" as TxnId, content: { body: "x" }, seed: "m" });
    expect(later.effects).toEqual([]);
  });
});

describe("push rules through the engine (PUSH-66)", () => {
  test("a fresh user sees the server-default rules, with no room or sender rules and the spec's actions", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    const rules = ruleset(s, alice);
    expect(rules.room).toEqual([]);
    expect(rules.sender).toEqual([]);
    expect(rules.content).toEqual([]);
    const actions = Object.fromEntries(rules.override.concat(rules.underride).map((r) => [r.rule_id, r.actions]));
    expect(actions).toMatchObject({
      ".m.rule.suppress_notices": [],
      ".m.rule.member_event": [],
      ".m.rule.reaction": [],
      ".m.rule.room.server_acl": [],
      ".m.rule.suppress_edits": [],
      ".m.rule.encrypted_room_one_to_one": ["notify", { set_tweak: "sound", value: "default" }],
    });
  });

  test("create with before/after, update keeps enabled, enable and actions, delete the right one", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    const put = (ruleId: string, extra: { before?: string; after?: string } = {}) =>
      run(s, { type: "setPushRule", token: alice.token, kind: "sender", ruleId, body: { actions: [] }, ...extra }).outcome;
    expect(put("@a:x")).toEqual({ ok: true, body: {} });
    expect(put("@c:x")).toEqual({ ok: true, body: {} });
    expect(put("@b:x", { before: "@c:x" })).toEqual({ ok: true, body: {} });
    expect(put("@z:x", { after: "@a:x" })).toEqual({ ok: true, body: {} });
    // Without before/after a new rule is the most important of its kind.
    expect(ids(ruleset(s, alice).sender)).toEqual(["@b:x", "@c:x", "@a:x", "@z:x"]);
    refused(s, { type: "setPushRule", token: alice.token, kind: "sender", ruleId: "@q:x", body: { actions: [] }, before: "@none:x" }, "M_UNKNOWN", 400);
    refused(s, { type: "setPushRule", token: alice.token, kind: "sender", ruleId: "@q:x", body: { actions: [] }, after: "@none:x" }, "M_UNKNOWN", 400);
    expect(body(s, { type: "setPushRuleEnabled", token: alice.token, kind: "sender", ruleId: "@b:x", enabled: false })).toEqual({});
    put("@b:x");
    expect(body(s, { type: "getPushRule", token: alice.token, kind: "sender", ruleId: "@b:x" })).toMatchObject({ enabled: false });
    expect(body(s, { type: "setPushRuleActions", token: alice.token, kind: "sender", ruleId: "@c:x", actions: ["notify"] })).toEqual({});
    refused(s, { type: "setPushRuleActions", token: alice.token, kind: "sender", ruleId: "@c:x", actions: ["nonsense"] }, "M_INVALID_PARAM", 400);
    expect(body(s, { type: "getPushRule", token: alice.token, kind: "sender", ruleId: "@c:x" })).toMatchObject({ actions: ["notify"] });
    expect(body(s, { type: "deletePushRule", token: alice.token, kind: "sender", ruleId: "@a:x" })).toEqual({});
    expect(body(s, { type: "deletePushRule", token: alice.token, kind: "sender", ruleId: "@c:x" })).toEqual({});
    expect(ids(ruleset(s, alice).sender)).toEqual(["@b:x", "@z:x"]);
  });

  test("reserved or slashed rule ids, unknown kinds and rules, and default rules cannot be set or deleted", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    for (const ruleId of ["", ".mine", "a/b", "a\\b"]) {
      refused(s, { type: "setPushRule", token: alice.token, kind: "override", ruleId, body: { actions: [] } }, "M_INVALID_PARAM", 400);
    }
    refused(s, { type: "setPushRule", token: alice.token, kind: "global", ruleId: "x", body: { actions: [] } }, "M_INVALID_PARAM", 400);
    refused(s, { type: "getPushRule", token: alice.token, kind: "global", ruleId: "x" }, "M_INVALID_PARAM", 400);
    refused(s, { type: "getPushRule", token: alice.token, kind: "override", ruleId: "x" }, "M_NOT_FOUND", 404);
    refused(s, { type: "deletePushRule", token: alice.token, kind: "override", ruleId: ".m.rule.master" }, "M_INVALID_PARAM", 400);
    refused(s, { type: "setPushRuleEnabled", token: alice.token, kind: "override", ruleId: ".m.rule.master", enabled: "yes" }, "M_INVALID_PARAM", 400);
    expect(body(s, { type: "setPushRuleEnabled", token: alice.token, kind: "override", ruleId: ".m.rule.master", enabled: true })).toEqual({});
    expect(body(s, { type: "getPushRule", token: alice.token, kind: "override", ruleId: ".m.rule.master" })).toMatchObject({ default: true, enabled: true });
  });

  test("a user's own content rule is not a default rule: it can be deleted", () => {
    const s = new TestServer();
    const alice = s.register("alice");
    expect(body(s, { type: "setPushRule", token: alice.token, kind: "content", ruleId: "cake", body: { pattern: "cake", actions: ["notify"] } })).toEqual({});
    expect(body(s, { type: "getPushRule", token: alice.token, kind: "content", ruleId: "cake" })).toEqual({ rule_id: "cake", default: false, enabled: true, actions: ["notify"], pattern: "cake" });
    expect(body(s, { type: "deletePushRule", token: alice.token, kind: "content", ruleId: "cake" })).toEqual({});
  });

  test("with legacyMentionRules a default content rule can be disabled like any default rule", () => {
    const s = new TestServer({ push: withPushPolicies({ legacyMentionRules: true }) });
    const alice = s.register("alice");
    expect(body(s, { type: "setPushRuleEnabled", token: alice.token, kind: "content", ruleId: ".m.rule.contains_user_name", enabled: false })).toEqual({});
    expect(ruleset(s, alice).content).toMatchObject([{ rule_id: ".m.rule.contains_user_name", enabled: false, pattern: "alice" }]);
  });
});
