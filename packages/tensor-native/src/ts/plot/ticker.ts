/**
 * A clock that costs a loop almost nothing to read: a worker thread bumps a shared counter
 * every few milliseconds, so `log()` reads one integer (`Atomics.load`, a few ns) and looks
 * at the real clock (~100 ns a call in Node 20) only when it changed. A worker's timer
 * fires even while the main thread is stuck in a synchronous training loop.
 */
import { Worker } from "node:worker_threads";

/** How often the counter moves: the most a chart's update can be late by. */
export const TICK_MS = 20;

const SOURCE = `
const { workerData } = require("node:worker_threads");
const ticks = new Int32Array(workerData);
setInterval(() => Atomics.add(ticks, 0, 1), ${TICK_MS});
`;

let ticks: Int32Array | null = null;

/**
 * The shared counter, started on first use; null when no worker can be started (the
 * caller then reads the clock every time).
 */
export function ticker(): Int32Array | null {
  if (ticks) return ticks;
  try {
    const shared = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(SOURCE, { eval: true, workerData: shared.buffer });
    // Never what keeps a process alive, and never a crash if it stops.
    worker.unref();
    worker.on("error", () => {
      if (ticks === shared) ticks = null;
    });
    ticks = shared;
  } catch {
    return null;
  }
  return ticks;
}
