/**
 * Completions and hover for code cells, from two sources merged: Monaco's TypeScript
 * worker (types, docs, names from every cell) and the kernel (`complete` / `inspect` over
 * the document channel: what actually exists at run time). The kernel's answer is given a
 * short time so a busy kernel never stalls typing.
 */
import type { CompleteReplyContent, InspectReplyContent } from "@tessera/protocol";
import type { EditorHost } from "../types.js";
import type { CellModels } from "./models.js";
import { monaco, ts } from "./env.js";

const KERNEL_WAIT_MS = 1200;
const ESC = String.fromCharCode(27);
const stripAnsi = (s: string) =>
  s
    .split(ESC)
    .map((part, i) => (i === 0 ? part : part.replace(/^\[[0-9;]*[A-Za-z]/, "")))
    .join("");

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | null> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(null), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      () => {
        clearTimeout(t);
        resolve(null);
      },
    );
  });
}

/** UTF-16 offset → code points (Jupyter's cursor_pos unit) and back. */
function toCodePoints(text: string, offset: number): number {
  return Array.from(text.slice(0, offset)).length;
}
function fromCodePoints(text: string, points: number): number {
  let i = 0;
  for (let n = 0; n < points && i < text.length; n++) i += text.codePointAt(i)! > 0xffff ? 2 : 1;
  return i;
}

const Kind = monaco.languages.CompletionItemKind;

function kindOf(tsKind: string): monaco.languages.CompletionItemKind {
  switch (tsKind) {
    case "keyword":
    case "primitive type":
      return Kind.Keyword;
    case "var":
    case "let":
    case "local var":
    case "parameter":
      return Kind.Variable;
    case "const":
      return Kind.Constant;
    case "property":
    case "getter":
    case "setter":
      return Kind.Field;
    case "method":
    case "function":
    case "local function":
    case "construct":
    case "call":
      return Kind.Function;
    case "class":
      return Kind.Class;
    case "interface":
      return Kind.Interface;
    case "type":
    case "alias":
      return Kind.TypeParameter;
    case "enum":
      return Kind.Enum;
    case "module":
      return Kind.Module;
    default:
      return Kind.Property;
  }
}

async function tsWorker(uri: monaco.Uri) {
  const get = await ts.getTypeScriptWorker();
  return get(uri);
}

type Parts = Array<{ text: string }> | undefined;
const partsText = (parts: Parts) => (parts ?? []).map((p) => p.text).join("");

interface TsItem extends monaco.languages.CompletionItem {
  tsOffset?: number;
  tsUri?: monaco.Uri;
}

async function tsCompletions(model: monaco.editor.ITextModel, position: monaco.Position): Promise<TsItem[]> {
  const worker = await tsWorker(model.uri);
  const offset = model.getOffsetAt(position);
  const info = (await worker.getCompletionsAtPosition(model.uri.toString(), offset)) as
    | {
        entries: Array<{
          name: string;
          kind: string;
          sortText: string;
          kindModifiers?: string;
          replacementSpan?: { start: number; length: number };
        }>;
      }
    | undefined;
  if (!info || model.isDisposed()) return [];
  const word = model.getWordUntilPosition(position);
  const wordRange = new monaco.Range(position.lineNumber, word.startColumn, position.lineNumber, word.endColumn);
  return info.entries.map((e) => {
    let range: monaco.IRange = wordRange;
    if (e.replacementSpan) {
      const a = model.getPositionAt(e.replacementSpan.start);
      const b = model.getPositionAt(e.replacementSpan.start + e.replacementSpan.length);
      range = new monaco.Range(a.lineNumber, a.column, b.lineNumber, b.column);
    }
    return {
      label: e.name,
      insertText: e.name,
      sortText: `0${e.sortText}`,
      kind: kindOf(e.kind),
      range,
      tags: e.kindModifiers?.includes("deprecated") ? [monaco.languages.CompletionItemTag.Deprecated] : [],
      tsOffset: offset,
      tsUri: model.uri,
    };
  });
}

