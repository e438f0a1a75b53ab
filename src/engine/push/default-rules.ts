/**
 * The server-default push rules (client-server API, modules/push.md "Predefined Rules"),
 * instantiated for one user (their user id and localpart fill the placeholders). Courier keeps
 * the rules that bear on its room model's events plus the cheap suppressing ones (tombstone,
 * reaction, server ACL, edits) so `GET /pushrules/` looks like a real server's.
 *
 * The mention rules removed in v1.17 (`.m.rule.contains_display_name`, `.m.rule.roomnotif`,
 * content rule `.m.rule.contains_user_name`) come back with the `legacyMentionRules` policy;
 * `evaluate` then skips them for events that carry `m.mentions`, as v1.7-v1.16 required.
 */
import { type UserId, localpartOf } from "../../ids.ts";
import type { Action, Condition, PushRule, Ruleset } from "./rule-types.ts";

export const MASTER_RULE_ID = ".m.rule.master";

/** Rules v1.7-v1.16 said to use only for events without an `m.mentions` property. */
export const LEGACY_MENTION_RULE_IDS: ReadonlySet<string> = new Set([
  ".m.rule.contains_display_name",
  ".m.rule.roomnotif",
  ".m.rule.contains_user_name",
]);

const SOUND_DEFAULT: Action = { set_tweak: "sound", value: "default" };
const HIGHLIGHT: Action = { set_tweak: "highlight" };

function rule(rule_id: string, conditions: readonly Condition[], actions: readonly Action[], enabled = true): PushRule {
  return { rule_id, default: true, enabled, conditions, actions };
}

function typeIs(pattern: string): Condition {
  return { kind: "event_match", key: "type", pattern };
}

const EMPTY_STATE_KEY: Condition = { kind: "event_match", key: "state_key", pattern: "" };

function overrideRules(user: UserId, legacy: boolean): PushRule[] {
  return [
    rule(MASTER_RULE_ID, [], [], false),
    rule(".m.rule.suppress_notices", [{ kind: "event_match", key: "content.msgtype", pattern: "m.notice" }], []),
    rule(
      ".m.rule.invite_for_me",
      [typeIs("m.room.member"), { kind: "event_match", key: "content.membership", pattern: "invite" }, { kind: "event_match", key: "state_key", pattern: user }],
      ["notify", SOUND_DEFAULT],
    ),
    rule(".m.rule.member_event", [typeIs("m.room.member")], []),
    rule(
      ".m.rule.is_user_mention",
      [{ kind: "event_property_contains", key: "content.m\\.mentions.user_ids", value: user }],
      ["notify", SOUND_DEFAULT, HIGHLIGHT],
    ),
    ...(legacy ? [rule(".m.rule.contains_display_name", [{ kind: "contains_display_name" }], ["notify", SOUND_DEFAULT, HIGHLIGHT])] : []),
    rule(
      ".m.rule.is_room_mention",
      [{ kind: "event_property_is", key: "content.m\\.mentions.room", value: true }, { kind: "sender_notification_permission", key: "room" }],
      ["notify", HIGHLIGHT],
    ),
    ...(legacy
      ? [
          rule(
            ".m.rule.roomnotif",
            [{ kind: "event_match", key: "content.body", pattern: "@room" }, { kind: "sender_notification_permission", key: "room" }],
            ["notify", HIGHLIGHT],
          ),
        ]
      : []),
    rule(".m.rule.tombstone", [typeIs("m.room.tombstone"), EMPTY_STATE_KEY], ["notify", HIGHLIGHT]),
    rule(".m.rule.reaction", [typeIs("m.reaction")], []),
    rule(".m.rule.room.server_acl", [typeIs("m.room.server_acl"), EMPTY_STATE_KEY], []),
    rule(".m.rule.suppress_edits", [{ kind: "event_property_is", key: "content.m\\.relates_to.rel_type", value: "m.replace" }], []),
  ];
}

function contentRules(user: UserId, legacy: boolean): PushRule[] {
  if (!legacy) return [];
  return [
    {
      rule_id: ".m.rule.contains_user_name",
      default: true,
      enabled: true,
      pattern: localpartOf(user),
      actions: ["notify", SOUND_DEFAULT, HIGHLIGHT],
    },
  ];
}

function underrideRules(): PushRule[] {
  const twoMembers: Condition = { kind: "room_member_count", is: "2" };
  return [
    rule(".m.rule.call", [typeIs("m.call.invite")], ["notify", { set_tweak: "sound", value: "ring" }]),
    rule(".m.rule.encrypted_room_one_to_one", [twoMembers, typeIs("m.room.encrypted")], ["notify", SOUND_DEFAULT]),
    rule(".m.rule.room_one_to_one", [twoMembers, typeIs("m.room.message")], ["notify", SOUND_DEFAULT]),
    rule(".m.rule.message", [typeIs("m.room.message")], ["notify"]),
    rule(".m.rule.encrypted", [typeIs("m.room.encrypted")], ["notify"]),
  ];
}

/** The server-default ruleset for `user`, in evaluation order within each kind. */
export function defaultRules(user: UserId, legacyMentionRules: boolean): Ruleset {
  return {
    override: overrideRules(user, legacyMentionRules),
    content: contentRules(user, legacyMentionRules),
    room: [],
    sender: [],
    underride: underrideRules(),
  };
}
