// Checks push-rule evaluation: each server-default rule on the events it targets, user room and
// sender rules that mute or notify, the legacy mention rules behind their policy, and that the
// sender is never notified and no match means no notification (PUSH-61 … PUSH-66); assumes the
// room model's power levels (creator 100, others 0; @room needs 50).
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import type { EventId, RoomId, UserId } from "../../../src/ids.ts";
import { type EvaluationContext, evaluate, memberCountMatches, splitPath, propertyAt } from "../../../src/engine/push/evaluate.ts";
import { DEFAULT_PUSH_POLICIES, withPushPolicies } from "../../../src/engine/push/policy.ts";
import { emptyPushRules, rulesetFor, setPushRule, setPushRuleEnabled, type PushRulesStore } from "../../../src/engine/push/rules.ts";
import type { PushRule } from "../../../src/engine/push/rule-types.ts";
import type { JsonObject, RoomEvent } from "../../../src/engine/rooms/room-state.ts";

const runs = 200 * (process.env.COURIER_DEEP ? 100 : 1);
const me = "@me:hs" as UserId;
const them = "@them:hs" as UserId;
const room = "!r:hs" as RoomId;

function event(type: string, content: JsonObject, extra: Partial<RoomEvent> = {}): RoomEvent {
  return { event_id: "$e" as EventId, room_id: room, sender: them, type, content, origin_server_ts: 0, ...extra };
}

function ctx(over: Partial<EvaluationContext> = {}, store: PushRulesStore = emptyPushRules(), legacy = false): EvaluationContext {
  return {
    ruleset: rulesetFor(store, me, withPushPolicies({ legacyMentionRules: legacy })),
    roomMemberCount: 3,
    userDisplayName: "Me Myself",
    senderPowerLevel: 0,
    notificationPowerLevels: { room: 50 },
    ...over,
  };
}

const text = (body: string, extra: JsonObject = {}) => event("m.room.message", { msgtype: "m.text", body, ...extra });

describe("default override rules", () => {
  it(".m.rule.master is disabled by default and, enabled, silences everything", () => {
    expect(evaluate(text("hi"), me, ctx()).ruleId).toBe(".m.rule.message");
    const store = emptyPushRules();
    setPushRuleEnabled(store, me, "override", ".m.rule.master", true, DEFAULT_PUSH_POLICIES);
    expect(evaluate(text("hi"), me, ctx({}, store))).toMatchObject({ notify: false, ruleId: ".m.rule.master" });
  });

  it(".m.rule.suppress_notices silences m.notice messages", () => {
    expect(evaluate(event("m.room.message", { msgtype: "m.notice", body: "bot" }), me, ctx())).toMatchObject({ notify: false, ruleId: ".m.rule.suppress_notices" });
  });

  it(".m.rule.invite_for_me notifies with the default sound for an invite to me only", () => {
    const inv = event("m.room.member", { membership: "invite" }, { state_key: me });
    expect(evaluate(inv, me, ctx())).toEqual({ notify: true, tweaks: { sound: "default" }, ruleId: ".m.rule.invite_for_me", kind: "override" });
    const other = event("m.room.member", { membership: "invite" }, { state_key: "@x:hs" });
    expect(evaluate(other, me, ctx())).toMatchObject({ notify: false, ruleId: ".m.rule.member_event" });
  });

  it(".m.rule.member_event silences other membership changes", () => {
    expect(evaluate(event("m.room.member", { membership: "join" }, { state_key: them }), me, ctx())).toMatchObject({ notify: false, ruleId: ".m.rule.member_event" });
  });

  it("PUSH-64: .m.rule.is_user_mention notifies with sound and highlight (valueless highlight = true) for m.mentions.user_ids", () => {
    const e = text("hey", { "m.mentions": { user_ids: [me] } });
    expect(evaluate(e, me, ctx())).toEqual({ notify: true, tweaks: { sound: "default", highlight: true }, ruleId: ".m.rule.is_user_mention", kind: "override" });
    expect(evaluate(text("hey", { "m.mentions": { user_ids: ["@else:hs"] } }), me, ctx()).ruleId).toBe(".m.rule.message");
  });

  it(".m.rule.is_room_mention highlights only when the sender may notify the room", () => {
    const e = text("all", { "m.mentions": { room: true } });
    expect(evaluate(e, me, ctx({ senderPowerLevel: 100 }))).toMatchObject({ notify: true, tweaks: { highlight: true }, ruleId: ".m.rule.is_room_mention" });
    expect(evaluate(e, me, ctx({ senderPowerLevel: 0 })).ruleId).toBe(".m.rule.message");
  });

  it("sender_notification_permission: a sender exactly at the required level may notify the room", () => {
    const e = text("all", { "m.mentions": { room: true } });
    expect(evaluate(e, me, ctx({ senderPowerLevel: 50 })).ruleId).toBe(".m.rule.is_room_mention");
    expect(evaluate(e, me, ctx({ senderPowerLevel: 49 })).ruleId).toBe(".m.rule.message");
  });

  it(".m.rule.tombstone, .m.rule.reaction, .m.rule.room.server_acl and .m.rule.suppress_edits", () => {
    expect(evaluate(event("m.room.tombstone", {}, { state_key: "" }), me, ctx())).toMatchObject({ notify: true, tweaks: { highlight: true } });
    expect(evaluate(event("m.reaction", {}), me, ctx())).toMatchObject({ notify: false, ruleId: ".m.rule.reaction" });
    expect(evaluate(event("m.room.server_acl", {}, { state_key: "" }), me, ctx())).toMatchObject({ notify: false, ruleId: ".m.rule.room.server_acl" });
    const edit = text("fixed", { "m.relates_to": { rel_type: "m.replace", event_id: "$x" } });
    expect(evaluate(edit, me, ctx())).toMatchObject({ notify: false, ruleId: ".m.rule.suppress_edits" });
  });
});

