/**
 * The gateway's retry delay: the decision only, never the waiting (the engine turns it into a
 * timer effect). Attempt 1 failed → wait `initialDelayMs`; each further failure doubles the wait,
 * capped at `maxDelayMs`. No jitter: the engine is deterministic and one gateway delivery per
 * pushkey is in flight at a time, so there is no herd to spread.
 */
import type { RetryConfig } from "./config.ts";

export type BackoffConfig = Pick<RetryConfig, "initialDelayMs" | "maxDelayMs">;

/** Milliseconds to wait after failed attempt number `attempt` (1-based) before the next one. */
export function nextDelay(attempt: number, config: BackoffConfig): number {
  const doublings = Math.max(0, Math.floor(attempt) - 1);
  // 2 ** 1024 is Infinity; clamp the exponent long before that.
  const raw = config.initialDelayMs * 2 ** Math.min(doublings, 52);
  return Math.min(raw, config.maxDelayMs);
}
