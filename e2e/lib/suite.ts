/**
 * The setup most browser test files share: one real server and one Chromium for the file,
 * a fresh logged-in tab per notebook opened, closed (with its kernels) after each test.
 */
import { after, afterEach, before } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, loggedInTab, openNotebook, type Tab } from "./browser.js";
import { putNotebook, shutdownKernels, startServer, type E2EServer } from "./server.js";

export interface NotebookSuite {
  /** The file's server (set once its `before` hook ran). */
  readonly server: E2EServer;
  readonly browser: Browser;
  /** The tab the last `open` made, until the test ends. */
  readonly tab: Tab | undefined;
  /** A new tab on a notebook written with these cells (an empty one gets a cell to type in). */
  open(path: string, cells?: Parameters<typeof putNotebook>[2]): Promise<Page>;
}

/** Registers the hooks in the calling test file and returns what they set up. */
export function notebookSuite(): NotebookSuite {
  let server: E2EServer | undefined;
  let browser: Browser | undefined;
  let tab: Tab | undefined;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  afterEach(async () => {
    await tab?.context.close();
    tab = undefined;
    if (server) await shutdownKernels(server);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not started (used outside a test?)`);
    return value;
  };
  return {
    get server() {
      return need(server, "the server");
    },
    get browser() {
      return need(browser, "the browser");
    },
    get tab() {
      return tab;
    },
    async open(path, cells = []) {
      const s = need(server, "the server");
      await putNotebook(s, path, cells);
      tab = await loggedInTab(need(browser, "the browser"), s);
      await openNotebook(tab.page, s, path);
      return tab.page;
    },
  };
}
