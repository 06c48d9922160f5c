/**
 * One cell: a code cell (editor, run info, outputs, input prompt) or a markdown/raw cell
 * (rendered, double-click to edit). Memoized: the document is copy-on-write, so a cell
 * re-renders only when its own cell, run state or selection changed.
 */
import { memo, type MouseEvent } from "react";
import { joinSource, sourceHash, type Cell, type CellRunState, type PeerIdentity } from "@tessera/protocol";
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
  /** Other pages whose cursor is in this cell. */
  peers: readonly PeerIdentity[];
  actions: NotebookActions;
}

/** Outputs made by a source the cell no longer has (it was edited after the run), as a code review marks a comment outdated. */
function isStale(cell: Cell, source: string, run: CellRunState | undefined): boolean {
  if (cell.cell_type !== "code" || cell.outputs.length === 0 || !run?.sourceHash || run.state !== "idle") return false;
  return sourceHash(source) !== run.sourceHash;
}

export const CellView = memo(function CellView(props: CellViewProps) {
  const { cell, index, run, selected, active, editing, markdownSource, input, peers, actions } = props;
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
  const stale = isStale(cell, source, run);
  if (stale) classes.push("stale");

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
        {peers.length > 0 && (
          <div className="cell-peers" aria-label={`Also here: ${peers.map((p) => p.name).join(", ")}`}>
            {peers.map((p, i) => (
              <span key={i} className="peer-tag" style={{ background: p.color }}>
                {p.name}
              </span>
            ))}
          </div>
        )}
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
        {stale && (
          <div
            className="stale-note"
            title="The cell's source changed after this output was made: run it again to bring the output up to date"
          >
            Outdated: the source changed since this output
          </div>
        )}
        {isCode && <OutputArea outputs={cell.outputs} />}
        {input && <InputPrompt prompt={input.prompt} password={input.password} onSubmit={(v) => actions.client.inputReply(v)} />}
      </div>
    </div>
  );
});
