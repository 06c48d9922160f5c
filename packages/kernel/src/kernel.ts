/**
 * The kernel: receives {@link ToKernel} messages, runs shell requests one at a time (as
 * ipykernel does), answers control and stdin messages at once, and brackets every request
 * with `status: busy` / `status: idle`.
 */
import { stripVTControlCharacters } from "node:util";
import type { ExecuteRequestContent, JupyterMessage, ToKernel } from "@tessera/protocol";
import { isComplete } from "./compile/is-complete.js";
import { CellLanguageService } from "./compile/language-service.js";
import { transpileCell } from "./compile/transpile.js";
import { ts } from "./compile/typescript.js";
import { lockFunctionApply } from "./runtime/apply-lock.js";
import { captureConsole } from "./runtime/console.js";
import { createDisplay, isDisplayHandle, mimeBundle, plainText } from "./runtime/display.js";
import { CellExecutor, type RunOutcome } from "./runtime/executor.js";
import { StdinBroker } from "./runtime/input.js";
import { InterruptSignal } from "./runtime/interrupt.js";
import { logKernel } from "./runtime/log.js";
import { KERNEL_DIR } from "./runtime/own-code.js";
import {
  ArrayPrototypeIndexOf,
  ArrayPrototypeJoin,
  ArrayPrototypePush,
  ArrayPrototypeShift,
  ArrayPrototypeSplice,
  DateNow,
  MathMax,
  PromiseCtor,
  PromisePrototypeThen,
  ReflectSetPrototypeOf,
  SetImmediate,
  SetTimeout,
  StringPrototypeCharCodeAt,
  StringPrototypeTrim,
  isPromise,
  raceBoxed,
} from "./runtime/primordials.js";
import { withPristineBuiltins } from "./runtime/pristine.js";
import { InterruptedError, Run, runContext } from "./runtime/run.js";
import { installRuntime } from "./runtime/runtime.js";
import { installStackTraces } from "./runtime/stack.js";
import { CellTimers } from "./runtime/timers.js";
import { errorReport } from "./runtime/traceback.js";
import { evaluateUserExpressions } from "./runtime/user-expressions.js";
import type { Wire } from "./runtime/wire.js";
import { History } from "./history.js";
import { kernelInfo } from "./info.js";
import { Publisher } from "./publisher.js";

/** How long the kernel must sit idle before it builds the language service in advance. */
const WARM_LANGUAGE_SERVICE_AFTER_MS = 1500;

export class Kernel {
  readonly publisher: Publisher;
  private readonly executor = new CellExecutor();
  private readonly history = new History();
  /** Code of every cell run, for the language service (silent runs included: they declare too). */
  private readonly cellSources: string[] = [];
  private readonly stdin: StdinBroker;
  private readonly interrupts: InterruptSignal;
  private languageService: CellLanguageService | undefined;
  private queue: JupyterMessage[] = [];
  private busy = false;
  /** An execution failed: abort the execute_requests queued behind it. */
  private abortQueued = false;
  private executionCount = 0;
  private runIds = 0;
  private lastActivity = Date.now();
  private lastInterruptAt = 0;
  /** The run of the execute_request being handled, until its reply is sent. */
  private activeRun: Run | undefined;
  /** Timers cells left running: an interrupt while idle stops them (runtime/timers.ts). */
  private readonly timers = new CellTimers((run, text) => this.publisher.streams.write(run, "stderr", text));

  constructor(wire: Wire) {
    this.publisher = new Publisher(wire);
    this.stdin = new StdinBroker((run, content) => this.publisher.send("stdin", "input_request", content, run.request));
    this.interrupts = new InterruptSignal(() => this.onInterrupt());
  }