describe("default underride rules", () => {
  it(".m.rule.call rings for m.call.invite", () => {
    expect(evaluate(event("m.call.invite", { call_id: "c" }), me, ctx())).toMatchObject({ notify: true, tweaks: { sound: "ring" }, ruleId: ".m.rule.call" });
  });

  it(".m.rule.room_one_to_one and .m.rule.encrypted_room_one_to_one add a sound in two-member rooms", () => {
    expect(evaluate(text("hi"), me, ctx({ roomMemberCount: 2 }))).toMatchObject({ tweaks: { sound: "default" }, ruleId: ".m.rule.room_one_to_one" });
    expect(evaluate(event("m.room.encrypted", { ciphertext: "x" }), me, ctx({ roomMemberCount: 2 }))).toMatchObject({ ruleId: ".m.rule.encrypted_room_one_to_one" });
  });

  it(".m.rule.message and .m.rule.encrypted notify without tweaks in group rooms", () => {
    expect(evaluate(text("hi"), me, ctx())).toEqual({ notify: true, tweaks: {}, ruleId: ".m.rule.message", kind: "underride" });
    expect(evaluate(event("m.room.encrypted", {}), me, ctx())).toMatchObject({ notify: true, tweaks: {}, ruleId: ".m.rule.encrypted" });
  });
});

describe("legacy mention rules (legacyMentionRules policy)", () => {
  it("are absent by default, as in today's spec", () => {
    expect(evaluate(text("Me Myself, tea?"), me, ctx()).ruleId).toBe(".m.rule.message");
  });

  it("match display name, @room and the localpart when the event has no m.mentions", () => {
    expect(evaluate(text("Me Myself, tea?"), me, ctx({}, emptyPushRules(), true)).ruleId).toBe(".m.rule.contains_display_name");
    expect(evaluate(text("@room tea"), me, ctx({ senderPowerLevel: 100 }, emptyPushRules(), true)).ruleId).toBe(".m.rule.roomnotif");
    expect(evaluate(text("is ME there"), me, ctx({ userDisplayName: null }, emptyPushRules(), true))).toMatchObject({ ruleId: ".m.rule.contains_user_name", kind: "content" });
  });

  it("never take an event without a text body for a display-name mention", () => {
    const legacy = ctx({}, emptyPushRules(), true);
    expect(evaluate(event("m.room.encrypted", { algorithm: "m.megolm.v1.aes-sha2", ciphertext: "Me Myself" }), me, legacy).ruleId).toBe(".m.rule.encrypted");
    expect(evaluate(event("m.room.message", { msgtype: "m.text", body: 42 }), me, legacy).ruleId).toBe(".m.rule.message");
  });

  it("are skipped for events that carry m.mentions", () => {
    const e = text("Me Myself, @room", { "m.mentions": {} });
    expect(evaluate(e, me, ctx({ senderPowerLevel: 100 }, emptyPushRules(), true)).ruleId).toBe(".m.rule.message");
  });
});

