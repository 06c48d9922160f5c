/**
 * The notebook's commands (menus, toolbar, keys all call these). Each reads the latest
 * document from the client, builds document ops, and updates the selection.
 */
import type { Cell } from "@tessera/protocol";
import type { DocClient } from "../channel/doc-client.js";
import { confirmDialog } from "../components/dialogs.js";
import { clearOutputOps, deleteOps, insertOps, moveOps, newCell, setTypeOps, type CellType } from "../state/cell-ops.js";
import { moveActive, selectedIds, selectOnly, type Mode } from "../state/selection.js";
import type { UiStore } from "../state/ui-store.js";
import type { EditorCommand } from "../editor/types.js";
import type { CommandId } from "./keymap.js";

/** Cells copied with C/X, shared by every notebook in this tab. */
let clipboard: Cell[] = [];

export class NotebookActions {
  private readonly deleted: Array<Array<{ cell: Cell; index: number }>> = [];

  constructor(
    readonly client: DocClient,
    readonly ui: UiStore,
  ) {}

  private cells(): Cell[] {
    return this.client.getState().doc?.notebook.cells ?? [];
  }

  private order(): string[] {
    return this.cells().map((c) => c.id);
  }

  selected(): string[] {
    return selectedIds(this.order(), this.ui.get().sel);
  }

  private cell(id: string | null): Cell | undefined {
    return id === null ? undefined : this.cells().find((c) => c.id === id);
  }

  // ---- selection and mode ------------------------------------------------------------

  select(id: string, extend = false, mode: Mode = "command"): void {
    const sel = this.ui.get().sel;
    if (extend && sel.activeId !== null) this.ui.setSelection({ mode: "command", activeId: id, anchorId: sel.anchorId ?? sel.activeId });
    else this.ui.setSelection(selectOnly(id, mode));
  }

  enterEdit(id = this.ui.get().sel.activeId): void {
    const cell = this.cell(id);
    if (!cell) return;
    if (cell.cell_type === "markdown") this.ui.setEditingMarkdown(cell.id, true);
    this.ui.setSelection(selectOnly(cell.id, "edit"));
  }

  enterCommand(): void {
    const sel = this.ui.get().sel;
    if (sel.mode !== "command") this.ui.setSelection({ ...sel, mode: "command" });
  }

  private moveSelection(delta: number, extend: boolean): void {
    this.ui.setSelection(moveActive(this.order(), this.ui.get().sel, delta, extend));
  }

  selectAll(): void {
    const order = this.order();
    if (order.length) this.ui.setSelection({ mode: "command", anchorId: order[0], activeId: order[order.length - 1] });
  }

  // ---- running -----------------------------------------------------------------------

  /** Runs the selected cells (markdown cells render); then stays, advances or inserts. */
  run(then: "stay" | "advance" | "insert"): void {
    const ids = this.selected();
    if (ids.length === 0) return;
    const cells = this.cells();
    const chosen = cells.filter((c) => ids.includes(c.id));
    for (const c of chosen) if (c.cell_type === "markdown") this.ui.setEditingMarkdown(c.id, false);
    this.client.execute(chosen.filter((c) => c.cell_type === "code").map((c) => c.id));
    const last = ids[ids.length - 1];
    const index = cells.findIndex((c) => c.id === last);
    if (then === "stay") {
      this.ui.setSelection({ ...this.ui.get().sel, mode: "command" });
    } else if (then === "advance" && index + 1 < cells.length) {
      this.ui.setSelection(selectOnly(cells[index + 1].id, "command"));
    } else {
      this.insertAt(index + 1, "code", "edit");
    }
  }

  runAll(): void {
    this.client.execute(this.codeIds(0, Infinity));
  }

  /** Every code cell above the active one (not including it), as Jupyter does. */
  runAbove(): void {
    const i = this.order().indexOf(this.ui.get().sel.activeId ?? "");
    if (i > 0) this.client.execute(this.codeIds(0, i));
  }

  /** The active cell and every one below it. */
  runBelow(): void {
    const i = this.order().indexOf(this.ui.get().sel.activeId ?? "");
    if (i >= 0) this.client.execute(this.codeIds(i, Infinity));
  }

  private codeIds(from: number, to: number): string[] {
    return this.cells()
      .slice(from, to)
      .filter((c) => c.cell_type === "code")
      .map((c) => c.id);
  }

  interrupt(): void {
    this.client.interrupt();
  }

  async restart(runAll = false): Promise<void> {
    const ok = await confirmDialog({
      title: runAll ? "Restart the kernel and run all cells?" : "Restart the kernel?",
      message: "All variables will be lost.",
      confirmLabel: runAll ? "Restart and run all" : "Restart",
      danger: true,
    });
    if (ok) this.client.restart(runAll);
  }

  // ---- editing cells -----------------------------------------------------------------

  private insertAt(index: number, type: CellType, mode: Mode, source = ""): void {
    const cell = newCell(type, source);
    this.client.edit([{ op: "insert_cell", index, cell }]);
    if (type === "markdown") this.ui.setEditingMarkdown(cell.id, true);
    this.ui.setSelection(selectOnly(cell.id, mode));
  }

  insert(where: "above" | "below", type: CellType = "code"): void {
    const order = this.order();
    const ids = this.selected();
    if (ids.length === 0) return this.insertAt(order.length, type, "command");
    const index = where === "above" ? order.indexOf(ids[0]) : order.indexOf(ids[ids.length - 1]) + 1;
    this.insertAt(index, type, "command");
  }

