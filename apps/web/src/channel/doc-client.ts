/**
 * The document channel client: one WebSocket to `/api/tessera/documents?path=…`.
 *
 * - On connect the server sends a snapshot; after it, `ops` in version order. The page's
 *   document is {@link DocModel}: the server's truth plus our not-yet-echoed edits.
 * - Edits are applied at once (optimistically) and sent as `ops`; the echo (origin = our
 *   clientId) confirms them.
 * - Cell text is a shared Y.Doc ({@link SharedTextClient}): each keystroke goes out as a
 *   Yjs update at once and merges with every other page's, character by character.
 * - When the socket drops, it reconnects with backoff, takes the new snapshot, and sends
 *   again whatever edits (and text) the snapshot does not already hold.
 */
import type {
  Cell,
  ClientDocOp,
  CompleteReplyContent,
  DocClientMessage,
  DocKernelState,
  DocOp,
  DocSaveState,
  DocServerMessage,
  InspectReplyContent,
} from "@tessera/protocol";
import { backoffDelay, DEFAULT_BACKOFF } from "./backoff.js";
import { DocModel } from "./doc-model.js";
import { RetryTimer, Watchdog } from "./liveness.js";
import { PendingRequests } from "./requests.js";
import { SharedTextClient } from "./shared-text-client.js";
import type { DocClientOptions, DocClientState, InputPrompt, SocketLike } from "./types.js";

export type { ConnectionInfo, ConnectionStatus, DocClientOptions, DocClientState, InputPrompt, SocketLike, Timers } from "./types.js";

type Listener = () => void;

/** A cell another page deleted: what it held just before, and where it was. */
export interface RemoteDelete {
  cell: Cell;
  index: number;
}

const SOCKET_CONNECTING = 0;
const SOCKET_OPEN = 1;
let requestSeq = 0;

export class DocClient {
  readonly model = new DocModel();
  /** The cells' texts, shared with the other pages, and their cursors. */
  readonly text: SharedTextClient;
  private readonly opts: Required<Omit<DocClientOptions, "path">>;
  private path: string;
  private socket: SocketLike | null = null;
  /** A snapshot arrived on the current socket: edits may be sent. */
  private live = false;
  private stopped = true;
  private readonly retry: RetryTimer;
  private readonly watchdog: Watchdog;
  private closedReason: string | undefined;
  /** The server's last error message, kept to explain a refused connection. */
  private lastError: string | undefined;
  /** Recent ops batches by requestId (a partly applied batch is echoed, then refused). */
  private readonly opsIds = new Set<string>();
  private lastResyncAt = -Infinity;
  private clientId: string | null = null;
  private kernel: DocKernelState = { id: null, status: "none" };
  private save: DocSaveState = { dirty: false, lastSaved: null, diskChanged: false };
  private inputs = new Map<string, InputPrompt>();
  private deleted = false;
  private saveWanted = false;
  private readonly deleteListeners = new Set<(d: RemoteDelete) => void>();
  private readonly requests: PendingRequests;
  /** Fire-and-forget commands by requestId, named for the notice if they fail. */
  private readonly commands = new Map<string, string>();
  private readonly listeners = new Set<Listener>();
  private readonly noticeListeners = new Set<(message: string) => void>();
  private state: DocClientState;
  private readonly idPrefix = Math.random().toString(36).slice(2, 8);

