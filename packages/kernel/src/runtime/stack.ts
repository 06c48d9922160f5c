/**
 * Stack traces that name cells, not generated code.
 *
 * Each run's script is named `tessera-cell-<id>.js` (its `//# sourceURL`). A global
 * `Error.prepareStackTrace` maps frames in those scripts through the run's source map to
 * the cell's own line and column, written `cell In[3]:5:10`, so `err.stack` reads right
 * everywhere (also when printed by the cell itself). The frames are kept per error, so
 * the traceback sent to the front end can drop the kernel's own frames.
 */
import { decodedMappings, originalPositionFor, TraceMap, LEAST_UPPER_BOUND } from "@jridgewell/trace-mapping";
import {
  ArrayPrototypePush,
  MapPrototypeGet,
  MapPrototypeSet,
  MathMax,
  ReflectApply,
  WeakMapPrototypeGet,
  WeakMapPrototypeSet,
} from "./primordials.js";
import { isKernelFile } from "./own-code.js";

interface CellRecord {
  label: string;
  source: string;
  sourceMap: string;
  traced?: TraceMap;
}

export interface Frame {
  /** Text after "at ", e.g. `f (cell In[3]:5:10)`. */
  text: string;
  /** Where the frame runs: a cell, the kernel's own code, or anything else. */
  origin: "cell" | "kernel" | "other";
}

const cells = new Map<number, CellRecord>();
const framesOf = new WeakMap<object, Frame[]>();
const CELL_SCRIPT = /^tessera-cell-(\d+)\.js$/;
// Stack traces are formatted whenever code reads `err.stack`, in whatever state cells left
// the built-ins: what the formatter uses is captured here.
const RegExpPrototypeExec = RegExp.prototype.exec;
const ErrorPrototypeToString = Error.prototype.toString;
const NumberCtor = Number;

/**
 * Remembers a run's source and source map so its frames can be mapped later (also from
 * later cells). The map is decoded now, while the kernel runs with pristine built-ins:
 * looking a position up later uses almost none.
 */
export function registerCell(runId: number, label: string, source: string, sourceMap: string): void {
  const cell: CellRecord = { label, source, sourceMap };
  try {
    cell.traced = new TraceMap(sourceMap);
    decodedMappings(cell.traced);
  } catch {
    cell.traced = undefined;
  }
  MapPrototypeSet(cells, runId, cell);
}

/** A run's label and source text. */
export function cellRecord(runId: number): { label: string; source: string } | undefined {
  return MapPrototypeGet(cells, runId);
}

/**
 * Maps a 1-based position in run `runId`'s generated script to the cell's text.
 * @example mapToCell(3, 4, 10) // { label: "In[3]", line: 2, column: 5 }
 */
export function mapToCell(runId: number, line: number, column: number): { label: string; line: number; column: number } | undefined {
  const cell = MapPrototypeGet(cells, runId);
  if (!cell) return undefined;
  try {
    cell.traced ??= new TraceMap(cell.sourceMap);
    let pos = originalPositionFor(cell.traced, { line, column: MathMax(0, column - 1) });
    if (pos.line === null) pos = originalPositionFor(cell.traced, { line, column: MathMax(0, column - 1), bias: LEAST_UPPER_BOUND });
    if (pos.line === null) return { label: cell.label, line: 0, column: 0 };
    return { label: cell.label, line: pos.line, column: pos.column + 1 };
  } catch {
    return { label: cell.label, line: 0, column: 0 };
  }
}

/** `cell In[3]:5:10`, or `cell In[3]` when the position is unknown. */
export function cellWhere(loc: { label: string; line: number; column: number }): string {
  return loc.line > 0 ? `cell ${loc.label}:${loc.line}:${loc.column}` : `cell ${loc.label}`;
}

/** The run id behind a script name, if it is a cell's. */
export function cellRunId(scriptName: string | null | undefined): number | undefined {
  const m = ReflectApply(RegExpPrototypeExec, CELL_SCRIPT, [scriptName ?? ""]) as RegExpExecArray | null;
  return m ? NumberCtor(m[1]) : undefined;
}

function formatFrame(site: NodeJS.CallSite): Frame {
  const script = site.getScriptNameOrSourceURL?.() ?? site.getFileName() ?? "";
  const runId = cellRunId(script);
  if (runId === undefined) {
    const kernel = isKernelFile(script) || script === "node:inspector" || script === "tessera:evaluate";
    return { text: site.toString(), origin: kernel ? "kernel" : "other" };
  }
  const loc = mapToCell(runId, site.getLineNumber() ?? 0, site.getColumnNumber() ?? 0);
  const where = loc ? cellWhere(loc) : script;
  let name = site.getFunctionName();
  if (site.isConstructor()) name = `new ${name ?? "<anonymous>"}`;
  const prefix = site.isAsync() ? "async " : "";
  return { text: name ? `${prefix}${name} (${where})` : `${prefix}${where}`, origin: "cell" };
}

function header(err: unknown): string {
  try {
    return ReflectApply(ErrorPrototypeToString, err, []) as string;
  } catch {
    return "Error";
  }
}

/** Installs the global stack formatter. Idempotent. */
export function installStackTraces(): void {
  // Cell frames sit on top of several kernel frames; keep enough to show the cell's.
  Error.stackTraceLimit = Math.max(Error.stackTraceLimit, 25);
  Error.prepareStackTrace = (err: Error, sites: NodeJS.CallSite[]): string => {
    const frames: Frame[] = [];
    let text = header(err);
    for (let i = 0; i < sites.length; i++) {
      const frame = formatFrame(sites[i]);
      ArrayPrototypePush(frames, frame);
      text += `\n    at ${frame.text}`;
    }
    if (typeof err === "object" && err !== null) WeakMapPrototypeSet(framesOf, err, frames);
    return text;
  };
}

/**
 * The frames of an error worth showing: the kernel's own frames removed, and nothing
 * below the outermost cell frame, or (no cell frame) below the first kernel frame: that
 * is the machinery that ran the cell.
 */
export function userFrames(err: object): string[] | undefined {
  void (err as { stack?: unknown }).stack; // formats (and records) the frames if not done yet
  const frames = WeakMapPrototypeGet(framesOf, err);
  if (!frames) return undefined;
  let lastCell = -1;
  let firstKernel = -1;
  for (let i = 0; i < frames.length; i++) {
    if (frames[i].origin === "cell") lastCell = i;
    else if (frames[i].origin === "kernel" && firstKernel < 0) firstKernel = i;
  }
  const end = lastCell >= 0 ? lastCell + 1 : firstKernel >= 0 ? firstKernel : frames.length;
  const shown: string[] = [];
  for (let i = 0; i < end; i++) if (frames[i].origin !== "kernel") ArrayPrototypePush(shown, frames[i].text);
  return shown;
}
