/**
 * A live chart output (`application/vnd.tessera.chart.v1+json`, from `tt.plot.live`):
 * several series, values under the cursor, TensorBoard-style smoothing, log/linear y,
 * drag to zoom on x (double-click resets), the full data as CSV. Loaded on first use.
 */
import { useLayoutEffect, useRef, useState } from "react";
import "uplot/dist/uPlot.min.css";
import { isChartState, type ChartState } from "@tessera/protocol";
import { useTheme } from "../../theme/theme.js";
import { ChartView } from "./chart-view.js";
import { chartCsv, csvName, download } from "./csv.js";
import "./chart.css";

/** TensorBoard's default. */
const DEFAULT_SMOOTHING = 0.6;

export default function ChartOutput({ value }: { value: unknown }) {
  if (!isChartState(value)) return <div className="output-note">This chart has no data to show.</div>;
  return <LiveChart state={value} />;
}

function LiveChart({ state }: { state: ChartState }) {
  const theme = useTheme();
  const [logY, setLogY] = useState(state.logY);
  const [smoothing, setSmoothing] = useState(DEFAULT_SMOOTHING);
  const [zoomed, setZoomed] = useState(false);
  const rootRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<HTMLDivElement>(null);
  const legendRef = useRef<HTMLDivElement>(null);
  const viewRef = useRef<ChartView | null>(null);
  const stateRef = useRef(state);

  useLayoutEffect(() => {
    const view = new ChartView(rootRef.current!, plotRef.current!, legendRef.current!, setZoomed);
    viewRef.current = view;
    view.resize(plotRef.current!.clientWidth);
    const resize = new ResizeObserver((entries) => view.resize(entries[0].contentRect.width));
    resize.observe(plotRef.current!);
    return () => {
      resize.disconnect();
      view.destroy();
      viewRef.current = null;
    };
  }, []);
  useLayoutEffect(() => {
    viewRef.current?.configure({ theme, logY, smoothing, xLabel: state.xLabel });
  }, [theme, logY, smoothing, state.xLabel]);
  useLayoutEffect(() => {
    stateRef.current = state;
    viewRef.current?.update(state);
  }, [state]);

  const points = state.x.length;
  return (
    <div className="chart-output" ref={rootRef} data-done={state.done ? "true" : "false"}>
      <div className="chart-head">
        <span className="chart-title">{state.title}</span>
        {!state.done && (
          <span className="chart-live" title="The kernel is still adding points">
            live
          </span>
        )}
        <span className="chart-count">
          {points.toLocaleString("en-US")} point{points === 1 ? "" : "s"}
        </span>
        <span className="chart-tools">
          <label className="chart-smoothing" title="Exponential moving average, as TensorBoard smooths (0: off)">
            Smoothing
            <input
              type="range"
              min={0}
              max={0.99}
              step={0.01}
              value={smoothing}
              onChange={(e) => setSmoothing(Number(e.currentTarget.value))}
            />
            <output>{smoothing.toFixed(2)}</output>
          </label>
          <span className="chart-seg" role="group" aria-label="y scale">
            <button type="button" className="chart-btn" aria-pressed={!logY} onClick={() => setLogY(false)}>
              linear
            </button>
            <button type="button" className="chart-btn" aria-pressed={logY} onClick={() => setLogY(true)}>
              log
            </button>
          </span>
          {zoomed && (
            <button
              type="button"
              className="chart-btn"
              onClick={() => viewRef.current?.resetZoom()}
              title="Show the whole run (or double-click the chart)"
            >
              Reset zoom
            </button>
          )}
          <button
            type="button"
            className="chart-btn chart-csv"
            onClick={() => download(chartCsv(stateRef.current), csvName(stateRef.current.title))}
            title="Download every point as CSV"
          >
            CSV
          </button>
        </span>
      </div>
      <div className="chart-plot" ref={plotRef} />
      <div className="chart-legend" ref={legendRef} />
    </div>
  );
}
