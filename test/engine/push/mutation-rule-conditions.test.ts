// Checks the edges of push rules that the main suites leave open: which rule bodies are refused
// (actions, conditions and their parameters), how each condition kind matches (property paths,
// room_member_count operators, scalar equality, word vs whole matching) and how content, room
// and sender rules apply (PUSH-61, PUSH-63, PUSH-66); assumes one user's rules, fresh per test.
import { describe, expect, it } from "vitest";
import type { Json } from "../../../src/canonical-json.ts";
import type { EventId, RoomId, UserId } from "../../../src/ids.ts";
import { type EvaluationContext, evaluate } from "../../../src/engine/push/evaluate.ts";
import { DEFAULT_PUSH_POLICIES as P } from "../../../src/engine/push/policy.ts";
import { emptyPushRules, getPushRule, type PushRulesStore, rulesetFor, setPushRule } from "../../../src/engine/push/rules.ts";
import type { JsonObject, RoomEvent } from "../../../src/engine/rooms/room-state.ts";

const me = "@me:hs" as UserId;
const them = "@them:hs" as UserId;
const R = "!r:hs" as RoomId;

function event(type: string, content: JsonObject, extra: Partial<RoomEvent> = {}): RoomEvent {
  return { event_id: "$e" as EventId, room_id: R, sender: them, type, content, origin_server_ts: 0, ...extra };
}

const text = (body: Json, extra: JsonObject = {}) => event("m.room.message", { msgtype: "m.text", body, ...extra });

function ctx(store: PushRulesStore, over: Partial<EvaluationContext> = {}): EvaluationContext {
  return { ruleset: rulesetFor(store, me, P), roomMemberCount: 2, userDisplayName: "Me", senderPowerLevel: 0, notificationPowerLevels: { room: 50 }, ...over };
}

/** Whether a single user override rule with these conditions decides for `e`. */
function matches(conditions: Json, e: RoomEvent, over: Partial<EvaluationContext> = {}): boolean {
  const store = emptyPushRules();
  const set = setPushRule(store, me, { kind: "override", ruleId: "probe", body: { conditions, actions: ["notify", { set_tweak: "probe" }] } });
  if (!set.ok) throw new Error(set.error);
  return evaluate(e, me, ctx(store, over)).ruleId === "probe";
}

function refusal(kind: string, body: JsonObject, ruleId = "r"): { status: number; errcode: string } | null {
  const out = setPushRule(emptyPushRules(), me, { kind, ruleId, body });
  if (out.ok) return null;
  expect(out.error.length).toBeGreaterThan(0);
  return { status: out.status, errcode: out.errcode };
}

describe("rule bodies a client may send (PUSH-66)", () => {
  it("actions: required, an array, each notify / a historical name / a set_tweak object", () => {
    expect(refusal("override", { conditions: [] })).toEqual({ status: 400, errcode: "M_MISSING_PARAM" });
    for (const actions of ["notify", { set_tweak: "sound" }, ["beep"], [null], [{ value: 1 }], [["notify"]], [7]]) {
      expect(refusal("override", { conditions: [], actions })).toEqual({ status: 400, errcode: "M_INVALID_PARAM" });
    }
    for (const actions of [["notify"], ["dont_notify"], ["coalesce"], [{ set_tweak: "sound", value: "ping" }]]) {
      expect(refusal("override", { conditions: [], actions })).toBeNull();
    }
  });

  it("a set_tweak without value is kept without one (PUSH-64 gives highlight its default)", () => {
    const store = emptyPushRules();
    setPushRule(store, me, { kind: "override", ruleId: "t", body: { conditions: [], actions: ["notify", { set_tweak: "highlight" }] } });
    const rule = getPushRule(store, me, "override", "t", P);
    if (!rule.ok) throw new Error(rule.error);
    expect(rule.value.actions[1]).not.toHaveProperty("value");
    expect(evaluate(text("x"), me, ctx(store)).tweaks).toEqual({ highlight: true });
  });

  it("conditions: an array of objects with a string kind and the parameters of that kind", () => {
    const bad: Json[] = [
      {},
      [null],
      [{ key: "type" }],
      [{ kind: 3 }],
      [{ kind: "event_match", key: "type" }],
      [{ kind: "event_match", pattern: "x" }],
      [{ kind: "event_property_is", key: "content.x", value: { a: 1 } }],
      [{ kind: "event_property_is", value: true }],
      [{ kind: "event_property_contains", key: "content.x", value: [1] }],
      [{ kind: "event_property_contains", key: "content.x", value: 1.5 }],
      [{ kind: "room_member_count", is: 2 }],
      [{ kind: "sender_notification_permission" }],
    ];
    for (const conditions of bad) expect(refusal("underride", { conditions, actions: [] })).toEqual({ status: 400, errcode: "M_INVALID_PARAM" });
    const good: Json[] = [
      [{ kind: "event_property_is", key: "content.x", value: null }],
      [{ kind: "event_property_is", key: "content.x", value: "s" }],
      [{ kind: "event_property_contains", key: "content.x", value: false }],
      [{ kind: "event_property_contains", key: "content.x", value: 12 }],
      [{ kind: "room_member_count", is: ">=2" }],
      [{ kind: "sender_notification_permission", key: "room" }],
      [{ kind: "org.example.future" }],
    ];
    for (const conditions of good) expect(refusal("underride", { conditions, actions: [] })).toBeNull();
  });

  it("content rules need a string pattern; room and sender rules carry no conditions", () => {
    expect(refusal("content", { actions: [] })).toEqual({ status: 400, errcode: "M_MISSING_PARAM" });
    expect(refusal("content", { actions: [], pattern: 5 })).toEqual({ status: 400, errcode: "M_INVALID_PARAM" });
    const store = emptyPushRules();
    for (const [kind, ruleId] of [["room", R], ["sender", them]] as const) {
      setPushRule(store, me, { kind, ruleId, body: { actions: [], conditions: [{ kind: "event_match", key: "type", pattern: "x" }] } });
      const got = getPushRule(store, me, kind, ruleId, P);
      expect(got).toMatchObject({ ok: true, value: { rule_id: ruleId, default: false, enabled: true } });
      expect(got.ok && got.value).not.toHaveProperty("conditions");
    }
  });
});

