import type { DocOp, DocState, JupyterMessage, Output } from "@tessera/protocol";
import { chartUpdateAsAppend, joinSource } from "@tessera/protocol";
import { limitOps } from "./output-limits.js";

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
  /**
   * Index of the tail output and of the notice before it (-1 until the ops are applied;
   * the notice's is -1 again once the cell's output limit dropped it).
   */
  index: number;
  noticeIndex: number;
  /** Text changed since the page last got it. */
  dirty: boolean;
}

/** Outputs of a flooding cell not yet in the document (see output-limits.ts). */
export interface HeldOutputs {
  /** The cell's outputs are cleared before these go in. */
  clear: boolean;
  ops: Array<Extract<DocOp, { op: "append_output" | "append_stream" }>>;
  /** Outputs that came and were pushed out by later ones before reaching the document. */
  dropped: number;
}

/** Per-cell bookkeeping while kernel output is applied to it. */
export interface CellOutputState {
  /** clear_output(wait=true) seen: clear just before the next output. */
  clearPending: boolean;
  streamBytes: number;
  droppedBytes: number;
  tail: StreamTail | null;
  /**
   * A tail the output limit dropped before its newest text reached the document: it goes
   * in again at the end (with the next flush, or the next stream text), so no line printed
   * last is lost to displays that came before it.
   */
  orphan: { name: "stdout" | "stderr"; text: string } | null;
  /** Outputs held back while the cell floods; null when none are. */
  held: HeldOutputs | null;
  /** Start (epoch ms) and output count of the flood-detection window, and whether the cell floods. */
  windowStart: number;
  windowCount: number;
  flooding: boolean;
}

export function newCellOutputState(): CellOutputState {
  return {
    clearPending: false,
    streamBytes: 0,
    droppedBytes: 0,
    tail: null,
    orphan: null,
    held: null,
    windowStart: 0,
    windowCount: 0,
    flooding: false,
  };
}

function resetStreams(cs: CellOutputState): void {
  cs.streamBytes = 0;
  cs.droppedBytes = 0;
  cs.tail = null;
  cs.orphan = null;
}

/** A new rolling tail holding `text`, after a notice of what was dropped: two appended outputs. */
function openTail(cellId: string, cs: CellOutputState, name: "stdout" | "stderr", text: string): DocOp[] {
  cs.tail = { name, text, index: -1, noticeIndex: -1, dirty: false };
  return [
    { op: "append_output", id: cellId, output: truncationNotice(cs.droppedBytes) },
    { op: "append_output", id: cellId, output: { output_type: "stream", name, text } },
  ];
}

/** Adds stream text: to the head while it has room, then to the rolling tail. */
function streamOps(cellId: string, cs: CellOutputState, name: "stdout" | "stderr", text: string): DocOp[] {
  if (!cs.tail && cs.orphan) {
    const { name: was, text: kept } = cs.orphan;
    cs.orphan = null;
    return openTail(cellId, cs, was, kept).concat(streamOps(cellId, cs, name, text));
  }
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
  return ops.concat(openTail(cellId, cs, name, excess > 0 ? rest.slice(excess) : rest));
}

/**
 * The tail's new text and the notice's new count, as ops (empty when nothing changed); or
 * an orphaned tail (see CellOutputState) put in again at the end of the cell's outputs.
 */
export function tailOps(state: DocState, cellId: string, cs: CellOutputState): DocOp[] {
  if (!cs.tail && cs.orphan) {
    const cell = state.notebook.cells.find((c) => c.id === cellId);
    if (cell?.cell_type !== "code") return [];
    const n = cell.outputs.length;
    const ops = openTail(cellId, cs, cs.orphan.name, cs.orphan.text);
    cs.orphan = null;
    cs.tail!.index = n + 1;
    cs.tail!.noticeIndex = n;
    return ops.concat(limitOps(state, cellId, cs, ops, 0));
  }
  const tail = cs.tail;
  if (!tail || !tail.dirty || tail.index < 0) return [];
  tail.dirty = false;
  const ops: DocOp[] = [];
  if (tail.noticeIndex >= 0)
    ops.push({ op: "replace_output", id: cellId, index: tail.noticeIndex, output: truncationNotice(cs.droppedBytes) });
  ops.push({ op: "replace_output", id: cellId, index: tail.index, output: { output_type: "stream", name: tail.name, text: tail.text } });
  return ops;
}

function outputFrom(msg: JupyterMessage): Output | null {
  const c = msg.content as Record<string, any>;
  switch (msg.header.msg_type) {
    case "display_data":
      return {
        output_type: "display_data",
        data: c.data ?? {},
        metadata: c.metadata ?? {},
        ...(c.transient?.display_id ? { transient: { display_id: String(c.transient.display_id) } } : {}),
      };
    case "execute_result":
      return {
        output_type: "execute_result",
        execution_count: c.execution_count ?? null,
        data: c.data ?? {},
        metadata: c.metadata ?? {},
        ...(c.transient?.display_id ? { transient: { display_id: String(c.transient.display_id) } } : {}),
      };
    case "error":
      return {
        output_type: "error",
        ename: String(c.ename ?? "Error"),
        evalue: String(c.evalue ?? ""),
        traceback: Array.isArray(c.traceback) ? c.traceback.map(String) : [],
      };
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
          ops.push({
            op: "replace_output",
            id: cell.id,
            index,
            output: { ...o, data: chartUpdateAsAppend(o.data, c.data ?? {}), metadata: c.metadata ?? {} },
          });
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
