/**
 * One cell cannot wedge the server: a cell keeps its last 500 outputs (the rest counted in
 * a notice), a flood of display() reaches pages as a few batched messages, a save that
 * fails backs off and stops, and a notebook with 380,000 outputs opens at once. (A million
 * display() calls against the built server: hardening/output-flood.test.ts, full mode.)
 */
import assert from "node:assert/strict";
import { readdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { hiddenOutputCount, joinSource, trimOutputs, type Output } from "@tessera/protocol";
import { parseNotebook } from "../src/contents/notebook-format.js";
import { MAX_OUTPUTS_PER_CELL } from "../src/documents/output-limits.js";
import { DocPage as View } from "./helpers/doc-page.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

const emptyNb = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] };
const plain = (o: Output | undefined) =>
  o && "data" in o ? joinSource(o.data["text/plain"] as string) : o?.output_type === "stream" ? joinSource(o.text) : undefined;
const tempFiles = async (dir: string) => (await readdir(dir)).filter((n) => n.startsWith(".~tessera-"));

/** CPU time (ms) this process (server and test alike: the server runs in it) spends over `ms` of quiet. */
async function cpuOver(ms: number): Promise<number> {
  const start = process.cpuUsage();
  await new Promise((r) => setTimeout(r, ms));
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

/** The server is idle: /api/status answers, and it spends little CPU over 2 s. */
async function assertIdle(t: TestServer): Promise<void> {
  const res = await t.api("api/status");
  assert.equal(res.status, 200);
  const cpu = await cpuOver(2000);
  assert.ok(cpu < 600, `the server is idle: ${cpu.toFixed(0)} ms of CPU in 2 s`);
}

async function shutDownKernel(t: TestServer, v: View): Promise<void> {
  assert.ok(v.kernelId, "a kernel ran");
  const res = await t.api(`api/kernels/${v.kernelId}`, { method: "DELETE" });
  assert.equal(res.status, 204);
}

describe("output limits", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t?.close());

  // 200,000 here (5-30 s, the kernel's pace); hardening/output-flood.test.ts runs a million under TESSERA_HARDENING=full.
  it("200,000 display() calls: the last 500 kept, the rest counted, a few messages a second, a small valid file, an idle server after", async () => {
    const N = 200_000;
    await writeFile(join(t.root, "million.ipynb"), JSON.stringify(emptyNb));
    const v = await View.open(t, "million.ipynb");
    const started = Date.now();
    await v.run("flood", `for (let i = 0; i < ${N}; i++) display(i)`);
    const seconds = (Date.now() - started) / 1000;
    const outputs = v.cell("flood").outputs;
    assert.equal(outputs.length, MAX_OUTPUTS_PER_CELL + 1, "the notice and the last 500");
    assert.equal(hiddenOutputCount(outputs[0]), N - MAX_OUTPUTS_PER_CELL, "every output kept or counted");
    assert.equal(
      plain(outputs[0]),
      `${(N - MAX_OUTPUTS_PER_CELL).toLocaleString("en-US")} earlier outputs not kept (a cell keeps its last 500)`,
    );
    assert.deepEqual(
      outputs.slice(1).map(plain),
      Array.from({ length: MAX_OUTPUTS_PER_CELL }, (_, i) => String(N - MAX_OUTPUTS_PER_CELL + i)),
      "the most recent outputs, in order, the last display last",
    );
    // Batched: a page got a handful of messages a second, not one per display().
    assert.ok(v.opsMessages < N / 100, `${v.opsMessages} ops messages for ${N} outputs`);
    // A page that opens now gets the same document the first built from ops.
    const second = await View.open(t, "million.ipynb");
    assert.deepEqual(second.state!.notebook, v.state!.notebook);
    second.close();

    assert.ok((await v.request({ type: "save" })).ok);
    const path = join(t.root, "million.ipynb");
    const size = (await stat(path)).size;
    assert.ok(size < 1024 * 1024, `the file is ${size} bytes`);
    const text = await readFile(path, "utf8");
    const disk = JSON.parse(text);
    assert.equal(disk.nbformat, 4);
    assert.equal(disk.cells[0].outputs.length, MAX_OUTPUTS_PER_CELL + 1);
    assert.deepEqual(disk.cells[0].outputs[0].metadata, { tessera: { hiddenOutputs: N - MAX_OUTPUTS_PER_CELL } });
    assert.equal(disk.cells[0].outputs[0].output_type, "display_data");
    assert.equal(joinSource(disk.cells[0].outputs.at(-1).data["text/plain"]), String(N - 1));
    assert.equal(parseNotebook(text, "million.ipynb").cells.length, 1, "the file reads back");
    console.log(`[output-limits] ${N} display() calls: ${seconds.toFixed(1)} s, ${v.opsMessages} ops messages, file ${size} bytes`);

    await shutDownKernel(t, v);
    v.close();
    await assertIdle(t);
  });

  it("display ids still find their output while earlier outputs are dropped; clearOutput(wait) animations, mixed and capped streams stay exact", async () => {
    await writeFile(join(t.root, "ids.ipynb"), JSON.stringify(emptyNb));
    const v = await View.open(t, "ids.ipynb");
    // The handle's output is pushed down to the 400th kept place, then updated.
    await v.run(
      "ids",
      `const gone = display.text("first");\nfor (let i = 0; i < 3000; i++) display(i);\nconst h = display.text("progress 0");\nfor (let i = 0; i < 100; i++) display.text("after " + i);\nh.update("progress done");\ngone.update("never seen");`,
    );
    let outputs = v.cell("ids").outputs;
    assert.equal(outputs.length, MAX_OUTPUTS_PER_CELL + 1);
    assert.equal(hiddenOutputCount(outputs[0]), 3102 - MAX_OUTPUTS_PER_CELL);
    assert.match(plain(outputs[MAX_OUTPUTS_PER_CELL - 100])!, /progress done/, "the update reached the output at its new place");
    assert.equal(plain(outputs.at(-1)), "after 99");
    assert.ok(!outputs.some((o) => /never seen|first/.test(plain(o) ?? "")), "an update of a dropped output changes nothing");

    // The Jupyter animation: clear, then draw the next frame.
    await v.run("anim", `for (let i = 0; i < 20000; i++) { clearOutput({ wait: true }); display.text("frame " + i); }`);
    assert.deepEqual(v.cell("anim").outputs.map(plain), ["frame 19999"]);

    await v.run("mixed", `for (let i = 0; i < 5000; i++) { console.log("line " + i); display(i); }`);
    outputs = v.cell("mixed").outputs;
    assert.equal(outputs.length, MAX_OUTPUTS_PER_CELL + 1);
    assert.equal(hiddenOutputCount(outputs[0]), 10000 - MAX_OUTPUTS_PER_CELL);
    assert.deepEqual(outputs.slice(-4).map(plain), ["line 4998\n", "4998", "line 4999\n", "4999"]);
    // A stream past its 2 MiB cap, then displays that push its rolling tail out: the line printed last still shows, at the end.
    await v.run(
      "tail",
      `const pad = (n: number) => String(n).padStart(7, "0");\nfor (let i = 0; i < 300_000; i++) console.log(pad(i));\nfor (let j = 0; j < 1000; j++) display(j);\nconsole.log("end");`,
    );
    outputs = v.cell("tail").outputs;
    assert.equal(outputs.length, MAX_OUTPUTS_PER_CELL + 1);
    const ends = JSON.stringify(outputs.slice(-4).map((o) => [o.output_type, (plain(o) ?? "").slice(0, 60), (plain(o) ?? "").slice(-20)]));
    assert.match(plain(outputs.at(-2))!, /output truncated/, `the last outputs: ${ends}`);
    assert.match(plain(outputs.at(-1))!, /\n0299999\nend\n$/, `the last outputs: ${ends}`);
    assert.equal(plain(outputs.at(-3)), "999");
    const second = await View.open(t, "ids.ipynb");
    assert.deepEqual(second.state!.notebook, v.state!.notebook, "a new page sees what the first built from ops");
    second.close();
    v.close();
  });

  it("a save that fails backs off, tells the page, stops trying, leaves no temp file, and a document nobody watches does not spin", async () => {
    const path = join(t.root, "huge.ipynb");
    await writeFile(path, JSON.stringify(emptyNb));
    const original = await readFile(path, "utf8");
    const v = await View.open(t, "huge.ipynb");
    // 4.5 million empty lines: 4.5 MB in memory, 56 MiB as nbformat writes it (a line per list item),
    // past the 50 MiB a save may write.
    await v.run("big", `display.text("\\n".repeat(4_500_000)); "done"`);
    await v.until(() => v.saves.some((s) => /not trying again/.test(s.error ?? "")), "the saver gives up", 120_000);
    const failures = v.saves.filter((s) => s.error);
    assert.deepEqual(
      failures.map((s) => /(?:Try|Tried) (\d+)/.exec(s.error!)?.[1]),
      ["1", "2", "3", "4"],
      `four tries, then no more: ${failures.map((s) => s.error).join(" | ")}`,
    );
    assert.match(
      failures[0].error!,
      /^Save failed: "huge.ipynb" is too large to save \(\d+ MiB; the limit is 50 MiB\)\. Try 1 of 4: trying again in 2 s\.$/,
    );
    // Each wait at least the backoff: 2 s, 4 s, 8 s (timers never fire early).
    for (const [i, wait] of [2000, 4000, 8000].entries()) {
      const gap = failures[i + 1].at - failures[i].at;
      assert.ok(gap >= wait - 250, `try ${i + 2} came ${gap} ms after try ${i + 1}`);
    }
    assert.deepEqual(await tempFiles(t.root), [], "no temp file left behind");
    assert.equal(await readFile(path, "utf8"), original, "the file on disk is as it was");

    // Nobody watches and no kernel runs: the document waits, it does not retry in a loop.
    await shutDownKernel(t, v);
    v.close();
    await assertIdle(t);
    const again = await View.open(t, "huge.ipynb");
    assert.match(again.snapshot().save.error ?? "", /Tried 4 times: not trying again/, "no save was tried while nobody watched");
    assert.equal(plain(again.cell("big").outputs[0])?.length, 4_500_000, "the unsaved output is still there");
    assert.equal(again.snapshot().save.dirty, true);

    // Saving by hand tries at once; with the output cleared it works and the error goes.
    const manual = await again.request({ type: "save" });
    assert.equal(manual.ok, false);
    assert.match(manual.error ?? "", /Tried 5 times/);
    await again.request({ type: "ops", ops: [{ op: "clear_outputs", id: "big" }] });
    assert.ok((await again.request({ type: "save" })).ok);
    await again.until(() => again.saves.at(-1)?.error === undefined && again.saves.length > 0, "the error is cleared");
    assert.equal(JSON.parse(await readFile(path, "utf8")).cells[0].outputs.length, 0);
    assert.deepEqual(await tempFiles(t.root), []);
    again.close();
  });

  it("a document whose file changed on disk, left by its last page, waits for a page instead of trying to save in a loop", async () => {
    const path = join(t.root, "conflict.ipynb");
    await writeFile(path, JSON.stringify(emptyNb));
    const v = await View.open(t, "conflict.ipynb");
    await v.request({
      type: "ops",
      ops: [{ op: "insert_cell", index: 0, cell: { id: "mine", cell_type: "markdown", source: "kept in memory", metadata: {} } }],
    });
    // Someone else writes the file (a later mtime), then the page goes away before the autosave.
    await writeFile(path, JSON.stringify({ ...emptyNb, metadata: { theirs: true } }));
    const later = new Date(Date.now() + 5000);
    await utimes(path, later, later);
    v.close();
    await new Promise((r) => setTimeout(r, 500));
    await assertIdle(t);
    assert.deepEqual(JSON.parse(await readFile(path, "utf8")).metadata, { theirs: true }, "their file is not overwritten");
    const again = await View.open(t, "conflict.ipynb");
    assert.equal(again.snapshot().save.diskChanged, true, "the page is told, and can choose");
    assert.ok(again.cell("mine"), "the unsaved edit is still there");
    again.close();
  });

  it("a notebook with 380,000 outputs in a cell opens with its last 500 and the count, the file untouched", async () => {
    const N = 380_000;
    const outputs = Array.from({ length: N }, (_, i) => ({
      data: { "text/plain": [String(i)] },
      metadata: {},
      output_type: "display_data",
    }));
    // A second cell was saved limited already: its notice's count grows by what is dropped now.
    const limited = [
      ...trimOutputs([], 500, 1000),
      ...Array.from({ length: 600 }, (_, i) => ({ output_type: "display_data", data: { "text/plain": `b${i}` }, metadata: {} })),
    ];
    const nb = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        { id: "big", cell_type: "code", execution_count: 1, metadata: {}, source: "for (let i = 0; i < 380000; i++) display(i)", outputs },
        { id: "more", cell_type: "code", execution_count: 2, metadata: {}, source: "", outputs: limited },
      ],
    };
    const path = join(t.root, "opened.ipynb");
    await writeFile(path, JSON.stringify(nb, null, 1) + "\n");
    const before = await stat(path);
    const started = Date.now();
    const v = await View.open(t, "opened.ipynb");
    const seconds = (Date.now() - started) / 1000;
    const big = v.cell("big").outputs;
    assert.equal(big.length, MAX_OUTPUTS_PER_CELL + 1);
    assert.equal(hiddenOutputCount(big[0]), N - MAX_OUTPUTS_PER_CELL);
    assert.equal(plain(big[1]), String(N - MAX_OUTPUTS_PER_CELL));
    assert.equal(plain(big.at(-1)), String(N - 1));
    const more = v.cell("more").outputs;
    assert.equal(hiddenOutputCount(more[0]), 1100);
    assert.equal(plain(more.at(-1)), "b599");
    const snapshotBytes = JSON.stringify(v.snapshot()).length;
    assert.ok(snapshotBytes < 200_000, `the snapshot is ${snapshotBytes} bytes`);
    console.log(
      `[output-limits] opened ${(before.size / 1e6).toFixed(1)} MB with ${N} outputs in ${seconds.toFixed(2)} s; snapshot ${snapshotBytes} bytes`,
    );
    v.close();
    await new Promise((r) => setTimeout(r, 300));
    const after = await stat(path);
    assert.equal(after.mtimeMs, before.mtimeMs, "opening does not rewrite the file");
    assert.equal(after.size, before.size);
  });
});
