/**
 * Draws a {@link ChartStore} with uPlot: at most once per animation frame however fast
 * appends arrive, downsampled to twice the canvas width (again for the x window after a
 * zoom), with a legend that shows the values under the cursor.
 */
import uPlot from "uplot";
import { CHART_COLORS, formatValue, formatX } from "@tessera/protocol";
import type { Theme } from "../../theme/theme.js";
import { ChartStore } from "./chart-store.js";
import { logRange, logSplits } from "./format.js";

export const CHART_HEIGHT = 260;

export interface ViewSettings {
  theme: Theme;
  logY: boolean;
  /** EMA weight, 0 (none) to 0.99. */
  smoothing: number;
  xLabel: string;
}

type Range = { min: number; max: number };

export class ChartView {
  readonly store = new ChartStore();
  private u: uPlot | null = null;
  /** What the plot was built for: series, smoothing on/off, theme, scale; a change rebuilds it. */
  private built = "";
  private frame = 0;
  /** The plot's width in CSS px, from the ResizeObserver (reading clientWidth while drawing would force a layout). */
  private width = 0;
  private zoom: Range | null = null;
  private settings: ViewSettings = { theme: "light", logY: false, smoothing: 0, xLabel: "step" };
  private legendKey = "";
  private legendHead: HTMLElement | null = null;
  private legendValues: HTMLElement[] = [];

  constructor(
    private readonly root: HTMLElement,
    private readonly plotEl: HTMLElement,
    private readonly legendEl: HTMLElement,
    private readonly onZoom: (zoomed: boolean) => void,
  ) {}

  configure(settings: ViewSettings): void {
    this.settings = settings;
    this.store.setSmoothing(settings.smoothing);
    this.schedule();
  }

  /** New chart data from the document: read what is new, draw on the next frame. */
  update(state: Parameters<ChartStore["ingest"]>[0]): void {
    if (this.store.ingest(state)) this.schedule();
  }

  /** The plot's box changed size. */
  resize(width: number): void {
    if (Math.floor(width) === this.width) return;
    this.width = Math.floor(width);
    this.schedule();
  }

  schedule(): void {
    if (this.frame === 0) this.frame = requestAnimationFrame(this.draw);
  }

  resetZoom(): void {
    if (!this.zoom) return;
    this.zoom = null;
    this.onZoom(false);
    this.schedule();
  }

  destroy(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.u?.destroy();
    this.u = null;
  }

  private readonly draw = (): void => {
    this.frame = 0;
    const width = this.width;
    if (width <= 0) return;
    const { logY, smoothing } = this.settings;
    const smoothed = smoothing > 0;
    const key = [this.settings.theme, logY, smoothed, this.settings.xLabel, ...this.store.series.map((s) => s.name)].join("\u0000");
    if (!this.u || key !== this.built) {
      this.u?.destroy();
      this.u = this.create(width);
      this.built = key;
    } else if (this.u.width !== width) {
      this.u.setSize({ width, height: CHART_HEIGHT });
    }
    const u = this.u;
    const columns = this.store.columns(2 * width, this.zoom, logY, smoothed);
    if (this.zoom) {
      const zoom = this.zoom;
      u.batch(() => {
        u.setData(columns as uPlot.AlignedData, false);
        u.setScale("x", zoom);
      });
    } else {
      u.setData(columns as uPlot.AlignedData);
    }
    this.root.dataset.points = String(this.store.count);
    this.root.dataset.drawn = String(columns[0].length);
    this.legend(u.cursor.idx == null ? null : (u.data[0][u.cursor.idx] ?? null));
  };

