/**
 * The main-thread side of interrupts: a flag shared with the fd-3 watcher thread
 * (see interrupt-worker.ts) and the hook that cell code calls to poll it.
 */
import { Worker } from "node:worker_threads";
import { INTERRUPT_FD } from "@tessera/protocol";
import { logKernel } from "./log.js";
import { fdIsOpen } from "./wire.js";

/**
 * Where the flag is published for native code in the same process: `@tessera/tensor`
 * picks it up when loaded, so a long matmul stops at its next block on an interrupt.
 */
export const INTERRUPT_FLAG_KEY = Symbol.for("tessera.interruptFlag");

/** How long cooperative checks get before the watcher escalates to SIGINT. */
const GRACE_MS = 500;
/**
 * An interrupt this soon after one ended a cell is the same click: the server sends each
 * click twice (a byte on fd 3 and an `interrupt_request`), and a cell blocked in
 * `execSync` hears both only once it has ended.
 */
const SAME_CLICK_MS = 1000;

/** `process.kill` as Node made it: cell code may wrap or replace the global one. */
const realKill = process.kill.bind(process);
/** Whether a server forked us (with an IPC channel); a kernel run by hand has none. */
const forkedByServer = typeof process.send === "function";

/**
 * Ends what this kernel started when the server is gone (the IPC channel closed without a
 * shutdown: the server was killed, so no one else will). The server forks kernels as
 * process group leaders; a kernel forked otherwise (by hand, by a test) leaves its group
 * alone: it is not its own.
 */
function endOwnGroupIfOrphaned(): void {
  if (!forkedByServer || process.connected) return;
  try {
    realKill(-process.pid, 0);
  } catch {
    return; // not a group leader
  }
  realKill(-process.pid, "SIGKILL");
}

export class InterruptSignal {
  /** `[0]` is 1 while an interrupt is pending (raised, not yet handled). */
  readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private worker: Worker | undefined;
  /** When an interrupt last ended a cell ({@link clear}). */
  private cellInterruptedAt = 0;

  /** Called on the main thread when an interrupt arrives while it can listen (idle or awaiting). */
  constructor(private readonly onInterrupt: () => void) {
    (globalThis as Record<symbol, unknown>)[INTERRUPT_FLAG_KEY] = this.flag;
  }

  /** Starts watching fd 3 (when the server gave us one) and SIGINT. */
  start(): void {
    // SIGINT is our own escalation (or a `kill -INT` by hand): an interrupt, never a
    // reason to die. (The kernel has a session of its own, so a Ctrl+C at the server's
    // terminal reaches only the server.)
    process.on("SIGINT", () => {
      this.raise();
      this.onInterrupt();
    });
    process.on("exit", endOwnGroupIfOrphaned);
    if (!fdIsOpen(INTERRUPT_FD)) return;
    this.worker = new Worker(new URL("./interrupt-worker.js", import.meta.url), {
      workerData: { fd: INTERRUPT_FD, flag: this.flag.buffer, graceMs: GRACE_MS },
    });
    this.worker.on("message", () => this.onInterrupt());
    this.worker.on("error", (err) => logKernel(`interrupt watcher failed: ${String(err)}`));
    this.worker.unref();
  }

  /** Whether an interrupt is pending. */
  get pending(): boolean {
    return Atomics.load(this.flag, 0) !== 0;
  }

  /** Raises the flag from the main thread (an `interrupt_request` message). */
  raise(): void {
    Atomics.store(this.flag, 0, 1);
  }

  /** The interrupt ended a cell: checks stop throwing and the watcher does not escalate. */
  clear(): void {
    Atomics.store(this.flag, 0, 0);
    this.cellInterruptedAt = Date.now();
  }

  /**
   * The interrupt came while no cell ran: clears it, and says whether it is a click of its
   * own (the kernel then stops the timers cells left running), not the echo of the click
   * that just ended a cell.
   */
  clearIdle(): boolean {
    Atomics.store(this.flag, 0, 0);
    return Date.now() - this.cellInterruptedAt > SAME_CLICK_MS;
  }
}
