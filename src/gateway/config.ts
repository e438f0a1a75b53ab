/**
 * Push gateway configuration: which provider serves each app id, and the gateway's own policies
 * (dedupe window, retry constants). The YAML shape follows Sygnal's `apps:` map (research/push.md
 * §3.7): keys are app ids or globs, values name a provider `type` and its options.
 *
 * ```yaml
 * apps:
 *   org.example.app.ios:  { type: apns, failure_retention_ms: 2419200000 }
 *   org.example.*:        { type: fcm, transient_failures: 3, script: { key1: [transient, delivered] } }
 *   org.example.up:       { type: webhook, url: "https://push.example.org/up" }
 * dedupe_window_ms: 86400000
 * legacy_notification_id: ignore   # or honour: dedupe on the 2015 `id` when event_id is absent
 * retry: { initial_delay_ms: 1000, max_delay_ms: 60000, max_attempts: 8, give_up_after_ms: 600000 }
 * ```
 *
 * Unknown keys are errors, not warnings, so a typo cannot silently change behaviour.
 */
import { parse as parseYaml } from "yaml";
import type { Parsed } from "../ids.ts";

/** What a simulated provider does with one delivery attempt. */
export type SimulatedOutcome = "delivered" | "invalid" | "transient" | "permanent";
export const SIMULATED_OUTCOMES: readonly SimulatedOutcome[] = ["delivered", "invalid", "transient", "permanent"];

export interface SimulatedAppConfig {
  readonly type: "apns" | "fcm";
  /** How many attempts a `transient…` pushkey fails before it succeeds (per notification). */
  readonly transientFailures: number;
  /** GW-10: how long a recorded token failure is remembered (Sygnal used 28 days). */
  readonly failureRetentionMs: number;
  /** Outcomes per pushkey, consumed one per attempt; when exhausted the pushkey prefix decides. */
  readonly script: Readonly<Record<string, readonly SimulatedOutcome[]>>;
}

export interface WebhookAppConfig {
  readonly type: "webhook";
  readonly url: string;
  readonly failureRetentionMs: number;
}

export type AppConfig = SimulatedAppConfig | WebhookAppConfig;

export interface RetryConfig {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Attempts in all, the first one included. */
  readonly maxAttempts: number;
  /** No retry is scheduled that would start later than this after the first attempt. */
  readonly giveUpAfterMs: number;
}

export interface GatewayConfig {
  readonly apps: Readonly<Record<string, AppConfig>>;
  readonly dedupeWindowMs: number;
  /**
   * GW-3, policy legacy-notification-id: whether the 2015 `id` field serves as the dedupe key of
   * a notification that has no `event_id` (a seed-era homeserver). Default `ignore`.
   */
  readonly legacyNotificationId: "ignore" | "honour";
  readonly retry: RetryConfig;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export const DEFAULT_RETRY: RetryConfig = {
  initialDelayMs: 1000,
  maxDelayMs: 60_000,
  maxAttempts: 8,
  giveUpAfterMs: 10 * 60 * 1000,
};
export const DEFAULT_DEDUPE_WINDOW_MS = DAY_MS;
export const DEFAULT_FAILURE_RETENTION_MS = 28 * DAY_MS;
export const DEFAULT_TRANSIENT_FAILURES = 2;

/** The gateway run without `--config` (DESIGN.md "Processes"). */
export const sandboxConfig: GatewayConfig = {
  apps: {
    "org.courier.sandbox.apns": simulatedApp("apns"),
    "org.courier.sandbox.fcm": simulatedApp("fcm"),
  },
  dedupeWindowMs: DEFAULT_DEDUPE_WINDOW_MS,
  legacyNotificationId: "ignore",
  retry: DEFAULT_RETRY,
};

function simulatedApp(type: "apns" | "fcm"): SimulatedAppConfig {
  return { type, transientFailures: DEFAULT_TRANSIENT_FAILURES, failureRetentionMs: DEFAULT_FAILURE_RETENTION_MS, script: {} };
}

type Raw = Readonly<Record<string, unknown>>;

/** Collects every problem, each naming its key path, instead of stopping at the first. */
class Problems {
  readonly list: string[] = [];
  add(where: string, what: string): void {
    this.list.push(`${where}: ${what}`);
  }
}

function isRecord(x: unknown): x is Raw {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function checkKeys(raw: Raw, allowed: readonly string[], where: string, problems: Problems): void {
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) problems.add(`${where}${key}`, `unknown key (expected one of: ${allowed.join(", ")})`);
  }
}

function count(raw: Raw, key: string, fallback: number, where: string, problems: Problems, min = 0): number {
  const value = raw[key];
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    problems.add(`${where}${key}`, `must be an integer >= ${min}`);
    return fallback;
  }
  return value;
}

