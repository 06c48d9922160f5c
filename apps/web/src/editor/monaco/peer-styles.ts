/**
 * CSS for other pages' cursors in the editor: a caret and a name tag in the peer's colour.
 * Monaco decorations take class names only, so each peer gets its own class and rules.
 */
import type { PeerIdentity } from "@tessera/protocol";

let sheet: HTMLStyleElement | null = null;
const written = new Map<number, string>();

/** A CSS string literal: quotes, backslashes and control characters escaped. */
function cssString(text: string): string {
  let out = "";
  for (const c of text) {
    const code = c.charCodeAt(0);
    out += c === "\\" || c === '"' || code < 0x20 || code === 0x7f ? `\\${code.toString(16)} ` : c;
  }
  return `"${out}"`;
}

/** Only a plain colour is written into the sheet (a page's colour comes from the server, but checked anyway). */
function safeColor(color: string): string {
  return /^#[0-9a-fA-F]{3,8}$/.test(color) ? color : "#888888";
}

/** The class of a peer's decorations; writes its rules on first use or when its name or colour changed. */
export function peerClass(clientId: number, user: PeerIdentity): string {
  const cls = `peer-${clientId}`;
  const key = `${user.name}\u0000${user.color}`;
  if (written.get(clientId) === key) return cls;
  written.set(clientId, key);
  sheet ??= document.head.appendChild(document.createElement("style"));
  const color = safeColor(user.color);
  const rules = [
    `.peer-cursor.${cls} { border-left-color: ${color}; }`,
    `.peer-cursor.${cls}::after { content: ${cssString(user.name.slice(0, 40))}; background: ${color}; }`,
    `.peer-selection.${cls} { background-color: ${color}33; }`,
  ];
  // Rules of one peer are replaced together: drop the old ones first.
  const css = sheet.sheet;
  if (css) {
    for (let i = css.cssRules.length - 1; i >= 0; i--) {
      if ((css.cssRules[i] as CSSStyleRule).selectorText?.includes(`.${cls}`)) css.deleteRule(i);
    }
    for (const rule of rules) css.insertRule(rule, css.cssRules.length);
  }
  return cls;
}
