import { EventEmitter } from "node:events";
import { makeMessage, makeReply, type Channel, type JupyterMessage, type KernelExecutionState, type KernelModel } from "@tessera/protocol";
import type { KernelClient } from "./kernel-client.js";
import { KernelProcess } from "./kernel-process.js";
import { ReplayBuffer } from "./replay-buffer.js";

export interface ManagedKernelOptions {
  id: string;
  name: string;
  cwd: string;
  mainPath: string;
  env: NodeJS.ProcessEnv;
  /** Node flags for the kernel process (a heap limit). */
  execArgv?: string[];
  /** The user the kernel belongs to. */
  owner: string;
  /** The uid and gid the process runs as; absent: the server's own. */
  ids?: { uid: number; gid: number } | null;
  log: (level: "info" | "warn" | "error", msg: string) => void;
}

/**
 * A kernel as the server sees it: its process (replaced on restart), the clients watching
 * it, where each reply goes, and what disconnected clients missed.
 * Events: "status" (state), "iopub" (msg), "died" (reason), "restarted".
 */
export class ManagedKernel extends EventEmitter {
  readonly id: string;
  readonly name: string;
  readonly cwd: string;
  /** The user the kernel belongs to. */
  readonly owner: string;
  executionState: KernelExecutionState = "starting";
  lastActivity = new Date();
  /** Why the kernel died, when executionState is "dead". */
  reason: string | undefined;
  private proc!: KernelProcess;
  private readonly clients = new Set<KernelClient>();
  /** request msg_id -> the client that sent it (replies and stdin go back to it). */
  private readonly pending = new Map<string, { client: KernelClient; request: JupyterMessage }>();
  private readonly replay = new ReplayBuffer();
  private readonly session = `server-${Math.random().toString(16).slice(2)}`;
  private readonly busyWith = new Set<string>();
  private shuttingDown = false;
  /** Set by terminate(): the reason the kernel is shown dead with, instead of the signal. */
  private stopReason: string | null = null;
  private restarting = false;

  constructor(private readonly options: ManagedKernelOptions) {
    super();
    this.id = options.id;
    this.name = options.name;
    this.cwd = options.cwd;
    this.owner = options.owner;
  }

  /** Starts the process and resolves once the kernel is ready. */
  async start(): Promise<void> {
    this.reason = undefined;
    this.busyWith.clear();
    this.setState("starting");
    this.stopReason = null;
    const proc = new KernelProcess({
      mainPath: this.options.mainPath,
      cwd: this.cwd,
      env: this.options.env,
      execArgv: this.options.execArgv,
      ids: this.options.ids,
    });
    this.proc = proc;
    proc.on("message", (channel: Channel, msg: JupyterMessage) => {
      if (proc === this.proc) this.fromKernel(channel, msg);
    });
    proc.on("stderr", (t: string) => this.options.log("warn", `kernel ${this.id} stderr: ${t.trimEnd().slice(0, 2000)}`));
    proc.on("exit", (reason: string) => {
      if (proc === this.proc) this.onExit(reason);
    });
    await proc.ready;
    if (this.executionState === "starting") this.setState("idle");
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** The process group of the kernel and everything it started (the kernel leads it). */
  get pgid(): number | undefined {
    return this.proc?.group?.pgid;
  }

  get connections(): number {
    let n = 0;
    for (const c of this.clients) if (!c.sessionId.startsWith("tessera-doc:")) n++;
    return n;
  }

  model(): KernelModel {
    const m: KernelModel = {
      id: this.id,
      name: this.name,
      last_activity: this.lastActivity.toISOString(),
      execution_state: this.executionState,
      connections: this.connections,
    };
    if (this.reason) m.reason = this.reason;
    return m;
  }

  /** Adds a client; a client with a session id seen before gets what it missed. */
  attach(client: KernelClient): { replayed: number; dropped: number } {
    this.clients.add(client);
    const { messages, dropped } = this.replay.take(client.sessionId);
    for (const m of messages) client.deliver(m);
    return { replayed: messages.length, dropped };
  }

  /**
   * Removes a client; unless another is on the same session, hold its messages for replay,
   * starting with `unsent`: what came for it while its socket was already closing.
   */
  detach(client: KernelClient, unsent: readonly JupyterMessage[] = []): void {
    this.clients.delete(client);
    const same = [...this.clients].find((c) => c.sessionId === client.sessionId);
    if (same) {
      // The session is back on another connection, which had the iopub too; replies were for this one.
      for (const m of unsent) if (m.channel !== "iopub") same.deliver(m);
      return;
    }
    this.replay.hold(client.sessionId);
    for (const m of unsent) this.holdForReplay(m, client.sessionId);
  }

  /** A request from a client (already validated for shape and channel). */
  send(msg: JupyterMessage, from: KernelClient): void {
    this.lastActivity = new Date();
    const type = msg.header.msg_type;
    if (this.executionState === "dead") {
      if (msg.channel !== "stdin" && type.endsWith("_request")) {
        from.deliver(
          makeReply(msg, {
            status: "error",
            ename: "KernelDead",
            evalue: `The kernel is dead (${this.reason ?? "unknown reason"}); restart it.`,
            traceback: [],
          }),
        );
      }
      return;
    }
    if (type === "interrupt_request") this.proc.interrupt();
    if (type === "shutdown_request" && (msg.content as { restart?: boolean }).restart === true) {
      this.restart()
        .then(() => from.deliver(makeReply(msg, { status: "ok", restart: true })))
        .catch((e: Error) => from.deliver(makeReply(msg, { status: "error", ename: "RestartFailed", evalue: e.message, traceback: [] })));
      return;
    }
    if (type === "shutdown_request") this.shuttingDown = true;
    // Only requests are held until their reply, which is what clears the entry: comm_open/comm_msg/comm_close
    // get no reply, so they are never held (one would stay, megabytes of content and all, until the kernel dies).
    if (msg.channel !== "stdin" && type.endsWith("_request")) this.pending.set(msg.header.msg_id, { client: from, request: msg });
    if (!this.proc.send({ kind: "jupyter", msg })) {
      this.pending.delete(msg.header.msg_id);
      from.deliver(
        makeReply(msg, { status: "error", ename: "KernelUnavailable", evalue: "the kernel process is not running", traceback: [] }),
      );
    }
  }

  interrupt(): void {
    if (this.executionState !== "dead") this.proc.interrupt();
  }

  /** Replaces the process with a fresh one; the id, clients and their sessions stay. */
  async restart(): Promise<void> {
    this.restarting = true;
    this.broadcastStatus("restarting");
    try {
      await this.proc.shutdown(1000);
      this.failPending("KernelRestarted", "the kernel was restarted");
      await this.start();
      this.emit("restarted");
    } finally {
      this.restarting = false;
    }
  }

  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    await this.proc.shutdown();
    this.replay.clear();
  }

