/**
 * The network between the user and the server fails (docs/reliability.md, hardening list):
 *
 * - The tunnel is cut for `size(5, 30)` seconds during a run, then comes back. A real TCP
 *   proxy (hardening/lib/tcp-proxy.ts) stands where the SSH tunnel would: the page's origin
 *   is the proxy's. The cut destroys every connection through it and then refuses new ones
 *   (the tunnel process died) or black-holes them (accepted, never forwarded: its far end
 *   is gone). The page must say it is disconnected, the kernel must keep running on the
 *   server, and once the tunnel is back the page reconnects by itself and shows every line
 *   the cell printed exactly once and in order, as the saved file does. A Jupyter client on
 *   the raw kernel channels, reconnecting with its session_id, gets the same guarantee from
 *   the server's replay buffer; cut at arbitrary moments of an output flood, it may lose
 *   only what was in flight at a cut (Jupyter has no acknowledgements), never a line twice.
 * - The network is slow (Chromium's own throttling, 400 ms and ~50 KB/s each way, and a
 *   slow tunnel for the WebSocket, which that throttling leaves alone): the page still
 *   loads, runs what is typed, shows the kernel busy then idle, and keeps what is typed
 *   while an output streams in.
 *
 * Every wait is on a condition with a generous limit; durations are measured only to be
 * reported, never asserted.
 */
import assert from "node:assert/strict";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, afterEach, before } from "node:test";
import type { Browser, Page } from "playwright-core";
import WebSocket from "ws";
import { makeMessage } from "@tessera/protocol";
import {
  cell,
  cellSources,
  launchBrowser,
  login,
  newTab,
  openNotebook,
  pressRun,
  screenshot,
  selectCell,
  typeCode,
  waitEditorFocus,
  waitRunDone,
  type Tab,
} from "../e2e/lib/browser.js";
import { e2eTest } from "../e2e/lib/harness.js";
import { LONG, joinText, putNotebook, readNotebookFile, shutdownKernels, startServer, type E2EServer } from "../e2e/lib/server.js";
import { waitUntil } from "../e2e/lib/wait.js";
import { report, size } from "./lib/mode.js";
import { JupyterClient } from "./lib/jupyter-client.js";
import { PageClient } from "./lib/page-client.js";
import { TcpProxy, type CutMode, type SlowLink } from "./lib/tcp-proxy.js";

/** How long the tunnel stays cut (at least: it is restored once the checks made during the cut are done too). */
const CUT_MS = size(5_000, 30_000);
/** The printing cell's pace: slower in full mode so the run stays under the 500 lines a stream output shows. */
const LINE_MS = size(100, 200);
/** Lines that must arrive live through the new connection before the cell is told to stop. */
const LIVE_AFTER = 10;
/** A bound on the loop, should the stop file never come (the page shows the last 500 lines of a stream). */
const MAX_LINES = 450;

let server: E2EServer;
let browser: Browser;
const tabs: Tab[] = [];
const proxies: TcpProxy[] = [];
const sockets: WebSocket[] = [];

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  for (const tab of tabs.splice(0)) {
    assert.deepEqual(tab.errors, [], "no uncaught errors in the page");
    await tab.context.close();
  }
  for (const p of proxies.splice(0)) await p.close();
  await shutdownKernels(server);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** The same server seen through the tunnel: every URL on the proxy's port. */
function through(proxy: TcpProxy): E2EServer {
  const swap = (url: string) => url.replace(server.origin, proxy.origin);
  return {
    ...server,
    base: swap(server.base),
    origin: proxy.origin,
    loginUrl: swap(server.loginUrl),
    url: (path) => swap(server.url(path)),
  };
}

async function tunnel(slow: SlowLink | null = null): Promise<{ proxy: TcpProxy; via: E2EServer }> {
  const proxy = await TcpProxy.start(Number(new URL(server.origin).port), slow);
  proxies.push(proxy);
  return { proxy, via: through(proxy) };
}

/** A cell that prints `line 0`, `line 1`, … every `lineMs` until `stop` exists, then how many it printed. */
function printingCell(stop: string, lineMs = LINE_MS, maxLines = MAX_LINES): string {
  return [
    `const fs = require("node:fs");`,
    `let n = 0;`,
    `while (!fs.existsSync(${JSON.stringify(stop)}) && n < ${maxLines}) {`,
    "  console.log(`line ${n}`);",
    `  n++;`,
    `  await new Promise((r) => setTimeout(r, ${lineMs}));`,
    `}`,
    "console.log(`end after ${n} lines`);",
  ].join("\n");
}

