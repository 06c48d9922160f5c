/**
 * Working in a notebook: typing and running cells with the three run keys, markdown with
 * math, completions, and command-mode keys. Saves notebook.png and dark.png.
 */
import assert from "node:assert/strict";
import { e2eTest } from "../lib/harness.js";
import { notebookSuite } from "../lib/suite.js";
import type { Page } from "playwright-core";
import {
  cell,
  cellCount,
  cellSources,
  closeSuggest,
  execCount,
  outputText,
  pressRun,
  screenshot,
  selectCell,
  typeCode,
  waitEditorFocus,
  waitOutput,
  waitRunDone,
} from "../lib/browser.js";
import { joinText, readNotebookFile } from "../lib/server.js";
import { waitUntil } from "../lib/wait.js";

const suite = notebookSuite();
const open = suite.open;

/** The active cell's index, and whether it is in edit mode. */
const active = (page: Page) =>
  page.$eval(".cells .cell.active", (el) => ({
    index: Number((el as HTMLElement).dataset.cellIndex),
    editing: el.classList.contains("editing"),
  }));

/** Puts the active cell in command mode with the keyboard on it. */
async function commandMode(page: Page): Promise<void> {
  await closeSuggest(page);
  await page.keyboard.press("Escape");
  await page.waitForFunction(() => document.activeElement?.classList.contains("cell") === true && !document.querySelector(".cell.editing"));
}

e2eTest("typed cells run with Shift+Enter, Ctrl+Enter and Alt+Enter, showing outputs and execution counts", async () => {
  const page = await open("run-keys.ipynb");
  await waitEditorFocus(page);

  await typeCode(page, "const answer = 6 * 7;\nconsole.log('hello', answer);\nanswer * 2;");
  await pressRun(page, "Shift+Enter");
  await waitRunDone(page, 0, 1);
  const first = await outputText(page, 0);
  assert.match(first, /hello 42/, "console.log becomes a stream output");
  assert.match(first, /84/, "the last expression becomes the result");
  assert.equal(await execCount(page, 0), "[1]");
  assert.match((await page.textContent(`${cell(0)} .run-time`)) ?? "", /✓/, "a finished run says it went well and how long it took");
  // Shift+Enter on the last cell adds a cell and goes on in it.
  assert.equal(await cellCount(page), 2);
  assert.deepEqual(await active(page), { index: 1, editing: true });

  await typeCode(page, "answer + 1;");
  await pressRun(page, "Control+Enter");
  await waitRunDone(page, 1, 2);
  assert.match(await outputText(page, 1), /43/, "the second cell sees the first cell's const");
  assert.equal(await cellCount(page), 2, "Ctrl+Enter adds no cell");
  assert.deepEqual(await active(page), { index: 1, editing: false }, "Ctrl+Enter stays on the cell, in command mode");

  await page.keyboard.press("Alt+Enter");
  await waitRunDone(page, 1, 3);
  assert.equal(await cellCount(page), 3, "Alt+Enter inserts a cell below");
  assert.deepEqual(await active(page), { index: 2, editing: true });

  await typeCode(page, "throw new Error('boom');");
  await pressRun(page, "Control+Enter");
  await waitRunDone(page, 2, 4);
  await page.waitForSelector(`${cell(2)} .output-error`);
  assert.match(await outputText(page, 2), /Error: boom/);
  assert.match((await page.textContent(`${cell(2)} .run-time`)) ?? "", /✗/);
  assert.deepEqual(suite.tab?.errors, []);
});

