/**
 * Cell text as a shared, character-merged document (Yjs), beside the op-ordered notebook.
 *
 * Every open notebook has one `Y.Doc` on the server and one in each page. Its map
 * {@link SOURCES} holds a `Y.Text` per cell id: typing from any number of pages merges
 * character by character, and every keystroke is kept. Only the server adds and removes
 * entries (when it applies `insert_cell` / `delete_cell`); pages only edit the texts.
 * Structure, outputs and run state stay server-ordered ops (see document.ts).
 *
 * On the wire a Yjs update is base64 in a JSON frame. `gen` names one Y.Doc: a revert
 * replaces the document and starts a new generation, and updates of an older one are
 * dropped (their items would reference structs the new document never had).
 */
import * as Y from "yjs";
import { fromBase64, toBase64 } from "lib0/buffer";

/** The name of the map of cell texts in the shared Y.Doc. */
export const SOURCES = "sources";

/** The shared text state in a snapshot: the generation and the whole Y.Doc as one update. */
export interface SharedTextState {
  gen: string;
  update: string;
}

/** Who a page is, as other pages see them (remote cursors, presence). */
export interface PeerIdentity {
  name: string;
  /** A CSS colour. */
  color: string;
}

/** What a page publishes through awareness: who, and where its cursor is. */
export interface PeerState {
  user: PeerIdentity;
  /** The cell and selection of the page's cursor (Yjs relative positions, as JSON), or null. */
  cursor: { cell: string; anchor: unknown; head: unknown } | null;
}

/** The map of cell texts of a shared doc. */
export function sourcesOf(doc: Y.Doc): Y.Map<Y.Text> {
  return doc.getMap<Y.Text>(SOURCES);
}

/**
 * Calls `onText(cellId, text)` after each transaction for every cell whose text changed:
 * typed into, or added or replaced as a whole. The one observer the server and the page use.
 */
export function observeCellTexts(doc: Y.Doc, onText: (cellId: string, text: string) => void): void {
  const sources = sourcesOf(doc);
  sources.observeDeep((events) => {
    const changed = new Set<string>();
    for (const ev of events) {
      const key = (ev.target as Y.AbstractType<unknown>)._item?.parentSub;
      if (key) changed.add(key);
      else if (ev.target === sources) for (const k of (ev as Y.YMapEvent<Y.Text>).keysChanged) changed.add(k);
    }
    for (const id of changed) {
      const text = sources.get(id);
      if (text) onText(id, text.toString());
    }
  });
}

export function encodeUpdate(update: Uint8Array): string {
  return toBase64(update);
}

export function decodeUpdate(text: string): Uint8Array {
  if (typeof text !== "string") throw new Error("a Yjs update must be a base64 string");
  return fromBase64(text);
}

/**
 * Turns `ytext` into `next` with one delete and one insert around the common prefix and
 * suffix, so concurrent edits elsewhere in the text survive a whole-text replacement.
 */
export function replaceText(ytext: Y.Text, next: string): void {
  const current = ytext.toString();
  if (current === next) return;
  let start = 0;
  const max = Math.min(current.length, next.length);
  while (start < max && current.charCodeAt(start) === next.charCodeAt(start)) start++;
  let end = 0;
  while (end < max - start && current.charCodeAt(current.length - 1 - end) === next.charCodeAt(next.length - 1 - end)) end++;
  const removed = current.length - start - end;
  if (removed > 0) ytext.delete(start, removed);
  const inserted = next.slice(start, next.length - end);
  if (inserted) ytext.insert(start, inserted);
}

/**
 * A short fingerprint of a cell's source (cyrb53: 53 bits, as hex). The run state
 * keeps the fingerprint of the source that ran, so a page can mark an output whose cell
 * changed since as stale.
 */
export function sourceHash(source: string): string {
  let h1 = 0xdeadbeef ^ source.length;
  let h2 = 0x41c6ce57 ^ source.length;
  for (let i = 0; i < source.length; i++) {
    const ch = source.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16);
}
