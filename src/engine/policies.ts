/**
 * Policies: the questions the send-to-device text leaves open, or answers differently in the
 * 2016 seed and today's spec. Each is named, has a documented reference default, and can be
 * flipped in configuration or the simulator so a spec author can see which guarantees still hold.
 * Names in parentheses are the policy names of api/clauses.yaml.
 *
 * The push policies live in `push/policy.ts` and the federation ones below; both are part of
 * `Policies` here, so one object configures a homeserver.
 */
import { type BackoffPolicy, DEFAULT_BACKOFF as FEDERATION_BACKOFF } from "./federation/destination.machine.ts";
import { DEFAULT_INBOUND, type SpoofedSenderPolicy } from "./federation/inbound.ts";
import { type PushPolicies, withPushPolicies } from "./push/policy.ts";
import { checkEdusPerTransaction } from "./federation/outbox.ts";

export interface FederationPolicies {
  /** FED-21 (federation-backoff): retry back-off of a destination (Synapse: 10 min, x2, 1 day). */
  readonly backoff: BackoffPolicy;
  /** FED-17 (spoofed-sender): an EDU whose sender is not of the origin: `drop` (default) or `log`. */
  readonly spoofedSender: SpoofedSenderPolicy;
  /** FED-18 (federation-dedupe-retention): how long (origin, message_id) is remembered. */
  readonly messageIdRetentionMs: number;
  /** FED-9: most EDUs in one outgoing transaction (the receiver refuses more than 100). */
  readonly maxEdusPerTransaction: number;
}

export const DEFAULT_FEDERATION_POLICIES: FederationPolicies = {
  backoff: FEDERATION_BACKOFF,
  spoofedSender: DEFAULT_INBOUND.spoofedSender,
  messageIdRetentionMs: DEFAULT_INBOUND.messageIdRetentionMs,
  maxEdusPerTransaction: 100,
};

export interface Policies {
  /**
   * TD-27, TD-28 (unknown-recipients): a message addressed to a local user or device that does
   * not exist, or to an invalid user id (always skipped).
   * - `skip` (default; Synapse): drop it, the request still succeeds.
   * - `store` (Dendrite, conduwuit): keep it in an inbox for that (user, device) pair, delivered
   *   if a device of that id is created later.
   */
  readonly unknownRecipients: "skip" | "store";
  /**
   * TD-14, TD-49 (wildcard-mixed): `*` mixed with explicit device ids for the same user.
   * - `explicit-wins` (default): `*` expands to every device; a device named explicitly gets its
   *   explicit content instead. Every device gets at most one message per transaction.
   * - `literal` (Synapse): `*` is expanded only when it is the sole key; otherwise it is a device
   *   id like any other (and names no device).
   * - `expand-all` (Dendrite, conduwuit): `*` expands to every device and explicit entries are
   *   delivered as well, so a named device can get two messages from one transaction.
   */
  readonly wildcardMixed: "explicit-wins" | "literal" | "expand-all";
  /**
   * TD-26 (device-deletion): what deleting a device (or logging it out) does to its inbox.
   * - `purge-at-deletion` (default; Synapse): messages up to the stream position at deletion are
   *   deleted, so a device re-created with the same id starts empty.
   * - `keep`: the inbox survives and a device re-created with the same id receives it.
   */
  readonly deviceDeletion: "purge-at-deletion" | "keep";
  /**
   * TD-25 (undelivered-expiry): drop undelivered messages this many ms after acceptance, or
   * `none` (default; TD-19: keep pending messages until delivered). Applied by `expire`.
   */
  readonly undeliveredExpiryMs: "none" | number;
  /**
   * TD-46 (txn-body-mismatch): a transaction id reused (same scope) with a different body.
   * - `replay` (default; the spec's rule compares only the path): answer with the stored outcome.
   * - `reject`: answer 400 M_INVALID_PARAM and deliver nothing.
   */
  readonly txnReuseDifferentBody: "replay" | "reject";
  /** TD-22, TD-23 (per-sync-limit): most to-device events in one sync response (100 recommended). */
  readonly syncLimit: number;
  /** TD-45 (txn-retention): how long a transaction id is remembered, in ms (default 24 h). */
  readonly txnRetentionMs: number;
  readonly push: PushPolicies;
  readonly federation: FederationPolicies;
}

/** Overrides: any top-level policy, and any part of the push and federation groups. */
export type PolicyOverrides = Partial<Omit<Policies, "push" | "federation">> & {
  readonly push?: Partial<PushPolicies>;
  readonly federation?: Partial<FederationPolicies>;
};

export const DEFAULT_POLICIES: Policies = {
  unknownRecipients: "skip",
  wildcardMixed: "explicit-wins",
  deviceDeletion: "purge-at-deletion",
  undeliveredExpiryMs: "none",
  txnReuseDifferentBody: "replay",
  syncLimit: 100,
  txnRetentionMs: 24 * 60 * 60 * 1000,
  push: withPushPolicies(),
  federation: DEFAULT_FEDERATION_POLICIES,
};

export function withPolicies(overrides: PolicyOverrides = {}): Policies {
  const merged: Policies = {
    ...DEFAULT_POLICIES,
    ...overrides,
    push: withPushPolicies(overrides.push ?? {}),
    federation: { ...DEFAULT_FEDERATION_POLICIES, ...(overrides.federation ?? {}) },
  };
  checkEdusPerTransaction(merged.federation.maxEdusPerTransaction);
  const { initialMs, multiplier, maxMs } = merged.federation.backoff;
  if (!(initialMs > 0 && maxMs >= initialMs && multiplier >= 1)) {
    throw new RangeError(`invalid federation back-off ${JSON.stringify(merged.federation.backoff)}: wants initialMs > 0, maxMs >= initialMs, multiplier >= 1`);
  }
  if (!Number.isInteger(merged.syncLimit) || merged.syncLimit < 1) {
    throw new RangeError(`syncLimit must be a positive integer, got ${merged.syncLimit}`);
  }
  if (merged.txnRetentionMs < 0) throw new RangeError("txnRetentionMs must not be negative");
  // `none` is NaN as a number, which is not negative.
  if (Number(merged.undeliveredExpiryMs) < 0) {
    throw new RangeError("undeliveredExpiryMs must be `none` or not negative");
  }
  return merged;
}
