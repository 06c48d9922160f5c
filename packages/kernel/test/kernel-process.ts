/**
 * Test helper: forks the built kernel (`dist/main.js`) exactly as the server does (same
 * stdio layout), sends it Jupyter messages over IPC, and collects what it writes to fd 4.
 */
import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { makeMessage, newId, type Channel, type FromKernel, type JupyterMessage, type ToKernel } from "@tessera/protocol";

export const KERNEL_MAIN_PATH = fileURLToPath(new URL("../dist/main.js", import.meta.url));

export interface Collected {
  reply: JupyterMessage;
  /** iopub messages whose parent is the request, in arrival order (status included). */
  iopub: JupyterMessage[];
}

export interface ExecuteResult extends Collected {
  /** Concatenated stdout text. */
  stdout: string;
  stderr: string;
  /** text/plain of the execute_result, if any. */
  result: string | undefined;
  error: { ename: string; evalue: string; traceback: string[] } | undefined;
}

export class KernelProcess {
  readonly received: FromKernel[] = [];
  readonly child: ChildProcess;
  readonly session = newId();
  readonly startedAt = performance.now();
  readyAt = 0;
  stderrText = "";
  private waiters: Array<() => void> = [];
  private buffer = "";

  private constructor(cwd: string, env?: NodeJS.ProcessEnv) {
    this.child = fork(KERNEL_MAIN_PATH, [], {
      cwd,
      env: env ?? process.env,
      execArgv: [],
      stdio: ["ignore", "pipe", "pipe", "pipe", "pipe", "ipc"],
    });
    const out = this.child.stdio[4] as Readable;
    out.setEncoding("utf8");
    out.on("data", (chunk: string) => this.onData(chunk));
    this.child.stderr?.on("data", (d: Buffer) => (this.stderrText += d.toString()));
    this.child.stdout?.on("data", (d: Buffer) => (this.stderrText += d.toString()));
  }

  /** Starts a kernel in `cwd` and waits for its `ready`. */
  static async start(cwd = process.cwd(), env?: NodeJS.ProcessEnv): Promise<KernelProcess> {
    const k = new KernelProcess(cwd, env);
    await k.waitFor((m) => m.kind === "ready", 10_000);
    k.readyAt = performance.now();
    return k;
  }

  private onData(chunk: string): void {
    // Only the new chunk is searched for the end of the line (a multi-megabyte line would make rescanning quadratic).
    let from = 0;
    let nl: number;
    while ((nl = chunk.indexOf("\n", from)) >= 0) {
      const line = this.buffer + chunk.slice(from, nl);
      this.buffer = "";
      from = nl + 1;
      if (line.trim()) this.received.push(JSON.parse(line) as FromKernel);
    }
    if (from < chunk.length) this.buffer += chunk.slice(from);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves with the first received message (from `from` on) matching `pred`. */
  async waitFor(pred: (m: FromKernel) => boolean, timeoutMs = 10_000, from = 0): Promise<FromKernel> {
    const deadline = Date.now() + timeoutMs;
    for (let i = from; ;) {
      for (; i < this.received.length; i++) if (pred(this.received[i])) return this.received[i];
      if (this.child.exitCode !== null) throw new Error(`kernel exited (${this.child.exitCode}); stderr: ${this.stderrText}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for a kernel message; stderr: ${this.stderrText}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  send(m: ToKernel): void {
    this.child.send(m);
  }

  /** Sends a request and returns it (its header.msg_id identifies replies and outputs). */
  request(msgType: string, content: Record<string, unknown>, channel: Channel = "shell"): JupyterMessage {
    const msg = makeMessage(channel, msgType, content, { session: this.session });
    this.send({ kind: "jupyter", msg });
    return msg;
  }

  /** Messages (iopub and the reply) whose parent is `request`. */
  about(request: JupyterMessage): Array<{ channel: Channel; msg: JupyterMessage }> {
    return this.received.flatMap((m) =>
      m.kind === "jupyter" && (m.msg.parent_header as { msg_id?: string }).msg_id === request.header.msg_id
        ? [{ channel: m.channel, msg: m.msg }]
        : [],
    );
  }

  /** Waits for `request`'s reply and its `status: idle`. */
  async settle(request: JupyterMessage, timeoutMs = 15_000): Promise<Collected> {
    const id = request.header.msg_id;
    const isIdle = (m: FromKernel) =>
      m.kind === "jupyter" &&
      m.channel === "iopub" &&
      m.msg.header.msg_type === "status" &&
      (m.msg.parent_header as { msg_id?: string }).msg_id === id &&
      (m.msg.content as { execution_state?: string }).execution_state === "idle";
    await this.waitFor(isIdle, timeoutMs);
    const all = this.about(request);
    const reply = all.find((m) => m.channel === request.channel)?.msg;
    if (!reply) throw new Error(`no reply to ${request.header.msg_type}`);
    return { reply, iopub: all.filter((m) => m.channel === "iopub").map((m) => m.msg) };
  }

  /** Sends an execute_request. */
  startExecute(code: string, extra: Record<string, unknown> = {}): JupyterMessage {
    return this.request("execute_request", { code, silent: false, store_history: true, allow_stdin: false, stop_on_error: true, ...extra });
  }

  /** Runs a cell and collects what it produced. */
  async execute(code: string, extra: Record<string, unknown> = {}, timeoutMs?: number): Promise<ExecuteResult> {
    return this.collect(this.startExecute(code, extra), timeoutMs);
  }

  async collect(request: JupyterMessage, timeoutMs?: number): Promise<ExecuteResult> {
    const c = await this.settle(request, timeoutMs);
    return summarize(c);
  }

  /** Interrupts as the server does: a byte on fd 3, then `interrupt_request` on control. */
  interrupt(): JupyterMessage {
    (this.child.stdio[3] as Writable).write("i");
    return this.request("interrupt_request", {}, "control");
  }

  /** Shuts the kernel down and waits for the process to exit. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, "exit");
    try {
      this.send({ kind: "shutdown" });
    } catch {}
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** Folds a request's iopub messages into stdout/stderr text, result and error. */
export function summarize(c: Collected): ExecuteResult {
  let stdout = "";
  let stderr = "";
  let result: string | undefined;
  let error: ExecuteResult["error"];
  for (const m of c.iopub) {
    const content = m.content as Record<string, unknown>;
    if (m.header.msg_type === "stream") {
      if (content.name === "stdout") stdout += content.text as string;
      else stderr += content.text as string;
    } else if (m.header.msg_type === "execute_result") {
      result = (content.data as Record<string, string>)["text/plain"];
    } else if (m.header.msg_type === "error") {
      error = content as ExecuteResult["error"];
    }
  }
  return { ...c, stdout, stderr, result, error };
}

/** A message's content, typed as the caller expects it. */
export function contentOf<T>(m: JupyterMessage): T {
  return m.content as unknown as T;
}

/** Removes ANSI colour codes. */
export function plain(text: string): string {
  return stripVTControlCharacters(text);
}

export const repoRoot = path.resolve(fileURLToPath(new URL("../../..", import.meta.url)));
