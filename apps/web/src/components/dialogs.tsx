/**
 * Confirm and prompt dialogs on the native <dialog> (focus trap and Esc for free),
 * called imperatively: `if (await confirmDialog({...})) …`.
 */
import { useEffect, useRef, useSyncExternalStore } from "react";

interface DialogRequest {
  title: string;
  message?: string;
  /** Present for a prompt: the initial value. */
  value?: string;
  label?: string;
  confirmLabel: string;
  danger?: boolean;
  resolve: (value: string | null) => void;
}

let current: DialogRequest | null = null;
/** Bumped per request so each dialog starts from a fresh form. */
let serial = 0;
const listeners = new Set<() => void>();

function open(req: DialogRequest): void {
  current?.resolve(null);
  current = req;
  serial += 1;
  for (const l of listeners) l();
}

function close(value: string | null): void {
  const req = current;
  current = null;
  for (const l of listeners) l();
  req?.resolve(value);
}

export function confirmDialog(opts: { title: string; message?: string; confirmLabel?: string; danger?: boolean }): Promise<boolean> {
  return new Promise((resolve) => open({ ...opts, confirmLabel: opts.confirmLabel ?? "OK", resolve: (v) => resolve(v !== null) }));
}

export function promptDialog(opts: { title: string; label: string; value: string; confirmLabel?: string }): Promise<string | null> {
  return new Promise((resolve) => open({ ...opts, confirmLabel: opts.confirmLabel ?? "OK", resolve }));
}

export function DialogHost() {
  const req = useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => current,
  );
  const ref = useRef<HTMLDialogElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (req && !dialog.open) {
      dialog.showModal();
      requestAnimationFrame(() => {
        if (req.value !== undefined && inputRef.current) {
          inputRef.current.focus();
          // Select the name without its extension, as file managers do.
          const dot = inputRef.current.value.lastIndexOf(".");
          inputRef.current.setSelectionRange(0, dot > 0 ? dot : inputRef.current.value.length);
        } else confirmRef.current?.focus();
      });
    } else if (!req && dialog.open) dialog.close();
  }, [req]);

  return (
    <dialog ref={ref} className="dialog" onCancel={() => close(null)} aria-labelledby="dialog-title">
      {req && (
        <form
          key={serial}
          method="dialog"
          onSubmit={(e) => {
            e.preventDefault();
            close(req.value !== undefined ? (inputRef.current?.value ?? "") : "");
          }}
        >
          <h2 id="dialog-title">{req.title}</h2>
          {req.message && <p>{req.message}</p>}
          {req.value !== undefined && (
            <label className="dialog-field">
              <span>{req.label}</span>
              <input ref={inputRef} defaultValue={req.value} spellCheck={false} />
            </label>
          )}
          <div className="dialog-buttons">
            <button type="button" className="btn" onClick={() => close(null)}>
              Cancel
            </button>
            <button ref={confirmRef} type="submit" className={`btn ${req.danger ? "btn-danger" : "btn-primary"}`}>
              {req.confirmLabel}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
