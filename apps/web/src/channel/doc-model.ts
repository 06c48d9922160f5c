/**
 * The page's copy of a server document.
 *
 * `confirmed` is exactly the server's document: the snapshot plus every server `ops`
 * message, applied in version order (our own edits included, when their echo arrives).
 * `view` is what the page shows: confirmed, then our edits the server has not echoed yet
 * (`pending`). When a server op lands between our edit and its echo, the view is rebuilt
 * from confirmed, so the page always converges on the server's order ("server
 * reconciliation"). Cell text is the exception: it is merged character by character in a
 * shared Y.Doc (shared-text-client.ts), and every change to it, ours or another page's,
 * lands in confirmed at once through {@link DocModel.setSourceFromText}.
 */
import { DocOpError, joinSource, type CellRunState, type ClientDocOp, type DocOp, type DocState, type Notebook } from "@tessera/protocol";
import { applyOpCow, applyOpsCow, forkState } from "./cow.js";

export interface PendingBatch {
  requestId: string;
  ops: ClientDocOp[];
  /** Sent on the current connection (an echo or a rejection will come). */
  sent: boolean;
}

export type RemoteResult =
  /** Applied. */
  | "ok"
  /** Already applied (an old version); ignored. */
  | "stale"
  /** Versions were skipped or an op did not fit: the page must take a fresh snapshot. */
  | "resync";

export interface RemoteOps {
  version: number;
  ops: DocOp[];
  origin?: string;
  requestId?: string;
}

export class DocModel {
  confirmed: DocState | null = null;
  version = -1;
  view: DocState | null = null;
  pending: PendingBatch[] = [];

  /**
   * Takes a snapshot as the new truth. On a new connection (`reconnected`) every pending
   * batch is re-checked against it: edits the server already has are dropped, the rest
   * marked unsent so the client sends them again.
   */
  loadSnapshot(notebook: Notebook, run: Record<string, CellRunState>, version: number, reconnected: boolean): void {
    this.confirmed = { notebook, run };
    this.version = version;
    if (reconnected) this.pending = reconcilePending(this.confirmed, this.pending);
    this.recompute();
  }

  /** Applies a server `ops` message; `clientId` tells our own echoes apart. */
  applyRemote(msg: RemoteOps, clientId: string | null): RemoteResult {
    if (!this.confirmed) return "resync";
    const first = msg.version - msg.ops.length + 1;
    if (msg.version <= this.version) return "stale";
    if (first !== this.version + 1) return "resync";
    try {
      this.confirmed = applyOpsCow(this.confirmed, msg.ops);
    } catch (err) {
      if (err instanceof DocOpError) return "resync";
      throw err;
    }
    this.version = msg.version;
    if (clientId !== null && msg.origin === clientId) this.dropPending(msg.requestId);
    this.recompute();
    return "ok";
  }

  /** Records local edits (shown at once); the caller sends the returned batch. */
  addLocal(ops: ClientDocOp[], requestId: string): PendingBatch {
    const batch: PendingBatch = { requestId, ops, sent: false };
    this.pending.push(batch);
    this.recompute();
    return batch;
  }

  /** The server refused a batch: forget it, and the view rolls back. */
  reject(requestId: string): boolean {
    const i = this.pending.findIndex((b) => b.requestId === requestId);
    if (i < 0) return false;
    this.pending.splice(i, 1);
    this.recompute();
    return true;
  }

  /** A cell's shared text changed (typed here or on another page): its source follows. */
  setSourceFromText(cellId: string, source: string): void {
    if (!this.confirmed) return;
    const cell = this.confirmed.notebook.cells.find((c) => c.id === cellId);
    if (!cell || joinSource(cell.source) === source) return;
    this.confirmed = applyOpsCow(this.confirmed, [{ op: "set_source", id: cellId, source }]);
    this.recompute();
  }

  /** Marks every pending batch unsent (the socket closed before their echoes came). */
  markAllUnsent(): void {
    for (const b of this.pending) b.sent = false;
  }

  private dropPending(requestId: string | undefined): void {
    let i = requestId === undefined ? -1 : this.pending.findIndex((b) => b.requestId === requestId);
    // An echo without a requestId answers the oldest batch we sent.
    if (i < 0 && requestId === undefined) i = this.pending.findIndex((b) => b.sent);
    if (i >= 0) this.pending.splice(i, 1);
  }

  private recompute(): void {
    if (!this.confirmed) {
      this.view = null;
      return;
    }
    if (this.pending.length === 0) {
      this.view = this.confirmed;
      return;
    }
    const view = forkState(this.confirmed);
    for (const batch of this.pending) {
      for (const op of batch.ops) tryApply(view, op);
    }
    this.view = view;
  }
}

/** Optimistic ops that no longer fit (a cell deleted elsewhere) are skipped in the view. */
function tryApply(state: DocState, op: DocOp): boolean {
  try {
    applyOpCow(state, op);
    return true;
  } catch (err) {
    if (err instanceof DocOpError) return false;
    throw err;
  }
}

/** Whether `op` would still change `state` (false: the server already has it, or it cannot apply). */
export function opStillNeeded(state: DocState, op: ClientDocOp): boolean {
  if (op.op === "set_notebook_metadata") return true;
  const id = op.op === "insert_cell" ? op.cell.id : op.id;
  const cells = state.notebook.cells;
  const index = cells.findIndex((c) => c.id === id);
  const cell = index >= 0 ? cells[index] : undefined;
  switch (op.op) {
    case "insert_cell":
      return !cell;
    case "delete_cell":
    case "set_cell_metadata":
      return !!cell;
    case "move_cell":
      return !!cell && index !== op.index;
    case "set_source":
      return !!cell && joinSource(cell.source) !== op.source;
    case "set_cell_type":
      return !!cell && cell.cell_type !== op.cell_type;
    case "clear_outputs":
      return !!cell && cell.cell_type === "code" && cell.outputs.length > 0;
  }
}

/**
 * Re-checks pending batches against a fresh snapshot, in order (a later op may depend on
 * an earlier one, like set_source on a cell the batch inserted), and marks what is left unsent.
 */
export function reconcilePending(snapshot: DocState, pending: readonly PendingBatch[]): PendingBatch[] {
  const state = forkState(snapshot);
  const out: PendingBatch[] = [];
  for (const batch of pending) {
    const ops = batch.ops.filter((op) => opStillNeeded(state, op) && tryApply(state, op));
    if (ops.length > 0) out.push({ requestId: batch.requestId, ops, sent: false });
  }
  return out;
}
