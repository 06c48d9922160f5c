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
import { EVALUATOR_GLOBAL } from "../compile/transform-cell.js";
import {
  BigIntCtor,
  NumberCtor,
  ObjectDefineProperty,
  ObjectFreeze,
  ObjectPrototype,
  PromiseCtor,
  PromisePrototypeThen,
  ReflectDefineProperty,
  ReflectDeleteProperty,
  ReflectGetOwnPropertyDescriptor,
  SetImmediate,
  StringPrototypeEndsWith,
  StringPrototypeSlice,
  box,
  inert,
  type Box,
} from "./primordials.js";
import { runContext } from "./run.js";

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

/**
 * The hooks on {@link EVALUATOR_GLOBAL}: compiled cells call `begin()` first and `end()`
 * last. The global is defined non-writable and non-configurable, so no cell can replace it
 * or shadow it with a declaration.
 */
export interface EvaluatorHooks {
  /** Runs the pending evaluation (called from inside the `breakOnSigint` vm frame). */
  enter(): void;
  /** Hands a remote object's value over (`Runtime.callFunctionOn`). */
  take(value: unknown): void;
  /** The cell's first statement: the cell's own built-ins are back in place. */
  begin(): void;
  /** The cell's last statement completed. */
  end(): void;
}

/** Why no cell can run once a cell made Object.prototype.toJSON permanent. */
const TOJSON_LOCKED_MESSAGE =
  "Object.prototype.toJSON was made read-only and permanent: Node's inspector, which runs every cell, serializes its messages with it, so no cell can run in this kernel any more (restart it)";

function fromUnserializable(text: string): unknown {
  if (StringPrototypeEndsWith(text, "n")) return BigIntCtor(StringPrototypeSlice(text, 0, -1));
  return NumberCtor(text);
}

export class Evaluator {
  private readonly session = new inspector.Session();
  /** Enters the inspector from inside a vm frame, so SIGINT stops there. */
  private readonly entry = new vm.Script(`${EVALUATOR_GLOBAL}.enter()`, { filename: "tessera:evaluate" });
  private pending: (() => void) | undefined;
  private taken: unknown;
  private evaluations = 0;
  /** Object.prototype.toJSON, taken away while Node serializes our inspector message. */
  private hiddenToJSON: PropertyDescriptor | undefined;
  /** Ends the evaluation in progress when its cell's last statement ran. */
  private onEnd: (() => void) | undefined;

  constructor() {
    this.session.connect();
    const hooks: EvaluatorHooks = {
      enter: () => this.pending?.(),
      take: (v: unknown) => (this.taken = v),
      begin: () => this.restoreToJSON(),
      end: () => this.onEnd?.(),
    };
    ObjectDefineProperty(globalThis, EVALUATOR_GLOBAL, { value: ObjectFreeze(hooks), enumerable: false });
  }

  /**
   * Evaluates one compiled cell in REPL mode and waits for its top-level promise.
   * Must be called with the run's AsyncLocalStorage context active.
   */
  evaluate(js: string): Promise<EvalOutcome> {
    // A group per evaluation: an interrupted evaluation that settles late must not release
    // the handles of the current one.
    const objectGroup = `tessera-cell-${++this.evaluations}`;
    const owner = runContext.getStore();
    return new PromiseCtor<EvalOutcome>((resolve) => {
      const settle = (outcome: EvalOutcome): void => resolve(inert(outcome));
      // REPL mode resolves its promise with an object V8 makes ({ .repl_result }): after a
      // cell set Object.prototype.then, that promise never settles. The cell's own last
      // statement says it completed; the inspector normally answers before this fires.
      this.onEnd = () => {
        if (runContext.getStore() === owner) SetImmediate(() => settle({ kind: "ok" }));
      };
      this.pending = () => {
        const params = { expression: js, replMode: true, awaitPromise: true, objectGroup };
        // Node's post() runs JSON.stringify on its message, which a cell's
        // Object.prototype.toJSON would replace; the cell's first statement puts it back.
        if (!this.hideToJSON()) {
          settle({ kind: "exception", value: new TypeError(TOJSON_LOCKED_MESSAGE), line: 0, column: 0 });
          return;
        }
        try {
          this.session.post("Runtime.evaluate", params, (err, res) => {
            if (err) settle({ kind: "exception", value: err, line: 0, column: 0 });
            else PromisePrototypeThen(this.outcome(res as EvaluateResult, objectGroup), settle);
          });
        } finally {
          this.restoreToJSON();
        }
      };
      try {
        this.entry.runInThisContext({ breakOnSigint: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ERR_SCRIPT_EXECUTION_INTERRUPTED") settle({ kind: "terminated" });
        else settle({ kind: "exception", value: err, line: 0, column: 0 });
      } finally {
        this.pending = undefined;
      }
    });
  }

  /** Takes Object.prototype.toJSON away (deleted, or blanked if it cannot be deleted); false if it is locked in. */
  private hideToJSON(): boolean {
    const descriptor = ReflectGetOwnPropertyDescriptor(ObjectPrototype, "toJSON");
    if (descriptor === undefined) return true;
    if (
      descriptor.configurable
        ? ReflectDeleteProperty(ObjectPrototype, "toJSON")
        : descriptor.writable && ReflectDefineProperty(ObjectPrototype, "toJSON", { value: undefined })
    ) {
      this.hiddenToJSON = descriptor;
      return true;
    }
    return false;
  }

  private restoreToJSON(): void {
    const descriptor = this.hiddenToJSON;
    if (descriptor === undefined) return;
    this.hiddenToJSON = undefined;
    const now = ReflectGetOwnPropertyDescriptor(ObjectPrototype, "toJSON");
    if (now === undefined || (!descriptor.configurable && now.value === undefined))
      ReflectDefineProperty(ObjectPrototype, "toJSON", descriptor);
  }

  /**
   * Posts an inspector command outside any cell's code. Node's post() uses its own
   * captured built-ins except JSON.stringify's lookup of `toJSON`: that one is hidden.
   */
  private post(method: string, params: object, callback?: (err: Error | null, res: unknown) => void): void {
    if (!this.hideToJSON()) return callback?.(new TypeError(TOJSON_LOCKED_MESSAGE), undefined);
    try {
      this.session.post(method, params, callback);
    } finally {
      this.restoreToJSON();
    }
  }

  private async outcome(res: EvaluateResult, objectGroup: string): Promise<EvalOutcome> {
    const details = res.exceptionDetails;
    try {
      if (!details) return inert({ kind: "ok" });
      const { value } = await this.materialize(details.exception ?? res.result);
      return inert({ kind: "exception", value, line: details.lineNumber + 1, column: details.columnNumber + 1 });
    } finally {
      this.post("Runtime.releaseObjectGroup", { objectGroup });
    }
  }

  /** The actual thrown value behind a remote object handle (same isolate, so it is ours to take), boxed. */
  private materialize(remote: RemoteObject): Promise<Box<unknown>> {
    return new PromiseCtor((resolve) => {
      if (remote.objectId === undefined) {
        if (remote.unserializableValue !== undefined) resolve(box(fromUnserializable(remote.unserializableValue)));
        else resolve(box(remote.type === "undefined" ? undefined : remote.value));
        return;
      }
      this.taken = undefined;
      this.post(
        "Runtime.callFunctionOn",
        { objectId: remote.objectId, functionDeclaration: `function () { "use strict"; ${EVALUATOR_GLOBAL}.take(this); }` },
        (err) => resolve(box(err ? new Error(remote.description ?? "unknown error") : this.taken)),
      );
    });
  }
}
