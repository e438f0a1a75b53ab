/**
 * Text settings for simulations: fault rates (`loss=0.1,dup=0.05,crash=0.001`) and policies
 * (`spoofedSender=log`, or the catalogue's names, `spoofed-edu-sender=log`). Each policy maps to
 * its place in `PolicyOverrides`; the result is checked by the engine's own `withPolicies`.
 */
import { type PolicyOverrides, withPolicies } from "../engine/policies.ts";
import { type FaultRates, NO_FAULTS } from "./scenario.ts";

const FAULT_NAMES: Record<string, keyof FaultRates> = {
  loss: "loss",
  dup: "dup",
  reorder: "reorder",
  partition: "partition",
  crash: "crash",
  gatewayError: "gatewayError",
  gw5xx: "gatewayError",
  gatewayRestart: "gatewayRestart",
  gwrestart: "gatewayRestart",
};

/** `loss=0.1,dup=0.05,…`; unnamed rates are 0. Throws a RangeError naming what is wrong. */
export function parseFaults(spec: string): FaultRates {
  const rates: Record<keyof FaultRates, number> = { ...NO_FAULTS };
  for (const part of spec.split(",").map((p) => p.trim()).filter((p) => p !== "" && p !== "none")) {
    const [name = "", value = ""] = part.split("=", 2);
    const key = FAULT_NAMES[name];
    if (key === undefined) throw new RangeError(`unknown fault ${JSON.stringify(name)}; expected one of ${Object.keys(FAULT_NAMES).join(", ")}`);
    const p = Number(value);
    if (value === "" || !Number.isFinite(p) || p < 0 || p > 1) throw new RangeError(`fault ${name} needs a probability from 0 to 1, not ${JSON.stringify(value)}`);
    rates[key] = p;
  }
  return rates;
}

export function faultsText(rates: FaultRates): string {
  const set = (Object.entries(rates) as [string, number][]).filter(([, p]) => p > 0);
  return set.length === 0 ? "none" : set.map(([name, p]) => `${name}=${p}`).join(",");
}

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

/** `name=value` settings, later ones winning, validated as the engine validates configuration. */
export function parsePolicies(settings: readonly string[]): PolicyOverrides {
  const groups: Record<Group, Record<string, unknown>> = { top: {}, federation: {}, push: {} };
  for (const setting of settings) {
    const eq = setting.indexOf("=");
    const name = eq === -1 ? setting : setting.slice(0, eq);
    const policy = POLICIES.find((p) => p.names.includes(name));
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
