/**
 * Push policies: the questions the push text leaves open, or answers differently in the 2015
 * seed and today's spec (api/clauses.yaml `policies:`). Each has a reference default and can be
 * flipped in configuration or the simulator. These belong beside the send-to-device policies in
 * `src/engine/policies.ts` once the homeserver wires push in.
 */
import { type BackoffConfig, DEFAULT_BACKOFF, checkBackoff } from "./backoff.ts";

export interface PushPolicies {
  /**
   * zero-counts (PUSH-15, PUSH-53): `omit` (default; the spec) leaves zero counts out of
   * `counts`; `send` always sends `unread` and `missed_calls` (Synapse; SyTest expects 0).
   */
  readonly zeroCounts: "omit" | "send";
  /** legacy-notification-id (PUSH-5): also send the 2015 `id` field, equal to `event_id`. */
  readonly legacyNotificationId: boolean;
  /**
   * What `counts.unread` counts. `messages` (default; PUSH-16 says "unread messages"): notifying
   * events after the user's read receipt, over all joined rooms. `rooms` (Synapse's default):
   * the number of joined rooms with at least one.
   */
  readonly unreadCounts: "messages" | "rooms";
  /**
   * The mention rules removed from the spec in v1.17 (`.m.rule.contains_display_name`,
   * `.m.rule.roomnotif`, content rule `.m.rule.contains_user_name`). Default `false`, as today's
   * spec; `true` restores them as v1.7-v1.16 had them: they apply only to events without an
   * `m.mentions` property.
   */
  readonly legacyMentionRules: boolean;
  /** push-backoff (PUSH-27, PUSH-60). */
  readonly backoff: BackoffConfig;
  /**
   * pusher-url (PUSH-32, PUSH-44). `allow-list` (default): http or https, host on the allow-list.
   * `https-only`: https to any host (today's spec text). `any`: http or https to any host.
   */
  readonly pusherUrl: "allow-list" | "https-only" | "any";
  /** Gateway host names allowed besides loopback (`localhost`, 127.0.0.0/8, `::1`). */
  readonly gatewayHosts: readonly string[];
}

export const DEFAULT_PUSH_POLICIES: PushPolicies = {
  zeroCounts: "omit",
  legacyNotificationId: false,
  unreadCounts: "messages",
  legacyMentionRules: false,
  backoff: DEFAULT_BACKOFF,
  pusherUrl: "allow-list",
  // Stryker disable next-line ArrayDeclaration: an http(s) URL's host cannot contain a space, so an entry "Stryker was here" never admits a host
  gatewayHosts: [],
};

export function withPushPolicies(overrides: Partial<PushPolicies> = {}): PushPolicies {
  const merged = { ...DEFAULT_PUSH_POLICIES, ...overrides };
  checkBackoff(merged.backoff);
  return merged;
}
