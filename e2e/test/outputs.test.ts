/**
 * What could hurt the page: a flood of a million lines, HTML with a script that reaches
 * for the page, and a notebook of 200 cells.
 */
import assert from "node:assert/strict";
import { e2eTest } from "../lib/harness.js";
import { notebookSuite } from "../lib/suite.js";
import type { Frame, Page } from "playwright-core";
import { animationFrames, cell, outputText, pressRun, screenshot, selectCell, typeCode, waitOutput, waitRunDone } from "../lib/browser.js";
import { LONG } from "../lib/server.js";
import { within } from "../lib/wait.js";

const suite = notebookSuite();
const open = suite.open;

e2eTest("a cell printing 1,000,000 lines leaves the page responsive and its DOM small", async () => {
  const page = await open("flood.ipynb", ["for (let i = 0; i < 1_000_000; i++) console.log(i);", ""]);
  await selectCell(page, 0);
  await page.keyboard.press("Control+Enter");
  await page.waitForSelector(`${cell(0)}.cell-running`);
  await waitOutput(page, 0, "\n");

  // While the flood arrives: the page answers, and typing into another cell works.
  assert.equal(
    await within(
      page.evaluate(() => 1 + 1),
      LONG,
      "the page answers during the flood",
    ),
    2,
  );
  await page.click(`${cell(1)} .cell-editor`);
  await typeCode(page, "'typed during the flood';");
  await page.waitForFunction(
    (sel) =>
      document
        .querySelector(sel)
        ?.textContent?.replace(/\u00a0/g, " ")
        .includes("typed during the flood"),
    `${cell(1)} .view-lines`,
  );

  await waitRunDone(page, 0, 1, 180_000);
  // The server keeps the first 2 MiB of a cell's stream and counts the rest; the page
  // renders only the tail of what is kept.
  await waitOutput(page, 0, "output truncated");
  const out = await outputText(page, 0);
  assert.match(out, /earlier output hidden/, "the page says the head is hidden");
  const notice = /output truncated: ([\d,]+) more characters were printed than the (\d+) MiB kept/.exec(out);
  assert.ok(notice, `the truncation notice is shown: ${out.slice(-300)}`);
  const printed = Array.from({ length: 6 }, (_, d) => (d === 0 ? 10 : 9 * 10 ** d) * (d + 2)).reduce((a, b) => a + b, 0);
  assert.equal(
    Number(notice[1].replace(/,/g, "")) + Number(notice[2]) * 1024 * 1024,
    printed,
    "every printed character is kept or counted",
  );
  assert.ok(!/^0$/m.test(out), "the first lines are not rendered");

  const dom = await page.evaluate(
    (sel) => ({
      nodes: document.getElementsByTagName("*").length,
      outputChars: document.querySelector(sel)?.querySelector(".outputs")?.innerHTML.length ?? 0,
    }),
    cell(0),
  );
  assert.ok(dom.outputChars < 200_000, `the flood's output stays small in the DOM (${dom.outputChars} chars)`);
  assert.ok(dom.nodes < 5_000, `the page has ${dom.nodes} elements`);

  // After it: the other cell still runs from the keyboard and the page still answers.
  await page.click(`${cell(1)} .cell-editor`);
  await pressRun(page, "Control+Enter");
  await waitRunDone(page, 1, 2);
  assert.match(await outputText(page, 1), /typed during the flood/);
  assert.equal(
    await within(
      page.evaluate(() => document.title),
      LONG,
      "the page answers after the flood",
    ),
    "flood — Tessera",
  );
  assert.deepEqual(suite.tab?.errors, []);
});

