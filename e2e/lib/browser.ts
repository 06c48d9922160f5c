/**
 * Debian's Chromium driven by playwright-core, and the few page moves every test needs
 * (log in, open a notebook, type into a cell, wait for a run). Waits are on conditions
 * with generous timeouts, never on the clock.
 */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { trackPage } from "./harness.js";
import { LONG, REPO } from "./constants.js";
import type { E2EServer } from "./server.js";

export const CHROMIUM = process.env.TESSERA_CHROMIUM ?? "/usr/bin/chromium";
export const SCREENSHOTS = join(REPO, "e2e", "screenshots");

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium; .ci/run does) or set TESSERA_CHROMIUM`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--headless",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
    ],
  });
}

export interface Tab {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions in the page (its own code, not sandboxed outputs). */
  errors: string[];
}

/** A fresh context (no cookies) at 1280×800 with a page that records uncaught errors. */
export async function newTab(browser: Browser): Promise<Tab> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(LONG);
  const page = await context.newPage();
  trackPage(page);
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  return { context, page, errors };
}

/** Opens the URL the server printed; the server swaps the token for a cookie. */
export async function login(page: Page, server: E2EServer): Promise<void> {
  await page.goto(server.loginUrl);
  await page.waitForSelector(".home-page .panel .file-list, .home-page .panel .empty");
}

/** A fresh logged-in tab. */
export async function loggedInTab(browser: Browser, server: E2EServer): Promise<Tab> {
  const tab = await newTab(browser);
  await login(tab.page, server);
  return tab;
}

export const notebookPath = (server: E2EServer, path: string) =>
  server.url(`notebooks/${path.split("/").map(encodeURIComponent).join("/")}`);

/** Opens a notebook and waits until its cells show and its kernel is idle. */
export async function openNotebook(page: Page, server: E2EServer, path: string): Promise<void> {
  await page.goto(notebookPath(server, path));
  await waitNotebookReady(page);
}

export async function waitNotebookReady(page: Page): Promise<void> {
  await page.waitForSelector(".cells .cell");
  await page.waitForSelector(".kernel-status.kernel-idle");
}

/** Waits until the keyboard goes to the Monaco editor of the cell in edit mode. */
export async function waitEditorFocus(page: Page): Promise<void> {
  await page.waitForFunction(() => !!document.activeElement?.closest(".cell.editing .monaco-editor"), null, { timeout: LONG });
}

/**
 * Types into the focused cell editor like a person. Keep each line free of an opening
 * brace at its end: Monaco closes brackets and indents, as it does for people.
 */
export async function typeCode(page: Page, text: string): Promise<void> {
  await waitEditorFocus(page);
  await page.keyboard.type(text);
}

/** Closes Monaco's completion list if it is open, so a run key is not taken as "accept". */
export async function closeSuggest(page: Page): Promise<void> {
  if (await page.$(".suggest-widget.visible")) {
    await page.keyboard.press("Escape");
    await page.waitForSelector(".suggest-widget.visible", { state: "detached" });
  }
}

/** Presses a run key (Shift+Enter, Ctrl+Enter, Alt+Enter) with no completion list in the way. */
export async function pressRun(page: Page, key: "Shift+Enter" | "Control+Enter" | "Alt+Enter"): Promise<void> {
  await closeSuggest(page);
  await page.keyboard.press(key);
}

export const cell = (i: number) => `.cells .cell[data-cell-index="${i}"]`;

/** Selects cell i in command mode (a click on its prompt), with the keyboard on it. */
export async function selectCell(page: Page, i: number): Promise<void> {
  await page.click(`${cell(i)} .exec-count`);
  await page.waitForFunction((sel) => document.activeElement === document.querySelector(sel), cell(i));
}

export function cellCount(page: Page): Promise<number> {
  return page.$$eval(".cells .cell", (els) => els.length);
}

/** The text of a cell's outputs ("" when it has none). */
export function outputText(page: Page, i: number): Promise<string> {
  return page.$eval(cell(i), (el) => el.querySelector(".outputs")?.textContent ?? "");
}

/** The prompt text of a code cell: "[3]", "[*]" or "[ ]". */
export function execCount(page: Page, i: number): Promise<string> {
  return page.$eval(cell(i), (el) => el.querySelector(".exec-count")?.textContent ?? "");
}

/** Waits until cell i is idle with execution count `count` (any count when omitted). */
export async function waitRunDone(page: Page, i: number, count?: number, timeout = LONG): Promise<void> {
  await page.waitForFunction(
    ({ sel, count }) => {
      const el = document.querySelector(sel);
      const info = el?.querySelector(".run-info");
      const text = el?.querySelector(".exec-count")?.textContent ?? "";
      if (!info?.classList.contains("run-idle")) return false;
      return count === null ? /^\[\d+\]$/.test(text) : text === `[${count}]`;
    },
    { sel: cell(i), count: count ?? null },
    { timeout },
  );
}

/** Waits until cell i's outputs contain `text`. */
export async function waitOutput(page: Page, i: number, text: string, timeout = LONG): Promise<void> {
  await page.waitForFunction(
    ({ sel, text }) => (document.querySelector(sel)?.querySelector(".outputs")?.textContent ?? "").includes(text),
    { sel: cell(i), text },
    { timeout },
  );
}

/** The source text shown for each cell ("md:" before markdown), from editors or static code. */
export function cellSources(page: Page): Promise<string[]> {
  return page.$$eval(".cells .cell", (els) =>
    els.map((c) => {
      const text = c.querySelector(".view-lines, .static-code, .markdown-rendered")?.textContent ?? "";
      return (c.classList.contains("cell-markdown") ? "md:" : "") + text.replace(/\u00a0/g, " ").trim();
    }),
  );
}

/**
 * Resolves after the page has drawn `n` more frames. (A string on purpose: a function
 * with a named inner helper would arrive in the page with the test runner's `__name`
 * wrappers, which the page does not define.)
 */
export async function animationFrames(page: Page, n: number): Promise<void> {
  await page.evaluate(
    `new Promise((resolve) => { let left = ${n}; const tick = () => (--left <= 0 ? resolve() : requestAnimationFrame(tick)); requestAnimationFrame(tick); })`,
  );
}

/** Saves a screenshot under e2e/screenshots/. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, name);
  await page.screenshot({ path });
  return path;
}
