/** The page renders a cell's last 50 outputs, "Show N more" for the rest, under the server's notice. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { applyOp, hiddenOutputCount, trimOutputs, type Cell, type DocState, type Output } from "@tessera/protocol";
import { applyOpsCow } from "../src/channel/cow.js";
import { OUTPUTS_SHOWN, outputWindow } from "../src/outputs/output-window.js";

const out = (i: number): Output => ({ output_type: "display_data", data: { "text/plain": String(i) }, metadata: {} });
const texts = (w: ReturnType<typeof outputWindow>) => w.shown.map((s) => (s.output as { data: Record<string, string> }).data["text/plain"]);

test("a few outputs are all shown, with no button and no notice", () => {
  const w = outputWindow([out(0), out(1)], false);
  assert.deepEqual(texts(w), ["0", "1"]);
  assert.equal(w.more, 0);
  assert.equal(w.notice, "");
});

test("past 50, the last 50 are shown and the rest wait behind Show N more", () => {
  const outputs = Array.from({ length: 120 }, (_, i) => out(i));
  const w = outputWindow(outputs, false);
  assert.equal(OUTPUTS_SHOWN, 50);
  assert.equal(w.shown.length, 50);
  assert.equal(w.more, 70);
  assert.equal(texts(w)[0], "70");
  assert.equal(texts(w).at(-1), "119", "the newest output is on screen");
  const all = outputWindow(outputs, true);
  assert.equal(all.shown.length, 120);
  assert.equal(all.more, 0);
});

test("the server's notice is shown first, never counted as an output, and keys follow the outputs through a trim", () => {
  const outputs = trimOutputs(
    Array.from({ length: 600 }, (_, i) => out(i)),
    500,
    100,
  );
  assert.equal(hiddenOutputCount(outputs[0]), 100);
  const w = outputWindow(outputs, false);
  assert.match(w.notice, /^100 earlier outputs not kept/);
  assert.equal(w.more, 450);
  assert.equal(texts(w)[0], "550");
  // Ten more outputs: ten earlier ones are dropped and counted; each output keeps its key.
  const state: DocState = {
    notebook: {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [{ id: "c", cell_type: "code", source: "", metadata: {}, execution_count: 1, outputs } as Cell],
    },
    run: {},
  };
  const ops = [
    ...Array.from({ length: 10 }, (_, i) => ({ op: "append_output" as const, id: "c", output: out(600 + i) })),
    { op: "trim_outputs" as const, id: "c", keep: 500, hidden: 110 },
  ];
  const next = applyOpsCow(state, ops);
  const after = outputWindow((next.notebook.cells[0] as Extract<Cell, { cell_type: "code" }>).outputs, false);
  assert.match(after.notice, /^110 earlier outputs not kept/);
  const keyOf = (win: typeof w, text: string) =>
    win.shown.find((s) => (s.output as { data: Record<string, string> }).data["text/plain"] === text)?.key;
  assert.equal(keyOf(after, "599"), keyOf(w, "599"), "an output keeps its key when earlier ones are dropped");
  assert.equal(texts(after).at(-1), "609");
  // The old state is untouched (copy-on-write), and the shared reducer agrees with the page's.
  assert.equal((state.notebook.cells[0] as Extract<Cell, { cell_type: "code" }>).outputs.length, 501);
  const plain = structuredClone(state);
  for (const op of ops) applyOp(plain, op);
  assert.deepEqual(plain, next);
});

test("a batch of stream appends copies an output the old state still holds", () => {
  const state: DocState = {
    notebook: {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        {
          id: "c",
          cell_type: "code",
          source: "",
          metadata: {},
          execution_count: 1,
          outputs: [{ output_type: "stream", name: "stdout", text: "a" }],
        },
      ],
    },
    run: {},
  };
  // The first op copies the cell; the appends then change its last output, which is still the old state's.
  const next = applyOpsCow(state, [
    { op: "set_execution_count", id: "c", count: 2 },
    { op: "append_stream", id: "c", name: "stdout", text: "b" },
    { op: "append_stream", id: "c", name: "stdout", text: "c" },
    { op: "append_output", id: "c", output: out(1) },
    { op: "trim_outputs", id: "c", keep: 1, hidden: 1 },
  ]);
  assert.deepEqual(
    (state.notebook.cells[0] as Extract<Cell, { cell_type: "code" }>).outputs,
    [{ output_type: "stream", name: "stdout", text: "a" }],
    "the old state is untouched",
  );
  const outputs = (next.notebook.cells[0] as Extract<Cell, { cell_type: "code" }>).outputs;
  assert.equal(outputs.length, 2);
  assert.equal(hiddenOutputCount(outputs[0]), 1, "the stream abc was dropped and counted");
  assert.deepEqual(outputs[1], out(1));
  const kept = applyOpsCow(state, [
    { op: "set_execution_count", id: "c", count: 2 },
    { op: "append_stream", id: "c", name: "stdout", text: "b" },
  ]);
  assert.equal(((kept.notebook.cells[0] as Extract<Cell, { cell_type: "code" }>).outputs[0] as { text: string }).text, "ab");
  assert.equal(((state.notebook.cells[0] as Extract<Cell, { cell_type: "code" }>).outputs[0] as { text: string }).text, "a");
});
