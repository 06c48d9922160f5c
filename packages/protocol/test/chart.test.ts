/** Live chart outputs in the shared reducer: appends merge, duplicates and gaps are ignored. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { applyOp, CHART_MIME, chartUpdateAsAppend, type ChartAppend, type ChartState, type DocState, type Output } from "../src/index.js";

function chartState(x: number[], y: Record<string, (number | null)[]>, done = false): ChartState {
  return { version: 1, title: "loss", xLabel: "step", logY: false, series: Object.keys(y), x, y, done };
}

function docWith(chart: ChartState): DocState {
  const output: Output = {
    output_type: "display_data",
    data: { [CHART_MIME]: chart, "text/plain": "loss: 0 points" },
    metadata: {},
    transient: { display_id: "d1" },
  };
  return {
    notebook: {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [{ id: "c", cell_type: "code", source: "", metadata: {}, execution_count: 1, outputs: [output] }],
    },
    run: {},
  };
}

const update = (delta: ChartAppend, text = "loss: more"): Output => ({
  output_type: "display_data",
  data: { [CHART_MIME]: delta, "text/plain": text },
  metadata: {},
  transient: { display_id: "d1" },
});
const chartOf = (s: DocState): ChartState =>
  (s.notebook.cells[0] as { outputs: Array<{ data: Record<string, unknown> }> }).outputs[0].data[CHART_MIME] as ChartState;
const replace = (s: DocState, output: Output) => applyOp(s, { op: "replace_output", id: "c", index: 0, output });

test("an append is merged into the stored chart, not swapped in", () => {
  const s = docWith(chartState([0, 1], { train: [1, 0.9] }));
  replace(s, update({ version: 1, append: { start: 2, x: [2, 3], y: { train: [0.8, 0.7] } } }, "loss: 4 points"));
  const chart = chartOf(s);
  assert.deepEqual(chart.x, [0, 1, 2, 3]);
  assert.deepEqual(chart.y.train, [1, 0.9, 0.8, 0.7]);
  assert.equal(chart.done, false);
  assert.equal((s.notebook.cells[0] as any).outputs[0].data["text/plain"], "loss: 4 points", "the other mime types are replaced");
  assert.equal((s.notebook.cells[0] as any).outputs[0].transient.display_id, "d1");
});

test("a duplicated delta is ignored, an overlapping one adds only what is new, a gap is ignored", () => {
  const s = docWith(chartState([0], { train: [1] }));
  const d: ChartAppend = { version: 1, append: { start: 1, x: [1, 2], y: { train: [0.9, 0.8] } } };
  replace(s, update(d));
  const before = (s.notebook.cells[0] as any).outputs[0];
  replace(s, update(d));
  assert.deepEqual(chartOf(s).x, [0, 1, 2], "applied twice, appended once");
  assert.equal((s.notebook.cells[0] as any).outputs[0], before, "an ignored delta leaves the output as it was");
  replace(s, update({ version: 1, append: { start: 2, x: [2, 3], y: { train: [0.8, 0.7] } } }));
  assert.deepEqual(chartOf(s).x, [0, 1, 2, 3]);
  assert.deepEqual(chartOf(s).y.train, [1, 0.9, 0.8, 0.7]);
  replace(s, update({ version: 1, append: { start: 9, x: [9], y: { train: [0.1] } } }));
  assert.deepEqual(chartOf(s).x, [0, 1, 2, 3], "a delta after a gap (out of order) is not appended");
});

test("a series that appears mid-run gets nulls for the points before it; a series left out gets nulls", () => {
  const s = docWith(chartState([0, 1], { train: [1, 0.9] }));
  replace(s, update({ version: 1, append: { start: 2, x: [2, 3], y: { train: [0.8, 0.7], val: [null, 0.75] } }, series: ["val"] }));
  replace(s, update({ version: 1, append: { start: 4, x: [4], y: { val: [0.6] } } }));
  const chart = chartOf(s);
  assert.deepEqual(chart.series, ["train", "val"]);
  assert.deepEqual(chart.y.val, [null, null, null, 0.75, 0.6]);
  assert.deepEqual(chart.y.train, [1, 0.9, 0.8, 0.7, null]);
});

test("a full state (the close) replaces the chart; an append with no chart to go into changes nothing", () => {
  const s = docWith(chartState([0], { train: [1] }));
  const final = chartState([0, 1, 2], { train: [1, 0.5, 0.25] }, true);
  replace(s, { output_type: "display_data", data: { [CHART_MIME]: final, "image/svg+xml": "<svg/>" }, metadata: {} });
  assert.equal(chartOf(s).done, true);
  assert.deepEqual(chartOf(s).x, [0, 1, 2]);

  const plain: DocState = docWith(chartState([], {}));
  (plain.notebook.cells[0] as any).outputs[0] = { output_type: "display_data", data: { "text/plain": "hi" }, metadata: {} };
  replace(plain, update({ version: 1, append: { start: 0, x: [0], y: { a: [1] } } }));
  assert.deepEqual((plain.notebook.cells[0] as any).outputs[0].data, { "text/plain": "hi" });
});

test("the page's copy-on-write view: a merge makes a new output and chart object, older ones keep their identity", () => {
  const s = docWith(chartState([0], { train: [1] }));
  const oldOutput = (s.notebook.cells[0] as any).outputs[0];
  const oldChart = chartOf(s);
  replace(s, update({ version: 1, append: { start: 1, x: [1], y: { train: [0.5] } } }));
  assert.notEqual((s.notebook.cells[0] as any).outputs[0], oldOutput);
  assert.notEqual(chartOf(s), oldChart);
  assert.equal(oldOutput.data[CHART_MIME], oldChart);
});

test("a page that reloads mid-run holds the full data: snapshot + later deltas = every point once", () => {
  // The server's document after 3 of 6 deltas is what a reloading page gets as its snapshot.
  const deltas: ChartAppend[] = [];
  for (let k = 0; k < 6; k++) {
    const x = [0, 1, 2].map((j) => k * 3 + j);
    deltas.push({
      version: 1,
      append: { start: k * 3, x, y: { train: x.map((v) => 1 / (v + 1)) } },
      ...(k === 0 ? { series: ["train"] } : {}),
    });
  }
  const server = docWith(chartState([], {}));
  for (const d of deltas.slice(0, 3)) replace(server, update(d));
  const page: DocState = JSON.parse(JSON.stringify(server));
  for (const d of deltas.slice(3)) {
    replace(server, update(d));
    replace(page, update(d));
  }
  // The last delta arrives twice on the page (a replay): still once.
  replace(page, update(deltas[5]));
  const expectX = Array.from({ length: 18 }, (_, i) => i);
  assert.deepEqual(chartOf(server).x, expectX);
  assert.deepEqual(chartOf(page), chartOf(server));
  assert.deepEqual(
    JSON.parse(JSON.stringify(server.notebook)),
    JSON.parse(JSON.stringify(page.notebook)),
    "what the server saves = what the page shows",
  );
});

test("the final whole chart reaches pages as an append of what they lack, with done", () => {
  const s = docWith(chartState([0, 1], { train: [1, 0.9] }));
  const final = chartState([0, 1, 2], { train: [1, 0.9, 0.8], val: [null, null, 0.85] }, true);
  const current = (s.notebook.cells[0] as any).outputs[0].data;
  const bundle = chartUpdateAsAppend(current, { [CHART_MIME]: final, "image/svg+xml": "<svg/>", "text/plain": "loss: 3 points" });
  assert.deepEqual(bundle[CHART_MIME], {
    version: 1,
    append: { start: 2, x: [2], y: { train: [0.8], val: [0.85] } },
    series: ["val"],
    done: true,
  });
  assert.equal(bundle["image/svg+xml"], "<svg/>");
  replace(s, { output_type: "display_data", data: bundle, metadata: {} });
  assert.deepEqual(chartOf(s), final, "merged: the same chart as the whole one");
  assert.equal((s.notebook.cells[0] as any).outputs[0].data["image/svg+xml"], "<svg/>");
  // Nothing new but done: still applied once; again: ignored.
  const s2 = docWith(chartState([0], { train: [1] }));
  const closeOnly = chartUpdateAsAppend((s2.notebook.cells[0] as any).outputs[0].data, {
    [CHART_MIME]: chartState([0], { train: [1] }, true),
  });
  replace(s2, { output_type: "display_data", data: closeOnly, metadata: {} });
  assert.equal(chartOf(s2).done, true);
  // A chart that does not start like the stored one is sent whole.
  const other = chartState([0, 1], { train: [5, 4] }, true);
  assert.equal(chartUpdateAsAppend({ [CHART_MIME]: chartState([0], { train: [1] }) }, { [CHART_MIME]: other })[CHART_MIME], other);
  assert.equal(chartUpdateAsAppend({ "text/plain": "x" }, { [CHART_MIME]: other })[CHART_MIME], other);
});
