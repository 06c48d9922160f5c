/** The header's pieces of the resource monitor: the button that opens it, and a kernel's own figures. */
import { kernelFigures } from "./format.js";
import { toggleMetricsPanel, useMetricsPanelOpen } from "./panel-state.js";
import { useMetrics } from "./use-metrics.js";

export function MetricsToggle() {
  const open = useMetricsPanelOpen();
  const label = open ? "Hide the resource monitor" : "Show the resource monitor (GPU, CPU, memory)";
  return (
    <button
      type="button"
      className={`icon-btn metrics-toggle${open ? " active" : ""}`}
      onClick={toggleMetricsPanel}
      title={label}
      aria-label={label}
      aria-pressed={open}
    >
      <svg
        className="icon"
        width="16"
        height="16"
        viewBox="0 0 24 24"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.8"
        strokeLinecap="round"
        strokeLinejoin="round"
        aria-hidden="true"
      >
        <path d="M3 12h4l3-7 4 14 3-7h4" />
      </svg>
    </button>
  );
}

/**
 * This notebook's kernel as the metrics stream sees it ("GPU 1.2 GiB · CPU 98% · 850 MiB"),
 * while the stream runs (the panel is open); nothing otherwise.
 */
export function KernelFigures({ kernelId }: { kernelId: string | null }) {
  const state = useMetrics();
  if (state.status !== "open" || kernelId === null) return null;
  const k = state.latest?.kernels.find((x) => x.kernelId === kernelId);
  if (!k) return null;
  return (
    <span className="kernel-figures" role="status" title="This notebook's kernel: GPU memory, CPU (100% = one core), resident memory">
      {kernelFigures(k)}
    </span>
  );
}