  /**
   * Installs the cell globals and handlers, handles the requests that arrived while the
   * kernel loaded (`ready` was sent before), then warms up in the background.
   */
  start(early: readonly ToKernel[] = []): void {
    lockFunctionApply();
    installStackTraces();
    installRuntime({
      flag: this.interrupts.flag,
      interrupted: () => this.interruptedByCheck(),
      setResult: (runId, value) => this.executor.setResult(runId, value),
    });
    this.timers.install();
    captureConsole((name, text) => this.publisher.stream(name, text));
    const globals: Record<string, unknown> = {
      display: createDisplay({
        display: (data, metadata, displayId, update) =>
          this.publisher.publish(update ? "update_display_data" : "display_data", { data, metadata, transient: { display_id: displayId } }),
      }),
      input: this.stdin.inputFunction(),
      clearOutput: (options?: { wait?: boolean }) => this.publisher.publish("clear_output", { wait: options?.wait === true }),
    };
    for (const [name, value] of Object.entries(globals)) {
      Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
    }
    process.on("message", (m: ToKernel) => this.receive(m));
    process.on("disconnect", () => this.exit(0));
    process.on("uncaughtException", (err) => this.reportBackgroundError(err));
    process.on("unhandledRejection", (reason) => this.reportBackgroundError(reason));
    process.on("exit", () => this.publisher.streams.drain());
    // Before any cell can run: a first cell that spins at once must still hear interrupts.
    this.interrupts.start();
    for (const m of early) this.receive(m);
    setTimeout(() => this.warmUp(), 0);
  }

  /**
   * Loads TypeScript and the inspector session now, and builds the language service
   * (~1.3 s of CPU) once the kernel has been idle a while, so neither lands on a request.
   */
  private warmUp(): void {
    // A first cell may have run already, and changed the built-ins the compiler uses.
    withPristineBuiltins(() => {
      ts();
      // The first transpile JIT-compiles TypeScript's emitter: do it before a cell waits on it.
      transpileCell("const warm: number = 1;\nwarm", 0);
      this.executor.warm();
    });
    const check = (): void => {
      const idleFor = DateNow() - this.lastActivity;
      if (this.busy || idleFor < WARM_LANGUAGE_SERVICE_AFTER_MS) {
        SetTimeout(check, MathMax(100, WARM_LANGUAGE_SERVICE_AFTER_MS - idleFor)).unref();
        return;
      }
      try {
        withPristineBuiltins(() => this.lsp().warm());
      } catch (err) {
        logKernel(`language service warm-up failed: ${String(err)}`);
      }
    };
    SetTimeout(check, WARM_LANGUAGE_SERVICE_AFTER_MS).unref();
  }

  private lsp(): CellLanguageService {
    this.languageService ??= new CellLanguageService(() => this.cellSources, KERNEL_DIR);
    return this.languageService;
  }

