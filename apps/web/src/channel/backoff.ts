/** Reconnect delays: exponential, capped, with jitter so many tabs do not retry in step. */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** Returns a number in [0, 1); the delay is scaled into [50%, 100%] of its step. */
  random: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 10_000, factor: 2, random: Math.random };

/**
 * The delay before reconnect attempt `attempt` (0 = the first retry).
 * @example backoffDelay(3, { ...DEFAULT_BACKOFF, random: () => 0.999 }) // ≈ 4000
 */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const step = Math.min(options.maxMs, options.initialMs * Math.pow(options.factor, Math.max(0, attempt)));
  return Math.round(step * (0.5 + options.random() / 2));
}