  private create(width: number): uPlot {
    const { theme, logY, smoothing, xLabel } = this.settings;
    const smoothed = smoothing > 0;
    const css = getComputedStyle(this.root);
    const muted = css.getPropertyValue("--muted").trim() || "#5c6670";
    const gridColor = css.getPropertyValue("--border").trim() || "#d5dbe1";
    const font = `11px ${css.getPropertyValue("--font-ui").trim() || "sans-serif"}`;
    const colors = CHART_COLORS[theme];
    const series: uPlot.Series[] = [{ label: xLabel }];
    for (const s of this.store.series) {
      const color = colors[s.index % colors.length];
      // Smoothing on: the raw curve faint beneath the smoothed one.
      // pxAlign 0: slowly falling curves stay smooth instead of snapping to pixel stairs.
      series.push({
        label: s.name,
        stroke: smoothed ? `${color}4d` : color,
        width: smoothed ? 1 : 1.5,
        spanGaps: true,
        pxAlign: 0,
        points: { show: false },
      });
      if (smoothed)
        series.push({ label: `${s.name} (smoothed)`, stroke: color, width: 1.75, spanGaps: true, pxAlign: 0, points: { show: false } });
    }
    const axis = { stroke: muted, font, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor, width: 1 } };
    const opts: uPlot.Options = {
      width,
      height: CHART_HEIGHT,
      series,
      legend: { show: false },
      scales: {
        x: { time: false },
        // Log: the data's own range, not widened to whole decades (which can leave half the plot empty).
        y: logY ? { distr: 3, log: 10, range: (_u, min, max) => logRange(min, max) } : {},
      },
      axes: [
        { ...axis, values: (_u, splits) => splits.map((v) => (v == null ? "" : formatX(v))) },
        {
          ...axis,
          size: 58,
          ...(logY ? { splits: (_u: uPlot, _i: number, min: number, max: number) => logSplits(min, max) } : {}),
          values: (_u, splits) => splits.map((v) => (v == null ? "" : formatValue(v))),
        },
      ],
      cursor: {
        drag: { x: true, y: false, setScale: false },
        // Double-click: back to the whole run (uPlot's own reset would keep the zoomed data).
        bind: { dblclick: () => () => (this.resetZoom(), null) },
        points: { size: 6 },
      },
      hooks: {
        setCursor: [(u) => this.legend(u.cursor.idx == null ? null : (u.data[0][u.cursor.idx] ?? null))],
        setSelect: [(u) => this.select(u)],
      },
    };
    const u = new uPlot(opts, [new Float64Array(0)] as unknown as uPlot.AlignedData, this.plotEl);
    u.over.addEventListener("mouseleave", () => this.legend(null));
    return u;
  }

  /** A drag across the plot: zoom to that x range, downsampled again for it. */
  private select(u: uPlot): void {
    if (u.select.width < 3) return;
    const min = u.posToVal(u.select.left, "x");
    const max = u.posToVal(u.select.left + u.select.width, "x");
    u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
    if (!(max > min)) return;
    this.zoom = { min, max };
    this.onZoom(true);
    this.schedule();
  }

  /** The legend: each series' value at x (the cursor), or its last value. */
  private legend(x: number | null): void {
    const series = this.store.series;
    const smoothed = this.settings.smoothing > 0;
    const key = [this.settings.theme, ...series.map((s) => s.name)].join("\u0000");
    if (key !== this.legendKey) this.buildLegend(key);
    let shownX: number | null = x;
    if (shownX === null) {
      const range = this.store.xRange();
      shownX = range ? range.max : null;
    }
    if (this.legendHead)
      this.legendHead.textContent = shownX === null ? this.settings.xLabel : `${this.settings.xLabel} ${formatX(shownX)}`;
    series.forEach((s, i) => {
      const at = x === null ? (s.n > 0 ? { raw: s.ys[s.n - 1], smooth: s.sm[s.n - 1] } : null) : this.store.nearest(s, x);
      const el = this.legendValues[i];
      if (!el) return;
      if (!at) el.textContent = "–";
      else el.textContent = smoothed ? `${formatValue(at.smooth)} (raw ${formatValue(at.raw)})` : formatValue(at.raw);
    });
  }

  private buildLegend(key: string): void {
    this.legendKey = key;
    const colors = CHART_COLORS[this.settings.theme];
    this.legendEl.replaceChildren();
    this.legendHead = document.createElement("span");
    this.legendHead.className = "chart-legend-x";
    this.legendEl.append(this.legendHead);
    this.legendValues = this.store.series.map((s) => {
      const item = document.createElement("span");
      item.className = "chart-legend-item";
      const swatch = document.createElement("i");
      swatch.style.background = colors[s.index % colors.length];
      const name = document.createElement("span");
      name.className = "chart-legend-name";
      name.textContent = s.name;
      const value = document.createElement("span");
      value.className = "chart-legend-value";
      item.append(swatch, name, value);
      this.legendEl.append(item);
      return value;
    });
  }
}
