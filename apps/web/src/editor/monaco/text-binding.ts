/**
 * Binds one cell's Monaco model to its shared Y.Text: keystrokes become Yjs edits, other
 * pages' edits are applied to the model where they happened (local cursors keep their
 * place in the text), undo and redo take back this page's edits only, and the other
 * pages' cursors and selections are drawn with their names. One binding per model, so
 * the text stays in step even while the cell shows no editor.
 */
import * as Y from "yjs";
import { replaceText, type PeerState } from "@tessera/protocol";
import type { SharedTextClient } from "../../channel/shared-text-client.js";
import { monaco } from "./env.js";
import { peerClass } from "./peer-styles.js";

type Editor = monaco.editor.ICodeEditor;

/**
 * Cursors stick to the character on their left: text another page types exactly where
 * this page's cursor is goes after the cursor, so two people typing at one place each keep
 * their own words whole instead of interleaving letters.
 */
const STICK_LEFT = -1;

interface SavedSelection {
  anchor: Y.RelativePosition;
  head: Y.RelativePosition;
}

export class TextBinding {
  readonly undoManager: Y.UndoManager;
  private applyingRemote = false;
  /** Each editor's selections as relative positions, taken before a transaction changes the text. */
  private saved = new Map<Editor, SavedSelection[]>();
  private decorations: string[] = [];
  private readonly cleanup: Array<() => void> = [];

  /**
   * @param editors the editors showing this model (kept by the caller, read live)
   * @param push true when the model holds typing the shared text does not have yet (a cell
   *   made on this page, typed into before the server's echo): the model's text is pushed
   *   to the shared text; otherwise the model takes the shared text.
   */
  constructor(
    readonly cellId: string,
    readonly model: monaco.editor.ITextModel,
    readonly ytext: Y.Text,
    private readonly shared: SharedTextClient,
    private readonly editors: ReadonlySet<Editor>,
    push: boolean,
  ) {
    const doc = ytext.doc as Y.Doc;
    if (push) doc.transact(() => replaceText(ytext, model.getValue()), this);
    else this.setModelText(ytext.toString());
    this.undoManager = new Y.UndoManager(ytext, { trackedOrigins: new Set([this]), captureTimeout: 500 });

    const observer = (event: Y.YTextEvent, tr: Y.Transaction) => this.onRemote(event, tr);
    ytext.observe(observer);
    const before = () => this.saveSelections();
    doc.on("beforeAllTransactions", before);
    const sub = model.onDidChangeContent((e) => this.onLocal(e));
    const offPeers = shared.onPeers(() => this.renderPeers());
    this.cleanup.push(
      () => ytext.unobserve(observer),
      () => doc.off("beforeAllTransactions", before),
      () => sub.dispose(),
      offPeers,
      () => this.undoManager.destroy(),
    );
    this.renderPeers();
  }

  undo(): void {
    this.undoManager.undo();
  }

  redo(): void {
    this.undoManager.redo();
  }

