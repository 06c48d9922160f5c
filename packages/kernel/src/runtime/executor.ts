/**
 * Runs one cell: compile, evaluate in REPL mode under the run's async context, and turn
 * the outcome into a result or an error report. Knows nothing about messages.
 */
import { Evaluator, type EvalOutcome } from "./evaluator.js";
import { ObjectHasOwn, PromisePrototypeThen, StringPrototypeTrim, inert, raceBoxed } from "./primordials.js";
import { withPristineBuiltins } from "./pristine.js";
import { runContext, type Run } from "./run.js";
import { registerCell } from "./stack.js";
import { errorReport, interruptedReport, syntaxErrorReport, type ErrorReport } from "./traceback.js";
import { transpileCell, type TranspiledCell } from "../compile/transpile.js";

export type RunOutcome = { kind: "ok"; result?: { value: unknown } } | { kind: "error"; report: ErrorReport; interrupted: boolean };

export class CellExecutor {
  private evaluator: Evaluator | undefined;
  /** The run being executed now (its reply not sent yet). */
  current: Run | undefined;

  /** Creates the inspector session ahead of the first cell. */
  warm(): void {
    this.evaluator ??= new Evaluator();
  }

  /** Called by compiled code when run `runId` reaches its last expression statement. */
  setResult(runId: number, value: unknown): void {
    if (this.current?.id === runId) this.current.result = { value };
  }

  /**
   * Executes `code` as `run`. Every outcome is an {@link inert} record: this promise
   * settles even after a cell set `Object.prototype.then`.
   */
  async run(run: Run, code: string): Promise<RunOutcome> {
    if (StringPrototypeTrim(code) === "") return inert({ kind: "ok" });
    // The compiler runs with the built-ins the kernel loaded with, whatever cells did to them.
    const prepared = withPristineBuiltins((): RunOutcome | TranspiledCell => {
      let compiled;
      try {
        compiled = transpileCell(code, run.id);
      } catch (err) {
        return { kind: "error", report: errorReport(err), interrupted: false };
      }
      if (compiled.diagnostics.length > 0) {
        return { kind: "error", report: syntaxErrorReport(run.label, code, compiled.diagnostics), interrupted: false };
      }
      registerCell(run.id, run.label, code, compiled.sourceMap);
      this.warm();
      return compiled;
    });
    if (ObjectHasOwn(prepared, "kind")) return inert(prepared as RunOutcome);
    const compiled = prepared as TranspiledCell;
    const evaluator = this.evaluator!;
    this.current = run;
    try {
      const evaluation = runContext.run(run, () => evaluator.evaluate(compiled.js));
      // A cell awaiting a promise that never settles still ends when interrupted.
      const interrupted = PromisePrototypeThen(run.whenInterrupted, (): EvalOutcome => inert({ kind: "terminated" }));
      const { value: outcome } = await raceBoxed([evaluation, interrupted]);
      if (run.interrupted || outcome.kind === "terminated") {
        run.interrupted = true;
        return inert({ kind: "error", report: interruptedReport(), interrupted: true });
      }
      if (outcome.kind === "exception") {
        const report = withPristineBuiltins(() =>
          errorReport(outcome.value, { runId: run.id, line: outcome.line, column: outcome.column }),
        );
        return inert({ kind: "error", report, interrupted: false });
      }
      return inert({ kind: "ok", result: compiled.hasResult ? run.result : undefined });
    } finally {
      this.current = undefined;
    }
  }
}
