import { fork, type ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import type { Readable, Writable } from "node:stream";
import { constants as osConstants } from "node:os";
import type { Channel, FromKernel, JupyterMessage, ToKernel } from "@tessera/protocol";
import { OomKills } from "./oom-kills.js";
import { ProcessGroup } from "./process-group.js";

/** How long a kernel's leftover processes get between SIGTERM and SIGKILL. */
const GROUP_GRACE_MS = 1000;
/** A self-signal note counts for an exit this soon after it. */
const SELF_SIGNAL_WINDOW_MS = 5000;

/** What is known about a kernel's end besides its exit status (see {@link describeExit}). */
export interface ExitContext {
  /** The server sent the signal itself, and why (a start that timed out, a kill). */
  sentByServer?: string | null;
  /** The kernel said, just before, that cell code sent this signal to the kernel itself. */
  selfSignal?: string | null;
  /** Whether the OOM killer struck while the kernel ran; null: cannot tell. */
  oomKill?: boolean | null;
}

/** Why SIGKILL came, in words: the signal itself does not say who sent it. */
function sigkillHint(context: ExitContext): string {
  if (context.sentByServer) return `sent by Tessera (${context.sentByServer})`;
  if (context.selfSignal === "SIGKILL") return "the cell sent SIGKILL to the kernel (process.kill)";
  if (context.oomKill === true) return "probably out of memory (the system's out-of-memory killer ended a process while this kernel ran)";
  if (context.oomKill === false) return "sent by the kernel's own code or another process; not by Tessera, and not for lack of memory";
  return "by another process, or by the system when out of memory";
}

/** How a kernel process ended, in words a user can act on. */
export function describeExit(code: number | null, signal: NodeJS.Signals | null, stderrTail: string, context: ExitContext = {}): string {
  let reason: string;
  if (signal) {
    const hints: Partial<Record<NodeJS.Signals, string>> = {
      SIGSEGV: "segmentation fault (a crash in native code)",
      SIGABRT: "aborted",
      SIGKILL: sigkillHint(context),
      SIGBUS: "bus error (a crash in native code)",
      SIGILL: "illegal instruction",
      SIGFPE: "arithmetic error in native code",
      SIGTERM: "terminated",
    };
    const hint =
      signal !== "SIGKILL" && context.selfSignal === signal ? `the cell sent ${signal} to the kernel (process.kill)` : hints[signal];
    reason = `killed by ${signal}${hint ? `: ${hint}` : ""}`;
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
 *
 * The kernel leads a process group of its own (see process-group.ts): whatever it started
 * ends with it, when it exits for any reason, is shut down, or is killed.
 */
export class KernelProcess extends EventEmitter {
  readonly child: ChildProcess;
  /** The kernel's process group; null when the fork failed. */
  readonly group: ProcessGroup | null;
  private stderrTail = "";
  private exited = false;
  private exitReason: string | null = null;
  /** Why the server sent SIGKILL itself, if it did. */
  private killedBecause: string | null = null;
  private selfSignal: { signal: string; at: number } | null = null;
  private readonly oomKills: OomKills | null;
  /** Resolves when the group's other processes are gone, after the kernel exited. */
  private groupEnded: Promise<void> | null = null;
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
      // setsid(): the kernel leads a new process group (and session), which holds
      // everything it starts. It also leaves the server's terminal: a Ctrl+C there reaches
      // the server, which stops kernels itself.
      detached: true,
    });
    this.group = this.child.pid !== undefined ? new ProcessGroup(this.child.pid) : null;
    this.oomKills = this.child.pid !== undefined ? new OomKills(this.child.pid) : null;
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
      this.kill(`it did not start within ${options.startTimeoutMs ?? 30000} ms`);
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
        } else if (parsed.kind === "self_signal" && typeof parsed.signal === "string") {
          this.selfSignal = { signal: parsed.signal, at: Date.now() };
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
      // What the kernel started and left behind (`sleep 300 &`) goes with it.
      this.groupEnded = this.group ? this.group.terminate(GROUP_GRACE_MS) : Promise.resolve();
      // Let the output pipe drain first so the last messages arrive before "exit".
      const finish = () => {
        const self = this.selfSignal && Date.now() - this.selfSignal.at < SELF_SIGNAL_WINDOW_MS ? this.selfSignal.signal : null;
        this.exitReason = describeExit(code, signal, this.stderrTail, {
          sentByServer: this.killedBecause,
          selfSignal: self,
          oomKill: signal === "SIGKILL" && !this.killedBecause && !self ? (this.oomKills?.happened() ?? null) : null,
        });
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

  /**
   * Asks the kernel to exit; if it has not within `graceMs` (a main thread blocked in
   * `execSync`), SIGTERM to its whole group, then SIGKILL. Resolves when the kernel and
   * every process of its group are gone.
   */
  async shutdown(graceMs = 2000): Promise<void> {
    if (!this.exited) {
      const done = new Promise<void>((res) => this.child.once("exit", () => res()));
      this.send({ kind: "shutdown" });
      const t = setTimeout(() => {
        if (this.exited) return;
        if (!this.group) return this.kill("it did not shut down");
        this.group.signal("SIGTERM");
        const k = setTimeout(() => this.kill(`it did not shut down within ${graceMs + GROUP_GRACE_MS} ms`), GROUP_GRACE_MS);
        this.child.once("exit", () => clearTimeout(k));
      }, graceMs);
      await done;
      clearTimeout(t);
    }
    await this.groupEnded;
  }

  /** SIGKILL to the kernel and every process of its group, now; `because` is how the exit reason will name it. */
  kill(because = "the server stopped it"): void {
    if (!this.exited) this.killedBecause ??= because;
    if (this.group) {
      this.group.killNow();
      return;
    }
    // No pid: the fork failed (EAGAIN, EMFILE), and Node's kill() would signal pid 0, the server's own process group.
    if (!this.exited && this.child.pid !== undefined) {
      try {
        this.child.kill(osConstants.signals.SIGKILL);
      } catch {}
    }
  }
}
