/** Text with ANSI SGR colors (terminal output, tracebacks) as styled spans. */
import Anser from "anser";
import { memo, type CSSProperties } from "react";
import "./Ansi.css";

/** xterm's 256-color palette, entries 16..255 (6×6×6 cube, then a gray ramp). */
function paletteColor(cls: string): string | null {
  const n = Number(cls.slice("ansi-palette-".length));
  if (!Number.isInteger(n) || n < 16 || n > 255) return null;
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v}, ${v}, ${v})`;
  }
  const i = n - 16;
  const level = (x: number) => (x === 0 ? 0 : 55 + x * 40);
  return `rgb(${level(Math.floor(i / 36))}, ${level(Math.floor(i / 6) % 6)}, ${level(i % 6)})`;
}

function colorOf(cls: string, truecolor: string): { cls?: string; css?: string } {
  if (truecolor) return { css: `rgb(${truecolor})` };
  if (cls.startsWith("ansi-palette-")) return { css: paletteColor(cls) ?? undefined };
  return { cls };
}

export const AnsiText = memo(function AnsiText({ text }: { text: string }) {
  if (!text.includes("\u001b")) return <>{text}</>;
  const parts = Anser.ansiToJson(text, { use_classes: true, remove_empty: true });
  return (
    <>
      {parts.map((p, i) => {
        const classes: string[] = [];
        const style: CSSProperties = {};
        if (p.fg) {
          const c = colorOf(p.fg, p.fg_truecolor);
          if (c.css) style.color = c.css;
          else if (c.cls) classes.push(`${c.cls}-fg`);
        }
        if (p.bg) {
          const c = colorOf(p.bg, p.bg_truecolor);
          if (c.css) style.backgroundColor = c.css;
          else if (c.cls) classes.push(`${c.cls}-bg`);
        }
        for (const d of p.decorations) classes.push(`ansi-${d}`);
        if (classes.length === 0 && !style.color && !style.backgroundColor) return <span key={i}>{p.content}</span>;
        return (
          <span key={i} className={classes.join(" ")} style={style}>
            {p.content}
          </span>
        );
      })}
    </>
  );
});