describe("conditions (modules/push.md, Conditions)", () => {
  it("property paths: `\\.` escapes a dot, other backslashes are literal, null on the way ends the path", () => {
    expect(matches([{ kind: "event_property_is", key: "content.a\\.b", value: 1 }], text("x", { "a.b": 1 }))).toBe(true);
    expect(matches([{ kind: "event_property_is", key: "content.a\\b", value: 1 }], text("x", { "a\\b": 1 }))).toBe(true);
    expect(matches([{ kind: "event_property_is", key: "content.n.deeper", value: null }], text("x", { n: null }))).toBe(false);
  });

  it("event_property_is compares scalars exactly: null, integers, never an object", () => {
    expect(matches([{ kind: "event_property_is", key: "content.n", value: null }], text("x", { n: null }))).toBe(true);
    expect(matches([{ kind: "event_property_is", key: "content.n", value: 3 }], text("x", { n: 3 }))).toBe(true);
    expect(matches([{ kind: "event_property_is", key: "content.n", value: 3 }], text("x", { n: 4 }))).toBe(false);
    expect(matches([{ kind: "event_property_is", key: "content.n", value: true }], text("x", { n: { a: true } }))).toBe(false);
  });

  it("event_property_contains holds when any element equals the value", () => {
    expect(matches([{ kind: "event_property_contains", key: "content.xs", value: 1 }], text("x", { xs: [1, 2] }))).toBe(true);
    expect(matches([{ kind: "event_property_contains", key: "content.xs", value: 3 }], text("x", { xs: [1, 2] }))).toBe(false);
  });

  it("room_member_count: ==, <, >, <=, >= or none, and nothing else", () => {
    const count = (is: string, n: number) => matches([{ kind: "room_member_count", is }], text("x"), { roomMemberCount: n });
    expect([count("2", 2), count("==2", 2), count("<3", 2), count(">1", 2), count("<=2", 2), count(">=2", 2), count("<10", 2)]).toEqual([
      true, true, true, true, true, true, true,
    ]);
    expect([count("<2", 2), count(">2", 2), count("<=1", 2), count(">=3", 2), count("x2", 2), count("2x", 2), count("=2", 2)]).toEqual([
      false, false, false, false, false, false, false,
    ]);
  });

  it("event_match matches whole values, except content.body on word boundaries", () => {
    expect(matches([{ kind: "event_match", key: "type", pattern: "m.room" }], text("x"))).toBe(false);
    expect(matches([{ kind: "event_match", key: "content.body", pattern: "cake" }], text("more cake please"))).toBe(true);
  });

  it("sender_notification_permission defaults a level the room does not name to 50", () => {
    const cond = [{ kind: "sender_notification_permission", key: "org.example.ping" }];
    expect(matches(cond, text("x"), { senderPowerLevel: 100 })).toBe(true);
    expect(matches(cond, text("x"), { senderPowerLevel: 0 })).toBe(false);
  });
});

describe("content, room and sender rules", () => {
  it("a content rule matches the body's words only, and never an event without a string body", () => {
    const store = emptyPushRules();
    setPushRule(store, me, { kind: "content", ruleId: "cake", body: { pattern: "cake", actions: ["notify", { set_tweak: "sound", value: "c" }] } });
    expect(evaluate(text("cake time"), me, ctx(store)).ruleId).toBe("cake");
    expect(evaluate(text("pie time"), me, ctx(store)).ruleId).toBe(".m.rule.room_one_to_one");
    expect(evaluate(text(5), me, ctx(store)).ruleId).toBe(".m.rule.room_one_to_one");
    expect(evaluate(event("m.room.topic", { topic: "cake" }, { state_key: "" }), me, ctx(store)).notify).toBe(false);
  });

  it("a sender rule applies to that sender only, a room rule to that room only", () => {
    const store = emptyPushRules();
    setPushRule(store, me, { kind: "sender", ruleId: "@carol:hs", body: { actions: [] } });
    setPushRule(store, me, { kind: "room", ruleId: "!other:hs", body: { actions: [] } });
    expect(evaluate(text("hi"), me, ctx(store)).ruleId).toBe(".m.rule.room_one_to_one");
    expect(evaluate(text("hi", {}), me, ctx(store, {})).notify).toBe(true);
    expect(evaluate({ ...text("hi"), sender: "@carol:hs" as UserId }, me, ctx(store))).toMatchObject({ notify: false, kind: "sender" });
  });
});