/** The numbers of the `line N` lines in a text, in order. */
const numbers = (text: string) => [...text.matchAll(/^line (\d+)$/gm)].map((m) => Number(m[1]));

/** What the printing cell prints in all when it stops after n lines. */
const expectedText = (n: number) => Array.from({ length: n }, (_, i) => `line ${i}\n`).join("") + `end after ${n} lines\n`;

/** The finished text: every line once, in order, and the end line that says how many there were. */
function assertWhole(text: string, where: string): number {
  const end = /end after (\d+) lines\n$/.exec(text);
  assert.ok(end, `${where}: the run's last line is there (${JSON.stringify(text.slice(-200))})`);
  const n = Number(end[1]);
  const got = numbers(text);
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !got.includes(i));
  const doubled = got.filter((v, i) => got.indexOf(v) !== i);
  assert.deepEqual({ missing, doubled }, { missing: [], doubled: [] }, `${where}: no line lost or doubled`);
  assert.equal(text, expectedText(n), `${where}: lines 0..${n - 1} in order and nothing else`);
  return n;
}

// ---- the page ------------------------------------------------------------------------------

/** The stream text cell i shows (its stdout output's <pre>). */
function shownText(page: Page, i: number): Promise<string> {
  return page.$eval(cell(i), (el) => [...el.querySelectorAll(".output-stream pre")].map((p) => p.textContent ?? "").join(""));
}

/** How the page shows its connection: the kernel badge's state and label, and the banner. */
function connectionShown(page: Page): Promise<{ status: string; label: string; banner: string }> {
  return page.evaluate(() => {
    const badge = document.querySelector(".kernel-status");
    const status =
      [...(badge?.classList ?? [])].find((c) => c.startsWith("kernel-") && c !== "kernel-status")?.slice("kernel-".length) ?? "";
    const banner = [...document.querySelectorAll(".banner")].map((b) => b.textContent ?? "").join(" | ");
    return { status, label: badge?.querySelector(".kernel-label")?.textContent ?? "", banner };
  });
}

const LOST = "Connection to the server lost";

async function waitDisconnectedShown(page: Page): Promise<void> {
  await page.waitForFunction((lost) => {
    const badge = document.querySelector(".kernel-status.kernel-unknown");
    const banner = [...document.querySelectorAll(".banner.banner-warn")].some((b) => b.textContent?.includes(lost));
    return !!badge && badge.textContent?.includes("Disconnected") && banner;
  }, LOST);
}

async function waitConnectedShown(page: Page, timeout = LONG): Promise<void> {
  await page.waitForFunction(
    (lost) =>
      !document.querySelector(".kernel-status.kernel-unknown") &&
      !!document.querySelector(".kernel-status") &&
      ![...document.querySelectorAll(".banner")].some((b) => b.textContent?.includes(lost)),
    LOST,
    { timeout },
  );
}

/** Waits until cell i shows at least `n` lines. */
async function waitLines(page: Page, i: number, n: number, timeout = LONG): Promise<void> {
  await page.waitForFunction(
    ({ sel, n }) =>
      ((document.querySelector(sel)?.querySelector(".output-stream pre")?.textContent ?? "").match(/^line \d+$/gm) ?? []).length >= n,
    { sel: cell(i), n },
    { timeout },
  );
}

