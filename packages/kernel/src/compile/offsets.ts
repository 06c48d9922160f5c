/**
 * Jupyter counts cursor positions in Unicode code points (protocol 5.2+); JavaScript
 * strings index UTF-16 units. These convert between the two.
 */

/** UTF-16 index of code point `cursor` in `text` (clamped to the text). */
export function codePointToIndex(text: string, cursor: number): number {
  let index = 0;
  for (let cp = 0; cp < cursor && index < text.length; cp++) {
    const code = text.charCodeAt(index);
    index += code >= 0xd800 && code <= 0xdbff && index + 1 < text.length ? 2 : 1;
  }
  return Math.min(index, text.length);
}

/** Code point count of `text` up to UTF-16 index `index`. */
export function indexToCodePoint(text: string, index: number): number {
  let cp = 0;
  for (let i = 0; i < index && i < text.length; cp++) {
    const code = text.charCodeAt(i);
    i += code >= 0xd800 && code <= 0xdbff && i + 1 < text.length ? 2 : 1;
  }
  return cp;
}
