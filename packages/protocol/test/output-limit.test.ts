/** The per-cell output limit as the shared reducer applies it (server and page alike). */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  applyOp,
  DocOpError,
  hiddenOutputCount,
  limitNotebookOutputs,
  trimOutputs,
  type DocState,
  type Notebook,
  type Output,
} from "../src/index.js";

const out = (i: number): Output => ({ output_type: "display_data", data: { "text/plain": String(i) }, metadata: {} });
const doc = (outputs: Output[]): DocState => ({
  notebook: {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [{ id: "c", cell_type: "code", source: "", metadata: {}, execution_count: 1, outputs }],
  },
  run: {},
});
const outputsOf = (s: DocState) => (s.notebook.cells[0] as { outputs: Output[] }).outputs;

test("trim_outputs keeps the last ones and puts the count in one notice at the top", () => {
  const s = doc(Array.from({ length: 10 }, (_, i) => out(i)));
  applyOp(s, { op: "trim_outputs", id: "c", keep: 4, hidden: 6 });
  assert.equal(outputsOf(s).length, 5);
  assert.equal(hiddenOutputCount(outputsOf(s)[0]), 6);
  assert.deepEqual(outputsOf(s)[0], {
    output_type: "display_data",
    data: { "text/plain": "6 earlier outputs not kept (a cell keeps its last 4)" },
    metadata: { tessera: { hiddenOutputs: 6 } },
  });
  assert.deepEqual(outputsOf(s).slice(1), [out(6), out(7), out(8), out(9)]);
  // Again: the old notice is replaced, never kept as an output.
  applyOp(s, { op: "append_output", id: "c", output: out(10) });
  applyOp(s, { op: "trim_outputs", id: "c", keep: 4, hidden: 7 });
  assert.equal(outputsOf(s).length, 5);
  assert.equal(hiddenOutputCount(outputsOf(s)[0]), 7);
  assert.deepEqual(outputsOf(s).slice(1), [out(7), out(8), out(9), out(10)]);
  assert.match(JSON.stringify(trimOutputs([out(1)], 4, 1_234_567)[0]), /1,234,567 earlier outputs not kept/);
});

test("trim_outputs refuses what does not fit, and leaves the cell as it was", () => {
  const s = doc([out(0)]);
  for (const bad of [
    { keep: -1, hidden: 0 },
    { keep: 1.5, hidden: 0 },
    { keep: 1, hidden: "2" },
  ]) {
    assert.throws(() => applyOp(s, { op: "trim_outputs", id: "c", ...(bad as { keep: number; hidden: number }) }), DocOpError);
  }
  assert.throws(() => applyOp(s, { op: "trim_outputs", id: "nope", keep: 1, hidden: 0 }), DocOpError);
  assert.deepEqual(outputsOf(s), [out(0)]);
});

test("a notebook read from a file keeps each cell's last outputs, adding to a notice it had", () => {
  const nb: Notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      { id: "a", cell_type: "code", source: "", metadata: {}, execution_count: 1, outputs: Array.from({ length: 1000 }, (_, i) => out(i)) },
      {
        id: "b",
        cell_type: "code",
        source: "",
        metadata: {},
        execution_count: 2,
        outputs: trimOutputs(
          Array.from({ length: 600 }, (_, i) => out(i)),
          600,
          50,
        ),
      },
      { id: "m", cell_type: "markdown", source: "# hi", metadata: {} },
      { id: "d", cell_type: "code", source: "", metadata: {}, execution_count: 3, outputs: [out(1)] },
    ],
  };
  assert.equal(limitNotebookOutputs(nb, 500), 500 + 100);
  const [a, b, , d] = nb.cells as Array<{ outputs: Output[] }>;
  assert.equal(a.outputs.length, 501);
  assert.equal(hiddenOutputCount(a.outputs[0]), 500);
  assert.deepEqual(a.outputs[1], out(500));
  assert.equal(hiddenOutputCount(b.outputs[0]), 150);
  assert.deepEqual(b.outputs.at(-1), out(599));
  assert.deepEqual(d.outputs, [out(1)]);
});
