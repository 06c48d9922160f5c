/** A fake WebSocket and fake timers for driving the document client without a server. */
import * as Y from "yjs";
import {
  decodeUpdate,
  encodeUpdate,
  joinSource,
  sourcesOf,
  type CellRunState,
  type DocServerMessage,
  type Notebook,
  type SharedTextState,
} from "@tessera/protocol";
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

/** The server's side of the shared cell texts: a Y.Doc made from a notebook, as the server makes it. */
export class TextServer {
  readonly doc = new Y.Doc();
  constructor(
    nb: Notebook,
    readonly gen = `gen-${Math.random().toString(36).slice(2)}`,
  ) {
    for (const cell of nb.cells) sourcesOf(this.doc).set(cell.id, new Y.Text(joinSource(cell.source)));
  }
  state(): SharedTextState {
    return { gen: this.gen, update: encodeUpdate(Y.encodeStateAsUpdate(this.doc)) };
  }
  /** Applies a page's `text` message. */
  take(msg: { gen: string; update: string }): void {
    if (msg.gen === this.gen) Y.applyUpdate(this.doc, decodeUpdate(msg.update));
  }
  text(cellId: string): string | undefined {
    return sourcesOf(this.doc).get(cellId)?.toString();
  }
  /** A Yjs update made on the server's doc by `fn` (another page's typing, a new cell's text). */
  change(fn: (doc: Y.Doc) => void): string {
    const before = Y.encodeStateVector(this.doc);
    fn(this.doc);
    return encodeUpdate(Y.encodeStateAsUpdate(this.doc, before));
  }
}

export function snapshot(
  version: number,
  nb: Notebook,
  clientId = "me",
  run: Record<string, CellRunState> = {},
  text = new TextServer(nb),
): DocServerMessage {
  return {
    type: "snapshot",
    version,
    path: "a.ipynb",
    clientId,
    notebook: nb,
    run,
    kernel: { id: "k1", status: "idle" },
    save: { dirty: false, lastSaved: null, diskChanged: false },
    text: text.state(),
    you: { name: "me", color: "#1971c2" },
  };
}
