/**
 * Measures kernel start-up: fork -> `ready`, and fork -> the reply to a first `1 + 1`
 * (which waits for TypeScript to load), against forking a bare Node process that exits
 * at once with the same stdio layout.
 *
 *   npx tsc -b packages/kernel && node --import tsx packages/kernel/scripts/start-time.ts [runs]
 */
import { fork } from "node:child_process";
import { once } from "node:events";
import { KernelProcess } from "../test/kernel-process.ts";

const runs = Number(process.argv[2] ?? 10);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const bare: number[] = [];
const ready: number[] = [];
const firstCell: number[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const child = fork("-e", [], { execArgv: ["-e", "0"], stdio: ["ignore", "ignore", "ignore", "pipe", "pipe", "ipc"] });
  await once(child, "exit");
  bare.push(performance.now() - t0);

  const k = await KernelProcess.start();
  ready.push(k.readyAt - k.startedAt);
  await k.execute("1 + 1");
  firstCell.push(performance.now() - k.startedAt);
  await k.close();
}
console.log(`runs: ${runs}, node ${process.version}`);
console.log(`bare node process (fork -> exit):   median ${median(bare).toFixed(0)} ms`);
console.log(`kernel fork -> ready:                median ${median(ready).toFixed(0)} ms`);
console.log(`kernel fork -> first "1 + 1" reply:  median ${median(firstCell).toFixed(0)} ms`);