e2eTest("a markdown cell with inline and display math renders with KaTeX", async () => {
  const page = await open("markdown.ipynb");
  await waitEditorFocus(page);
  await commandMode(page);
  await page.keyboard.press("m");
  await page.waitForSelector(`${cell(0)}.cell-markdown`);
  await page.keyboard.press("Enter");
  await typeCode(page, "# Results\n\nEuler: $e^{i\\pi} + 1 = 0$\n\n$$\\sum_{k=1}^n k = \\frac{n(n+1)}{2}$$");
  await pressRun(page, "Shift+Enter");
  const rendered = `${cell(0)} .markdown-rendered`;
  await page.waitForSelector(`${rendered} .katex`);
  assert.equal(await page.textContent(`${rendered} h1`), "Results");
  assert.equal(await page.$$eval(`${rendered} .katex-display`, (e) => e.length), 1, "$$…$$ is display math");
  assert.equal(await page.$$eval(`${rendered} .katex`, (e) => e.length), 2, "one inline and one display formula");
  assert.ok(await page.$(`${rendered} .katex .katex-mathml math`), "KaTeX produced MathML");
  const text = (await page.textContent(rendered)) ?? "";
  assert.ok(!text.includes("$"), `no raw dollar signs left: ${text}`);
  assert.deepEqual(suite.tab?.errors, []);
});

/** The labels in Monaco's completion list now. */
const suggestions = (page: Page) =>
  page.$$eval(".suggest-widget.visible .monaco-list-row .label-name", (els) => els.map((e) => e.textContent ?? ""));

async function waitSuggestion(page: Page, label: string): Promise<void> {
  await page.waitForFunction(
    (label) => [...document.querySelectorAll(".suggest-widget.visible .monaco-list-row .label-name")].some((e) => e.textContent === label),
    label,
  );
}

e2eTest("completions come up after `Math.` and for a name defined in an earlier cell", async () => {
  const page = await open("completions.ipynb", ["const trainingLoss = 0.25;", ""]);
  await page.click(`${cell(0)} .run-btn`);
  await waitRunDone(page, 0, 1);

  await page.click(`${cell(1)} .cell-editor`);
  await typeCode(page, "Math.");
  await waitSuggestion(page, "abs");
  await page.keyboard.type("sqr");
  await waitSuggestion(page, "sqrt");
  assert.ok(
    (await suggestions(page)).every((s) => s.toLowerCase().includes("s")),
    "the list narrows as you type",
  );
  await page.keyboard.press("Enter");
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.includes("Math.sqrt"), `${cell(1)} .view-lines`);

  await page.keyboard.type("(2);\ntrainingL");
  await page.keyboard.press("Control+Space");
  await waitSuggestion(page, "trainingLoss");
  await page.keyboard.press("Enter");
  await page.waitForFunction(
    (sel) =>
      document
        .querySelector(sel)
        ?.textContent?.replace(/\u00a0/g, " ")
        .includes("trainingLoss"),
    `${cell(1)} .view-lines`,
  );
  await page.keyboard.type(" * 4;");
  await pressRun(page, "Control+Enter");
  await waitRunDone(page, 1, 2);
  assert.match(await outputText(page, 1), /^1$/m, "the accepted completion ran: trainingLoss * 4 = 1");
  assert.deepEqual(suite.tab?.errors, []);
});

