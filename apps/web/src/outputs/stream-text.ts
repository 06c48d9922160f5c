/**
 * Stream text as a terminal would show it, and only the tail of it: a cell that prints a
 * million lines must not put megabytes into the DOM.
 */

/** Applies carriage returns the way a terminal does: `\r` restarts the line (progress bars). */
export function applyCarriageReturns(text: string): string {
  if (!text.includes("\r")) return text;
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const cr = line.lastIndexOf("\r");
    if (cr < 0) continue;
    // A trailing \r (the next write will overwrite) keeps the text until then.
    const rest = line.slice(cr + 1);
    lines[i] = rest === "" ? line.slice(line.lastIndexOf("\r", cr - 1) + 1, cr) : rest;
  }
  return lines.join("\n");
}

export interface StreamTail {
  /** The text to render. */
  text: string;
  /** Characters left out before `text` (0 when it is all shown). */
  hiddenChars: number;
}

/**
 * The last `maxLines` lines of `text`, and at most `maxChars` characters of them.
 * Scans backwards from the end only, so a huge stream costs only what is shown.
 * @example streamTail("a\nb\nc\n", 2, 1e6).text // "b\nc\n"
 */
export function streamTail(text: string, maxLines: number, maxChars: number): StreamTail {
  let start = text.length;
  // A final newline does not start a line of its own.
  let pos = text.endsWith("\n") ? text.length - 2 : text.length - 1;
  let lines = 0;
  while (pos >= 0 && text.length - start < maxChars) {
    const nl = text.lastIndexOf("\n", pos);
    lines += 1;
    if (lines > maxLines) break;
    start = nl + 1;
    if (nl < 0) break;
    pos = nl - 1;
  }
  if (text.length - start > maxChars) start = text.length - maxChars;
  if (start <= 0) return { text, hiddenChars: 0 };
  return { text: text.slice(start), hiddenChars: start };
}

/** "1.2 MB" for a character count (close enough for a label). */
export function formatSize(chars: number): string {
  if (chars < 1000) return `${chars} characters`;
  if (chars < 1_000_000) return `${(chars / 1000).toFixed(1)} kB`;
  return `${(chars / 1_000_000).toFixed(1)} MB`;
}
