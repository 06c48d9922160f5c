/**
 * Copy-on-write use of the shared reducer. `applyOp` mutates in place; the page keeps
 * every state it hands to React unchanged, so before an op runs we copy exactly what it
 * will touch. A changed cell (or output) is then a new object, and an unchanged one keeps
 * its identity, which is what lets React skip the 199 cells that did not change.
 */
import { applyOp, type Cell, type DocOp, type DocState } from "@tessera/protocol";

/** A new top-level state sharing every cell with `state`. */
export function forkState(state: DocState): DocState {
  return { notebook: { ...state.notebook, cells: state.notebook.cells.slice() }, run: { ...state.run } };
}

function copyCellFor(cell: Cell, op: DocOp): Cell {
  if (cell.cell_type !== "code") return { ...cell };
  const outputs = cell.outputs.slice();
  if (op.op === "append_stream" && outputs.length > 0) {
    const last = outputs.length - 1;
    outputs[last] = { ...outputs[last] };
  }
  return { ...cell, outputs };
}

/**
 * Applies one op to a state made by {@link forkState}, copying the cell it touches first.
 * Throws the reducer's DocOpError when the op does not fit.
 */
export function applyOpCow(state: DocState, op: DocOp): void {
  if (op.op !== "insert_cell" && op.op !== "set_notebook_metadata" && "id" in op) {
    const cells = state.notebook.cells;
    const i = cells.findIndex((c) => c.id === op.id);
    if (i >= 0) cells[i] = copyCellFor(cells[i], op);
  }
  applyOp(state, op);
}

/** Applies ops to a fork of `state`; returns the new state (the old one is untouched). */
export function applyOpsCow(state: DocState, ops: readonly DocOp[]): DocState {
  const next = forkState(state);
  for (const op of ops) applyOpCow(next, op);
  return next;
}
