/**
 * Completions and hover docs for cells (`complete_request`, `inspect_request`), from a
 * TypeScript LanguageService over a virtual file: earlier cells' declarations plus the
 * cell being edited (see notebook-source.ts), with lib and @types/node typings and the
 * packages the notebook folder (then the kernel) can import.
 *
 * The first request builds the program (~1.3 s with @types/node); later ones reuse it and
 * take tens of milliseconds. The kernel warms it when idle.
 */
import { createRequire } from "node:module";
import path from "node:path";
import type { CompleteReplyContent, InspectReplyContent } from "@tessera/protocol";
import { CELL_GLOBALS_DTS, CELL_GLOBALS_FILE } from "./cell-globals.js";
import { NotebookSourceBuilder } from "./notebook-source.js";
import { codePointToIndex, indexToCodePoint } from "./offsets.js";
import type { TS } from "./typescript.js";
import { ts } from "./typescript.js";

const MAX_MATCHES = 1000;
const IDENTIFIER_PART = /[\p{ID_Continue}$\u200c\u200d]/u;

function typeRoots(): string[] {
  try {
    const nodeTypes = createRequire(import.meta.url).resolve("@types/node/package.json");
    return [path.dirname(path.dirname(nodeTypes))];
  } catch {
    return [];
  }
}

interface VirtualFile {
  text: string;
  version: number;
}

export class CellLanguageService {
  private readonly files = new Map<string, VirtualFile>();
  private readonly notebookFile: string;
  private readonly builder = new NotebookSourceBuilder();
  private service: TS.LanguageService | undefined;

  /**
   * `history` gives the code of every cell run so far, oldest first; packages the notebook
   * folder cannot resolve are looked up from `fallbackDir` (the kernel's own folder, as
   * cell imports are at run time).
   */
  constructor(
    private readonly history: () => readonly string[],
    private readonly fallbackDir: string,
  ) {
    this.notebookFile = path.join(process.cwd(), "__tessera_notebook__.ts");
    this.files.set(path.join(process.cwd(), CELL_GLOBALS_FILE), { text: CELL_GLOBALS_DTS, version: 1 });
    this.files.set(this.notebookFile, { text: "", version: 0 });
  }

