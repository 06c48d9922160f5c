/**
 * Timers that cells leave running, and stopping them.
 *
 * A cell that ends with `setInterval(tick, 1000)` still running leaves work behind that an
 * interrupt cannot reach: no cell is running to interrupt. So an interrupt that comes
 * while the kernel is idle stops what cells left: every pending `setTimeout`,
 * `setInterval` and `setImmediate` made by cell code (or by libraries it called), with a
 * line on the stream of the cell that made them ("Stopped 2 background timers …").
 *
 * The global functions are wrapped, and a timer counts as the cell's when it is created
 * in a run's async context (see run.ts: callbacks inherit it, so a chain of timeouts stays
 * the cell's) by code that is not the kernel's own: the kernel's timers (its output
 * batching, its warm-up) are never touched. Code that took the functions from
 * `node:timers` directly is not seen, nor are promise-based timers
 * (`node:timers/promises`): an interrupt of the cell that awaits them is what ends those.
 */
import { promisify } from "node:util";
import { isKernelFile } from "./own-code.js";
import { runContext, type Run } from "./run.js";

type Kind = "setTimeout" | "setInterval" | "setImmediate";

interface Tracked {
  kind: Kind;
  run: Run;
}

type AnyFunction = (...args: unknown[]) => unknown;

const KINDS: ReadonlyArray<[Kind, string]> = [
  ["setTimeout", "clearTimeout"],
  ["setInterval", "clearInterval"],
  ["setImmediate", "clearImmediate"],
];

/** Whether the code that called `fn` is the kernel's own (one stack frame, read structurally). */
function calledByKernel(fn: AnyFunction): boolean {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  try {
    Error.prepareStackTrace = (_err, sites) => sites;
    Error.stackTraceLimit = 1;
    const holder: { stack?: NodeJS.CallSite[] } = {};
    Error.captureStackTrace(holder, fn);
    const file = holder.stack?.[0]?.getFileName() ?? "";
    return isKernelFile(file);
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
}

/** `2× setInterval, setTimeout` */
function describeKinds(counts: Map<Kind, number>): string {
  return [...counts].map(([kind, n]) => (n > 1 ? `${n}× ${kind}` : kind)).join(", ");
}

export class CellTimers {
  /** Pending timers made by cells, with who made them. */
  private readonly live = new Map<object, Tracked>();
  private readonly clearers = new Map<Kind, AnyFunction>();
  /** Prune when this many are tracked (timers cleared by numeric id are only found so). */
  private pruneAt = 1024;

  /** `notice(run, text)` writes a line on the stream of the cell `run`. */
  constructor(private readonly notice: (run: Run, text: string) => void) {}

  /** Wraps the global timer functions (once). */
  install(): void {
    if (this.clearers.size > 0) return;
    const g = globalThis as unknown as Record<string, AnyFunction>;
    for (const [kind, clearName] of KINDS) {
      const set = g[kind];
      const clear = g[clearName];
      this.clearers.set(kind, clear);
      g[kind] = this.wrapSet(kind, set);
      g[clearName] = this.wrapClear(clear);
    }
  }

  /** How many timers cells have pending now. */
  get size(): number {
    this.prune();
    return this.live.size;
  }

  /**
   * Clears every timer cells left pending, and says so on each cell's stream.
   * Returns how many were stopped.
   */
  stopAll(): number {
    this.prune();
    const byRun = new Map<Run, Map<Kind, number>>();
    for (const [handle, { kind, run }] of this.live) {
      this.clearers.get(kind)!(handle);
      const counts = byRun.get(run) ?? new Map<Kind, number>();
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
      byRun.set(run, counts);
    }
    const stopped = this.live.size;
    this.live.clear();
    for (const [run, counts] of byRun) {
      const n = [...counts.values()].reduce((a, b) => a + b, 0);
      this.notice(
        run,
        `Stopped ${n} background timer${n === 1 ? "" : "s"} (${describeKinds(counts)}) left running by this cell: the kernel was interrupted while idle.\n`,
      );
    }
    return stopped;
  }

  private wrapSet(kind: Kind, original: AnyFunction): AnyFunction {
    const live = this.live;
    const prune = () => {
      if (live.size < this.pruneAt) return;
      this.prune();
      this.pruneAt = Math.max(1024, live.size * 2);
    };
    const wrapped = function (this: unknown, callback: unknown, ...rest: unknown[]): unknown {
      const run = runContext.getStore();
      if (!run || typeof callback !== "function" || calledByKernel(wrapped)) return Reflect.apply(original, this, [callback, ...rest]);
      // A one-shot timer that fired is not pending any more; an interval stays until cleared.
      // (`fire` runs from the event loop, never before `handle` is set.)
      const fire =
        kind === "setInterval"
          ? callback
          : function (this: unknown, ...args: unknown[]): unknown {
              live.delete(handle);
              return Reflect.apply(callback, this, args);
            };
      const handle = Reflect.apply(original, this, [fire, ...rest]) as object;
      live.set(handle, { kind, run });
      prune();
      return handle;
    };
    // `util.promisify(setTimeout)` and friends keep working (they use the original's own promise form).
    for (const key of ["name", "length", promisify.custom, "__promisify__"] as const) {
      const d = Object.getOwnPropertyDescriptor(original, key);
      if (d) Object.defineProperty(wrapped, key, d);
    }
    return wrapped;
  }

  private wrapClear(original: AnyFunction): AnyFunction {
    const live = this.live;
    const wrapped = function (this: unknown, handle: unknown): unknown {
      if (typeof handle === "object" && handle !== null) live.delete(handle);
      return Reflect.apply(original, this, [handle]);
    };
    for (const key of ["name", "length"] as const) {
      const d = Object.getOwnPropertyDescriptor(original, key);
      if (d) Object.defineProperty(wrapped, key, d);
    }
    return wrapped;
  }

  /** Drops timers ended another way (`timer.close()`, cleared by their numeric id). */
  private prune(): void {
    for (const handle of this.live.keys()) {
      if ((handle as { _destroyed?: boolean })._destroyed === true) this.live.delete(handle);
    }
  }
}
