import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { JupyterMessage } from "@tessera/protocol";
import { STREAM_CAP_BYTES, STREAM_TAIL_BYTES } from "@tessera/kernel";
import { KernelProcess } from "./kernel-process.ts";

const outputs = (iopub: JupyterMessage[]) => iopub.filter((m) => m.header.msg_type !== "status" && m.header.msg_type !== "execute_input");

describe("outputs", { timeout: 180_000 }, () => {
  let k: KernelProcess;
  before(async () => {
    k = await KernelProcess.start();
  });
  after(async () => {
    await k.close();
  });

  it("sends console output as stdout/stderr streams", async () => {
    const r = await k.execute(
      "console.log('log', { a: 1 });\nconsole.info('info');\nconsole.debug('debug');\nconsole.warn('warn');\nconsole.error('error');\nconsole.table([{ x: 1 }]);\nconsole.dir({ deep: { er: 1 } });\nprocess.stdout.write('raw out\\n');\nprocess.stderr.write(Buffer.from('raw err\\n'));",
    );
    assert.match(r.stdout, /^log \{ a: 1 \}\ninfo\ndebug\n/);
    assert.match(r.stdout, /│.*x.*│/); // the table
    assert.match(r.stdout, /\{ deep: \{ er: 1 \} \}\nraw out\n$/);
    assert.equal(r.stderr, "warn\nerror\nraw err\n");
  });

  it("batches many lines into few messages and keeps output order", async () => {
    const r = await k.execute("for (let n = 0; n < 5000; n++) console.log(n);\ndisplay('between');\nconsole.log('after');\n'result'");
    const types = outputs(r.iopub).map((m) => m.header.msg_type);
    assert.ok(types.length <= 100, `5000 lines in ${types.length} messages`);
    const lines = r.stdout.split("\n");
    assert.equal(lines[0], "0");
    assert.equal(lines[4999], "4999");
    const iDisplay = types.indexOf("display_data");
    assert.ok(iDisplay > 0 && types.slice(0, iDisplay).every((t) => t === "stream"), "streams before the display");
    assert.deepEqual(types.slice(iDisplay), ["display_data", "stream", "execute_result"]);
  });

  it("sends a line printed before a long synchronous computation while it computes", async () => {
    const req = k.startExecute(
      "console.log('before');\nconsole.log('and this');\nconst until = Date.now() + 1500;\nwhile (Date.now() < until) {}\n'done'",
    );
    const from = k.received.length;
    await k.waitFor(
      (m) => m.kind === "jupyter" && m.msg.header.msg_type === "stream" && (m.msg.content as { text: string }).text.includes("and this"),
      10_000,
      from,
    );
    const seenAt = performance.now();
    await k.collect(req);
    assert.ok(performance.now() - seenAt > 700, "the lines arrived well before the cell ended");
  });

  it("displays values and updates them by display_id", async () => {
    const r = await k.execute(
      "const h = display({ step: 1 });\nh.update({ step: 2 });\ndisplay.html('<b>bold</b>');\ndisplay.markdown('# Title');\ndisplay.svg('<svg/>');\ndisplay.png(new Uint8Array([1, 2, 3]), { width: 10 });\ndisplay.json({ k: [1] });\nh.display_id",
    );
    const outs = outputs(r.iopub);
    const [first, update, html, md, svg, png, json] = outs;
    const id = (first.content as { transient: { display_id: string } }).transient.display_id;
    assert.equal(first.header.msg_type, "display_data");
    assert.deepEqual((first.content as { data: unknown }).data, { "text/plain": "{ step: 1 }" });
    assert.equal(update.header.msg_type, "update_display_data");
    assert.equal((update.content as { transient: { display_id: string } }).transient.display_id, id);
    assert.deepEqual((update.content as { data: unknown }).data, { "text/plain": "{ step: 2 }" });
    assert.deepEqual((html.content as { data: unknown }).data, { "text/html": "<b>bold</b>" });
    assert.deepEqual((md.content as { data: unknown }).data, { "text/markdown": "# Title" });
    assert.deepEqual((svg.content as { data: unknown }).data, { "image/svg+xml": "<svg/>" });
    assert.deepEqual((png.content as { data: unknown; metadata: unknown }).data, { "image/png": "AQID" });
    assert.deepEqual((png.content as { metadata: unknown }).metadata, { "image/png": { width: 10 } });
    assert.deepEqual((json.content as { data: Record<string, unknown> }).data["application/json"], { k: [1] });
    assert.equal(r.result, `'${id}'`);
  });

  it("uses [Symbol.for('Jupyter.display')]() for results and display()", async () => {
    const r = await k.execute(
      "class Chart { [Symbol.for('Jupyter.display')]() { return { 'text/html': '<i>chart</i>', 'text/plain': 'Chart' } } }\ndisplay(new Chart());\nnew Chart()",
    );
    const [shown, result] = outputs(r.iopub);
    assert.deepEqual((shown.content as { data: unknown }).data, { "text/html": "<i>chart</i>", "text/plain": "Chart" });
    assert.equal(result.header.msg_type, "execute_result");
    assert.deepEqual((result.content as { data: unknown }).data, { "text/html": "<i>chart</i>", "text/plain": "Chart" });
  });

  it("shows a cell ending in display(...) once, without its handle as a result", async () => {
    const r = await k.execute("display.html('<b>once</b>')");
    const outs = outputs(r.iopub);
    assert.deepEqual(
      outs.map((m) => m.header.msg_type),
      ["display_data"],
    );
    assert.equal(r.result, undefined);
  });

  it("clears output", async () => {
    const r = await k.execute("clearOutput({ wait: true });\nclearOutput();");
    assert.deepEqual(
      outputs(r.iopub).map((m) => m.content),
      [{ wait: true }, { wait: false }],
    );
  });

  it("sends output printed after the cell ended to that cell", async () => {
    const first = k.startExecute("setTimeout(() => console.log('late line'), 300);\n'scheduled'");
    await k.collect(first);
    const second = await k.execute("'another cell'");
    assert.equal(second.stdout, "");
    const late = await k.waitFor(
      (m) => m.kind === "jupyter" && m.msg.header.msg_type === "stream" && (m.msg.content as { text: string }).text === "late line\n",
    );
    assert.ok(late.kind === "jupyter");
    assert.equal((late.msg.parent_header as { msg_id: string }).msg_id, first.header.msg_id);
  });

  it("caps a flood, keeps its last MiB, says how much it dropped, stays interruptible, and keeps memory flat", async () => {
    await k.execute("let printed = 0;");
    const start = k.received.length;
    const req = k.startExecute("for (;;) console.log(printed++)");
    // Output stops at the cap while the loop goes on: what follows waits in the rolling tail.
    let streamed = 0;
    await k.waitFor(
      (m) => {
        if (m.kind === "jupyter" && m.msg.header.msg_type === "stream")
          streamed += Buffer.byteLength((m.msg.content as { text: string }).text);
        return streamed >= STREAM_CAP_BYTES;
      },
      120_000,
      start,
    );
    await sleep(500); // keeps looping into the tail
    k.interrupt();
    const r = await k.collect(req, 15_000);
    assert.equal(r.error?.ename, "Interrupted");
    const bytes = Buffer.byteLength(r.stdout);
    assert.ok(bytes > STREAM_CAP_BYTES && bytes <= STREAM_CAP_BYTES + STREAM_TAIL_BYTES + 64, `the cap and the tail, got ${bytes}`);
    const notices = r.iopub.filter(isNoticeMsg).map((m) => (m.content as { text: string }).text);
    assert.equal(notices.length, 1, "one notice");
    const dropped = Number(/\[output truncated: ([\d,]+) bytes not shown\]/.exec(notices[0])![1].replace(/,/g, ""));
    assert.ok(dropped > 1_000_000, `dropped ${dropped}`);
    const after = await k.execute("[printed > 1_000_000, printed - 1, Math.round(process.memoryUsage().rss / 2 ** 20)]");
    const [looped, last, rssMiB] = JSON.parse(after.result!.replace(/ /g, "")) as [boolean, number, number];
    assert.equal(looped, true, "the loop went on after the cap");
    assert.ok(r.stdout.endsWith(`\n${last}\n`), "the last line printed before the interrupt arrived");
    assert.ok(rssMiB < 600, `kernel RSS ${rssMiB} MiB`);
  });
});

function isNoticeMsg(m: JupyterMessage): boolean {
  return m.header.msg_type === "stream" && (m.content as { text: string }).text.includes("[output truncated");
}