  private languageService(): TS.LanguageService {
    if (this.service) return this.service;
    const t = ts();
    const options: TS.CompilerOptions = {
      target: t.ScriptTarget.ES2023,
      module: t.ModuleKind.ESNext,
      moduleResolution: t.ModuleResolutionKind.Bundler,
      moduleDetection: t.ModuleDetectionKind.Force,
      lib: ["lib.es2023.d.ts"],
      types: ["node"],
      typeRoots: typeRoots(),
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      esModuleInterop: true,
      resolveJsonModule: true,
      allowArbitraryExtensions: true,
    };
    const cache = t.createModuleResolutionCache(process.cwd(), (f) => f, options);
    const fallbackFrom = path.join(this.fallbackDir, "index.ts");
    const host: TS.LanguageServiceHost = {
      getScriptFileNames: () => [...this.files.keys()],
      getScriptVersion: (f) => String(this.files.get(f)?.version ?? 0),
      getScriptSnapshot: (f) => {
        const virtual = this.files.get(f);
        if (virtual) return t.ScriptSnapshot.fromString(virtual.text);
        const text = t.sys.readFile(f);
        return text === undefined ? undefined : t.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => process.cwd(),
      getCompilationSettings: () => options,
      getDefaultLibFileName: (o) => t.getDefaultLibFilePath(o),
      fileExists: (f) => this.files.has(f) || t.sys.fileExists(f),
      readFile: (f) => this.files.get(f)?.text ?? t.sys.readFile(f),
      directoryExists: t.sys.directoryExists,
      getDirectories: t.sys.getDirectories,
      realpath: t.sys.realpath,
      // Packages resolve from the notebook folder first, then from the kernel's own
      // location (workspace packages), as cell imports do at run time.
      resolveModuleNameLiterals: (literals, containingFile, _ref, opts) =>
        literals.map((lit) => {
          const first = t.resolveModuleName(lit.text, containingFile, opts, host, cache);
          if (first.resolvedModule || containingFile !== this.notebookFile) return first;
          return t.resolveModuleName(lit.text, fallbackFrom, opts, host, cache);
        }),
    };
    this.service = t.createLanguageService(host, t.createDocumentRegistry());
    return this.service;
  }

  /** Points the virtual notebook file at `code` after the history; returns the cell's offset. */
  private update(code: string): number {
    const source = this.builder.build(this.history(), code);
    const file = this.files.get(this.notebookFile)!;
    if (file.text !== source.text) {
      file.text = source.text;
      file.version++;
    }
    return source.cellStart;
  }

  /** Builds the program once so the first real request is fast. */
  warm(): void {
    const start = this.update("");
    this.languageService().getCompletionsAtPosition(this.notebookFile, start, {});
  }

  /**
   * Completions at code point `cursorPos` of `code`.
   * @example complete("Math.ma", 7).matches // ["max"]
   */
  complete(code: string, cursorPos: number): CompleteReplyContent {
    const t = ts();
    const index = codePointToIndex(code, cursorPos);
    const start = this.update(code);
    let wordStart = index;
    while (wordStart > 0 && IDENTIFIER_PART.test(code[wordStart - 1])) wordStart--;
    const prefix = code.slice(wordStart, index).toLowerCase();
    const info = this.languageService().getCompletionsAtPosition(this.notebookFile, start + index, {
      includeCompletionsWithInsertText: true,
    });
    const entries = (info?.entries ?? [])
      .filter((e) => e.name.toLowerCase().startsWith(prefix) && e.kind !== t.ScriptElementKind.warning)
      .sort((a, b) => (a.sortText === b.sortText ? a.name.localeCompare(b.name) : a.sortText < b.sortText ? -1 : 1))
      .slice(0, MAX_MATCHES);
    const cursorStart = indexToCodePoint(code, wordStart);
    const cursorEnd = indexToCodePoint(code, index);
    return {
      status: "ok",
      matches: entries.map((e) => e.name),
      cursor_start: cursorStart,
      cursor_end: cursorEnd,
      metadata: {
        _jupyter_types_experimental: entries.map((e) => ({ start: cursorStart, end: cursorEnd, text: e.name, type: e.kind })),
      },
    };
  }

  /**
   * The type signature and doc comment of the name at (or just before) code point `cursorPos`.
   * @example inspect("Math.max", 8).data["text/plain"] // "(method) Math.max(...values: number[]): number\n\nReturns the larger…"
   */
  inspect(code: string, cursorPos: number): InspectReplyContent {
    const t = ts();
    const index = codePointToIndex(code, cursorPos);
    const start = this.update(code);
    const service = this.languageService();
    // The cursor usually sits on the name, just after it, or after `name(`.
    let back = index;
    while (back > 0 && /[\s(]/.test(code[back - 1])) back--;
    let info: TS.QuickInfo | undefined;
    for (const probe of [index, index - 1, back - 1]) {
      if (probe < 0) continue;
      info = service.getQuickInfoAtPosition(this.notebookFile, start + probe);
      if (info) break;
    }
    if (!info) return { status: "ok", found: false, data: {}, metadata: {} };
    const signature = t.displayPartsToString(info.displayParts);
    const docs = t.displayPartsToString(info.documentation);
    const tags = (info.tags ?? []).map((tag) => ({ name: tag.name, text: t.displayPartsToString(tag.text) }));
    const plain = [signature, docs, ...tags.map((tag) => `@${tag.name} ${tag.text}`.trim())].filter(Boolean).join("\n\n");
    const markdown = [
      "```typescript\n" + signature + "\n```",
      docs,
      ...tags.map((tag) =>
        tag.name === "example" ? "*@example*\n```typescript\n" + tag.text + "\n```" : `*@${tag.name}* ${tag.text}`.trim(),
      ),
    ]
      .filter(Boolean)
      .join("\n\n");
    return { status: "ok", found: true, data: { "text/plain": plain, "text/markdown": markdown }, metadata: {} };
  }
}