for (const mode of ["refuse", "blackhole"] as CutMode[]) {
  const shot = (name: string) => (mode === "refuse" ? `${name}.png` : `${name}-${mode}.png`);

  e2eTest(
    `page: the tunnel is cut (${mode === "refuse" ? "refused" : "black-holed"}) during a run and comes back: every line once, in order`,
    async () => {
      const path = `tunnel-${mode}.ipynb`;
      const stop = join(server.root, `stop-${mode}`);
      await putNotebook(server, path, [printingCell(stop)]);
      const { proxy, via } = await tunnel();
      const tab = await newTab(browser);
      tabs.push(tab);
      const page = tab.page;
      await login(page, via);
      await openNotebook(page, via, path);
      assert.equal(new URL(page.url()).port, String(proxy.port), "the page is on the tunnel's origin");
      // A second page straight on the server (not through the tunnel): it sees the kernel work on.
      const observer = await PageClient.open(
        { wsBase: server.base.replace(/^http/, "ws"), headers: { authorization: `token ${server.token}`, origin: server.origin } },
        path,
      );
      const cellId = observer.state!.notebook.cells[0].id;
      const observed = () => numbers(observer.textOf(cellId)).length;

      await selectCell(page, 0);
      await page.keyboard.press("Control+Enter");
      await waitLines(page, 0, 10);

      // Cut.
      const cutAt = Date.now();
      await proxy.cut(mode);
      await waitDisconnectedShown(page);
      const shownAtCut = numbers(await shownText(page, 0)).length;
      const observedAtCut = observed();
      // The kernel keeps running on the server: lines go on being printed while the page is cut off.
      await observer.until(() => observed() >= observedAtCut + 10);
      const kernels = (await (await server.api("api/kernels")).json()) as Array<{ execution_state: string }>;
      assert.deepEqual(
        kernels.map((k) => k.execution_state),
        ["busy"],
        "the kernel is busy with the cell during the cut",
      );
      let retryNowMs: number | null = null;
      if (mode === "blackhole") {
        // The page's next attempt went into the black hole and hangs there. "Retry now" gives it
        // up for a fresh one (it did nothing until the 45 s watchdog gave up on the hung one).
        const attempts = () => proxy.heldRequests().filter((r) => r.startsWith("GET /api/tessera/documents?")).length;
        await waitUntil(() => attempts() === 1, "the page's attempt hangs in the black hole");
        const before = proxy.counts.blackholed;
        const clickedAt = Date.now();
        await page.getByRole("button", { name: "Retry now" }).click();
        // The hung attempt is closed and a fresh one is in the black hole: still one, a new one.
        await waitUntil(() => proxy.counts.blackholed > before && attempts() === 1, "a fresh attempt instead of the hung one");
        retryNowMs = Date.now() - clickedAt;
        await waitDisconnectedShown(page);
      }
      await sleep(CUT_MS - (Date.now() - cutAt));
      const shown = await connectionShown(page);
      assert.equal(shown.status, "unknown");
      assert.equal(shown.label, "Disconnected", "the kernel badge says the page is disconnected");
      assert.match(shown.banner, /Connection to the server lost\. Your edits are kept/, "a banner says so and what happens to edits");
      assert.equal(numbers(await shownText(page, 0)).length, shownAtCut, "nothing reaches the page while the tunnel is cut");
      assert.ok(await page.$(`${cell(0)}.cell-running`), "the page still shows the cell running");
      await screenshot(page, shot("network-cut"));
      const cutFor = Date.now() - cutAt;
      const duringCut = { ...proxy.counts };

      // Restore: the page reconnects by itself.
      const restoredAt = Date.now();
      await proxy.restore();
      await waitConnectedShown(page, 120_000);
      const reconnectMs = Date.now() - restoredAt;
      // The run was still going (the stop file is written only later), and the page says so.
      await page.waitForSelector(`${cell(0)}.cell-running`);
      const observedAtReconnect = observed();
      await waitLines(page, 0, observedAtReconnect + LIVE_AFTER);
      await screenshot(page, shot("network-restored"));
      await writeFile(stop, "");
      await waitRunDone(page, 0, 1);
      await page.waitForSelector(".kernel-status.kernel-idle");

      const text = await shownText(page, 0);
      const lines = assertWhole(text, "the page");
      await observer.until(() => observer.state!.run[cellId]?.state === "idle");
      assert.equal(observer.textOf(cellId), text, "the server's document holds the same text");
      assert.deepEqual(observer.problems, []);

      // Saved: the file holds exactly what the page shows.
      // (Not the execution count: an autosave during a long run writes it with part of the output.)
      const streamOnDisk = async () =>
        ((await readNotebookFile(server, path)).cells[0].outputs ?? [])
          .filter((o) => o.output_type === "stream")
          .map((o) => joinText(o.text))
          .join("");
      await page.keyboard.press("Control+s");
      await waitUntil(async () => /end after \d+ lines/.test(await streamOnDisk()), "the finished run is saved");
      assert.equal(await streamOnDisk(), text, "the saved file holds the same lines");
      observer.close();
      await rm(stop, { force: true });

      await report(`browser-network-page-${mode}`, {
        cutMs: cutFor,
        reconnectMs,
        lines,
        linesShownAtCut: shownAtCut,
        linesPrintedWhileCutOff: observedAtReconnect - observedAtCut,
        connections: { ...proxy.counts },
        blackholedDuringCut: duringCut.blackholed,
        ...(retryNowMs === null ? {} : { retryNowToFreshAttemptMs: retryNowMs }),
      });
    },
  );
}

