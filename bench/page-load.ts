/**
 * Notebook page load: the first load of a 10-cell notebook with outputs, in Chromium,
 * against the real server on localhost.
 *
 *   node --import tsx bench/page-load.ts [--runs 7]
 *
 * Each run is a cold load: a new browser context (empty cache, only the login cookie).
 * Prints the median, min and max from navigation start to (a) every cell and output on
 * screen, (b) a Monaco editor rendered, plus the bytes the page's requests transferred
 * and where they went (everything must come from the server's own origin: no CDN).
 * Not a test: it measures and prints; it exits non-zero only if a request left the origin.
 */
import { parseArgs } from "node:util";
import { cpus } from "node:os";
import type { Request } from "playwright-core";
import { cell, closeSuggest, launchBrowser, loggedInTab, openNotebook, waitRunDone } from "../e2e/lib/browser.js";
import { putNotebook, startServer, type CellSpec } from "../e2e/lib/server.js";

const args = parseArgs({ options: { runs: { type: "string", default: "7" } } }).values;
const RUNS = Number(args.runs);
const PATH = "page-load.ipynb";

const CELLS: CellSpec[] = [
  { markdown: "# A training log\n\nWe minimise $L(w) = \\frac{1}{n}\\sum_i (w x_i - y_i)^2$ and print the loss as it goes." },
  "const xs = Array.from({ length: 64 }, (_, i) => i / 64);\nconst ys = xs.map((x) => 3 * x + 0.5);\nxs.length;",
  "let w = 0;\nfor (let epoch = 1; epoch <= 30; epoch++) {\n  const grad = xs.reduce((g, x, i) => g + 2 * (w * x - ys[i]) * x, 0) / xs.length;\n  w -= 0.5 * grad;\n  console.log(`epoch ${epoch}  w=${w.toFixed(4)}`);\n}",
  "({ w, epochs: 30, lr: 0.5, note: 'converging' });",
  "display.html(`<table><tr><th>epoch</th><th>w</th></tr>${[1, 10, 20, 30].map((e) => `<tr><td>${e}</td><td>${(3 * (1 - 0.8 ** e)).toFixed(3)}</td></tr>`).join('')}</table>`);",
  "display.json({ model: 'linear', params: { w }, data: { n: xs.length } });",
  "console.error('\\x1b[33mwarning:\\x1b[0m the learning rate is high');\nconsole.log('done');",
  "display.svg(`<svg xmlns='http://www.w3.org/2000/svg' width='240' height='60'><polyline fill='none' stroke='#2563eb' stroke-width='2' points='${xs.map((x, i) => `${i * 3.75},${60 - ys[i] * 15}`).join(' ')}'/></svg>`);",
  "for (let i = 0; i < 200; i++) console.log(`row ${i}: ${Math.sin(i).toFixed(6)}`);",
  "[1, 2, 3].map((x) => x * w);",
];
const CODE_CELLS = CELLS.filter((c) => typeof c === "string").length;

/**
 * Marks set by the page itself (performance.now(), i.e. ms since navigation start),
 * checked every animation frame. A string: the page runs it as is, untranspiled.
 */
function marksScript(expected: { cells: number; outputs: number }): string {
  return `(() => {
  const marks = (window.__marks = {});
  const mark = (k, ok, t) => { if (ok && !(k in marks)) marks[k] = t; };
  const frame = (t) => {
    const cells = document.querySelectorAll(".cells .cell").length;
    const outputs = document.querySelectorAll(".cells .cell .outputs").length;
    mark("cells", cells === ${expected.cells} && outputs === ${expected.outputs} && !!document.querySelector(".cells .katex"), t);
    mark("editor", !!document.querySelector(".cells .monaco-editor .view-lines .view-line"), t);
    mark("idle", !!document.querySelector(".kernel-status.kernel-idle"), t);
    if (Object.keys(marks).length < 3 && t < 120000) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})();`;
}

interface Load {
  cells: number;
  editor: number;
  idle: number;
  dcl: number;
  /** What the page (and its workers' scripts) transferred, by part, from resource timing. */
  parts: Map<string, { files: number; bytes: number }>;
  urls: string[];
}

/** Which part of the page a file belongs to, by its built name. */
function partOf(url: string): string {
  const name = new URL(url).pathname.split("/").pop() ?? "";
  if (/\.worker-.*\.js$/.test(name)) return "editor workers (TS, editor)";
  if (/^(monaco|editor\.api|editor|typescript|tsMode|codicon)-/.test(name)) return "Monaco (loaded after the cells)";
  if (/^KaTeX_/.test(name)) return "KaTeX fonts";
  if (/^index-/.test(name)) return "page (JS + CSS)";
  return "other (HTML, favicon…)";
}

