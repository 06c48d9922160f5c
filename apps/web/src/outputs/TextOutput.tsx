/** text/plain (and any text type without a renderer of its own), with its ANSI colors. */
import { AnsiText } from "./Ansi.js";
import { mimeText } from "./mime-text.js";
import type { RendererProps } from "./renderers.js";

export function TextOutput({ value }: RendererProps) {
  return (
    <pre className="output-text">
      <AnsiText text={mimeText(value)} />
    </pre>
  );
}
