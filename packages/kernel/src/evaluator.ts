/**
 * Runs compiled cells in V8's REPL mode, through an in-process inspector session
 * (`Runtime.evaluate` with `replMode: true`), as Chrome's console and Deno's kernel do.
 *
 * Why REPL mode rather than rewriting declarations (tslab's approach): V8 itself keeps
 * top-level `let`/`const`/`class` bindings in one script scope shared by all cells, lets a
 * re-run cell declare `const x` again, and supports top-level `await` while keeping those
 * declarations global. Closures, TDZ, `typeof` and hoisting behave as written; a rewrite
 * to `globalThis.x = …` changes all of these in small ways.
 *
 * The synchronous part of each evaluation runs inside a `vm` script with
 * `breakOnSigint`, so the interrupt watcher's SIGINT can terminate code that has no
 * interrupt checks; `vm` cancels the termination right there and our caller sees a
 * catchable error. (`Runtime.terminateExecution` is not safe here: it unwinds Node's own
 * JavaScript frames too and corrupts the async-hooks stack, which aborts the process.)
 */
import inspector from "node:inspector";
import vm from "node:vm";

export type EvalOutcome =
  /** The script ran (and its top-level promise settled). */
  | { kind: "ok" }
  /** It threw (or its promise rejected) with `value`. */
  | { kind: "exception"; value: unknown; line: number; column: number }
  /** SIGINT terminated its synchronous part. */
  | { kind: "terminated" };

interface RemoteObject {
  type: string;
  subtype?: string;
  value?: unknown;
  unserializableValue?: string;
  objectId?: string;
  description?: string;
}

interface EvaluateResult {
  result: RemoteObject;
  exceptionDetails?: { lineNumber: number; columnNumber: number; exception?: RemoteObject };
}

const ENTRY = Symbol.for("tessera.evaluate");
const TAKE = Symbol.for("tessera.take");

function fromUnserializable(text: string): unknown {
  if (text.endsWith("n")) return BigInt(text.slice(0, -1));
  return Number(text);
}

export class Evaluator {
  private readonly session = new inspector.Session();
  /** Enters the inspector from inside a vm frame, so SIGINT stops there. */
  private readonly entry = new vm.Script(`globalThis[Symbol.for("tessera.evaluate")]()`, { filename: "tessera:evaluate" });
  private pending: (() => void) | undefined;
  private taken: unknown;
  private evaluations = 0;

  constructor() {
    this.session.connect();
    Object.defineProperty(globalThis, ENTRY, { value: () => this.pending?.(), enumerable: false });
    Object.defineProperty(globalThis, TAKE, { value: (v: unknown) => (this.taken = v), enumerable: false });
  }

  /**
   * Evaluates one compiled cell in REPL mode and waits for its top-level promise.
   * Must be called with the run's AsyncLocalStorage context active.
   */
  evaluate(js: string): Promise<EvalOutcome> {
    // A group per evaluation: an interrupted evaluation that settles late must not release
    // the handles of the current one.
    const objectGroup = `tessera-cell-${++this.evaluations}`;
    return new Promise<EvalOutcome>((resolve) => {
      this.pending = () => {
        this.session.post("Runtime.evaluate", { expression: js, replMode: true, awaitPromise: true, objectGroup }, (err, res) => {
          if (err) resolve({ kind: "exception", value: err, line: 0, column: 0 });
          else void this.outcome(res as EvaluateResult, objectGroup).then(resolve);
        });
      };
      try {
        this.entry.runInThisContext({ breakOnSigint: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ERR_SCRIPT_EXECUTION_INTERRUPTED") resolve({ kind: "terminated" });
        else resolve({ kind: "exception", value: err, line: 0, column: 0 });
      } finally {
        this.pending = undefined;
      }
    });
  }

  private async outcome(res: EvaluateResult, objectGroup: string): Promise<EvalOutcome> {
    const details = res.exceptionDetails;
    try {
      if (!details) return { kind: "ok" };
      const value = await this.materialize(details.exception ?? res.result);
      return { kind: "exception", value, line: details.lineNumber + 1, column: details.columnNumber + 1 };
    } finally {
      this.session.post("Runtime.releaseObjectGroup", { objectGroup });
    }
  }

  /** The actual thrown value behind a remote object handle (same isolate, so it is ours to take). */
  private materialize(remote: RemoteObject): Promise<unknown> {
    if (remote.objectId === undefined) {
      if (remote.unserializableValue !== undefined) return Promise.resolve(fromUnserializable(remote.unserializableValue));
      return Promise.resolve(remote.type === "undefined" ? undefined : remote.value);
    }
    return new Promise((resolve) => {
      this.taken = undefined;
      this.session.post(
        "Runtime.callFunctionOn",
        { objectId: remote.objectId, functionDeclaration: `function () { "use strict"; globalThis[Symbol.for("tessera.take")](this); }` },
        (err) => resolve(err ? new Error(remote.description ?? "unknown error") : this.taken),
      );
    });
  }
}