e2eTest("command mode: A and B insert, D D deletes, Z undoes it, M makes markdown, Y makes code", async () => {
  const page = await open("keys.ipynb", ["'one';", "'two';", "'three';"]);
  await selectCell(page, 1);
  assert.deepEqual(await active(page), { index: 1, editing: false });

  await page.keyboard.press("b");
  await page.waitForFunction(() => document.querySelectorAll(".cells .cell").length === 4);
  assert.deepEqual(await active(page), { index: 2, editing: false }, "B selects the new cell below");
  await page.keyboard.press("a");
  await page.waitForFunction(() => document.querySelectorAll(".cells .cell").length === 5);
  assert.deepEqual(await active(page), { index: 2, editing: false }, "A selects the new cell above");
  assert.deepEqual(await cellSources(page), ["'one';", "'two';", "", "", "'three';"]);

  await page.keyboard.press("d");
  await page.keyboard.press("d");
  await page.waitForFunction(() => document.querySelectorAll(".cells .cell").length === 4);
  await page.keyboard.press("d");
  await page.keyboard.press("d");
  await page.waitForFunction(() => document.querySelectorAll(".cells .cell").length === 3);
  assert.deepEqual(await cellSources(page), ["'one';", "'two';", "'three';"]);
  // Z brings the last deleted cell back, D D takes it away again.
  await page.keyboard.press("z");
  await page.waitForFunction(() => document.querySelectorAll(".cells .cell").length === 4);
  await page.keyboard.press("d");
  await page.keyboard.press("d");
  await page.waitForFunction(() => document.querySelectorAll(".cells .cell").length === 3);
  assert.deepEqual(await cellSources(page), ["'one';", "'two';", "'three';"]);

  await page.keyboard.press("ArrowDown");
  await page.waitForFunction((sel) => document.activeElement === document.querySelector(sel), cell(2));
  await page.keyboard.press("m");
  await page.waitForSelector(`${cell(2)}.cell-markdown`);
  assert.equal(await page.$$eval(".cells .cell-markdown", (e) => e.length), 1, "only the selected cell changed type");
  await page.keyboard.press("Control+s");
  // The server has it: the file on disk says markdown.
  await waitUntil(
    async () => (await readNotebookFile(suite.server, "keys.ipynb")).cells[2]?.cell_type === "markdown",
    "cell 3 saved as markdown",
  );
  await page.keyboard.press("y");
  await page.waitForSelector(`${cell(2)}.cell-code`);
  await page.keyboard.press("Control+s");
  await waitUntil(async () => {
    const nb = await readNotebookFile(suite.server, "keys.ipynb");
    return nb.cells.map((c) => `${c.cell_type}:${joinText(c.source)}`).join("|") === "code:'one';|code:'two';|code:'three';";
  }, "the saved notebook has the three code cells");
  assert.deepEqual(suite.tab?.errors, []);
});

e2eTest("screenshots: a notebook with outputs, light and dark", async () => {
  const page = await open("tour.ipynb", [
    {
      markdown:
        "# Training a tiny model\n\nWe fit $y = wx + b$ by gradient descent on the loss $$L = \\frac{1}{n}\\sum_i (wx_i + b - y_i)^2$$",
    },
    "const xs = [1, 2, 3, 4];\nconst ys = xs.map((x) => 2 * x + 1);\nlet w = 0, b = 0;\nfor (let step = 0; step < 5; step++) {\n  w += 0.1; b += 0.05;\n  console.log(`step ${step}  loss ${(ys.reduce((s, y, i) => s + (w * xs[i] + b - y) ** 2, 0) / xs.length).toFixed(3)}`);\n}\n({ w, b, samples: xs.length });",
    "display.html(`<table><tr><th>epoch</th><th>accuracy</th></tr><tr><td>1</td><td>0.81</td></tr><tr><td>2</td><td>0.93</td></tr></table>`);",
    "console.error('\\x1b[33mwarning:\\x1b[0m learning rate is high');\nundefinedName + 1;",
  ]);
  await page.click(".menubar .menu-button >> text=Run");
  await page.getByRole("menuitem", { name: "Run all", exact: true }).click();
  await waitRunDone(page, 1);
  await waitRunDone(page, 2);
  await waitRunDone(page, 3);
  await waitOutput(page, 1, "step 4");
  await page.waitForSelector(`${cell(2)} iframe.output-html-frame`);
  await page.waitForSelector(`${cell(3)} .output-error`);
  await page.waitForSelector(`${cell(0)} .katex`);
  await selectCell(page, 1);
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, "notebook.png");

  const lightBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.getByRole("button", { name: "Switch to the dark theme" }).click();
  await page.waitForSelector("html[data-theme='dark']");
  await page.waitForSelector(".monaco-editor.vs-dark");
  const darkBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.notEqual(darkBg, lightBg, "the page background changes");
  const [r, g, b] = darkBg.match(/\d+/g)!.map(Number);
  assert.ok(r + g + b < 3 * 80, `the dark background is dark (${darkBg})`);
  await screenshot(page, "dark.png");
  assert.deepEqual(suite.tab?.errors, []);
});
