/**
 * The kernel's own numbers, as quoted in docs/kernel.md:
 * - start-up: fork -> `ready`, and fork -> the reply to a first `1 + 1` sent at once
 *   (which waits for TypeScript to load), against a bare Node process forked the same way
 *   that writes one line to fd 4 as soon as it runs (the floor for any kernel); and a
 *   first `1 + 1` sent 1 s after `ready` (the warm-up done, as when a person types it);
 * - a cell printing 100,000 lines, end to end, and the stream messages it took;
 * - the cost of the interrupt checks on a tight loop (the same loop compiled by the kernel,
 *   and compiled without instrumentation through `new Function`).
 *
 *   npx tsc -b packages/kernel && node --import tsx packages/kernel/scripts/measure.ts [runs]
 */
import { fork } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { KernelProcess } from "../test/kernel-process.ts";

const runs = Number(process.argv[2] ?? 10);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const bareScript = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tessera-start-")), "bare.mjs");
fs.writeFileSync(bareScript, `import fs from "node:fs"; fs.writeSync(4, "ready\\n"); process.on("disconnect", () => process.exit(0));\n`);

const bare: number[] = [];
const ready: number[] = [];
const firstCell: number[] = [];
const settledCell: number[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const child = fork(bareScript, [], { execArgv: [], stdio: ["ignore", "ignore", "ignore", "pipe", "pipe", "ipc"] });
  await once(child.stdio[4] as Readable, "data");
  bare.push(performance.now() - t0);
  child.disconnect();
  await once(child, "exit");

  const k = await KernelProcess.start();
  ready.push(k.readyAt - k.startedAt);
  await k.execute("1 + 1");
  firstCell.push(performance.now() - k.startedAt);
  await k.close();

  const k2 = await KernelProcess.start();
  await new Promise((r) => setTimeout(r, 1000));
  const t1 = performance.now();
  await k2.execute("1 + 1");
  settledCell.push(performance.now() - t1);
  await k2.close();
}
fs.rmSync(path.dirname(bareScript), { recursive: true, force: true });

const k = await KernelProcess.start();
await k.execute("1");
const flood: number[] = [];
let messages = 0;
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const r = await k.execute("for (let i = 0; i < 100_000; i++) console.log(i)");
  flood.push(performance.now() - t0);
  messages = r.iopub.filter((m) => m.header.msg_type === "stream").length;
}
const loop = (n: string, init: string, body: string) =>
  `(() => { const t0 = performance.now(); ${init} for (let i = 0; i < ${n}; i++) { ${body} } return performance.now() - t0; })()`;
const uninstrumented = (code: string) => `new Function(${JSON.stringify(`return ${code}`)})()`;
const tight = loop("1e8", "let s = 0;", "s += i;");
const pushing = loop("1e7", "const a = [];", "a.push(i * 2);");
const checked: number[] = [];
const plain: number[] = [];
const checkedPush: number[] = [];
const plainPush: number[] = [];
for (let i = 0; i < Math.max(3, Math.ceil(runs / 2)); i++) {
  checked.push(Number((await k.execute(tight)).result));
  plain.push(Number((await k.execute(uninstrumented(tight))).result));
  checkedPush.push(Number((await k.execute(pushing)).result));
  plainPush.push(Number((await k.execute(uninstrumented(pushing))).result));
}
await k.close();

const best = (xs: number[]) => Math.min(...xs);
console.log(`runs: ${runs}, node ${process.version}, ${os.cpus().length} CPUs`);
console.log(`bare node process, fork -> first line on fd 4:  median ${median(bare).toFixed(0)} ms`);
console.log(`kernel, fork -> ready:                         median ${median(ready).toFixed(0)} ms`);
console.log(`kernel, fork -> reply to a first "1 + 1":      median ${median(firstCell).toFixed(0)} ms`);
console.log(`kernel, first "1 + 1" sent 1 s after ready:    median ${median(settledCell).toFixed(0)} ms`);
console.log(`cell printing 100,000 lines, end to end:       median ${median(flood).toFixed(0)} ms (${messages} stream messages)`);
console.log(`1e8 x "s += i", with interrupt checks:         best ${best(checked).toFixed(0)} ms`);
console.log(`same loop without checks:                      best ${best(plain).toFixed(0)} ms`);
console.log(`1e7 x "a.push(i * 2)", with interrupt checks:  best ${best(checkedPush).toFixed(0)} ms`);
console.log(`same loop without checks:                      best ${best(plainPush).toFixed(0)} ms`);
