/**
 * Push rule shapes as the client-server API carries them (push_rule.yaml, push_condition.yaml,
 * push_ruleset.yaml): what `GET /pushrules/` answers and what evaluation reads.
 */
import type { Json } from "../../canonical-json.ts";

/** In the order rules are checked: override, content, room, sender, underride. */
export const RULE_KINDS = ["override", "content", "room", "sender", "underride"] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export type Condition =
  | { readonly kind: "event_match"; readonly key: string; readonly pattern: string }
  | { readonly kind: "event_property_is"; readonly key: string; readonly value: Json }
  | { readonly kind: "event_property_contains"; readonly key: string; readonly value: Json }
  | { readonly kind: "contains_display_name" }
  | { readonly kind: "room_member_count"; readonly is: string }
  | { readonly kind: "sender_notification_permission"; readonly key: string }
  /** Any other condition: kept as given, and never matches. */
  | { readonly kind: string; readonly [key: string]: Json };

/** `"notify"`, the historical `"dont_notify"` / `"coalesce"`, or `{set_tweak, value?}`. */
export type Action = string | { readonly set_tweak: string; readonly value?: Json };

export interface PushRule {
  readonly rule_id: string;
  readonly default: boolean;
  readonly enabled: boolean;
  readonly actions: readonly Action[];
  /** override and underride rules only. */
  readonly conditions?: readonly Condition[];
  /** content rules only. */
  readonly pattern?: string;
}

export type Ruleset = { readonly [K in RuleKind]: readonly PushRule[] };

export type Tweaks = { readonly [tweak: string]: Json };

export function isRuleKind(kind: string): kind is RuleKind {
  return (RULE_KINDS as readonly string[]).includes(kind);
}
