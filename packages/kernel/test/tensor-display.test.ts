/**
 * @tessera/tensor's notebook output in a real kernel: progress bars updated in place
 * (bounded), images as image/png, and the tensor's HTML view as a cell's result.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { JupyterMessage } from "@tessera/protocol";
import { KernelProcess } from "./kernel-process.ts";

type Data = Record<string, string>;
const of = (iopub: JupyterMessage[], type: string) => iopub.filter((m) => m.header.msg_type === type);
const dataOf = (m: JupyterMessage) => (m.content as { data: Data }).data;
const idOf = (m: JupyterMessage) => (m.content as { transient?: { display_id?: string } }).transient?.display_id;

describe("tensor display in a kernel", { timeout: 180_000 }, () => {
  let k: KernelProcess;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "tessera-tt-display-"));
    k = await KernelProcess.start(dir);
    const r = await k.execute('import * as tt from "@tessera/tensor";');
    assert.equal(r.error, undefined, r.error?.evalue);
  });
  after(async () => {
    await k.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a synchronous loop's bar is one output updated at most ~10 times a second, ending at 100%", async () => {
    // 150 items of 8 ms: about 1.2 s of busy loop.
    const r = await k.execute(
      'let s = 0;\nfor (const i of tt.progress(150, { desc: "busy" })) { const t0 = Date.now(); while (Date.now() - t0 < 8) {} s += i; }\ns',
    );
    assert.equal(r.error, undefined, r.error?.evalue);
    assert.equal(r.result, String((149 * 150) / 2));
    const shown = of(r.iopub, "display_data");
    const updates = of(r.iopub, "update_display_data");
    assert.equal(shown.length, 1);
    assert.ok(shown[0] && dataOf(shown[0])["text/html"].includes("busy"));
    assert.ok(updates.length >= 4, `only ${updates.length} updates in a 1.2 s loop: not live`);
    assert.ok(updates.length <= 20, `${updates.length} updates: not throttled`);
    assert.ok(
      updates.every((u) => idOf(u) === idOf(shown[0])),
      "updates go to the bar's own display id",
    );
    const last = dataOf(updates.at(-1)!);
    assert.match(last["text/plain"], /^busy: 100%\|██████████\| 150\/150 \[/);
    assert.match(last["text/html"], /role="progressbar"/);
  });

  it("for await over a DataLoader, and a break draws the bar where it stopped", async () => {
    const r = await k.execute(
      [
        "const ds = new tt.data.TensorDataset(tt.arange(100).reshape(100, 1));",
        "const loader = new tt.data.DataLoader(ds, { batchSize: 10 });",
        "let seen = 0;",
        'for await (const [x] of tt.progress(loader, { desc: "batches" })) { x.dispose(); if (++seen === 4) break; }',
      ].join("\n"),
    );
    assert.equal(r.error, undefined, r.error?.evalue);
    const all = [...of(r.iopub, "display_data"), ...of(r.iopub, "update_display_data")];
    assert.match(dataOf(all.at(-1)!)["text/plain"], /^batches: {2}30%\|.*\| 3\/10 \[/);
  });

  it("tt.display.image and grid send image/png; update redraws the same output", async () => {
    const r = await k.execute(
      [
        "const h = tt.display.image(tt.rand([28, 28]));",
        "h.update(tt.zeros([3, 16, 16]));",
        "tt.display.grid(tt.rand([10, 1, 28, 28]), { nrow: 5 });",
      ].join("\n"),
    );
    assert.equal(r.error, undefined, r.error?.evalue);
    const shown = of(r.iopub, "display_data");
    const updates = of(r.iopub, "update_display_data");
    assert.equal(shown.length, 2);
    assert.equal(updates.length, 1);
    assert.equal(idOf(updates[0]), idOf(shown[0]));
    for (const m of [...shown, ...updates]) {
      const png = Buffer.from(dataOf(m)["image/png"], "base64");
      assert.equal(png.subarray(1, 4).toString("latin1"), "PNG");
    }
    assert.equal(dataOf(shown[0])["text/plain"], "<image: 224x224 grey PNG>");
    assert.equal(dataOf(updates[0])["text/plain"], "<image: 128x128 RGB PNG>");
    assert.equal(dataOf(shown[1])["text/plain"], "<image grid: 456x186 grey PNG>");
    assert.equal(r.result, undefined, "a cell ending in display() shows the image once");
  });

  it("a tensor as a cell's result has the HTML summary beside the printed text", async () => {
    const r = await k.execute("tt.arange(12).to('float32').reshape(3, 4)");
    assert.equal(r.error, undefined, r.error?.evalue);
    const result = of(r.iopub, "execute_result")[0];
    const data = dataOf(result);
    assert.match(data["text/plain"], /^tensor\(\[\[ 0\., {2}1\./);
    assert.match(data["text/html"], /\[3, 4\] · float32 · cpu · 12 elements · min 0 · max 11 · mean 5\.5/);
  });
});
