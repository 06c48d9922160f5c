/** The notebook's view state that is not part of the document: selection, mode, panels. */
import type { Cell } from "@tessera/protocol";
import { EMPTY_SELECTION, type Selection } from "./selection.js";

/**
 * A cell another page deleted while this page was editing it: its text is kept here, where
 * the cell was, for the user to reinsert or discard (and to go on typing into meanwhile).
 */
export interface Orphan {
  key: string;
  /** Where the cell was. */
  index: number;
  cellType: Cell["cell_type"];
  text: string;
}

export interface UiState {
  sel: Selection;
  /** Markdown cells shown as source (being edited) rather than rendered. */
  editingMarkdown: ReadonlySet<string>;
  showKeys: boolean;
  orphans: readonly Orphan[];
}

export class UiStore {
  private state: UiState = { sel: EMPTY_SELECTION, editingMarkdown: new Set(), showKeys: false, orphans: [] };
  private readonly listeners = new Set<() => void>();

  get = (): UiState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  update(patch: Partial<UiState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }

  setSelection(sel: Selection): void {
    const cur = this.state.sel;
    if (cur.mode === sel.mode && cur.activeId === sel.activeId && cur.anchorId === sel.anchorId) return;
    this.update({ sel });
  }

  addOrphan(orphan: Orphan): void {
    this.update({ orphans: [...this.state.orphans, orphan] });
  }

  setOrphanText(key: string, text: string): void {
    this.update({ orphans: this.state.orphans.map((o) => (o.key === key ? { ...o, text } : o)) });
  }

  removeOrphan(key: string): void {
    this.update({ orphans: this.state.orphans.filter((o) => o.key !== key) });
  }

  setEditingMarkdown(id: string, editing: boolean): void {
    const has = this.state.editingMarkdown.has(id);
    if (has === editing) return;
    const next = new Set(this.state.editingMarkdown);
    if (editing) next.add(id);
    else next.delete(id);
    this.update({ editingMarkdown: next });
  }
}
