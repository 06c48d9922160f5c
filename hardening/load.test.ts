/**
 * Load and soak: many pages on many kernels, each kernel printing lines round after round,
 * plus pages watching the metrics stream, for a bounded time on loopback. Every page must
 * get every line of every run exactly once and in order; the server's memory must not grow
 * once warmed up (full mode). Figures go to hardening/results/load.json.
 */
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import WebSocket from "ws";
import { putNotebook, startServer, type E2EServer } from "../e2e/lib/server.js";
import { rssOf, quantile } from "../apps/kernel-server/test/helpers/classroom.js";
import { FULL, report, size } from "./lib/mode.js";
import { PageClient } from "./lib/page-client.js";

const KERNELS = size(4, 20);
const PAGES = size(10, 50);
const METRICS_PAGES = size(2, 5);
const SECONDS = size(12, 300);
const LINES = 200;

let server: E2EServer;

before(async () => {
  server = await startServer();
});
after(async () => server?.close());

const lines = (round: number) => Array.from({ length: LINES }, (_, i) => `r${round} n${i}\n`).join("");

it(
  `${PAGES} pages on ${KERNELS} kernels streaming output for ${SECONDS} s, with ${METRICS_PAGES} metrics streams: every line reaches every page once, in order`,
  { timeout: (SECONDS + 240) * 1000 },
  async () => {
    const headers = { authorization: `token ${server.token}`, origin: server.origin };
    const wsBase = server.base.replace(/^http/, "ws");
    // Cell 0 prints LINES numbered lines for the round in `round` (set by cell 1); cell 2 is the quick round trip.
    for (let k = 0; k < KERNELS; k++) {
      await putNotebook(server, `load-${k}.ipynb`, [
        `for (let i = 0; i < ${LINES}; i++) { process.stdout.write(\`r\${round} n\${i}\\n\`); if (i % 50 === 49) await new Promise((r) => setTimeout(r, 5)); }`,
        "var round = (globalThis.round ?? -1) + 1;",
        "1 + 1",
      ]);
    }
    const pages = await Promise.all(
      Array.from({ length: PAGES }, (_, p) => PageClient.open({ wsBase, headers }, `load-${p % KERNELS}.ipynb`)),
    );
    const drivers = pages.slice(0, KERNELS);
    const [stream, bump, quick] = drivers[0].state!.notebook.cells.map((c) => c.id);

    const metrics = await Promise.all(
      Array.from({ length: METRICS_PAGES }, () => {
        const ws = new WebSocket(`${wsBase}api/tessera/metrics`, { headers });
        let samples = 0;
        ws.on("message", (d: Buffer) => JSON.parse(d.toString()).type === "sample" && samples++);
        return new Promise<{ ws: WebSocket; samples: () => number }>((resolve) =>
          ws.once("open", () => {
            ws.send(JSON.stringify({ type: "subscribe", intervalMs: 500 }));
            resolve({ ws, samples: () => samples });
          }),
        );
      }),
    );

    const rss: Array<[number, number]> = [];
    const t0 = Date.now();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const v = await rssOf(server.pid);
        if (v !== null) rss.push([Math.round((Date.now() - t0) / 1000), v]);
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();

    const trips: number[] = [];
    const roundsDone = new Array(KERNELS).fill(0);
    await Promise.all(
      drivers.map(async (page, k) => {
        for (let round = 0; Date.now() - t0 < SECONDS * 1000; round++) {
          await page.run([bump]);
          await page.run([stream]);
          const sent = performance.now();
          await page.run([quick]);
          trips.push(performance.now() - sent);
          roundsDone[k] = round + 1;
        }
      }),
    );
    const elapsedS = (Date.now() - t0) / 1000;
    sampling = false;
    await sampler;
    // Observers may still be taking the last ops.
    for (const [p, page] of pages.entries()) {
      const k = p % KERNELS;
      await page.until(() => page.finished.filter((r) => r.cellId === quick).length >= roundsDone[k]);
    }

    const problems: string[] = [];
    for (const [p, page] of pages.entries()) {
      const k = p % KERNELS;
      problems.push(...page.problems.map((x) => `page ${p}: ${x}`));
      const runs = page.finished.filter((r) => r.cellId === stream);
      if (runs.length !== roundsDone[k]) problems.push(`page ${p}: saw ${runs.length} runs of ${roundsDone[k]}`);
      runs.forEach((r, round) => {
        if (r.text !== lines(round)) problems.push(`page ${p} round ${round}: ${r.text.length} chars, expected ${lines(round).length}`);
      });
    }
    for (const m of metrics) m.ws.close();
    for (const page of pages) page.close();

    const totalRounds = roundsDone.reduce((a, b) => a + b, 0);
    const warm = rss.filter(([t]) => t >= Math.min(30, SECONDS / 4));
    const third = Math.max(1, Math.floor(warm.length / 3));
    const early = Math.max(...warm.slice(0, third).map(([, v]) => v));
    const late = Math.max(...warm.slice(-third).map(([, v]) => v));
    const mib = (b: number) => Math.round(b / 2 ** 20);
    await report("load", {
      kernels: KERNELS,
      pages: PAGES,
      metricsPages: METRICS_PAGES,
      seconds: Math.round(elapsedS),
      rounds: totalRounds,
      linesDelivered: totalRounds * LINES * (PAGES / KERNELS),
      linesPerSecondToPages: Math.round((totalRounds * LINES * (PAGES / KERNELS)) / elapsedS),
      roundTripP50Ms: Math.round(quantile(trips, 0.5)),
      roundTripP99Ms: Math.round(quantile(trips, 0.99)),
      metricsSamples: metrics.map((m) => m.samples()),
      rssMiB: rss.filter((_, i) => i % Math.max(1, Math.floor(rss.length / 30)) === 0).map(([t, v]) => [t, mib(v)]),
      rssEarlyMaxMiB: mib(early),
      rssLateMaxMiB: mib(late),
      problems: problems.length,
    });
    assert.deepEqual(problems.slice(0, 20), []);
    assert.ok(
      metrics.every((m) => m.samples() > 0),
      "every metrics page got samples",
    );
    // No growth once warmed up: the last third of the run holds no more than the first third, with slack for GC timing.
    if (FULL) assert.ok(late <= early * 1.25 + 32 * 2 ** 20, `server RSS grew from ${mib(early)} MiB to ${mib(late)} MiB`);
  },
);
