/**
 * Which cells are selected, and whether the notebook is in command or edit mode (as in
 * Jupyter). The selection is the range between `anchorId` and `activeId`.
 */
export type Mode = "command" | "edit";

export interface Selection {
  mode: Mode;
  activeId: string | null;
  anchorId: string | null;
}

export const EMPTY_SELECTION: Selection = { mode: "command", activeId: null, anchorId: null };

/** The selected ids, in notebook order. */
export function selectedIds(order: readonly string[], sel: Selection): string[] {
  if (sel.activeId === null) return [];
  const a = order.indexOf(sel.activeId);
  if (a < 0) return [];
  const b = sel.anchorId === null ? a : order.indexOf(sel.anchorId);
  const [lo, hi] = b < 0 ? [a, a] : [Math.min(a, b), Math.max(a, b)];
  return order.slice(lo, hi + 1);
}

/** Selects one cell. */
export function selectOnly(id: string | null, mode: Mode = "command"): Selection {
  return { mode, activeId: id, anchorId: id };
}

/** Moves the active cell by `delta`; with `extend`, the anchor stays (Shift+Up/Down). */
export function moveActive(order: readonly string[], sel: Selection, delta: number, extend: boolean): Selection {
  if (order.length === 0) return EMPTY_SELECTION;
  const i = sel.activeId === null ? -1 : order.indexOf(sel.activeId);
  const next = order[Math.max(0, Math.min(order.length - 1, i < 0 ? 0 : i + delta))];
  if (extend) return { mode: "command", activeId: next, anchorId: sel.anchorId ?? sel.activeId ?? next };
  return selectOnly(next);
}

/**
 * Keeps the selection valid after the cell list changed: a deleted active cell hands the
 * selection to the cell now at its old position (or the last one).
 */
export function repairSelection(prevOrder: readonly string[], order: readonly string[], sel: Selection): Selection {
  if (order.length === 0) return sel.activeId === null ? sel : EMPTY_SELECTION;
  if (sel.activeId !== null && order.includes(sel.activeId)) {
    return sel.anchorId !== null && !order.includes(sel.anchorId) ? { ...sel, anchorId: sel.activeId } : sel;
  }
  const old = sel.activeId === null ? 0 : Math.max(0, prevOrder.indexOf(sel.activeId));
  // Prefer the first surviving cell at or after the old position.
  for (let i = old; i < prevOrder.length; i++) if (order.includes(prevOrder[i])) return selectOnly(prevOrder[i]);
  return selectOnly(order[Math.min(old, order.length - 1)]);
}
