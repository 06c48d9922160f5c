/**
 * Ten pages (real Chromium, each its own browser context) typing into one notebook at
 * once, two pages per cell, for `size(10, 60)` seconds. Nothing may be lost: at the end
 * every page shows, and the saved file holds, every word every page typed, whole, and no
 * character more or less. Figures go to hardening/results/shared-editing-load.json.
 */
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, type Tab } from "../e2e/lib/browser.js";
import { putNotebook, startServer, type E2EServer } from "../e2e/lib/server.js";
import { converged, editCellAt, openPages, savedSource } from "../e2e/lib/shared.js";
import { report, size } from "./lib/mode.js";

const PAGES = 10;
const CELLS = 5;
const SECONDS = size(10, 60);
/** Each cell starts as a comment, so the editor offers no completions to get in the way. */
const START = (c: number) => `// cell ${c}:`;

let server: E2EServer;
let browser: Browser;
let tabs: Tab[] = [];

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  for (const t of tabs) await t.context.close().catch(() => {});
  await browser?.close();
  await server?.close();
});

/** Page p types words `p<p>w<n>` at the end of its cell until the time is up; returns them. */
async function typeFor(page: Page, p: number, until: number): Promise<string[]> {
  const words: string[] = [];
  for (let n = 0; Date.now() < until; n++) {
    const word = ` p${p}w${n}`;
    await page.keyboard.type(word, { delay: 25 });
    words.push(word);
  }
  return words;
}

it(`${PAGES} pages typing into one notebook for ${SECONDS} s lose nothing`, { timeout: (SECONDS + 300) * 1000 }, async () => {
  await putNotebook(
    server,
    "load.ipynb",
    Array.from({ length: CELLS }, (_, c) => START(c)),
  );
  tabs = await openPages(browser, server, "load.ipynb", PAGES);
  const pages = tabs.map((t) => t.page);
  for (let p = 0; p < PAGES; p++) await editCellAt(pages[p], p % CELLS, "end");

  const started = Date.now();
  const typed = await Promise.all(pages.map((page, p) => typeFor(page, p, started + SECONDS * 1000)));
  const typingMs = Date.now() - started;

  let chars = 0;
  for (let c = 0; c < CELLS; c++) {
    const writers = typed.map((words, p) => ({ words, p })).filter(({ p }) => p % CELLS === c);
    const length = START(c).length + writers.reduce((n, w) => n + w.words.join("").length, 0);
    chars += length - START(c).length;
    const text = await converged(pages, c, (t) => t.length === length, 120_000);
    assert.ok(text.startsWith(START(c)), text.slice(0, 80));
    for (const { words, p } of writers) {
      const missing = words.filter((w) => !text.includes(`${w} `) && !text.endsWith(w));
      assert.deepEqual(missing, [], `page ${p}'s words whole in cell ${c}`);
    }
    await savedSource(server, "load.ipynb", c, (s) => s === text, 120_000);
  }
  for (const t of tabs) assert.deepEqual(t.errors, []);
  await report("shared-editing-load", {
    pages: PAGES,
    cells: CELLS,
    seconds: SECONDS,
    typingMs,
    charsTyped: chars,
    charsPerSecond: Math.round((chars / typingMs) * 1000),
  });
});
