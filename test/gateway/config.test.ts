// Checks that gateway YAML configuration parses into typed settings with defaults (GW-10's 28-day
// retention, GW-3's policy), that every mistake is reported naming its key, and that the sandbox
// configuration routes the two sandbox app ids (GW-21); assumes the `yaml` package's YAML 1.2 reading.
import { describe, expect, it } from "vitest";
import {
  DEFAULT_DEDUPE_WINDOW_MS,
  DEFAULT_FAILURE_RETENTION_MS,
  DEFAULT_RETRY,
  parseGatewayConfig,
  sandboxConfig,
} from "../../src/gateway/config.ts";
import { compileRoutes, routeAppId } from "../../src/gateway/routing.ts";

const FULL = `
apps:
  com.example.ios:
    type: apns
    failure_retention_ms: 1000
    transient_failures: 3
    script:
      key1: [transient, delivered]
  "com.example.*":
    type: fcm
  org.example.up:
    type: webhook
    url: https://push.example.org/up
dedupe_window_ms: 5000
retry: { initial_delay_ms: 500, max_delay_ms: 4000, max_attempts: 3, give_up_after_ms: 60000 }
`;

function reasonOf(yaml: string): string {
  const parsed = parseGatewayConfig(yaml);
  if (parsed.ok) throw new Error("expected a configuration error");
  return parsed.reason;
}

describe("parseGatewayConfig", () => {
  it("reads every provider type and the gateway settings", () => {
    const parsed = parseGatewayConfig(FULL);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.value.apps["com.example.ios"]).toEqual({
      type: "apns",
      failureRetentionMs: 1000,
      transientFailures: 3,
      script: { key1: ["transient", "delivered"] },
    });
    expect(parsed.value.apps["com.example.*"]).toMatchObject({ type: "fcm", failureRetentionMs: DEFAULT_FAILURE_RETENTION_MS });
    expect(parsed.value.apps["org.example.up"]).toEqual({ type: "webhook", url: "https://push.example.org/up", failureRetentionMs: DEFAULT_FAILURE_RETENTION_MS });
    expect(parsed.value.dedupeWindowMs).toBe(5000);
    expect(parsed.value.legacyNotificationId).toBe("ignore");
    expect(parsed.value.retry).toEqual({ initialDelayMs: 500, maxDelayMs: 4000, maxAttempts: 3, giveUpAfterMs: 60000 });
  });

  it("fills defaults: 24 h dedupe window, 28 days failure retention, 1 s doubling retry", () => {
    const parsed = parseGatewayConfig("apps:\n  a.b: { type: apns }\n");
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.value.dedupeWindowMs).toBe(DEFAULT_DEDUPE_WINDOW_MS);
    expect(DEFAULT_DEDUPE_WINDOW_MS).toBe(24 * 3600 * 1000);
    expect(DEFAULT_FAILURE_RETENTION_MS).toBe(28 * 24 * 3600 * 1000);
    expect(parsed.value.retry).toEqual(DEFAULT_RETRY);
  });

  it.each([
    ["apps:\n  a.b: { type: gcm }\n", "apps.a.b.type"],
    ["apps:\n  a.b: { type: webhook }\n", "apps.a.b.url"],
    ["apps:\n  a.b: { type: webhook, url: 'ftp://x/y' }\n", "apps.a.b.url: must be an http(s) URL"],
    ["apps:\n  a.b: { type: apns, colour: red }\n", "apps.a.b.colour: unknown key"],
    ["apps:\n  a.b: { type: apns, script: { k: [maybe] } }\n", "apps.a.b.script.k"],
    ["apps:\n  a.b: { type: apns, transient_failures: -1 }\n", "apps.a.b.transient_failures"],
    ["apps:\n  a.b: { type: apns }\nretry: { max_attempts: 0 }\n", "retry.max_attempts"],
    ["apps:\n  a.b: { type: apns }\nretry: { initial_delay_ms: 10, max_delay_ms: 5 }\n", "retry.max_delay_ms"],
    ["apps:\n  a.b: { type: apns }\nport: 5000\n", "port: unknown key"],
    ["apps:\n  a.b: { type: apns }\nlegacy_notification_id: maybe\n", "legacy_notification_id"],
    ["dedupe_window_ms: 10\n", "apps: required"],
    ["apps: [1, 2]\n", "apps: required"],
    ["apps: {\n", "not valid YAML"],
    ["- just a list\n", "must be a map"],
  ])("reports %j naming %s", (yaml, key) => {
    expect(reasonOf(yaml)).toContain(key);
  });

  it("reports every problem at once", () => {
    const reason = reasonOf("apps:\n  a: { type: x }\n  b: { type: webhook }\nretry: { max_attempts: 0 }\n");
    expect(reason).toContain("apps.a.type");
    expect(reason).toContain("apps.b.url");
    expect(reason).toContain("retry.max_attempts");
  });
});

describe("sandboxConfig", () => {
  it("routes the sandbox app ids to simulated APNS and FCM and nothing else", () => {
    const table = compileRoutes(sandboxConfig.apps);
    const apns = routeAppId(table, "org.courier.sandbox.apns");
    const fcm = routeAppId(table, "org.courier.sandbox.fcm");
    expect(apns.ok && apns.route.app.type).toBe("apns");
    expect(fcm.ok && fcm.route.app.type).toBe("fcm");
    expect(routeAppId(table, "org.courier.sandbox.web").ok).toBe(false);
  });
});
