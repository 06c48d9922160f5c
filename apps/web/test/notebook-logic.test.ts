import assert from "node:assert/strict";
import { test } from "node:test";
import type { Cell, DocState } from "@tessera/protocol";
import { applyOpsCow } from "../src/channel/cow.js";
import { commandForKey, type KeyLike } from "../src/notebook/keymap.js";
import { clearOutputOps, insertOps, moveOps, newCell, reorderOps, setTypeOps } from "../src/state/cell-ops.js";
import { moveActive, repairSelection, selectedIds, selectOnly } from "../src/state/selection.js";
import { notebook } from "./fakes.js";

const key = (k: string, mods: Partial<KeyLike> = {}): KeyLike => ({
  key: k,
  shiftKey: false,
  ctrlKey: false,
  altKey: false,
  metaKey: false,
  ...mods,
});

test("command-mode keys, chords and run keys", () => {
  assert.equal(commandForKey(key("a"), "command", null, 0).command, "insert-above");
  assert.equal(commandForKey(key("B"), "command", null, 0).command, "insert-below");
  assert.equal(commandForKey(key("a"), "edit", null, 0).command, null, "typing in edit mode is not a command");
  const first = commandForKey(key("d"), "command", null, 1000);
  assert.equal(first.command, null);
  assert.deepEqual(first.chord, { key: "d", at: 1000 });
  assert.equal(commandForKey(key("d"), "command", first.chord, 1500).command, "delete");
  assert.equal(commandForKey(key("d"), "command", first.chord, 2000).command, null, "too slow for DD");
  assert.equal(commandForKey(key("0"), "command", { key: "0", at: 0 }, 10).command, "restart");
  assert.equal(commandForKey(key("Enter", { shiftKey: true }), "edit", null, 0).command, "run-advance");
  assert.equal(commandForKey(key("Enter", { ctrlKey: true }), "command", null, 0).command, "run");
  assert.equal(commandForKey(key("Enter", { altKey: true }), "edit", null, 0).command, "run-insert");
  assert.equal(commandForKey(key("Enter"), "command", null, 0).command, "enter-edit");
  assert.equal(commandForKey(key("Enter"), "edit", null, 0).command, null);
  assert.equal(commandForKey(key("Escape"), "edit", null, 0).command, "enter-command");
  assert.equal(commandForKey(key("ArrowDown", { shiftKey: true }), "command", null, 0).command, "extend-down");
  assert.equal(commandForKey(key("V", { shiftKey: true }), "command", null, 0).command, "paste-above");
  assert.equal(commandForKey(key("s", { metaKey: true }), "edit", null, 0).command, "save");
  assert.equal(commandForKey(key("c", { ctrlKey: true }), "command", null, 0).command, null, "Ctrl+C is left to the browser");
});

test("selection ranges and movement", () => {
  const order = ["a", "b", "c", "d"];
  let sel = selectOnly("b");
  sel = moveActive(order, sel, 1, true);
  sel = moveActive(order, sel, 1, true);
  assert.deepEqual(selectedIds(order, sel), ["b", "c", "d"]);
  sel = moveActive(order, sel, 1, true);
  assert.equal(sel.activeId, "d", "clamped at the end");
  sel = moveActive(order, sel, -1, false);
  assert.deepEqual(selectedIds(order, sel), ["c"]);
  assert.deepEqual(repairSelection(order, ["a", "b", "d"], sel), selectOnly("d"), "deleted active: the next cell");
  assert.deepEqual(repairSelection(order, ["a", "b"], selectOnly("d")), selectOnly("b"), "deleted last: the new last");
});

test("move ops move a block and apply cleanly with the shared reducer", () => {
  const state: DocState = { notebook: notebook(["a", "b", "c", "d", "e"].map((id) => ({ id }))), run: {} };
  const order = state.notebook.cells.map((c) => c.id);
  const idsAfter = (ops: ReturnType<typeof moveOps>) => applyOpsCow(state, ops).notebook.cells.map((c) => c.id);
  assert.deepEqual(idsAfter(moveOps(order, ["c", "d"], -1)), ["a", "c", "d", "b", "e"]);
  assert.deepEqual(idsAfter(moveOps(order, ["b", "c"], 1)), ["a", "d", "b", "c", "e"]);
  assert.deepEqual(moveOps(order, ["a"], -1), [], "already at the top");
  assert.deepEqual(moveOps(order, ["e"], 1), []);
  const to = ["e", "a", "d", "c", "b"];
  assert.deepEqual(idsAfter(reorderOps(order, to)), to);
});

test("insert, type change and clear ops", () => {
  const cells: Cell[] = [newCell("code", "1"), newCell("markdown", "# hi")];
  (cells[0] as any).outputs = [{ output_type: "stream", name: "stdout", text: "x" }];
  const { ops, ids } = insertOps(cells, 3);
  assert.equal(ops.length, 2);
  assert.notEqual(ids[0], cells[0].id, "pasted cells get new ids");
  assert.match(ids[0], /^[a-zA-Z0-9_-]{1,64}$/);
  assert.deepEqual(
    ops.map((o) => (o as any).index),
    [3, 4],
  );
  assert.deepEqual(setTypeOps(cells, [cells[0].id, cells[1].id], "markdown"), [
    { op: "set_cell_type", id: cells[0].id, cell_type: "markdown" },
  ]);
  assert.deepEqual(clearOutputOps(cells), [{ op: "clear_outputs", id: cells[0].id }]);
});
