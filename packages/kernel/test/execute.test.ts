import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { KernelProcess } from "./kernel-process.ts";

describe("executing cells", { timeout: 120_000 }, () => {
  let k: KernelProcess;
  before(async () => {
    k = await KernelProcess.start();
  });
  after(async () => {
    await k.close();
  });

  it("says ready quickly", (t) => {
    const ms = k.readyAt - k.startedAt;
    t.diagnostic(`fork to ready: ${ms.toFixed(0)} ms`);
    // Generous bound for loaded CI machines; the measured figure is in docs/kernel.md.
    assert.ok(ms < 2000, `ready took ${ms} ms`);
  });

  it("keeps top-level declarations across cells", async () => {
    const first = await k.execute("const a: number = 1;\nlet b = 2;\nclass C { v = 3 }\nfunction f(): number { return 4 }");
    assert.equal((first.reply.content as { status: string }).status, "ok");
    const second = await k.execute("a + b + new C().v + f()");
    assert.equal(second.result, "10");
  });

  it("lets a cell that declares const run again", async () => {
    assert.equal((await k.execute("const x = 1; x")).result, "1");
    assert.equal((await k.execute("const x = 1; x")).result, "1");
    assert.equal((await k.execute("const x = 2; x + 40")).result, "42");
    assert.equal((await k.execute("x")).result, "2");
  });

  it("runs the same cell again as a new run (compiled once, each result its own)", async () => {
    await k.execute("let reruns = 0;");
    const code = "await null;\nreruns += 1;\n`run ${reruns}`";
    const first = await k.execute(code);
    const second = await k.execute(code);
    assert.equal(first.result, "'run 1'");
    assert.equal(second.result, "'run 2'");
    const failing = "reruns += 1;\nthrow new Error(`at ${reruns}`)";
    const e1 = await k.execute(failing);
    const e2 = await k.execute(failing);
    assert.equal(e1.error?.evalue, "at 3");
    assert.equal(e2.error?.evalue, "at 4");
    assert.match(e2.error?.traceback.join("\n") ?? "", /:2:/, "the traceback still points at the cell's line");
  });

  it("lets a declaration whose initializer threw be declared again", async () => {
    const failed = await k.execute("let late = (() => { throw new Error('init failed') })();");
    assert.equal(failed.error?.evalue, "init failed");
    assert.equal((await k.execute("let late = 3; late")).result, "3");
  });

  it("supports top-level await, and keeps what it declared", async () => {
    const r = await k.execute("const v = await new Promise<number>((r) => setTimeout(() => r(7), 20));\nv");
    assert.equal(r.result, "7");
    assert.equal((await k.execute("v * 2")).result, "14");
    const loop = await k.execute(
      "async function* gen() { yield 1; yield 2 }\nlet total = 0;\nfor await (const n of gen()) total += n;\ntotal",
    );
    assert.equal(loop.result, "3");
  });

  it("shows a result only when the last statement is an expression", async () => {
    assert.equal((await k.execute("1 + 1")).result, "2");
    assert.equal((await k.execute("for (let i = 0; i < 3; i++) i")).result, undefined);
    assert.equal((await k.execute("const notShown = 5")).result, undefined);
    assert.equal((await k.execute("if (true) { 5 }")).result, undefined);
    assert.equal((await k.execute("undefined")).result, undefined);
    assert.equal((await k.execute("let w = 'text'; w")).result, "'text'");
    assert.equal((await k.execute("w;\ninterface Later { a: number }\ntype Alias = string;")).result, "'text'");
    assert.equal((await k.execute("{ a: 1, b: [1, 2] }")).result, "{ a: 1, b: [ 1, 2 ] }");
  });

  it("strips types without checking them", async () => {
    const r = await k.execute(
      "const n: string = 5 as unknown as string;\nenum Color { Red, Green }\ninterface P { x: number }\n[n, Color.Green]",
    );
    assert.equal(r.result, "[ 5, 1 ]");
  });

  it("brackets a request with busy/idle and sends execute_input", async () => {
    const r = await k.execute("'seq'");
    const types = r.iopub.map((m) =>
      m.header.msg_type === "status" ? `status:${(m.content as { execution_state: string }).execution_state}` : m.header.msg_type,
    );
    assert.deepEqual(types, ["status:busy", "execute_input", "execute_result", "status:idle"]);
    const input = r.iopub[1].content as { code: string; execution_count: number };
    assert.equal(input.code, "'seq'");
    const reply = r.reply.content as { status: string; execution_count: number };
    assert.equal(reply.status, "ok");
    assert.equal(reply.execution_count, input.execution_count);
    assert.equal(r.reply.header.msg_type, "execute_reply");
    assert.notEqual(r.reply.header.session, k.session, "the kernel has its own session id");
    assert.ok(r.iopub.every((m) => m.header.session === r.reply.header.session));
  });

  it("counts only stored, non-silent executions", async () => {
    const before = (await k.execute("1")).reply.content as { execution_count: number };
    const silent = await k.execute("2", { silent: true });
    assert.ok(!silent.iopub.some((m) => m.header.msg_type === "execute_input" || m.header.msg_type === "execute_result"));
    const unstored = await k.execute("3", { store_history: false });
    assert.equal((unstored.reply.content as { execution_count: number }).execution_count, before.execution_count);
    const next = (await k.execute("4")).reply.content as { execution_count: number };
    assert.equal(next.execution_count, before.execution_count + 1);
  });

  it("evaluates user_expressions after a successful cell", async () => {
    const r = await k.execute("const ue = 20;", { user_expressions: { double: "ue * 2", broken: "nope.x" } });
    const exprs = (
      r.reply.content as { user_expressions: Record<string, { status: string; data?: Record<string, string>; ename?: string }> }
    ).user_expressions;
    assert.deepEqual(exprs.double, { status: "ok", data: { "text/plain": "40" }, metadata: {} });
    assert.equal(exprs.broken.status, "error");
    assert.equal(exprs.broken.ename, "ReferenceError");
  });

  it("answers kernel_info on shell and control", async () => {
    for (const channel of ["shell", "control"] as const) {
      const r = await k.settle(k.request("kernel_info_request", {}, channel));
      const info = r.reply.content as { status: string; language_info: { name: string; file_extension: string; mimetype: string } };
      assert.equal(r.reply.header.msg_type, "kernel_info_reply");
      assert.equal(r.reply.channel, channel);
      assert.equal(info.language_info.name, "typescript");
      assert.equal(info.language_info.file_extension, ".ts");
      assert.equal(info.language_info.mimetype, "text/typescript");
    }
  });

  it("answers comm_info and rejects unknown message types with an error reply", async () => {
    const comm = await k.settle(k.request("comm_info_request", {}));
    assert.deepEqual(comm.reply.content, { status: "ok", comms: {} });
    const open = k.request("comm_open", { comm_id: "c1", target_name: "nobody", data: {} });
    const closed = await k.waitFor((m) => m.kind === "jupyter" && m.msg.header.msg_type === "comm_close");
    assert.ok(closed.kind === "jupyter");
    assert.equal((closed.msg.content as { comm_id: string }).comm_id, "c1");
    assert.equal((closed.msg.parent_header as { msg_id: string }).msg_id, open.header.msg_id);
    const unknown = await k.settle(k.request("frobnicate_request", {}));
    assert.equal(unknown.reply.header.msg_type, "frobnicate_reply");
    const content = unknown.reply.content as { status: string; ename: string };
    assert.equal(content.status, "error");
    assert.equal(content.ename, "UnknownMessageType");
  });
});

describe("shutdown", { timeout: 30_000 }, () => {
  it("replies to shutdown_request, then exits", async () => {
    const k = await KernelProcess.start();
    const exited = new Promise<number | null>((resolve) => k.child.on("exit", (code) => resolve(code)));
    const r = await k.settle(k.request("shutdown_request", { restart: false }, "control"));
    assert.deepEqual(r.reply.content, { status: "ok", restart: false });
    assert.equal(await exited, 0);
  });
});
