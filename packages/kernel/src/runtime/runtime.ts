/**
 * The `__tessera` global that compiled cell code calls (see compile/transform-cell.ts), plus the
 * globals cells use directly (`require`).
 *
 * The interrupt checks run at every loop iteration, so their fast path is one read of the
 * shared flag.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { importForCell, requireForCell, resolveCellImport } from "./modules.js";
import { InterruptedError, runContext } from "./run.js";
import { reportSelfSignals } from "./self-signal.js";
import { RUNTIME_GLOBAL } from "../compile/transform-modules.js";

export interface RuntimeHooks {
  /** The shared interrupt flag (`[0]` is 1 while an interrupt is pending). */
  flag: Int32Array;
  /** A check saw the flag: mark whatever runs now as interrupted, and throw. */
  interrupted(): never;
  /** The cell `runId` reached its last expression statement, with this value. */
  setResult(runId: number, value: unknown): void;
}

/**
 * Installs `__tessera` and `require` on the global object, and wraps `process.kill` so a
 * cell that kills the kernel is named as the reason (see self-signal.ts).
 */
export function installRuntime(hooks: RuntimeHooks): void {
  const { flag } = hooks;
  reportSelfSignals();
  const runtime = {
    /**
     * Loop-head check. A plain read of the shared flag, not `Atomics.load`: TurboFan
     * inlines the read, while `Atomics.load` stays a builtin call (measured: ~5x the
     * plain check's cost on a tight loop). V8 does not hoist the read out of loops (the
     * interrupt tests would hang if it did), and the watcher's SIGINT backs it up.
     */
    c(): void {
      if (flag[0] !== 0) hooks.interrupted();
    },
    /** After-await check: also stops the leftover steps of a run interrupted earlier. */
    a<T>(value: T): T {
      if (Atomics.load(flag, 0) !== 0) hooks.interrupted();
      if (runContext.getStore()?.interrupted) throw new InterruptedError();
      return value;
    },
    i: importForCell,
    /** The cell reached its last expression statement: the run is the async context's own. */
    r(value: unknown): void {
      const run = runContext.getStore();
      if (run) hooks.setResult(run.id, value);
    },
    // Only data properties here: an accessor on this object makes V8 stop inlining `c`.
    meta: {
      get url(): string {
        return pathToFileURL(path.join(process.cwd(), "notebook.ts")).href;
      },
      get filename(): string {
        return path.join(process.cwd(), "notebook.ts");
      },
      get dirname(): string {
        return process.cwd();
      },
      resolve: resolveCellImport,
    },
  };
  Object.defineProperty(globalThis, RUNTIME_GLOBAL, { value: Object.freeze(runtime), enumerable: false });
  Object.defineProperty(globalThis, "require", {
    get: requireForCell,
    set(value: unknown) {
      Object.defineProperty(globalThis, "require", { value, writable: true, configurable: true });
    },
    configurable: true,
    enumerable: false,
  });
}
