/**
 * The push endpoints of the client-server API — `/pushers`, `/pushers/set`, `/pushrules/…` —
 * and the pusher queue's inputs from the driver: the answer to a `push.notify`, a fired back-off
 * timer. The rules themselves live in `push/`.
 */
import type { Json } from "../canonical-json.ts";
import type { AccessToken } from "../ids.ts";
import { authenticate } from "./accounts.ts";
import type { Failure } from "./commands.ts";
import type { Effect, JsonObject } from "./effects.ts";
import type { Homeserver } from "./homeserver.ts";
import { onPushResult, setPusherAndQueue } from "./push/notifier.ts";
import type { PushResult } from "./push/pusher-queue.ts";
import { listPushers, type PusherId } from "./push/pushers.ts";
import { deletePushRule, getPushRule, getPushRules, setPushRule, setPushRuleActions, setPushRuleEnabled } from "./push/rules.ts";
import { engineFailure } from "./room-commands.ts";

type Token = AccessToken | null;

export type PushCommand =
  | { readonly type: "setPusher"; readonly token: Token; readonly body: JsonObject }
  | { readonly type: "getPushers"; readonly token: Token }
  | { readonly type: "getPushRules"; readonly token: Token }
  | { readonly type: "getPushRule"; readonly token: Token; readonly kind: string; readonly ruleId: string }
  | { readonly type: "setPushRule"; readonly token: Token; readonly kind: string; readonly ruleId: string; readonly body: JsonObject; readonly before?: string; readonly after?: string }
  | { readonly type: "deletePushRule"; readonly token: Token; readonly kind: string; readonly ruleId: string }
  | { readonly type: "setPushRuleEnabled"; readonly token: Token; readonly kind: string; readonly ruleId: string; readonly enabled: Json }
  | { readonly type: "setPushRuleActions"; readonly token: Token; readonly kind: string; readonly ruleId: string; readonly actions: Json };

export type PushOutcome = { readonly ok: true; readonly body: Json } | Failure;

export interface PushResultCommand {
  readonly type: "pushResult";
  readonly pusherId: string;
  readonly result: PushResult;
}

function answer(r: { ok: true; value: unknown } | import("./rooms/outcome.ts").Failure, body: (v: unknown) => Json = () => ({})): PushOutcome {
  return r.ok ? { ok: true, body: body(r.value) } : engineFailure(r);
}

export function applyPushCommand(hs: Homeserver, cmd: PushCommand, now: number): { outcome: PushOutcome; effects: Effect[] } {
  const who = authenticate(hs.state.accounts, cmd.token);
  if (!who.ok) return { outcome: who, effects: [] };
  const { rules } = hs.state.push;
  const policies = hs.policies.push;
  switch (cmd.type) {
    case "setPusher": {
      const r = setPusherAndQueue(hs.state.push, { user: who.userId, deviceId: who.deviceId, body: cmd.body, now }, policies);
      return { outcome: r.outcome.ok ? { ok: true, body: {} } : engineFailure(r.outcome), effects: r.effects };
    }
    case "getPushers":
      return { outcome: { ok: true, body: listPushers(hs.state.push.pushers, who.userId) as unknown as Json }, effects: [] };
    case "getPushRules":
      return { outcome: { ok: true, body: getPushRules(rules, who.userId, policies) as unknown as Json }, effects: [] };
    case "getPushRule":
      return { outcome: answer(getPushRule(rules, who.userId, cmd.kind, cmd.ruleId, policies), (v) => v as Json), effects: [] };
    case "setPushRule": {
      const { type: _type, token: _token, ...req } = cmd;
      return { outcome: answer(setPushRule(rules, who.userId, req)), effects: [] };
    }
    case "deletePushRule":
      return { outcome: answer(deletePushRule(rules, who.userId, cmd.kind, cmd.ruleId, policies)), effects: [] };
    case "setPushRuleEnabled":
      return { outcome: answer(setPushRuleEnabled(rules, who.userId, cmd.kind, cmd.ruleId, cmd.enabled, policies)), effects: [] };
    case "setPushRuleActions":
      return { outcome: answer(setPushRuleActions(rules, who.userId, cmd.kind, cmd.ruleId, cmd.actions, policies)), effects: [] };
  }
}

/** PUSH-28…PUSH-30: the gateway's answer; a processed `rejected` removes the pusher. */
export function applyPushResult(hs: Homeserver, cmd: PushResultCommand, now: number): Effect[] {
  return onPushResult(hs.state.push, cmd.pusherId as PusherId, cmd.result, now);
}