// ---- a Jupyter client on the raw kernel channels -----------------------------------------

/**
 * A new kernel with two Jupyter clients on it: `client` through a tunnel on session
 * `<prefix>-<random>`, and `observer` straight on the server on its own session (it sees the
 * kernel work on while the tunnel is cut).
 */
async function tunnelledClients(
  prefix: string,
): Promise<{ proxy: TcpProxy; client: JupyterClient; observer: JupyterClient; session: string }> {
  const kernel = (await (await server.api("api/kernels", { method: "POST", body: JSON.stringify({ name: "typescript" }) })).json()) as {
    id: string;
  };
  const { proxy } = await tunnel();
  const headers = { authorization: `token ${server.token}` };
  const session = `${prefix}-${Math.random().toString(16).slice(2)}`;
  const track = (ws: WebSocket) => sockets.push(ws);
  const client = new JupyterClient(`ws://127.0.0.1:${proxy.port}/api/kernels/${kernel.id}/channels?session_id=${session}`, headers, track);
  const observer = new JupyterClient(
    `${server.base.replace(/^http/, "ws")}api/kernels/${kernel.id}/channels?session_id=observer-${session}`,
    headers,
    track,
  );
  await client.open();
  await observer.open();
  return { proxy, client, observer, session };
}

/** An execute_request for `code` on `session`. */
const executeRequest = (code: string, session: string) =>
  makeMessage(
    "shell",
    "execute_request",
    { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true },
    { session },
  );

for (const mode of ["refuse", "blackhole"] as CutMode[]) {
  e2eTest(
    `jupyter client: the tunnel is cut (${mode === "refuse" ? "refused" : "black-holed"}) during a run; reconnecting with its session_id it gets every line once, in order`,
    async () => {
      const stop = join(server.root, `stop-jupyter-${mode}`);
      const { proxy, client, observer, session } = await tunnelledClients(`tunnel-${mode}`);
      const request = executeRequest(printingCell(stop), session);
      const id = request.header.msg_id;
      const lines = (c: JupyterClient, conn?: number) => numbers(c.streamText(id, conn)).length;
      client.send(request);
      await client.until(() => lines(client) >= 10, "10 lines arrived");

      const cutAt = Date.now();
      await proxy.cut(mode);
      await client.until(() => client.ws === null, "the client sees its connection drop");
      const observedAtCut = lines(observer);
      await observer.until(() => lines(observer) >= observedAtCut + 10, "the kernel prints on during the cut");
      // The client retries through the dead tunnel all along, as a Jupyter client does.
      const retrying = client.reconnect(CUT_MS + 120_000);
      await sleep(CUT_MS - (Date.now() - cutAt));
      assert.equal(client.ws, null, "no connection gets through the cut tunnel");
      const cutFor = Date.now() - cutAt;
      const attemptsDuringCut = client.attempts - 1;

      const restoredAt = Date.now();
      await proxy.restore();
      await retrying;
      const reconnectMs = Date.now() - restoredAt;
      assert.equal(client.conns, 2);
      const observedAtReconnect = lines(observer);
      await client.until(() => lines(client) >= observedAtReconnect + LIVE_AFTER, "lines arrive live on the new connection");
      await writeFile(stop, "");
      await client.until(() => client.of(id).some((r) => r.msg.header.msg_type === "execute_reply"), "the execute_reply");
      await client.until(
        () => client.of(id).some((r) => r.msg.header.msg_type === "status" && r.msg.content.execution_state === "idle"),
        "the kernel says idle",
      );
      await observer.until(
        () => observer.of(id).some((r) => r.msg.header.msg_type === "status" && r.msg.content.execution_state === "idle"),
        "the observer sees idle",
      );

      // Every message once (by msg_id), every line once and in order across both connections.
      const all = client.of(id);
      const ids = all.map((r) => r.msg.header.msg_id);
      assert.deepEqual(
        ids.filter((m, i) => ids.indexOf(m) !== i),
        [],
        "no message delivered twice",
      );
      const text = client.streamText(id);
      const total = assertWhole(text, "the Jupyter client");
      assert.equal(text, observer.streamText(id), "the client got what a client that never left got");
      const replies = all.filter((r) => r.msg.header.msg_type === "execute_reply");
      assert.equal(replies.length, 1);
      assert.equal(replies[0].msg.content.status, "ok");
      const states = all.filter((r) => r.msg.header.msg_type === "status").map((r) => r.msg.content.execution_state);
      assert.deepEqual(states, ["busy", "idle"], "busy once, idle once");
      await rm(stop, { force: true });

      await report(`browser-network-jupyter-${mode}`, {
        cutMs: cutFor,
        reconnectMs,
        lines: total,
        linesOnFirstConnection: lines(client, 1),
        linesOnSecondConnection: lines(client, 2),
        attemptsDuringCut,
        connections: { ...proxy.counts },
      });
    },
  );
}

