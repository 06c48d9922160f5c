import { randomUUID } from "node:crypto";
import {
  applyOp,
  encodeUpdate,
  joinSource,
  makeMessage,
  sourceHash,
  type CellRunState,
  type DocOp,
  type DocSaveState,
  type DocServerMessage,
  type DocState,
  type JupyterMessage,
  type KernelExecutionState,
  type Notebook,
  type PeerIdentity,
} from "@tessera/protocol";
import type { KernelClient } from "../kernels/kernel-client.js";
import type { ManagedKernel } from "../kernels/managed-kernel.js";
import { AwarenessRelay } from "./awareness-relay.js";
import { holdOutputs, limitOps, releaseOps } from "./output-limits.js";
import { newCellOutputState, opsForIopub, tailOps, type CellOutputState } from "./output-ops.js";
import { SERVER_ORIGIN, SharedCellText } from "./shared-text.js";

/** A page watching the document. */
export interface DocView {
  readonly clientId: string;
  /** The page's user, as other pages see them. */
  readonly identity: PeerIdentity;
  send(msg: DocServerMessage): void;
}

/** Replies of the kernel that mean "the kernel went away", not "the code failed". */
const KERNEL_GONE = new Set(["KernelDied", "KernelStopped", "KernelRestarted", "KernelDead", "KernelUnavailable"]);
/** How often a cell's rolling output tail is sent to pages during a flood. */
const TAIL_FLUSH_MS = 250;
/** How many execute requests' parents are remembered for late output (setTimeout after a cell ended). */
const PARENT_MEMORY = 2000;

/**
 * One open notebook, owned by the server: the cells and outputs, a version counter, the
 * pages watching it and the kernel feeding it. Kernel output is applied here whether or
 * not a page is connected, so a page is only a view.
 */
export class NotebookDocument implements KernelClient {
  readonly sessionId = `tessera-doc:${randomUUID()}`;
  readonly state: DocState;
  version = 0;
  /** Kept by the document's saver; sent in snapshots. */
  save: DocSaveState = { dirty: false, lastSaved: null, diskChanged: false };
  readonly views = new Set<DocView>();
  kernel: ManagedKernel | null = null;
  /** The cells' texts, merged character by character from every page. */
  text: SharedCellText;
  /** The pages' cursors and names. */
  readonly awareness = new AwarenessRelay();
  /** execute_request msg_id -> cell id (kept after the reply for late output). */
  private readonly parents = new Map<string, string>();
  private readonly cellOutput = new Map<string, CellOutputState>();
  /** Other requests (complete, inspect) -> who asked. */
  private readonly asks = new Map<string, { view: DocView; requestId: string }>();
  private input: { cellId: string; prompt: string; password: boolean } | null = null;
  private tailTimer: NodeJS.Timeout | null = null;
  private readonly kernelListeners: Array<[string, (...a: any[]) => void]> = [];

  constructor(
    public path: string,
    notebook: Notebook,
    private readonly onChange: () => void,
  ) {
    this.state = { notebook, run: {} };
    this.text = this.sharedText(notebook);
  }

  // ---- views ------------------------------------------------------------

  snapshot(view: DocView): DocServerMessage {
    return {
      type: "snapshot",
      version: this.version,
      path: this.path,
      clientId: view.clientId,
      notebook: this.state.notebook,
      run: this.state.run,
      kernel: this.kernelState(),
      save: this.save,
      text: this.text.state(),
      you: view.identity,
      ...this.awarenessField(),
    };
  }

  private awarenessField(): { awareness?: string } {
    const all = this.awareness.all();
    return all ? { awareness: all } : {};
  }

  broadcast(msg: DocServerMessage): void {
    for (const v of this.views) v.send(msg);
  }

