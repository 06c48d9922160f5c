/**
 * One cell cannot wedge the server: a cell keeps its last {@link MAX_OUTPUTS_PER_CELL}
 * outputs (the earlier ones counted in a notice, as VS Code keeps 500), and a cell that
 * outputs faster than pages can usefully show has its outputs batched: applied to the
 * document and sent to pages a few times a second, not once per `display()`.
 *
 * A million `display(i)` calls then cost the server a million small appends to an array
 * it trims, and pages a handful of `ops` messages a second each holding at most the
 * limit's worth of outputs; the document, the file and the page stay the size of 500
 * outputs.
 */
import { hiddenOutputCount, joinSource, type DocOp, type DocState, type Output } from "@tessera/protocol";
import type { CellOutputState, HeldOutputs } from "./output-ops.js";

/** Outputs a cell keeps in the document and the file; earlier ones are counted, not kept. */
export const MAX_OUTPUTS_PER_CELL = 500;
/** Outputs a cell may produce in one window, each sent at once, before it counts as flooding. */
export const FLOOD_OUTPUTS = 16;
/** The flood window, and how often a flooding cell's outputs go out (as the stream tail's flush). */
export const FLOOD_WINDOW_MS = 250;

type HeldOp = HeldOutputs["ops"][number];

function codeOutputs(state: DocState, cellId: string): Output[] | null {
  const cell = state.notebook.cells.find((c) => c.id === cellId);
  return cell?.cell_type === "code" ? cell.outputs : null;
}

/** Counts one kernel message's outputs in the cell's window; true while the cell floods. */
function floods(cs: CellOutputState, now: number): boolean {
  if (now - cs.windowStart >= FLOOD_WINDOW_MS) {
    // A flood lasts while each window is busy; one quiet window (or a gap) ends it.
    const busy = cs.windowCount > FLOOD_OUTPUTS && now - cs.windowStart < 2 * FLOOD_WINDOW_MS;
    cs.flooding = cs.flooding && busy;
    cs.windowStart = now;
    cs.windowCount = 0;
  }
  cs.windowCount++;
  if (cs.windowCount > FLOOD_OUTPUTS) cs.flooding = true;
  return cs.flooding;
}

const isHoldable = (op: DocOp, cellId: string): op is HeldOp | Extract<DocOp, { op: "clear_outputs" }> =>
  (op.op === "append_output" || op.op === "append_stream" || op.op === "clear_outputs") && op.id === cellId;

/** The document's last output of the cell is a stream `name` (an append_stream extends it). */
function extendsLast(state: DocState, cellId: string, name: string): boolean {
  const last = codeOutputs(state, cellId)?.at(-1);
  return last?.output_type === "stream" && last.name === name;
}

/**
 * Keeps the held batch's last `keep` outputs, counting the others as dropped. Each held op
 * is one output, except a first `append_stream` that extends the document's last output.
 */
function prune(state: DocState, cellId: string, held: HeldOutputs, keep: number): void {
  const cut = held.ops.length - keep;
  if (cut <= 0) return;
  const first = held.ops[0];
  const extending = !held.clear && first.op === "append_stream" && extendsLast(state, cellId, first.name);
  held.dropped += cut - (extending ? 1 : 0);
  held.ops = held.ops.slice(cut);
  // What is first now followed a dropped output: it starts a new output, whatever the document's last is.
  const head = held.ops[0];
  if (head.op === "append_stream")
    held.ops[0] = { op: "append_output", id: head.id, output: { output_type: "stream", name: head.name, text: head.text } };
}

/**
 * Takes one kernel message's ops for the cell into its held batch when the cell floods
 * and the ops are only appends and clears of that cell (anything else is applied in order,
 * after the batch). Returns false when the caller must apply them now.
 */
