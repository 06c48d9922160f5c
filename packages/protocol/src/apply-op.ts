/**
 * Applies document ops to a notebook. The server and the page run this same code, so a
 * page that applies the ops it receives, in order, holds the server's document.
 */
import { mergeChartOutput } from "./chart.js";
import type { CellRunState, DocOp } from "./document.js";
import type { Cell, Notebook, Output, StreamOutput } from "./nbformat.js";
import { joinSource, trimOutputs } from "./nbformat.js";

/** Thrown when an op does not fit the document (unknown cell, bad index, bad type). */
export class DocOpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DocOpError";
  }
}

export interface DocState {
  notebook: Notebook;
  run: Record<string, CellRunState>;
}

function indexOf(nb: Notebook, id: string): number {
  const i = nb.cells.findIndex((c) => c.id === id);
  if (i < 0) throw new DocOpError(`no cell with id ${JSON.stringify(id)}`);
  return i;
}

function codeCell(nb: Notebook, id: string) {
  const cell = nb.cells[indexOf(nb, id)];
  if (cell.cell_type !== "code") throw new DocOpError(`cell ${id} is a ${cell.cell_type} cell, not code`);
  return cell;
}

function checkIndex(index: unknown, max: number): number {
  if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index > max) {
    throw new DocOpError(`index ${String(index)} is outside 0..${max}`);
  }
  return index;
}

/** A cell converted to another type, keeping id, source and metadata. */
export function convertCell(cell: Cell, type: Cell["cell_type"]): Cell {
  const base = { id: cell.id, source: joinSource(cell.source), metadata: cell.metadata };
  if (type === "code") return { ...base, cell_type: "code", execution_count: null, outputs: [] };
  if (type === "markdown") return { ...base, cell_type: "markdown" };
  if (type === "raw") return { ...base, cell_type: "raw" };
  throw new DocOpError(`unknown cell type ${JSON.stringify(type)}`);
}

/** Applies one op in place. Throws {@link DocOpError} and leaves the state unchanged when it does not fit. */
export function applyOp(state: DocState, op: DocOp): void {
  const nb = state.notebook;
  switch (op.op) {
    case "insert_cell": {
      const index = checkIndex(op.index, nb.cells.length);
      const cell = op.cell;
      if (!cell || typeof cell.id !== "string" || !cell.id) throw new DocOpError("insert_cell needs a cell with an id");
      if (nb.cells.some((c) => c.id === cell.id)) throw new DocOpError(`a cell with id ${cell.id} exists`);
      if (!["code", "markdown", "raw"].includes(cell.cell_type))
        throw new DocOpError(`unknown cell type ${JSON.stringify(cell.cell_type)}`);
      nb.cells.splice(index, 0, cell);
      return;
    }
    case "delete_cell": {
      nb.cells.splice(indexOf(nb, op.id), 1);
      delete state.run[op.id];
      return;
    }
    case "move_cell": {
      const from = indexOf(nb, op.id);
      const to = checkIndex(op.index, nb.cells.length - 1);
      const [cell] = nb.cells.splice(from, 1);
      nb.cells.splice(to, 0, cell);
      return;
    }
    case "set_source": {
      if (typeof op.source !== "string") throw new DocOpError("set_source needs a string source");
      nb.cells[indexOf(nb, op.id)].source = op.source;
      return;
    }
    case "set_cell_type": {
      const i = indexOf(nb, op.id);
      if (nb.cells[i].cell_type !== op.cell_type) nb.cells[i] = convertCell(nb.cells[i], op.cell_type);
      return;
    }
    case "set_cell_metadata": {
      if (typeof op.metadata !== "object" || op.metadata === null) throw new DocOpError("metadata must be an object");
      nb.cells[indexOf(nb, op.id)].metadata = op.metadata;
      return;
    }
    case "clear_outputs": {
      const cell = nb.cells[indexOf(nb, op.id)];
      if (cell.cell_type === "code") cell.outputs = [];
      return;
    }
    case "set_notebook_metadata": {
      if (typeof op.metadata !== "object" || op.metadata === null) throw new DocOpError("metadata must be an object");
      nb.metadata = op.metadata;
      return;
    }
    case "append_output": {
      codeCell(nb, op.id).outputs.push(op.output);
      return;
    }
    case "append_stream": {
      const cell = codeCell(nb, op.id);
      const last = cell.outputs[cell.outputs.length - 1];
      if (last && last.output_type === "stream" && last.name === op.name) {
        last.text = joinSource(last.text) + op.text;
      } else {
        cell.outputs.push({ output_type: "stream", name: op.name, text: op.text } satisfies StreamOutput);
      }
      return;
    }
    case "replace_output": {
      const cell = codeCell(nb, op.id);
      checkIndex(op.index, cell.outputs.length - 1);
      // A live chart's update carries only its new points: they are appended, not swapped in.
      cell.outputs[op.index] = mergeChartOutput(cell.outputs[op.index], op.output as Output);
      return;
    }
    case "trim_outputs": {
      const cell = codeCell(nb, op.id);
      for (const n of [op.keep, op.hidden]) {
        if (typeof n !== "number" || !Number.isInteger(n) || n < 0)
          throw new DocOpError(`trim_outputs needs whole numbers, got ${String(n)}`);
      }
      cell.outputs = trimOutputs(cell.outputs, op.keep, op.hidden);
      return;
    }
    case "set_execution_count": {
      codeCell(nb, op.id).execution_count = op.count;
      return;
    }
    case "set_run_state": {
      indexOf(nb, op.id);
      state.run[op.id] = op.run;
      return;
    }
    default:
      throw new DocOpError(`unknown op ${JSON.stringify((op as { op?: unknown }).op)}`);
  }
}
