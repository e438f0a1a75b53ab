/**
 * Checks on push rules a client sends (`PUT /pushrules/...`): actions and conditions must have
 * the shapes the spec defines. Unrecognised condition kinds are accepted and kept, because the
 * spec gives them a meaning: they "MUST NOT match any events".
 */
import type { Json } from "../../canonical-json.ts";
import { type Failure, fail } from "../rooms/outcome.ts";
import type { JsonObject } from "../rooms/room-state.ts";
import type { Action, Condition } from "./rule-types.ts";

export type Checked<T> = { readonly ok: true; readonly value: T } | Failure;

/** `notify` plus the historical actions, which are accepted and then ignored by evaluation. */
const NAMED_ACTIONS: ReadonlySet<Json> = new Set(["notify", "dont_notify", "coalesce"]);

function isNamedAction(action: Json): action is string {
  return NAMED_ACTIONS.has(action);
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An object is a `set_tweak` action; anything else must be one of the named actions. */
function checkAction(action: Json): Action | null {
  if (!isObject(action)) return isNamedAction(action) ? action : null;
  if (typeof action.set_tweak !== "string") return null;
  return action.value === undefined ? { set_tweak: action.set_tweak } : { set_tweak: action.set_tweak, value: action.value };
}

export function checkActions(actions: Json | undefined): Checked<Action[]> {
  if (actions === undefined) return fail(400, "M_MISSING_PARAM", "Missing parameters: actions");
  if (!Array.isArray(actions)) return fail(400, "M_INVALID_PARAM", "actions must be an array");
  const checked: Action[] = [];
  for (const raw of actions as readonly Json[]) {
    const action = checkAction(raw);
    if (action === null) return fail(400, "M_INVALID_PARAM", `unknown push rule action ${JSON.stringify(raw)}`);
    checked.push(action);
  }
  return { ok: true, value: checked };
}

/** A non-compound canonical JSON value: null, a string, a boolean or a safe integer. */
export function isScalar(value: Json | undefined): value is string | number | boolean | null {
  return value === null || typeof value === "string" || typeof value === "boolean" || Number.isSafeInteger(value);
}

/** The parameters each known condition kind needs. */
function conditionProblem(c: JsonObject): string | null {
  switch (c.kind) {
    case "event_match":
      return typeof c.key === "string" && typeof c.pattern === "string" ? null : "event_match needs string key and pattern";
    case "event_property_is":
    case "event_property_contains":
      return typeof c.key === "string" && isScalar(c.value) ? null : `${c.kind} needs a string key and a scalar value`;
    case "room_member_count":
      return typeof c.is === "string" ? null : "room_member_count needs a string is";
    case "sender_notification_permission":
      return typeof c.key === "string" ? null : "sender_notification_permission needs a string key";
    default:
      return null;
  }
}

export function checkConditions(conditions: Json): Checked<Condition[]> {
  if (!Array.isArray(conditions)) return fail(400, "M_INVALID_PARAM", "conditions must be an array");
  const checked: Condition[] = [];
  for (const raw of conditions as readonly Json[]) {
    if (!isObject(raw) || typeof raw.kind !== "string") return fail(400, "M_INVALID_PARAM", "each condition needs a string kind");
    const problem = conditionProblem(raw);
    if (problem !== null) return fail(400, "M_INVALID_PARAM", problem);
    checked.push(raw as Condition);
  }
  return { ok: true, value: checked };
}
