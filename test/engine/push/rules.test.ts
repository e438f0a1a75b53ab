// Checks the push-rule endpoints' functions (getPushRules, setPushRule with before/after,
// deletePushRule, setPushRuleEnabled, setPushRuleActions): ordering, reserved ids, errors and
// what a user may change about server-default rules (PUSH-66); assumes one user's rules are
// independent of every other user's.
import { describe, expect, it } from "vitest";
import type { UserId } from "../../../src/ids.ts";
import { DEFAULT_PUSH_POLICIES as P, withPushPolicies } from "../../../src/engine/push/policy.ts";
import {
  deletePushRule,
  emptyPushRules,
  getPushRule,
  getPushRules,
  setPushRule,
  setPushRuleActions,
  setPushRuleEnabled,
} from "../../../src/engine/push/rules.ts";

const me = "@me:hs" as UserId;
const other = "@other:hs" as UserId;
const ids = (rules: readonly { rule_id: string }[]) => rules.map((r) => r.rule_id);

describe("getPushRules", () => {
  it("PUSH-66: lists the server-default rules in spec order, master first", () => {
    const { global } = getPushRules(emptyPushRules(), me, P);
    expect(ids(global.override)).toEqual([
      ".m.rule.master",
      ".m.rule.suppress_notices",
      ".m.rule.invite_for_me",
      ".m.rule.member_event",
      ".m.rule.is_user_mention",
      ".m.rule.is_room_mention",
      ".m.rule.tombstone",
      ".m.rule.reaction",
      ".m.rule.room.server_acl",
      ".m.rule.suppress_edits",
    ]);
    expect(ids(global.underride)).toEqual([".m.rule.call", ".m.rule.encrypted_room_one_to_one", ".m.rule.room_one_to_one", ".m.rule.message", ".m.rule.encrypted"]);
    expect(global.content).toEqual([]);
    expect(global.room).toEqual([]);
    expect(global.sender).toEqual([]);
    expect(global.override[0]).toMatchObject({ default: true, enabled: false, actions: [] });
    expect(global.override[2]?.conditions?.[2]).toEqual({ kind: "event_match", key: "state_key", pattern: me });
  });

  it("adds the legacy mention rules under the legacyMentionRules policy", () => {
    const { global } = getPushRules(emptyPushRules(), me, withPushPolicies({ legacyMentionRules: true }));
    expect(ids(global.override)).toContain(".m.rule.contains_display_name");
    expect(ids(global.override)).toContain(".m.rule.roomnotif");
    expect(global.content).toMatchObject([{ rule_id: ".m.rule.contains_user_name", pattern: "me" }]);
  });
});

