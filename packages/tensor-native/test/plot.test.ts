/**
 * tt.plot.live: in a real kernel process (what a cell's chart sends: throttled updates
 * carrying only new points, series added mid-run, the final state with its SVG), and
 * outside one (plain Node: no crash, a summary line).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { applyOp, CHART_MIME, type ChartAppend, type ChartState, type DocState, type JupyterMessage, type Output } from "@tessera/protocol";
import { KernelProcess } from "../../kernel/test/kernel-process.js";
import * as tt from "../src/ts/index.js";

interface Sent {
  type: string;
  date: number;
  data: Record<string, unknown>;
  displayId: string;
}

/** The display messages a run produced, in order, waiting for the trailing update a timer sends after the cell ends. */
async function displays(k: KernelProcess, request: JupyterMessage, settleMs = 400): Promise<Sent[]> {
  await new Promise((r) => setTimeout(r, settleMs));
  return k
    .about(request)
    .filter((m) => m.channel === "iopub" && (m.msg.header.msg_type === "display_data" || m.msg.header.msg_type === "update_display_data"))
    .map(({ msg }) => {
      const c = msg.content as { data: Record<string, unknown>; transient: { display_id: string } };
      return { type: msg.header.msg_type, date: Date.parse(msg.header.date), data: c.data, displayId: c.transient.display_id };
    });
}

/** Folds display messages into a one-output document with the shared reducer, as the server does. */
function reduce(sent: Sent[]): ChartState {
  const [first, ...rest] = sent;
  const output = (data: Record<string, unknown>): Output => ({
    output_type: "display_data",
    data,
    metadata: {},
    transient: { display_id: first.displayId },
  });
  const doc: DocState = {
    notebook: {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [{ id: "c", cell_type: "code", source: "", metadata: {}, execution_count: 1, outputs: [output(first.data)] }],
    },
    run: {},
  };
  for (const m of rest) applyOp(doc, { op: "replace_output", id: "c", index: 0, output: output(m.data) });
  return (doc.notebook.cells[0] as { outputs: Array<{ data: Record<string, unknown> }> }).outputs[0].data[CHART_MIME] as ChartState;
}

/** Tags balanced, attributes quoted, no raw `<` or `&` in text: enough to tell a well-formed SVG. */
function assertWellFormed(xml: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf("<", i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    assert.doesNotMatch(text, /&(?!(lt|gt|amp|quot|apos);)/, `a raw & in text: ${text}`);
    if (lt < 0) break;
    tag.lastIndex = lt;
    const m = tag.exec(xml);
    assert.ok(m, `a malformed tag at ${lt}: ${xml.slice(lt, lt + 80)}`);
    if (m[1]) assert.equal(stack.pop(), m[2], `</${m[2]}> closes what was opened`);
    else if (!m[4]) stack.push(m[2]);
    i = tag.lastIndex;
  }
  assert.deepEqual(stack, [], "every tag is closed");
}

