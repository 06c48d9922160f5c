/** Kernel control from the page: interrupt a running loop (I I), restart (0 0). */
import assert from "node:assert/strict";
import { e2eTest } from "../lib/harness.js";
import { notebookSuite } from "../lib/suite.js";
import { cell, execCount, outputText, selectCell, waitOutput, waitRunDone } from "../lib/browser.js";

const suite = notebookSuite();
const open = suite.open;

e2eTest("I I interrupts a cell stuck in a loop; the kernel lives on with its state", async () => {
  const page = await open("interrupt.ipynb", [
    "const before = 'kept';",
    "let spins = 0;\nconsole.log('spinning');\nwhile (true) spins++;",
    "[before, typeof spins];",
  ]);
  await selectCell(page, 0);
  await page.keyboard.press("Shift+Enter");
  await waitRunDone(page, 0, 1);
  await page.keyboard.press("Control+Enter");
  // The loop is running: its first line is out, the cell and the kernel are busy.
  await waitOutput(page, 1, "spinning");
  await page.waitForSelector(`${cell(1)}.cell-running`);
  await page.waitForSelector(".kernel-status.kernel-busy");
  // The loop never ends by itself: only the interrupt can bring the kernel back to idle.
  await page.keyboard.press("i");
  await page.keyboard.press("i");
  await waitRunDone(page, 1, 2);
  await page.waitForSelector(".kernel-status.kernel-idle");
  const info = (await page.textContent(`${cell(1)} .run-info`)) ?? "";
  assert.match(info, /[✗◼]/, `the cell says it did not finish normally: ${info}`);
  assert.match(await outputText(page, 1), /interrupt/i, "the output says it was interrupted");

  // Same kernel, same state: not a restart.
  await selectCell(page, 2);
  await page.keyboard.press("Control+Enter");
  await waitRunDone(page, 2, 3);
  assert.match(await outputText(page, 2), /\[\s*'kept',\s*'number'\s*\]/);
  assert.deepEqual(suite.tab?.errors, []);
});

e2eTest("0 0 restarts the kernel after asking; its variables are gone", async () => {
  const page = await open("restart.ipynb", ["const secret = 41;", "typeof secret;"]);
  await selectCell(page, 0);
  await page.keyboard.press("Shift+Enter");
  await waitRunDone(page, 0, 1);
  await page.keyboard.press("Control+Enter");
  await waitRunDone(page, 1, 2);
  assert.match(await outputText(page, 1), /number/);

  await page.keyboard.press("0");
  await page.keyboard.press("0");
  const dialog = page.locator(".dialog[open]");
  await dialog.waitFor();
  assert.match((await dialog.textContent()) ?? "", /restart/i);
  await dialog.getByRole("button", { name: /restart/i }).click();
  await dialog.waitFor({ state: "hidden" });

  // Counting starts again at 1 in a fresh kernel, and `secret` no longer exists there.
  await page.waitForSelector(".kernel-status.kernel-idle");
  await selectCell(page, 1);
  await page.keyboard.press("Control+Enter");
  await waitRunDone(page, 1, 1);
  assert.match(await outputText(page, 1), /undefined/);
  assert.equal(await execCount(page, 1), "[1]");
  assert.deepEqual(suite.tab?.errors, []);
});
