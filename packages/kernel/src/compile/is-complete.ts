/**
 * `is_complete_request`: would a console run this code now, or wait for more lines?
 *
 * Parsed with TypeScript: no errors -> complete; errors only at the very end (an unclosed
 * bracket, string, template or comment, a dangling operator) -> incomplete; anything
 * else -> invalid.
 */
import type { IsCompleteReplyContent } from "@tessera/protocol";
import { ts } from "./typescript.js";

/** Unterminated string literal, template literal, comment. */
const UNTERMINATED = new Set([1002, 1160, 1010]);

export function isComplete(code: string): IsCompleteReplyContent {
  if (code.trim() === "") return { status: "complete" };
  const t = ts();
  const file = t.createSourceFile("cell.ts", code, t.ScriptTarget.ES2023, false, t.ScriptKind.TS);
  const diagnostics = (file as unknown as { parseDiagnostics?: Array<{ start: number; code: number }> }).parseDiagnostics;
  if (!diagnostics) return { status: "unknown" };
  if (diagnostics.length === 0) return { status: "complete" };
  const end = code.trimEnd().length;
  const lastLineStart = code.lastIndexOf("\n", end - 1) + 1;
  const atEnd = diagnostics.every(
    (d) => d.start >= end || (UNTERMINATED.has(d.code) && d.start >= lastLineStart) || d.code === 1160 || d.code === 1010,
  );
  if (!atEnd) return { status: "invalid" };
  const lastLine = code.slice(lastLineStart, end);
  const indent = /^\s*/.exec(lastLine)?.[0] ?? "";
  return { status: "incomplete", indent: /[{([]\s*$/.test(lastLine) ? indent + "  " : indent };
}
