/**
 * Live charts in the server's document: a kernel's chart updates reach pages as appends,
 * a page that joins mid-run gets every point so far, the closing state goes out as an
 * append of what pages lack, and the saved file holds the whole chart with its SVG.
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { applyOp, CHART_MIME, joinSource, type ChartAppend, type ChartState, type DocOp, type DocServerMessage, type DocState } from "@tessera/protocol";
import { openSocket, type RecordingSocket } from "./helpers/raw-socket.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

/** A page-like view: the snapshot, then every op applied with the shared reducer. */
class View {
  state: DocState | null = null;
  ops: DocOp[] = [];
  private seen = 0;

  private constructor(readonly ws: RecordingSocket) {}

  static async open(t: TestServer, path: string): Promise<View> {
    const v = new View(await openSocket(`${t.ws}api/tessera/documents?path=${encodeURIComponent(path)}&token=${t.token}`));
    await v.until(() => v.state !== null, "the snapshot");
    return v;
  }

  private take(): void {
    for (; this.seen < this.ws.received.length; this.seen++) {
      const msg = this.ws.received[this.seen] as DocServerMessage;
      if (msg.type === "snapshot") this.state = { notebook: msg.notebook, run: msg.run };
      else if (msg.type === "ops" && this.state) {
        for (const op of msg.ops) applyOp(this.state, op);
        this.ops.push(...msg.ops);
      }
    }
  }

  async until(test: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.take();
      if (test()) return;
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}; errors: ${JSON.stringify(this.ws.received.filter((m) => m.type === "error" || (m.type === "reply" && !m.ok)))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  chart(): ChartState | undefined {
    const cell = this.state?.notebook.cells.find((c) => c.id === "train");
    const out = cell?.cell_type === "code" ? cell.outputs.find((o) => "data" in o && o.data[CHART_MIME]) : undefined;
    return out && "data" in out ? (out.data[CHART_MIME] as ChartState) : undefined;
  }

  running(): boolean {
    return this.state?.run.train?.state === "running";
  }
}

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
    const first = await View.open(t, "chart.ipynb");
    first.ws.send(JSON.stringify({ type: "ops", ops: [{ op: "insert_cell", index: 0, cell: { id: "train", cell_type: "code", source: CODE, metadata: {}, execution_count: null, outputs: [] } }] }));
    await first.until(() => !!first.state?.notebook.cells.length, "the cell is inserted");
    first.ws.send(JSON.stringify({ type: "execute", cellIds: ["train"] }));

    await first.until(() => (first.chart()?.x.length ?? 0) >= 100 && first.running(), "100 points while running");
    const second = await View.open(t, "chart.ipynb");
    const atJoin = second.chart()!;
    assert.ok(second.running(), "joined mid-run");
    assert.ok(atJoin.x.length >= 100, `the snapshot holds every point so far (${atJoin.x.length})`);
    assert.deepEqual(atJoin.x, Array.from({ length: atJoin.x.length }, (_, i) => i));

    await first.until(() => first.chart()?.done === true && !first.running(), "the chart is closed (first view)");
    await second.until(() => second.chart()?.done === true, "the chart is closed (second view)");
    for (const v of [first, second]) {
      const chart = v.chart()!;
      assert.equal(chart.x.length, STEPS);
      assert.deepEqual(chart.series, ["train", "val"]);
      assert.equal(chart.y.train[STEPS - 1], 1 / STEPS);
      assert.equal(chart.y.val.filter((x) => x !== null).length, 4);
    }
    assert.deepEqual(first.chart(), second.chart());

    // Every update after the first display went out as an append, the close included.
    const updates = first.ops.filter((op): op is Extract<DocOp, { op: "replace_output" }> => op.op === "replace_output");
    assert.ok(updates.length >= 3, `${updates.length} updates`);
    for (const op of updates) assert.ok("append" in ((op.output as { data: Record<string, unknown> }).data[CHART_MIME] as object), "an append, never the whole chart");
    const last = (updates.at(-1)!.output as { data: Record<string, unknown> }).data;
    assert.equal((last[CHART_MIME] as ChartAppend).done, true);
    assert.match(String(last["image/svg+xml"]), /^<svg /);

    second.ws.send(JSON.stringify({ type: "save", requestId: "s" }));
    await second.until(() => second.ws.received.some((m) => m.type === "reply" && m.requestId === "s"), "saved");
    const disk = JSON.parse(await readFile(join(t.root, "chart.ipynb"), "utf8"));
    const saved = disk.cells[0].outputs.find((o: { data?: Record<string, unknown> }) => o.data?.[CHART_MIME]).data;
    assert.deepEqual(saved[CHART_MIME], first.chart(), "the file holds every point");
    // nbformat keeps multi-line text as a list of lines.
    assert.match(joinSource(saved["image/svg+xml"]), /^<svg [^]*<polyline [^]*<\/svg>$/);
    assert.equal(joinSource(saved["text/plain"]), `loss: 400 points, step 399: train=0.0025, val=0.005698`);
    first.ws.close();
    second.ws.close();
  });
});
