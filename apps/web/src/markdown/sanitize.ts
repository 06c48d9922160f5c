/**
 * Markdown (and KaTeX) HTML made safe for the page: DOMPurify removes scripts, event
 * handlers and javascript: URLs; links open in a new tab without access to this one.
 */
import DOMPurify from "dompurify";
import type { MimeBundle } from "@tessera/protocol";
import { markdownToHtml } from "./render.js";

let hooked = false;

function hook(): void {
  if (hooked) return;
  hooked = true;
  DOMPurify.addHook("afterSanitizeAttributes", (node) => {
    if (node.tagName === "A" && node.getAttribute("href")) {
      node.setAttribute("target", "_blank");
      node.setAttribute("rel", "noopener noreferrer");
    }
  });
}

const cache = new Map<string, string>();

/** Sanitized HTML for a markdown source; `attachments` resolve `attachment:name` images. */
export function renderMarkdown(source: string, attachments?: Record<string, MimeBundle>): string {
  const key = attachments ? null : source;
  if (key !== null) {
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
  }
  hook();
  let html = markdownToHtml(source);
  if (attachments) {
    html = html.replace(/(src=")attachment:([^"]+)"/g, (whole, pre: string, name: string) => {
      const bundle = attachments[decodeURIComponent(name)];
      const mime = bundle && Object.keys(bundle).find((m) => m.startsWith("image/"));
      return mime ? `${pre}data:${mime};base64,${String(bundle[mime]).replace(/\s/g, "")}"` : whole;
    });
  }
  const clean = DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true, mathMl: true, svg: true },
    ADD_ATTR: ["target"],
  }) as string;
  if (key !== null) {
    if (cache.size > 500) cache.clear();
    cache.set(key, clean);
  }
  return clean;
}
