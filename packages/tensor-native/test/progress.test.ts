import assert from "node:assert/strict";
import { describe, test } from "node:test";

import * as tt from "../src/ts/index.ts";
import { formatInterval, formatRate, progressHtml, progressText, type ProgressState } from "../src/ts/display/progress.ts";

/** A fake kernel `display` that records what the bar sends, and a clock the test moves. */
function recorder() {
  const shown: Array<Record<string, string>> = [];
  const updates: Array<Record<string, string>> = [];
  const display = (bundle: Record<string, string>) => {
    shown.push(bundle);
    return { display_id: "d1", update: (b: Record<string, string>) => void updates.push(b) };
  };
  let t = 1000;
  return {
    shown,
    updates,
    display,
    now: () => t,
    advance: (ms: number) => void (t += ms),
    last: () => (updates.at(-1) ?? shown.at(-1))!["text/plain"],
  };
}

const state = (s: Partial<ProgressState>): ProgressState => ({
  n: 0,
  total: null,
  elapsedMs: 0,
  desc: "",
  unit: "it",
  postfix: "",
  status: "running",
  ...s,
});

describe("progress text", () => {
  test("reads like tqdm's line: percent, bar, count, elapsed<remaining, rate", () => {
    assert.equal(
      progressText(state({ n: 42, total: 100, elapsedMs: 1200, desc: "train" })),
      "train:  42%|████▏     | 42/100 [00:01<00:01, 35.00it/s]",
    );
    assert.equal(progressText(state({ n: 0, total: 10 })), "  0%|          | 0/10 [00:00<?, ?it/s]");
    assert.equal(progressText(state({ n: 10, total: 10, elapsedMs: 3_725_000 })), "100%|██████████| 10/10 [1:02:05<00:00, 372.50s/it]");
    assert.equal(
      progressText(state({ n: 42, elapsedMs: 2000, unit: "batch", postfix: "loss=0.25" })),
      "42batch [00:02, 21.00batch/s, loss=0.25]",
    );
  });

  test("formats intervals and rates", () => {
    assert.equal(formatInterval(0), "00:00");
    assert.equal(formatInterval(75.9), "01:15");
    assert.equal(formatInterval(3600 * 10 + 61), "10:01:01");
    assert.equal(formatRate(null), "?it/s");
    assert.equal(formatRate(1234.5678), "1234.57it/s");
    assert.equal(formatRate(0.25), "4.00s/it");
  });

  test("the HTML bar carries the same numbers, escapes the label and is coloured by status", () => {
    const html = progressHtml(state({ n: 25, total: 50, elapsedMs: 5000, desc: "<epoch>" }));
    assert.match(html, /&lt;epoch&gt;/);
    assert.match(html, /50%/);
    assert.match(html, /width:50\.00%/);
    assert.match(html, /25\/50 \[00:05&lt;00:05, 5\.00it\/s\]/);
    assert.doesNotMatch(html, /<script|class=/);
    assert.notEqual(
      progressHtml(state({ n: 50, total: 50, status: "done" })),
      progressHtml(state({ n: 50, total: 50, status: "stopped" })),
    );
  });
});

