/**
 * Loads the editor module once, on demand (the home page never pays for Monaco), and
 * tells React components when it is ready.
 */
import { useSyncExternalStore } from "react";
import type { EditorModule } from "./types.js";

let loaded: EditorModule | null = null;
let loading: Promise<EditorModule> | null = null;
const listeners = new Set<() => void>();

export function loadEditor(): Promise<EditorModule> {
  loading ??= import("./monaco/index.js").then((m) => {
    loaded = m.editorModule;
    for (const l of listeners) l();
    return loaded;
  });
  return loading;
}

/** The editor module, or null until it has loaded. */
export function useEditorModule(): EditorModule | null {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => loaded,
  );
}
