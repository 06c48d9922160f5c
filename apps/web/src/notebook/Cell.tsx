/**
 * One cell: a code cell (editor, run info, outputs, input prompt) or a markdown/raw cell
 * (rendered, double-click to edit). Memoized: the document is copy-on-write, so a cell
 * re-renders only when its own cell, run state or selection changed.
 */
import { memo, type MouseEvent } from "react";
import { joinSource, type Cell, type CellRunState } from "@tessera/protocol";
import type { InputPrompt as InputPromptState } from "../channel/doc-client.js";
import { CellEditor } from "../editor/CellEditor.js";
import { languageOf } from "../editor/types.js";
import { Markdown } from "../markdown/Markdown.js";
import { InputPrompt } from "../outputs/InputPrompt.js";
import { OutputArea } from "../outputs/OutputArea.js";
import type { NotebookActions } from "./actions.js";
import { RunInfo } from "./RunInfo.js";

export interface CellViewProps {
  cell: Cell;
  index: number;
  run: CellRunState | undefined;
  selected: boolean;
  active: boolean;
  editing: boolean;
  /** Markdown shown as source. */
  markdownSource: boolean;
  input: InputPromptState | undefined;
  actions: NotebookActions;
}

export const CellView = memo(function CellView(props: CellViewProps) {
  const { cell, index, run, selected, active, editing, markdownSource, input, actions } = props;
  const source = joinSource(cell.source);
  const isCode = cell.cell_type === "code";
  const showEditor = isCode || cell.cell_type === "raw" || markdownSource || source.trim() === "";

  const onMouseDown = (e: MouseEvent) => {
    // Clicks inside the editor select through the editor's focus handler.
    if ((e.target as HTMLElement).closest(".monaco-host, .input-prompt, .output-html-frame")) return;
    actions.select(cell.id, e.shiftKey);
  };

  const classes = ["cell", `cell-${cell.cell_type}`];
  if (selected) classes.push("selected");
  if (active) classes.push("active");
  if (editing) classes.push("editing");
  if (run && run.state !== "idle") classes.push(`cell-${run.state}`);

  return (
    <div
      className={classes.join(" ")}
      data-cell-id={cell.id}
      data-cell-index={index}
      tabIndex={active ? 0 : -1}
      role="listitem"
      aria-label={`${cell.cell_type} cell ${index + 1}${selected ? ", selected" : ""}`}
      aria-current={active ? "true" : undefined}
      onMouseDown={onMouseDown}
    >
      <div className="cell-gutter">
        {isCode ? (
          <>
            <button
              type="button"
              className="icon-btn run-btn"
              tabIndex={-1}
              title="Run this cell (Ctrl+Enter)"
              aria-label="Run this cell"
              onClick={() => {
                actions.select(cell.id);
                actions.run("stay");
              }}
            >
              ▶
            </button>
            <RunInfo count={cell.execution_count} run={run} />
          </>
        ) : cell.cell_type === "raw" ? (
          <span className="cell-kind">raw</span>
        ) : null}
      </div>
      <div className="cell-body">
        {showEditor ? (
          <CellEditor
            key={cell.cell_type}
            cellId={cell.id}
            source={source}
            language={languageOf(cell.cell_type)}
            focused={editing}
            onCommand={actions.editorCommand}
            onFocus={actions.editorFocus}
          />
        ) : (
          <div className="markdown-rendered" onDoubleClick={() => actions.enterEdit(cell.id)}>
            <Markdown source={source} attachments={cell.cell_type === "markdown" ? cell.attachments : undefined} />
          </div>
        )}
        {isCode && <OutputArea outputs={cell.outputs} />}
        {input && <InputPrompt prompt={input.prompt} password={input.password} onSubmit={(v) => actions.client.inputReply(v)} />}
      </div>
    </div>
  );
});
