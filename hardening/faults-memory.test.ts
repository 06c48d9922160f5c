/**
 * A kernel that allocates without limit is stopped with a clear message, on a server
 * started the way a single user starts it (`--kernel-memory`; the default is 75% of the
 * machine's memory); the server and other kernels go on.
 */
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { putNotebook, startServer, type E2EServer } from "../e2e/lib/server.js";
import { PageClient } from "./lib/page-client.js";

let server: E2EServer;
before(async () => {
  server = await startServer({ args: ["--kernel-memory", "700MiB"] });
});
after(async () => server?.close());

const open = (path: string) =>
  PageClient.open(
    { wsBase: server.base.replace(/^http/, "ws"), headers: { authorization: `token ${server.token}`, origin: server.origin } },
    path,
  );

it("a runaway kernel is stopped with the reason; another kernel keeps running cells", { timeout: 300_000 }, async () => {
  await putNotebook(server, "steady.ipynb", ["let n = 0; n += 1; n"]);
  await putNotebook(server, "runaway.ipynb", [
    // JavaScript memory (the server's guard), then tensors (the allocator's own limit) in a second cell.
    "const hog: Buffer[] = [];\nwhile (true) { hog.push(Buffer.alloc(32 * 2 ** 20, 1)); await new Promise((r) => setTimeout(r, 2)); }",
    'const tt = await import("@tessera/tensor");\nconst keep = [];\nfor (let i = 0; i < 64; i++) keep.push(tt.ones([16, 1024, 1024]));',
  ]);
  const steady = await open("steady.ipynb");
  const runaway = await open("runaway.ipynb");
  const [steadyCell] = steady.state!.notebook.cells.map((c) => c.id);
  const [hogCell, tensorCell] = runaway.state!.notebook.cells.map((c) => c.id);
  assert.equal((await steady.run([steadyCell]))[0].status, "ok");

  const [hogRun] = await runaway.run([hogCell]);
  assert.equal(hogRun.status, "error");
  const out = JSON.stringify(runaway.state!.notebook.cells.find((c) => c.id === hogCell));
  assert.match(out, /KernelStopped: The kernel was stopped: it used [\d.]+ [MG]iB of memory, over its limit of 700 MiB/);
  await runaway.until(() => runaway.kernel?.status === "dead");

  // The other kernel and the server carry on.
  assert.equal((await steady.run([steadyCell]))[0].status, "ok");
  assert.equal((await server.api("api/status")).status, 200);

  // After a restart, tensors past the limit fail in the cell and the kernel lives.
  await runaway.request({ type: "restart" });
  const [tensorRun] = await runaway.run([tensorCell]);
  assert.equal(tensorRun.status, "error");
  assert.match(
    JSON.stringify(runaway.state!.notebook.cells.find((c) => c.id === tensorCell)),
    /out of memory: this tensor needs 64\.0 MiB .*the memory limit per kernel is 500\.0 MiB/,
  );
  assert.notEqual(runaway.kernel?.status, "dead");
  steady.close();
  runaway.close();
});
