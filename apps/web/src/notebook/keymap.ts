/**
 * Jupyter's keyboard model. In command mode single keys act on the selected cells
 * (A, B, DD, M, Y, Z, …); in edit mode only run/escape/save reach the notebook and the
 * editor gets the rest. Pure: a key and the previous chord key in, a command out.
 */
import type { Mode } from "../state/selection.js";

export type CommandId =
  | "enter-edit"
  | "enter-command"
  | "run"
  | "run-advance"
  | "run-insert"
  | "insert-above"
  | "insert-below"
  | "delete"
  | "undo-delete"
  | "to-code"
  | "to-markdown"
  | "to-raw"
  | "select-up"
  | "select-down"
  | "extend-up"
  | "extend-down"
  | "move-up"
  | "move-down"
  | "copy"
  | "cut"
  | "paste-below"
  | "paste-above"
  | "select-all"
  | "save"
  | "interrupt"
  | "restart"
  | "show-keys";

export interface KeyLike {
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
}

/** The first key of a two-key command (DD, II, 00) and when it was pressed. */
export interface Chord {
  key: string;
  at: number;
}

export const CHORD_MS = 800;

const CHORDS: Record<string, CommandId> = { d: "delete", i: "interrupt", "0": "restart" };

const SINGLE: Record<string, CommandId> = {
  enter: "enter-edit",
  a: "insert-above",
  b: "insert-below",
  z: "undo-delete",
  m: "to-markdown",
  y: "to-code",
  r: "to-raw",
  arrowup: "select-up",
  k: "select-up",
  arrowdown: "select-down",
  j: "select-down",
  c: "copy",
  x: "cut",
  v: "paste-below",
  h: "show-keys",
};

export interface KeyResult {
  command: CommandId | null;
  /** The chord to remember for the next key (null clears it). */
  chord: Chord | null;
}

/** Commands shared by both modes: the run keys and save. */
function common(ev: KeyLike): CommandId | null {
  const key = ev.key.toLowerCase();
  const mod = ev.ctrlKey || ev.metaKey;
  if (key === "enter" && ev.shiftKey && !mod && !ev.altKey) return "run-advance";
  if (key === "enter" && mod && !ev.shiftKey && !ev.altKey) return "run";
  if (key === "enter" && ev.altKey && !mod && !ev.shiftKey) return "run-insert";
  if (key === "s" && mod && !ev.altKey && !ev.shiftKey) return "save";
  return null;
}

/**
 * The notebook command for a key press, or null to let the key through.
 * @example commandForKey({ key: "d", ... }, "command", { key: "d", at: 0 }, 100).command // "delete"
 */
export function commandForKey(ev: KeyLike, mode: Mode, chord: Chord | null, now: number): KeyResult {
  const shared = common(ev);
  if (shared) return { command: shared, chord: null };
  const key = ev.key.toLowerCase();
  if (mode === "edit")
    return { command: key === "escape" && !ev.ctrlKey && !ev.altKey && !ev.metaKey ? "enter-command" : null, chord: null };

  const mod = ev.ctrlKey || ev.metaKey;
  if (mod && !ev.altKey) {
    if (key === "a" && !ev.shiftKey) return { command: "select-all", chord: null };
    if (ev.shiftKey && key === "arrowup") return { command: "move-up", chord: null };
    if (ev.shiftKey && key === "arrowdown") return { command: "move-down", chord: null };
    return { command: null, chord: null };
  }
  if (ev.altKey || ev.metaKey) return { command: null, chord: null };
  if (ev.shiftKey) {
    if (key === "arrowup" || key === "k") return { command: "extend-up", chord: null };
    if (key === "arrowdown" || key === "j") return { command: "extend-down", chord: null };
    if (key === "v") return { command: "paste-above", chord: null };
    return { command: null, chord: null };
  }
  if (key in CHORDS) {
    if (chord && chord.key === key && now - chord.at <= CHORD_MS) return { command: CHORDS[key], chord: null };
    return { command: null, chord: { key, at: now } };
  }
  return { command: SINGLE[key] ?? null, chord: null };
}

/** The key help shown by H and in docs/page.md. */
export const KEY_HELP: ReadonlyArray<{ keys: string; what: string; mode: "both" | "command" | "edit" }> = [
  { keys: "Shift+Enter", what: "Run cell, select below (adds a cell at the end)", mode: "both" },
  { keys: "Ctrl+Enter", what: "Run cell, stay", mode: "both" },
  { keys: "Alt+Enter", what: "Run cell, insert a cell below", mode: "both" },
  { keys: "Ctrl+S", what: "Save now", mode: "both" },
  { keys: "Esc", what: "Command mode", mode: "edit" },
  { keys: "Enter", what: "Edit the selected cell", mode: "command" },
  { keys: "A / B", what: "Insert a cell above / below", mode: "command" },
  { keys: "D D", what: "Delete selected cells", mode: "command" },
  { keys: "Z", what: "Undo cell deletion", mode: "command" },
  { keys: "M / Y / R", what: "Make markdown / code / raw", mode: "command" },
  { keys: "Up / Down (K / J)", what: "Select cell above / below", mode: "command" },
  { keys: "Shift+Up / Shift+Down", what: "Extend the selection", mode: "command" },
  { keys: "Ctrl+Shift+Up / Down", what: "Move selected cells", mode: "command" },
  { keys: "C / X / V / Shift+V", what: "Copy / cut / paste below / paste above", mode: "command" },
  { keys: "Ctrl+A", what: "Select all cells", mode: "command" },
  { keys: "I I", what: "Interrupt the kernel", mode: "command" },
  { keys: "0 0", what: "Restart the kernel", mode: "command" },
  { keys: "H", what: "Show these keys", mode: "command" },
];
