/** A fake WebSocket and fake timers for driving the document client without a server. */
import type { CellRunState, DocServerMessage, Notebook } from "@tessera/protocol";
import type { SocketLike, Timers } from "../src/channel/doc-client.js";

export class FakeSocket implements SocketLike {
  readyState = 0;
  sent: any[] = [];
  closed: { code?: number; reason?: string } | null = null;
  onopen: ((ev: any) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: any) => void) | null = null;

  constructor(readonly url: string) {}

  send(data: string): void {
    if (this.readyState !== 1) throw new Error("not open");
    this.sent.push(JSON.parse(data));
  }
  close(code?: number, reason?: string): void {
    this.closed = { code, reason };
    this.readyState = 3;
  }
  /** Server side: the connection opens. */
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  /** Server side: a message arrives at the page. */
  receive(msg: DocServerMessage): void {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
  /** Server side: the connection drops. */
  drop(code = 1006, reason = ""): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  sentOfType(type: string): any[] {
    return this.sent.filter((m) => m.type === type);
  }
}

export class FakeTimers implements Timers {
  now = 0;
  private seq = 0;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();

  setTimeout = (fn: () => void, ms: number): unknown => {
    this.seq += 1;
    this.pending.set(this.seq, { at: this.now + ms, fn });
    return this.seq;
  };
  clearTimeout = (handle: unknown): void => {
    this.pending.delete(handle as number);
  };
  /** Moves time forward, running due timers in order. */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.pending) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.pending.delete(next[0]);
      this.now = next[1].at;
      next[1].fn();
    }
    this.now = end;
  }
  get count(): number {
    return this.pending.size;
  }
}

export function notebook(cells: Array<{ id: string; source?: string; type?: "code" | "markdown" }>): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: cells.map((c) =>
      c.type === "markdown"
        ? { id: c.id, cell_type: "markdown" as const, source: c.source ?? "", metadata: {} }
        : { id: c.id, cell_type: "code" as const, source: c.source ?? "", metadata: {}, execution_count: null, outputs: [] },
    ),
  };
}

export function snapshot(version: number, nb: Notebook, clientId = "me", run: Record<string, CellRunState> = {}): DocServerMessage {
  return {
    type: "snapshot",
    version,
    path: "a.ipynb",
    clientId,
    notebook: nb,
    run,
    kernel: { id: "k1", status: "idle" },
    save: { dirty: false, lastSaved: null, diskChanged: false },
  };
}
