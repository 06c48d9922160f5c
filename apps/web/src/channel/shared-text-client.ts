/**
 * The page's copy of the cell texts: a Y.Doc merged with the server's, character by
 * character, and the awareness of the other pages (their names and cursors).
 *
 * Local edits (the editor's binding) go out as Yjs updates at once; updates from the
 * server are applied with origin {@link REMOTE}. While the socket is down, edits stay in
 * the Y.Doc; the next snapshot of the same generation is merged in and whatever the server
 * lacks is sent, so nothing typed offline is lost. A snapshot of a new generation (a
 * revert) replaces the doc.
 */
import * as Y from "yjs";
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from "y-protocols/awareness";
import {
  decodeUpdate,
  encodeUpdate,
  observeCellTexts,
  replaceText,
  sourcesOf,
  type PeerIdentity,
  type PeerState,
  type SharedTextState,
} from "@tessera/protocol";

/** Origin of transactions that came from the server. */
export const REMOTE = Symbol("remote");

type TextMessage = { type: "text"; gen: string; update: string } | { type: "awareness"; update: string };

export class SharedTextClient {
  doc = new Y.Doc();
  gen: string | null = null;
  awareness = quietAwareness(this.doc);
  /** Local edits that could not be sent (offline): the next snapshot sends them. */
  unsent = false;
  private you: PeerIdentity | null = null;
  private readonly resetListeners = new Set<() => void>();
  private readonly peerListeners = new Set<() => void>();

  /**
   * @param send sends a message now; false when the socket is not open
   * @param onText a cell's text changed (from anyone)
   */
  constructor(
    private readonly send: (msg: TextMessage) => boolean,
    private readonly onText: (cellId: string, text: string) => void,
  ) {
    this.wire();
  }

  /** The Y.Text of a cell, once the server has made it. */
  textOf(cellId: string): Y.Text | undefined {
    return sourcesOf(this.doc).get(cellId);
  }

  /** Called when the doc is replaced (a new generation): bindings must bind again. */
  onReset(listener: () => void): () => void {
    this.resetListeners.add(listener);
    return () => this.resetListeners.delete(listener);
  }

  /** Called when other pages' names or cursors change. */
  onPeers(listener: () => void): () => void {
    this.peerListeners.add(listener);
    return () => this.peerListeners.delete(listener);
  }

  /** The other pages: Yjs client id → their state. */
  peers(): Map<number, PeerState> {
    const out = new Map<number, PeerState>();
    for (const [id, state] of this.awareness.getStates()) {
      if (id !== this.doc.clientID && state && (state as PeerState).user) out.set(id, state as PeerState);
    }
    return out;
  }

  /** A snapshot's text state; `awareness` is everyone's cursors at that moment. */
  load(state: SharedTextState, you: PeerIdentity, awareness: string | undefined): void {
    const update = decodeUpdate(state.update);
    this.you = you;
    if (state.gen === this.gen) {
      Y.applyUpdate(this.doc, update, REMOTE);
      // What we typed while the socket was down (or whose send was lost): the server lacks it.
      const missing = Y.encodeStateAsUpdate(this.doc, Y.encodeStateVectorFromUpdate(update));
      if (hasContent(missing)) this.send({ type: "text", gen: state.gen, update: encodeUpdate(missing) });
      this.unsent = false;
      // The snapshot's sources lack what only we have: the merged texts win.
      for (const [id, text] of sourcesOf(this.doc)) this.onText(id, text.toString());
      // The server forgot the cursors of the old connection.
      const stale = [...this.awareness.getStates().keys()].filter((id) => id !== this.doc.clientID);
      removeAwarenessStates(this.awareness, stale, REMOTE);
    } else {
      this.awareness.destroy();
      this.doc.destroy();
      this.doc = new Y.Doc();
      this.awareness = quietAwareness(this.doc);
      this.gen = state.gen;
      this.unsent = false;
      Y.applyUpdate(this.doc, update, REMOTE);
      this.wire();
      for (const l of this.resetListeners) l();
    }
    if (awareness) applyAwarenessUpdate(this.awareness, decodeUpdate(awareness), REMOTE);
    const local = this.awareness.getLocalState() as PeerState | null;
    this.awareness.setLocalState({ cursor: null, ...local, user: you });
    this.emitPeers();
  }

  /** A Yjs update from the server (an ops message's `text`, or another page's typing). */
  applyRemote(update: string, gen?: string): void {
    if (gen !== undefined && gen !== this.gen) return;
    Y.applyUpdate(this.doc, decodeUpdate(update), REMOTE);
  }

  applyAwareness(update: string): void {
    applyAwarenessUpdate(this.awareness, decodeUpdate(update), REMOTE);
  }

  /** Replaces a cell's whole text as the smallest edit (a paste, a replace). False when the cell has no text yet. */
  replace(cellId: string, source: string): boolean {
    const text = this.textOf(cellId);
    if (!text) return false;
    this.doc.transact(() => replaceText(text, source));
    return true;
  }

  /** Our cursor, for the other pages. */
  setCursor(cursor: PeerState["cursor"]): void {
    if (!this.you) return;
    this.awareness.setLocalStateField("cursor", cursor);
  }

  destroy(): void {
    this.awareness.destroy();
    this.doc.destroy();
  }

  private wire(): void {
    const doc = this.doc;
    doc.on("update", (update: Uint8Array, origin: unknown) => {
      if (origin === REMOTE || this.gen === null || doc !== this.doc) return;
      if (!this.send({ type: "text", gen: this.gen, update: encodeUpdate(update) })) this.unsent = true;
    });
    observeCellTexts(doc, (id, text) => this.onText(id, text));
    const awareness = this.awareness;
    awareness.on("update", ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
      if (origin !== REMOTE && awareness === this.awareness) {
        const mine = [...added, ...updated, ...removed].filter((id) => id === doc.clientID);
        if (mine.length) this.send({ type: "awareness", update: encodeUpdate(encodeAwarenessUpdate(awareness, mine)) });
      }
    });
    awareness.on("change", () => this.emitPeers());
  }

  private emitPeers(): void {
    for (const l of this.peerListeners) l();
  }
}

/**
 * An Awareness without its own timer: the server removes a page's state when it leaves,
 * so no page needs to renew its state or time out others (and tests need no real timers).
 */
function quietAwareness(doc: Y.Doc): Awareness {
  const awareness = new Awareness(doc);
  clearInterval((awareness as unknown as { _checkInterval: ReturnType<typeof setInterval> })._checkInterval);
  awareness.setLocalState(null);
  return awareness;
}

/** An update with no structs and no deletions is two zero bytes (v1 encoding). */
function hasContent(update: Uint8Array): boolean {
  return update.length > 2;
}
