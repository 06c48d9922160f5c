/** One pending timer per key: `schedule` restarts the key's timer, `cancel` drops it. */
import type { Timers } from "./types.js";

export class KeyedDebouncer {
  private readonly timers = new Map<string, unknown>();

  constructor(
    private readonly clock: Timers,
    private readonly delayMs: number,
  ) {}

  schedule(key: string, fn: () => void): void {
    this.cancel(key);
    this.timers.set(
      key,
      this.clock.setTimeout(() => {
        this.timers.delete(key);
        fn();
      }, this.delayMs),
    );
  }

  cancel(key: string): void {
    const t = this.timers.get(key);
    if (t === undefined) return;
    this.clock.clearTimeout(t);
    this.timers.delete(key);
  }

  cancelAll(): void {
    for (const key of [...this.timers.keys()]) this.cancel(key);
  }
}
