/**
 * `--base-url /x/`, as behind a reverse proxy that forwards only /x/: the page logs in,
 * opens a notebook and runs a cell, and every request and WebSocket it makes stays under /x/.
 */
import assert from "node:assert/strict";
import { after, before } from "node:test";
import type { Browser } from "playwright-core";
import { e2eTest } from "../lib/harness.js";
import {
  launchBrowser,
  login,
  newTab,
  openNotebook,
  outputText,
  pressRun,
  selectCell,
  waitEditorFocus,
  waitRunDone,
} from "../lib/browser.js";
import { putNotebook, readNotebookFile, joinText, startServer, type E2EServer } from "../lib/server.js";
import { waitUntil } from "../lib/wait.js";

let server: E2EServer;
let browser: Browser;

before(async () => {
  server = await startServer({ args: ["--base-url", "/x/"] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

e2eTest("under /x/ the page logs in, opens a notebook and runs a cell, without a request outside /x/", async () => {
  assert.equal(new URL(server.base).pathname, "/x/");
  const { page, errors } = await newTab(browser);
  const requested: string[] = [];
  const failed: string[] = [];
  page.on("request", (r) => requested.push(r.url()));
  page.on("websocket", (ws) => requested.push(ws.url()));
  page.on("requestfailed", (r) => failed.push(`${r.url()}: ${r.failure()?.errorText}`));
  page.on("response", (r) => {
    if (r.status() >= 400) failed.push(`${r.url()}: HTTP ${r.status()}`);
  });

  await login(page, server);
  assert.equal(new URL(page.url()).pathname, "/x/", "the token swap redirects under the prefix");
  assert.equal(await page.getAttribute('meta[name="tessera-base-url"]', "content"), "/x/");

  await putNotebook(server, "under-x.ipynb", ["const n = 6 * 7;\nconsole.log('answer', n);"]);
  await openNotebook(page, server, "under-x.ipynb");
  assert.equal(new URL(page.url()).pathname, "/x/notebooks/under-x.ipynb");
  await selectCell(page, 0);
  await pressRun(page, "Control+Enter");
  await waitRunDone(page, 0, 1);
  assert.match(await outputText(page, 0), /answer 42/);
  // The server saved the output through the document under /x/ too.
  await waitUntil(
    async () => joinText((await readNotebookFile(server, "under-x.ipynb")).cells[0].outputs?.[0]?.text).includes("answer 42"),
    "the output is saved",
  );

  // The editor and its workers (TypeScript completions) load relative to the page's chunks: under /x/ too.
  await page.keyboard.press("Enter");
  await waitEditorFocus(page);
  await waitUntil(() => requested.some((u) => /\/x\/static\/assets\/ts\.worker-[^/]*\.js$/.test(u)), "the TypeScript worker loads");

  const sockets = requested.filter((u) => u.startsWith("ws"));
  assert.ok(
    sockets.some((u) => new URL(u).pathname === "/x/api/tessera/documents"),
    `the document socket is under /x/: ${sockets.join(", ")}`,
  );
  assert.ok(
    requested.some((u) => new URL(u).pathname.startsWith("/x/static/assets/")),
    "assets load from /x/static/",
  );
  const outside = requested.filter((u) => !u.startsWith("data:") && !u.startsWith("blob:") && !new URL(u).pathname.startsWith("/x/"));
  assert.deepEqual(outside, [], "nothing is requested outside the prefix");
  assert.deepEqual(failed, []);
  assert.deepEqual(errors, []);
});

e2eTest("a stranger is sent to the login page under /x/, and back to the notebook after it", async () => {
  const { page, errors } = await newTab(browser);
  await page.goto(server.url("notebooks/under-x.ipynb"));
  const at = new URL(page.url());
  assert.equal(at.pathname, "/x/login");
  assert.equal(at.searchParams.get("next"), "/x/notebooks/under-x.ipynb");
  await page.fill("#secret", server.token);
  await Promise.all([page.waitForURL(/\/x\/notebooks\/under-x\.ipynb$/), page.click("button[type=submit]")]);
  await page.waitForSelector(".cells .cell");
  assert.deepEqual(errors, []);
});