  /** Handles one message from the server. */
  receive(m: ToKernel): void {
    this.lastActivity = DateNow();
    if (m?.kind === "shutdown") return this.exit(0);
    if (m?.kind !== "jupyter" || typeof m.msg?.header?.msg_type !== "string") {
      logKernel(`ignored a malformed message from the server`);
      return;
    }
    const msg = m.msg;
    msg.content ??= {};
    // Read as sent: a field the client left out must not come from a polluted Object.prototype.
    if (typeof msg.content === "object" && msg.content !== null) ReflectSetPrototypeOf(msg.content, null);
    if (msg.channel === "stdin") {
      if (msg.header.msg_type === "input_reply") this.stdin.reply(msg);
      return;
    }
    if (msg.channel === "control") {
      void this.handle(msg);
      return;
    }
    if (msg.channel !== "shell") {
      logKernel(`ignored a ${msg.header.msg_type} on channel ${String(msg.channel)}`);
      return;
    }
    ArrayPrototypePush(this.queue, msg);
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (let msg = ArrayPrototypeShift(this.queue); msg; msg = ArrayPrototypeShift(this.queue)) {
        await this.handle(msg);
        // Synchronously after the failed request's idle: nothing sent after the client saw
        // its reply can be in the queue yet.
        if (this.abortQueued) this.abortQueue();
      }
    } finally {
      this.busy = false;
      this.lastActivity = DateNow();
    }
  }

  /** One request between `busy` and `idle`. */
  private async handle(msg: JupyterMessage): Promise<void> {
    this.publisher.status("busy", msg);
    try {
      await this.dispatch(msg);
    } catch (err) {
      const report = withPristineBuiltins(() => {
        logKernel(`${msg.header.msg_type} failed: ${err instanceof Error ? err.stack : String(err)}`);
        return errorReport(err);
      });
      this.publisher.reply(msg, { status: "error", ...report });
    } finally {
      this.publisher.status("idle", msg);
    }
    if (msg.header.msg_type === "shutdown_request") this.exit(0);
  }

  private async dispatch(msg: JupyterMessage): Promise<void> {
    const c = msg.content as Record<string, unknown>;
    const code = typeof c.code === "string" ? c.code : "";
    const cursor = typeof c.cursor_pos === "number" ? c.cursor_pos : codePointCount(code);
    // Library code (TypeScript, the language service) runs with the built-ins as loaded.
    const answer = (content: () => unknown): void => this.publisher.reply(msg, withPristineBuiltins(content));
    switch (msg.header.msg_type) {
      case "kernel_info_request":
        return answer(() => kernelInfo());
      case "execute_request":
        // Awaited, not returned: returning a promise from an async function calls its
        // `then`, which a cell may have replaced on Promise.prototype.
        await this.execute(msg);
        return;
      case "complete_request":
        return answer(() => this.lsp().complete(code, cursor));
      case "inspect_request":
        return answer(() => this.lsp().inspect(code, cursor));
      case "is_complete_request":
        return answer(() => isComplete(code));
      case "history_request":
        return answer(() => this.history.query(c));
      case "comm_info_request":
        return this.publisher.reply(msg, { status: "ok", comms: {} });
      case "comm_open":
        // No comm targets exist: close it, as ipykernel does for unknown targets.
        return this.publisher.publish("comm_close", { comm_id: c.comm_id, data: {} }, msg);
      case "comm_msg":
      case "comm_close":
        return;
      case "interrupt_request":
        this.publisher.reply(msg, { status: "ok" });
        // The server also writes a byte to fd 3 for this click; do not count it twice.
        if (DateNow() - this.lastInterruptAt > 250) {
          this.interrupts.raise();
          this.onInterrupt();
        }
        return;
      case "shutdown_request":
        return this.publisher.reply(msg, { status: "ok", restart: c.restart === true });
      default:
        return this.publisher.reply(msg, {
          status: "error",
          ename: "UnknownMessageType",
          evalue: `unknown message type: ${msg.header.msg_type}`,
          traceback: [],
        });
    }
  }

  private async execute(msg: JupyterMessage): Promise<void> {
    const content = msg.content as Partial<ExecuteRequestContent>;
    const code = typeof content.code === "string" ? content.code : "";
    const silent = content.silent === true;
    const storeHistory = !silent && content.store_history !== false;
    if (storeHistory) this.executionCount++;
    const count = this.executionCount;
    if (!silent) this.publisher.publish("execute_input", { code, execution_count: count }, msg);
    if (storeHistory) this.history.add(count, code);
    if (StringPrototypeTrim(code) !== "") {
      // A cell run again moves to the end: the language service sees it once, latest last.
      const previous = ArrayPrototypeIndexOf(this.cellSources, code);
      if (previous >= 0) ArrayPrototypeSplice(this.cellSources, previous, 1);
      ArrayPrototypePush(this.cellSources, code);
    }

    const run = new Run(++this.runIds, msg, storeHistory ? `In[${count}]` : "In[-]", content.allow_stdin === true);
    this.publisher.lastRun = run;
    this.activeRun = run;
    let outcome: RunOutcome;
    try {
      outcome = await this.executor.run(run, code);
      // What the cell printed past the stream cap goes out before its result and reply.
      this.publisher.streams.finishRun(run);
      const result = outcome.kind === "ok" ? outcome.result : undefined;
      if (result && result.value !== undefined && !isDisplayHandle(result.value) && !silent) {
        try {
          // A result's own display method may be async; an interrupt still ends the wait.
          // Boxed: the bundle is a plain object, and resolving a promise with it would call
          // an Object.prototype.then a cell set.
          const bundle = runContext.run(run, () => mimeBundle(result.value));
          const interrupted = (): Promise<never> =>
            PromisePrototypeThen(run.whenInterrupted, (): never => {
              throw new InterruptedError();
            });
          const data = isPromise(bundle) ? (await raceBoxed([bundle, interrupted()])).value.value : bundle;
          this.publisher.publish("execute_result", { execution_count: count, data, metadata: {} }, msg);
          if (storeHistory) this.history.setOutput(count, plainText(data["text/plain"] ?? ""));
        } catch (err) {
          outcome = { kind: "error", report: withPristineBuiltins(() => errorReport(err)), interrupted: err instanceof InterruptedError };
        }
      }
    } finally {
      this.activeRun = undefined;
      this.publisher.streams.finishRun(run);
    }
    run.finished = true;
    this.stdin.cancel(run, new Error("the cell finished before input() was answered"));
    if (outcome.kind === "ok") {
      const userExpressions = evaluateUserExpressions(content.user_expressions);
      this.publisher.reply(msg, { status: "ok", execution_count: count, user_expressions: userExpressions, payload: [] });
      return;
    }
    this.publisher.publish("error", outcome.report, msg);
    if (outcome.interrupted) this.interrupts.clear();
    if (outcome.interrupted || content.stop_on_error !== false) {
      // As ipykernel does, abort what was sent before the client could know of the error:
      // let the IPC pipe drain into the queue before replying, abort the queue after.
      await new PromiseCtor<void>((resolve) => SetImmediate(() => SetImmediate(resolve)));
      this.abortQueued = true;
    }
    this.publisher.reply(msg, { status: "error", execution_count: count, ...outcome.report });
  }

  /** Aborts the queued execute_requests (other requests still run). */
  private abortQueue(): void {
    this.abortQueued = false;
    const queued = this.queue;
    this.queue = [];
    const aborted: JupyterMessage[] = [];
    for (let i = 0; i < queued.length; i++)
      ArrayPrototypePush(queued[i].header.msg_type === "execute_request" ? aborted : this.queue, queued[i]);
    for (let i = 0; i < aborted.length; i++) this.abort(aborted[i]);
  }

  private abort(msg: JupyterMessage): void {
    this.publisher.status("busy", msg);
    this.publisher.reply(msg, { status: "aborted", execution_count: this.executionCount });
    this.publisher.status("idle", msg);
  }

  /** An interrupt reached the main thread while it was free (idle, or a cell awaiting). */
  private onInterrupt(): void {
    if (!this.interrupts.pending) return;
    this.lastInterruptAt = DateNow();
    const run = this.activeRun;
    if (run)
      run.interrupt(); // the flag is cleared when the run has ended
    else if (this.interrupts.clearIdle()) this.timers.stopAll();
  }

  /** A check in cell code saw the flag: stop whatever runs now. */
  private interruptedByCheck(): never {
    this.lastInterruptAt = DateNow();
    runContext.getStore()?.interrupt();
    this.activeRun?.interrupt();
    throw new InterruptedError();
  }

  /** An error no cell awaited (a timer callback threw, a promise rejected unhandled). */
  private reportBackgroundError(err: unknown): void {
    // Leftover steps of an interrupted cell stop this way on purpose.
    if (err instanceof InterruptedError) return;
    try {
      const report = withPristineBuiltins(() => errorReport(err));
      const text = stripVTControlCharacters(ArrayPrototypeJoin(report.traceback, "\n"));
      this.publisher.stream("stderr", `Uncaught error in a callback: ${text}\n`);
    } catch {
      logKernel(`uncaught: ${String(err)}`);
    }
  }

  private exit(code: number): void {
    this.publisher.streams.drain();
    process.exit(code);
  }
}

/** Length in code points (what Jupyter's cursor_pos counts), without the string iterator a cell may have replaced. */
function codePointCount(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = StringPrototypeCharCodeAt(text, i);
    // A high surrogate followed by a low one is one code point.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = StringPrototypeCharCodeAt(text, i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}
