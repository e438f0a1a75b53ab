/**
 * Push rule evaluation (client-server API, modules/push.md "Push Rules", "Conditions",
 * "Actions"): the first enabled rule that matches, in kind order override → content → room →
 * sender → underride, decides. Its actions say whether the user is notified (`notify`) and with
 * which tweaks.
 *
 * PUSH-61: no matching rule, no notification. PUSH-62: the sender is never notified.
 * Historical actions (`dont_notify`, `coalesce`) are ignored, so `["dont_notify"]` is the same
 * as `[]`. Unrecognised conditions never match.
 */
import type { Json } from "../../canonical-json.ts";
import type { UserId } from "../../ids.ts";
import type { JsonObject, RoomEvent } from "../rooms/room-state.ts";
import { LEGACY_MENTION_RULE_IDS } from "./default-rules.ts";
import { type GlobMode, containsWords, globMatches } from "./glob.ts";
import { isScalar } from "./rule-checks.ts";
import { type Action, type Condition, type PushRule, RULE_KINDS, type RuleKind, type Ruleset, type Tweaks } from "./rule-types.ts";

export interface EvaluationContext {
  /** The recipient's effective ruleset (`rulesetFor`). */
  readonly ruleset: Ruleset;
  /** Joined members of the event's room. */
  readonly roomMemberCount: number;
  /** The recipient's display name in the event's room, for `contains_display_name`. */
  readonly userDisplayName: string | null;
  readonly senderPowerLevel: number;
  /** The `notifications` levels of the room's power levels (`room` → 50 by default). */
  readonly notificationPowerLevels: Readonly<Record<string, number>>;
}

export interface Evaluation {
  readonly notify: boolean;
  /** PUSH-63: the tweaks of the deciding rule's `set_tweak` actions (empty unless notifying). */
  readonly tweaks: Tweaks;
  readonly ruleId: string | null;
  readonly kind: RuleKind | null;
}

const SILENT: Evaluation = { notify: false, tweaks: {}, ruleId: null, kind: null };

/** Appendices, "Dot-separated property paths": `.` separates, `\.` and `\\` escape. */
export function splitPath(key: string): string[] {
  const parts: string[] = [];
  let current = "";
  for (let i = 0; i < key.length; i++) {
    const ch = key[i];
    const next = key[i + 1];
    if (ch === "\\" && (next === "." || next === "\\")) {
      current += next;
      i += 1;
    } else if (ch === ".") {
      parts.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

export function propertyAt(event: RoomEvent, key: string): Json | undefined {
  let value: Json | undefined = event as unknown as JsonObject;
  for (const part of splitPath(key)) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    value = (value as JsonObject)[part];
  }
  return value;
}

/** `room_member_count`: "==", "<", ">", ">=", "<=" or no prefix (meaning "=="). */
export function memberCountMatches(is: string, count: number): boolean {
  const m = /^(==|<=|>=|<|>)?([0-9]+)$/.exec(is);
  if (m === null) return false;
  const n = Number(m[2]);
  switch (m[1]) {
    case "<":
      return count < n;
    case ">":
      return count > n;
    case "<=":
      return count <= n;
    case ">=":
      return count >= n;
    default:
      return count === n;
  }
}

/** `content.body` matches on word boundaries; every other key must match whole. */
function matchModeOf(key: Json | undefined): GlobMode {
  if (key === "content.body") return "words";
  // Stryker disable next-line StringLiteral: globMatches only asks whether the mode is "words", so any other string matches the whole value alike
  return "whole";
}

function conditionHolds(c: Condition, event: RoomEvent, ctx: EvaluationContext): boolean {
  const p = c as JsonObject;
  switch (c.kind) {
    case "event_match": {
      const value = propertyAt(event, String(p.key));
      return typeof value === "string" && globMatches(String(p.pattern), value, matchModeOf(p.key));
    }
    case "event_property_is": {
      const value = propertyAt(event, String(p.key));
      return isScalar(value) && value === p.value;
    }
    case "event_property_contains": {
      const value = propertyAt(event, String(p.key));
      return Array.isArray(value) && (value as readonly Json[]).some((v) => isScalar(v) && v === p.value);
    }
    case "contains_display_name": {
      const body = event.content.body;
      return typeof body === "string" && ctx.userDisplayName !== null && containsWords(ctx.userDisplayName, body);
    }
    case "room_member_count":
      return typeof p.is === "string" && memberCountMatches(p.is, ctx.roomMemberCount);
    case "sender_notification_permission":
      return ctx.senderPowerLevel >= (ctx.notificationPowerLevels[String(p.key)] ?? 50);
  }
  // Unrecognised conditions "MUST NOT match any events".
  return false;
}

function ruleMatches(kind: RuleKind, rule: PushRule, event: RoomEvent, ctx: EvaluationContext): boolean {
  switch (kind) {
    case "content": {
      const body = event.content.body;
      return typeof body === "string" && rule.pattern !== undefined && globMatches(rule.pattern, body, "words");
    }
    case "room":
      return event.room_id === rule.rule_id;
    case "sender":
      return event.sender === rule.rule_id;
    default:
      return (rule.conditions ?? []).every((c) => conditionHolds(c, event, ctx));
  }
}

/**
 * PUSH-63, PUSH-64, PUSH-65: tweaks from `set_tweak`; `highlight` without a value is true, and
 * Courier gives any other valueless tweak the same `true` rather than inventing a null.
 */
export function tweaksOf(actions: readonly Action[]): Tweaks {
  const tweaks: Record<string, Json> = {};
  for (const a of actions) {
    if (typeof a === "string") continue;
    tweaks[a.set_tweak] = a.value !== undefined ? a.value : true;
  }
  return tweaks;
}

function decide(kind: RuleKind, rule: PushRule): Evaluation {
  const notify = rule.actions.includes("notify");
  return { notify, tweaks: notify ? tweaksOf(rule.actions) : {}, ruleId: rule.rule_id, kind };
}

export function evaluate(event: RoomEvent, forUser: UserId, ctx: EvaluationContext): Evaluation {
  if (event.sender === forUser) return SILENT; // PUSH-62
  const hasMentions = event.content["m.mentions"] !== undefined;
  for (const kind of RULE_KINDS) {
    for (const rule of ctx.ruleset[kind]) {
      if (!rule.enabled) continue;
      if (hasMentions && rule.default && LEGACY_MENTION_RULE_IDS.has(rule.rule_id)) continue;
      if (ruleMatches(kind, rule, event, ctx)) return decide(kind, rule);
    }
  }
  return SILENT; // PUSH-61
}