e2eTest(
  "jupyter client: cut at arbitrary moments of an output flood, lines are never doubled or reordered, and are lost only in flight at a cut",
  async () => {
    // The replay buffer holds what comes after the server knows the socket is gone. Jupyter has
    // no acknowledgements, so what the server had already written into the connection when it
    // was cut is gone with it: at most one run of lines per cut.
    const cuts = size(10, 40);
    const stop = join(server.root, "stop-jupyter-flood");
    const { proxy, client, observer, session } = await tunnelledClients("flood");
    const request = executeRequest(printingCell(stop, 2, 1_000_000), session);
    const id = request.header.msg_id;
    const lines = (c: JupyterClient) => numbers(c.streamText(id)).length;
    client.send(request);
    await client.until(() => lines(client) >= 10, "the flood started");
    for (let i = 0; i < cuts; i++) {
      await sleep(50 + Math.random() * 200); // an arbitrary moment in the flood (pacing, not a check)
      await proxy.cut("refuse");
      await client.until(() => client.ws === null, "the client sees its connection drop");
      await sleep(100);
      await proxy.restore();
      await client.reconnect();
    }
    const before = lines(client);
    await client.until(() => lines(client) >= before + 10, "lines arrive on the last connection");
    await writeFile(stop, "");
    await client.until(() => client.of(id).some((r) => r.msg.header.msg_type === "execute_reply"), "the execute_reply");
    await observer.until(
      () => observer.of(id).some((r) => r.msg.header.msg_type === "status" && r.msg.content.execution_state === "idle"),
      "the observer sees idle",
    );

    const printed = assertWhole(observer.streamText(id), "the client that was never cut");
    const ids = client.of(id).map((r) => r.msg.header.msg_id);
    assert.deepEqual(
      ids.filter((m, i) => ids.indexOf(m) !== i),
      [],
      "no message delivered twice",
    );
    const got = numbers(client.streamText(id));
    assert.ok(
      got.every((v, i) => i === 0 || v > got[i - 1]),
      "lines in order, none twice",
    );
    assert.match(client.streamText(id), new RegExp(`end after ${printed} lines\n$`));
    const gaps = [-1, ...got, printed].filter((v, i, all) => i > 0 && v !== all[i - 1] + 1).length;
    assert.ok(gaps <= cuts, `${gaps} runs of lost lines for ${cuts} cuts`);
    await rm(stop, { force: true });

    await report("browser-network-jupyter-flood", {
      cuts,
      lines: printed,
      lost: printed - got.length,
      runsLost: gaps,
      connections: client.conns,
    });
  },
);

// ---- a slow network --------------------------------------------------------------------------

/** Chromium's throttling: round trips and bandwidth each way (bytes/s). It delays HTTP, not WebSocket frames, so… */
const SLOW = { offline: false, latency: 400, downloadThroughput: 50 * 1024, uploadThroughput: 50 * 1024 };
/** …the page also goes through a slow tunnel, which does (200 ms each way: the same 400 ms round trip). */
const SLOW_TUNNEL: SlowLink = { latencyMs: 200, bytesPerSec: 50 * 1024 };
/** Generous: at 50 KB/s the editor alone (Monaco, gzip) takes most of a minute to arrive. */
const SLOW_WAIT = 300_000;

