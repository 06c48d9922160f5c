/** display_data / execute_result: the richest MIME type we can show safely. */
import { lazy, memo, Suspense } from "react";
import { CHART_MIME, joinSource, type MimeBundle } from "@tessera/protocol";
import { Markdown } from "../markdown/Markdown.js";
import { AnsiText } from "./Ansi.js";
import { HtmlFrame } from "./HtmlFrame.js";
import { JsonTree } from "./JsonTree.js";

const ChartOutput = lazy(() => import("./chart/ChartOutput.js"));

const ORDER = [CHART_MIME, "text/html", "image/svg+xml", "image/png", "image/jpeg", "image/gif", "text/markdown", "text/latex", "application/json", "text/plain"];

export function pickMime(data: MimeBundle): string | null {
  for (const mime of ORDER) if (data[mime] !== undefined) return mime;
  return Object.keys(data).find((m) => m.startsWith("text/")) ?? null;
}

function text(value: unknown): string {
  return typeof value === "string" || Array.isArray(value) ? joinSource(value as string | string[]) : JSON.stringify(value, null, 2);
}

function sizeOf(metadata: Record<string, unknown>, mime: string): { width?: number; height?: number } {
  const m = metadata?.[mime] as { width?: unknown; height?: unknown } | undefined;
  return {
    width: typeof m?.width === "number" ? m.width : undefined,
    height: typeof m?.height === "number" ? m.height : undefined,
  };
}

export const MimeOutput = memo(function MimeOutput({ data, metadata }: { data: MimeBundle; metadata: Record<string, unknown> }) {
  const mime = pickMime(data);
  if (mime === null) return <div className="output-note">Output of type {Object.keys(data).join(", ") || "(empty)"} cannot be shown.</div>;
  const value = data[mime];
  switch (mime) {
    case CHART_MIME:
      return (
        <Suspense fallback={<div className="output-note">Loading chart…</div>}>
          <ChartOutput value={value} />
        </Suspense>
      );
    case "text/html":
      return <HtmlFrame html={text(value)} />;
    case "image/svg+xml":
      // As an <img>, an SVG cannot run script or reach the page.
      return (
        <img
          className="output-image"
          alt="SVG output"
          {...sizeOf(metadata, mime)}
          src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(text(value))}`}
        />
      );
    case "image/png":
    case "image/jpeg":
    case "image/gif":
      return <img className="output-image" alt="Image output" {...sizeOf(metadata, mime)} src={`data:${mime};base64,${text(value).replace(/\s/g, "")}`} />;
    case "text/markdown":
      return <Markdown source={text(value)} className="markdown output-markdown" />;
    case "text/latex": {
      const src = text(value).trim();
      return <Markdown source={/^\$/.test(src) ? src : `$$${src}$$`} className="markdown output-markdown" />;
    }
    case "application/json":
      return <JsonTree value={typeof value === "string" ? safeParse(value) : value} />;
    default:
      return (
        <pre className="output-text">
          <AnsiText text={text(value)} />
        </pre>
      );
  }
});

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}
