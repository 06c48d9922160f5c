import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { KernelProcess, plain } from "./kernel-process.ts";

const status = (r: { reply: { content: unknown } }) => (r.reply.content as { status: string }).status;

describe("interrupts", { timeout: 120_000 }, () => {
  let k: KernelProcess;
  before(async () => {
    k = await KernelProcess.start();
    await k.execute("const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));\nlet i = 0;\nconst kept = 'still here';");
  });
  after(async () => {
    await k.close();
  });

  /** Starts `code`, waits until it runs, interrupts, and returns its outcome. */
  async function interrupt(code: string, opts: { waitMs?: number; messageOnly?: boolean } = {}) {
    const req = k.startExecute(code);
    await sleep(opts.waitMs ?? 400);
    if (opts.messageOnly) k.request("interrupt_request", {}, "control");
    else k.interrupt();
    return k.collect(req, 10_000);
  }

  it("stops while (true) {} and keeps the kernel's state", async () => {
    const r = await interrupt("while (true) { i++ }");
    assert.equal(status(r), "error");
    assert.equal(r.error?.ename, "Interrupted");
    assert.equal((await k.execute("[i > 0, kept]")).result, "[ true, 'still here' ]");
  });

  it("stops an async loop that awaits between steps, and it stays stopped", async () => {
    const r = await interrupt("let j = 0;\nfor (;;) { await sleep(50); j++ }");
    assert.equal(r.error?.ename, "Interrupted");
    const seen = Number((await k.execute("j")).result);
    assert.ok(seen > 0);
    await sleep(300);
    assert.equal(Number((await k.execute("j")).result), seen, "the loop does not go on in the background");
  });

  it("stops a synchronous loop that runs after an await (only the compiled-in checks can)", async () => {
    const r = await interrupt("await sleep(10);\ni++;\nwhile (true) {}");
    assert.equal(r.error?.ename, "Interrupted");
    assert.equal((await k.execute("kept")).result, "'still here'");
  });

  it("stops a loop inside a function from an earlier cell", async () => {
    await k.execute("function spin(): number { let n = 0; while (true) { n++ } }");
    const r = await interrupt("spin()");
    assert.equal(r.error?.ename, "Interrupted");
  });

  it("stops a cell awaiting a promise that never settles", async () => {
    const r = await interrupt("await new Promise(() => {})");
    assert.equal(r.error?.ename, "Interrupted");
  });

  it("stops synchronous code that has no checks (a catastrophic regex) by escalating", async () => {
    const r = await interrupt("/(a+)+b/.test('a'.repeat(40))");
    assert.equal(r.error?.ename, "Interrupted");
    assert.equal((await k.execute("kept")).result, "'still here'");
  });

  it("stops a long native op of @tessera/tensor (it reads the kernel's flag)", async () => {
    await k.execute('import * as tt from "@tessera/tensor";\nconst big = tt.randn([8192, 8192]);');
    // A whole 8192² matmul (1.1 TFLOP) runs longer than collect() waits: only a stop inside the op passes.
    const r = await interrupt("big.matmul(big).sum().item()", { waitMs: 800 });
    assert.equal(status(r), "error");
    assert.match(`${r.error?.ename}: ${r.error?.evalue}`, /interrupt/i);
    assert.equal((await k.execute("kept")).result, "'still here'");
  });

  it("works with interrupt_request alone (no byte on fd 3)", async () => {
    const r = await interrupt("for (;;) { await sleep(20) }", { messageOnly: true });
    assert.equal(r.error?.ename, "Interrupted");
  });

  it("aborts the executions queued behind the interrupted one", async () => {
    const running = k.startExecute("while (true) {}");
    const queued1 = k.startExecute("i = -1");
    const queued2 = k.startExecute("'nope'");
    await sleep(400);
    const ir = k.interrupt();
    const r = await k.collect(running, 10_000);
    assert.equal(r.error?.ename, "Interrupted");
    assert.equal(status(await k.collect(queued1)), "aborted");
    assert.equal(status(await k.collect(queued2)), "aborted");
    const reply = await k.settle(ir);
    assert.deepEqual(reply.reply.content, { status: "ok" });
    assert.equal(reply.reply.header.msg_type, "interrupt_reply");
    assert.notEqual((await k.execute("i")).result, "-1");
  });

  it("ignores an interrupt while idle", async () => {
    const ir = k.interrupt();
    await k.settle(ir);
    await sleep(700); // past the escalation grace period
    const r = await k.execute("await sleep(50); 'after idle interrupt'");
    assert.equal(r.result, "'after idle interrupt'", r.error && plain(r.error.traceback.join("\n")));
  });
});

describe("kernel process life", { timeout: 60_000 }, () => {
  it("hears an interrupt for a first cell that spins at once", async () => {
    const k = await KernelProcess.start();
    try {
      const req = k.startExecute("while (true) {}"); // arrives while the kernel is still loading
      await sleep(300);
      k.interrupt();
      const r = await k.collect(req, 10_000);
      assert.equal(r.error?.ename, "Interrupted");
    } finally {
      await k.close();
    }
  });

  it("ends a kernel stuck in a loop when the server goes away (fd 3 closes)", async () => {
    const k = await KernelProcess.start();
    const req = k.startExecute("while (true) {}");
    await k.waitFor(
      (m) =>
        m.kind === "jupyter" &&
        m.msg.header.msg_type === "execute_input" &&
        (m.msg.parent_header as { msg_id: string }).msg_id === req.header.msg_id,
    );
    const exited = new Promise<string | null>((resolve) => k.child.on("exit", (_code, signal) => resolve(signal)));
    k.child.stdio[3]?.destroy();
    const signal = await Promise.race([exited, sleep(5000).then(() => "still running")]);
    if (signal === "still running") k.child.kill("SIGKILL");
    assert.equal(signal, "SIGKILL");
  });
});
