/**
 * A notebook page without the browser: the document socket (`/api/tessera/documents`)
 * spoken as apps/web does, with the document kept by the shared reducer. It records what
 * each cell printed in each run, so a test can check every line arrived once and in order.
 */
import { applyOp, type DocKernelState, type DocOp, type DocSaveState, type DocServerMessage, type DocState } from "@tessera/protocol";
import WebSocket from "ws";
import { Waiters } from "./waiters.js";

export interface PageOptions {
  /** ws://127.0.0.1:PORT/ */
  wsBase: string;
  /** Headers that authenticate (token), and the Origin a browser would send. */
  headers: Record<string, string>;
}

/** Everything a cell printed during one run (from `running` to `idle`). */
export interface CellRun {
  cellId: string;
  text: string;
  status: string | undefined;
}

export class PageClient {
  state: DocState | null = null;
  kernel: DocKernelState | null = null;
  save: DocSaveState | null = null;
  readonly finished: CellRun[] = [];
  /** Messages that were not applied cleanly (an op on a missing cell, a version gap). */
  readonly problems: string[] = [];
  private ws!: WebSocket;
  private version = 0;
  private replies = new Map<string, (ok: boolean, error?: string) => void>();
  private readonly waiters = new Waiters();
  private seq = 0;

  private constructor(readonly path: string) {}

  /** Opens the notebook and resolves once its snapshot is in. */
  static async open(opts: PageOptions, path: string): Promise<PageClient> {
    const page = new PageClient(path);
    await page.connect(opts);
    return page;
  }

  private connect(opts: PageOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws = new WebSocket(`${opts.wsBase}api/tessera/documents?path=${encodeURIComponent(this.path)}`, { headers: opts.headers });
      this.ws.on("message", (data: Buffer) => {
        const msg = JSON.parse(data.toString("utf8")) as DocServerMessage;
        this.receive(msg);
        if (msg.type === "snapshot") resolve();
      });
      this.ws.once("error", reject);
      this.ws.once("close", (code) => reject(new Error(`document socket closed (${code}) before a snapshot`)));
    });
  }

  private receive(msg: DocServerMessage): void {
    if (msg.type === "snapshot") {
      this.state = { notebook: msg.notebook, run: msg.run };
      this.version = msg.version;
      this.kernel = msg.kernel;
      this.save = msg.save;
    } else if (msg.type === "kernel") {
      this.kernel = msg.kernel;
    } else if (msg.type === "save") {
      this.save = msg.save;
    } else if (msg.type === "ops") {
      if (msg.version - msg.ops.length !== this.version)
        this.problems.push(`version gap: had ${this.version}, got ops ending at ${msg.version}`);
      this.version = msg.version;
      for (const op of msg.ops) this.apply(op);
      // The page's own ops come back with its requestId: that is their acknowledgement.
      if (msg.requestId) {
        this.replies.get(msg.requestId)?.(true);
        this.replies.delete(msg.requestId);
      }
    } else if (msg.type === "error" && msg.requestId) {
      this.replies.get(msg.requestId)?.(false, msg.message);
      this.replies.delete(msg.requestId);
    } else if (msg.type === "reply") {
      this.replies.get(msg.requestId)?.(msg.ok, msg.error);
      this.replies.delete(msg.requestId);
    }
    this.waiters.wake();
  }

  private apply(op: DocOp): void {
    if (!this.state) return;
    const before = op.op === "set_run_state" ? this.state.run[op.id]?.state : undefined;
    try {
      applyOp(this.state, op);
    } catch (err) {
      this.problems.push(`${op.op}: ${(err as Error).message}`);
      return;
    }
    // A run ends: keep what the cell printed in it.
    if (op.op === "set_run_state" && before === "running" && op.run.state === "idle") {
      this.finished.push({ cellId: op.id, text: this.textOf(op.id), status: op.run.status });
    }
  }

  /** The stream text of a cell's outputs, as the page shows it. */
  textOf(cellId: string): string {
    const cell = this.state?.notebook.cells.find((c) => c.id === cellId);
    if (!cell || cell.cell_type !== "code") return "";
    return cell.outputs
      .filter((o) => o.output_type === "stream")
      .map((o) => [(o as { text: string | string[] }).text].flat().join(""))
      .join("");
  }

  /** Sends a request and resolves with the server's reply. */
  request(msg: Record<string, unknown>): Promise<void> {
    const requestId = `r${++this.seq}`;
    return new Promise((resolve, reject) => {
      this.replies.set(requestId, (ok, error) => (ok ? resolve() : reject(new Error(error))));
      this.ws.send(JSON.stringify({ ...msg, requestId }));
    });
  }

  /** Runs cells and resolves when the last of them has finished (its run state back to idle). */
  async run(cellIds: string[]): Promise<CellRun[]> {
    const from = this.finished.length;
    await this.request({ type: "execute", cellIds });
    await this.until(() => this.finished.slice(from).filter((r) => cellIds.includes(r.cellId)).length >= cellIds.length);
    return this.finished.slice(from);
  }

  /** Resolves when `check` holds (checked on every message). */
  until(check: () => boolean, timeoutMs = 120_000): Promise<void> {
    return this.waiters.until(check, `a condition on page ${this.path}`, timeoutMs);
  }

  close(): void {
    this.ws.removeAllListeners("close");
    this.ws.on("error", () => {});
    this.ws.close();
  }
}
