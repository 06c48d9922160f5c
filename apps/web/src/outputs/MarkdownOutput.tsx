/** text/markdown and text/latex outputs, rendered as the notebook's markdown cells are (sanitized, with math). */
import { Markdown } from "../markdown/Markdown.js";
import { mimeText } from "./mime-text.js";
import type { RendererProps } from "./renderers.js";
import "./MarkdownOutput.css";

export function MarkdownOutput({ value }: RendererProps) {
  return <Markdown source={mimeText(value)} className="markdown output-markdown" />;
}

/** LaTeX is shown as display math unless it brings its own `$` delimiters. */
export function LatexOutput({ value }: RendererProps) {
  const src = mimeText(value).trim();
  return <Markdown source={/^\$/.test(src) ? src : `$$${src}$$`} className="markdown output-markdown" />;
}
