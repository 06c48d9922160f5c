/**
 * One execution of one cell, and the async context that follows it.
 *
 * Every callback a cell schedules (timers, promises, events) inherits the cell's
 * {@link Run} through AsyncLocalStorage, so output printed after the cell finished still
 * goes to the cell that started it, and an interrupt can find the code it belongs to.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { JupyterMessage } from "@tessera/protocol";
import { PromiseCtor } from "./primordials.js";

/** Thrown into cell code when the user interrupts the kernel. */
export class InterruptedError extends Error {
  constructor() {
    super("Execution interrupted");
    this.name = "Interrupted";
  }
}

export class Run {
  /** Bytes of stream output this run produced (counted against the cap). */
  streamBytes = 0;
  /** The stream cap was hit: further output goes to a rolling tail (see streams.ts). */
  truncated = false;
  /** The user interrupted this run; its remaining async steps throw {@link InterruptedError}. */
  interrupted = false;
  /** The execute_reply was sent. Output may still arrive from callbacks the cell left behind. */
  finished = false;
  /** The value of the cell's last expression statement, when it had one and reached it. */
  result: { value: unknown } | undefined;
  /** Resolves when the run is interrupted, so a cell waiting on a promise that never settles still ends. */
  readonly whenInterrupted: Promise<void>;
  private fireInterrupted!: () => void;

  constructor(
    /** Unique per kernel process; names the cell's script (`tessera-cell-<id>.js`). */
    readonly id: number,
    /** The execute_request: parent of every message this run produces. */
    readonly request: JupyterMessage,
    /** How tracebacks name the cell, e.g. `In[3]`. */
    readonly label: string,
    /** The front end answers `input_request`s for this run. */
    readonly allowStdin: boolean,
  ) {
    this.whenInterrupted = new PromiseCtor((resolve) => (this.fireInterrupted = resolve));
  }

  /** Marks the run interrupted and wakes whoever waits for it to end. */
  interrupt(): void {
    this.interrupted = true;
    this.fireInterrupted();
  }
}

/** The run whose code is executing now (or scheduled the callback executing now). */
export const runContext = new AsyncLocalStorage<Run>();
