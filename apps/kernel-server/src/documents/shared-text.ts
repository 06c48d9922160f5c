import { randomUUID } from "node:crypto";
import * as Y from "yjs";
import {
  decodeUpdate,
  encodeUpdate,
  observeCellTexts,
  replaceText,
  SOURCES,
  sourcesOf,
  joinSource,
  type Cell,
  type SharedTextState,
} from "@tessera/protocol";

/** Transactions the server makes itself (cells added, removed, replaced): not a page's typing. */
export const SERVER_ORIGIN = Symbol("server");

/**
 * The server's copy of a notebook's cell texts: a Y.Doc with one Y.Text per cell id (see
 * the protocol's shared-text.ts). The server alone adds and removes cells' texts; a page's
 * update may only insert and delete characters inside them, which {@link applyFromPage}
 * checks before applying, so no page can drop another cell's text or plant other types.
 */
export class SharedCellText {
  readonly gen = randomUUID();
  readonly doc = new Y.Doc();
  private readonly sources = sourcesOf(this.doc);
  /** Clocks of the server's map-entry items (one per cell text): a page may not delete them. */
  private readonly entryClocks = new Set<number>();

  /**
   * @param cells the notebook's cells, read once
   * @param onText called with a cell's new text after any change to it, from anyone
   */
  constructor(cells: readonly Cell[], onText: (cellId: string, text: string) => void) {
    this.doc.transact(() => {
      for (const cell of cells) this.add(cell.id, joinSource(cell.source));
    }, SERVER_ORIGIN);
    observeCellTexts(this.doc, onText);
  }

  /** The whole document, for a snapshot. */
  state(): SharedTextState {
    return { gen: this.gen, update: encodeUpdate(Y.encodeStateAsUpdate(this.doc)) };
  }

  text(cellId: string): string | undefined {
    return this.sources.get(cellId)?.toString();
  }

  /** A new cell's text. */
  add(cellId: string, source: string): void {
    const text = new Y.Text(source);
    this.sources.set(cellId, text);
    const item = text._item;
    if (item) this.entryClocks.add(item.id.clock);
  }

  remove(cellId: string): void {
    const item = this.sources.get(cellId)?._item;
    this.sources.delete(cellId);
    if (item) this.entryClocks.delete(item.id.clock);
  }

  /** A whole-text replacement (set_source), as the smallest edit, so typing elsewhere in the cell survives. */
  replace(cellId: string, source: string): void {
    const text = this.sources.get(cellId);
    if (text) replaceText(text, source);
  }

  /** Runs `fn` in one server transaction and returns the update it made (null when none). */
  change(fn: () => void): Uint8Array | null {
    const updates: Uint8Array[] = [];
    const collect = (u: Uint8Array, origin: unknown) => {
      if (origin === SERVER_ORIGIN) updates.push(u);
    };
    this.doc.on("update", collect);
    try {
      this.doc.transact(fn, SERVER_ORIGIN);
    } finally {
      this.doc.off("update", collect);
    }
    return updates.length === 0 ? null : updates.length === 1 ? updates[0] : Y.mergeUpdates(updates);
  }

  /**
   * Applies a page's update (base64) after checking that it only edits characters of cell
   * texts the server made. Returns the raw update to pass on to the other pages.
   */
  applyFromPage(base64: string, origin: unknown): Uint8Array {
    const update = decodeUpdate(base64);
    let decoded: ReturnType<typeof Y.decodeUpdate>;
    try {
      decoded = Y.decodeUpdate(update);
    } catch (err) {
      throw new Error(`text update could not be read: ${(err as Error).message}`);
    }
    for (const struct of decoded.structs) {
      if (!(struct instanceof Y.Item)) continue;
      // A decoded item names a root type by its name (a string), a nested one by its item's ID.
      const parent: unknown = struct.parent;
      if (parent === SOURCES || typeof parent === "string") throw new Error("a page may edit cell texts, not add or replace cells");
      // Characters, and the tombstones of deleted ones.
      if (!(struct.content instanceof Y.ContentString || struct.content instanceof Y.ContentDeleted))
        throw new Error("a page may only insert characters into a cell's text");
    }
    for (const [client, ranges] of decoded.ds.clients) {
      if (client !== this.doc.clientID) continue;
      for (const r of ranges) {
        for (const clock of this.entryClocks) {
          if (clock >= r.clock && clock < r.clock + r.len) throw new Error("a page may not delete a cell's text");
        }
      }
    }
    Y.applyUpdate(this.doc, update, origin);
    if (this.doc.store.pendingStructs !== null) throw new Error("text update depends on edits the server never had: reload the page");
    return update;
  }
}