e2eTest(
  "slow network (400 ms, 50 KB/s): the page loads, runs what is typed, shows busy then idle, and keeps typing while output streams",
  async () => {
    const path = "slow-network.ipynb";
    const stop = join(server.root, "stop-slow");
    await putNotebook(server, path, ["", printingCell(stop), ""]);
    const { via } = await tunnel(SLOW_TUNNEL);
    const tab = await newTab(browser);
    tabs.push(tab);
    const page = tab.page;
    page.setDefaultTimeout(SLOW_WAIT);
    const cdp = await tab.context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", SLOW);

    // Loads (login, then the notebook and its editor) over the slow line.
    const loadFrom = Date.now();
    await login(page, via);
    await openNotebook(page, via, path);
    await page.waitForSelector(`${cell(0)} .monaco-editor`);
    const loadMs = Date.now() - loadFrom;

    // The header's kernel states as they come, recorded in the page (a short busy must not be missed).
    // (A string: a function with a named inner helper would reach the page with tsx's `__name` wrappers.)
    await page.evaluate(`{
      const seen = (window.__kernelStates = []);
      const look = () => {
        const badge = document.querySelector(".kernel-status");
        const state = [...(badge?.classList ?? [])].find((c) => c.startsWith("kernel-") && c !== "kernel-status") ?? "";
        if (state && seen[seen.length - 1] !== state) seen.push(state);
      };
      look();
      new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["class"] });
    }`);
    const states = () =>
      page.evaluate(() => (window as unknown as { __kernelStates: string[] }).__kernelStates.map((s) => s.slice("kernel-".length)));

    // Type a cell and run it with Shift+Enter.
    await selectCell(page, 0);
    await page.keyboard.press("Enter");
    await typeCode(page, "console.log('slow ' + 6 * 7);");
    const runFrom = Date.now();
    await pressRun(page, "Shift+Enter");
    await page.waitForFunction(
      (sel) => (document.querySelector(sel)?.querySelector(".outputs")?.textContent ?? "").includes("slow 42"),
      cell(0),
      { timeout: SLOW_WAIT },
    );
    await waitRunDone(page, 0, 1, SLOW_WAIT);
    const runMs = Date.now() - runFrom;
    await page.waitForSelector(".kernel-status.kernel-idle");
    const firstStates = await states();
    const busyAt = firstStates.indexOf("busy");
    assert.ok(busyAt >= 0 && firstStates.indexOf("idle", busyAt) > busyAt, `the kernel showed busy, then idle: ${firstStates.join(" → ")}`);

    // Output streams into cell 1 while the user types into cell 2.
    await selectCell(page, 1);
    await page.keyboard.press("Control+Enter");
    await waitLines(page, 1, 3, SLOW_WAIT);
    await selectCell(page, 2);
    await page.keyboard.press("Enter");
    const typed = Array.from({ length: 8 }, (_, i) => `const typed${i} = ${i} * 2;`);
    await waitEditorFocus(page);
    for (const line of typed) {
      // A person's pace, with a pause after each line long enough for the page to send what
      // it has (300 ms quiet): its echo comes back a round trip later, in the middle of the next line.
      await page.keyboard.type(line, { delay: 30 });
      await page.keyboard.press("Enter");
      await sleep(350);
    }
    // And into the very cell whose output is streaming in: a note at the end of its source.
    const note = "// a note typed while its output streamed in";
    await page.keyboard.press("Escape");
    await selectCell(page, 1);
    await page.keyboard.press("Enter");
    await waitEditorFocus(page);
    await page.keyboard.press("Control+End");
    await page.keyboard.press("Enter");
    await page.keyboard.type(note, { delay: 30 });
    // More output arrived while typing (otherwise the test proved nothing), then the run ends.
    const linesWhileTyping = numbers(await shownText(page, 1)).length;
    await waitLines(page, 1, linesWhileTyping + 3, SLOW_WAIT);
    await writeFile(stop, "");
    await waitRunDone(page, 1, 2, SLOW_WAIT);
    const streamed = assertWhole(await shownText(page, 1), "the streamed cell");
    await screenshot(page, "network-slow.png");

    // What was typed is all there, in the page and, once saved, in the file.
    const want = typed.join("\n") + "\n";
    assert.equal((await cellSources(page))[2], typed.join(""), "the editor shows every typed character");
    await page.keyboard.press("Escape");
    await page.keyboard.press("Control+s");
    const sourceOnDisk = async (i: number) => [(await readNotebookFile(server, path)).cells[i]?.source ?? ""].flat().join("");
    await waitUntil(async () => (await sourceOnDisk(2)) === want, "the typed cell is saved", SLOW_WAIT);
    assert.equal(await sourceOnDisk(1), `${printingCell(stop)}\n${note}`, "the note typed into the streaming cell is saved");
    await page.waitForSelector(".save-status.save-saved");
    assert.deepEqual(tab.errors, [], "no uncaught errors in the page");
    const allStates = await states();
    await rm(stop, { force: true });

    await report("browser-network-slow", {
      network: SLOW,
      tunnel: SLOW_TUNNEL,
      loadMs,
      shiftEnterToOutputMs: runMs,
      linesStreamed: streamed,
      charactersTyped: want.length + note.length,
      kernelStates: allStates.join(" → "),
    });
  },
  { timeout: 900_000 },
);
