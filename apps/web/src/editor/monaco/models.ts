/**
 * One Monaco model per cell, kept in step with the document. Code cells are TypeScript
 * files in one program (cells share a global scope, like the kernel's), so every cell
 * sees the names declared in the others. Edits from the server are applied as a minimal
 * replacement so the cursor of someone typing elsewhere in the cell stays put.
 */
import { joinSource, type Cell } from "@tessera/protocol";
import { languageOf, type EditorLanguage } from "../types.js";
import { monaco } from "./env.js";

interface Entry {
  model: monaco.editor.ITextModel;
  language: EditorLanguage;
  /** The cell.source value last synced (compared by reference first). */
  seen: unknown;
}

const EXT: Record<EditorLanguage, string> = { typescript: "ts", markdown: "md", plaintext: "txt" };

export class CellModels {
  private readonly entries = new Map<string, Entry>();
  private readonly byUri = new Map<string, string>();
  private applyingRemote = false;

  constructor(private readonly onLocalChange: (cellId: string, source: string) => void) {}

  cellIdOf(model: monaco.editor.ITextModel): string | undefined {
    return this.byUri.get(model.uri.toString());
  }

  /** The model for a cell, made on first use. */
  get(cellId: string, language: EditorLanguage, source: string): monaco.editor.ITextModel {
    const entry = this.entries.get(cellId);
    if (entry && entry.language === language) {
      this.update(entry, source);
      return entry.model;
    }
    if (entry) this.drop(cellId);
    const scheme = language === "typescript" ? "file" : "inmemory";
    const uri = monaco.Uri.parse(`${scheme}:///notebook/cell-${cellId}.${EXT[language]}`);
    monaco.editor.getModel(uri)?.dispose();
    const model = monaco.editor.createModel(source, language, uri);
    model.updateOptions({ tabSize: 2, insertSpaces: true });
    model.onDidChangeContent(() => {
      if (!this.applyingRemote) this.onLocalChange(cellId, model.getValue());
    });
    this.entries.set(cellId, { model, language, seen: source });
    this.byUri.set(uri.toString(), cellId);
    return model;
  }

  /** Code cells always have a model (for the TS program); others keep theirs while it exists. */
  sync(cells: readonly Cell[]): void {
    const alive = new Set<string>();
    for (const cell of cells) {
      alive.add(cell.id);
      const language = languageOf(cell.cell_type);
      const entry = this.entries.get(cell.id);
      if (entry && entry.seen === cell.source && entry.language === language) continue;
      if (cell.cell_type === "code" || entry) this.get(cell.id, language, joinSource(cell.source));
      const fresh = this.entries.get(cell.id);
      if (fresh) fresh.seen = cell.source;
    }
    for (const id of [...this.entries.keys()]) if (!alive.has(id)) this.drop(id);
  }

  private update(entry: Entry, source: string): void {
    const model = entry.model;
    const current = model.getValue();
    if (current === source) return;
    // Replace only the part that differs.
    let start = 0;
    const max = Math.min(current.length, source.length);
    while (start < max && current.charCodeAt(start) === source.charCodeAt(start)) start++;
    let end = 0;
    while (end < max - start && current.charCodeAt(current.length - 1 - end) === source.charCodeAt(source.length - 1 - end)) end++;
    const range = monaco.Range.fromPositions(model.getPositionAt(start), model.getPositionAt(current.length - end));
    this.applyingRemote = true;
    try {
      model.pushEditOperations([], [{ range, text: source.slice(start, source.length - end) }], () => null);
    } finally {
      this.applyingRemote = false;
    }
  }

  private drop(cellId: string): void {
    const entry = this.entries.get(cellId);
    if (!entry) return;
    this.entries.delete(cellId);
    this.byUri.delete(entry.model.uri.toString());
    entry.model.dispose();
  }

  disposeAll(): void {
    for (const id of [...this.entries.keys()]) this.drop(id);
  }
}
