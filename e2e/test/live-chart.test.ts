/**
 * A live training chart, end to end: a cell trains an MLP on the MNIST digits and logs its
 * loss to `tt.plot.live`; the page's chart grows while the loop runs, a reload mid-run
 * shows every point so far, and the saved .ipynb holds the whole chart and its SVG.
 * Saves chart.png and chart-dark.png.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { CHART_MIME, type ChartState } from "@tessera/protocol";
import { e2eTest } from "../lib/harness.js";
import { notebookSuite } from "../lib/suite.js";
import { animationFrames, cell, screenshot, selectCell, waitRunDone } from "../lib/browser.js";
import { joinText, LONG, readNotebookFile } from "../lib/server.js";
import { waitUntil } from "../lib/wait.js";

const suite = notebookSuite();

const STEPS = 1000;
/** Steps from 100 on, every 25th: a validation series that starts mid-run. */
const VAL_POINTS = Array.from({ length: STEPS }, (_, s) => s >= 100 && s % 25 === 0).filter(Boolean).length;

const SETUP = `import * as tt from "@tessera/tensor";
const { nn, optim, data } = tt;
tt.manualSeed(0);
const { train } = data.mnist({ trainCount: 2048, testCount: 0, seed: 0 });
const [images, labels] = train.tensors;
const X = images.reshape(-1, 784);
const model = new nn.Sequential(new nn.Linear(784, 64), new nn.ReLU(), new nn.Linear(64, 10));
const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
"ready";`;

const TRAIN = `const chart = tt.plot.live({ title: "MNIST loss", x: "step", logY: true });
for (let step = 0; step < ${STEPS}; step++) {
  const at = (step * 64) % 2048;
  const loss = tt.tidy(() => {
    const l = nn.F.crossEntropy(model.forward(X.narrow(0, at, 64)), labels.narrow(0, at, 64));
    opt.zeroGrad();
    l.backward();
    opt.step();
    return l.item() as number;
  });
  chart.log({ step, train: loss, val: step >= 100 && step % 25 === 0 ? loss * 1.2 : undefined });
  // A slow data loader: the run takes a few seconds.
  if (step % 10 === 9) await new Promise((r) => setTimeout(r, 50));
}
chart.close();`;

const CHART = `${cell(1)} .chart-output`;

/** The rows the page's chart has read and drawn (0 before it shows). */
const points = (page: Page) =>
  page.evaluate((sel) => Number((document.querySelector(sel) as HTMLElement | null)?.dataset.points ?? 0), CHART);
const running = (page: Page) => page.evaluate((sel) => !!document.querySelector(`${sel}.cell-running`), cell(1));

