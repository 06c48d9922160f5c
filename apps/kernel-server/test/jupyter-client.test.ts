/**
 * The official Jupyter client (@jupyterlab/services) against the real server and real
 * kernel processes: what JupyterLab itself would do.
 */
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ContentsManager, KernelManager, SessionManager, type Kernel, type KernelMessage } from "@jupyterlab/services";
import { serverSettings } from "./helpers/jupyter-services.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

interface Run {
  reply: KernelMessage.IExecuteReplyMsg["content"];
  stdout: string;
  results: Array<Record<string, unknown>>;
  errors: Array<{ ename: string; evalue: string; traceback: string[] }>;
}

async function run(kernel: Kernel.IKernelConnection, code: string): Promise<Run> {
  const out: Run = { reply: undefined as never, stdout: "", results: [], errors: [] };
  const future = kernel.requestExecute({ code, store_history: true });
  future.onIOPub = (msg) => {
    const c = msg.content as any;
    if (msg.header.msg_type === "stream") out.stdout += c.text;
    if (msg.header.msg_type === "execute_result") out.results.push(c.data);
    if (msg.header.msg_type === "error") out.errors.push(c);
  };
  out.reply = (await future.done).content;
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function connected(kernel: Kernel.IKernelConnection): Promise<void> {
  while (kernel.connectionStatus !== "connected") await sleep(20);
}

describe("Jupyter client against the server", () => {
  let t: TestServer;
  let kernels: KernelManager;
  let kernel: Kernel.IKernelConnection;

  before(async () => {
    t = await startTestServer();
    // A tiny ESM-only package beside the notebooks, as a user would install one.
    const pkg = join(t.root, "node_modules", "esm-only-greeter");
    await mkdir(pkg, { recursive: true });
    await writeFile(
      join(pkg, "package.json"),
      JSON.stringify({ name: "esm-only-greeter", type: "module", exports: { ".": { import: "./index.js" } } }),
    );
    await writeFile(join(pkg, "index.js"), "export const greet = (n) => `hello ${n}`;\nexport default 42;\n");
    kernels = new KernelManager({ serverSettings: serverSettings(t) });
    kernel = await kernels.startNew({ name: "typescript" });
    await connected(kernel);
  });

  after(async () => {
    kernel?.dispose();
    kernels?.dispose();
    await t?.close();
  });

  it("lists the TypeScript kernelspec", async () => {
    const res = await t.api("/api/kernelspecs");
    const specs = (await res.json()) as any;
    assert.equal(specs.default, "typescript");
    assert.equal(specs.kernelspecs.typescript.spec.language, "typescript");
    assert.equal(specs.kernelspecs.typescript.spec.interrupt_mode, "message");
  });

  it("answers kernel_info", async () => {
    const info = await kernel.requestKernelInfo();
    assert.equal((info!.content as any).language_info.name, "typescript");
    assert.equal((info!.content as any).status, "ok");
  });

  it("keeps state across cells and allows redeclaring const", async () => {
    const a = await run(kernel, "const x: number = 20;\nlet y = 1;");
    assert.equal(a.reply.status, "ok");
    const b = await run(kernel, "x + y + 1");
    assert.equal(b.results[0]["text/plain"], "22");
    const c = await run(kernel, "const x = 5; x * 2");
    assert.equal(c.reply.status, "ok", JSON.stringify(c.errors));
    assert.equal(c.results[0]["text/plain"], "10");
  });

  it("supports top-level await and console output", async () => {
    const r = await run(kernel, "await new Promise((r) => setTimeout(r, 50));\nconsole.log('waited');\n'done'");
    assert.equal(r.stdout, "waited\n");
    assert.equal(r.results[0]["text/plain"], "'done'");
  });

  it("imports an ESM-only package and a node: builtin", async () => {
    const r = await run(
      kernel,
      "import greeter, { greet } from 'esm-only-greeter';\nimport { basename } from 'node:path';\n`${greet(basename('/a/b'))} ${greeter}`",
    );
    assert.equal(r.reply.status, "ok", JSON.stringify(r.errors));
    assert.equal(r.results[0]["text/plain"], "'hello b 42'");
  });

  it("computes with @tessera/tensor in a cell, with completions for it", async () => {
    const r = await run(
      kernel,
      'import * as tt from "@tessera/tensor";\nconst m = tt.tensor([[1, 2], [3, 4]], { dtype: "float32" });\nm.matmul(m).add(1)',
    );
    assert.equal(r.reply.status, "ok", JSON.stringify(r.errors));
    assert.equal(r.results[0]["text/plain"], "tensor([[ 8., 11.],\n        [16., 23.]], dtype=float32)");
    assert.match(String(r.results[0]["text/html"]), /<table/);
    const code = "m.mat";
    const reply = await kernel.requestComplete({ code, cursor_pos: code.length });
    assert.ok((reply.content as any).matches.includes("matmul"));
  });

  it("reports an error with the cell's own line number", async () => {
    const r = await run(kernel, "const ok = 1;\n\nfunction boom(): never {\n  throw new TypeError('bad thing');\n}\nboom();");
    assert.equal(r.reply.status, "error");
    assert.equal(r.errors[0].ename, "TypeError");
    assert.equal(r.errors[0].evalue, "bad thing");
    const tb = r.errors[0].traceback.join("\n");
    assert.match(tb, /:4:/, tb);
  });

  it("interrupts a busy loop and keeps the kernel's state", async () => {
    await run(kernel, "const keep = 'still here';");
    const future = kernel.requestExecute({ code: "while (true) {}" });
    await sleep(400);
    await kernel.interrupt();
    const reply = (await future.done).content;
    assert.equal(reply.status, "error");
    const r = await run(kernel, "keep");
    assert.equal(r.results[0]["text/plain"], "'still here'");
  });

  it("interrupts an async loop that awaits between steps", async () => {
    const future = kernel.requestExecute({ code: "let steps = 0;\nfor (;;) { await new Promise((r) => setTimeout(r, 20)); steps++; }" });
    await sleep(400);
    await kernel.interrupt();
    const reply = (await future.done).content;
    assert.equal(reply.status, "error");
    const a = await run(kernel, "steps");
    await sleep(200);
    const b = await run(kernel, "steps");
    assert.ok(Number(a.results[0]["text/plain"]) > 0);
    // The loop really stopped: the counter no longer moves.
    assert.equal(b.results[0]["text/plain"], a.results[0]["text/plain"]);
  });

  it("restarts with a fresh state", async () => {
    await run(kernel, "const before = 1;");
    await kernel.restart();
    const r = await run(kernel, "typeof before");
    assert.equal(r.results[0]["text/plain"], "'undefined'");
  });

  it("binds a session to a notebook path", async () => {
    const sessions = new SessionManager({ kernelManager: kernels, serverSettings: serverSettings(t) });
    const s = await sessions.startNew({ path: "work/nb.ipynb", name: "nb.ipynb", type: "notebook", kernel: { name: "typescript" } });
    assert.equal(s.path, "work/nb.ipynb");
    const r = await run(s.kernel!, "1 + 1");
    assert.equal(r.results[0]["text/plain"], "2");
    const listed = await (await t.api("/api/sessions")).json();
    assert.ok((listed as any[]).some((x) => x.id === s.id && x.kernel.id === s.kernel!.id));
    await s.shutdown();
    sessions.dispose();
  });

  it("saves and reloads a notebook and restores a checkpoint", async () => {
    const contents = new ContentsManager({ serverSettings: serverSettings(t) });
    const nb = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: "typescript", display_name: "TypeScript (Tessera)", language: "typescript" } },
      cells: [
        {
          id: "c1",
          cell_type: "code",
          source: "1 + 1",
          metadata: {},
          execution_count: 1,
          outputs: [{ output_type: "execute_result", execution_count: 1, data: { "text/plain": "2" }, metadata: {} }],
        },
      ],
    };
    await contents.save("saved.ipynb", { type: "notebook", format: "json", content: nb });
    const checkpoint = await contents.createCheckpoint("saved.ipynb");
    const loaded = await contents.get("saved.ipynb");
    assert.equal(loaded.type, "notebook");
    assert.deepEqual((loaded.content as any).cells[0].outputs[0].data, { "text/plain": "2" });
    const changed = structuredClone(nb);
    changed.cells[0].source = "2 + 2";
    await contents.save("saved.ipynb", { type: "notebook", format: "json", content: changed });
    assert.equal(((await contents.get("saved.ipynb")).content as any).cells[0].source, "2 + 2");
    await contents.restoreCheckpoint("saved.ipynb", checkpoint.id);
    assert.equal(((await contents.get("saved.ipynb")).content as any).cells[0].source, "1 + 1");
    contents.dispose();
  });
});
