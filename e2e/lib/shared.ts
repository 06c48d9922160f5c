/**
 * Several pages on one notebook: open them, put a cursor in a cell, read what each shows,
 * and wait until they all agree.
 */
import type { Browser, Page } from "playwright-core";
import { cell, loggedInTab, openNotebook, waitEditorFocus, type Tab } from "./browser.js";
import { LONG } from "./constants.js";
import { readNotebookFile, joinText, type E2EServer } from "./server.js";

/** `n` logged-in tabs (each its own browser context, as separate people) on one notebook. */
export async function openPages(browser: Browser, server: E2EServer, path: string, n: number): Promise<Tab[]> {
  const tabs: Tab[] = [];
  for (let i = 0; i < n; i++) {
    const tab = await loggedInTab(browser, server);
    await openNotebook(tab.page, server, path);
    tabs.push(tab);
  }
  return tabs;
}

/** Clicks into cell i's editor and puts the cursor at its start or end. */
export async function editCellAt(page: Page, i: number, where: "start" | "end"): Promise<void> {
  await page.click(`${cell(i)} .cell-editor`);
  await waitEditorFocus(page);
  await page.keyboard.press(where === "start" ? "Control+Home" : "Control+End");
}

/** The text cell i shows in its editor (or as static code), lines joined with "\n". */
export function shownText(page: Page, i: number): Promise<string> {
  return page.$eval(cell(i), (el) => {
    const lines = el.querySelectorAll(".view-lines .view-line");
    const text = lines.length
      ? [...lines].map((l) => l.textContent ?? "").join("\n")
      : (el.querySelector(".static-code")?.textContent ?? "");
    return text.replace(/\u00a0/g, " ").replace(/\s+$/, "");
  });
}

/** Waits until every page shows the same text in cell i and `ok` accepts it; returns it. */
export async function converged(pages: Page[], i: number, ok: (text: string) => boolean, timeoutMs = LONG): Promise<string> {
  const end = Date.now() + timeoutMs;
  let last: string[] = [];
  for (;;) {
    last = await Promise.all(pages.map((p) => shownText(p, i)));
    if (last.every((t) => t === last[0]) && ok(last[0])) return last[0];
    if (Date.now() > end)
      throw new Error(`pages did not agree on cell ${i}:\n${last.map((t, k) => `  page ${k}: ${JSON.stringify(t)}`).join("\n")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until the saved file's cell `index` holds a source `ok` accepts; returns it. */
export async function savedSource(
  server: E2EServer,
  path: string,
  index: number,
  ok: (source: string) => boolean,
  timeoutMs = LONG,
): Promise<string> {
  const end = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    try {
      last = joinText((await readNotebookFile(server, path)).cells[index]?.source);
      if (ok(last)) return last;
    } catch {}
    if (Date.now() > end) throw new Error(`the saved cell ${index} never matched; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Whether `whole` holds every character of `part` in order (other text may sit between). */
export function holdsInOrder(whole: string, part: string): boolean {
  let i = 0;
  for (const ch of whole) if (i < part.length && ch === part[i]) i++;
  return i === part.length;
}