export function holdOutputs(
  state: DocState,
  cellId: string,
  cs: CellOutputState,
  ops: DocOp[],
  now: number,
  keep = MAX_OUTPUTS_PER_CELL,
): boolean {
  if (!floods(cs, now) || !ops.every((op) => isHoldable(op, cellId))) return false;
  const held = (cs.held ??= { clear: false, ops: [], dropped: 0 });
  for (const op of ops) {
    if (op.op === "clear_outputs") {
      held.clear = true;
      held.ops = [];
      held.dropped = 0;
      continue;
    }
    const last = held.ops.at(-1);
    const n = held.ops.length - 1;
    // Consecutive text of one stream is one output, as append_stream makes it in the document.
    if (op.op === "append_stream" && last?.op === "append_stream" && last.name === op.name)
      held.ops[n] = { ...last, text: last.text + op.text };
    else if (
      op.op === "append_stream" &&
      last?.op === "append_output" &&
      last.output.output_type === "stream" &&
      last.output.name === op.name
    ) {
      held.ops[n] = { ...last, output: { ...last.output, text: joinSource(last.output.text) + op.text } };
    } else held.ops.push(op);
  }
  // Pruned in steps of `keep`, so a million outputs cost a million pushes and a thousand copies.
  if (held.ops.length > 2 * keep) prune(state, cellId, held, keep);
  return true;
}

/** The ops that put the cell's held outputs into the document, the limit applied; empties the batch. */
export function releaseOps(state: DocState, cellId: string, cs: CellOutputState, keep = MAX_OUTPUTS_PER_CELL): DocOp[] {
  const held = cs.held;
  if (!held) return [];
  cs.held = null;
  prune(state, cellId, held, keep);
  const ops: DocOp[] = held.clear ? [{ op: "clear_outputs", id: cellId }, ...held.ops] : [...held.ops];
  return ops.concat(limitOps(state, cellId, cs, ops, held.dropped, keep));
}

/**
 * The `trim_outputs` op (or none) that brings the cell back to `keep` outputs once `ops`
 * are applied, with `dropped` more outputs counted that never reached the document. The
 * stream tail's indices (output-ops.ts) are moved to where the trim leaves them.
 */
export function limitOps(
  state: DocState,
  cellId: string,
  cs: CellOutputState,
  ops: readonly DocOp[],
  dropped: number,
  keep = MAX_OUTPUTS_PER_CELL,
): DocOp[] {
  const outputs = codeOutputs(state, cellId);
  if (!outputs) return [];
  let hidden = hiddenOutputCount(outputs[0]);
  let count = outputs.length - (hidden > 0 ? 1 : 0);
  let last: { output_type: string; name?: string } | undefined = outputs.at(-1);
  for (const op of ops) {
    if (!("id" in op) || op.id !== cellId) continue;
    if (op.op === "clear_outputs") {
      hidden = 0;
      count = 0;
      last = undefined;
    } else if (op.op === "append_output") {
      count++;
      last = op.output;
    } else if (op.op === "append_stream" && !(last?.output_type === "stream" && last.name === op.name)) {
      count++;
      last = { output_type: "stream", name: op.name };
    }
  }
  const excess = Math.max(0, count - keep);
  if (excess === 0 && dropped === 0) return [];
  moveTail(cs, hidden > 0 ? 1 : 0, excess, 1);
  return [{ op: "trim_outputs", id: cellId, keep, hidden: hidden + dropped + excess }];
}

/** Where the trim leaves the stream tail and its notice: `excess` earlier outputs gone, the notice first. */
function moveTail(cs: CellOutputState, noticeBefore: number, excess: number, noticeAfter: number): void {
  const tail = cs.tail;
  if (!tail || tail.index < 0) return;
  const moved = (index: number) => {
    const position = index - noticeBefore;
    return index < 0 || position < excess ? -1 : noticeAfter + position - excess;
  };
  tail.index = moved(tail.index);
  tail.noticeIndex = moved(tail.noticeIndex);
  if (tail.index >= 0) return;
  // The tail itself was dropped: the next stream text starts a new notice and tail, and
  // text the page has not seen yet goes in again at the end.
  cs.tail = null;
  if (tail.dirty) cs.orphan = { name: tail.name, text: tail.text };
}
