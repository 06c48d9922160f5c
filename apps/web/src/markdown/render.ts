/**
 * Markdown to HTML with KaTeX math: `$…$` inline, `$$…$$` display. Not sanitized here
 * (see sanitize.ts, which needs a DOM); this half is pure so it can be tested in Node.
 */
import katex from "katex";
import { Marked, type TokenizerAndRendererExtension } from "marked";

function tex(source: string, displayMode: boolean): string {
  return katex.renderToString(source.trim(), { displayMode, throwOnError: false, output: "htmlAndMathml" });
}

const blockMath: TokenizerAndRendererExtension = {
  name: "blockMath",
  level: "block",
  start: (src) => src.match(/(^|\n) {0,3}\$\$/)?.index,
  tokenizer(src) {
    const m = /^ {0,3}\$\$([\s\S]+?)\$\$[^\S\n]*(?:\n|$)/.exec(src);
    if (m) return { type: "blockMath", raw: m[0], text: m[1] };
    return undefined;
  },
  renderer: (token) => `<div class="math-display">${tex(String(token.text), true)}</div>\n`,
};

const inlineMath: TokenizerAndRendererExtension = {
  name: "inlineMath",
  level: "inline",
  start: (src) => (src.indexOf("$") >= 0 ? src.indexOf("$") : undefined),
  tokenizer(src) {
    const display = /^\$\$([\s\S]+?)\$\$/.exec(src);
    if (display) return { type: "inlineMath", raw: display[0], text: display[1], display: true };
    // $x$: no space just inside the dollars, and no digit right after (so "$5 and $6" stays text).
    const m = /^\$(?!\s)((?:\\.|[^\\$\n`])+?)(?<!\s)\$(?!\d)/.exec(src);
    if (m) return { type: "inlineMath", raw: m[0], text: m[1], display: false };
    return undefined;
  },
  renderer: (token) => tex(String(token.text), Boolean(token.display)),
};

const marked = new Marked({ gfm: true, async: false });
marked.use({ extensions: [blockMath, inlineMath] });

/** Markdown (with math) to unsanitized HTML. */
export function markdownToHtml(source: string): string {
  return marked.parse(source, { async: false }) as string;
}
