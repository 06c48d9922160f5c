/**
 * Monaco, bundled: the editor core and features, TypeScript and Markdown,
 * and workers built by Vite from the package (`?worker`), so nothing loads from elsewhere.
 */
import * as monaco from "monaco-editor/editor";
// All editor features: the TypeScript mode pulls in every contribution anyway, and
// registering them up front keeps them in one chunk, ready before the first editor.
import "monaco-editor/features/register.all";
import "monaco-editor/languages/definitions/typescript/register";
import "monaco-editor/languages/definitions/markdown/register";
import * as ts from "monaco-editor/languages/features/typescript/register";
import { errorHandler } from "monaco-editor/base/common/errors";
import EditorWorker from "monaco-editor/editor/editor.worker?worker";
import TsWorker from "monaco-editor/language/typescript/ts.worker?worker";

// One Monaco model per cell is this page's design; past ~175 models Monaco's listener-leak
// monitor throws "potential listener LEAK detected" as an uncaught error. Drop that report
// only; every other unexpected error still surfaces.
const reportUnexpected = errorHandler.unexpectedErrorHandler;
errorHandler.unexpectedErrorHandler = (e: unknown) => {
  const err = e as { name?: string; message?: string } | null;
  if (err?.name === "ListenerLeakError" || /potential listener LEAK detected/.test(err?.message ?? "")) return;
  reportUnexpected(e);
};

globalThis.MonacoEnvironment = {
  getWorker(_id: string, label: string) {
    return label === "typescript" || label === "javascript" ? new TsWorker() : new EditorWorker();
  },
};

/**
 * Diagnostics a notebook makes by design: cells share one global scope (so re-declaring
 * `const x` in a later cell, or re-running it, is normal), top-level await is allowed,
 * and the kernel's own globals and modules are not known to the browser.
 */
const NOTEBOOK_NOISE = [
  1375,
  1378,
  1431,
  1432, // top-level await / for-await outside a module
  2451,
  2300,
  2393,
  2323, // redeclared block-scoped variable, duplicate identifier/function
  1108, // return outside a function
  2304,
  2552,
  2580,
  2591,
  2582,
  2583,
  2584,
  2868, // cannot find name (kernel globals)
  2307,
  2792,
  2875, // cannot find module
  7016, // module without types
];

ts.typescriptDefaults.setCompilerOptions({
  target: ts.ScriptTarget.ESNext,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.NodeJs,
  allowNonTsExtensions: true,
  strict: true,
  noImplicitAny: false,
  esModuleInterop: true,
  skipLibCheck: true,
  noEmit: true,
});
ts.typescriptDefaults.setDiagnosticsOptions({
  noSemanticValidation: false,
  noSyntaxValidation: false,
  onlyVisible: true,
  diagnosticCodesToIgnore: NOTEBOOK_NOISE,
});
// Every cell's model is in the TS program, so names from earlier cells complete and type.
ts.typescriptDefaults.setEagerModelSync(true);
// Completions and hover come from our providers, which merge TS with the kernel's answers.
ts.typescriptDefaults.setModeConfiguration({
  completionItems: false,
  hovers: false,
  documentSymbols: true,
  definitions: true,
  references: true,
  documentHighlights: true,
  rename: true,
  diagnostics: true,
  documentRangeFormattingEdits: true,
  signatureHelp: true,
  onTypeFormattingEdits: true,
  codeActions: false,
  inlayHints: false,
});

monaco.editor.defineTheme("tessera-light", {
  base: "vs",
  inherit: true,
  rules: [],
  colors: { "editor.background": "#f6f8fa", "editor.lineHighlightBackground": "#00000000", "editorGutter.background": "#f6f8fa" },
});
monaco.editor.defineTheme("tessera-dark", {
  base: "vs-dark",
  inherit: true,
  rules: [],
  colors: { "editor.background": "#1c2129", "editor.lineHighlightBackground": "#00000000", "editorGutter.background": "#1c2129" },
});

export { monaco, ts };