  /**
   * Kills the process now and shows it dead with `reason` (a limit, the teacher): the id
   * stays, so its notebook's page says why, and a restart brings it back.
   */
  terminate(reason: string): void {
    if (this.executionState === "dead") return;
    this.stopReason = reason;
    this.proc.kill();
  }

  /** Kills the process at once (server exit). */
  kill(): void {
    this.shuttingDown = true;
    this.proc?.kill();
  }

  private fromKernel(channel: Channel, msg: JupyterMessage): void {
    msg.channel = channel;
    const parentId = (msg.parent_header as { msg_id?: string }).msg_id;
    if (channel === "iopub") {
      if (msg.header.msg_type === "status") this.trackStatus(msg, parentId);
      this.emit("iopub", msg);
      for (const c of this.clients) c.deliver(msg);
      this.holdForReplay(msg, null);
      return;
    }
    const pending = parentId ? this.pending.get(parentId) : undefined;
    if (pending && msg.header.msg_type.endsWith("_reply")) this.pending.delete(parentId!);
    if (pending) {
      if (this.clients.has(pending.client)) pending.client.deliver(msg);
      else {
        // The client reconnected under the same session: give it to the new connection.
        const same = [...this.clients].find((c) => c.sessionId === pending.client.sessionId);
        if (same) same.deliver(msg);
        else this.holdForReplay(msg, pending.client.sessionId);
      }
    }
  }

  /**
   * The kernel is busy while any request it said "busy" for has not said "idle": an
   * interrupt_request answered (busy/idle) during a long cell must not show it idle.
   */
  private trackStatus(msg: JupyterMessage, parentId: string | undefined): void {
    const state = (msg.content as { execution_state: KernelExecutionState }).execution_state;
    if (state === "busy" && parentId) this.busyWith.add(parentId);
    else if (state === "idle" && parentId) this.busyWith.delete(parentId);
    if (state === "busy" || state === "idle") this.setState(this.busyWith.size > 0 ? "busy" : "idle");
    else this.setState(state);
  }

  private holdForReplay(msg: JupyterMessage, onlySession: string | null): void {
    let size = -1;
    for (const s of this.replay.sessions()) {
      if (onlySession !== null && s !== onlySession) continue;
      // The whole message counts against the buffer's bound, headers and buffers too: a request's
      // header comes back in the parent_header of every message it causes, so a client's megabyte
      // msg_id costs a megabyte in each of them.
      if (size < 0) size = JSON.stringify(msg).length;
      this.replay.add(s, msg, size);
    }
  }

  private onExit(reason: string): void {
    if (this.restarting) return;
    const expected = this.shuttingDown;
    this.reason = expected ? "shut down" : (this.stopReason ?? reason);
    if (!expected) this.options.log("warn", `kernel ${this.id} of ${this.owner} died: ${this.reason}`);
    if (this.stopReason) this.failPending("KernelStopped", `The kernel was ${this.stopReason}`);
    else this.failPending("KernelDied", `The kernel died: ${reason}`);
    this.broadcastStatus("dead");
    this.emit("died", this.reason, expected);
  }

  private failPending(ename: string, evalue: string): void {
    for (const { client, request } of this.pending.values()) {
      client.deliver(makeReply(request, { status: "error", ename, evalue, traceback: [], execution_count: null }));
    }
    this.pending.clear();
  }

  private broadcastStatus(state: KernelExecutionState): void {
    this.setState(state);
    const msg = makeMessage("iopub", "status", { execution_state: state }, { session: this.session });
    this.emit("iopub", msg);
    for (const c of this.clients) c.deliver(msg);
    this.holdForReplay(msg, null);
  }

  private setState(state: KernelExecutionState): void {
    if (this.executionState === "dead" && state !== "starting" && state !== "restarting") return;
    if (state !== this.executionState) {
      this.executionState = state;
      this.emit("status", state);
    }
    this.lastActivity = new Date();
  }
}
