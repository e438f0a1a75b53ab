/**
 * Policies as text, for `courier simulate --policy` and `courier serve homeserver --policy`:
 * `spoofedSender=log`, the clause catalogue's names (`spoofed-edu-sender=log`), or a name under
 * its group (`push.zeroCounts=send`, `federation.backoff=...`). Each maps to its place in
 * `PolicyOverrides`, its value parsed by kind, and the result is checked by the engine's own
 * `withPolicies`, so both commands refuse the same settings with the same words.
 */
import { type PolicyOverrides, withPolicies } from "./engine/policies.ts";

type Group = "top" | "federation" | "push";

interface PolicySetting {
  readonly names: readonly string[];
  readonly group: Group;
  readonly key: string;
  readonly parse: (value: string) => unknown;
}

const oneOf = (...choices: string[]) => (v: string) => {
  if (!choices.includes(v)) throw new RangeError(`expected one of ${choices.join(", ")}`);
  return v;
};
const count = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new RangeError("expected a whole number");
  return n;
};
const flag = (v: string) => {
  if (["on", "true", "send", "yes"].includes(v)) return true;
  if (["off", "false", "omit", "no"].includes(v)) return false;
  throw new RangeError("expected on or off");
};
const numbers = (keys: readonly string[]) => (v: string) => {
  const values = v.split(/[,:]/).map(Number);
  if (values.length !== keys.length || values.some((n) => !Number.isFinite(n))) throw new RangeError(`expected ${keys.join(",")}`);
  return Object.fromEntries(keys.map((k, i) => [k, values[i]]));
};

const POLICIES: readonly PolicySetting[] = [
  { names: ["unknownRecipients", "unknown-recipients"], group: "top", key: "unknownRecipients", parse: oneOf("skip", "store") },
  { names: ["wildcardMixed", "wildcard-mixed"], group: "top", key: "wildcardMixed", parse: oneOf("explicit-wins", "literal", "expand-all") },
  { names: ["deviceDeletion", "device-deletion"], group: "top", key: "deviceDeletion", parse: oneOf("purge-at-deletion", "keep") },
  { names: ["undeliveredExpiryMs", "undelivered-expiry"], group: "top", key: "undeliveredExpiryMs", parse: (v) => (v === "none" ? v : count(v)) },
  { names: ["txnReuseDifferentBody", "txn-body-mismatch"], group: "top", key: "txnReuseDifferentBody", parse: oneOf("replay", "reject") },
  { names: ["syncLimit", "per-sync-limit"], group: "top", key: "syncLimit", parse: count },
  { names: ["txnRetentionMs", "txn-retention"], group: "top", key: "txnRetentionMs", parse: count },
  { names: ["spoofedSender", "spoofed-edu-sender"], group: "federation", key: "spoofedSender", parse: oneOf("drop", "log") },
  { names: ["messageIdRetentionMs", "federation-dedupe-retention"], group: "federation", key: "messageIdRetentionMs", parse: count },
  { names: ["maxEdusPerTransaction"], group: "federation", key: "maxEdusPerTransaction", parse: count },
  { names: ["federationBackoff", "federation-backoff"], group: "federation", key: "backoff", parse: numbers(["initialMs", "multiplier", "maxMs"]) },
  { names: ["zeroCounts", "zero-counts"], group: "push", key: "zeroCounts", parse: oneOf("omit", "send") },
  { names: ["legacyNotificationId", "legacy-notification-id"], group: "push", key: "legacyNotificationId", parse: flag },
  { names: ["unreadCounts", "unread-counts"], group: "push", key: "unreadCounts", parse: oneOf("messages", "rooms") },
  { names: ["legacyMentionRules", "legacy-mention-rules"], group: "push", key: "legacyMentionRules", parse: flag },
  { names: ["pusherUrl", "pusher-url"], group: "push", key: "pusherUrl", parse: oneOf("allow-list", "https-only", "any") },
  { names: ["pushBackoff", "push-backoff"], group: "push", key: "backoff", parse: numbers(["initialMs", "multiplier", "maxMs", "giveUpAfterMs"]) },
];

export const POLICY_NAMES: readonly string[] = POLICIES.map((p) => p.names[0] as string);

/** A policy by any of its names, or by its key under its group (`push.backoff`). */
function findPolicy(name: string): PolicySetting | undefined {
  const dot = name.indexOf(".");
  if (dot === -1) return POLICIES.find((p) => p.names.includes(name));
  const group = name.slice(0, dot);
  const key = name.slice(dot + 1);
  return POLICIES.find((p) => p.group === group && (p.key === key || p.names.includes(key)));
}

/** `name=value` settings, later ones winning, validated as the engine validates configuration. */
export function parsePolicies(settings: readonly string[]): PolicyOverrides {
  const groups: Record<Group, Record<string, unknown>> = { top: {}, federation: {}, push: {} };
  for (const setting of settings) {
    const eq = setting.indexOf("=");
    const name = eq === -1 ? setting : setting.slice(0, eq);
    const policy = findPolicy(name);
    if (policy === undefined) throw new RangeError(`unknown policy ${JSON.stringify(name)}; expected one of ${POLICY_NAMES.join(", ")}`);
    try {
      groups[policy.group][policy.key] = policy.parse(eq === -1 ? "" : setting.slice(eq + 1));
    } catch (error) {
      throw new RangeError(`policy ${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  // Built from the table above, whose keys and value shapes are those of PolicyOverrides.
  const overrides = { ...groups.top, federation: groups.federation, push: groups.push } as PolicyOverrides;
  withPolicies(overrides);
  return overrides;
}
