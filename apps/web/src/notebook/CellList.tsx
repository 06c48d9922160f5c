/**
 * The cells, and Jupyter's command mode: keys pressed while a cell (not its editor) has
 * focus are notebook commands. In command mode the active cell holds focus; in edit mode
 * its editor does.
 */
import { Fragment, useEffect, useRef, type KeyboardEvent } from "react";
import type { DocClientState } from "../channel/doc-client.js";
import { selectedIds } from "../state/selection.js";
import type { UiState } from "../state/ui-store.js";
import type { NotebookActions } from "./actions.js";
import { CellView } from "./Cell.js";
import { commandForKey, type Chord } from "./keymap.js";
import { OrphanCell } from "./OrphanCell.js";
import { usePeersByCell, peersIn } from "./use-client.js";

export function CellList({ state, ui, actions }: { state: DocClientState; ui: UiState; actions: NotebookActions }) {
  const peers = usePeersByCell(actions.client);
  const listRef = useRef<HTMLDivElement>(null);
  const chord = useRef<Chord | null>(null);
  const cells = state.doc?.notebook.cells ?? [];
  const run = state.doc?.run ?? {};
  const order = cells.map((c) => c.id);
  const selected = new Set(selectedIds(order, ui.sel));
  const { activeId, mode } = ui.sel;

  // Command mode: the active cell takes focus (unless a dialog or menu has it).
  useEffect(() => {
    if (mode !== "command" || activeId === null) return;
    const el = listRef.current?.querySelector<HTMLElement>(`[data-cell-id="${CSS.escape(activeId)}"]`);
    if (!el) return;
    const focusedEl = document.activeElement;
    // A kept orphan's text box keeps the keyboard: its keys are text, not commands.
    const elsewhere =
      focusedEl &&
      focusedEl !== document.body &&
      (!listRef.current?.contains(focusedEl) || !!focusedEl.closest(".orphan")) &&
      !focusedEl.closest(".toolbar");
    if (!elsewhere) el.focus({ preventScroll: true });
    el.scrollIntoView({ block: "nearest" });
  }, [activeId, mode]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const target = e.target as HTMLElement;
    if (e.defaultPrevented || !target.classList.contains("cell")) return;
    const result = commandForKey(e, "command", chord.current, performance.now());
    chord.current = result.chord;
    if (result.chord) {
      e.preventDefault();
      return;
    }
    if (!result.command) return;
    e.preventDefault();
    e.stopPropagation();
    actions.command(result.command);
  };

  return (
    <div className="cells" role="list" aria-label="Cells" ref={listRef} onKeyDown={onKeyDown}>
      {cells.map((cell, i) => (
        <Fragment key={cell.id}>
          {ui.orphans
            .filter((o) => o.index === i)
            .map((o) => (
              <OrphanCell key={o.key} orphan={o} actions={actions} />
            ))}
          <CellView
            cell={cell}
            index={i}
            run={run[cell.id]}
            selected={selected.has(cell.id)}
            active={cell.id === activeId}
            editing={cell.id === activeId && mode === "edit"}
            markdownSource={ui.editingMarkdown.has(cell.id)}
            input={state.inputs.get(cell.id)}
            peers={peersIn(peers, cell.id)}
            actions={actions}
          />
        </Fragment>
      ))}
      {ui.orphans
        .filter((o) => o.index >= cells.length)
        .map((o) => (
          <OrphanCell key={o.key} orphan={o} actions={actions} />
        ))}
      <div className="add-cells">
        <button type="button" className="btn btn-ghost" onClick={() => addAtEnd(actions, "code")}>
          + Code
        </button>
        <button type="button" className="btn btn-ghost" onClick={() => addAtEnd(actions, "markdown")}>
          + Markdown
        </button>
      </div>
    </div>
  );
}

function addAtEnd(actions: NotebookActions, type: "code" | "markdown"): void {
  const cells = actions.client.getState().doc?.notebook.cells ?? [];
  if (cells.length) actions.select(cells[cells.length - 1].id);
  actions.insert("below", type);
  const after = actions.client.getState().doc?.notebook.cells ?? [];
  if (after.length) actions.enterEdit(after[after.length - 1].id);
}