e2eTest("a live chart grows while a model trains, keeps every point through a reload, and is saved whole", async (t) => {
  const page = await suite.open("train.ipynb", [SETUP, TRAIN]);
  await selectCell(page, 0);
  await page.keyboard.press("Control+Enter");
  await waitRunDone(page, 0, 1);
  await selectCell(page, 1);
  await page.keyboard.press("Control+Enter");

  // While the loop runs, the count of points drawn goes up, step by step.
  await page.waitForSelector(CHART);
  const seen: number[] = [];
  await waitUntil(async () => {
    const n = await points(page);
    if (n > 0 && n !== seen.at(-1)) seen.push(n);
    return seen.length >= 4;
  }, "the chart shows four growing point counts");
  assert.ok(await running(page), "the counts grew while the cell was running");
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i] > seen[i - 1], `the count only grows: ${seen.join(", ")}`);
  assert.ok(await page.$(`${CHART} .chart-live`), "a live marker while the loop runs");
  assert.ok(seen.at(-1)! < STEPS, "not everything at once");

  // Reload mid-run: the chart comes back with every point so far, then keeps growing.
  const beforeReload = await points(page);
  await page.reload();
  await page.waitForSelector(CHART);
  await page.waitForFunction(({ sel, n }) => Number((document.querySelector(sel) as HTMLElement | null)?.dataset.points ?? 0) >= n, {
    sel: CHART,
    n: beforeReload,
  });
  const afterReload = await points(page);
  const stillRunning = await running(page);
  t.diagnostic(
    `points drawn: ${seen.join(" → ")}; ${beforeReload} before the reload, ${afterReload} right after it (cell still running: ${stillRunning})`,
  );
  assert.ok(stillRunning, "the reload happened mid-run");

  await waitRunDone(page, 1, 2, 180_000);
  await page.waitForSelector(`${CHART}[data-done="true"]`);
  await page.waitForFunction(({ sel, n }) => Number((document.querySelector(sel) as HTMLElement | null)?.dataset.points) === n, {
    sel: CHART,
    n: STEPS,
  });
  assert.equal(await page.$(`${CHART} .chart-live`), null, "no live marker once closed");
  assert.match((await page.textContent(`${CHART} .chart-head`)) ?? "", /MNIST loss.*1,000 points/);

  // The legend shows the values under the cursor.
  await page.$eval(CHART, (el) => el.scrollIntoView({ block: "center" }));
  const box = (await (await page.$(`${CHART} .u-over`))!.boundingBox())!;
  const legendAtRest = await page.textContent(`${CHART} .chart-legend`);
  assert.match(legendAtRest ?? "", new RegExp(`^step ${STEPS - 1}train`), "at rest: the last step's values");
  await page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2);
  await page.waitForFunction((sel) => !/^step 999/.test(document.querySelector(sel)?.textContent ?? ""), `${CHART} .chart-legend`);
  const hovered = (await page.textContent(`${CHART} .chart-legend`)) ?? "";
  const hoveredStep = Number(/^step (\d+)/.exec(hovered)?.[1]);
  assert.ok(hoveredStep > 100 && hoveredStep < 400, `a quarter across: step ${hoveredStep} (${hovered})`);
  assert.match(hovered, /train[\d.e-]+ \(raw [\d.e-]+\)val/, "smoothed and raw values for each series");

  // Drag to zoom on x; double-click resets.
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await page.waitForSelector(`${CHART} button:has-text("Reset zoom")`);
  // The zoomed range (about a fifth of the run) is drawn again at full detail: ~200 points.
  await page.waitForFunction((sel) => Number((document.querySelector(sel) as HTMLElement).dataset.drawn) < 400, CHART);
  await page.mouse.dblclick(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForSelector(`${CHART} button:has-text("Reset zoom")`, { state: "detached" });
  await page.waitForFunction(({ sel, n }) => Number((document.querySelector(sel) as HTMLElement).dataset.drawn) >= n, {
    sel: CHART,
    n: STEPS,
  });

  // Smoothing off: the raw curves alone, then back to 0.6; the log/linear switch.
  await page.focus(`${CHART} .chart-smoothing input`);
  await page.keyboard.press("Home");
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === "0.00", `${CHART} .chart-smoothing output`);
  assert.doesNotMatch((await page.textContent(`${CHART} .chart-legend`)) ?? "", /raw/);
  for (let i = 0; i < 60; i++) await page.keyboard.press("ArrowRight");
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === "0.60", `${CHART} .chart-smoothing output`);
  await page.click(`${CHART} .chart-seg button:has-text("linear")`);
  await page.waitForSelector(`${CHART} .chart-seg button:has-text("linear")[aria-pressed="true"]`);
  await page.click(`${CHART} .chart-seg button:has-text("log")`);
  await page.waitForSelector(`${CHART} .chart-seg button:has-text("log")[aria-pressed="true"]`);

  // CSV: every point, through a download.
  const [download] = await Promise.all([page.waitForEvent("download"), page.click(`${CHART} .chart-csv`)]);
  assert.equal(download.suggestedFilename(), "MNIST-loss.csv");
  const csv = (await readFile((await download.path())!, "utf8")).trim().split("\n");
  assert.equal(csv[0], "step,train,val");
  assert.equal(csv.length, STEPS + 1);
  assert.equal(csv.filter((l) => !l.endsWith(",")).length - 1, VAL_POINTS, "val cells filled on its steps only");

  // The saved notebook: the chart with every point, the SVG and a summary beside it.
  let saved: Record<string, unknown> | undefined;
  await waitUntil(
    async () => {
      const nb = await readNotebookFile(suite.server, "train.ipynb");
      saved = nb.cells[1].outputs?.find((o) => o.data?.[CHART_MIME])?.data;
      return (saved?.[CHART_MIME] as ChartState | undefined)?.done === true;
    },
    "the notebook is saved with the closed chart",
    LONG,
  );
  const chart = saved![CHART_MIME] as ChartState;
  assert.equal(chart.x.length, STEPS);
  assert.deepEqual(chart.x.slice(0, 3), [0, 1, 2]);
  assert.equal(chart.y.train.filter((v) => typeof v === "number").length, STEPS);
  assert.equal(chart.y.val.filter((v) => typeof v === "number").length, VAL_POINTS);
  assert.ok((chart.y.train[STEPS - 1] as number) < (chart.y.train[0] as number) / 10, "the model learned");
  assert.match(joinText(saved!["text/plain"] as string | string[]), /^MNIST loss: 1,000 points, step 999: train=/);
  const svg = joinText(saved!["image/svg+xml"] as string | string[]); // nbformat: a list of lines
  const parsed = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, "image/svg+xml");
    return {
      error: doc.querySelector("parsererror")?.textContent ?? null,
      lines: [...doc.querySelectorAll("polyline")].map((p) => p.getAttribute("points")!.split(" ").length),
    };
  }, svg);
  assert.equal(parsed.error, null, "the SVG parses");
  assert.deepEqual(parsed.lines, [500, VAL_POINTS], "train downsampled to 500 points, val whole");

  // Screenshots, light and dark, with the cursor on the chart.
  await page.$eval(CHART, (el) => el.scrollIntoView({ block: "center" }));
  const shot = (await (await page.$(`${CHART} .u-over`))!.boundingBox())!;
  await page.mouse.move(shot.x + shot.width * 0.6, shot.y + shot.height * 0.4);
  await animationFrames(page, 5);
  await screenshot(page, "chart.png");
  await page.click(".app-header button[aria-label^='Switch to the dark theme']");
  await page.waitForFunction(() => document.documentElement.dataset.theme === "dark");
  await page.$eval(CHART, (el) => el.scrollIntoView({ block: "center" }));
  await page.mouse.move(shot.x + shot.width * 0.6, shot.y + shot.height * 0.4);
  await animationFrames(page, 5);
  await screenshot(page, "chart-dark.png");
  assert.deepEqual(suite.tab?.errors ?? [], [], "no uncaught errors in the page");
});
