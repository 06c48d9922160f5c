/**
 * The document lives on the server: outputs are saved into the .ipynb and come back when
 * the notebook is opened again, a reload in the middle of a run loses no line and repeats
 * none, two pages on one notebook see the same document, and a file changed on disk is
 * noticed, never overwritten.
 */
import assert from "node:assert/strict";
import { readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, afterEach, before } from "node:test";
import { e2eTest } from "../lib/harness.js";
import type { Browser, Page } from "playwright-core";
import {
  cell,
  cellSources,
  launchBrowser,
  loggedInTab,
  openNotebook,
  outputText,
  pressRun,
  selectCell,
  typeCode,
  waitOutput,
  waitRunDone,
  type Tab,
} from "../lib/browser.js";
import { joinText, putNotebook, readNotebookFile, shutdownKernels, startServer, type E2EServer } from "../lib/server.js";
import { waitUntil } from "../lib/wait.js";

let server: E2EServer;
let browser: Browser;
const tabs: Tab[] = [];

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

afterEach(async () => {
  for (const tab of tabs.splice(0)) {
    assert.deepEqual(tab.errors, [], "no uncaught errors in the page");
    await tab.context.close();
  }
  await shutdownKernels(server);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function tabOn(s: E2EServer): Promise<Page> {
  const tab = await loggedInTab(browser, s);
  tabs.push(tab);
  return tab.page;
}

e2eTest("outputs are saved in the .ipynb and shown again when the notebook is reopened", async () => {
  await putNotebook(server, "saved.ipynb", ["console.log('persisted line');\n6 * 7;", "display.html('<b>bold output</b>');"]);
  const page = await tabOn(server);
  await openNotebook(page, server, "saved.ipynb");
  await selectCell(page, 0);
  await page.keyboard.press("Shift+Enter");
  await page.keyboard.press("Shift+Enter");
  await waitRunDone(page, 0, 1);
  await waitRunDone(page, 1, 2);
  await page.keyboard.press("Control+s");
  await page.waitForSelector(".save-status.save-saved");

  // On disk: nbformat outputs with the execution counts.
  await waitUntil(
    async () => (await readNotebookFile(server, "saved.ipynb")).cells[1]?.execution_count === 2,
    "the saved file has both runs",
  );
  const nb = await readNotebookFile(server, "saved.ipynb");
  const outs = nb.cells[0].outputs ?? [];
  assert.equal(nb.cells[0].execution_count, 1);
  assert.ok(
    outs.some((o) => o.output_type === "stream" && o.name === "stdout" && joinText(o.text) === "persisted line\n"),
    JSON.stringify(outs),
  );
  assert.ok(
    outs.some((o) => o.output_type === "execute_result" && joinText(o.data?.["text/plain"] as string | string[]) === "42"),
    JSON.stringify(outs),
  );
  assert.ok(
    (nb.cells[1].outputs ?? []).some(
      (o) => o.output_type === "display_data" && joinText(o.data?.["text/html"] as string | string[]).includes("bold output"),
    ),
  );

  // Close the page and open the notebook again.
  await tabs.pop()!.context.close();
  const again = await tabOn(server);
  await openNotebook(again, server, "saved.ipynb");
  await again.waitForSelector(`${cell(1)} iframe.output-html-frame`);
  assert.match(await outputText(again, 0), /persisted line/);
  assert.match(await outputText(again, 0), /42/);
  assert.equal(await again.textContent(`${cell(0)} .exec-count`), "[1]");

  // A fresh server process on the same folder has nothing in memory: what shows is the file.
  const fresh = await startServer({ root: server.root });
  try {
    const third = await tabOn(fresh);
    await openNotebook(third, fresh, "saved.ipynb");
    await third.waitForSelector(`${cell(1)} iframe.output-html-frame`);
    assert.match(await outputText(third, 0), /persisted line/);
    assert.match(await outputText(third, 0), /42/);
    assert.equal(await third.textContent(`${cell(0)} .exec-count`), "[1]");
    assert.equal(await third.textContent(`${cell(1)} .exec-count`), "[2]");
    const tab = tabs.pop()!;
    assert.deepEqual(tab.errors, []);
    await tab.context.close();
  } finally {
    await fresh.close();
  }
});

/** The "line N of 20" numbers in cell 0's output, in order. */
async function linesShown(page: Page): Promise<number[]> {
  return [...(await outputText(page, 0)).matchAll(/line (\d+) of 20/g)].map((m) => Number(m[1]));
}

async function waitLine(page: Page, n: number): Promise<void> {
  await page.waitForFunction(
    (n) => (document.querySelector(".cells .cell")?.querySelector(".outputs")?.textContent ?? "").includes(`line ${n} of 20`),
    n,
  );
}

e2eTest("reloading the page while a 20-second loop prints every second keeps every line, none twice", async () => {
  await putNotebook(server, "long-run.ipynb", [
    "for (let i = 1; i <= 20; i++) {\n  console.log(`line ${i} of 20`);\n  await new Promise((r) => setTimeout(r, 1000));\n}",
  ]);
  const page = await tabOn(server);
  await openNotebook(page, server, "long-run.ipynb");
  await selectCell(page, 0);
  await page.keyboard.press("Control+Enter");
  await page.waitForSelector(`${cell(0)}.cell-running`);

  for (const at of [3, 9]) {
    await waitLine(page, at);
    await page.reload();
    await page.waitForSelector(`${cell(0)} .outputs`);
    // Right after the reload: the lines so far, in order, once each, and the run goes on.
    const running = await page.$eval(cell(0), (el) => el.classList.contains("cell-running"));
    const shown = await linesShown(page);
    assert.ok(running, `the reload landed mid-run (lines shown: ${shown.join(",")})`);
    assert.ok(shown.length >= at, `every line before the reload is there at once: ${shown.join(",")}`);
    assert.deepEqual(
      shown,
      Array.from({ length: shown.length }, (_, i) => i + 1),
      "no line lost or repeated so far",
    );
  }

  await waitRunDone(page, 0, 1);
  const expected = Array.from({ length: 20 }, (_, i) => i + 1);
  assert.deepEqual(await linesShown(page), expected, "every line is there, once, in order");
  assert.equal((await outputText(page, 0)).trim(), expected.map((n) => `line ${n} of 20`).join("\n"));

  // The server's copy (what gets saved) agrees.
  await page.keyboard.press("Control+s");
  await waitUntil(
    async () => (await readNotebookFile(server, "long-run.ipynb")).cells[0]?.execution_count === 1,
    "the finished run is saved",
  );
  const saved = (await readNotebookFile(server, "long-run.ipynb")).cells[0].outputs ?? [];
  const text = saved
    .filter((o) => o.output_type === "stream")
    .map((o) => joinText(o.text))
    .join("");
  assert.equal(text, expected.map((n) => `line ${n} of 20\n`).join(""));
});

e2eTest("two pages on one notebook see each other's edits and outputs", async () => {
  await putNotebook(server, "shared.ipynb", ["'first';"]);
  const a = await tabOn(server);
  await openNotebook(a, server, "shared.ipynb");
  const b = await tabOn(server);
  await openNotebook(b, server, "shared.ipynb");

  await selectCell(a, 0);
  await a.keyboard.press("b");
  await a.keyboard.press("Enter");
  await typeCode(a, "console.log('typed in page A');");
  await pressRun(a, "Control+Enter");
  await waitRunDone(a, 1, 1);
  // Page B shows the cell A inserted, its text and its output.
  await waitOutput(b, 1, "typed in page A");
  assert.deepEqual(await cellSources(b), ["'first';", "console.log('typed in page A');"]);
  assert.equal(await b.textContent(`${cell(1)} .exec-count`), "[1]");

  // And the other way round, on the same kernel.
  await selectCell(b, 0);
  await b.keyboard.press("Control+Enter");
  await waitRunDone(b, 0, 2);
  await waitOutput(a, 0, "first");
  assert.equal(await a.textContent(`${cell(0)} .exec-count`), "[2]");
});

/** Someone else adds a markdown cell to the file (a git pull, another editor); returns its path. */
function writtenBehindOurBack(path: string): string {
  const file = join(server.root, path);
  const nb = JSON.parse(readFileSync(file, "utf8")) as { cells: unknown[] };
  nb.cells.push({ id: "from-disk", cell_type: "markdown", metadata: {}, source: "Written on **disk**" });
  writeFileSync(file, JSON.stringify(nb));
  const later = new Date(Date.now() + 10_000);
  utimesSync(file, later, later);
  return file;
}

e2eTest("a file changed on disk is noticed, not overwritten, and can be reloaded", async () => {
  await putNotebook(server, "changed.ipynb", ["1 + 1;"]);
  const page = await tabOn(server);
  await openNotebook(page, server, "changed.ipynb");

  const file = writtenBehindOurBack("changed.ipynb");

  // An edit here: its autosave warns instead of overwriting.
  await selectCell(page, 0);
  await page.keyboard.press("b");
  await page.waitForFunction(() => document.querySelectorAll(".cells .cell").length === 2);
  const banner = page.locator(".banner", { hasText: "changed on disk" });
  await banner.waitFor();
  assert.match(readFileSync(file, "utf8"), /Written on \*\*disk\*\*/, "the file on disk is left as it was");

  await banner.getByRole("button", { name: "Reload from disk" }).click();
  await banner.waitFor({ state: "detached" });
  await page.waitForSelector(`${cell(1)}.cell-markdown strong`);
  assert.deepEqual(await cellSources(page), ["1 + 1;", "md:Written on disk"]);
});

e2eTest("Ctrl+S after the file changed on disk warns instead of overwriting", async () => {
  await putNotebook(server, "ctrl-s.ipynb", ["1 + 1;"]);
  const page = await tabOn(server);
  await openNotebook(page, server, "ctrl-s.ipynb");
  const file = writtenBehindOurBack("ctrl-s.ipynb");

  await selectCell(page, 0);
  await page.keyboard.press("Control+s");
  // Either the warning shows, or the save went through and wrote over the disk's cell.
  await waitUntil(async () => !!(await page.$(".banner")) || !readFileSync(file, "utf8").includes("from-disk"), "the save is answered");
  assert.match(readFileSync(file, "utf8"), /Written on \*\*disk\*\*/, "the other writer's cell is still in the file");
  await page.locator(".banner", { hasText: "changed on disk" }).waitFor();
});
