import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { JupyterMessage } from "@tessera/protocol";
import { KernelProcess, plain } from "./kernel-process.ts";

/** stderr text the kernel sent for `request` (also after its reply: a finished cell's timers). */
function stderrOf(k: KernelProcess, request: JupyterMessage): string {
  return k
    .about(request)
    .filter(({ msg }) => msg.header.msg_type === "stream" && (msg.content as { name: string }).name === "stderr")
    .map(({ msg }) => (msg.content as { text: string }).text)
    .join("");
}

/** Interrupts while idle and waits for the interrupt's reply. */
async function idleInterrupt(k: KernelProcess): Promise<void> {
  await k.settle(k.interrupt());
}

/** Reads a number twice, `ms` apart. */
async function twice(k: KernelProcess, expr: string, ms = 400): Promise<[number, number]> {
  const a = Number((await k.execute(expr)).result);
  await sleep(ms);
  const b = Number((await k.execute(expr)).result);
  return [a, b];
}

describe("stopping background timers with an interrupt while idle", { timeout: 120_000 }, () => {
  let k: KernelProcess;
  before(async () => {
    k = await KernelProcess.start();
  });
  after(async () => {
    await k.close();
  });

  it("a setInterval left by a finished cell keeps running; an interrupt while idle stops it and says so on that cell", async () => {
    const cell = k.startExecute("let ticks = 0;\nconst iv = setInterval(() => ticks++, 20);\n'started'");
    assert.equal((await k.collect(cell)).result, "'started'");
    const [a, b] = await twice(k, "ticks");
    assert.ok(b > a, `the interval runs after its cell ended (${a} then ${b})`);
    await idleInterrupt(k);
    await k.waitFor(
      (m) =>
        m.kind === "jupyter" &&
        m.msg.header.msg_type === "stream" &&
        (m.msg.parent_header as { msg_id?: string }).msg_id === cell.header.msg_id,
    );
    assert.match(stderrOf(k, cell), /Stopped 1 background timer \(setInterval\) left running by this cell/);
    const [c, d] = await twice(k, "ticks");
    assert.equal(d, c, "the interval is stopped");
    // The kernel goes on: timers made now work, and so does its own output batching.
    const r = await k.execute(
      "await new Promise((r) => setTimeout(r, 30)); for (let i = 0; i < 2000; i++) console.log('line ' + i); 'after'",
    );
    assert.equal(r.result, "'after'", r.error && plain(r.error.traceback.join("\n")));
    assert.equal(r.stdout.split("\n").filter(Boolean).length, 2000);
  });

  it("stops timeout chains, async loops and immediates, not timers the cell cleared", async () => {
    const cell = k.startExecute(
      [
        "let chain = 0, loop = 0, imm = 0;",
        "const next = () => { chain++; setTimeout(next, 20); }; next();",
        "(async () => { for (;;) { await new Promise((r) => setTimeout(r, 20)); loop++; } })();",
        "const spin = () => { imm++; if (imm < 1e9) setTimeout(() => setImmediate(spin), 5); }; spin();",
        "clearInterval(setInterval(() => {}, 10));",
        "clearTimeout(setTimeout(() => {}, 10_000));",
      ].join("\n"),
    );
    await k.collect(cell);
    const [a, b] = await twice(k, "chain + loop + imm");
    assert.ok(b > a);
    await idleInterrupt(k);
    await k.waitFor(
      (m) =>
        m.kind === "jupyter" &&
        m.msg.header.msg_type === "stream" &&
        (m.msg.parent_header as { msg_id?: string }).msg_id === cell.header.msg_id,
    );
    const text = stderrOf(k, cell);
    // One pending step of each: the chain's timeout, the loop's timeout, and the spinner's timeout or immediate.
    assert.match(text, /Stopped 3 background timers \((3× setTimeout|2× setTimeout, setImmediate|setImmediate, 2× setTimeout)\)/, text);
    const [c, d] = await twice(k, "chain + loop + imm");
    assert.equal(d, c, "nothing runs on");
  });

  it("while a cell runs, the first interrupt ends the cell only; a second one, idle, stops the timers", async () => {
    await k.execute("let beats = 0;\nsetInterval(() => beats++, 20);");
    const running = k.startExecute("await new Promise(() => {})");
    await k.waitFor(
      (m) =>
        m.kind === "jupyter" &&
        m.msg.header.msg_type === "execute_input" &&
        (m.msg.parent_header as { msg_id?: string }).msg_id === running.header.msg_id,
    );
    await sleep(200);
    k.interrupt();
    const r = await k.collect(running);
    assert.equal(r.error?.ename, "Interrupted");
    await sleep(1200); // a later click, not the echo of the first
    const [a, b] = await twice(k, "beats");
    assert.ok(b > a, "the first interrupt left the interval alone");
    await idleInterrupt(k);
    const [c, d] = await twice(k, "beats");
    assert.equal(d, c);
  });

  it("leaves util.promisify(setTimeout) and timers of other cells' awaits working", async () => {
    const r = await k.execute("const { promisify } = require('node:util'); await promisify(setTimeout)(10, 'value')");
    assert.equal(r.result, "'value'", r.error && plain(r.error.traceback.join("\n")));
    await idleInterrupt(k);
    assert.equal((await k.execute("await new Promise((r) => setTimeout(() => r(42), 10))")).result, "42");
  });
});
