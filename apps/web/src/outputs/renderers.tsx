/**
 * The renderers of `display_data` and `execute_result`, richest first, as Jupyter orders
 * its display: an output shows the first MIME type of this list that its bundle holds.
 * To show a new type, add its `{ mime, component }` here, at the place its richness
 * gives it; its CSS goes in a file beside the component, imported by it.
 */
import { lazy, Suspense, type ComponentType } from "react";
import { CHART_MIME, type MimeBundle } from "@tessera/protocol";
import { HtmlOutput } from "./HtmlFrame.js";
import { ImageOutput, SvgOutput } from "./ImageOutput.js";
import { JsonOutput } from "./JsonTree.js";
import { LatexOutput, MarkdownOutput } from "./MarkdownOutput.js";
import { TextOutput } from "./TextOutput.js";

/** What a renderer gets: the bundle's value for its type, the output's metadata, the type. */
export interface RendererProps {
  value: unknown;
  metadata: Record<string, unknown>;
  mime: string;
}

export interface Renderer {
  mime: string;
  component: ComponentType<RendererProps>;
}

const Chart = lazy(() => import("./chart/ChartOutput.js"));

/** Live charts load their code (uPlot) on first use. */
function ChartRenderer({ value }: RendererProps) {
  return (
    <Suspense fallback={<div className="output-note">Loading chart…</div>}>
      <Chart value={value} />
    </Suspense>
  );
}

export const RENDERERS: readonly Renderer[] = [
  { mime: CHART_MIME, component: ChartRenderer },
  { mime: "text/html", component: HtmlOutput },
  { mime: "image/svg+xml", component: SvgOutput },
  { mime: "image/png", component: ImageOutput },
  { mime: "image/jpeg", component: ImageOutput },
  { mime: "image/gif", component: ImageOutput },
  { mime: "text/markdown", component: MarkdownOutput },
  { mime: "text/latex", component: LatexOutput },
  { mime: "application/json", component: JsonOutput },
  { mime: "text/plain", component: TextOutput },
];

/**
 * The renderer for a bundle, with the type it renders: the first of {@link RENDERERS}
 * present, else any other `text/*` type as plain text, else null (nothing we can show).
 * @example pickRenderer({ "text/plain": "x", "text/html": "<b>x</b>" })?.mime // "text/html"
 */
export function pickRenderer(data: MimeBundle): Renderer | null {
  for (const renderer of RENDERERS) if (data[renderer.mime] !== undefined) return renderer;
  const text = Object.keys(data).find((m) => m.startsWith("text/"));
  return text === undefined ? null : { mime: text, component: TextOutput };
}
