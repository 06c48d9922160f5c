import { useEffect, useRef } from "react";
import { KEY_HELP } from "./keymap.js";

/** The keyboard shortcuts (H, or Help → Keyboard shortcuts). */
export function KeyHelp({ onClose }: { onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={ref} className="dialog key-help" onClose={onClose} onCancel={onClose} aria-labelledby="keys-title">
      <h2 id="keys-title">Keyboard shortcuts</h2>
      <p className="muted">Command mode: a cell is selected (blue bar), Esc gets there. Edit mode: typing in a cell, Enter gets there.</p>
      <table>
        <tbody>
          {KEY_HELP.map((k) => (
            <tr key={k.keys}>
              <td>
                <kbd>{k.keys}</kbd>
              </td>
              <td>{k.what}</td>
              <td className="muted">{k.mode === "both" ? "any mode" : `${k.mode} mode`}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="dialog-buttons">
        <button type="button" className="btn btn-primary" autoFocus onClick={() => ref.current?.close()}>
          Close
        </button>
      </div>
    </dialog>
  );
}