e2eTest("an HTML output's script cannot touch the page: sandboxed, opaque origin", async () => {
  const payload = `<img src=x onerror="parent.document.title='pwned'">`;
  const probe = `<img src=y onerror="document.body.dataset.ran='1';try{parent.document.title='pwned';document.body.dataset.reached='title'}catch(e){document.body.dataset.blocked=e.name}">`;
  const page = await open("xss.ipynb", [`display.html(${JSON.stringify(`<b>bold</b>${payload}${probe}`)});`]);
  const title = await page.title();
  assert.equal(title, "xss — Tessera");
  await selectCell(page, 0);
  await page.keyboard.press("Control+Enter");
  await waitRunDone(page, 0, 1);
  const iframe = await page.waitForSelector(`${cell(0)} iframe.output-html-frame`);

  assert.equal(await iframe.getAttribute("sandbox"), "allow-scripts", "scripts run, but never with allow-same-origin");
  const frame = (await iframe.contentFrame()) as Frame;
  // Both onerror handlers have run inside the frame; the probe saw its reach refused.
  await frame.waitForFunction(() => document.body.dataset.ran === "1" && document.body.dataset.blocked !== undefined);
  assert.equal(await frame.evaluate(() => document.body.dataset.blocked), "SecurityError");
  assert.equal(await frame.evaluate(() => document.body.dataset.reached), undefined);
  assert.equal(await frame.evaluate(() => origin), "null", "the frame has an opaque origin");
  assert.equal(await frame.evaluate(() => document.querySelector("b")?.textContent), "bold", "the HTML itself renders");
  const apiFromFrame = await frame.evaluate(() =>
    fetch("/api/contents").then(
      (r) => `read ${r.status}`,
      (e: Error) => `refused ${e.name}`,
    ),
  );
  assert.match(apiFromFrame, /^refused/, "the frame cannot read the server API with the page's cookie");

  assert.equal(await page.title(), title, "the page title is unchanged");
  // The payload's own uncaught SecurityError is the only error, and it comes from the frame.
  const errors = suite.tab?.errors ?? [];
  assert.ok(
    errors.length > 0 && errors.every((e) => /Blocked a frame with origin "null" from accessing a cross-origin frame/.test(e)),
    errors.join("\n"),
  );
});

/** How many Monaco editors the page has now. */
const editors = (page: Page) => page.$$eval(".cells .monaco-editor", (e) => e.length);

e2eTest("a 200-cell notebook opens with a handful of editors, mounted where you scroll", async (t) => {
  const cells = Array.from({ length: 200 }, (_, i) => `// cell ${i}\nconst v${i} = ${i} * 2;`);
  const page = await open("big.ipynb", cells);
  assert.equal(await page.$$eval(".cells .cell", (e) => e.length), 200, "every cell is in the page");
  await page.waitForSelector(`${cell(0)} .monaco-editor`);
  // Give the page a few dozen frames to mount whatever it wants to mount up front.
  await animationFrames(page, 30);
  const atTop = await editors(page);
  assert.ok(atTop > 0 && atTop <= 30, `editors at the top: ${atTop}`);
  assert.ok((await page.$$eval(".cells .static-code", (e) => e.length)) >= 150, "the rest show as static code");

  // Scroll to the end with the mouse wheel, as a person would.
  while (!(await page.$eval(cell(199), (el) => el.getBoundingClientRect().bottom <= innerHeight))) await page.mouse.wheel(0, 4000);
  await page.waitForSelector(`${cell(199)} .monaco-editor`);
  await page.waitForFunction((sel) => !document.querySelector(sel)?.querySelector(".monaco-editor"), cell(0));
  const atBottom = await editors(page);
  assert.ok(atBottom <= 30, `editors at the bottom: ${atBottom}`);
  t.diagnostic(`Monaco editors mounted: ${atTop} at the top, ${atBottom} at the bottom (of 200 cells)`);
  assert.match((await page.textContent(`${cell(199)} .view-lines`))?.replace(/\u00a0/g, " ") ?? "", /const v199 = 199 \* 2;/);
  // No uncaught error either (Monaco's listener-leak report for ~200 cell models included).
  assert.deepEqual(suite.tab?.errors ?? [], [], "no uncaught errors in the page");
});

e2eTest("a cell with 2,000 displays keeps its last 500, shows the newest 50 and the count, and shows more on request", async () => {
  const page = await open("many.ipynb", ["for (let i = 0; i < 2000; i++) display(i)"]);
  await selectCell(page, 0);
  await pressRun(page, "Control+Enter");
  await waitRunDone(page, 0);
  await waitOutput(page, 0, "1999");
  const text = await outputText(page, 0);
  assert.match(text, /1,500 earlier outputs not kept \(a cell keeps its last 500\)/);
  const shown = () => page.$$eval(`${cell(0)} .output:not(.output-note)`, (els) => els.length);
  assert.equal(await shown(), 50, "the newest 50");
  assert.ok(!text.includes("1949"), "older kept outputs wait behind the button");
  await page.click(`${cell(0)} button:has-text("Show 450 more outputs")`);
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.includes("1500"), `${cell(0)} .outputs`);
  assert.equal(await shown(), 500);
  await screenshot(page, "outputs-show-more.png");
});
