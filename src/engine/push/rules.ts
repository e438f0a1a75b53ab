/**
 * Per-user push rules: the functions behind `GET /pushrules/`, `GET|PUT|DELETE
 * /pushrules/global/{kind}/{ruleId}` and its `/enabled` and `/actions` (client-server API,
 * pushrules.yaml). PUSH-66: the server-default rules, plus the user's own override, content,
 * room, sender and underride rules.
 *
 * Priority (modules/push.md): `.m.rule.master` first, then within each kind the user's rules
 * ahead of the server-default ones. A user may enable, disable or change the actions of a
 * default rule but not delete it or create one (ids starting with "." are reserved).
 */
import type { Json } from "../../canonical-json.ts";
import type { UserId } from "../../ids.ts";
import { type Failure, fail } from "../rooms/outcome.ts";
import type { JsonObject } from "../rooms/room-state.ts";
import { MASTER_RULE_ID, defaultRules } from "./default-rules.ts";
import type { PushPolicies } from "./policy.ts";
import { checkActions, checkConditions } from "./rule-checks.ts";
import { type Action, type PushRule, type RuleKind, type Ruleset, isRuleKind } from "./rule-types.ts";

interface DefaultRuleChange {
  enabled?: boolean;
  actions?: readonly Action[];
}

interface UserRules {
  /** The user's own rules per kind, most important first. */
  readonly custom: Record<RuleKind, PushRule[]>;
  /** Changes to server-default rules, keyed `${kind}/${ruleId}`. */
  readonly defaults: Map<string, DefaultRuleChange>;
}

export type PushRulesStore = Map<UserId, UserRules>;

export type RuleOutcome<T = null> = { readonly ok: true; readonly value: T } | Failure;

export function emptyPushRules(): PushRulesStore {
  return new Map();
}

function userRules(store: PushRulesStore, user: UserId): UserRules {
  let rules = store.get(user);
  if (rules === undefined) {
    rules = { custom: { override: [], content: [], room: [], sender: [], underride: [] }, defaults: new Map() };
    store.set(user, rules);
  }
  return rules;
}

function withChanges(kind: RuleKind, rules: readonly PushRule[], changes: Map<string, DefaultRuleChange>): PushRule[] {
  return rules.map((r) => ({ ...r, ...changes.get(`${kind}/${r.rule_id}`) }));
}

/** The user's effective ruleset, in evaluation order. */
export function rulesetFor(store: PushRulesStore, user: UserId, policies: PushPolicies): Ruleset {
  const defaults = defaultRules(user, policies.legacyMentionRules);
  const mine = store.get(user);
  const changes = mine?.defaults ?? new Map<string, DefaultRuleChange>();
  /** The user's rules of `kind`, then the server-default ones with the user's changes. */
  const ofKind = (kind: RuleKind): PushRule[] => [...(mine?.custom[kind] ?? []), ...withChanges(kind, defaults[kind], changes)];
  // `.m.rule.master` goes ahead of the user's own override rules too.
  const override = ofKind("override");
  return {
    override: [...override.filter((r) => r.rule_id === MASTER_RULE_ID), ...override.filter((r) => r.rule_id !== MASTER_RULE_ID)],
    content: ofKind("content"),
    room: ofKind("room"),
    sender: ofKind("sender"),
    underride: ofKind("underride"),
  };
}

/** `GET /pushrules/`: the global ruleset. Room and sender rules carry no conditions on the wire. */
export function getPushRules(store: PushRulesStore, user: UserId, policies: PushPolicies): { readonly global: Ruleset } {
  return { global: rulesetFor(store, user, policies) };
}

function kindOf(kind: string): RuleKind | Failure {
  return isRuleKind(kind) ? kind : fail(400, "M_INVALID_PARAM", `unknown push rule kind ${JSON.stringify(kind)}`);
}

export function getPushRule(store: PushRulesStore, user: UserId, kind: string, ruleId: string, policies: PushPolicies): RuleOutcome<PushRule> {
  const k = kindOf(kind);
  if (typeof k !== "string") return k;
  const found = rulesetFor(store, user, policies)[k].find((r) => r.rule_id === ruleId);
  return found === undefined ? fail(404, "M_NOT_FOUND", `no ${k} push rule ${ruleId}`) : { ok: true, value: found };
}

export interface SetPushRuleRequest {
  readonly kind: string;
  readonly ruleId: string;
  readonly body: JsonObject;
  readonly before?: string;
  readonly after?: string;
}