const median = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const server = await startServer();
const browser = await launchBrowser();
try {
  // The notebook, run once through the page so its outputs are real, then saved.
  await putNotebook(server, PATH, CELLS);
  const setup = await loggedInTab(browser, server);
  await openNotebook(setup.page, server, PATH);
  await setup.page.click(".menubar .menu-button >> text=Run");
  await setup.page.getByRole("menuitem", { name: "Run all", exact: true }).click();
  for (let i = 1; i < CELLS.length; i++) await waitRunDone(setup.page, i);
  await closeSuggest(setup.page);
  await setup.page.click(`${cell(1)} .exec-count`);
  await setup.page.keyboard.press("Control+s");
  await setup.page.waitForSelector(".save-status.save-saved");
  const storageState = await setup.context.storageState();
  await setup.context.close();
  const cookiesOnly = { cookies: storageState.cookies, origins: [] };

  const loads: Load[] = [];
  for (let run = 0; run < RUNS; run++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, storageState: cookiesOnly });
    const load: Load = { cells: 0, editor: 0, idle: 0, dcl: 0, parts: new Map(), urls: [] };
    context.on("request", (req: Request) => load.urls.push(req.url()));
    const page = await context.newPage();
    page.on("websocket", (ws) => load.urls.push(ws.url()));
    page.on("worker", (worker) => load.urls.push(worker.url()));
    await page.addInitScript({ content: marksScript({ cells: CELLS.length, outputs: CODE_CELLS }) });
    await page.goto(server.url(`notebooks/${PATH}`));
    await page
      .waitForFunction(() => Object.keys((window as unknown as { __marks: object }).__marks).length === 3, null, { timeout: 120_000 })
      .catch(async (e: Error) => {
        const seen = await page.evaluate(() => ({
          marks: (window as unknown as { __marks: object }).__marks,
          cells: document.querySelectorAll(".cells .cell").length,
          outputs: document.querySelectorAll(".cells .cell .outputs").length,
        }));
        throw new Error(`${e.message}; the page has ${JSON.stringify(seen)}`);
      });
    const marks = await page.evaluate(() => (window as unknown as { __marks: Record<string, number> }).__marks);
    // Let the editor's workers finish loading so their bytes are counted too.
    await page.waitForLoadState("networkidle");
    const timing = await page.evaluate(() => ({
      dcl: (performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming).domContentLoadedEventEnd,
      files: [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")].map((e) => ({
        url: e.name,
        bytes: (e as PerformanceResourceTiming).transferSize,
      })),
    }));
    for (const f of timing.files) {
      const part = load.parts.get(partOf(f.url)) ?? { files: 0, bytes: 0 };
      part.files += 1;
      part.bytes += f.bytes;
      load.parts.set(partOf(f.url), part);
    }
    Object.assign(load, { cells: marks.cells, editor: marks.editor, idle: marks.idle, dcl: timing.dcl });
    loads.push(load);
    await context.close();
    process.stderr.write(`run ${run + 1}/${RUNS}: cells+outputs ${marks.cells.toFixed(0)} ms, editor ${marks.editor.toFixed(0)} ms\n`);
  }

  const foreign = [...new Set(loads.flatMap((l) => l.urls))].filter((u) => {
    const url = new URL(u);
    if (url.protocol === "data:" || url.protocol === "blob:") return false;
    return url.host !== new URL(server.origin).host;
  });
  const first = loads[loads.length - 1];
  const row = (label: string, xs: number[]) =>
    `| ${label.padEnd(40)} | ${median(xs).toFixed(0).padStart(6)} ms | ${Math.min(...xs)
      .toFixed(0)
      .padStart(6)} ms | ${Math.max(...xs)
      .toFixed(0)
      .padStart(6)} ms |`;
  const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;

  console.log(`\nNotebook page load: ${CELLS.length} cells (${CODE_CELLS} with outputs), ${RUNS} cold loads (new context each)`);
  console.log(`Chromium ${browser.version()} headless, 1280×800, ${cpus().length} CPU cores, server and browser on one machine\n`);
  console.log(`| ${"from navigation start to".padEnd(40)} | median    | min       | max       |`);
  console.log(`|${"-".repeat(42)}|-----------|-----------|-----------|`);
  console.log(
    row(
      "DOMContentLoaded",
      loads.map((l) => l.dcl),
    ),
  );
  console.log(
    row(
      "every cell and output on screen",
      loads.map((l) => l.cells),
    ),
  );
  console.log(
    row(
      "a Monaco editor rendered",
      loads.map((l) => l.editor),
    ),
  );
  console.log(
    row(
      "kernel idle in the header",
      loads.map((l) => l.idle),
    ),
  );
  const parts = [...first.parts].sort((a, b) => b[1].bytes - a[1].bytes);
  const total = parts.reduce((n, [, p]) => n + p.bytes, 0);
  const files = parts.reduce((n, [, p]) => n + p.files, 0);
  console.log(`\nTransferred per cold load (resource timing, uncompressed as served): ${kib(total)} in ${files} files`);
  for (const [name, p] of parts)
    console.log(`  ${name.padEnd(34)} ${kib(p.bytes).padStart(10)}  (${p.files} file${p.files === 1 ? "" : "s"})`);
  console.log(
    `Origins: every request and socket went to ${server.origin}${foreign.length ? `, EXCEPT ${foreign.length}: ${foreign.join(", ")}` : " (none elsewhere: no CDN, no outside fonts)"}`,
  );
  console.log(
    `Target (issue 3): first load under 2 s: ${median(loads.map((l) => l.cells)) < 2000 && median(loads.map((l) => l.editor)) < 2000 ? "met" : "NOT met"}`,
  );
  if (foreign.length) process.exitCode = 1;
} finally {
  await browser.close();
  await server.close();
}