  /** Applies ops in order; stops at the first that does not fit and throws its error after broadcasting the rest. */
  apply(ops: DocOp[], origin?: string, requestId?: string): void {
    const applied: DocOp[] = [];
    let failure: Error | null = null;
    const textUpdate = this.text.change(() => {
      for (const op of ops) {
        try {
          applied.push(this.applyOne(op));
          // Outputs cleared (by a page, or a cell retyped): streams start afresh.
          if (op.op === "clear_outputs" || op.op === "delete_cell" || op.op === "set_cell_type") this.cellOutput.delete(op.id);
        } catch (err) {
          failure = err as Error;
          break;
        }
      }
    });
    if (applied.length > 0) {
      this.version += applied.length;
      const text = textUpdate ? { text: encodeUpdate(textUpdate) } : {};
      this.broadcast({
        type: "ops",
        version: this.version,
        ops: applied,
        ...(origin ? { origin } : {}),
        ...(requestId ? { requestId } : {}),
        ...text,
      });
      if (applied.some((op) => op.op !== "set_run_state")) this.onChange();
    }
    if (failure) throw failure;
  }

  /** One op, with the cell texts kept in step; returns the op as applied. */
  private applyOne(op: DocOp): DocOp {
    if (op.op === "set_source") {
      if (typeof op.source !== "string") throw new Error("set_source needs a string source");
      // A paste or replace-all merges with typing elsewhere in the cell: the text decides.
      this.text.replace(op.id, op.source);
      op = { ...op, source: this.text.text(op.id) ?? op.source };
    }
    applyOp(this.state, op);
    if (op.op === "insert_cell") this.text.add(op.cell.id, joinSource(op.cell.source));
    else if (op.op === "delete_cell") this.text.remove(op.id);
    return op;
  }

  /** Typing from a page: a Yjs update of generation `gen`, passed on to the other pages. */
  typed(view: DocView, gen: string, update: string): void {
    // An update of a document that a revert replaced is dropped; the page has a new snapshot coming.
    if (gen !== this.text.gen) return;
    this.text.applyFromPage(update, view);
  }

  /** A page's cursor moved (y-protocols awareness update). */
  cursor(view: DocView, update: string): void {
    const out = this.awareness.fromPage(update, view, view.identity);
    if (out) for (const v of this.views) if (v !== view) v.send({ type: "awareness", update: out });
  }

  /** A page left: its cursor disappears from the others. */
  leave(view: DocView): void {
    this.views.delete(view);
    const out = this.awareness.leave(view);
    if (out) this.broadcast({ type: "awareness", update: out });
  }

  private sharedText(notebook: Notebook): SharedCellText {
    const text = new SharedCellText(notebook.cells, (id, source) => {
      const cell = this.state.notebook.cells.find((c) => c.id === id);
      if (!cell || joinSource(cell.source) === source) return;
      cell.source = source;
      this.onChange();
    });
    text.doc.on("update", (update: Uint8Array, origin: unknown) => {
      if (origin === SERVER_ORIGIN) return;
      const msg: DocServerMessage = { type: "text", gen: text.gen, update: encodeUpdate(update) };
      for (const v of this.views) if (v !== origin) v.send(msg);
    });
    return text;
  }

  /** Replaces the whole notebook (revert) and sends every view a fresh snapshot. */
  replaceNotebook(notebook: Notebook): void {
    this.state.notebook = notebook;
    this.state.run = {};
    this.text = this.sharedText(notebook);
    this.version += 1;
    for (const v of this.views) v.send(this.snapshot(v));
  }

  // ---- kernel -----------------------------------------------------------

  kernelState(): { id: string | null; status: KernelExecutionState | "none"; reason?: string } {
    if (!this.kernel) return { id: null, status: "none" };
    return { id: this.kernel.id, status: this.kernel.executionState, ...(this.kernel.reason ? { reason: this.kernel.reason } : {}) };
  }

  attachKernel(kernel: ManagedKernel): void {
    if (this.kernel === kernel) return;
    this.detachKernel();
    this.kernel = kernel;
    kernel.attach(this);
    const on = (event: string, fn: (...a: any[]) => void) => {
      kernel.on(event, fn);
      this.kernelListeners.push([event, fn]);
    };
    on("status", () => this.broadcast({ type: "kernel", kernel: this.kernelState() }));
    on("died", () => this.broadcast({ type: "kernel", kernel: this.kernelState() }));
    this.broadcast({ type: "kernel", kernel: this.kernelState() });
  }

