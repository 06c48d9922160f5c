/** nbformat 4.5 notebook shapes (https://nbformat.readthedocs.io). */
import type { MimeBundle } from "./messages.js";

export type MultilineString = string | string[];

export interface StreamOutput {
  output_type: "stream";
  name: "stdout" | "stderr";
  text: MultilineString;
}
export interface DisplayDataOutput {
  output_type: "display_data";
  data: MimeBundle;
  metadata: Record<string, unknown>;
  /** Not saved to disk: lets live updates find the output. */
  transient?: { display_id?: string };
}
export interface ExecuteResultOutput {
  output_type: "execute_result";
  execution_count: number | null;
  data: MimeBundle;
  metadata: Record<string, unknown>;
  transient?: { display_id?: string };
}
export interface ErrorOutput {
  output_type: "error";
  ename: string;
  evalue: string;
  traceback: string[];
}
export type Output = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

export interface CodeCell {
  id: string;
  cell_type: "code";
  source: MultilineString;
  metadata: Record<string, unknown>;
  execution_count: number | null;
  outputs: Output[];
}
export interface MarkdownCell {
  id: string;
  cell_type: "markdown";
  source: MultilineString;
  metadata: Record<string, unknown>;
  attachments?: Record<string, MimeBundle>;
}
export interface RawCell {
  id: string;
  cell_type: "raw";
  source: MultilineString;
  metadata: Record<string, unknown>;
}
export type Cell = CodeCell | MarkdownCell | RawCell;

export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: {
    kernelspec?: { name: string; display_name: string; language?: string };
    language_info?: { name: string; [key: string]: unknown };
    [key: string]: unknown;
  };
  cells: Cell[];
}

/** The kernelspec every Tessera notebook carries. */
export const TYPESCRIPT_KERNELSPEC = {
  name: "typescript",
  display_name: "TypeScript (Tessera)",
  language: "typescript",
} as const;

/** Joins nbformat's "string or list of lines" into one string. */
export function joinSource(source: MultilineString): string {
  return Array.isArray(source) ? source.join("") : source;
}

/** Splits text into nbformat's list-of-lines form (each line keeps its "\n"). */
export function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split(/(?<=\n)/);
  return lines;
}

/** An empty nbformat 4.5 notebook with the TypeScript kernelspec. */
export function emptyNotebook(): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { ...TYPESCRIPT_KERNELSPEC },
      language_info: { name: "typescript", file_extension: ".ts", mimetype: "text/typescript" },
    },
    cells: [],
  };
}

/**
 * A cell keeps at most a few hundred outputs (the server decides how many); the ones
 * dropped, always the earliest, are counted in one notice at the top of the cell's
 * outputs. The notice is a plain `display_data`, so the saved file stays valid nbformat
 * and JupyterLab shows the count too; `metadata.tessera.hiddenOutputs` holds the number.
 */
export interface HiddenOutputsMetadata {
  tessera: { hiddenOutputs: number };
}

/** How many earlier outputs `output` (a cell's first) says were not kept; 0 when it is not such a notice. */
export function hiddenOutputCount(output: Output | undefined): number {
  if (!output || output.output_type !== "display_data") return 0;
  const n = (output.metadata as Partial<HiddenOutputsMetadata> | undefined)?.tessera?.hiddenOutputs;
  return typeof n === "number" && Number.isInteger(n) && n > 0 ? n : 0;
}

/** The notice for `hidden` earlier outputs of a cell that keeps its last `keep`. */
export function hiddenOutputsNotice(hidden: number, keep: number): DisplayDataOutput {
  const s = hidden === 1 ? "" : "s";
  return {
    output_type: "display_data",
    data: {
      "text/plain": `${hidden.toLocaleString("en-US")} earlier output${s} not kept (a cell keeps its last ${keep.toLocaleString("en-US")})`,
    },
    metadata: { tessera: { hiddenOutputs: hidden } } satisfies HiddenOutputsMetadata,
  };
}

/**
 * A cell's outputs with only the last `keep` kept (besides the notice) and the notice set
 * to `hidden` (none when 0). A new array; the outputs kept are the same objects.
 *
 * @example
 * trimOutputs(outputs, 500, 1234).length; // at most 501
 */
export function trimOutputs(outputs: readonly Output[], keep: number, hidden: number): Output[] {
  const start = hiddenOutputCount(outputs[0]) > 0 ? 1 : 0;
  const kept = outputs.slice(Math.max(start, outputs.length - keep));
  return hidden > 0 ? [hiddenOutputsNotice(hidden, keep), ...kept] : kept;
}

/**
 * Applies the per-cell limit to a notebook read from a file (in place): a cell with more
 * than `keep` outputs keeps its last `keep`, the others counted in its notice (added to
 * the count of a notice it already had). Returns how many outputs were dropped in all.
 */
export function limitNotebookOutputs(nb: Notebook, keep: number): number {
  let dropped = 0;
  for (const cell of nb.cells) {
    if (cell.cell_type !== "code" || !Array.isArray(cell.outputs)) continue;
    const had = hiddenOutputCount(cell.outputs[0]);
    const excess = cell.outputs.length - (had > 0 ? 1 : 0) - keep;
    if (excess <= 0) continue;
    cell.outputs = trimOutputs(cell.outputs, keep, had + excess);
    dropped += excess;
  }
  return dropped;
}
