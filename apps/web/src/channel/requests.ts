/** Requests waiting for their `reply` (complete, inspect), each with a timeout. */
import type { Timers } from "./types.js";

interface Waiting {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: unknown;
}

export class PendingRequests {
  private readonly waiting = new Map<string, Waiting>();

  constructor(private readonly timers: Timers) {}

  /** A promise for the reply to `id`; rejects with "timed out" after `timeoutMs`. */
  add(id: string, timeoutMs: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = this.timers.setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error("timed out"));
      }, timeoutMs);
      this.waiting.set(id, { resolve, reject, timer });
    });
  }

  /** Answers `id`; false when nothing waits for it. */
  settle(id: string, ok: boolean, result: unknown, error: string | undefined): boolean {
    const w = this.waiting.get(id);
    if (!w) return false;
    this.waiting.delete(id);
    this.timers.clearTimeout(w.timer);
    if (ok) w.resolve(result);
    else w.reject(new Error(error ?? "request failed"));
    return true;
  }

  /** The connection is gone: every waiting request fails with `why`. */
  rejectAll(why: string): void {
    for (const [id, w] of this.waiting) {
      this.timers.clearTimeout(w.timer);
      this.waiting.delete(id);
      w.reject(new Error(why));
    }
  }
}
