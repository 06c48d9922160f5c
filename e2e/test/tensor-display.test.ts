/**
 * @tessera/tensor's notebook output in the page: progress bars updated in place, MNIST
 * digits as an image grid, and a tensor's HTML summary.
 */
import assert from "node:assert/strict";
import type { Frame, Page } from "playwright-core";
import { animationFrames, cell, screenshot, waitRunDone } from "../lib/browser.js";
import { e2eTest } from "../lib/harness.js";
import { notebookSuite } from "../lib/suite.js";

const suite = notebookSuite();

const CELLS = [
  [
    'import * as tt from "@tessera/tensor";',
    "const { train } = tt.data.mnist({ trainCount: 256, testCount: 0 });",
    "const loader = new tt.data.DataLoader(train, { batchSize: 32 });",
  ].join("\n"),
  [
    "const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));",
    'for await (const [x, y] of tt.progress(loader, { desc: "train" })) { await sleep(120); x.dispose(); y.dispose(); }',
    'for (const i of tt.progress(100, { desc: "search" })) { if (i === 60) break; }',
  ].join("\n"),
  [
    "const [digits] = new tt.data.DataLoader(train, { batchSize: 24 })[Symbol.iterator]().next().value!;",
    "tt.display.grid(digits, { nrow: 8 });",
  ].join("\n"),
  "tt.randn([64, 784])",
];

/** The text inside the sandboxed frames of a cell's outputs. */
async function frameTexts(page: Page, i: number): Promise<string[]> {
  const frames = await page.$$(`${cell(i)} iframe.output-html-frame`);
  return Promise.all(frames.map(async (f) => ((await f.contentFrame()) as Frame).evaluate(() => document.body.innerText)));
}

e2eTest("progress bars finish in place, a batch of digits shows as one image, a tensor shows its summary", async () => {
  const page = await suite.open("display.ipynb", CELLS);
  await page.click(".menubar .menu-button >> text=Run");
  await page.getByRole("menuitem", { name: "Run all", exact: true }).click();
  // While the loop runs, its bar is live: one frame whose count moves.
  await page.waitForFunction((sel) => !!document.querySelector(sel), `${cell(1)} iframe.output-html-frame`);
  for (let i = 0; i < CELLS.length; i++) await waitRunDone(page, i, i + 1, 120_000);

  // Two bars, each one output: the loader's at 8/8, the broken loop where it stopped.
  await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 2, `${cell(1)} iframe.output-html-frame`);
  let bars: string[] = [];
  for (let tries = 0; tries < 100; tries++) {
    bars = await frameTexts(page, 1);
    if (bars.length === 2 && bars[0].includes("8/8") && bars[1].includes("60/100")) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.match(bars[0], /train\s*100%\s*8\/8 \[00:0\d<00:00, [\d.]+it\/s\]/);
  assert.match(bars[1], /search\s*60%\s*60\/100/);

  // The grid: one PNG, 8 digits a row, three rows, zoomed 2x (to about 512 px across).
  const img = await page.waitForSelector(`${cell(2)} img.output-image`);
  await page.waitForFunction((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0, img);
  const size = await img.evaluate((el) => [(el as HTMLImageElement).naturalWidth, (el as HTMLImageElement).naturalHeight]);
  assert.deepEqual(size, [2 * (8 * 30 + 2), 2 * (3 * 30 + 2)]);
  assert.match((await img.getAttribute("src")) ?? "", /^data:image\/png;base64,/);

  // The tensor: its summary header and a summarized table.
  const [summary] = await frameTexts(page, 3);
  assert.match(summary, /\[64, 784\] · float32 · cpu · 50,176 elements · min -[\d.]+ · max [\d.]+ · mean -?[\d.e-]+/);
  assert.match(summary, /…/);

  await page.$eval(cell(1), (el) => {
    el.scrollIntoView({ block: "start" });
    scrollBy(0, -60);
  });
  // Output frames repaint after a reload of their document: let them settle.
  await animationFrames(page, 20);
  await screenshot(page, "progress.png");
  assert.deepEqual(suite.tab?.errors, []);
});