function parseScript(raw: unknown, where: string, problems: Problems): Record<string, SimulatedOutcome[]> {
  const script: Record<string, SimulatedOutcome[]> = {};
  if (raw === undefined) return script;
  if (!isRecord(raw)) {
    problems.add(where, "must be a map from pushkey to a list of outcomes");
    return script;
  }
  for (const [pushkey, outcomes] of Object.entries(raw)) {
    const list = Array.isArray(outcomes) ? outcomes : [];
    const valid = list.filter((o): o is SimulatedOutcome => SIMULATED_OUTCOMES.includes(o as SimulatedOutcome));
    if (!Array.isArray(outcomes) || valid.length !== list.length) {
      problems.add(`${where}.${pushkey}`, `must be a list of: ${SIMULATED_OUTCOMES.join(", ")}`);
    }
    script[pushkey] = valid;
  }
  return script;
}

function parseWebhookUrl(raw: unknown, where: string, problems: Problems): string {
  if (typeof raw !== "string") {
    problems.add(where, "required: the http(s) URL notifications are posted to");
    return "";
  }
  if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) problems.add(where, "must be an http(s) URL");
  return raw;
}

function parseApp(key: string, raw: unknown, problems: Problems): AppConfig | undefined {
  const where = `apps.${key}`;
  if (!isRecord(raw)) {
    problems.add(where, "must be a map with a `type`");
    return undefined;
  }
  const failureRetentionMs = count(raw, "failure_retention_ms", DEFAULT_FAILURE_RETENTION_MS, `${where}.`, problems);
  if (raw.type === "webhook") {
    checkKeys(raw, ["type", "url", "failure_retention_ms"], `${where}.`, problems);
    return { type: "webhook", url: parseWebhookUrl(raw.url, `${where}.url`, problems), failureRetentionMs };
  }
  if (raw.type === "apns" || raw.type === "fcm") {
    checkKeys(raw, ["type", "transient_failures", "failure_retention_ms", "script"], `${where}.`, problems);
    return {
      type: raw.type,
      transientFailures: count(raw, "transient_failures", DEFAULT_TRANSIENT_FAILURES, `${where}.`, problems),
      failureRetentionMs,
      script: parseScript(raw.script, `${where}.script`, problems),
    };
  }
  problems.add(`${where}.type`, "must be one of: apns, fcm, webhook");
  return undefined;
}

function parseRetry(raw: unknown, problems: Problems): RetryConfig {
  if (raw === undefined) return DEFAULT_RETRY;
  if (!isRecord(raw)) {
    problems.add("retry", "must be a map");
    return DEFAULT_RETRY;
  }
  checkKeys(raw, ["initial_delay_ms", "max_delay_ms", "max_attempts", "give_up_after_ms"], "retry.", problems);
  const retry: RetryConfig = {
    initialDelayMs: count(raw, "initial_delay_ms", DEFAULT_RETRY.initialDelayMs, "retry.", problems, 1),
    maxDelayMs: count(raw, "max_delay_ms", DEFAULT_RETRY.maxDelayMs, "retry.", problems, 1),
    maxAttempts: count(raw, "max_attempts", DEFAULT_RETRY.maxAttempts, "retry.", problems, 1),
    giveUpAfterMs: count(raw, "give_up_after_ms", DEFAULT_RETRY.giveUpAfterMs, "retry.", problems),
  };
  if (retry.maxDelayMs < retry.initialDelayMs) problems.add("retry.max_delay_ms", "must be >= retry.initial_delay_ms");
  return retry;
}

/** Validates an already-parsed configuration object (YAML or JSON). */
export function gatewayConfigFrom(raw: unknown): Parsed<GatewayConfig> {
  const problems = new Problems();
  if (!isRecord(raw)) return { ok: false, reason: "the configuration must be a map with an `apps` key" };
  checkKeys(raw, ["apps", "dedupe_window_ms", "legacy_notification_id", "retry"], "", problems);
  const apps: Record<string, AppConfig> = {};
  if (!isRecord(raw.apps)) {
    problems.add("apps", "required: a map from app id (or glob) to provider settings");
  } else {
    for (const [key, value] of Object.entries(raw.apps)) {
      if (key.length === 0) problems.add("apps", "an app id may not be empty");
      const app = parseApp(key, value, problems);
      if (app !== undefined) apps[key] = app;
    }
  }
  const dedupeWindowMs = count(raw, "dedupe_window_ms", DEFAULT_DEDUPE_WINDOW_MS, "", problems);
  const legacy = raw.legacy_notification_id ?? "ignore";
  if (legacy !== "ignore" && legacy !== "honour") problems.add("legacy_notification_id", "must be one of: ignore, honour");
  const legacyNotificationId = legacy === "honour" ? "honour" : "ignore";
  const retry = parseRetry(raw.retry, problems);
  if (problems.list.length > 0) return { ok: false, reason: problems.list.join("; ") };
  return { ok: true, value: { apps, dedupeWindowMs, legacyNotificationId, retry } };
}

export function parseGatewayConfig(yamlText: string): Parsed<GatewayConfig> {
  let raw: unknown;
  try {
    raw = parseYaml(yamlText);
  } catch (e) {
    return { ok: false, reason: `not valid YAML: ${e instanceof Error ? e.message : String(e)}` };
  }
  return gatewayConfigFrom(raw);
}
