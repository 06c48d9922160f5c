import { fork, type ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import type { Readable, Writable } from "node:stream";
import { constants as osConstants } from "node:os";
import type { Channel, FromKernel, JupyterMessage, ToKernel } from "@tessera/protocol";

/** How a kernel process ended, in words a user can act on. */
export function describeExit(code: number | null, signal: NodeJS.Signals | null, stderrTail: string): string {
  let reason: string;
  if (signal) {
    const hints: Partial<Record<NodeJS.Signals, string>> = {
      SIGSEGV: "segmentation fault (a crash in native code)",
      SIGABRT: "aborted",
      SIGKILL: "killed (out of memory, or killed by another process)",
      SIGBUS: "bus error (a crash in native code)",
      SIGILL: "illegal instruction",
      SIGFPE: "arithmetic error in native code",
      SIGTERM: "terminated",
    };
    reason = `killed by ${signal}${hints[signal] ? `: ${hints[signal]}` : ""}`;
  } else if (code === 134) {
    reason = "aborted (exit code 134)";
  } else {
    reason = `exited with code ${code}`;
  }
  if (/heap out of memory|Allocation failed/i.test(stderrTail)) reason += "; JavaScript heap out of memory";
  const lastLine = stderrTail.trim().split("\n").filter(Boolean).slice(-1)[0];
  if (lastLine && !signal && code !== 0) reason += ` — ${lastLine.slice(0, 300)}`;
  return reason;
}

export interface KernelProcessOptions {
  mainPath: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Milliseconds to wait for the kernel's `ready` before giving up. */
  startTimeoutMs?: number;
  /** Node flags for the kernel (a heap limit); never the parent's. */
  execArgv?: string[];
  /** Run as this uid and gid (a workshop user's own); absent: the server's. */
  ids?: { uid: number; gid: number } | null;
}

/**
 * One kernel child process and its pipes (see the protocol package's ipc.ts for the
 * layout). Emits "message" (channel, msg), "stdout"/"stderr" (text) and "exit" (reason).
 */
export class KernelProcess extends EventEmitter {
  readonly child: ChildProcess;
  private stderrTail = "";
  private exited = false;
  private exitReason: string | null = null;
  readonly ready: Promise<void>;

  constructor(options: KernelProcessOptions) {
    super();
    this.child = fork(options.mainPath, [], {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe", "pipe", "pipe", "ipc"],
      serialization: "json",
      // Not the parent's flags (a test runner's --import loaders would follow the kernel).
      execArgv: options.execArgv ?? [],
      ...(options.ids ? { uid: options.ids.uid, gid: options.ids.gid } : {}),
    });
    const out = this.child.stdio[4] as Readable;
    /** Chunks of the line not yet ended. */
    const held: string[] = [];
    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    this.ready = new Promise<void>((res, rej) => {
      readyResolve = res;
      readyReject = rej;
    });
    // Keep an unhandled rejection from crashing the server when nobody awaits ready.
    this.ready.catch(() => {});
    const timer = setTimeout(() => {
      readyReject(new Error(`kernel did not start within ${options.startTimeoutMs ?? 30000} ms`));
      this.kill();
    }, options.startTimeoutMs ?? 30000);
    out.setEncoding("utf8");
    out.on("data", (chunk: string) => {
      // Only the new chunk is searched: a line of many megabytes (a live chart's update, a
      // big display) arrives in thousands of chunks, and rescanning what came before is quadratic.
      let from = 0;
      let nl: number;
      while ((nl = chunk.indexOf("\n", from)) >= 0) {
        const line = held.length > 0 ? held.join("") + chunk.slice(from, nl) : chunk.slice(from, nl);
        held.length = 0;
        from = nl + 1;
        if (!line) continue;
        let parsed: FromKernel;
        try {
          parsed = JSON.parse(line) as FromKernel;
        } catch {
          this.emit("stderr", `[kernel sent an unreadable line of ${line.length} bytes]\n`);
          continue;
        }
        if (parsed.kind === "ready") {
          clearTimeout(timer);
          readyResolve();
        } else if (parsed.kind === "jupyter") {
          this.emit("message", parsed.channel as Channel, parsed.msg as JupyterMessage);
        }
      }
      if (from < chunk.length) held.push(from === 0 ? chunk : chunk.slice(from));
    });
    (this.child.stdio[3] as Writable).on("error", () => {});
    this.child.stdout?.setEncoding("utf8");
    this.child.stderr?.setEncoding("utf8");
    this.child.stdout?.on("data", (t: string) => this.emit("stdout", t));
    this.child.stderr?.on("data", (t: string) => {
      this.stderrTail = (this.stderrTail + t).slice(-4000);
      this.emit("stderr", t);
    });
    this.child.on("error", (err) => {
      clearTimeout(timer);
      readyReject(err);
    });
    this.child.on("exit", (code, signal) => {
      clearTimeout(timer);
      this.exited = true;
      // Let the output pipe drain first so the last messages arrive before "exit".
      const finish = () => {
        this.exitReason = describeExit(code, signal, this.stderrTail);
        readyReject(new Error(`kernel ${this.exitReason}`));
        this.emit("exit", this.exitReason, code, signal);
      };
      if (out.readableEnded || out.destroyed) finish();
      else {
        const t = setTimeout(finish, 500);
        out.once("close", () => {
          clearTimeout(t);
          finish();
        });
      }
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.exited;
  }

  /** Sends a message to the kernel; false when the process is gone. */
  send(message: ToKernel): boolean {
    if (this.exited || !this.child.connected) return false;
    try {
      this.child.send(message);
      return true;
    } catch {
      return false;
    }
  }

  /** Interrupts the running cell: one byte on the interrupt pipe (read by a kernel thread). */
  interrupt(): void {
    const pipe = this.child.stdio[3] as Writable | null;
    if (!this.exited && pipe && !pipe.destroyed) pipe.write(Buffer.from([1]));
  }

  /** Asks the kernel to exit, then kills it if it has not within `graceMs`. */
  async shutdown(graceMs = 2000): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((res) => this.child.once("exit", () => res()));
    this.send({ kind: "shutdown" });
    const t = setTimeout(() => this.kill(), graceMs);
    await done;
    clearTimeout(t);
  }

  kill(): void {
    // No pid: the fork failed (EAGAIN, EMFILE), and Node's kill() would signal pid 0, the server's own process group.
    if (!this.exited && this.child.pid !== undefined) {
      try {
        this.child.kill(osConstants.signals.SIGKILL);
      } catch {}
    }
  }
}
