/**
 * A small live chart (uPlot, sparkline style: no axes, no legend): one series over the
 * last ten minutes (or what there is of them), the newest point at the right edge.
 */
import { memo, useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { useTheme } from "../theme/theme.js";

export interface SparklineProps {
  /** Epoch seconds, oldest first (shared by every chart). */
  xs: number[];
  ys: (number | null)[];
  /** Changes whenever xs/ys changed (they are mutated in place). */
  version: number;
  /** CSS variable holding the line colour, e.g. "--metric-gpu". */
  colorVar: string;
  /** The y range: min..max, or min..(a bit above the data) when max is null. */
  min?: number;
  max?: number | null;
  /** What the chart shows, for screen readers. */
  label: string;
  windowSec?: number;
  height?: number;
}

const MIN_SPAN_SEC = 20;

/** A line colour with some transparency for the area under it. */
function translucent(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{6})$/i.exec(color.trim());
  if (!hex) return color;
  const n = parseInt(hex[1], 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

export const Sparkline = memo(function Sparkline({
  xs,
  ys,
  version,
  colorVar,
  min = 0,
  max = null,
  label,
  windowSec = 600,
  height = 30,
}: SparklineProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const theme = useTheme();
  const range = useRef({ min, max });
  range.current = { min, max };

  // (Re)built when the theme changes: uPlot draws on a canvas, so colours are fixed at creation.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const color = getComputedStyle(el).getPropertyValue(colorVar).trim() || "#2563eb";
    const opts: uPlot.Options = {
      width: Math.max(40, el.clientWidth),
      height,
      padding: [3, 1, 2, 1],
      legend: { show: false },
      cursor: { show: false },
      select: { show: false, left: 0, top: 0, width: 0, height: 0 },
      axes: [{ show: false }, { show: false }],
      scales: {
        x: {
          time: true,
          // What there is, up to the window: a fresh server's first seconds fill the
          // chart instead of a sliver at its edge.
          range: (_u, lo, hi) => {
            const end = hi ?? Date.now() / 1000;
            const start = Math.max(end - windowSec, Math.min(lo ?? end, end - MIN_SPAN_SEC));
            return [start, end];
          },
        },
        y: {
          range: (_u, _lo, hi) => {
            const r = range.current;
            const top = r.max ?? Math.max(hi ?? 0, r.min) * 1.1;
            return [r.min, top > r.min ? top : r.min + 1];
          },
        },
      },
      series: [{}, { stroke: color, width: 1.5, fill: translucent(color, 0.18), points: { show: false }, spanGaps: false }],
    };
    const u = new uPlot(opts, [[], []], el);
    plot.current = u;
    const ro = new ResizeObserver(() => {
      const w = Math.max(40, el.clientWidth);
      if (w !== u.width) u.setSize({ width: w, height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [theme, colorVar, height, windowSec]);

  useEffect(() => {
    plot.current?.setData([xs, ys]);
  }, [xs, ys, version, theme, min, max]);

  let points = 0;
  for (const v of ys) if (v !== null) points++;
  return <div ref={box} className="sparkline" role="img" aria-label={label} data-points={points} />;
});
