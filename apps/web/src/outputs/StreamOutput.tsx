/**
 * A stream output (stdout/stderr), capped: only the tail is rendered, "Show more" widens
 * the window, and the whole text can be downloaded. Long output scrolls inside its own
 * box and follows new lines while scrolled to the bottom.
 */
import { memo, useLayoutEffect, useMemo, useRef, useState } from "react";
import { AnsiText } from "./Ansi.js";
import { applyCarriageReturns, formatSize, streamTail } from "./stream-text.js";
import "./StreamOutput.css";

const STEPS = [
  { lines: 500, chars: 100_000 },
  { lines: 5_000, chars: 1_000_000 },
  { lines: 20_000, chars: 4_000_000 },
];

const SCROLL_LINES = 40;

function download(text: string, name: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const StreamOutput = memo(function StreamOutput({ name, text }: { name: "stdout" | "stderr"; text: string }) {
  const [step, setStep] = useState(0);
  const [expanded, setExpanded] = useState(false);
  const boxRef = useRef<HTMLPreElement>(null);
  const atBottom = useRef(true);
  const { lines, chars } = STEPS[step];
  const tail = useMemo(() => streamTail(text, lines, chars), [text, lines, chars]);
  const shown = useMemo(() => applyCarriageReturns(tail.text), [tail.text]);
  const lineCount = useMemo(() => {
    let n = 0;
    for (let i = shown.indexOf("\n"); i >= 0 && n <= SCROLL_LINES; i = shown.indexOf("\n", i + 1)) n++;
    return n;
  }, [shown]);
  const scrolls = !expanded && lineCount > SCROLL_LINES;

  useLayoutEffect(() => {
    const box = boxRef.current;
    if (box && scrolls && atBottom.current) box.scrollTop = box.scrollHeight;
  }, [shown, scrolls]);

  return (
    <div className={`output-stream output-${name}`}>
      {tail.hiddenChars > 0 && (
        <div className="output-note">
          <span>{formatSize(tail.hiddenChars)} of earlier output hidden.</span>
          {step < STEPS.length - 1 && (
            <button type="button" className="link-btn" onClick={() => setStep(step + 1)}>
              Show more
            </button>
          )}
          <button type="button" className="link-btn" onClick={() => download(text, `${name}.txt`)}>
            Download all ({formatSize(text.length)})
          </button>
        </div>
      )}
      <pre
        ref={boxRef}
        className={scrolls ? "scrolled" : undefined}
        onScroll={(e) => {
          const el = e.currentTarget;
          atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        <AnsiText text={shown} />
      </pre>
      {(lineCount > SCROLL_LINES || expanded) && (
        <button type="button" className="link-btn output-toggle" onClick={() => setExpanded(!expanded)}>
          {expanded ? "Scroll output" : "Expand output"}
        </button>
      )}
    </div>
  );
});
