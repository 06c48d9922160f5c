/**
 * The resource panel against the real server: a fake `nvidia-smi` first on PATH replays
 * two recorded GPUs (H100 and H200) and, once a kernel runs, a process of that kernel
 * holding GPU memory; a second server has no nvidia-smi at all.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { after, before, describe } from "node:test";
import type { Browser, Page } from "playwright-core";
import { fromCapture, installFakeNvidiaSmi, twoGpus, type FakeTool } from "../../apps/kernel-server/test/helpers/fake-nvidia-smi.js";
import { loadCapture, skipWithoutFixtures, type Table } from "../../apps/kernel-server/test/helpers/nvidia-smi-fixtures.js";
import {
  launchBrowser,
  loggedInTab,
  notebookPath,
  outputText,
  screenshot,
  selectCell,
  waitNotebookReady,
  waitRunDone,
  type Tab,
} from "../lib/browser.js";
import { e2eTest } from "../lib/harness.js";
import { putNotebook, shutdownKernels, startServer, type E2EServer } from "../lib/server.js";
import { waitUntil } from "../lib/wait.js";

const H100 = "NVIDIA H100 80GB HBM3";
const H200 = "NVIDIA H200";

/** A process list with one row: the kernel's own pid holding `mib` MiB on the first GPU. */
function appsOfPid(apps: Table, pid: number, mib: number): Table {
  const col = (name: string) => apps.header.findIndex((h) => h === name || h.startsWith(`${name} [`));
  const row = [...apps.rows[0]];
  row[col("pid")] = String(pid);
  row[col("process_name")] = "node";
  row[col("used_gpu_memory")] = `${mib} MiB`;
  return { header: apps.header, rows: [row] };
}

async function openPanel(page: Page): Promise<void> {
  await page.click(".app-header .metrics-toggle");
  await page.waitForSelector(".metrics-panel .metrics-conn-open");
}

/** Waits until every chart of the panel has drawn at least `n` points on its canvas. */
async function waitChartsDrawn(page: Page, n: number): Promise<number> {
  await page.waitForFunction((min) => {
    const charts = [...document.querySelectorAll(".metrics-panel .sparkline")];
    return charts.length > 0 && charts.every((c) => c.querySelector("canvas") !== null && Number(c.getAttribute("data-points")) >= min);
  }, n);
  return page.$$eval(".metrics-panel .sparkline canvas", (els) => els.length);
}

/** Sockets the page opened to the metrics route, and what it sent on them. */
function watchMetricsSocket(page: Page): string[] {
  const sent: string[] = [];
  page.on("websocket", (ws) => {
    if (!ws.url().includes("/api/tessera/metrics")) return;
    ws.on("framesent", (f) => sent.push(String(f.payload)));
  });
  return sent;
}

