/**
 * The main-thread side of interrupts: a flag shared with the fd-3 watcher thread
 * (see interrupt-worker.ts) and the hook that cell code calls to poll it.
 */
import fs from "node:fs";
import { Worker } from "node:worker_threads";
import { INTERRUPT_FD } from "@tessera/protocol";
import { fdIsOpen } from "./wire.js";

/**
 * Where the flag is published for native code in the same process: `@tessera/tensor`
 * picks it up when loaded, so a long matmul stops at its next block on an interrupt.
 */
export const INTERRUPT_FLAG_KEY = Symbol.for("tessera.interruptFlag");

/** How long cooperative checks get before the watcher escalates to SIGINT. */
const GRACE_MS = 500;

export class InterruptSignal {
  /** `[0]` is 1 while an interrupt is pending (raised, not yet handled). */
  readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private worker: Worker | undefined;

  /** Called on the main thread when an interrupt arrives while it can listen (idle or awaiting). */
  constructor(private readonly onInterrupt: () => void) {
    (globalThis as Record<symbol, unknown>)[INTERRUPT_FLAG_KEY] = this.flag;
  }

  /** Starts watching fd 3 (when the server gave us one) and SIGINT. */
  start(): void {
    // SIGINT is our own escalation (or a Ctrl-C at the server's terminal): an interrupt,
    // never a reason to die.
    process.on("SIGINT", () => {
      this.raise();
      this.onInterrupt();
    });
    if (!fdIsOpen(INTERRUPT_FD)) return;
    this.worker = new Worker(new URL("./interrupt-worker.js", import.meta.url), {
      workerData: { fd: INTERRUPT_FD, flag: this.flag.buffer, graceMs: GRACE_MS },
    });
    this.worker.on("message", () => this.onInterrupt());
    this.worker.on("error", (err) => fs.writeSync(2, `tessera kernel: interrupt watcher failed: ${String(err)}\n`));
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

  /** The interrupt was handled: checks stop throwing and the watcher does not escalate. */
  clear(): void {
    Atomics.store(this.flag, 0, 0);
  }
}
