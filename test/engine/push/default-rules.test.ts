// Checks the server-default mention rules end to end through evaluation: the actions each one
// carries, that the room mentions ask the room's own `notifications.room` level rather than a
// fixed 50, and that the legacy @room rule needs "@room" in the body (modules/push.md,
// "Predefined Rules"; PUSH-63, PUSH-64, PUSH-66); assumes a three-member room and no user rules.
import { describe, expect, it } from "vitest";
import type { EventId, RoomId, UserId } from "../../../src/ids.ts";
import { type EvaluationContext, evaluate } from "../../../src/engine/push/evaluate.ts";
import { withPushPolicies } from "../../../src/engine/push/policy.ts";
import { emptyPushRules, rulesetFor } from "../../../src/engine/push/rules.ts";
import type { JsonObject, RoomEvent } from "../../../src/engine/rooms/room-state.ts";

const me = "@me:hs" as UserId;

function text(body: string, extra: JsonObject = {}): RoomEvent {
  return { event_id: "$e" as EventId, room_id: "!r:hs" as RoomId, sender: "@them:hs" as UserId, type: "m.room.message", content: { msgtype: "m.text", body, ...extra }, origin_server_ts: 0 };
}

function ctx(legacy: boolean, over: Partial<EvaluationContext> = {}): EvaluationContext {
  return {
    ruleset: rulesetFor(emptyPushRules(), me, withPushPolicies({ legacyMentionRules: legacy })),
    roomMemberCount: 3,
    userDisplayName: "Me Myself",
    senderPowerLevel: 0,
    notificationPowerLevels: { room: 50 },
    ...over,
  };
}

const HIGHLIGHT_AND_SOUND = { sound: "default", highlight: true };

describe("legacy mention rules: their actions (legacyMentionRules policy)", () => {
  it(".m.rule.contains_display_name and .m.rule.contains_user_name notify with the default sound and a highlight", () => {
    expect(evaluate(text("Me Myself, tea?"), me, ctx(true))).toEqual({ notify: true, tweaks: HIGHLIGHT_AND_SOUND, ruleId: ".m.rule.contains_display_name", kind: "override" });
    expect(evaluate(text("is me there"), me, ctx(true, { userDisplayName: null }))).toEqual({
      notify: true,
      tweaks: HIGHLIGHT_AND_SOUND,
      ruleId: ".m.rule.contains_user_name",
      kind: "content",
    });
  });

  it(".m.rule.roomnotif notifies with a highlight and no sound", () => {
    expect(evaluate(text("@room tea"), me, ctx(true, { senderPowerLevel: 50 }))).toEqual({ notify: true, tweaks: { highlight: true }, ruleId: ".m.rule.roomnotif", kind: "override" });
  });

  it(".m.rule.roomnotif needs @room in the body: other text from a powerful sender is an ordinary message", () => {
    for (const body of ["tea time!", "room!", "(lunch)"]) {
      expect(evaluate(text(body), me, ctx(true, { senderPowerLevel: 100 })).ruleId, body).toBe(".m.rule.message");
    }
  });
});

describe("room mentions ask the room's notifications.room level", () => {
  const roomMention = text("all of you", { "m.mentions": { room: true } });

  it(".m.rule.is_room_mention: a room that lets anyone notify it, and one that asks for 100", () => {
    expect(evaluate(roomMention, me, ctx(false, { notificationPowerLevels: { room: 0 } }))).toMatchObject({ notify: true, ruleId: ".m.rule.is_room_mention" });
    expect(evaluate(roomMention, me, ctx(false, { senderPowerLevel: 50, notificationPowerLevels: { room: 100 } })).ruleId).toBe(".m.rule.message");
  });

  it(".m.rule.roomnotif (legacy): the same level decides", () => {
    expect(evaluate(text("@room tea"), me, ctx(true, { notificationPowerLevels: { room: 0 } })).ruleId).toBe(".m.rule.roomnotif");
    expect(evaluate(text("@room tea"), me, ctx(true, { senderPowerLevel: 50, notificationPowerLevels: { room: 100 } })).ruleId).toBe(".m.rule.message");
  });
});
