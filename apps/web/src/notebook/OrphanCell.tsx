/**
 * A cell deleted on another page while this page was typing in it. The text stays here,
 * where the cell was, in a plain text box that takes the keyboard at once: the keys typed
 * next go on into the text and never reach the notebook as commands.
 */
import { useEffect, useRef } from "react";
import type { Orphan } from "../state/ui-store.js";
import type { NotebookActions } from "./actions.js";

export function OrphanCell({ orphan, actions }: { orphan: Orphan; actions: NotebookActions }) {
  const box = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    el.focus({ preventScroll: false });
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);
  const lines = Math.min(20, Math.max(3, orphan.text.split("\n").length + 1));
  return (
    <div className="orphan" role="group" aria-label="A deleted cell's text, kept">
      <div className="orphan-head">
        <strong>This cell was deleted on another page while you were editing it.</strong> Your text is kept here: put it back as a cell, or
        discard it.
      </div>
      <textarea
        ref={box}
        className="orphan-text"
        value={orphan.text}
        rows={lines}
        spellCheck={false}
        aria-label="The deleted cell's text"
        onChange={(e) => actions.ui.setOrphanText(orphan.key, e.target.value)}
        // Keys here are text, never notebook commands.
        onKeyDown={(e) => e.stopPropagation()}
      />
      <div className="orphan-actions">
        <button type="button" className="btn btn-primary" onClick={() => actions.reinsertOrphan(orphan.key)}>
          Reinsert as a {orphan.cellType} cell
        </button>
        <button type="button" className="btn btn-ghost" onClick={() => actions.ui.removeOrphan(orphan.key)}>
          Discard
        </button>
      </div>
    </div>
  );
}
