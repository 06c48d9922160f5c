/**
 * `e2eTest`: node:test's `test` with a time limit, and evidence when it fails: a
 * screenshot of every open page (e2e/screenshots/failed-*.png), what each page shows,
 * and the end of the server's stderr, added to the error so CI logs carry it.
 */
import { test, type TestContext, type TestOptions } from "node:test";
import { join } from "node:path";
import { mkdir } from "node:fs/promises";
import type { Page } from "playwright-core";
import { SCREENSHOTS } from "./browser.js";
import { TEST_TIMEOUT, type E2EServer } from "./server.js";

const openPages = new Set<Page>();
const servers = new Set<E2EServer>();

/** Pages to photograph if the running test fails (newTab registers each). */
export function trackPage(page: Page): void {
  openPages.add(page);
  page.once("close", () => openPages.delete(page));
}

/** Servers whose stderr goes into a failure report. */
export function trackServer(server: E2EServer): void {
  servers.add(server);
}

export function untrackServer(server: E2EServer): void {
  servers.delete(server);
}

async function evidence(name: string): Promise<string> {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 60);
  const lines: string[] = [];
  await mkdir(SCREENSHOTS, { recursive: true }).catch(() => undefined);
  let n = 0;
  for (const page of openPages) {
    n += 1;
    const file = join(SCREENSHOTS, `failed-${slug}-${n}.png`);
    const shot = await page.screenshot({ path: file, timeout: 10_000 }).then(
      () => file,
      (e: Error) => `no screenshot (${e.message.split("\n")[0]})`,
    );
    const text = await Promise.race([
      page
        .evaluate(() => document.body?.innerText.slice(0, 800) ?? "")
        .catch((e: Error) => `(page did not answer: ${e.message.split("\n")[0]})`),
      new Promise<string>((r) => setTimeout(() => r("(page did not answer within 10 s)"), 10_000)),
    ]);
    lines.push(`page ${n}: ${page.url()}\n  screenshot: ${shot}\n  shows: ${text.replace(/\s+/g, " ").slice(0, 800)}`);
  }
  for (const s of servers) {
    const err = s.stderr().trim();
    if (err) lines.push(`server ${s.origin} stderr (end):\n${err.slice(-2000)}`);
  }
  return lines.join("\n");
}

/**
 * A browser test: `test` with TEST_TIMEOUT, plus failure evidence.
 * @example e2eTest("opens the home page", async () => { … });
 */
export function e2eTest(name: string, body: (t: TestContext) => Promise<void>, options: TestOptions = {}): void {
  void test(name, { ...TEST_TIMEOUT, ...options }, async (t) => {
    try {
      await body(t);
    } catch (err) {
      const more = await evidence(name).catch((e: Error) => `(no evidence: ${e.message})`);
      if (err instanceof Error && more) err.message += `\n--- evidence ---\n${more}`;
      throw err;
    }
  });
}
