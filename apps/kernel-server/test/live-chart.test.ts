/**
 * Live charts in the server's document: a kernel's chart updates reach pages as appends,
 * a page that joins mid-run gets every point so far, the closing state goes out as an
 * append of what pages lack, and the saved file holds the whole chart with its SVG.
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CHART_MIME, joinSource, type ChartAppend, type ChartState, type DocOp } from "@tessera/protocol";
import { DocPage } from "./helpers/doc-page.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

/** The chart of the "train" cell, as a page holds it. */
function chartOf(v: DocPage): ChartState | undefined {
  const cell = v.state?.notebook.cells.find((c) => c.id === "train");
  const out = cell?.cell_type === "code" ? cell.outputs.find((o) => "data" in o && o.data[CHART_MIME]) : undefined;
  return out && "data" in out ? (out.data[CHART_MIME] as ChartState) : undefined;
}

const running = (v: DocPage) => v.state?.run.train?.state === "running";

const STEPS = 400;
const CODE = `import * as tt from "@tessera/tensor";
const chart = tt.plot.live({ title: "loss", x: "step" });
for (let step = 0; step < ${STEPS}; step++) {
  chart.log({ step, train: 1 / (step + 1), val: step >= 200 && step % 50 === 0 ? 2 / (step + 1) : undefined });
  if (step % 20 === 19) await new Promise((r) => setTimeout(r, 60));
}
chart.close();`;

describe("live charts in the document", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t?.close());

  it("pages get appends, a page that joins mid-run gets every point so far, the file gets the whole chart", async () => {
    await writeFile(join(t.root, "chart.ipynb"), JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] }));
    const first = await DocPage.open(t, "chart.ipynb");
    first.ws.send(
      JSON.stringify({
        type: "ops",
        ops: [
          {
            op: "insert_cell",
            index: 0,
            cell: { id: "train", cell_type: "code", source: CODE, metadata: {}, execution_count: null, outputs: [] },
          },
        ],
      }),
    );
    await first.until(() => !!first.state?.notebook.cells.length, "the cell is inserted");
    first.ws.send(JSON.stringify({ type: "execute", cellIds: ["train"] }));

    await first.until(() => (chartOf(first)?.x.length ?? 0) >= 100 && running(first), "100 points while running");
    const second = await DocPage.open(t, "chart.ipynb");
    const atJoin = chartOf(second)!;
    assert.ok(running(second), "joined mid-run");
    assert.ok(atJoin.x.length >= 100, `the snapshot holds every point so far (${atJoin.x.length})`);
    assert.deepEqual(
      atJoin.x,
      Array.from({ length: atJoin.x.length }, (_, i) => i),
    );

    await first.until(() => chartOf(first)?.done === true && !running(first), "the chart is closed (first view)");
    await second.until(() => chartOf(second)?.done === true, "the chart is closed (second view)");
    for (const v of [first, second]) {
      const chart = chartOf(v)!;
      assert.equal(chart.x.length, STEPS);
      assert.deepEqual(chart.series, ["train", "val"]);
      assert.equal(chart.y.train[STEPS - 1], 1 / STEPS);
      assert.equal(chart.y.val.filter((x) => x !== null).length, 4);
    }
    assert.deepEqual(chartOf(first), chartOf(second));

    // Every update after the first display went out as an append, the close included.
    const updates = first.ops.filter((op): op is Extract<DocOp, { op: "replace_output" }> => op.op === "replace_output");
    assert.ok(updates.length >= 3, `${updates.length} updates`);
    for (const op of updates)
      assert.ok(
        "append" in ((op.output as { data: Record<string, unknown> }).data[CHART_MIME] as object),
        "an append, never the whole chart",
      );
    const last = (updates.at(-1)!.output as { data: Record<string, unknown> }).data;
    assert.equal((last[CHART_MIME] as ChartAppend).done, true);
    assert.match(String(last["image/svg+xml"]), /^<svg /);

    second.ws.send(JSON.stringify({ type: "save", requestId: "s" }));
    await second.until(() => second.ws.received.some((m) => m.type === "reply" && m.requestId === "s"), "saved");
    const disk = JSON.parse(await readFile(join(t.root, "chart.ipynb"), "utf8"));
    const saved = disk.cells[0].outputs.find((o: { data?: Record<string, unknown> }) => o.data?.[CHART_MIME]).data;
    assert.deepEqual(saved[CHART_MIME], chartOf(first), "the file holds every point");
    // nbformat keeps multi-line text as a list of lines.
    assert.match(joinSource(saved["image/svg+xml"]), /^<svg [^]*<polyline [^]*<\/svg>$/);
    assert.equal(joinSource(saved["text/plain"]), `loss: 400 points, step 399: train=0.0025, val=0.005698`);
    first.ws.close();
    second.ws.close();
  });
});