describe("tt.plot.live in a kernel", () => {
  let k: KernelProcess;
  before(async () => {
    k = await KernelProcess.start();
    const r = await k.execute(`import * as tt from "@tessera/tensor";`, {}, 60_000);
    assert.equal(r.error, undefined);
  });
  after(async () => k?.close());

  it("a tight loop logging for a second sends a few updates while it runs, each with only the new points", async () => {
    const request = k.startExecute(`
const chart = tt.plot.live({ title: "loss", x: "step", logY: true });
const t0 = performance.now();
let step = 0;
while (performance.now() - t0 < 1000) {
  chart.log({ step, train: 1 / (step + 1) });
  step++;
}
[step, Date.now()];`);
    const r = await k.collect(request, 30_000);
    const [steps, loopEnd] = JSON.parse(String(r.result)) as [number, number];
    assert.ok(steps > 10_000, `the loop logged ${steps} points`);
    const sent = await displays(k, request);
    const [first, ...updates] = sent;
    assert.equal(first.type, "display_data");
    const initial = first.data[CHART_MIME] as ChartState;
    assert.deepEqual({ ...initial }, { version: 1, title: "loss", xLabel: "step", logY: true, series: [], x: [], y: {}, done: false });
    // At most one update per 100 ms (counted from the end of the previous one, so a big update
    // spaces the next further out), sent from inside the synchronous loop, not only after it.
    assert.ok(updates.length <= 12, `${updates.length} updates for ${steps} points in ~1 s`);
    assert.ok(updates.filter((u) => u.date < loopEnd).length >= 2, "updates left while the loop ran");
    let next = 0;
    for (const [i, u] of updates.entries()) {
      assert.equal(u.type, "update_display_data");
      assert.equal(u.displayId, first.displayId);
      const delta = u.data[CHART_MIME] as ChartAppend;
      assert.equal(delta.append.start, next, "each update starts where the previous one ended");
      assert.equal(delta.append.x[0], next, "and carries only new points");
      assert.equal(delta.append.y.train.length, delta.append.x.length);
      assert.equal(delta.series !== undefined, i === 0, "the series is announced once");
      next += delta.append.x.length;
      if (i > 0 && i < updates.length - 1) {
        const gap = u.date - updates[i - 1].date;
        assert.ok(gap >= 80, `updates at least ~100 ms apart (got ${gap} ms)`);
      }
    }
    assert.equal(next, steps, "the updates carry every point exactly once, the last ones by the trailing timer");
    assert.match(
      String(updates.at(-1)?.data["text/plain"]),
      new RegExp(`^loss: ${steps.toLocaleString("en-US")} points, step ${steps - 1}: train=`),
    );
    const merged = reduce(sent);
    assert.equal(merged.x.length, steps);
    assert.equal(merged.y.train[steps - 1], 1 / steps);
  });

  it("a training-paced loop (20 µs a step) gets about ten updates a second", async () => {
    const request = k.startExecute(`
const paced = tt.plot.live({ title: "paced" });
const p0 = performance.now();
let n = 0;
while (performance.now() - p0 < 1500) {
  const until = performance.now() + 0.02;
  while (performance.now() < until);
  paced.log({ step: n, loss: Math.exp(-n / 1e4) });
  n++;
}
n;`);
    const r = await k.collect(request, 30_000);
    const steps = Number(r.result);
    const updates = (await displays(k, request)).slice(1);
    assert.ok(updates.length >= 9 && updates.length <= 16, `${updates.length} updates in 1.5 s (${steps} points)`);
    const sizes = updates.map((u) => (u.data[CHART_MIME] as ChartAppend).append.x.length);
    assert.equal(
      sizes.reduce((a, b) => a + b, 0),
      steps,
    );
    assert.ok(Math.max(...sizes) < steps / 5, `no update carries most of the run: ${sizes.join(", ")}`);
  });

  it("a series added mid-run, several charts in one cell, and close() sends the whole chart with an SVG", async () => {
    const request = k.startExecute(`
const a = tt.plot.live({ title: "two series" });
const b = tt.plot.live({ title: "other", x: "epoch" });
for (let i = 0; i < 5; i++) a.log({ step: i, train: 10 - i });
b.log({ epoch: 1, acc: 0.5 });
await new Promise((r) => setTimeout(r, 250));
for (let i = 5; i < 10; i++) a.log({ step: i, train: 10 - i, val: i % 2 ? undefined : 20 - i });
await new Promise((r) => setTimeout(r, 250));
a.close();
a.log({ step: 99, train: 0 }); // after close: ignored
b.close();`);
    const r = await k.collect(request, 30_000);
    assert.equal(r.error, undefined);
    const sent = await displays(k, request);
    const ids = [...new Set(sent.map((m) => m.displayId))];
    assert.equal(ids.length, 2, "one display per chart");
    const ofA = sent.filter((m) => m.displayId === ids[0]);
    const deltas = ofA.slice(1, -1).map((m) => m.data[CHART_MIME] as ChartAppend);
    // The first five by the timer; after the pause, point 5 at once (the interval had passed), 6–9 by the timer.
    assert.deepEqual(
      deltas.map((d) => [d.append.start, d.append.x.length, d.series]),
      [
        [0, 5, ["train"]],
        [5, 1, undefined],
        [6, 4, ["val"]],
      ],
    );
    assert.deepEqual(Object.keys(deltas[1].append.y), ["train"], "a series with no point in the range is left out");
    assert.deepEqual(deltas[2].append.y.val, [14, null, 12, null]);
    const final = ofA.at(-1)!;
    const state = final.data[CHART_MIME] as ChartState;
    assert.equal(state.done, true);
    assert.deepEqual(state.series, ["train", "val"]);
    assert.deepEqual(state.x, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(state.y.val, [null, null, null, null, null, null, 14, null, 12, null]);
    assert.equal(final.data["text/plain"], "two series: 10 points, step 9: train=1, val=12");
    assertWellFormed(String(final.data["image/svg+xml"]));
    assert.deepEqual(reduce(ofA), state, "the deltas merged by the reducer = the final state");
    const ofB = sent.filter((m) => m.displayId === ids[1]);
    assert.deepEqual((ofB.at(-1)!.data[CHART_MIME] as ChartState).x, [1]);
    assert.equal((ofB.at(-1)!.data[CHART_MIME] as ChartState).xLabel, "epoch");
  });
});

describe("tt.plot outside a kernel", () => {
  it("keeps the points, sends nothing, and close() prints a summary line", () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => void lines.push(args.join(" "));
    try {
      const chart = tt.plot.live({ title: "loss" });
      for (let i = 0; i < 1000; i++) chart.log({ step: i, train: 1 / (i + 1), val: i % 100 === 0 ? 2 : null, acc: tt.tensor([0.5]) });
      assert.equal(chart.length, 1000);
      const state = chart.state();
      assert.deepEqual(state.series, ["train", "val", "acc"]);
      assert.equal(state.y.val.filter((v) => v !== null).length, 10);
      assert.equal(state.y.acc[999], 0.5, "a one-element tensor is read with item()");
      chart.close();
      chart.close();
      assert.equal(chart.isClosed, true);
    } finally {
      console.log = log;
    }
    assert.deepEqual(lines, ["loss: 1,000 points, step 999: train=0.001, val=2, acc=0.5"]);
  });

  it("Symbol.dispose closes the chart", () => {
    const log = console.log;
    console.log = () => undefined;
    let chart: tt.plot.LiveChart;
    try {
      {
        using c = tt.plot.live();
        c.log({ train: 1 });
        chart = c;
      }
    } finally {
      console.log = log;
    }
    assert.equal(chart.isClosed, true);
    assert.deepEqual(chart.state().x, [0], "a point without the x key takes its index");
  });
});

