/**
 * What the page needs from the editor module, so React components can use it without
 * importing Monaco (which loads later, in its own chunk).
 */
import type { Cell, CompleteReplyContent, InspectReplyContent } from "@tessera/protocol";
import type { SharedTextClient } from "../channel/shared-text-client.js";

export type EditorLanguage = "typescript" | "markdown" | "plaintext";

/** Keys the editor hands to the notebook (the rest it handles itself). */
export type EditorCommand = "run" | "run-advance" | "run-insert" | "escape" | "save";

export interface EditorCallbacks {
  onCommand(command: EditorCommand): void;
  onFocus(): void;
}

export interface CellEditorHandle {
  focus(): void;
  hasFocus(): boolean;
  dispose(): void;
}

/** How the editor reaches the kernel and the document. */
export interface EditorHost {
  /** The cells' shared texts: each model is bound to its cell's text. */
  text: SharedTextClient;
  complete(cellId: string, code: string, cursorPos: number): Promise<CompleteReplyContent>;
  inspect(cellId: string, code: string, cursorPos: number): Promise<InspectReplyContent>;
}

export interface EditorModule {
  /** Connects completions, hover and typing to a notebook (one at a time). */
  attach(host: EditorHost): void;
  /** Keeps one model per cell in step with the document (TS sees every code cell). */
  syncCells(cells: readonly Cell[]): void;
  createEditor(
    container: HTMLElement,
    cellId: string,
    language: EditorLanguage,
    source: string,
    callbacks: EditorCallbacks,
  ): CellEditorHandle;
  /** Highlighted HTML for code shown without an editor (escaped by Monaco). */
  colorize(source: string, language: EditorLanguage): Promise<string>;
  setTheme(dark: boolean): void;
}

export function languageOf(cellType: Cell["cell_type"]): EditorLanguage {
  return cellType === "code" ? "typescript" : cellType === "markdown" ? "markdown" : "plaintext";
}