describe("tt.progress", () => {
  test("a number loops 0..n-1 with total n, and a final update says 100%", () => {
    const r = recorder();
    const seen: number[] = [];
    for (const i of tt.progress(5, { display: r.display, now: r.now })) {
      seen.push(i);
      r.advance(10);
    }
    assert.deepEqual(seen, [0, 1, 2, 3, 4]);
    assert.equal(r.shown.length, 1, "one output, drawn when the loop starts");
    assert.match(r.shown[0]["text/plain"], /^ {2}0%\|.*\| 0\/5/);
    assert.match(r.last(), /^100%\|██████████\| 5\/5 \[00:00<00:00, 100\.00it\/s\]$/);
    assert.ok(r.shown[0]["text/html"].includes('role="progressbar"'));
  });

  test("redraws at most once per minIntervalMs however fast the loop runs", () => {
    const r = recorder();
    for (const _ of tt.progress(1000, { display: r.display, now: r.now })) r.advance(1); // 1 s in all
    // One update per 100 ms of loop time, plus the final one.
    assert.ok(r.updates.length >= 9 && r.updates.length <= 11, `${r.updates.length} updates`);
    assert.match(r.last(), /1000\/1000/);
    const slow = recorder();
    for (const _ of tt.progress(5, { display: slow.display, now: slow.now, minIntervalMs: 0 })) slow.advance(1);
    assert.equal(slow.updates.length, 6, "every item, then the final state");
  });

  test("a break leaves the bar at the items done, drawn once more (the iterator's return)", () => {
    const r = recorder();
    const arr = Array.from({ length: 100 }, (_, i) => i);
    for (const i of tt.progress(arr, { display: r.display, now: r.now, desc: "scan" })) {
      r.advance(5);
      if (i === 49) break;
    }
    assert.match(r.last(), /^scan: {2}49%\|.*\| 49\/100 \[/);
    const html = r.updates.at(-1)!["text/html"];
    assert.match(html, /#d97706/, "a stopped bar is drawn in the stopped colour");
  });

  test("a throw in the loop body still draws the final state", () => {
    const r = recorder();
    assert.throws(() => {
      for (const i of tt.progress(new Set([1, 2, 3]), { display: r.display, now: r.now })) if (i === 2) throw new Error("boom");
    }, /boom/);
    assert.match(r.last(), /1\/3/);
  });

  test("for await over an async iterable, with a length when it has one", async () => {
    const r = recorder();
    async function* gen() {
      for (let i = 0; i < 4; i++) yield i;
    }
    const got: number[] = [];
    for await (const x of tt.progress(gen(), { display: r.display, now: r.now, desc: "gen" })) got.push(x);
    assert.deepEqual(got, [0, 1, 2, 3]);
    assert.match(r.last(), /^gen: 4it \[/, "no length: a count without a bar");
    const ds = new tt.data.TensorDataset(tt.arange(10).reshape(10, 1));
    const loader = new tt.data.DataLoader(ds, { batchSize: 4 });
    const r2 = recorder();
    let batches = 0;
    for await (const [x] of tt.progress(loader, { display: r2.display, now: r2.now })) {
      batches++;
      x.dispose();
    }
    assert.equal(batches, 3);
    assert.match(r2.last(), /3\/3/);
  });

  test("for await over a sync source works; for-of over an async one says to use for await", async () => {
    const r = recorder();
    let sum = 0;
    for await (const x of tt.progress([1, 2, 3], { display: r.display, now: r.now })) sum += x;
    assert.equal(sum, 6);
    assert.match(r.last(), /3\/3/);
    const asyncOnly = {
      async *[Symbol.asyncIterator]() {
        yield 1;
      },
    };
    assert.throws(() => {
      for (const _ of tt.progress(asyncOnly, { display: null })) void _;
    }, /for await/);
  });

  test("by hand: update, set (postfix) and close", () => {
    const r = recorder();
    const bar = tt.progress({ total: 10, desc: "steps", display: r.display, now: r.now, minIntervalMs: 0 });
    r.advance(1000);
    bar.update(4);
    bar.set({ loss: 0.123456, step: 4 });
    bar.close();
    bar.close();
    assert.match(r.last(), /^steps: {2}40%\|.*\| 4\/10 \[.*, loss=0\.1235, step=4\]$/);
    assert.equal(r.shown.length + r.updates.length, 3, "update, set, close: close is idempotent");
  });

  test("outside a kernel it prints the last line on stderr, once", () => {
    const lines: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => (lines.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      for (const _ of tt.progress(3, { desc: "plain" })) void _;
    } finally {
      process.stderr.write = write;
    }
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^plain: 100%\|██████████\| 3\/3 \[00:00<00:00, .*\]\n$/);
  });

  test("refuses what it cannot loop over", () => {
    assert.throws(() => tt.progress(-1), RangeError);
    assert.throws(() => tt.progress(null as unknown as number), TypeError);
    const bar = tt.progress([1], { display: null });
    for (const _ of bar) void _;
    assert.throws(() => {
      for (const _ of bar) void _;
    }, /loops once/);
  });
});