describe("setPushRule", () => {
  it("creates enabled rules, newest first, after master and before the defaults", () => {
    const store = emptyPushRules();
    expect(setPushRule(store, me, { kind: "override", ruleId: "a", body: { actions: ["notify"] } })).toEqual({ ok: true, value: null });
    setPushRule(store, me, { kind: "override", ruleId: "b", body: { actions: [], conditions: [{ kind: "event_match", key: "type", pattern: "x" }] } });
    const { global } = getPushRules(store, me, P);
    expect(ids(global.override).slice(0, 4)).toEqual([".m.rule.master", "b", "a", ".m.rule.suppress_notices"]);
    expect(global.override[1]).toEqual({ rule_id: "b", default: false, enabled: true, actions: [], conditions: [{ kind: "event_match", key: "type", pattern: "x" }] });
    expect(getPushRules(store, other, P).global.override.length).toBe(10);
  });

  it("adding a rule of one kind leaves the other kinds as the server defines them", () => {
    const store = emptyPushRules();
    setPushRule(store, me, { kind: "override", ruleId: "mine", body: { actions: [] } });
    const fresh = getPushRules(emptyPushRules(), me, P).global;
    const { global } = getPushRules(store, me, P);
    expect(ids(global.override)).toEqual([".m.rule.master", "mine", ...ids(fresh.override).slice(1)]);
    expect({ ...global, override: fresh.override }).toEqual(fresh);
  });

  it("places rules with before and after, and refuses unknown or default anchors with M_UNKNOWN", () => {
    const store = emptyPushRules();
    for (const id of ["a", "b", "c"]) setPushRule(store, me, { kind: "content", ruleId: id, body: { pattern: id, actions: [] } });
    setPushRule(store, me, { kind: "content", ruleId: "d", body: { pattern: "d", actions: [] }, after: "b" });
    setPushRule(store, me, { kind: "content", ruleId: "e", body: { pattern: "e", actions: [] }, before: "c" });
    expect(ids(getPushRules(store, me, P).global.content)).toEqual(["e", "c", "b", "d", "a"]);
    expect(setPushRule(store, me, { kind: "content", ruleId: "f", body: { pattern: "f", actions: [] }, before: "zz" })).toMatchObject({ status: 400, errcode: "M_UNKNOWN" });
    expect(setPushRule(store, me, { kind: "override", ruleId: "f", body: { actions: [] }, after: ".m.rule.master" })).toMatchObject({ errcode: "M_UNKNOWN" });
  });

  it("a missing anchor is named in the error with the parameter that gave it", () => {
    const store = emptyPushRules();
    setPushRule(store, me, { kind: "room", ruleId: "!a:hs", body: { actions: [] } });
    const missing = (where: { before?: string; after?: string }) => {
      const out = setPushRule(store, me, { kind: "room", ruleId: "!b:hs", body: { actions: [] }, ...where });
      return out.ok ? null : out.error;
    };
    expect(missing({ before: "!x:hs" })).toMatch(/\bbefore\b.*!x:hs/);
    expect(missing({ after: "!y:hs" })).toMatch(/\bafter\b.*!y:hs/);
    expect(missing({ before: "!x:hs", after: "!a:hs" })).toMatch(/\bbefore\b.*!x:hs/);
  });

  it("updates in place, keeping position and enabled state", () => {
    const store = emptyPushRules();
    setPushRule(store, me, { kind: "sender", ruleId: "@a:hs", body: { actions: [] } });
    setPushRule(store, me, { kind: "sender", ruleId: "@b:hs", body: { actions: [] } });
    setPushRuleEnabled(store, me, "sender", "@a:hs", false, P);
    setPushRule(store, me, { kind: "sender", ruleId: "@a:hs", body: { actions: ["notify"] } });
    expect(getPushRules(store, me, P).global.sender).toEqual([
      { rule_id: "@b:hs", default: false, enabled: true, actions: [] },
      { rule_id: "@a:hs", default: false, enabled: false, actions: ["notify"] },
    ]);
  });

  it("refuses reserved or slashed ids, bad kinds, bad actions and bad conditions", () => {
    const store = emptyPushRules();
    const put = (kind: string, ruleId: string, body: Record<string, never> | object) => setPushRule(store, me, { kind, ruleId, body: body as never });
    expect(put("override", ".mine", { actions: [] })).toMatchObject({ status: 400, errcode: "M_INVALID_PARAM" });
    expect(put("override", "a/b", { actions: [] })).toMatchObject({ errcode: "M_INVALID_PARAM" });
    expect(put("sideways", "a", { actions: [] })).toMatchObject({ errcode: "M_INVALID_PARAM" });
    expect(put("override", "a", {})).toMatchObject({ errcode: "M_MISSING_PARAM" });
    expect(put("override", "a", { actions: ["shout"] })).toMatchObject({ errcode: "M_INVALID_PARAM" });
    expect(put("override", "a", { actions: [], conditions: [{ kind: "event_match", key: "type" }] })).toMatchObject({ errcode: "M_INVALID_PARAM" });
    expect(put("content", "a", { actions: [] })).toMatchObject({ errcode: "M_MISSING_PARAM" });
  });
});

describe("deletePushRule, setPushRuleEnabled, setPushRuleActions", () => {
  it("deletes user rules, refuses default ones, 404s unknown ones", () => {
    const store = emptyPushRules();
    setPushRule(store, me, { kind: "room", ruleId: "!r:hs", body: { actions: [] } });
    expect(deletePushRule(store, me, "room", "!r:hs", P)).toEqual({ ok: true, value: null });
    expect(getPushRule(store, me, "room", "!r:hs", P)).toMatchObject({ status: 404, errcode: "M_NOT_FOUND" });
    expect(deletePushRule(store, me, "room", "!r:hs", P)).toMatchObject({ status: 404 });
    expect(deletePushRule(store, me, "override", ".m.rule.master", P)).toMatchObject({ status: 400 });
  });

  it("changes a default rule's enabled flag and actions for that user only", () => {
    const store = emptyPushRules();
    expect(setPushRuleEnabled(store, me, "override", ".m.rule.master", true, P).ok).toBe(true);
    expect(setPushRuleActions(store, me, "underride", ".m.rule.message", ["notify", { set_tweak: "sound", value: "x" }], P).ok).toBe(true);
    expect(getPushRule(store, me, "override", ".m.rule.master", P)).toMatchObject({ value: { enabled: true, default: true } });
    expect(getPushRule(store, me, "underride", ".m.rule.message", P)).toMatchObject({ value: { actions: ["notify", { set_tweak: "sound", value: "x" }] } });
    expect(getPushRule(store, other, "override", ".m.rule.master", P)).toMatchObject({ value: { enabled: false } });
    expect(setPushRuleEnabled(store, me, "override", ".m.rule.master", "yes", P)).toMatchObject({ errcode: "M_INVALID_PARAM" });
    expect(setPushRuleActions(store, me, "override", ".nope", [], P)).toMatchObject({ status: 404 });
  });
});
