/** The notebook's view state that is not part of the document: selection, mode, panels. */
import { EMPTY_SELECTION, type Selection } from "./selection.js";

export interface UiState {
  sel: Selection;
  /** Markdown cells shown as source (being edited) rather than rendered. */
  editingMarkdown: ReadonlySet<string>;
  showKeys: boolean;
}

export class UiStore {
  private state: UiState = { sel: EMPTY_SELECTION, editingMarkdown: new Set(), showKeys: false };
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

  setEditingMarkdown(id: string, editing: boolean): void {
    const has = this.state.editingMarkdown.has(id);
    if (has === editing) return;
    const next = new Set(this.state.editingMarkdown);
    if (editing) next.add(id);
    else next.delete(id);
    this.update({ editingMarkdown: next });
  }
}
