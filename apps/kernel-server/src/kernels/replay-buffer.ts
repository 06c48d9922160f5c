import type { JupyterMessage } from "@tessera/protocol";

interface Held {
  messages: JupyterMessage[];
  sizes: number[];
  bytes: number;
  dropped: number;
  since: number;
}

/**
 * What a disconnected client missed, kept per `session_id` so a reconnect with the same
 * id can be replayed (a dropped SSH tunnel loses nothing). Bounded in count, bytes and age.
 */
export class ReplayBuffer {
  private held = new Map<string, Held>();

  constructor(
    private readonly maxMessages = 10_000,
    private readonly maxBytes = 32 * 1024 * 1024,
    private readonly maxAgeMs = 10 * 60 * 1000,
  ) {}

  /** Start holding messages for a session whose last connection went away. */
  hold(sessionId: string): void {
    if (!this.held.has(sessionId)) this.held.set(sessionId, { messages: [], sizes: [], bytes: 0, dropped: 0, since: Date.now() });
  }

  isHeld(sessionId: string): boolean {
    return this.held.has(sessionId);
  }

  /** Sessions being held (for iopub fan-out). */
  sessions(): IterableIterator<string> {
    return this.held.keys();
  }

  add(sessionId: string, msg: JupyterMessage, size: number): void {
    const h = this.held.get(sessionId);
    if (!h) return;
    if (Date.now() - h.since > this.maxAgeMs) {
      this.held.delete(sessionId);
      return;
    }
    h.messages.push(msg);
    h.sizes.push(size);
    h.bytes += size;
    while (h.messages.length > this.maxMessages || h.bytes > this.maxBytes) {
      h.messages.shift();
      h.bytes -= h.sizes.shift()!;
      h.dropped++;
    }
  }

  /** Stop holding and return what was kept, oldest first, and how many were dropped. */
  take(sessionId: string): { messages: JupyterMessage[]; dropped: number } {
    const h = this.held.get(sessionId);
    this.held.delete(sessionId);
    if (!h || Date.now() - h.since > this.maxAgeMs) return { messages: [], dropped: 0 };
    return { messages: h.messages, dropped: h.dropped };
  }

  clear(): void {
    this.held.clear();
  }
}