function kernelItems(model: monaco.editor.ITextModel, reply: CompleteReplyContent | null): monaco.languages.CompletionItem[] {
  if (!reply || reply.status !== "ok" || !Array.isArray(reply.matches)) return [];
  const text = model.getValue();
  const start = model.getPositionAt(fromCodePoints(text, reply.cursor_start));
  const end = model.getPositionAt(fromCodePoints(text, reply.cursor_end));
  const range = new monaco.Range(start.lineNumber, start.column, end.lineNumber, end.column);
  const types = (reply.metadata?._jupyter_types_experimental as Array<{ text: string; type?: string }> | undefined) ?? [];
  const typeOf = new Map(types.map((t) => [t.text, t.type ?? ""]));
  return reply.matches.map((m) => ({
    label: m,
    insertText: m,
    sortText: `1${m}`,
    kind: kindOf(typeOf.get(m) ?? ""),
    detail: typeOf.get(m) || "from the kernel",
    range,
  }));
}

export function registerProviders(host: () => EditorHost | null, models: CellModels): void {
  monaco.languages.registerCompletionItemProvider("typescript", {
    triggerCharacters: ["."],
    async provideCompletionItems(model, position) {
      const cellId = models.cellIdOf(model);
      const h = host();
      const text = model.getValue();
      const offset = model.getOffsetAt(position);
      const [fromTs, fromKernel] = await Promise.all([
        tsCompletions(model, position).catch(() => [] as TsItem[]),
        cellId && h ? withTimeout(h.complete(cellId, text, toCodePoints(text, offset)), KERNEL_WAIT_MS) : Promise.resolve(null),
      ]);
      if (model.isDisposed()) return { suggestions: [] };
      const seen = new Set(fromTs.map((i) => i.label as string));
      const extra = kernelItems(model, fromKernel).filter((i) => !seen.has(i.label as string));
      return { suggestions: [...fromTs, ...extra] };
    },
    async resolveCompletionItem(item: TsItem) {
      if (!item.tsUri || item.tsOffset === undefined) return item;
      try {
        const worker = await tsWorker(item.tsUri);
        const details = (await worker.getCompletionEntryDetails(item.tsUri.toString(), item.tsOffset, item.label as string)) as
          { displayParts?: Parts; documentation?: Parts } | undefined;
        if (!details) return item;
        return { ...item, detail: partsText(details.displayParts), documentation: { value: partsText(details.documentation) } };
      } catch {
        return item;
      }
    },
  });

  monaco.languages.registerHoverProvider("typescript", {
    async provideHover(model, position) {
      const offset = model.getOffsetAt(position);
      const contents: monaco.IMarkdownString[] = [];
      let typed = false;
      try {
        const worker = await tsWorker(model.uri);
        const info = (await worker.getQuickInfoAtPosition(model.uri.toString(), offset)) as
          { displayParts?: Parts; documentation?: Parts; textSpan: { start: number; length: number } } | undefined;
        if (info) {
          const sig = partsText(info.displayParts);
          contents.push({ value: "```typescript\n" + sig + "\n```" });
          const doc = partsText(info.documentation);
          if (doc) contents.push({ value: doc });
          typed = !/:\s*any\b/.test(sig);
        }
      } catch {}
      const cellId = models.cellIdOf(model);
      const h = host();
      // The kernel knows runtime values that TS only sees as `any`.
      if (!typed && cellId && h) {
        const text = model.getValue();
        const reply = await withTimeout<InspectReplyContent>(h.inspect(cellId, text, toCodePoints(text, offset)), KERNEL_WAIT_MS);
        const found = reply && reply.status === "ok" && reply.found ? reply.data : null;
        const md = found?.["text/markdown"];
        const plain = found?.["text/plain"];
        if (typeof md === "string") contents.push({ value: md });
        else if (typeof plain === "string") contents.push({ value: "```\n" + stripAnsi(plain) + "\n```" });
      }
      if (contents.length === 0 || model.isDisposed()) return null;
      const word = model.getWordAtPosition(position);
      const range = word ? new monaco.Range(position.lineNumber, word.startColumn, position.lineNumber, word.endColumn) : undefined;
      return { contents, range };
    },
  });
}
