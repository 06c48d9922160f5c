/**
 * Live charts under load: a loop logs points to `tt.plot.live` as fast as it can, in a
 * real kernel, through the real server, with the notebook open in Chromium.
 *
 *   node --import tsx bench/live-chart.ts [--points 100000] [--runs 3] [--heavy] [--million]
 *
 * Each run is one cell: the same loop (a cheap stand-in for a training step: 2,000 square
 * roots, a few µs; with --heavy also 20,000) with logging off, with
 * `chart.log({ step, train, val })`, and with the
 * peer a user would otherwise write: `display(...)` once and `handle.update(...)` with the
 * whole chart every 100 ms (same mime type, so the page draws it the same way). Off and
 * on alternate; medians are printed. Measured per run:
 * - the loop's time, in the kernel (`performance.now()` around the loop; the chart's
 *   creation and `close()` are outside it), and the kernel's CPU time meanwhile
 *   (`process.cpuUsage()`: on a machine shared with other work, wall time also counts the
 *   time the kernel waited for a core);
 * - bytes of WebSocket frames the page received (Chrome DevTools Protocol, Network domain)
 *   from the cell's start until the page shows every point, and bytes a plain Jupyter
 *   client on the kernel's channels received meanwhile (it gets the kernel's messages as
 *   they are; the page gets the server's document ops, where a whole chart that extends
 *   the stored one goes out as an append);
 * - the page's longest animation frame (PerformanceObserver "long-animation-frame"), its
 *   longest task ("longtask") and the longest gap between two requestAnimationFrame
 *   callbacks, over the same window.
 * With --million, a run of 1,000,000 points, then a few seconds of using that chart
 * (hovering, zooming, un-zooming, changing the smoothing) with the longest frame meanwhile.
 * Not a test: it prints a table.
 */
import { cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import type { Page } from "playwright-core";
import WebSocket from "ws";
import { cell, launchBrowser, loggedInTab, openNotebook, outputText, selectCell, waitRunDone } from "../e2e/lib/browser.js";
import { putNotebook, startServer } from "../e2e/lib/server.js";

const args = parseArgs({
  options: {
    points: { type: "string", default: "100000" },
    runs: { type: "string", default: "3" },
    heavy: { type: "boolean", default: false },
    million: { type: "boolean", default: false },
  },
}).values;
const N = Number(args.points);
const RUNS = Number(args.runs);

const SETUP = `import * as tt from "@tessera/tensor";
/** A cheap stand-in for a training step: a few µs of arithmetic, and a loss that falls. */
let WORK = 2000;
function step(i: number): number {
  let s = 0;
  for (let k = 0; k < WORK; k++) s += Math.sqrt(i + k) * 1e-9;
  return Math.exp(-i / 30000) * (1 + 0.1 * Math.sin(i / 7)) + s;
}
const MIME = "application/vnd.tessera.chart.v1+json";
"ready";`;

/** The loop, with `body` after each step; prints the loop's time. */
const loop = (n: number, before: string, body: string, after: string, work = 2000) => `WORK = ${work};
${before}
const t0 = performance.now();
const c0 = process.cpuUsage();
let acc = 0;
for (let i = 0; i < ${n}; i++) {
  const loss = step(i);
  acc += loss;
  ${body}
}
const ms = performance.now() - t0;
const cpu = process.cpuUsage(c0);
${after}
console.log("RESULT " + JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, acc }));`;

const VARIANTS = {
  off: (n: number, work?: number) => loop(n, "", "", "", work),
  live: (n: number, work?: number) =>
    loop(
      n,
      `const chart = tt.plot.live({ title: "loss", x: "step", logY: true });`,
      `chart.log({ step: i, train: loss, val: i % 100 === 0 ? loss * 1.1 : undefined });`,
      "chart.close();",
      work,
    ),
  // What a user writes without tt.plot: the whole chart in every update (same throttle).
  naive: (n: number) =>
    loop(
      n,
      `const xs: number[] = [], train: number[] = [], val: (number | null)[] = [];
const state = () => ({ version: 1, title: "loss", xLabel: "step", logY: true, series: ["train", "val"], x: xs, y: { train, val }, done: false });
const h = display({ [MIME]: state() }, { raw: true });
let last = performance.now();`,
      `xs.push(i); train.push(loss); val.push(i % 100 === 0 ? loss * 1.1 : null);
  if (performance.now() - last >= 100) { h.update({ [MIME]: state() }, { raw: true }); last = performance.now(); }`,
      `h.update({ [MIME]: { ...state(), done: true } }, { raw: true });`,
    ),
};
type Variant = keyof typeof VARIANTS;

interface Run {
  variant: Variant;
  points: number;
  work: number;
  ms: number;
  /** The kernel process's CPU time during the loop (all its threads). */
  cpuMs: number;
  bytes: number;
  jupyterBytes: number;
  loaf: number;
  longtask: number;
  rafGap: number;
  /** Frames drawn, and how many came more than 50 ms after the one before. */
  frames: number;
  over50: number;
}

/** Page-side frame statistics, reset per run. A string: the page runs it as is. */
const FRAME_PROBE = `(() => {
  const s = (window.__frames = { loaf: 0, longtask: 0, rafGap: 0, last: 0, frames: 0, over50: 0 });
  window.__resetFrames = () => { s.loaf = 0; s.longtask = 0; s.rafGap = 0; s.last = 0; s.frames = 0; s.over50 = 0; };
  try { new PerformanceObserver((l) => { for (const e of l.getEntries()) s.loaf = Math.max(s.loaf, e.duration); }).observe({ type: "long-animation-frame" }); } catch {}
  try { new PerformanceObserver((l) => { for (const e of l.getEntries()) s.longtask = Math.max(s.longtask, e.duration); }).observe({ type: "longtask" }); } catch {}
  const tick = (t) => { if (s.last) { s.rafGap = Math.max(s.rafGap, t - s.last); s.frames++; if (t - s.last > 50) s.over50++; } s.last = t; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
})()`;

interface Counter {
  bytes: number;
  jupyterBytes: number;
}

async function runOnce(
  page: Page,
  counter: Counter,
  index: number,
  count: number,
  variant: Variant,
  n: number,
  work: number,
): Promise<Run> {
  await page.evaluate(`window.__resetFrames()`);
  counter.bytes = 0;
  counter.jupyterBytes = 0;
  await selectCell(page, index);
  await page.keyboard.press("Control+Enter");
  await waitRunDone(page, index, count, 600_000);
  if (variant !== "off") {
    await page.waitForFunction(
      ({ sel, n }) => {
        const el = document.querySelector(sel) as HTMLElement | null;
        return el?.dataset.done === "true" && Number(el.dataset.points) === n;
      },
      { sel: `${cell(index)} .chart-output`, n },
      { timeout: 600_000 },
    );
  }
  // A few more frames: the last draw is measured too.
  await page.evaluate(
    `new Promise((r) => { let k = 10; const f = () => (--k ? requestAnimationFrame(f) : r()); requestAnimationFrame(f); })`,
  );
  const frames = (await page.evaluate(`({ ...window.__frames })`)) as {
    loaf: number;
    longtask: number;
    rafGap: number;
    frames: number;
    over50: number;
  };
  const text = await outputText(page, index);
  const m = /RESULT (\{.*?\})/.exec(text);
  if (!m) throw new Error(`no RESULT in the output of ${variant}: ${text.slice(0, 500)}`);
  const result = JSON.parse(m[1]) as { ms: number; cpuMs: number };
  return {
    variant,
    points: n,
    work,
    ms: result.ms,
    cpuMs: result.cpuMs,
    bytes: counter.bytes,
    jupyterBytes: counter.jupyterBytes,
    ...frames,
  };
}

/** Hovers, zooms, un-zooms and changes the smoothing of a chart; returns the frame statistics meanwhile. */
async function interact(
  page: Page,
  chart: string,
): Promise<{ loaf: number; longtask: number; rafGap: number; frames: number; over50: number }> {
  await page.$eval(chart, (el) => el.scrollIntoView({ block: "center" }));
  await page.evaluate(`window.__resetFrames()`);
  const box = (await (await page.$(`${chart} .u-over`))!.boundingBox())!;
  const at = (fx: number) => [box.x + box.width * fx, box.y + box.height / 2] as const;
  for (let i = 0; i <= 20; i++) await page.mouse.move(...at(0.05 + 0.045 * i));
  await page.mouse.move(...at(0.3));
  await page.mouse.down();
  await page.mouse.move(...at(0.5), { steps: 8 });
  await page.mouse.up();
  await page.waitForSelector(`${chart} button:has-text("Reset zoom")`);
  for (let i = 0; i <= 10; i++) await page.mouse.move(...at(0.1 + 0.08 * i));
  await page.mouse.dblclick(...at(0.5));
  await page.waitForSelector(`${chart} button:has-text("Reset zoom")`, { state: "detached" });
  await page.focus(`${chart} .chart-smoothing input`);
  for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowRight");
  await page.keyboard.press("Home");
  await page.evaluate(
    `new Promise((r) => { let k = 10; const f = () => (--k ? requestAnimationFrame(f) : r()); requestAnimationFrame(f); })`,
  );
  return (await page.evaluate(`({ ...window.__frames })`)) as {
    loaf: number;
    longtask: number;
    rafGap: number;
    frames: number;
    over50: number;
  };
}

const median = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const kib = (b: number) => `${(b / 1024).toFixed(0)} KiB`;

async function main(): Promise<void> {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const HEAVY = 20_000;
    const cells = [
      SETUP,
      VARIANTS.off(N),
      VARIANTS.live(N),
      VARIANTS.naive(N),
      VARIANTS.off(N, HEAVY),
      VARIANTS.live(N, HEAVY),
      VARIANTS.live(1_000_000),
    ];
    await putNotebook(server, "bench-chart.ipynb", cells);
    const tab = await loggedInTab(browser, server);
    const page = tab.page;
    await page.addInitScript(FRAME_PROBE);
    await openNotebook(page, server, "bench-chart.ipynb");
    const cdp = await page.context().newCDPSession(page);
    const counter: Counter = { bytes: 0, jupyterBytes: 0 };
    await cdp.send("Network.enable");
    cdp.on("Network.webSocketFrameReceived", (e: { response: { payloadData: string } }) => {
      counter.bytes += Buffer.byteLength(e.response.payloadData, "utf8");
    });
    await selectCell(page, 0);
    await page.keyboard.press("Control+Enter");
    await waitRunDone(page, 0, 1, 120_000);
    // A plain Jupyter client on the same kernel (as JupyterLab would be).
    const [kernel] = (await (await server.api("api/kernels")).json()) as Array<{ id: string }>;
    const jupyter = new WebSocket(`${server.base.replace(/^http/, "ws")}api/kernels/${kernel.id}/channels?session_id=bench-jupyter`, {
      headers: { authorization: `token ${server.token}` },
    });
    await new Promise((resolve, reject) => jupyter.once("open", resolve).once("error", reject));
    jupyter.on("message", (data: Buffer) => (counter.jupyterBytes += data.length));
    let executions = 1;
    const run = (index: number, variant: Variant, n: number, work = 2000) => runOnce(page, counter, index, ++executions, variant, n, work);
    const results: Run[] = [];
    // A first round to warm up the kernel's JIT, not counted.
    await run(1, "off", N);
    await run(2, "live", N);
    for (let r = 0; r < RUNS; r++) {
      results.push(await run(1, "off", N));
      results.push(await run(2, "live", N));
      results.push(await run(3, "naive", N));
      if (args.heavy) {
        results.push(await run(4, "off", N, HEAVY));
        results.push(await run(5, "live", N, HEAVY));
      }
      process.stderr.write(`round ${r + 1}/${RUNS} done\n`);
    }
    let interacting: Awaited<ReturnType<typeof interact>> | null = null;
    if (args.million) {
      results.push(await run(6, "live", 1_000_000));
      interacting = await interact(page, `${cell(6)} .chart-output`);
    }
    jupyter.close();
    if (tab.errors.length) console.error("page errors:", tab.errors);

    const rows = (variant: Variant, n: number, work = 2000) =>
      results.filter((r) => r.variant === variant && r.points === n && r.work === work);
    const base = (rs: Run[]) => ({ ms: median(rs.map((r) => r.ms)), cpuMs: median(rs.map((r) => r.cpuMs)) });
    const off = base(rows("off", N));
    const pct = (v: number, b: number) => `${(((v - b) / b) * 100).toFixed(1).padStart(6)} %`;
    const line = (label: string, rs: Run[], ref: { ms: number; cpuMs: number } | null) => {
      const ms = median(rs.map((r) => r.ms));
      const cpuMs = median(rs.map((r) => r.cpuMs));
      const n = rs[0].points;
      return `| ${label.padEnd(34)} | ${n.toLocaleString("en-US").padStart(9)} | ${ms.toFixed(0).padStart(7)} ms | ${((ms * 1e6) / n).toFixed(0).padStart(6)} ns | ${ref === null ? "      –" : pct(ms, ref.ms)} | ${cpuMs.toFixed(0).padStart(7)} ms | ${ref === null ? "      –" : pct(cpuMs, ref.cpuMs)} | ${kib(median(rs.map((r) => r.bytes))).padStart(10)} | ${kib(median(rs.map((r) => r.jupyterBytes))).padStart(14)} | ${median(
        rs.map((r) => r.loaf),
      )
        .toFixed(0)
        .padStart(5)} ms | ${median(rs.map((r) => r.longtask))
        .toFixed(0)
        .padStart(5)} ms | ${median(rs.map((r) => r.rafGap))
        .toFixed(0)
        .padStart(5)} ms | ${rs.reduce((a, r) => a + r.over50, 0)} / ${rs.reduce((a, r) => a + r.frames, 0)} |`;
    };
    console.log(
      `\n${N.toLocaleString("en-US")} points, medians of ${RUNS} runs; ${cpus().length}× ${cpus()[0]?.model ?? "CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, Chromium ${browser.version()}\n`,
    );
    console.log(
      "| loop                               |    points |      loop |   /step | slowdown |  kernel CPU | CPU slowdown |  bytes→page | →Jupyter client | long. frame | long. task | max rAF gap | gaps > 50 ms |",
    );
    console.log(
      "|------------------------------------|----------:|----------:|--------:|---------:|------------:|-------------:|------------:|----------------:|------------:|-----------:|------------:|-------------:|",
    );
    console.log(line("logging off", rows("off", N), null));
    console.log(line("tt.plot.live (deltas)", rows("live", N), off));
    console.log(line("peer: whole chart every 100 ms", rows("naive", N), off));
    if (args.heavy) {
      console.log(line("logging off, 10× the work a step", rows("off", N, HEAVY), null));
      console.log(line("tt.plot.live, 10× the work a step", rows("live", N, HEAVY), base(rows("off", N, HEAVY))));
    }
    if (args.million) console.log(line("tt.plot.live, a million points", rows("live", 1_000_000), null));
    if (interacting) {
      console.log(
        `\nUsing the million-point chart (hover, drag-zoom, double-click, smoothing): longest frame ${interacting.loaf.toFixed(0)} ms, longest task ${interacting.longtask.toFixed(0)} ms, max rAF gap ${interacting.rafGap.toFixed(0)} ms, ${interacting.over50} of ${interacting.frames} frames more than 50 ms apart`,
      );
    }
    console.log(
      "\nall runs:",
      JSON.stringify(
        results.map((r) => ({
          ...r,
          ms: Math.round(r.ms),
          cpuMs: Math.round(r.cpuMs),
          loaf: Math.round(r.loaf),
          longtask: Math.round(r.longtask),
          rafGap: Math.round(r.rafGap),
        })),
      ),
    );
  } finally {
    await browser.close();
    await server.close();
  }
}

await main();
