/**
 * A cell may replace or pollute any built-in; the kernel must keep answering with correct
 * messages. Each case pollutes a fresh kernel, then checks that later cells still compute,
 * print, display, fail with a mapped traceback, and that an interrupt still answers.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { KernelProcess, plain, type ExecuteResult } from "./kernel-process.ts";

interface Case {
  name: string;
  /** The polluting cell. */
  pollute: string;
  /** What `console.log("ok")` prints afterwards (the cell's own console.log may be the one replaced). */
  ok?: string;
  /** An expression showing the pollution is still in place for cells, and its text/plain. */
  stillThere?: [string, string];
  /** The polluting cell itself fails with this (a change the kernel refuses). */
  refused?: RegExp;
}

const CASES: Case[] = [
  {
    name: "Object.prototype.then",
    pollute: "Object.prototype.then = function () {}",
    stillThere: ["typeof ({} as any).then", "'function'"],
  },
  { name: "Object.prototype.toJSON", pollute: "Object.prototype.toJSON = () => 1", stillThere: ["JSON.stringify({ a: 2 })", "'1'"] },
  {
    name: "a non-configurable Object.prototype.toJSON",
    pollute: 'Object.defineProperty(Object.prototype, "toJSON", { value: () => 1, writable: true })',
    stillThere: ["JSON.stringify({ a: 2 })", "'1'"],
  },
  {
    name: "Array.prototype.toJSON and String.prototype.toJSON",
    pollute: "(Array.prototype as any).toJSON = () => 2; (String.prototype as any).toJSON = () => 3",
  },
  {
    name: "Array.prototype[Symbol.iterator]",
    pollute: 'Array.prototype[Symbol.iterator] = function () { throw new Error("no iteration") }',
    stillThere: ['(() => { try { [...[1]]; return "iterable" } catch (e) { return (e as Error).message } })()', "'no iteration'"],
  },
  {
    name: "Array.prototype methods",
    pollute:
      'for (const m of ["push", "map", "join", "slice", "filter", "indexOf", "splice", "shift", "forEach", "findLast"]) (Array.prototype as any)[m] = () => { throw new Error("no " + m) }',
  },
  {
    name: "Promise.prototype.then and the Promise global",
    pollute: "Promise.prototype.then = function () { return this }; (globalThis as any).Promise = function () {}",
  },
  {
    name: "JSON.stringify and JSON.parse",
    pollute: 'JSON.stringify = () => "x"; JSON.parse = () => ({})',
    stillThere: ["JSON.stringify({})", "'x'"],
  },
  {
    name: "console.log",
    pollute: 'const log = console.log; console.log = (...a: unknown[]) => log("[wrapped]", ...a)',
    ok: "[wrapped] ok\n",
  },
  { name: "process.stdout.write", pollute: "process.stdout.write = () => true" },
  {
    name: "Function.prototype.call and bind",
    pollute:
      'Function.prototype.call = function () { throw new Error("no call") }; Function.prototype.bind = function () { throw new Error("no bind") }',
  },
  {
    name: "Function.prototype.apply",
    pollute: 'Function.prototype.apply = function () { throw new Error("no apply") }',
    refused: /Function\.prototype\.apply cannot be replaced/,
  },
  {
    name: "Object.prototype.__proto__",
    pollute: 'Object.defineProperty(Object.prototype, "__proto__", { get() { return null }, set() {} })',
  },
  {
    name: "inherited message fields",
    pollute: "Object.assign(Object.prototype, { metadata: 5, username: 'evil', parent: 1, kind: 'x', content: 7, stop_on_error: false })",
  },
  {
    name: "Date, crypto, Symbol.for, timers, strings and regexps",
    pollute:
      'Date.prototype.toISOString = () => { throw new Error("no date") }; crypto.getRandomValues = () => { throw new Error("no random") };\n' +
      "Symbol.for = () => Symbol(); (globalThis as any).setTimeout = (globalThis as any).setImmediate = () => 0;\n" +
      'String.prototype[Symbol.iterator] = function () { throw new Error("no chars") }; RegExp.prototype.exec = () => null;',
  },
];

function displayed(r: ExecuteResult): string[] {
  return r.iopub
    .filter((m) => m.header.msg_type === "display_data")
    .map((m) => (m.content as { data: Record<string, string> }).data["text/plain"]);
}

describe("a cell that pollutes the built-ins", { timeout: 300_000 }, () => {
  for (const c of CASES) {
    it(`keeps the kernel answering: ${c.name}`, async () => {
      const k = await KernelProcess.start();
      try {
        const polluted = await k.execute(c.pollute);
        if (c.refused) assert.match(polluted.error?.evalue ?? "", c.refused);
        else assert.equal(polluted.error, undefined, `the polluting cell ran: ${polluted.error?.evalue}`);

        const sum = await k.execute("1+1");
        assert.equal(sum.result, "2");
        assert.equal((sum.reply.content as { status: string }).status, "ok");
        assert.equal((await k.execute('console.log("ok")')).stdout, c.ok ?? "ok\n");
        const shown = await k.execute("display({a:1})");
        assert.deepEqual(displayed(shown), ["{ a: 1 }"]);
        for (const m of [...sum.iopub, sum.reply]) {
          assert.equal(m.header.username, "tessera");
          assert.deepEqual(m.metadata, {});
          assert.match(m.header.date, /^\d{4}-\d\d-\d\dT/);
          assert.match(m.header.msg_id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/);
        }

        const failing = await k.execute('const boom = 1;\nthrow new RangeError("boom " + boom)');
        assert.equal(failing.error?.ename, "RangeError");
        assert.equal(failing.error?.evalue, "boom 1");
        assert.match(plain(failing.error!.traceback.join("\n")), /cell In\[\d+\]:2:7/);

        if (c.stillThere) assert.equal((await k.execute(c.stillThere[0])).result, c.stillThere[1], "cells still see what they did");

        const spinning = k.startExecute("while (true) {}");
        await sleep(300);
        k.interrupt();
        assert.equal((await k.collect(spinning, 10_000)).error?.ename, "Interrupted");
        assert.equal((await k.execute("2+2")).result, "4");
      } finally {
        await k.close();
      }
    });
  }

  it("says why no cell can run once Object.prototype.toJSON is locked in, and still answers", async () => {
    const k = await KernelProcess.start();
    try {
      await k.execute('Object.defineProperty(Object.prototype, "toJSON", { value: () => 1 })');
      const after = await k.execute("1+1");
      assert.equal(after.error?.ename, "TypeError");
      assert.match(after.error?.evalue ?? "", /Object\.prototype\.toJSON was made read-only and permanent.*restart/);
      const info = await k.settle(k.request("kernel_info_request", {}));
      assert.equal((info.reply.content as { status: string }).status, "ok");
    } finally {
      await k.close();
    }
  });
});
