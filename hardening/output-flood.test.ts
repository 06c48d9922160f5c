/**
 * The measured case (docs/architecture.md, "The document model"): a cell doing a million
 * `display(i)` against the built server, with a page watching. The cell keeps its last 500
 * outputs and counts the rest, the page gets a few messages a second, the file stays small,
 * and once the page and the kernel are gone the server is idle (its CPU from /proc, and
 * /api/status answering at once). Full mode only: the quick run of the same checks, with
 * 200,000 displays, is apps/kernel-server/test/output-limits.test.ts.
 */
import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { hiddenOutputCount, joinSource, type Output } from "@tessera/protocol";
import { putNotebook, shutdownKernels, startServer, type E2EServer } from "../e2e/lib/server.js";
import { FULL, report } from "./lib/mode.js";
import { PageClient } from "./lib/page-client.js";

const N = 1_000_000;
const KEPT = 500;

/** CPU seconds (user + system) the process has used, from /proc. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of stat (11 and 12 after the command), in clock ticks.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const plain = (o: Output | undefined) => (o && "data" in o ? joinSource(o.data["text/plain"] as string) : undefined);

describe(
  "a display() flood",
  { skip: FULL ? false : "full mode only (TESSERA_HARDENING=full); the quick run is apps/kernel-server/test/output-limits.test.ts" },
  () => {
    let server: E2EServer;
    before(async () => {
      server = await startServer();
    });
    after(async () => server?.close());

    it(
      `${N.toLocaleString("en-US")} display() calls: the last ${KEPT} kept, a small file, an idle server after`,
      { timeout: 900_000 },
      async () => {
        await putNotebook(server, "flood.ipynb", [`for (let i = 0; i < ${N}; i++) display(i)`]);
        const page = await PageClient.open(
          { wsBase: server.base.replace(/^http/, "ws"), headers: { authorization: `token ${server.token}`, origin: server.origin } },
          "flood.ipynb",
        );
        const cellId = page.state!.notebook.cells[0].id;
        const started = Date.now();
        const cpuBefore = await cpuSeconds(server.pid);
        await page.run([cellId]);
        const seconds = (Date.now() - started) / 1000;
        const serverCpu = (await cpuSeconds(server.pid)) - cpuBefore;
        assert.deepEqual(page.problems, []);
        const cell = page.state!.notebook.cells[0];
        assert.equal(cell.cell_type, "code");
        const outputs = cell.cell_type === "code" ? cell.outputs : [];
        assert.equal(outputs.length, KEPT + 1);
        assert.equal(hiddenOutputCount(outputs[0]), N - KEPT);
        assert.equal(plain(outputs.at(-1)), String(N - 1));

        await page.request({ type: "save" });
        const path = join(server.root, "flood.ipynb");
        const fileBytes = (await stat(path)).size;
        assert.ok(fileBytes < 1024 * 1024, `the file is ${fileBytes} bytes`);
        const disk = JSON.parse(await readFile(path, "utf8"));
        assert.equal(disk.cells[0].outputs.length, KEPT + 1);
        assert.deepEqual(disk.cells[0].outputs[0].metadata, { tessera: { hiddenOutputs: N - KEPT } });

        // The page closes and the kernel is shut down: nothing is left to do.
        page.close();
        await shutdownKernels(server);
        await new Promise((r) => setTimeout(r, 1000));
        const idleFrom = await cpuSeconds(server.pid);
        await new Promise((r) => setTimeout(r, 5000));
        const idleCpuPercent = (((await cpuSeconds(server.pid)) - idleFrom) / 5) * 100;
        const t0 = performance.now();
        await server.api("api/status");
        const statusMs = performance.now() - t0;
        assert.ok(idleCpuPercent < 10, `the server is idle: ${idleCpuPercent.toFixed(1)} % CPU`);
        assert.ok(statusMs < 1000, `/api/status took ${statusMs.toFixed(0)} ms`);
        await report("output-flood", {
          displays: N,
          seconds,
          serverCpuSeconds: serverCpu,
          fileBytes,
          idleCpuPercent,
          statusMs: Math.round(statusMs),
        });
      },
    );
  },
);