  constructor(options: DocClientOptions) {
    this.path = options.path;
    this.opts = {
      url: options.url,
      createSocket: options.createSocket,
      timers: options.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as number) },
      now: options.now ?? Date.now,
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      requestTimeoutMs: options.requestTimeoutMs ?? 5000,
      onConnectFailed: options.onConnectFailed ?? (() => {}),
    };
    this.requests = new PendingRequests(this.opts.timers);
    this.retry = new RetryTimer(this.opts.timers, this.opts.now);
    this.watchdog = new Watchdog(this.opts.timers, this.opts.now);
    this.text = new SharedTextClient(
      (msg) => this.live && this.sendRaw(msg),
      (cellId, source) => {
        this.model.setSourceFromText(cellId, source);
        this.emit();
      },
    );
    this.state = this.buildState();
  }

  // ---- observing -------------------------------------------------------------------

  getState = (): DocClientState => this.state;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Another page deleted a cell (the listener runs before the page's view drops it). */
  onRemoteDelete(listener: (d: RemoteDelete) => void): () => void {
    this.deleteListeners.add(listener);
    return () => this.deleteListeners.delete(listener);
  }

  /** Errors worth telling the user about (a refused edit, a failed command). */
  onNotice(listener: (message: string) => void): () => void {
    this.noticeListeners.add(listener);
    return () => this.noticeListeners.delete(listener);
  }

  // ---- connection --------------------------------------------------------------------

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.retry.clear();
    this.watchdog.stop();
    const socket = this.socket;
    this.dropSocket("closed");
    socket?.close(1000, "page closed");
    this.emit();
  }

  /** Reconnects now instead of waiting for the backoff timer, or for an attempt that hangs. */
  retryNow(): void {
    if (this.stopped || this.live) return;
    const socket = this.socket;
    if (socket) {
      // An attempt still opening is replaced: through a dead tunnel it can be accepted and
      // never answered, and only the watchdog would end it (after 45 s). One that opened is
      // kept: it may be receiving a large snapshot.
      if (socket.readyState !== SOCKET_CONNECTING) return;
      this.dropSocket("retry");
      socket.close(1000, "retry");
    }
    this.retry.clear();
    this.connect();
  }

  private connect(): void {
    this.closedReason = undefined;
    const ws = this.opts.createSocket(this.opts.url(this.path));
    this.socket = ws;
    this.live = false;
    ws.onopen = () => {
      if (ws === this.socket) this.sendRaw({ type: "start_kernel" });
    };
    this.watchdog.start(
      () => {
        this.socket?.close(4001, "no heartbeat");
        this.onClosed(4001, "no heartbeat from the server");
      },
      () => this.socket !== null && !this.stopped,
    );
    ws.onmessage = (ev) => {
      if (ws !== this.socket) return;
      this.watchdog.heard();
      let msg: DocServerMessage;
      try {
        msg = JSON.parse(String(ev.data)) as DocServerMessage;
      } catch {
        return;
      }
      this.handle(msg);
    };
    ws.onclose = (ev) => {
      if (ws === this.socket) this.onClosed(ev.code, ev.reason);
    };
    ws.onerror = () => {};
    this.emit();
  }

  private onClosed(code: number, reason: string): void {
    const neverOpened = !this.live;
    this.dropSocket("connection lost");
    if (neverOpened) this.opts.onConnectFailed?.(this.retry.attempt + 1);
    // 4400-4499: the server refused this document for good (bad path, forbidden).
    if (code >= 4400 && code < 4500) {
      this.stopped = true;
      this.closedReason = this.lastError ?? (reason || `closed (${code})`);
    } else if (!this.stopped) {
      this.scheduleReconnect(backoffDelay(this.retry.attempt, this.opts.backoff));
    }
    this.emit();
  }

  private dropSocket(why: string): void {
    const socket = this.socket;
    this.socket = null;
    this.live = false;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    }
    this.model.markAllUnsent();
    this.inputs = new Map();
    this.requests.rejectAll(why);
    this.commands.clear();
  }

  private scheduleReconnect(delay: number): void {
    this.retry.schedule(delay, () => {
      if (!this.stopped && !this.socket) this.connect();
    });
  }

  /** Our copy no longer matches the server's: drop the socket and take a fresh snapshot. */
  private resync(): void {
    const socket = this.socket;
    const now = this.opts.now();
    const quick = now - this.lastResyncAt > 5000;
    this.lastResyncAt = now;
    this.dropSocket("resync");
    socket?.close(4000, "resync");
    this.scheduleReconnect(quick ? 0 : backoffDelay(this.retry.attempt, this.opts.backoff));
  }

  // ---- incoming ----------------------------------------------------------------------

  private handle(msg: DocServerMessage): void {
    switch (msg.type) {
      case "snapshot": {
        this.lastError = undefined;
        const reconnected = !this.live && this.model.confirmed !== null;
        this.live = true;
        this.retry.attempt = 0;
        this.clientId = msg.clientId;
        this.path = msg.path;
        this.kernel = msg.kernel;
        this.save = msg.save;
        this.model.loadSnapshot(msg.notebook, msg.run ?? {}, msg.version, reconnected);
        this.text.load(msg.text, msg.you, msg.awareness);
        this.sendPending();
        if (this.saveWanted) this.requestSave();
        break;
      }
      case "ops": {
        if (!this.live) return;
        if (msg.origin !== this.clientId) this.tellDeletes(msg.ops);
        const result = this.model.applyRemote(msg, this.clientId);
        if (result === "resync") this.resync();
        else if (result === "stale") return;
        else if (msg.text) this.text.applyRemote(msg.text);
        break;
      }
      case "text":
        if (this.live) this.text.applyRemote(msg.update, msg.gen);
        return;
      case "awareness":
        if (this.live) this.text.applyAwareness(msg.update);
        return;
      case "kernel":
        this.kernel = msg.kernel;
        break;
      case "save":
        this.save = msg.save;
        break;
      case "input_request":
        this.inputs = new Map(this.inputs).set(msg.cellId, { prompt: msg.prompt, password: msg.password });
        break;
      case "input_done": {
        const next = new Map(this.inputs);
        next.delete(msg.cellId);
        this.inputs = next;
        break;
      }
      case "reply":
        this.onReply(msg.requestId, msg.ok, msg.error, msg.result);
        break;
      case "moved":
        if (msg.path === null) this.deleted = true;
        else this.path = msg.path;
        break;
      case "ping":
        return;
      case "error":
        this.lastError = msg.message;
        if (msg.requestId !== undefined) this.onReply(msg.requestId, false, msg.message, undefined);
        else this.notice(msg.message);
        break;
      default:
        return;
    }
    this.emit();
  }

  private onReply(requestId: string, ok: boolean, error: string | undefined, result: unknown): void {
    if (this.requests.settle(requestId, ok, result, error)) return;
    const command = this.commands.get(requestId);
    this.commands.delete(requestId);
    if (ok) return;
    const wasEdit = this.opsIds.delete(requestId);
    if (this.model.reject(requestId) || wasEdit) this.notice(`Edit refused by the server: ${error ?? "unknown error"}`);
    else if (command) this.notice(`${command} failed: ${error ?? "unknown error"}`);
  }

  // ---- outgoing ----------------------------------------------------------------------

  /**
   * Applies edits locally and sends them. A `set_source` of a cell that has its shared text
   * becomes an edit of that text (merged with typing elsewhere), not a whole replacement.
   */
  edit(ops: ClientDocOp[]): void {
    const rest = ops.filter((op) => op.op !== "set_source" || !this.text.replace(op.id, op.source));
    if (rest.length > 0) {
      this.model.addLocal(rest, this.nextId());
      this.sendPending();
    }
    this.emit();
  }

  execute(cellIds: string[]): boolean {
    if (cellIds.length === 0) return true;
    return this.command({ type: "execute", cellIds }, "Run");
  }

  interrupt(): boolean {
    return this.command({ type: "interrupt" }, "Interrupt");
  }

  restart(runAll = false): boolean {
    return this.command({ type: "restart", runAll }, runAll ? "Restart and run all" : "Restart");
  }

  startKernel(): boolean {
    return this.command({ type: "start_kernel" }, "Start kernel");
  }

  /**
   * Saves now; while disconnected, saves right after reconnecting. `force` overwrites a
   * file that changed on disk (only when the user chose to keep this version).
   */
  requestSave(force = false): void {
    if (!this.live) {
      this.saveWanted = true;
      return;
    }
    this.saveWanted = false;
    this.command(force ? { type: "save", force: true } : { type: "save" }, "Save");
  }

  revert(source: "checkpoint" | "disk"): boolean {
    return this.command({ type: "revert", source }, source === "disk" ? "Reload from disk" : "Revert to checkpoint");
  }

  inputReply(value: string): boolean {
    return this.sendIfLive({ type: "input_reply", value });
  }

  complete(cellId: string, code: string, cursorPos: number): Promise<CompleteReplyContent> {
    return this.request({ type: "complete", requestId: this.nextId(), cellId, code, cursorPos }) as Promise<CompleteReplyContent>;
  }

  inspect(cellId: string, code: string, cursorPos: number): Promise<InspectReplyContent> {
    return this.request({ type: "inspect", requestId: this.nextId(), cellId, code, cursorPos }) as Promise<InspectReplyContent>;
  }

  private request(msg: Extract<DocClientMessage, { requestId: string; type: "complete" | "inspect" }>): Promise<unknown> {
    if (!this.live) return Promise.reject(new Error("not connected"));
    const reply = this.requests.add(msg.requestId, this.opts.requestTimeoutMs);
    this.sendRaw(msg);
    return reply;
  }

  private command(
    msg: Exclude<DocClientMessage, { type: "ops" | "complete" | "inspect" | "input_reply" | "text" | "awareness" }>,
    label: string,
  ): boolean {
    const requestId = this.nextId();
    if (!this.sendIfLive({ ...msg, requestId })) {
      this.notice(`${label}: not connected to the server (reconnecting…)`);
      return false;
    }
    this.commands.set(requestId, label);
    return true;
  }

  private tellDeletes(ops: readonly DocOp[]): void {
    const cells = this.model.view?.notebook.cells;
    if (!cells || this.deleteListeners.size === 0) return;
    for (const op of ops) {
      if (op.op !== "delete_cell") continue;
      const index = cells.findIndex((c) => c.id === op.id);
      if (index < 0) continue;
      for (const l of this.deleteListeners) l({ cell: cells[index], index });
    }
  }

  private sendPending(): void {
    if (!this.live) return;
    for (const batch of this.model.pending) {
      if (batch.sent) continue;
      if (!this.sendRaw({ type: "ops", ops: batch.ops, requestId: batch.requestId })) return;
      batch.sent = true;
      this.opsIds.add(batch.requestId);
      if (this.opsIds.size > 500) this.opsIds.delete(this.opsIds.values().next().value as string);
    }
  }

  private sendIfLive(msg: DocClientMessage): boolean {
    return this.live && this.sendRaw(msg);
  }

  private sendRaw(msg: DocClientMessage): boolean {
    const ws = this.socket;
    if (!ws || ws.readyState !== SOCKET_OPEN) return false;
    try {
      ws.send(JSON.stringify(msg));
      return true;
    } catch {
      return false;
    }
  }

  private nextId(): string {
    requestSeq += 1;
    return `${this.idPrefix}-${requestSeq}`;
  }

  private notice(message: string): void {
    for (const l of this.noticeListeners) l(message);
  }

  private buildState(): DocClientState {
    return {
      path: this.path,
      doc: this.model.view,
      version: this.model.version,
      clientId: this.clientId,
      kernel: this.kernel,
      save: this.save,
      connection: {
        status: this.live
          ? "open"
          : this.socket
            ? this.retry.attempt > 0
              ? "reconnecting"
              : "connecting"
            : this.stopped
              ? "closed"
              : "reconnecting",
        attempt: this.retry.attempt,
        retryAt: this.retry.at,
        reason: this.closedReason,
      },
      inputs: this.inputs,
      unsentEdits: this.model.pending.length + (this.text.unsent ? 1 : 0),
      deleted: this.deleted,
    };
  }

  private emit(): void {
    this.state = this.buildState();
    for (const l of this.listeners) l();
  }
}