describe("user rules", () => {
  it("a room rule with [] mutes that room; an override mention still notifies", () => {
    const store = emptyPushRules();
    expect(setPushRule(store, me, { kind: "room", ruleId: room, body: { actions: ["dont_notify"] } }).ok).toBe(true);
    expect(evaluate(text("hi"), me, ctx({}, store))).toMatchObject({ notify: false, ruleId: room, kind: "room" });
    expect(evaluate(text("hi", { "m.mentions": { user_ids: [me] } }), me, ctx({}, store)).notify).toBe(true);
    expect(evaluate({ ...text("hi"), room_id: "!other:hs" as RoomId }, me, ctx({}, store)).ruleId).toBe(".m.rule.message");
  });

  it("a sender rule can mute or notify with a sound, and a content rule matches words", () => {
    const store = emptyPushRules();
    setPushRule(store, me, { kind: "sender", ruleId: them, body: { actions: ["notify", { set_tweak: "sound", value: "bell" }] } });
    expect(evaluate(event("m.room.message", { msgtype: "m.notice", body: "x" }), me, ctx({}, store)).ruleId).toBe(".m.rule.suppress_notices");
    expect(evaluate(text("hi"), me, ctx({}, store))).toMatchObject({ notify: true, tweaks: { sound: "bell" }, kind: "sender" });
    setPushRule(store, me, { kind: "content", ruleId: "cake", body: { pattern: "cake", actions: ["notify", { set_tweak: "highlight" }] } });
    expect(evaluate(text("I like Cake!"), me, ctx({}, store))).toMatchObject({ tweaks: { highlight: true }, ruleId: "cake" });
  });

  it("a disabled rule never matches and an unknown condition never matches", () => {
    const store = emptyPushRules();
    setPushRule(store, me, { kind: "override", ruleId: "odd", body: { conditions: [{ kind: "future_thing" }], actions: ["notify"] } });
    setPushRuleEnabled(store, me, "underride", ".m.rule.message", false, DEFAULT_PUSH_POLICIES);
    expect(evaluate(text("hi"), me, ctx({}, store))).toEqual({ notify: false, tweaks: {}, ruleId: null, kind: null });
  });
});

describe("PUSH-61, PUSH-62", () => {
  it("PUSH-61: an event no rule matches does not notify", () => {
    expect(evaluate(event("org.example.custom", { body: "x" }), me, ctx())).toEqual({ notify: false, tweaks: {}, ruleId: null, kind: null });
  });

  test.prop([fc.constantFrom("m.room.message", "m.room.encrypted", "m.call.invite", "m.room.member", "x.y"), fc.string(), fc.boolean()], { numRuns: runs })(
    "PUSH-62: the sender is never notified of their own event, whatever it is",
    (type, body, mention) => {
      const e = event(type, { body, "m.mentions": mention ? { user_ids: [me], room: true } : {} }, { sender: me, state_key: me });
      expect(evaluate(e, me, ctx({ roomMemberCount: 2, senderPowerLevel: 100 })).notify).toBe(false);
    },
  );
});

describe("rules as the types allow them, not only as the rule checks admit them", () => {
  /** A ruleset with the server defaults and `rule` first among the `kind` rules. */
  function withRule(kind: "override" | "content", rule: PushRule): EvaluationContext {
    const base = ctx();
    return { ...base, ruleset: { ...base.ruleset, [kind]: [rule, ...base.ruleset[kind]] } };
  }
  const notify = { default: false, enabled: true, actions: ["notify", { set_tweak: "sound", value: "probe" }] } as const;

  it("push_rule.yaml: an override rule with no conditions always matches", () => {
    expect(evaluate(text("hi"), me, withRule("override", { rule_id: "bare", ...notify }))).toMatchObject({ notify: true, ruleId: "bare" });
  });

  it("a content rule without a pattern matches nothing and evaluation goes on", () => {
    expect(evaluate(text("hi"), me, withRule("content", { rule_id: "no-pattern", ...notify })).ruleId).toBe(".m.rule.message");
  });

  it("a room_member_count condition whose `is` is not a string never holds", () => {
    const rule = { rule_id: "count", ...notify, conditions: [{ kind: "room_member_count", is: 3 }] };
    expect(evaluate(text("hi"), me, withRule("override", rule)).ruleId).toBe(".m.rule.message");
  });
});

describe("condition pieces", () => {
  it("splits dot paths with escapes and reads properties", () => {
    expect(splitPath("content.m\\.mentions.user_ids")).toEqual(["content", "m.mentions", "user_ids"]);
    expect(splitPath("a\\\\.b")).toEqual(["a\\", "b"]);
    expect(propertyAt(text("x", { "m.mentions": { room: true } }), "content.m\\.mentions.room")).toBe(true);
  });

  it("compares room_member_count with each operator", () => {
    expect([memberCountMatches("2", 2), memberCountMatches("==2", 3), memberCountMatches("<3", 2), memberCountMatches(">3", 3)]).toEqual([true, false, true, false]);
    expect([memberCountMatches(">=3", 3), memberCountMatches("<=1", 2), memberCountMatches("x", 2)]).toEqual([true, false, false]);
    expect([memberCountMatches(">=2", 3), memberCountMatches("<=3", 2), memberCountMatches(">=4", 3), memberCountMatches("<=2", 3)]).toEqual([true, true, false, false]);
  });
});