describe("resource panel with GPUs", { skip: skipWithoutFixtures }, () => {
  let fake: FakeTool;
  let server: E2EServer;
  let browser: Browser;
  let tab: Tab | undefined;
  const scenario = () => twoGpus(loadCapture("h100-80gb"), loadCapture("h200"));

  before(async () => {
    // At first no process holds GPU memory.
    const s = scenario();
    fake = await installFakeNvidiaSmi({ ...s, apps: { header: s.apps.header, rows: [] } });
    server = await startServer({ env: fake.env });
    browser = await launchBrowser();
  });
  after(async () => {
    await tab?.context.close();
    await shutdownKernels(server).catch(() => undefined);
    await browser?.close();
    await server?.close();
    await fake?.close();
  });

  e2eTest("shows each GPU's live charts, the kernels with their notebook, and this kernel's figures in the header", async () => {
    await server.api("api/contents/runs", { method: "PUT", body: JSON.stringify({ type: "directory" }) });
    await putNotebook(server, "runs/train.ipynb", ["process.pid"]);
    tab = await loggedInTab(browser, server);
    const page = tab.page;
    const sent = watchMetricsSocket(page);
    await page.goto(notebookPath(server, "runs/train.ipynb"));
    await waitNotebookReady(page);
    assert.equal(await page.$(".metrics-panel"), null, "closed until asked for");
    assert.equal(await page.$(".kernel-figures"), null, "no figures while the stream is not wanted");

    // The kernel's pid, then a GPU process of that pid in what nvidia-smi reports.
    await selectCell(page, 0);
    await page.keyboard.press("Control+Enter");
    await waitRunDone(page, 0, 1);
    const pid = Number((await outputText(page, 0)).trim());
    assert.ok(pid > 1, `the kernel's pid: ${pid}`);
    const s = scenario();
    await fake.set({ ...s, apps: appsOfPid(fromCapture(loadCapture("h100-80gb")).apps, pid, 1229) });

    await openPanel(page);
    assert.deepEqual(JSON.parse(sent.find((m) => m.includes("subscribe")) ?? "{}"), { type: "subscribe", intervalMs: 1000 });
    await page.waitForFunction(
      (names) => {
        const shown = [...document.querySelectorAll(".metrics-panel .gpu-name")].map((e) => e.textContent);
        return names.every((n) => shown.includes(n));
      },
      [H100, H200],
    );
    assert.equal(await page.$$eval(".metrics-panel .gpu-card", (els) => els.length), 2);
    // Four charts per GPU (utilization, memory, temperature, power) and two for the machine.
    assert.equal(await waitChartsDrawn(page, 2), 2 * 4 + 2);
    const gpu0 = await page.$eval(".metrics-panel .gpu-card", (el) => el.textContent ?? "");
    assert.match(gpu0, /GPU 0/);
    assert.match(gpu0, /\d+%/, "utilization");
    assert.match(gpu0, /[\d.]+ \/ [\d.]+ GiB/, "memory used / total");
    assert.match(gpu0, /\d+ °C/);
    assert.match(gpu0, /\d+ \/ \d+ W/, "power draw / limit");
    const machine = await page.$eval('.metrics-panel section[aria-label="Machine"]', (el) => el.textContent ?? "");
    assert.match(machine, /CPU\s*\d+% · \d+ cores/);
    assert.match(machine, /RAM[\d.]+ \/ [\d.]+ GiB/);

    // The kernel's row names its notebook and, once the process list has been read, its GPU memory.
    await page.waitForFunction(() => {
      const row = document.querySelector(".metrics-panel .metrics-kernels tbody tr");
      return row?.textContent?.includes("runs/train.ipynb") && row.textContent.includes("1.2 GiB");
    });
    const row = await page.$eval(".metrics-panel .metrics-kernels tbody tr", (el) =>
      [...el.querySelectorAll("td")].map((td) => td.textContent),
    );
    assert.equal(row[0], "runs/train.ipynb");
    assert.match(row[1] ?? "", /^\d+%$/);
    assert.match(row[2] ?? "", /^\d+(\.\d)? MiB$/);
    assert.equal(row[3], "1.2 GiB");
    assert.ok(await page.$(".metrics-panel .metrics-kernels tr.metrics-current"), "this notebook's row is marked");
    assert.match(await page.$eval(".metrics-panel .gpu-card .gpu-holders", (el) => el.textContent ?? ""), /train\.ipynb 1\.2 GiB/);

    // The header: this kernel's GPU memory, CPU and RSS.
    await page.waitForSelector(".app-header .kernel-figures");
    assert.match(
      await page.$eval(".app-header .kernel-figures", (el) => el.textContent ?? ""),
      /^GPU 1\.2 GiB · CPU \d+% · \d+(\.\d)? MiB$/,
    );

    await waitChartsDrawn(page, 6);
    await screenshot(page, "metrics.png");
    await page.click(".app-header button[aria-label^='Switch to the dark theme']");
    await page.waitForFunction(() => document.documentElement.dataset.theme === "dark");
    await waitChartsDrawn(page, 2);
    await screenshot(page, "metrics-dark.png");

    // Open/closed is remembered: a reload comes back with the panel open.
    await page.reload();
    await waitNotebookReady(page);
    await page.waitForSelector(".metrics-panel .metrics-conn-open");
    await waitChartsDrawn(page, 2);

    // A hidden tab unsubscribes; back in view, it subscribes again (and gets the history).
    const setVisibility = (state: "hidden" | "visible") =>
      page.evaluate((v) => {
        Object.defineProperty(document, "visibilityState", { value: v, configurable: true });
        document.dispatchEvent(new Event("visibilitychange"));
      }, state);
    let mark = sent.length;
    await setVisibility("hidden");
    await waitUntil(() => sent.slice(mark).some((m) => m.includes('"unsubscribe"')), "a hidden tab unsubscribes");
    mark = sent.length;
    await setVisibility("visible");
    await waitUntil(() => sent.slice(mark).some((m) => m.includes('"subscribe"')), "a visible tab subscribes again");
    await page.waitForSelector(".metrics-panel .metrics-conn-open");

    // Closing it unsubscribes and hides the header's figures.
    const before = sent.length;
    await page.click(".metrics-panel button[aria-label='Close the resource monitor']");
    await page.waitForSelector(".metrics-panel", { state: "detached" });
    await page.waitForSelector(".app-header .kernel-figures", { state: "detached" });
    await waitUntil(() => sent.slice(before).some((m) => m.includes('"unsubscribe"')), "the page unsubscribes");
    assert.deepEqual(tab.errors, []);
  });
});

/** PATH without any folder holding an nvidia-smi. */
function pathWithoutNvidiaSmi(): string {
  return (process.env.PATH ?? "")
    .split(delimiter)
    .filter((d) => d && !existsSync(join(d, "nvidia-smi")))
    .join(delimiter);
}

describe("resource panel without a GPU", () => {
  let server: E2EServer;
  let browser: Browser;
  let tab: Tab | undefined;
  before(async () => {
    server = await startServer({ env: { ...process.env, PATH: pathWithoutNvidiaSmi() } });
    browser = await launchBrowser();
  });
  after(async () => {
    await tab?.context.close();
    await browser?.close();
    await server?.close();
  });

  e2eTest("says why there is no GPU (nvidia-smi is not on PATH) and still charts CPU and RAM, from the home page", async () => {
    tab = await loggedInTab(browser, server);
    const page = tab.page;
    await openPanel(page);
    await page.waitForSelector(".metrics-panel .metrics-gpu-reason");
    assert.equal(
      await page.$eval(".metrics-panel .metrics-gpu-reason", (el) => el.textContent),
      "No GPU: no NVIDIA driver found (nvidia-smi is not on PATH)",
    );
    assert.equal(await page.$(".metrics-panel .gpu-card"), null);
    assert.equal(await waitChartsDrawn(page, 2), 2, "CPU and RAM");
    await waitChartsDrawn(page, 6);
    assert.match(
      await page.$eval('.metrics-panel section[aria-label="Machine"]', (el) => el.textContent ?? ""),
      /CPU\s*\d+% · \d+ cores.*RAM[\d.]+ \/ [\d.]+ GiB/,
    );
    assert.match(await page.$eval('.metrics-panel section[aria-label="Kernels"]', (el) => el.textContent ?? ""), /No kernels are running/);
    await screenshot(page, "metrics-no-gpu.png");
    assert.deepEqual(tab.errors, []);
  });
});
