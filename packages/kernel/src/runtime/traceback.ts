/**
 * Builds the `error` output (ename, evalue, traceback) for whatever a cell threw.
 */
import { inspect } from "node:util";
import { InterruptedError } from "./run.js";
import { cellRecord, cellWhere, mapToCell, userFrames } from "./stack.js";
import type { CellDiagnostic } from "../compile/transpile.js";

export interface ErrorReport {
  ename: string;
  evalue: string;
  traceback: string[];
}

const RED = "\x1b[0;31m";
const RESET = "\x1b[0m";

function headline(ename: string, evalue: string): string {
  return evalue ? `${RED}${ename}${RESET}: ${evalue}` : `${RED}${ename}${RESET}`;
}

/** The offending line of a cell with a caret under `column`. */
function snippet(source: string, line: number, column: number): string[] {
  const text = source.split(/\r?\n/)[line - 1];
  if (text === undefined) return [];
  return [`    ${text}`, `    ${" ".repeat(Math.max(0, column - 1))}^`];
}

/** A syntax error found by the TypeScript parser: nothing ran. */
export function syntaxErrorReport(label: string, source: string, diagnostics: CellDiagnostic[]): ErrorReport {
  const first = diagnostics[0];
  const evalue = `${first.message} (${label}:${first.line}:${first.column})`;
  const traceback = [
    headline("SyntaxError", evalue),
    `    at cell ${label}:${first.line}:${first.column}`,
    ...snippet(source, first.line, first.column),
  ];
  for (const d of diagnostics.slice(1, 5)) traceback.push(`  also: ${d.message} (${label}:${d.line}:${d.column})`);
  return { ename: "SyntaxError", evalue, traceback };
}

/** The report for an interrupted run. */
export function interruptedReport(): ErrorReport {
  const err = new InterruptedError();
  return { ename: err.name, evalue: err.message, traceback: [headline(err.name, err.message)] };
}

/**
 * The report for a thrown value. `at` is where V8 says it was thrown in run `runId`'s
 * script (used for errors that have no cell frame, like a SyntaxError V8 found).
 */
export function errorReport(value: unknown, at?: { runId: number; line: number; column: number }): ErrorReport {
  if (value instanceof InterruptedError) return interruptedReport();
  if (!(value instanceof Error)) {
    const evalue = inspect(value);
    return { ename: "Uncaught", evalue, traceback: [headline("Uncaught", evalue)] };
  }
  const ename = typeof value.name === "string" && value.name ? value.name : value.constructor?.name || "Error";
  const evalue = typeof value.message === "string" ? value.message : String(value.message);
  const frames = userFrames(value) ?? [];
  const traceback = [headline(ename, evalue), ...frames.map((f) => `    at ${f}`)];
  if (!frames.some((f) => f.includes("cell In[")) && at && at.line > 0) {
    const loc = mapToCell(at.runId, at.line, at.column);
    const source = cellRecord(at.runId)?.source;
    if (loc && loc.line > 0) {
      traceback.push(`    at ${cellWhere(loc)}`);
      if (value instanceof SyntaxError && source !== undefined) traceback.push(...snippet(source, loc.line, loc.column));
    }
  }
  if (value.cause !== undefined) traceback.push(`  [cause]: ${inspect(value.cause)}`);
  return { ename, evalue, traceback };
}
