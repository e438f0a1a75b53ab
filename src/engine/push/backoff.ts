/**
 * The pusher's retry decision (push-backoff policy; PUSH-27, PUSH-60: retry "for a reasonable
 * amount of time using exponential backoff"). Only the decision lives here; the waiting is a
 * timer effect the driver executes. Reference constants are Synapse's: 1 s, doubling, capped at
 * 1 h, and after 24 h of continuous failure the head notification is given up.
 */

export interface BackoffConfig {
  /** Delay after the first failure of a streak, in milliseconds. */
  readonly initialMs: number;
  /** Factor applied per further consecutive failure (> 1 for a back-off that grows). */
  readonly multiplier: number;
  /** Upper bound of any single delay, in milliseconds. */
  readonly maxMs: number;
  /** A failure this long after the first failure of the streak drops the head notification. */
  readonly giveUpAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffConfig = {
  initialMs: 1_000,
  multiplier: 2,
  maxMs: 60 * 60 * 1_000,
  giveUpAfterMs: 24 * 60 * 60 * 1_000,
};

/** Milliseconds to wait after consecutive failure number `attempt` (1-based) before retrying. */
export function nextDelay(attempt: number, config: BackoffConfig = DEFAULT_BACKOFF): number {
  let delay = Math.min(config.initialMs, config.maxMs);
  // Growth stops at the cap, so the loop is short whatever `attempt` is.
  for (let n = 1; n < attempt && delay < config.maxMs && config.multiplier > 1; n++) {
    delay = Math.min(delay * config.multiplier, config.maxMs);
  }
  return delay;
}

/** Whether a failure at `now` ends a streak that began at `failingSince` (push-backoff policy). */
export function shouldGiveUp(failingSince: number | null, now: number, config: BackoffConfig = DEFAULT_BACKOFF): boolean {
  return failingSince !== null && now - failingSince >= config.giveUpAfterMs;
}

export function checkBackoff(config: BackoffConfig): BackoffConfig {
  const positive = config.initialMs > 0 && config.maxMs >= config.initialMs && config.giveUpAfterMs > 0;
  if (!positive || !(config.multiplier >= 1)) throw new RangeError(`invalid push back-off ${JSON.stringify(config)}`);
  return config;
}
