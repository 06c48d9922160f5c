/** The two clocks of a connection: when to retry after a drop, and when silence means dead. */
import type { Timers } from "./types.js";

/** The reconnect timer: counts failed attempts and knows when the next one starts. */
export class RetryTimer {
  /** Failed attempts since the last good connection. */
  attempt = 0;
  /** When the next attempt starts (epoch ms), while one is scheduled. */
  at: number | null = null;
  private handle: unknown = null;

  constructor(
    private readonly timers: Timers,
    private readonly now: () => number,
  ) {}

  schedule(delay: number, retry: () => void): void {
    this.clear();
    this.attempt += 1;
    this.at = this.now() + delay;
    this.handle = this.timers.setTimeout(() => {
      this.handle = null;
      this.at = null;
      retry();
    }, delay);
  }

  clear(): void {
    if (this.handle !== null) this.timers.clearTimeout(this.handle);
    this.handle = null;
    this.at = null;
  }
}

/**
 * A tunnel can die without closing the socket (a laptop lid, a NAT timeout). The server
 * pings every 15 s, so no message for 45 s (three missed pings) counts as a lost connection.
 */
export class Watchdog {
  private lastHeard = 0;
  private handle: unknown = null;

  constructor(
    private readonly timers: Timers,
    private readonly now: () => number,
    private readonly silentMs = 45_000,
    private readonly checkMs = 10_000,
  ) {}

  /** Starts watching a new socket; `watching` false ends it, `onSilent` runs once on silence. */
  start(onSilent: () => void, watching: () => boolean): void {
    this.heard();
    this.arm(onSilent, watching);
  }

  /** A message arrived. */
  heard(): void {
    this.lastHeard = this.now();
  }

  stop(): void {
    if (this.handle !== null) this.timers.clearTimeout(this.handle);
    this.handle = null;
  }

  private arm(onSilent: () => void, watching: () => boolean): void {
    this.stop();
    this.handle = this.timers.setTimeout(() => {
      this.handle = null;
      if (!watching()) return;
      if (this.now() - this.lastHeard > this.silentMs) onSilent();
      else this.arm(onSilent, watching);
    }, this.checkMs);
  }
}