  detachKernel(): void {
    if (!this.kernel) return;
    for (const [event, fn] of this.kernelListeners) this.kernel.off(event, fn);
    this.kernelListeners.length = 0;
    this.kernel.detach(this);
    this.kernel = null;
    this.settleAll("aborted");
    this.broadcast({ type: "kernel", kernel: this.kernelState() });
  }

  /** Queues code cells on the kernel, in order. */
  execute(cellIds: string[]): void {
    if (!this.kernel) throw new Error("no kernel: start one first");
    for (const id of cellIds) {
      const cell = this.state.notebook.cells.find((c) => c.id === id);
      if (!cell) throw new Error(`no cell with id ${id}`);
      if (cell.cell_type !== "code") continue;
      const code = joinSource(cell.source);
      const msg = makeMessage(
        "shell",
        "execute_request",
        { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: true, stop_on_error: true },
        { session: this.sessionId },
      );
      this.remember(msg.header.msg_id, id);
      // A run replaces the cell's outputs (as JupyterLab clears them when it sends the request).
      this.apply([
        { op: "clear_outputs", id },
        { op: "set_run_state", id, run: { ...this.state.run[id], state: "queued", sourceHash: sourceHash(code) } },
      ]);
      this.cellOutput.set(id, newCellOutputState());
      this.kernel.send(msg, this);
    }
  }

  /** Forwards a completion or inspection request; the reply goes to `view`. */
  ask(view: DocView, requestId: string, type: "complete_request" | "inspect_request", content: Record<string, unknown>): void {
    if (!this.kernel) throw new Error("no kernel");
    const msg = makeMessage("shell", type, content, { session: this.sessionId });
    this.asks.set(msg.header.msg_id, { view, requestId });
    this.kernel.send(msg, this);
  }

  answerInput(value: string): void {
    if (!this.kernel || !this.input) return;
    const cellId = this.input.cellId;
    this.input = null;
    this.kernel.send(makeMessage("stdin", "input_reply", { value, status: "ok" }, { session: this.sessionId }), this);
    this.broadcast({ type: "input_done", cellId });
  }

  pendingInput(): { cellId: string; prompt: string; password: boolean } | null {
    return this.input;
  }

  /** KernelClient: everything the kernel sends us. Never throws (it runs in the kernel's event loop). */
  deliver(msg: JupyterMessage): void {
    try {
      this.take(msg);
    } catch (err) {
      // An output that no longer fits the document (its cell was edited meanwhile) is dropped.
      this.broadcast({ type: "error", message: `An output could not be applied: ${(err as Error).message}` });
    }
  }

  private take(msg: JupyterMessage): void {
    const parentId = (msg.parent_header as { msg_id?: string }).msg_id ?? "";
    const type = msg.header.msg_type;
    const ask = this.asks.get(parentId);
    if (ask && type.endsWith("_reply")) {
      this.asks.delete(parentId);
      const ok = (msg.content as { status?: string }).status === "ok";
      ask.view.send({ type: "reply", requestId: ask.requestId, ok, result: msg.content });
      return;
    }
    const cellId = this.parents.get(parentId);
    if (!cellId || !this.state.notebook.cells.some((c) => c.id === cellId)) return;
    if (msg.channel === "stdin" && type === "input_request") {
      const c = msg.content as { prompt?: string; password?: boolean };
      this.input = { cellId, prompt: String(c.prompt ?? ""), password: !!c.password };
      this.broadcast({ type: "input_request", ...this.input });
      return;
    }
    if (type === "execute_reply") return this.finished(cellId, msg);
    if (type === "status") {
      if ((msg.content as { execution_state?: string }).execution_state === "busy" && this.state.run[cellId]?.state === "queued") {
        const hash = this.state.run[cellId]?.sourceHash;
        this.apply([
          { op: "set_run_state", id: cellId, run: { state: "running", startedAt: Date.now(), ...(hash ? { sourceHash: hash } : {}) } },
        ]);
      }
      return;
    }
    let cs = this.cellOutput.get(cellId);
    if (!cs) this.cellOutput.set(cellId, (cs = newCellOutputState()));
    // An update finds its output by display id: outputs held back go into the document first.
    if (type === "update_display_data") this.flushTails();
    const ops = opsForIopub(this.state, cellId, cs, msg);
    // A flooding cell's outputs are held and go out batched (output-limits.ts).
    if (ops.length && cs.tail?.index !== -1 && holdOutputs(this.state, cellId, cs, ops, Date.now())) return this.armFlush();
    if (ops.length) {
      this.flushTails(cellId);
      this.apply(cs.tail?.index === -1 ? ops : [...ops, ...limitOps(this.state, cellId, cs, ops, 0)]);
      // A clear_output from the kernel keeps the cell's flood count.
      this.cellOutput.set(cellId, cs);
    }
    if (cs.tail && cs.tail.index < 0) {
      // The notice and the tail were just appended: remember where they are.
      const cell = this.state.notebook.cells.find((c) => c.id === cellId);
      const n = cell?.cell_type === "code" ? cell.outputs.length : 0;
      cs.tail.index = n - 1;
      cs.tail.noticeIndex = n - 2;
      const trim = limitOps(this.state, cellId, cs, [], 0);
      if (trim.length) this.apply(trim);
    }
    if (cs.tail?.dirty || cs.orphan) this.armFlush();
  }

