/**
 * A kernel killed with SIGKILL mid-cell, mid output flood and during a save: the page is
 * told why, the notebook and the server are intact, and a restart brings the kernel back.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { putNotebook, startServer, type E2EServer } from "../e2e/lib/server.js";
import { PageClient } from "./lib/page-client.js";
import { alive, childrenOf } from "./lib/processes.js";
import { waitUntil } from "../e2e/lib/wait.js";

let server: E2EServer;
before(async () => {
  server = await startServer();
});
after(async () => server?.close());

async function open(path: string, cells: string[]): Promise<{ page: PageClient; ids: string[] }> {
  await putNotebook(server, path, cells);
  const page = await PageClient.open(
    { wsBase: server.base.replace(/^http/, "ws"), headers: { authorization: `token ${server.token}`, origin: server.origin } },
    path,
  );
  return { page, ids: page.state!.notebook.cells.map((c) => c.id) };
}

/** The pid of the kernel the page's notebook runs on (the server's only new child). */
async function kernelPid(before: number[]): Promise<number> {
  let pid = 0;
  await waitUntil(async () => {
    pid = (await childrenOf(server.pid)).find((p) => !before.includes(p)) ?? 0;
    return pid > 0;
  }, "the kernel process exists");
  return pid;
}

/** Kills the kernel while `cellId` runs and checks what the page and the server say. */
async function killMidCell(page: PageClient, cellId: string, runningWhen: () => boolean, pid: number): Promise<void> {
  await page.until(runningWhen);
  process.kill(pid, "SIGKILL");
  await page.until(() => page.state!.run[cellId]?.state === "idle");
  await waitUntil(async () => !(await alive(pid)), "the kernel process is gone");
  // The page says the kernel is dead and why, and the cell's output says it died.
  await page.until(() => page.finished.some((r) => r.cellId === cellId));
  const out = JSON.stringify(page.state!.notebook.cells.find((c) => c.id === cellId));
  assert.match(out, /KernelDied: The kernel died: killed by SIGKILL/);
  await page.until(() => page.kernel?.status === "dead");
  assert.match(page.kernel!.reason ?? "", /killed by SIGKILL/);
  const status = await (await server.api("api/status")).json();
  assert.ok(typeof status.started === "string", "the server still answers");
}

describe("kernel faults", () => {
  it("kill -9 mid-cell: the cell ends with the reason, the notebook stays, a restart runs again", async () => {
    const before = await childrenOf(server.pid);
    const { page, ids } = await open("kill-mid-cell.ipynb", [
      "var ticks = 0;\nwhile (true) { ticks++; if (ticks % 1e6 === 0) await null; }",
      "40 + 2",
    ]);
    await page.request({ type: "start_kernel" });
    const pid = await kernelPid(before);
    void page.request({ type: "execute", cellIds: [ids[0]] }).catch(() => {});
    await killMidCell(page, ids[0], () => page.state!.run[ids[0]]?.state === "running", pid);
    await page.request({ type: "restart" });
    const [run] = await page.run([ids[1]]);
    assert.equal(run.status, "ok");
    const cell = page.state!.notebook.cells.find((c) => c.id === ids[1]);
    assert.match(JSON.stringify(cell), /42/);
    page.close();
  });

  it("kill -9 mid output flood: what arrived stays, the server's memory is not held by the flood", async () => {
    const before = await childrenOf(server.pid);
    const { page, ids } = await open("kill-mid-flood.ipynb", [
      "for (let i = 0; i < 5e6; i++) console.log(`line ${i} of a flood that does not stop`)",
    ]);
    await page.request({ type: "start_kernel" });
    const pid = await kernelPid(before);
    void page.request({ type: "execute", cellIds: [ids[0]] }).catch(() => {});
    await killMidCell(page, ids[0], () => page.textOf(ids[0]).length > 100_000, pid);
    const text = page.textOf(ids[0]);
    // The lines that came are whole and in order, up to the cut.
    const numbers = [...text.matchAll(/^line (\d+) of/gm)].map((m) => Number(m[1]));
    assert.ok(numbers.length > 1000);
    assert.ok(
      numbers.every((n, i) => i === 0 || n === numbers[i - 1] + 1),
      "lines in order, none doubled",
    );
    page.close();
  });

  it("kill -9 during a save: the save completes and the file holds the edit", async () => {
    const before = await childrenOf(server.pid);
    const { page, ids } = await open("kill-during-save.ipynb", ["const big = 'x'.repeat(1e6); big.length"]);
    await page.run([ids[0]]);
    const pid = await kernelPid(before);
    await page.request({ type: "ops", ops: [{ op: "set_source", id: ids[0], source: "// edited before the save\n1" }] });
    const saving = page.request({ type: "save" });
    process.kill(pid, "SIGKILL");
    await saving;
    const onDisk = JSON.parse(await readFile(join(server.root, "kill-during-save.ipynb"), "utf8"));
    assert.equal([onDisk.cells[0].source].flat().join(""), "// edited before the save\n1");
    await page.until(() => page.kernel?.status === "dead");
    page.close();
  });
});
