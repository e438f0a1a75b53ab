/**
 * GW-17: the gateway dedupes event notifications, so a homeserver retrying a notify request
 * does not alert the user twice. The memory is keyed by (event_id, pushkey) and
 * holds the answer given, so a retry gets the same answer and reaches no provider. GW-18: badge-only
 * notifications carry no event_id; they are idempotent and never deduped. The memory is bounded
 * by a time window: an entry older than the window is ignored on lookup and removed by `cleanup`.
 */
import { type DedupeEntry, type GatewayState, keyOf } from "./state.ts";

export function recalled(state: GatewayState, eventId: string, pushkey: string, now: number, windowMs: number): DedupeEntry | undefined {
  const entry = state.dedupe[keyOf(eventId, pushkey)];
  return entry !== undefined && now - entry.at < windowMs ? entry : undefined;
}

export function remember(state: GatewayState, eventId: string, pushkey: string, rejected: boolean, now: number): void {
  state.dedupe[keyOf(eventId, pushkey)] = { at: now, rejected };
}

export function forgetOldAnswers(state: GatewayState, now: number, windowMs: number): number {
  let removed = 0;
  for (const [key, entry] of Object.entries(state.dedupe)) {
    if (now - entry.at >= windowMs) {
      delete state.dedupe[key];
      removed++;
    }
  }
  return removed;
}
