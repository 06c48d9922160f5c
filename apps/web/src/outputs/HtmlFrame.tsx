/**
 * text/html output in a sandboxed iframe: `sandbox="allow-scripts"` without
 * allow-same-origin gives it an opaque origin, so its scripts cannot reach this page,
 * its cookies or the server API. A small script we add reports the content height by
 * postMessage so the frame fits its content.
 */
import { memo, useEffect, useRef, useState } from "react";
import { useTheme, type Theme } from "../theme/theme.js";
import { mimeText } from "./mime-text.js";
import type { RendererProps } from "./renderers.js";
import "./HtmlFrame.css";

/** Scripts only: never `allow-same-origin`, which would hand the frame this page's origin. */
export const HTML_SANDBOX = "allow-scripts";

const MAX_HEIGHT = 8000;
const frames = new Map<MessageEventSource, (height: number) => void>();
let listening = false;

function listen(): void {
  if (listening) return;
  listening = true;
  window.addEventListener("message", (e) => {
    const set = e.source ? frames.get(e.source) : undefined;
    const data = e.data as { tesseraFrameHeight?: unknown } | null;
    // Only frames we made, and only their height message, are heard.
    if (set && data && typeof data.tesseraFrameHeight === "number" && Number.isFinite(data.tesseraFrameHeight)) {
      set(data.tesseraFrameHeight);
    }
  });
}

const SIZER = `(function(){var last=-1,root=document.getElementById("tessera-root");
function send(){var h=Math.ceil(root.getBoundingClientRect().height);if(h!==last){last=h;parent.postMessage({tesseraFrameHeight:h},"*");}}
if(window.ResizeObserver)new ResizeObserver(send).observe(root);window.addEventListener("load",send);setTimeout(send,0);setTimeout(send,500);})();`;

function srcdoc(html: string, theme: Theme): string {
  const fg = theme === "dark" ? "#d8dee9" : "#1f2328";
  return `<!doctype html><html><head><meta charset="utf-8"><base target="_blank"><style>
:root{color-scheme:${theme}}html,body{margin:0;padding:0;background:transparent;color:${fg};
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
#tessera-root{display:flow-root;padding:2px 0}table{border-collapse:collapse}td,th{padding:2px 8px;border:1px solid rgba(128,128,128,.35)}
img,svg,canvas{max-width:100%}</style></head><body><div id="tessera-root">${html}</div><script>${SIZER}</script></body></html>`;
}

export const HtmlFrame = memo(function HtmlFrame({ html }: { html: string }) {
  const ref = useRef<HTMLIFrameElement>(null);
  const [height, setHeight] = useState(40);
  const theme = useTheme();

  useEffect(() => {
    listen();
    const win = ref.current?.contentWindow;
    if (!win) return;
    frames.set(win, (h) => setHeight(Math.min(MAX_HEIGHT, Math.max(16, h + 2))));
    return () => {
      frames.delete(win);
    };
  }, []);

  return (
    <iframe
      ref={ref}
      className="output-html-frame"
      title="HTML output"
      sandbox={HTML_SANDBOX}
      srcDoc={srcdoc(html, theme)}
      style={{ height }}
      scrolling={height >= MAX_HEIGHT ? "yes" : "no"}
    />
  );
});

/** The text/html renderer. */
export function HtmlOutput({ value }: RendererProps) {
  return <HtmlFrame html={mimeText(value)} />;
}
