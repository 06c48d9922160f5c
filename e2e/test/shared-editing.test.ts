/**
 * Two and three pages editing one notebook: every keystroke from every page is kept on
 * every page and in the file, cursors of others are shown with their names, a cell deleted
 * under a typing page keeps its text, and outputs of an edited cell are marked outdated.
 */
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { cell, cellCount, launchBrowser, pressRun, screenshot, selectCell, waitOutput, waitRunDone, type Tab } from "../lib/browser.js";
import { putNotebook, shutdownKernels, startServer, TEST_TIMEOUT, type E2EServer } from "../lib/server.js";
import { converged, editCellAt, openPages, savedSource, shownText } from "../lib/shared.js";

describe("shared editing", () => {
  let server: E2EServer;
  let browser: Browser;
  let tabs: Tab[] = [];
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  afterEach(async () => {
    for (const t of tabs) await t.context.close();
    tabs = [];
    await shutdownKernels(server);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it("two pages typing at once in one cell, at different places and at the same place, keep every keystroke", TEST_TIMEOUT, async () => {
    await putNotebook(server, "two.ipynb", ["let middle = 1"]);
    tabs = await openPages(browser, server, "two.ipynb", 2);
    const [a, b] = tabs.map((t) => t.page);
    await editCellAt(a, 0, "start");
    await editCellAt(b, 0, "end");
    const left = "const alpha = 11 ";
    const right = " + 22 + 33 + 44";
    await Promise.all([a.keyboard.type(left, { delay: 15 }), b.keyboard.type(right, { delay: 15 })]);
    const text = await converged([a, b], 0, (t) => t.length === "let middle = 1".length + left.length + right.length);
    assert.equal(text, `${left}let middle = 1${right}`);

    // Both at the end now: each page's words stay whole, in the order of their cursors.
    await a.keyboard.press("Control+End");
    const x = " xxxx xxxx";
    const y = " yyyy yyyy";
    await Promise.all([a.keyboard.type(x, { delay: 15 }), b.keyboard.type(y, { delay: 15 })]);
    const both = await converged([a, b], 0, (t) => t.length === text.length + x.length + y.length);
    assert.ok(both.includes(x) && both.includes(y), `both pages' words whole: ${JSON.stringify(both)}`);
    assert.ok(both.startsWith(text), both);
    await savedSource(server, "two.ipynb", 0, (s) => s === both);
    for (const t of tabs) assert.deepEqual(t.errors, []);
  });

  it("three pages in one notebook: typing in one cell from all three, the others' cursors shown by name", TEST_TIMEOUT, async () => {
    await putNotebook(server, "three.ipynb", ["// one", "// two"]);
    tabs = await openPages(browser, server, "three.ipynb", 3);
    const pages = tabs.map((t) => t.page);
    await editCellAt(pages[0], 0, "end");
    await editCellAt(pages[1], 0, "start");
    await editCellAt(pages[2], 1, "end");
    const words = ["\nlet p0 = 0", "let p1 = 1\n", "\nlet p2 = 2"];
    await Promise.all(pages.map((p, i) => p.keyboard.type(words[i], { delay: 20 })));
    const first = await converged(pages, 0, (t) => t.includes("p0") && t.includes("p1"));
    assert.equal(first, "let p1 = 1\n// one\nlet p0 = 0");
    assert.equal(await converged(pages, 1, (t) => t.includes("p2")), "// two\nlet p2 = 2");

    // Page 0 sees page 1's cursor in cell 0 and page 2's in cell 1, each with a name.
    await pages[0].waitForSelector(`${cell(0)} .peer-cursor`);
    await pages[0].waitForSelector(`${cell(1)} .peer-cursor`);
    const tags = await pages[0].$$eval(".peer-tag", (els) => els.map((e) => e.textContent ?? ""));
    assert.equal(tags.length, 2, `two other pages tagged: ${tags.join(", ")}`);
    for (const name of tags) assert.ok(name.length > 0);
    const label = await pages[0].$eval(`${cell(1)} .peer-cursor`, (el) => getComputedStyle(el, "::after").content);
    assert.equal(label, JSON.stringify(tags[0]), "the caret carries the name");
    await screenshot(pages[0], "shared-editing-cursors.png");

    // A page that leaves takes its cursor with it.
    await tabs[2].context.close();
    tabs.splice(2, 1);
    await pages[0].waitForFunction((sel) => !document.querySelector(`${sel} .peer-cursor`), cell(1));
    await savedSource(server, "three.ipynb", 0, (s) => s === first);
  });

  it("undo takes back this page's typing only", TEST_TIMEOUT, async () => {
    await putNotebook(server, "undo.ipynb", ["x"]);
    tabs = await openPages(browser, server, "undo.ipynb", 2);
    const [a, b] = tabs.map((t) => t.page);
    await editCellAt(a, 0, "end");
    await a.keyboard.type(" aaaa");
    await converged([a, b], 0, (t) => t === "x aaaa");
    await editCellAt(b, 0, "start");
    await b.keyboard.type("bbbb ");
    await converged([a, b], 0, (t) => t === "bbbb x aaaa");
    await a.keyboard.press("Control+z");
    assert.equal(await converged([a, b], 0, (t) => !t.includes("a")), "bbbb x");
    await a.keyboard.press("Control+Shift+z");
    assert.equal(await converged([a, b], 0, (t) => t.includes("a")), "bbbb x aaaa");
  });

  it("a cell deleted under a typing page keeps its text as an orphan, and no key becomes a command", TEST_TIMEOUT, async () => {
    await putNotebook(server, "orphan.ipynb", ["let kept = 1", "let other = 2"]);
    tabs = await openPages(browser, server, "orphan.ipynb", 2);
    const [a, b] = tabs.map((t) => t.page);
    await editCellAt(a, 0, "end");
    await a.keyboard.type(" + 10");
    await converged([a, b], 0, (t) => t === "let kept = 1 + 10");
    // Page B deletes the cell page A is typing in.
    await selectCell(b, 0);
    await b.keyboard.press("d");
    await b.keyboard.press("d");
    await a.waitForSelector(".orphan textarea:focus");
    // Keys that are notebook commands in command mode (x cut, r raw, a/b insert, h help).
    await a.keyboard.type(" xrabh");
    const orphan = await a.$eval(".orphan textarea", (el) => (el as HTMLTextAreaElement).value);
    assert.equal(orphan, "let kept = 1 + 10 xrabh");
    assert.equal(await cellCount(a), 1);
    assert.equal(await cellCount(b), 1);
    assert.equal(await a.$(".key-help"), null, "no help dialog opened");
    assert.equal(await shownText(a, 0), "let other = 2");
    await screenshot(a, "shared-editing-orphan.png");
    await a.click(".orphan .btn-primary");
    await converged([a, b], 0, (t) => t === "let kept = 1 + 10 xrabh");
    assert.equal(await cellCount(b), 2);
    assert.equal(await a.$(".orphan"), null);
  });

  it("outputs of a cell edited after its run are marked outdated on every page", TEST_TIMEOUT, async () => {
    await putNotebook(server, "stale.ipynb", ["console.log('ran ' + 6 * 7)"]);
    tabs = await openPages(browser, server, "stale.ipynb", 2);
    const [a, b] = tabs.map((t) => t.page);
    await editCellAt(a, 0, "end");
    await pressRun(a, "Control+Enter");
    await waitRunDone(a, 0);
    await waitOutput(b, 0, "ran 42");
    assert.equal(await b.$(`${cell(0)} .stale-note`), null);
    await editCellAt(b, 0, "end");
    await b.keyboard.type(" // edited");
    for (const p of [a, b]) await p.waitForSelector(`${cell(0)}.stale .stale-note`);
    await screenshot(a, "shared-editing-stale.png");
    await pressRun(b, "Control+Enter");
    await waitRunDone(b, 0, 2);
    for (const p of [a, b]) await p.waitForSelector(`${cell(0)} .stale-note`, { state: "detached" });
  });
});
