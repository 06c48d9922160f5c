/**
 * Conditions waited on by a client that hears events (a socket's messages): `until` checks
 * the condition now and again at every `wake`, with a timeout that names what was awaited.
 */
export class Waiters {
  private pending: Array<() => void> = [];

  /** Re-checks every waiting condition (call it on each event). */
  wake(): void {
    for (const w of this.pending.splice(0)) w();
  }

  /** Resolves when `check` holds; rejects after `timeoutMs` with `what` in the message. */
  until(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting until ${what}`)), timeoutMs);
      const again = () => {
        if (check()) {
          clearTimeout(timer);
          resolve();
        } else this.pending.push(again);
      };
      this.pending.push(again);
    });
  }
}
