import type { DocOp, DocState, JupyterMessage, Output } from "@tessera/protocol";
import { joinSource } from "@tessera/protocol";

/** Stream text kept per cell; past it output is counted, not kept (the page and the file stay small). */
export const STREAM_CAP_BYTES = 2 * 1024 * 1024;

/** Per-cell bookkeeping while kernel output is applied to it. */
export interface CellOutputState {
  /** clear_output(wait=true) seen: clear just before the next output. */
  clearPending: boolean;
  streamBytes: number;
  droppedBytes: number;
}

export function newCellOutputState(): CellOutputState {
  return { clearPending: false, streamBytes: 0, droppedBytes: 0 };
}

function outputFrom(msg: JupyterMessage): Output | null {
  const c = msg.content as Record<string, any>;
  switch (msg.header.msg_type) {
    case "display_data":
      return { output_type: "display_data", data: c.data ?? {}, metadata: c.metadata ?? {}, ...(c.transient?.display_id ? { transient: { display_id: String(c.transient.display_id) } } : {}) };
    case "execute_result":
      return {
        output_type: "execute_result",
        execution_count: c.execution_count ?? null,
        data: c.data ?? {},
        metadata: c.metadata ?? {},
        ...(c.transient?.display_id ? { transient: { display_id: String(c.transient.display_id) } } : {}),
      };
    case "error":
      return { output_type: "error", ename: String(c.ename ?? "Error"), evalue: String(c.evalue ?? ""), traceback: Array.isArray(c.traceback) ? c.traceback.map(String) : [] };
    default:
      return null;
  }
}

/**
 * Turns one iopub message for the cell `cellId` into document ops (not yet applied).
 * Handles stream coalescing and capping, clear_output(wait) and update_display_data.
 */
export function opsForIopub(state: DocState, cellId: string, cs: CellOutputState, msg: JupyterMessage): DocOp[] {
  const ops: DocOp[] = [];
  const type = msg.header.msg_type;
  const c = msg.content as Record<string, any>;
  const producesOutput = type === "stream" || type === "display_data" || type === "execute_result" || type === "error";
  if (cs.clearPending && producesOutput) {
    cs.clearPending = false;
    cs.streamBytes = 0;
    ops.push({ op: "clear_outputs", id: cellId });
  }
  if (type === "stream") {
    const name = c.name === "stderr" ? "stderr" : "stdout";
    const text = typeof c.text === "string" ? c.text : "";
    const room = STREAM_CAP_BYTES - cs.streamBytes;
    if (room <= 0) {
      cs.droppedBytes += text.length;
      return ops;
    }
    const kept = text.length > room ? text.slice(0, room) : text;
    cs.streamBytes += kept.length;
    if (kept.length < text.length) cs.droppedBytes += text.length - kept.length;
    ops.push({ op: "append_stream", id: cellId, name, text: kept });
    return ops;
  }
  if (type === "clear_output") {
    if (c.wait) cs.clearPending = true;
    else {
      cs.streamBytes = 0;
      ops.push({ op: "clear_outputs", id: cellId });
    }
    return ops;
  }
  if (type === "update_display_data") {
    const displayId = c.transient?.display_id;
    if (!displayId) return ops;
    for (const cell of state.notebook.cells) {
      if (cell.cell_type !== "code") continue;
      cell.outputs.forEach((o, index) => {
        if ((o.output_type === "display_data" || o.output_type === "execute_result") && o.transient?.display_id === displayId) {
          ops.push({ op: "replace_output", id: cell.id, index, output: { ...o, data: c.data ?? {}, metadata: c.metadata ?? {} } });
        }
      });
    }
    return ops;
  }
  if (type === "execute_input") {
    if (typeof c.execution_count === "number") ops.push({ op: "set_execution_count", id: cellId, count: c.execution_count });
    return ops;
  }
  const output = outputFrom(msg);
  if (output) ops.push({ op: "append_output", id: cellId, output });
  return ops;
}

/** The notice added when a cell's stream output went past the cap. */
export function truncationNotice(droppedBytes: number): Output {
  return {
    output_type: "stream",
    name: "stderr",
    text: `\n[output truncated: ${droppedBytes.toLocaleString("en-US")} more characters were printed than the ${STREAM_CAP_BYTES / 1024 / 1024} MiB kept per cell]\n`,
  };
}

/** The notebook as saved: transient fields removed, sources joined. */
export function forDisk(state: DocState): DocState["notebook"] {
  return {
    ...state.notebook,
    cells: state.notebook.cells.map((cell) => {
      const base = { ...cell, source: joinSource(cell.source) };
      if (base.cell_type !== "code") return base;
      return {
        ...base,
        outputs: base.outputs.map((o) => {
          if ((o.output_type === "display_data" || o.output_type === "execute_result") && o.transient) {
            const { transient: _t, ...rest } = o;
            return rest as Output;
          }
          return o;
        }),
      };
    }),
  };
}
