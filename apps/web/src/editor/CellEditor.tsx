/**
 * A cell's source: Monaco when the cell is near the viewport or focused, otherwise the
 * same text as static highlighted code, the same height, so nothing shifts on the swap.
 */
import { memo, useEffect, useRef, useState } from "react";
import { useTheme } from "../theme/theme.js";
import { useEditorModule } from "./loader.js";
import type { CellEditorHandle, EditorCallbacks, EditorCommand, EditorLanguage } from "./types.js";
import { scheduleMount, useInZone } from "./viewport.js";

export interface CellEditorProps {
  cellId: string;
  source: string;
  language: EditorLanguage;
  /** The notebook wants this editor focused (edit mode on this cell). */
  focused: boolean;
  onCommand: (cellId: string, command: EditorCommand) => void;
  onFocus: (cellId: string) => void;
}

function StaticCode({ source, language, near }: { source: string; language: EditorLanguage; near: boolean }) {
  const editor = useEditorModule();
  const [html, setHtml] = useState<string | null>(null);
  const wanted = editor !== null && language !== "plaintext" && source !== "" && near;
  useEffect(() => {
    let live = true;
    if (wanted && editor)
      editor.colorize(source, language).then(
        (h) => live && setHtml(h),
        () => {},
      );
    return () => {
      live = false;
    };
  }, [wanted, editor, source, language]);
  // Colored HTML of an older source is not shown.
  const [shownFor, setShownFor] = useState(source);
  if (shownFor !== source) {
    setShownFor(source);
    setHtml(null);
  }
  const text = source.endsWith("\n") ? `${source} ` : source;
  if (html !== null) return <pre className="static-code" dangerouslySetInnerHTML={{ __html: html }} />;
  return <pre className="static-code">{text || " "}</pre>;
}

export const CellEditor = memo(function CellEditor({ cellId, source, language, focused, onCommand, onFocus }: CellEditorProps) {
  const wrapRef = useRef<HTMLDivElement>(null);
  const hostRef = useRef<HTMLDivElement>(null);
  const handle = useRef<CellEditorHandle | null>(null);
  const visible = useInZone(wrapRef, "visible");
  const near = useInZone(wrapRef, "near");
  const editor = useEditorModule();
  const theme = useTheme();
  const [mounted, setMounted] = useState(false);
  const focusedRef = useRef(focused);
  focusedRef.current = focused;
  // Mount when on screen; once mounted, stay while near (no churn when scrolling back).
  const [wasMounted, setWasMounted] = useState(false);
  const shouldMount = editor !== null && (focused || visible || (wasMounted && near));
  useEffect(() => {
    if (!near && !focused) setWasMounted(false);
  }, [near, focused]);

  const cbRef = useRef<EditorCallbacks>({ onCommand: () => {}, onFocus: () => {} });
  cbRef.current = { onCommand: (c) => onCommand(cellId, c), onFocus: () => onFocus(cellId) };

  useEffect(() => {
    editor?.setTheme(theme === "dark");
  }, [editor, theme]);

  useEffect(() => {
    if (!shouldMount || !editor) return;
    const cancel = scheduleMount(() => {
      const host = hostRef.current;
      if (!host) return;
      handle.current = editor.createEditor(host, cellId, language, source, {
        onCommand: (c) => cbRef.current.onCommand(c),
        onFocus: () => cbRef.current.onFocus(),
      });
      setMounted(true);
      setWasMounted(true);
      if (focusedRef.current) handle.current.focus();
    }, focusedRef.current);
    return () => {
      cancel();
      handle.current?.dispose();
      handle.current = null;
      setMounted(false);
    };
    // The source is read at mount only; later changes flow through the model.
  }, [shouldMount, editor, cellId, language]);

  useEffect(() => {
    if (focused && mounted && handle.current && !handle.current.hasFocus()) handle.current.focus();
  }, [focused, mounted]);

  return (
    <div className={`cell-editor lang-${language}`} ref={wrapRef}>
      <div className="monaco-host" ref={hostRef} />
      {!mounted && (
        <div
          className="static-host"
          onMouseUp={() => {
            if (!window.getSelection()?.toString()) onFocus(cellId);
          }}
        >
          <StaticCode source={source} language={language} near={near} />
        </div>
      )}
    </div>
  );
});
