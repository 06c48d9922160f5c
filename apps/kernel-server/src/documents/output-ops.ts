import type { DocOp, DocState, JupyterMessage, Output } from "@tessera/protocol";
import { chartUpdateAsAppend, joinSource } from "@tessera/protocol";

/**
 * Stream text kept per cell: the first STREAM_HEAD_BYTES and a rolling last
 * STREAM_TAIL_BYTES (a long training log shows its newest lines); what falls between is
 * counted, not kept, so the page and the file stay small.
 */
export const STREAM_HEAD_BYTES = 1024 * 1024;
export const STREAM_TAIL_BYTES = 1024 * 1024;
export const STREAM_CAP_BYTES = STREAM_HEAD_BYTES + STREAM_TAIL_BYTES;

/** The rolling tail of a cell whose stream went past the head. */
export interface StreamTail {
  name: "stdout" | "stderr";
  text: string;
  /** Index of the tail output and of the notice before it (-1 until the ops are applied). */
  index: number;
  noticeIndex: number;
  /** Text changed since the page last got it. */
  dirty: boolean;
}

/** Per-cell bookkeeping while kernel output is applied to it. */
export interface CellOutputState {
  /** clear_output(wait=true) seen: clear just before the next output. */
  clearPending: boolean;
  streamBytes: number;
  droppedBytes: number;
  tail: StreamTail | null;
}

export function newCellOutputState(): CellOutputState {
  return { clearPending: false, streamBytes: 0, droppedBytes: 0, tail: null };
}

function resetStreams(cs: CellOutputState): void {
  cs.streamBytes = 0;
  cs.droppedBytes = 0;
  cs.tail = null;
}

/** Adds stream text: to the head while it has room, then to the rolling tail. */
function streamOps(cellId: string, cs: CellOutputState, name: "stdout" | "stderr", text: string): DocOp[] {
  if (cs.tail) {
    const joined = cs.tail.text + text;
    const excess = joined.length - STREAM_TAIL_BYTES;
    if (excess > 0) cs.droppedBytes += excess;
    cs.tail.text = excess > 0 ? joined.slice(excess) : joined;
    cs.tail.dirty = true;
    return [];
  }
  const room = STREAM_HEAD_BYTES - cs.streamBytes;
  if (text.length <= room) {
    cs.streamBytes += text.length;
    return [{ op: "append_stream", id: cellId, name, text }];
  }
  const ops: DocOp[] = [];
  if (room > 0) ops.push({ op: "append_stream", id: cellId, name, text: text.slice(0, room) });
  cs.streamBytes = STREAM_HEAD_BYTES;
  const rest = text.slice(Math.max(room, 0));
  const excess = rest.length - STREAM_TAIL_BYTES;
  if (excess > 0) cs.droppedBytes += excess;
  cs.tail = { name, text: excess > 0 ? rest.slice(excess) : rest, index: -1, noticeIndex: -1, dirty: false };
  ops.push({ op: "append_output", id: cellId, output: truncationNotice(cs.droppedBytes) });
  ops.push({ op: "append_output", id: cellId, output: { output_type: "stream", name, text: cs.tail.text } });
  return ops;
}

/** The tail's new text and the notice's new count, as ops (empty when nothing changed). */
export function tailOps(cellId: string, cs: CellOutputState): DocOp[] {
  const tail = cs.tail;
  if (!tail || !tail.dirty || tail.index < 0) return [];
  tail.dirty = false;
  return [
    { op: "replace_output", id: cellId, index: tail.noticeIndex, output: truncationNotice(cs.droppedBytes) },
    { op: "replace_output", id: cellId, index: tail.index, output: { output_type: "stream", name: tail.name, text: tail.text } },
  ];
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
    resetStreams(cs);
    ops.push({ op: "clear_outputs", id: cellId });
  }
  if (type === "stream") {
    const name = c.name === "stderr" ? "stderr" : "stdout";
    return ops.concat(streamOps(cellId, cs, name, typeof c.text === "string" ? c.text : ""));
  }
  if (type === "clear_output") {
    if (c.wait) cs.clearPending = true;
    else {
      resetStreams(cs);
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
          // A live chart's final state goes to pages as an append of what they lack (see chart.ts).
          ops.push({ op: "replace_output", id: cell.id, index, output: { ...o, data: chartUpdateAsAppend(o.data, c.data ?? {}), metadata: c.metadata ?? {} } });
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

/** The notice between a cell's kept head and its rolling tail. */
export function truncationNotice(droppedBytes: number): Output {
  const mib = (n: number) => `${n / 1024 / 1024} MiB`;
  return {
    output_type: "stream",
    name: "stderr",
    text: `\n[output truncated: ${droppedBytes.toLocaleString("en-US")} more characters were printed than the ${mib(STREAM_CAP_BYTES)} kept per cell: the first ${mib(STREAM_HEAD_BYTES)} is above, the last ${mib(STREAM_TAIL_BYTES)} below]\n`,
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
