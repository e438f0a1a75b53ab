/**
 * GW-10, GW-6: the store of token failures behind the spec's APNS recommendation: record a
 * provider's token failure and reject the pushkey the next time it is used. Legacy Sygnal kept
 * the same table (research/push.md §3.9): a failure rejects the pushkey unless the device's
 * `pushkey_ts` is newer than the failure, which means the app registered the token again; and
 * failures are forgotten after a retention period (28 days), never on use, because several
 * homeservers may share a token. The webhook provider's 404/410 use the same store.
 */
import { type GatewayState, keyOf } from "./state.ts";

export function recordTokenFailure(state: GatewayState, appKey: string, pushkey: string, now: number): void {
  state.tokenFailures[keyOf(appKey, pushkey)] = now;
}

/**
 * Whether a notification for the pushkey must be rejected now. A re-registration clears the
 * record, so the newly registered token is tried again.
 */
export function rejectsOnUse(
  state: GatewayState,
  appKey: string,
  pushkey: string,
  pushkeyTs: number | undefined,
  now: number,
  retentionMs: number,
): boolean {
  const key = keyOf(appKey, pushkey);
  const failedAt = state.tokenFailures[key];
  if (failedAt === undefined || now - failedAt >= retentionMs) return false;
  // pushkey_ts is in seconds, the failure time in milliseconds.
  if (pushkeyTs !== undefined && pushkeyTs * 1000 > failedAt) {
    delete state.tokenFailures[key];
    return false;
  }
  return true;
}

export function forgetOldFailures(state: GatewayState, now: number, retentionOf: (appKey: string) => number | undefined): number {
  let removed = 0;
  for (const [key, failedAt] of Object.entries(state.tokenFailures)) {
    const parsed: unknown = JSON.parse(key);
    const appKey = Array.isArray(parsed) && typeof parsed[0] === "string" ? parsed[0] : "";
    const retention = retentionOf(appKey);
    if (retention === undefined || now - failedAt >= retention) {
      delete state.tokenFailures[key];
      removed++;
    }
  }
  return removed;
}
