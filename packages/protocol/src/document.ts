/**
 * The document channel: a notebook's live document, owned by the server.
 *
 * The server holds each open notebook (cells and outputs), applies kernel output to it
 * whether or not a page is watching, and saves it. A page is a view: on connect it gets a
 * snapshot at version V, then every operation after V, in order, each exactly once.
 *
 * WebSocket: `GET /api/tessera/documents?path=<notebook path>` (same auth as the rest).
 */
import type { KernelExecutionState } from "./messages.js";
import type { Cell, Notebook, Output } from "./nbformat.js";
import type { PeerIdentity, SharedTextState } from "./shared-text.js";

/** The run state of one code cell, kept beside the nbformat cell (not saved to disk). */
export interface CellRunState {
  state: "idle" | "queued" | "running";
  /** Epoch ms when the last run started. */
  startedAt?: number;
  /** How long the last finished run took, in ms. */
  durationMs?: number;
  /** Outcome of the last finished run. */
  status?: "ok" | "error" | "aborted";
  /** {@link sourceHash} of the source the last run executed: outputs of a cell edited since are stale. */
  sourceHash?: string;
}

/** One edit of the document. Ops marked "server" are produced only by the server. */
export type DocOp =
  | { op: "insert_cell"; index: number; cell: Cell }
  | { op: "delete_cell"; id: string }
  | { op: "move_cell"; id: string; index: number }
  /** A whole-text replacement (paste, find-and-replace); the server applies it to the shared text as a minimal edit. Typing travels as `text` updates. */
  | { op: "set_source"; id: string; source: string }
  | { op: "set_cell_type"; id: string; cell_type: Cell["cell_type"] }
  | { op: "set_cell_metadata"; id: string; metadata: Record<string, unknown> }
  /** Removes the cell's outputs (the execution count stays, as in JupyterLab). */
  | { op: "clear_outputs"; id: string }
  | { op: "set_notebook_metadata"; metadata: Notebook["metadata"] }
  /** server: a new output at the end of the cell's outputs. */
  | { op: "append_output"; id: string; output: Output }
  /** server: text appended to the cell's last output, which is a stream of that name. */
  | { op: "append_stream"; id: string; name: "stdout" | "stderr"; text: string }
  /** server: replace the output at `index` (update_display_data, capped streams); a live chart's append is merged (chart.ts). */
  | { op: "replace_output"; id: string; index: number; output: Output }
  /** server: keep the cell's last `keep` outputs, the notice at the top saying `hidden` earlier ones were not kept (none when 0); see trimOutputs. */
  | { op: "trim_outputs"; id: string; keep: number; hidden: number }
  /** server: the cell's execution_count. */
  | { op: "set_execution_count"; id: string; count: number | null }
  /** server: the cell's run state. */
  | { op: "set_run_state"; id: string; run: CellRunState };

/** Ops a page may send. */
export type ClientDocOp = Extract<
  DocOp,
  {
    op:
      | "insert_cell"
      | "delete_cell"
      | "move_cell"
      | "set_source"
      | "set_cell_type"
      | "set_cell_metadata"
      | "clear_outputs"
      | "set_notebook_metadata";
  }
>;

export interface DocKernelState {
  /** Kernel id, or null when no kernel is attached yet. */
  id: string | null;
  status: KernelExecutionState | "none";
  /** Why the kernel died, when status is "dead". */
  reason?: string;
}

export interface DocSaveState {
  /** Unsaved changes exist. */
  dirty: boolean;
  /** ISO time of the last successful save or load. */
  lastSaved: string | null;
  /** The file on disk changed since the server last read or wrote it. */
  diskChanged: boolean;
  /** The last save failed with this message. */
  error?: string;
}

export type DocServerMessage =
  | {
      type: "snapshot";
      version: number;
      path: string;
      clientId: string;
      notebook: Notebook;
      run: Record<string, CellRunState>;
      kernel: DocKernelState;
      save: DocSaveState;
      /** Cell texts as a shared Yjs document (see shared-text.ts). */
      text: SharedTextState;
      /** This page, as other pages see it. */
      you: PeerIdentity;
      /** Every page's awareness state (cursors, names) as one y-protocols awareness update, base64. */
      awareness?: string;
    }
  /**
   * Ops applied at versions `version - ops.length + 1 .. version`; `origin` is the sender's
   * clientId. `text` is the Yjs update the ops made to the cell texts (a new cell's text, a
   * deleted one), to apply right after the ops.
   */
  | { type: "ops"; version: number; ops: DocOp[]; origin?: string; requestId?: string; text?: string }
  /** Cell text typed on another page: a Yjs update of generation `gen`. */
  | { type: "text"; gen: string; update: string }
  /** Cursors and names of the other pages: a y-protocols awareness update. */
  | { type: "awareness"; update: string }
  | { type: "kernel"; kernel: DocKernelState }
  | { type: "save"; save: DocSaveState }
  /** The kernel asks for input while running `cellId`. Answer with `input_reply`. */
  | { type: "input_request"; cellId: string; prompt: string; password: boolean }
  /** Input was answered (by any page) or abandoned: hide the prompt. */
  | { type: "input_done"; cellId: string }
  /** Answer to a client request that carried a requestId. */
  | { type: "reply"; requestId: string; ok: boolean; error?: string; result?: unknown }
  /** The notebook was renamed or deleted on the server. */
  | { type: "moved"; path: string | null }
  | { type: "error"; message: string; requestId?: string }
  /** Sent every 15 s so a page can tell a dead tunnel from a quiet notebook. */
  | { type: "ping" };

export type DocClientMessage =
  | { type: "ops"; ops: ClientDocOp[]; requestId?: string }
  /** Typing: a Yjs update of the cell texts, of generation `gen` (an older generation is dropped). */
  | { type: "text"; gen: string; update: string }
  /** This page's cursor and name: a y-protocols awareness update of its own client id. */
  | { type: "awareness"; update: string }
  /** Queue code cells to run, in the order given. */
  | { type: "execute"; cellIds: string[]; requestId?: string }
  | { type: "interrupt"; requestId?: string }
  /** Restart the kernel; with runAll, then run every code cell. */
  | { type: "restart"; runAll?: boolean; requestId?: string }
  /** Start a kernel for this notebook if none is attached. */
  | { type: "start_kernel"; requestId?: string }
  /**
   * Save now and make a checkpoint. Without `force`, a file changed on disk since it was
   * read is not overwritten: the reply fails and `save.diskChanged` is set.
   */
  | { type: "save"; force?: boolean; requestId?: string }
  /** Replace the document with the file's latest checkpoint (or the file on disk: `source: "disk"`). */
  | { type: "revert"; source: "checkpoint" | "disk"; requestId?: string }
  | { type: "input_reply"; value: string }
  /** Completions at `cursorPos` in `code` (the reply's result is a CompleteReplyContent). */
  | { type: "complete"; requestId: string; cellId: string; code: string; cursorPos: number }
  /** Hover/inspect at `cursorPos` (the reply's result is an InspectReplyContent). */
  | { type: "inspect"; requestId: string; cellId: string; code: string; cursorPos: number };