  /** Publishes `editor`'s cursor (it has focus) to the other pages. */
  publishCursor(editor: Editor): void {
    const sel = editor.getSelection();
    if (!sel || editor.getModel() !== this.model) return;
    const rel = (pos: monaco.IPosition) =>
      Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(this.ytext, this.model.getOffsetAt(pos), STICK_LEFT));
    this.shared.setCursor({ cell: this.cellId, anchor: rel(sel.getSelectionStart()), head: rel(sel.getPosition()) });
  }

  dispose(): void {
    for (const fn of this.cleanup.splice(0)) fn();
    if (!this.model.isDisposed()) this.decorations = this.model.deltaDecorations(this.decorations, []);
  }

  // ---- model → shared text ------------------------------------------------------------

  private onLocal(e: monaco.editor.IModelContentChangedEvent): void {
    if (this.applyingRemote) return;
    const doc = this.ytext.doc as Y.Doc;
    doc.transact(() => {
      // Offsets are of the text before the change: apply from the end backwards.
      for (const change of [...e.changes].sort((a, b) => b.rangeOffset - a.rangeOffset)) {
        if (change.rangeLength > 0) this.ytext.delete(change.rangeOffset, change.rangeLength);
        if (change.text) this.ytext.insert(change.rangeOffset, change.text);
      }
    }, this);
  }

  // ---- shared text → model ------------------------------------------------------------

  private saveSelections(): void {
    this.saved = new Map();
    for (const editor of this.editors) {
      if (editor.getModel() !== this.model) continue;
      const rel = (pos: monaco.IPosition) => Y.createRelativePositionFromTypeIndex(this.ytext, this.model.getOffsetAt(pos), STICK_LEFT);
      this.saved.set(
        editor,
        (editor.getSelections() ?? []).map((s) => ({ anchor: rel(s.getSelectionStart()), head: rel(s.getPosition()) })),
      );
    }
  }

  private onRemote(event: Y.YTextEvent, tr: Y.Transaction): void {
    if (tr.origin === this) return;
    const fromUndo = tr.origin === this.undoManager;
    let index = 0;
    let lastEdit = -1;
    this.applyingRemote = true;
    try {
      for (const op of event.delta) {
        if (op.retain !== undefined) {
          index += op.retain;
        } else if (typeof op.insert === "string") {
          const at = this.model.getPositionAt(index);
          this.model.applyEdits([{ range: monaco.Range.fromPositions(at, at), text: op.insert }]);
          index += op.insert.length;
          lastEdit = index;
        } else if (op.delete !== undefined) {
          const range = monaco.Range.fromPositions(this.model.getPositionAt(index), this.model.getPositionAt(index + op.delete));
          this.model.applyEdits([{ range, text: "" }]);
          lastEdit = index;
        }
      }
    } finally {
      this.applyingRemote = false;
    }
    this.restoreSelections(fromUndo ? lastEdit : -1);
    this.renderPeers();
  }

  /** Puts each editor's selections back where they were in the text; after an undo, the cursor goes to the change. */
  private restoreSelections(undoAt: number): void {
    const doc = this.ytext.doc as Y.Doc;
    for (const editor of this.editors) {
      if (editor.getModel() !== this.model) continue;
      if (undoAt >= 0 && editor.hasTextFocus()) {
        const p = this.model.getPositionAt(undoAt);
        editor.setSelection(monaco.Selection.fromPositions(p, p));
        editor.revealPosition(p);
        continue;
      }
      const saved = this.saved.get(editor);
      if (!saved) continue;
      const sels: monaco.Selection[] = [];
      for (const s of saved) {
        const a = Y.createAbsolutePositionFromRelativePosition(s.anchor, doc);
        const h = Y.createAbsolutePositionFromRelativePosition(s.head, doc);
        if (!a || !h || a.type !== this.ytext || h.type !== this.ytext) continue;
        sels.push(monaco.Selection.fromPositions(this.model.getPositionAt(a.index), this.model.getPositionAt(h.index)));
      }
      if (sels.length) editor.setSelections(sels);
    }
  }

  /** The other pages' cursors and selections in this cell, as decorations of the model. */
  private renderPeers(): void {
    if (this.model.isDisposed()) return;
    const doc = this.ytext.doc as Y.Doc;
    const decorations: monaco.editor.IModelDeltaDecoration[] = [];
    for (const [clientId, peer] of this.shared.peers()) {
      const pos = peerOffsets(peer, this.cellId, this.ytext, doc);
      if (!pos) continue;
      const cls = peerClass(clientId, peer.user);
      const head = this.model.getPositionAt(pos.head);
      if (pos.anchor !== pos.head) {
        const a = this.model.getPositionAt(pos.anchor);
        decorations.push({
          range: monaco.Range.fromPositions(a.isBefore(head) ? a : head, a.isBefore(head) ? head : a),
          options: { className: `peer-selection ${cls}` },
        });
      }
      decorations.push({
        range: monaco.Range.fromPositions(head, head),
        options: {
          beforeContentClassName: `peer-cursor ${cls}`,
          hoverMessage: { value: peer.user.name },
          stickiness: monaco.editor.TrackedRangeStickiness.NeverGrowsWhenTypingAtEdges,
        },
      });
    }
    this.decorations = this.model.deltaDecorations(this.decorations, decorations);
  }

  private setModelText(text: string): void {
    if (this.model.getValue() === text) return;
    this.applyingRemote = true;
    try {
      this.model.applyEdits([{ range: this.model.getFullModelRange(), text }]);
    } finally {
      this.applyingRemote = false;
    }
  }
}

/** A peer's cursor in this cell's text as offsets, or null when it is elsewhere. */
function peerOffsets(peer: PeerState, cellId: string, ytext: Y.Text, doc: Y.Doc): { anchor: number; head: number } | null {
  const c = peer.cursor;
  if (!c || c.cell !== cellId) return null;
  try {
    const a = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(c.anchor), doc);
    const h = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(c.head), doc);
    if (!a || !h || a.type !== ytext || h.type !== ytext) return null;
    return { anchor: a.index, head: h.index };
  } catch {
    return null;
  }
}
