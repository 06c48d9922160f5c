/**
 * TypeScript -> JavaScript for one cell, with a source map.
 *
 * `transpileModule` strips types without type-checking, so a type error never stops a
 * cell (the editor shows those). Only syntax errors do.
 */
import { cellTransformer, scriptFormTransformer, type CellTransformState } from "./transform-cell.js";
import { moduleSyntaxTransformer } from "./transform-modules.js";
import type { TS } from "./typescript.js";
import { ts } from "./typescript.js";

/** A syntax error, positioned in the cell's own text (1-based line and column). */
export interface CellDiagnostic {
  message: string;
  line: number;
  column: number;
}

export interface TranspiledCell {
  /** Strict script text with a `//# sourceURL` naming the cell. */
  js: string;
  /** Source map from `js` back to the cell's text. */
  sourceMap: string;
  /** The cell ends with an expression statement, whose value is the result. */
  hasResult: boolean;
  /** Syntax errors; when there are any, `js` must not run. */
  diagnostics: CellDiagnostic[];
}

/** The script name V8 reports in stack frames for a run's code. */
export function cellScriptName(runId: number): string {
  return `tessera-cell-${runId}.js`;
}

let options: TS.CompilerOptions | undefined;
function compilerOptions(): TS.CompilerOptions {
  const t = ts();
  // ES2023 is what Node 20's V8 runs natively; newer syntax (decorators, `using`) is lowered.
  options ??= {
    target: t.ScriptTarget.ES2023,
    module: t.ModuleKind.ESNext,
    // Every cell is parsed as a module: top-level `await` always parses, and code is strict.
    moduleDetection: t.ModuleDetectionKind.Force,
    sourceMap: true,
    removeComments: false,
  };
  return options;
}

/**
 * `{ a: 1 }` alone is a block with a label in JavaScript; people typing it in a notebook
 * mean an object. Parse it as one when it is exactly one object literal (as Node's REPL does).
 */
function asObjectLiteral(source: string): string | undefined {
  if (!/^\s*\{/.test(source) || !/\}\s*;?\s*$/.test(source)) return undefined;
  const t = ts();
  const wrapped = `(${source.replace(/;\s*$/, "")})`;
  const file = t.createSourceFile("cell.ts", wrapped, t.ScriptTarget.ES2023, false, t.ScriptKind.TS);
  const diagnostics = (file as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics ?? [];
  if (diagnostics.length > 0 || file.statements.length !== 1) return undefined;
  const stmt = file.statements[0];
  if (!t.isExpressionStatement(stmt) || !t.isParenthesizedExpression(stmt.expression)) return undefined;
  return t.isObjectLiteralExpression(stmt.expression.expression) ? wrapped : undefined;
}

/**
 * Compiled cells by source text. The compiled code does not depend on the run (the result
 * hook finds its run through the async context), so re-running a cell, the most common
 * thing a notebook does, skips the compiler (~4 ms of a trivial cell's round trip).
 */
const compiled = new Map<string, Omit<TranspiledCell, "js"> & { body: string }>();
const COMPILED_CACHE_SIZE = 256;

/**
 * Compiles one cell for run `runId`.
 * @example transpileCell("const x: number = 1\nx", 3).js // "use strict"; const x = 1; __tessera.r(x); …
 */
export function transpileCell(source: string, runId: number): TranspiledCell {
  let entry = compiled.get(source);
  if (entry) {
    compiled.delete(source); // keep the most recently used last
  } else {
    entry = compile(source);
    if (compiled.size >= COMPILED_CACHE_SIZE) compiled.delete(compiled.keys().next().value as string);
  }
  compiled.set(source, entry);
  const { body, ...rest } = entry;
  return { ...rest, js: `${body}\n//# sourceURL=${cellScriptName(runId)}` };
}

function compile(source: string): Omit<TranspiledCell, "js"> & { body: string } {
  const t = ts();
  const state: CellTransformState = { hasResult: false };
  const text = asObjectLiteral(source) ?? source;
  const out = t.transpileModule(text, {
    compilerOptions: compilerOptions(),
    fileName: "cell.ts",
    reportDiagnostics: true,
    transformers: { before: [moduleSyntaxTransformer, cellTransformer(state)], after: [scriptFormTransformer] },
  });
  const diagnostics: CellDiagnostic[] = [];
  for (const d of out.diagnostics ?? []) {
    if (d.category !== t.DiagnosticCategory.Error || !d.file || d.start === undefined) continue;
    const pos = d.file.getLineAndCharacterOfPosition(d.start);
    diagnostics.push({ message: t.flattenDiagnosticMessageText(d.messageText, "\n"), line: pos.line + 1, column: pos.character + 1 });
  }
  const body = out.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, "");
  return { body, sourceMap: out.sourceMapText ?? "", hasResult: state.hasResult, diagnostics };
}
