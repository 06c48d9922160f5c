/** Builders for the document ops behind the cell commands (pure: cells in, ops out). */
import { joinSource, newId, type Cell, type ClientDocOp } from "@tessera/protocol";

export type CellType = Cell["cell_type"];

/** A new empty cell with a fresh nbformat 4.5 id. */
export function newCell(type: CellType, source = ""): Cell {
  const id = newId().replace(/-/g, "").slice(0, 16);
  if (type === "code") return { id, cell_type: "code", source, metadata: {}, execution_count: null, outputs: [] };
  if (type === "markdown") return { id, cell_type: "markdown", source, metadata: {} };
  return { id, cell_type: "raw", source, metadata: {} };
}

/** A copy of a cell for the clipboard or a paste: same content, a new id. */
export function copyCell(cell: Cell): Cell {
  const fresh = newCell(cell.cell_type, joinSource(cell.source));
  const copy = JSON.parse(JSON.stringify({ ...cell, id: fresh.id })) as Cell;
  copy.source = joinSource(cell.source);
  return copy;
}

/** Inserts `cells` starting at `index` (each gets a new id). */
export function insertOps(cells: readonly Cell[], index: number): { ops: ClientDocOp[]; ids: string[] } {
  const copies = cells.map(copyCell);
  return {
    ops: copies.map((cell, i) => ({ op: "insert_cell", index: index + i, cell })),
    ids: copies.map((c) => c.id),
  };
}

export function deleteOps(ids: readonly string[]): ClientDocOp[] {
  return ids.map((id) => ({ op: "delete_cell", id }));
}

export function setTypeOps(cells: readonly Cell[], ids: readonly string[], type: CellType): ClientDocOp[] {
  const wanted = new Set(ids);
  return cells.filter((c) => wanted.has(c.id) && c.cell_type !== type).map((c) => ({ op: "set_cell_type", id: c.id, cell_type: type }));
}

export function clearOutputOps(cells: readonly Cell[], ids?: readonly string[]): ClientDocOp[] {
  const wanted = ids ? new Set(ids) : null;
  return cells
    .filter((c) => c.cell_type === "code" && (!wanted || wanted.has(c.id)) && c.outputs.length > 0)
    .map((c) => ({ op: "clear_outputs", id: c.id }));
}

/**
 * Moves the selected cells one step up (-1) or down (+1), as a block; nothing moves when
 * the block already touches that end.
 */
export function moveOps(order: readonly string[], selected: readonly string[], dir: -1 | 1): ClientDocOp[] {
  const sel = new Set(selected);
  const target = order.slice();
  const indices = target.map((id, i) => (sel.has(id) ? i : -1)).filter((i) => i >= 0);
  if (indices.length === 0) return [];
  if (dir < 0 ? indices[0] === 0 : indices[indices.length - 1] === target.length - 1) return [];
  const walk = dir < 0 ? indices : indices.slice().reverse();
  for (const i of walk) [target[i], target[i + dir]] = [target[i + dir], target[i]];
  return reorderOps(order, target);
}

/** move_cell ops that turn `from` into `to` (same ids), applied one after another. */
export function reorderOps(from: readonly string[], to: readonly string[]): ClientDocOp[] {
  const current = from.slice();
  const ops: ClientDocOp[] = [];
  for (let j = 0; j < to.length; j++) {
    if (current[j] === to[j]) continue;
    const k = current.indexOf(to[j]);
    current.splice(k, 1);
    current.splice(j, 0, to[j]);
    ops.push({ op: "move_cell", id: to[j], index: j });
  }
  return ops;
}
