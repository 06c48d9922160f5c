/**
 * Listens for interrupts on fd 3 from a worker thread.
 *
 * The main thread may be stuck in `while (true) {}`, so it cannot read the pipe itself.
 * This thread can: it has its own event loop. Per byte it
 * 1. raises the shared flag, which the checks compiled into cell code poll (loop heads,
 *    after every `await`): cooperative, cheap, and it lets `finally` blocks run;
 * 2. posts a message, so a main thread that is idle or awaiting ends the run at once;
 * 3. if the flag is still raised after a grace period, sends SIGINT to this process: while
 *    the synchronous part of a cell runs, the evaluator sits inside a
 *    `vm` `breakOnSigint` frame, which turns SIGINT into a clean, catchable termination of
 *    JavaScript that has no checks (a library spinning, a catastrophic regex).
 *
 * The pipe is read asynchronously (not with a blocking `readSync`) so `process.exit`
 * can stop this thread; a thread blocked in read(2) would hang the exit. The pipe's end
 * also tells us the server is gone.
 */
import net from "node:net";
import { parentPort, workerData } from "node:worker_threads";

interface InterruptWorkerData {
  fd: number;
  flag: SharedArrayBuffer;
  graceMs: number;
}

const { fd, flag: buffer, graceMs } = workerData as InterruptWorkerData;
const flag = new Int32Array(buffer);
let escalation: NodeJS.Timeout | undefined;

function interrupt(): void {
  Atomics.store(flag, 0, 1);
  parentPort?.postMessage("interrupt");
  clearTimeout(escalation);
  escalation = setTimeout(() => {
    if (Atomics.load(flag, 0) !== 0) process.kill(process.pid, "SIGINT");
  }, graceMs);
}

/**
 * The server's end closed: the server is gone. Normally the IPC channel's `disconnect`
 * ends the kernel, but a main thread stuck in a loop never sees that event, and would
 * spin on as an orphan. This thread can still end the process.
 */
function serverGone(): void {
  process.kill(process.pid, "SIGKILL");
}

const pipe = new net.Socket({ fd, readable: true, writable: false });
// Several bytes read at once are one burst of clicks: one interrupt.
pipe.on("data", interrupt);
pipe.on("end", serverGone);
pipe.on("error", serverGone);
