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
 * `copied` names the cells already copied into this state (a batch of 500 appends to one
 * cell copies its outputs once, not 500 times). Throws the reducer's DocOpError when the
 * op does not fit.
 */
export function applyOpCow(state: DocState, op: DocOp, copied?: Set<string>): void {
  // An inserted cell is the op's own object: copied again before anything changes it.
  if (op.op === "insert_cell" && typeof op.cell?.id === "string") copied?.delete(op.cell.id);
  if (op.op !== "insert_cell" && op.op !== "set_notebook_metadata" && "id" in op) {
    const cells = state.notebook.cells;
    const i = cells.findIndex((c) => c.id === op.id);
    if (i >= 0 && !copied?.has(op.id)) {
      cells[i] = copyCellFor(cells[i], op);
      copied?.add(op.id);
    } else if (i >= 0 && op.op === "append_stream") {
      // The cell is this state's own, but its last output may still be the old state's.
      const cell = cells[i];
      if (cell.cell_type === "code" && cell.outputs.length > 0)
        cell.outputs[cell.outputs.length - 1] = { ...cell.outputs[cell.outputs.length - 1] };
    }
  }
  applyOp(state, op);
}

/** Applies ops to a fork of `state`; returns the new state (the old one is untouched). */
export function applyOpsCow(state: DocState, ops: readonly DocOp[]): DocState {
  const next = forkState(state);
  const copied = new Set<string>();
  for (const op of ops) applyOpCow(next, op, copied);
  return next;
}
