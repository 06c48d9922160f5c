/**
 * `await input("prompt")` and `await input.password("prompt")`: ask the front end for a
 * line of text with a stdin `input_request`, and wait for its `input_reply`.
 */
import type { InputRequestContent, JupyterMessage } from "@tessera/protocol";
import { PromiseCtor, PromisePrototypeThen, StringCtor } from "./primordials.js";
import { InterruptedError, runContext, type Run } from "./run.js";

/** Thrown when the front end that ran the cell does not take input (`allow_stdin: false`). */
export class StdinNotAllowedError extends Error {
  constructor() {
    super("input() is not available: the front end that ran this cell does not accept input (allow_stdin is false)");
    this.name = "StdinNotAllowedError";
  }
}

interface Waiting {
  run: Run;
  resolve(value: string): void;
  reject(err: Error): void;
}

export type InputFunction = ((prompt?: string) => Promise<string>) & {
  /** Like `input`, but the front end hides what is typed. */
  password(prompt?: string): Promise<string>;
};

export class StdinBroker {
  private waiting: Waiting | undefined;

  /** `send` sends the `input_request` on stdin, parented to the run's execute_request. */
  constructor(private readonly send: (run: Run, content: InputRequestContent) => void) {}

  /** Asks for one line of input on behalf of the run whose code is executing. */
  request(prompt: string, password: boolean): Promise<string> {
    return new PromiseCtor<string>((resolve, reject) => {
      const run = runContext.getStore();
      if (!run || run.finished) return reject(new Error("input() can only be used while its cell is running"));
      if (!run.allowStdin) return reject(new StdinNotAllowedError());
      if (run.interrupted) return reject(new InterruptedError());
      if (this.waiting) return reject(new Error("input() is already waiting for an answer"));
      this.waiting = { run, resolve, reject };
      void PromisePrototypeThen(run.whenInterrupted, () => this.cancel(run, new InterruptedError()));
      this.send(run, { prompt, password });
    });
  }

  /** Handles an `input_reply` from the front end. */
  reply(msg: JupyterMessage): void {
    const waiting = this.waiting;
    if (!waiting) return;
    this.waiting = undefined;
    const content = msg.content as { value?: unknown; status?: string };
    if (content.status === "error") waiting.reject(new Error("the front end could not provide input"));
    else waiting.resolve(typeof content.value === "string" ? content.value : StringCtor(content.value ?? ""));
  }

  /** Gives up waiting on behalf of `run` (it was interrupted or ended). */
  cancel(run: Run, reason: Error): void {
    if (this.waiting?.run !== run) return;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting.reject(reason);
  }

  /** The global `input` function. */
  inputFunction(): InputFunction {
    return Object.assign((prompt = "") => this.request(StringCtor(prompt), false), {
      password: (prompt = "") => this.request(StringCtor(prompt), true),
    });
  }
}
