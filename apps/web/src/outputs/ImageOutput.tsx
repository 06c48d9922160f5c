/** Images (PNG, JPEG, GIF as base64; SVG as text), sized by the output's metadata when it says. */
import { mimeText } from "./mime-text.js";
import type { RendererProps } from "./renderers.js";
import "./ImageOutput.css";

/** `metadata[mime].width/height`, as Jupyter sets them. */
function sizeOf(metadata: Record<string, unknown>, mime: string): { width?: number; height?: number } {
  const m = metadata?.[mime] as { width?: unknown; height?: unknown } | undefined;
  return {
    width: typeof m?.width === "number" ? m.width : undefined,
    height: typeof m?.height === "number" ? m.height : undefined,
  };
}

/** image/png, image/jpeg, image/gif. */
export function ImageOutput({ value, metadata, mime }: RendererProps) {
  return (
    <img
      className="output-image"
      alt="Image output"
      {...sizeOf(metadata, mime)}
      src={`data:${mime};base64,${mimeText(value).replace(/\s/g, "")}`}
    />
  );
}

/** image/svg+xml: as an <img>, an SVG cannot run script or reach the page. */
export function SvgOutput({ value, metadata, mime }: RendererProps) {
  return (
    <img
      className="output-image"
      alt="SVG output"
      {...sizeOf(metadata, mime)}
      src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(mimeText(value))}`}
    />
  );
}
