/** How many failed logins one address may make in a window before it has to wait. */
export interface LoginLimitOptions {
  maxFailures: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_LIMIT: LoginLimitOptions = { maxFailures: 5, windowMs: 60_000 };

/** Addresses tracked at most; past it, the ones whose failures have all expired are forgotten first. */
const MAX_TRACKED = 10_000;

/**
 * Failed logins (a wrong token or password) per client address, in a sliding window: after
 * `maxFailures` in `windowMs`, every attempt from that address, right or wrong, is refused
 * until the oldest failure leaves the window. A successful login clears the address.
 * @example if (limiter.retryAfterMs(ip) > 0) reply 429; … limiter.failed(ip) / limiter.succeeded(ip)
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly options: LoginLimitOptions = DEFAULT_LOGIN_LIMIT,
    private readonly now: () => number = Date.now,
  ) {}

  private recent(address: string): number[] {
    const since = this.now() - this.options.windowMs;
    const times = (this.failures.get(address) ?? []).filter((t) => t > since);
    if (times.length) this.failures.set(address, times);
    else this.failures.delete(address);
    return times;
  }

  /** 0 when `address` may try; otherwise how long until it may. */
  retryAfterMs(address: string): number {
    const times = this.recent(address);
    if (times.length < this.options.maxFailures) return 0;
    return Math.max(1, times[times.length - this.options.maxFailures] + this.options.windowMs - this.now());
  }

  failed(address: string): void {
    const times = this.recent(address);
    times.push(this.now());
    this.failures.set(address, times);
    if (this.failures.size > MAX_TRACKED) this.forgetExpired();
  }

  succeeded(address: string): void {
    this.failures.delete(address);
  }

  private forgetExpired(): void {
    for (const address of [...this.failures.keys()]) this.recent(address);
    // Still too many (a flood of fresh addresses): drop the oldest entries.
    for (const address of this.failures.keys()) {
      if (this.failures.size <= MAX_TRACKED) break;
      this.failures.delete(address);
    }
  }
}