  /** Puts a kept orphan (a cell deleted on another page while this one edited it) back as a cell, in edit mode. */
  reinsertOrphan(key: string): void {
    const orphan = this.ui.get().orphans.find((o) => o.key === key);
    if (!orphan) return;
    this.ui.removeOrphan(key);
    this.insertAt(Math.min(orphan.index, this.order().length), orphan.cellType, "edit", orphan.text);
  }

  deleteSelected(): void {
    const ids = this.selected();
    if (ids.length === 0) return;
    const cells = this.cells();
    this.deleted.push(cells.map((cell, index) => ({ cell, index })).filter((x) => ids.includes(x.cell.id)));
    if (this.deleted.length > 50) this.deleted.shift();
    const ops = deleteOps(ids);
    // A notebook always keeps one cell to type in.
    if (ids.length === cells.length) ops.push({ op: "insert_cell", index: 0, cell: newCell("code") });
    this.client.edit(ops);
  }

  undoDelete(): void {
    const batch = this.deleted.pop();
    if (!batch) return;
    const present = new Set(this.order());
    const restore = batch.filter((x) => !present.has(x.cell.id));
    let length = present.size;
    const ops = restore.map(({ cell, index }) => ({ op: "insert_cell" as const, index: Math.min(index, length++), cell }));
    this.client.edit(ops);
    if (restore.length) this.ui.setSelection(selectOnly(restore[0].cell.id));
  }

  copy(): void {
    const ids = this.selected();
    clipboard = this.cells().filter((c) => ids.includes(c.id));
  }

  cut(): void {
    this.copy();
    this.deleteSelected();
  }

  paste(where: "above" | "below"): void {
    if (clipboard.length === 0) return;
    const order = this.order();
    const ids = this.selected();
    const index = ids.length === 0 ? order.length : where === "above" ? order.indexOf(ids[0]) : order.indexOf(ids[ids.length - 1]) + 1;
    const { ops, ids: newIds } = insertOps(clipboard, index);
    this.client.edit(ops);
    this.ui.setSelection({ mode: "command", anchorId: newIds[0], activeId: newIds[newIds.length - 1] });
  }

  move(dir: -1 | 1): void {
    this.client.edit(moveOps(this.order(), this.selected(), dir));
  }

  setType(type: CellType): void {
    const ids = this.selected();
    const ops = setTypeOps(this.cells(), ids, type);
    if (type === "markdown") {
      // Newly markdown cells show rendered unless empty.
      for (const id of ids) this.ui.setEditingMarkdown(id, false);
    }
    this.client.edit(ops);
  }

  clearOutputs(all: boolean): void {
    this.client.edit(clearOutputOps(this.cells(), all ? undefined : this.selected()));
  }

  save(): void {
    this.client.requestSave();
  }

  async revertToCheckpoint(): Promise<void> {
    const ok = await confirmDialog({
      title: "Revert to the last checkpoint?",
      message: "Changes made since the checkpoint will be lost.",
      confirmLabel: "Revert",
      danger: true,
    });
    if (ok) this.client.revert("checkpoint");
  }

  toggleKeys(show?: boolean): void {
    this.ui.update({ showKeys: show ?? !this.ui.get().showKeys });
  }

  // ---- keys --------------------------------------------------------------------------

  /** A key command from the notebook (command mode) or from an editor. */
  command(id: CommandId): void {
    switch (id) {
      case "enter-edit":
        return this.enterEdit();
      case "enter-command":
        return this.enterCommand();
      case "run":
        return this.run("stay");
      case "run-advance":
        return this.run("advance");
      case "run-insert":
        return this.run("insert");
      case "insert-above":
        return this.insert("above");
      case "insert-below":
        return this.insert("below");
      case "delete":
        return this.deleteSelected();
      case "undo-delete":
        return this.undoDelete();
      case "to-code":
        return this.setType("code");
      case "to-markdown":
        return this.setType("markdown");
      case "to-raw":
        return this.setType("raw");
      case "select-up":
        return this.moveSelection(-1, false);
      case "select-down":
        return this.moveSelection(1, false);
      case "extend-up":
        return this.moveSelection(-1, true);
      case "extend-down":
        return this.moveSelection(1, true);
      case "move-up":
        return this.move(-1);
      case "move-down":
        return this.move(1);
      case "copy":
        return this.copy();
      case "cut":
        return this.cut();
      case "paste-below":
        return this.paste("below");
      case "paste-above":
        return this.paste("above");
      case "select-all":
        return this.selectAll();
      case "save":
        return this.save();
      case "interrupt":
        return this.interrupt();
      case "restart":
        return void this.restart();
      case "show-keys":
        return this.toggleKeys();
    }
  }

  /** Keys from a cell's editor: they act on that cell. */
  editorCommand = (cellId: string, command: EditorCommand): void => {
    if (this.ui.get().sel.activeId !== cellId) this.ui.setSelection(selectOnly(cellId, "edit"));
    if (command === "escape") return this.enterCommand();
    if (command === "save") return this.save();
    this.command(command);
  };

  /** An editor got focus (a click into it): that cell, edit mode. */
  editorFocus = (cellId: string): void => {
    const sel = this.ui.get().sel;
    if (sel.activeId === cellId && sel.anchorId === cellId && sel.mode === "edit") return;
    const cell = this.cell(cellId);
    if (cell?.cell_type === "markdown") this.ui.setEditingMarkdown(cellId, true);
    this.ui.setSelection(selectOnly(cellId, "edit"));
  };
}