describe("the static SVG", () => {
  it("is well-formed, escapes text, and draws each series with at most maxPoints points", () => {
    const n = 10_000;
    const x = Array.from({ length: n }, (_, i) => i);
    const state: ChartState = {
      version: 1,
      title: `loss <&> "quoted"`,
      xLabel: "step",
      logY: true,
      series: ["train", "val", "empty"],
      x,
      y: {
        train: x.map((i) => Math.exp(-i / 2000) + 0.01),
        val: x.map((i) => (i % 500 === 0 ? Math.exp(-i / 2500) : null)),
        empty: x.map(() => null),
      },
      done: true,
    };
    const svg = tt.plot.chartSvg(state, { maxPoints: 300 });
    assertWellFormed(svg);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="640" height="320"/);
    assert.ok(svg.includes("loss &lt;&amp;&gt; &quot;quoted&quot;"));
    const polylines = [...svg.matchAll(/<polyline [^>]*points="([^"]*)"/g)].map((m) => m[1].split(" ").length);
    assert.deepEqual(
      polylines,
      [300, 20],
      "train downsampled to 300 points, val's 20 points all drawn, no line for a series without points",
    );
    assert.match(svg, />train 0\.01674</, "the legend shows last values");
    assert.match(svg, />val 0\.0\d+</);
    assert.ok(!/NaN|Infinity/.test(svg), "no NaN or Infinity in coordinates");
    const empty = tt.plot.chartSvg({ ...state, series: [], y: {}, x: [] });
    assertWellFormed(empty);
    assert.match(empty, /no points/);
  });
});
