import { memo } from "react";
import type { MimeBundle } from "@tessera/protocol";
import { renderMarkdown } from "./sanitize.js";
import "katex/dist/katex.min.css";

/** Rendered, sanitized markdown with math. */
export const Markdown = memo(function Markdown({
  source,
  attachments,
  className = "markdown",
}: {
  source: string;
  attachments?: Record<string, MimeBundle>;
  className?: string;
}) {
  return <div className={className} dangerouslySetInnerHTML={{ __html: renderMarkdown(source, attachments) }} />;
});