  private armFlush(): void {
    if (this.tailTimer) return;
    this.tailTimer = setTimeout(() => {
      this.tailTimer = null;
      this.flushTails();
    }, TAIL_FLUSH_MS);
  }

  /** Sends every cell's held outputs and changed output tail (coalesced: a flood costs a few ops a second). */
  private flushTails(cellId?: string): void {
    for (const [id, cs] of [...this.cellOutput]) {
      if (cellId !== undefined && id !== cellId) continue;
      try {
        // Held outputs first: the trim that limits them moves the tail (or drops it).
        for (const next of [() => releaseOps(this.state, id, cs), () => tailOps(this.state, id, cs)]) {
          const ops = next();
          if (!ops.length) continue;
          this.apply(ops);
          this.cellOutput.set(id, cs);
        }
      } catch {
        this.cellOutput.delete(id);
      }
    }
  }

  private finished(cellId: string, msg: JupyterMessage): void {
    const c = msg.content as { status?: string; ename?: string; evalue?: string };
    const run = this.state.run[cellId];
    const ops: DocOp[] = [];
    if (c.status === "error" && c.ename && KERNEL_GONE.has(c.ename) && run?.state === "running") {
      ops.push({
        op: "append_output",
        id: cellId,
        output: { output_type: "error", ename: c.ename, evalue: c.evalue ?? "", traceback: [`${c.ename}: ${c.evalue ?? ""}`] },
      });
    }
    this.flushTails(cellId);
    if (this.input?.cellId === cellId) {
      this.input = null;
      this.broadcast({ type: "input_done", cellId });
    }
    ops.push(...limitOps(this.state, cellId, this.cellOutput.get(cellId) ?? newCellOutputState(), ops, 0));
    const status: CellRunState["status"] = c.status === "ok" ? "ok" : c.status === "aborted" ? "aborted" : "error";
    const startedAt = run?.startedAt;
    const newRun: CellRunState = {
      state: "idle",
      status,
      ...(startedAt && run?.state === "running" ? { startedAt, durationMs: Date.now() - startedAt } : {}),
      ...(run?.sourceHash ? { sourceHash: run.sourceHash } : {}),
    };
    ops.push({ op: "set_run_state", id: cellId, run: newRun });
    this.apply(ops);
  }

  /** Marks every queued or running cell idle (kernel gone). */
  private settleAll(status: CellRunState["status"]): void {
    const ops: DocOp[] = [];
    for (const [id, run] of Object.entries(this.state.run)) {
      if (run.state !== "idle")
        ops.push({ op: "set_run_state", id, run: { state: "idle", status, ...(run.sourceHash ? { sourceHash: run.sourceHash } : {}) } });
    }
    if (ops.length) this.apply(ops);
  }

  private remember(msgId: string, cellId: string): void {
    this.parents.set(msgId, cellId);
    if (this.parents.size > PARENT_MEMORY) this.parents.delete(this.parents.keys().next().value as string);
  }
}
