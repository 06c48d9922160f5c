/**
 * One Monaco model per cell, bound to the cell's shared text (text-binding.ts). Code cells
 * are TypeScript files in one program (cells share a global scope, like the kernel's), so
 * every cell sees the names declared in the others.
 */
import { joinSource, type Cell } from "@tessera/protocol";
import type { SharedTextClient } from "../../channel/shared-text-client.js";
import { languageOf, type EditorLanguage } from "../types.js";
import { monaco } from "./env.js";
import { TextBinding } from "./text-binding.js";

interface Entry {
  model: monaco.editor.ITextModel;
  language: EditorLanguage;
  binding: TextBinding | null;
  editors: Set<monaco.editor.ICodeEditor>;
  /** Typed into before the cell had a shared text (made here, not yet echoed by the server). */
  typedUnbound: boolean;
}

const EXT: Record<EditorLanguage, string> = { typescript: "ts", markdown: "md", plaintext: "txt" };

export class CellModels {
  private readonly entries = new Map<string, Entry>();
  private readonly byUri = new Map<string, string>();
  private shared: SharedTextClient | null = null;
  private offReset: (() => void) | null = null;

  /** The shared texts of the notebook on this page (one at a time). */
  setShared(shared: SharedTextClient): void {
    if (this.shared === shared) return;
    this.offReset?.();
    this.shared = shared;
    this.offReset = shared.onReset(() => this.rebindAll());
    this.rebindAll();
  }

  cellIdOf(model: monaco.editor.ITextModel): string | undefined {
    return this.byUri.get(model.uri.toString());
  }

  bindingOf(model: monaco.editor.ITextModel | null): TextBinding | null {
    const id = model ? this.cellIdOf(model) : undefined;
    return (id !== undefined && this.entries.get(id)?.binding) || null;
  }

  /** The model for a cell, made on first use. */
  get(cellId: string, language: EditorLanguage, source: string): monaco.editor.ITextModel {
    const entry = this.entries.get(cellId);
    if (entry && entry.language === language) {
      this.follow(cellId, entry, source);
      return entry.model;
    }
    if (entry) this.drop(cellId);
    const scheme = language === "typescript" ? "file" : "inmemory";
    const uri = monaco.Uri.parse(`${scheme}:///notebook/cell-${cellId}.${EXT[language]}`);
    monaco.editor.getModel(uri)?.dispose();
    const model = monaco.editor.createModel(source, language, uri);
    model.updateOptions({ tabSize: 2, insertSpaces: true });
    const fresh: Entry = { model, language, binding: null, editors: new Set(), typedUnbound: false };
    model.onDidChangeContent((e) => {
      // setValue (the document's source) flushes; anything else is typing.
      if (!fresh.binding && !e.isFlush) fresh.typedUnbound = true;
    });
    this.entries.set(cellId, fresh);
    this.byUri.set(uri.toString(), cellId);
    this.bind(cellId, fresh);
    return model;
  }

  /** Registers an editor showing the cell's model (its selections follow remote edits). */
  addEditor(cellId: string, editor: monaco.editor.ICodeEditor): () => void {
    const entry = this.entries.get(cellId);
    entry?.editors.add(editor);
    return () => entry?.editors.delete(editor);
  }

  /** Code cells always have a model (for the TS program); others keep theirs while it exists. */
  sync(cells: readonly Cell[]): void {
    const alive = new Set<string>();
    for (const cell of cells) {
      alive.add(cell.id);
      const language = languageOf(cell.cell_type);
      const entry = this.entries.get(cell.id);
      if (entry && entry.language === language) this.follow(cell.id, entry, joinSource(cell.source));
      else if (cell.cell_type === "code" || entry) this.get(cell.id, language, joinSource(cell.source));
    }
    for (const id of [...this.entries.keys()]) if (!alive.has(id)) this.drop(id);
  }

  /** A bound model follows its shared text; an unbound one binds when the text appears, or takes the document's source. */
  private follow(cellId: string, entry: Entry, source: string): void {
    if (entry.binding && entry.binding.ytext === this.shared?.textOf(cellId)) return;
    if (this.bind(cellId, entry)) return;
    if (!entry.typedUnbound && entry.model.getValue() !== source) entry.model.setValue(source);
  }

  private bind(cellId: string, entry: Entry): boolean {
    const ytext = this.shared?.textOf(cellId);
    if (!ytext || !this.shared) return false;
    entry.binding?.dispose();
    entry.binding = new TextBinding(cellId, entry.model, ytext, this.shared, entry.editors, entry.typedUnbound);
    entry.typedUnbound = false;
    return true;
  }

  /** A new shared doc (first snapshot, or a revert): every model binds to its new text. */
  private rebindAll(): void {
    for (const [id, entry] of this.entries) {
      entry.binding?.dispose();
      entry.binding = null;
      entry.typedUnbound = false;
      this.bind(id, entry);
    }
  }

  private drop(cellId: string): void {
    const entry = this.entries.get(cellId);
    if (!entry) return;
    this.entries.delete(cellId);
    this.byUri.delete(entry.model.uri.toString());
    entry.binding?.dispose();
    entry.model.dispose();
  }

  disposeAll(): void {
    for (const id of [...this.entries.keys()]) this.drop(id);
  }
}