function buildRule(kind: RuleKind, ruleId: string, body: JsonObject, enabled: boolean): PushRule | Failure {
  const checked = checkActions(body.actions);
  if (!checked.ok) return checked;
  const actions = checked.value;
  if (kind === "content") {
    if (body.pattern === undefined) return fail(400, "M_MISSING_PARAM", "content rules need a pattern");
    if (typeof body.pattern !== "string") return fail(400, "M_INVALID_PARAM", "pattern must be a string");
    return { rule_id: ruleId, default: false, enabled, actions, pattern: body.pattern };
  }
  if (kind === "room" || kind === "sender") return { rule_id: ruleId, default: false, enabled, actions };
  const conditions = checkConditions(body.conditions ?? []);
  if (!conditions.ok) return conditions;
  return { rule_id: ruleId, default: false, enabled, actions, conditions: conditions.value };
}

function anchorIndex(list: readonly PushRule[], anchor: string, which: string): number | Failure {
  const i = list.findIndex((r) => r.rule_id === anchor);
  // The spec's own example answers M_UNKNOWN; rules may not be placed relative to default ones.
  return i < 0 ? fail(400, "M_UNKNOWN", `${which} rule not found: ${anchor}`) : i;
}

/** `PUT /pushrules/global/{kind}/{ruleId}`: create (enabled) or update a user-defined rule. */
export function setPushRule(store: PushRulesStore, user: UserId, req: SetPushRuleRequest): RuleOutcome {
  const kind = kindOf(req.kind);
  if (typeof kind !== "string") return kind;
  if (req.ruleId.length === 0 || req.ruleId.startsWith(".") || /[/\\]/.test(req.ruleId)) {
    return fail(400, "M_INVALID_PARAM", `rule id ${JSON.stringify(req.ruleId)} is reserved or contains a slash`);
  }
  const list = userRules(store, user).custom[kind];
  const existing = list.findIndex((r) => r.rule_id === req.ruleId);
  // An update keeps the rule's enabled state; a new rule (`existing` is -1: no entry) starts enabled.
  const rule = buildRule(kind, req.ruleId, req.body, list[existing]?.enabled ?? true);
  if ("ok" in rule) return rule;
  const others = list.filter((r) => r.rule_id !== req.ruleId);
  let at = Math.max(existing, 0);
  const [which, anchorId] = req.before !== undefined ? (["before", req.before] as const) : (["after", req.after] as const);
  if (anchorId !== undefined) {
    const anchor = anchorIndex(others, anchorId, which);
    if (typeof anchor !== "number") return anchor;
    at = which === "before" ? anchor : anchor + 1;
  }
  others.splice(at, 0, rule);
  list.splice(0, list.length, ...others);
  return { ok: true, value: null };
}

/** `DELETE /pushrules/global/{kind}/{ruleId}`. Server-default rules cannot be deleted. */
export function deletePushRule(store: PushRulesStore, user: UserId, kind: string, ruleId: string, policies: PushPolicies): RuleOutcome {
  const found = getPushRule(store, user, kind, ruleId, policies);
  if (!found.ok) return found;
  if (found.value.default) return fail(400, "M_INVALID_PARAM", "server-default push rules cannot be deleted");
  const list = userRules(store, user).custom[kind as RuleKind];
  list.splice(list.findIndex((r) => r.rule_id === ruleId), 1);
  return { ok: true, value: null };
}

function changeRule(store: PushRulesStore, user: UserId, kind: string, ruleId: string, policies: PushPolicies, change: DefaultRuleChange): RuleOutcome {
  const found = getPushRule(store, user, kind, ruleId, policies);
  if (!found.ok) return found;
  const rules = userRules(store, user);
  if (found.value.default) {
    const key = `${kind}/${ruleId}`;
    rules.defaults.set(key, { ...rules.defaults.get(key), ...change });
  } else {
    const list = rules.custom[kind as RuleKind];
    const i = list.findIndex((r) => r.rule_id === ruleId);
    list[i] = { ...found.value, ...change };
  }
  return { ok: true, value: null };
}

/** `PUT /pushrules/global/{kind}/{ruleId}/enabled` with body `{enabled}`. */
export function setPushRuleEnabled(store: PushRulesStore, user: UserId, kind: string, ruleId: string, enabled: Json | undefined, policies: PushPolicies): RuleOutcome {
  if (typeof enabled !== "boolean") return fail(400, "M_INVALID_PARAM", "enabled must be a boolean");
  return changeRule(store, user, kind, ruleId, policies, { enabled });
}

/** `PUT /pushrules/global/{kind}/{ruleId}/actions` with body `{actions}`. */
export function setPushRuleActions(store: PushRulesStore, user: UserId, kind: string, ruleId: string, actions: Json | undefined, policies: PushPolicies): RuleOutcome {
  const checked = checkActions(actions);
  if (!checked.ok) return checked;
  return changeRule(store, user, kind, ruleId, policies, { actions: checked.value });
}
