/**
 * The way in: the token URL, the cookie it becomes, and the home page's file browser
 * (new notebook, new folder, rename, delete with confirmation). Saves home.png.
 */
import assert from "node:assert/strict";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before } from "node:test";
import { e2eTest } from "../lib/harness.js";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, loggedInTab, newTab, screenshot, waitEditorFocus, waitNotebookReady } from "../lib/browser.js";
import { putNotebook, readNotebookFile, shutdownKernels, startServer, type E2EServer } from "../lib/server.js";

let server: E2EServer;
let browser: Browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** The names in the file list, in the order shown. */
const listedNames = (page: Page) =>
  page.$$eval(".file-list .file-row .col-name", (els) => els.map((e) => e.textContent?.replace("Running", "").trim() ?? ""));

async function waitListed(page: Page, name: string, present: boolean): Promise<void> {
  await page.waitForFunction(
    ({ name, present }) =>
      [...document.querySelectorAll(".file-list .file-row .col-name")].some(
        (e) => e.textContent?.replace("Running", "").trim() === name,
      ) === present,
    { name, present },
  );
}

e2eTest("the token URL logs in, drops the token from the address bar, and a cookie carries on", async () => {
  const { context, page, errors } = await newTab(browser);
  const response = await page.goto(server.loginUrl);
  assert.ok(response?.ok(), `the page answered ${response?.status()}`);
  await page.waitForSelector(".home-page");
  assert.equal(page.url(), server.base, "the address bar no longer holds the token");
  assert.ok(!page.url().includes(server.token));

  const cookies = await context.cookies(server.base);
  const auth = cookies.find((c) => c.name.startsWith("tessera-auth-"));
  assert.ok(auth, `an auth cookie is set (got ${cookies.map((c) => c.name).join(", ")})`);
  assert.ok(auth.httpOnly, "the auth cookie is HttpOnly");
  assert.notEqual(auth.value, server.token, "the cookie is not the token itself");
  assert.ok(!(await page.evaluate(() => document.cookie)).includes(auth.value), "page scripts cannot read the auth cookie");

  // The cookie alone is enough: a page load and an API call without the token.
  await page.goto(server.base);
  await page.waitForSelector(".home-page .panel .file-list, .home-page .panel .empty");
  const status = await page.evaluate(async () => (await fetch("/api/contents")).status);
  assert.equal(status, 200);

  // Without the cookie the same URL asks to log in.
  const stranger = await newTab(browser);
  await stranger.page.goto(server.base);
  assert.match(new URL(stranger.page.url()).pathname, /^\/login/);
  assert.equal(await stranger.page.$(".home-page"), null);
  const denied = await stranger.page.evaluate(async () => (await fetch("/api/contents")).status);
  assert.equal(denied, 403);
  await stranger.context.close();

  assert.deepEqual(errors, []);
  await context.close();
});

e2eTest("New notebook on the home page creates the file and opens it ready to type", async () => {
  const { context, page, errors } = await loggedInTab(browser, server);
  await page.getByRole("button", { name: "New notebook" }).click();
  await page.waitForURL(/\/notebooks\/Untitled\d*\.ipynb$/);
  const path = decodeURIComponent(new URL(page.url()).pathname.replace(/^\/notebooks\//, ""));
  await waitNotebookReady(page);
  await waitEditorFocus(page);
  assert.equal(await page.$$eval(".cells .cell", (els) => els.length), 1, "a new notebook starts with one cell");
  assert.ok(statSync(join(server.root, path)).isFile(), `${path} exists on disk`);
  const nb = await readNotebookFile(server, path);
  assert.equal(nb.nbformat, 4);

  await page.goto(server.base);
  await waitListed(page, path, true);
  assert.deepEqual(errors, []);
  await context.close();
  await shutdownKernels(server);
});

e2eTest("the file browser makes, renames and deletes a folder, asking before it deletes", async () => {
  const { context, page, errors } = await loggedInTab(browser, server);

  await page.getByRole("button", { name: "New folder" }).click();
  const dialog = page.locator(".dialog[open]");
  await dialog.waitFor();
  await dialog.locator("input").fill("data");
  await dialog.getByRole("button", { name: "Rename" }).click();
  await waitListed(page, "data", true);
  assert.ok(statSync(join(server.root, "data")).isDirectory(), "the folder exists on disk");
  assert.ok(!(await listedNames(page)).some((n) => n.startsWith("Untitled Folder")), "the untitled folder was renamed, not left behind");

  await page.getByRole("button", { name: "Rename data" }).click();
  await dialog.waitFor();
  await dialog.locator("input").fill("results");
  await dialog.getByRole("button", { name: "Rename" }).click();
  await waitListed(page, "results", true);
  await waitListed(page, "data", false);
  assert.ok(existsSync(join(server.root, "results")) && !existsSync(join(server.root, "data")), "renamed on disk");

  // Cancel keeps it.
  await page.getByRole("button", { name: "Delete results" }).click();
  await dialog.waitFor();
  assert.match((await dialog.textContent()) ?? "", /Delete results\?/);
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await dialog.waitFor({ state: "hidden" });
  await page.getByRole("button", { name: "Refresh", exact: true }).click();
  await page.waitForSelector(".file-list");
  assert.ok((await listedNames(page)).includes("results"), "still listed after Cancel");
  assert.ok(existsSync(join(server.root, "results")), "still on disk after Cancel");

  // Confirm deletes it.
  await page.getByRole("button", { name: "Delete results" }).click();
  await dialog.waitFor();
  await dialog.getByRole("button", { name: "Delete" }).click();
  await waitListed(page, "results", false);
  assert.ok(!existsSync(join(server.root, "results")), "gone from disk");

  assert.deepEqual(errors, []);
  await context.close();
});

e2eTest("home screenshot: folders, notebooks, files and a running kernel", async () => {
  await server.api("api/contents", { method: "POST", body: JSON.stringify({ type: "directory" }) });
  await server.api("api/contents/Untitled%20Folder", { method: "PATCH", body: JSON.stringify({ path: "datasets" }) });
  await putNotebook(server, "mnist.ipynb", ["console.log('training')"]);
  await server.api("api/contents/notes.md", {
    method: "PUT",
    body: JSON.stringify({ type: "file", format: "text", content: "# Notes\n" }),
  });
  const { context, page, errors } = await loggedInTab(browser, server);
  // A kernel runs for mnist.ipynb once it has been opened.
  await page.goto(server.url("notebooks/mnist.ipynb"));
  await waitNotebookReady(page);
  await page.goto(server.base);
  await page.waitForSelector(".kernel-list .kernel-notebook");
  await waitListed(page, "notes.md", true);
  assert.deepEqual(await listedNames(page), ["datasets", "mnist.ipynb", "Untitled.ipynb", "notes.md"]);
  assert.match((await page.textContent(".kernel-list")) ?? "", /mnist\.ipynb/);
  await screenshot(page, "home.png");
  assert.deepEqual(errors, []);
  await context.close();
  await shutdownKernels(server);
});
