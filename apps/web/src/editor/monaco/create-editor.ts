/**
 * A Monaco editor for one cell: grows with its content (no inner vertical scroll),
 * lets the page scroll over it, and hands Jupyter's run/escape/save keys to the notebook.
 */
import type { CellEditorHandle, EditorCallbacks, EditorCommand } from "../types.js";
import { monaco } from "./env.js";
import type { CellModels } from "./models.js";

export const LINE_HEIGHT = 20;
export const PADDING = 8;
export const FONT_SIZE = 13;
const FONT = 'ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace';

/** Callbacks by editor: keybindings are global in Monaco, so actions look up their editor. */
const callbacksOf = new WeakMap<monaco.editor.ICodeEditor, EditorCallbacks>();

const K = monaco.KeyCode;
const M = monaco.KeyMod;
const ACTIONS: Array<{ id: EditorCommand; keys: number[]; when?: string }> = [
  { id: "run-advance", keys: [M.Shift | K.Enter] },
  { id: "run", keys: [M.CtrlCmd | K.Enter] },
  { id: "run-insert", keys: [M.Alt | K.Enter] },
  { id: "save", keys: [M.CtrlCmd | K.KeyS] },
  {
    id: "escape",
    keys: [K.Escape],
    // Esc first closes whatever the editor has open.
    when: "!suggestWidgetVisible && !findWidgetVisible && !parameterHintsVisible && !renameInputVisible && !inSnippetMode && !editorHasMultipleSelections && !markersNavigationVisible",
  },
];

export function createCellEditor(
  container: HTMLElement,
  model: monaco.editor.ITextModel,
  models: CellModels,
  callbacks: EditorCallbacks,
  theme: string,
): CellEditorHandle {
  const editor = monaco.editor.create(container, {
    model,
    theme,
    automaticLayout: false,
    minimap: { enabled: false },
    lineNumbers: "off",
    glyphMargin: false,
    folding: false,
    lineDecorationsWidth: 10,
    lineNumbersMinChars: 0,
    scrollBeyondLastLine: false,
    overviewRulerLanes: 0,
    overviewRulerBorder: false,
    hideCursorInOverviewRuler: true,
    renderLineHighlight: "none",
    scrollbar: { vertical: "hidden", horizontal: "auto", alwaysConsumeMouseWheel: false, horizontalScrollbarSize: 8, useShadows: false },
    fontFamily: FONT,
    fontSize: FONT_SIZE,
    lineHeight: LINE_HEIGHT,
    padding: { top: PADDING, bottom: PADDING },
    fixedOverflowWidgets: true,
    wordWrap: model.getLanguageId() === "markdown" ? "on" : "off",
    tabSize: 2,
    contextmenu: true,
    stickyScroll: { enabled: false },
    quickSuggestions: { other: true, comments: false, strings: false },
    suggest: { showStatusBar: false, preview: false },
    ariaLabel: model.getLanguageId() === "markdown" ? "Markdown cell" : "Code cell",
  });
  callbacksOf.set(editor, callbacks);

  // Undo and redo take back this page's edits only (the shared text's undo manager), never
  // another page's typing, which Monaco's own undo stack would.
  editor.addAction({
    id: "tessera.undo",
    label: "Undo",
    keybindings: [M.CtrlCmd | K.KeyZ],
    run: (ed) => models.bindingOf(ed.getModel())?.undo(),
  });
  editor.addAction({
    id: "tessera.redo",
    label: "Redo",
    keybindings: [M.CtrlCmd | M.Shift | K.KeyZ, M.CtrlCmd | K.KeyY],
    run: (ed) => models.bindingOf(ed.getModel())?.redo(),
  });
  const cellId = models.cellIdOf(model);
  const removeEditor = cellId === undefined ? () => {} : models.addEditor(cellId, editor);
  // Where this page's cursor is, for the other pages.
  const publish = () => {
    if (editor.hasTextFocus()) models.bindingOf(editor.getModel())?.publishCursor(editor);
  };
  editor.onDidChangeCursorSelection(publish);
  editor.onDidFocusEditorText(publish);

  for (const action of ACTIONS) {
    editor.addAction({
      id: `tessera.${action.id}`,
      label: `Notebook: ${action.id}`,
      keybindings: action.keys,
      precondition: action.when,
      run: (ed) => callbacksOf.get(ed)?.onCommand(action.id),
    });
  }

  let width = container.clientWidth;
  const layout = () => {
    const height = editor.getContentHeight();
    container.style.height = `${height}px`;
    editor.layout({ width, height });
  };
  editor.onDidContentSizeChange((e) => {
    if (e.contentHeightChanged) layout();
  });
  const resize = new ResizeObserver(() => {
    const w = container.clientWidth;
    if (w !== width) {
      width = w;
      layout();
    }
  });
  resize.observe(container);
  layout();
  editor.onDidFocusEditorText(() => callbacksOf.get(editor)?.onFocus());

  return {
    focus: () => editor.focus(),
    hasFocus: () => editor.hasTextFocus(),
    dispose: () => {
      resize.disconnect();
      removeEditor();
      callbacksOf.delete(editor);
      editor.dispose();
      container.style.height = "";
    },
  };
}
