/**
 * The resource panel: per-GPU live charts (utilization, memory, temperature, power), the
 * machine's CPU and RAM, and the kernels with what each uses (which notebook holds the
 * GPU). Drawn from the page's one metrics subscription; it streams only while open and
 * the tab is visible.
 */
import { useEffect, type ReactNode } from "react";
import type { GpuMetrics, GpuStatus, KernelMetrics, MetricsSample } from "@tessera/protocol";
import { basename, notebookUrl } from "../api/urls.js";
import { formatBytes, formatNumber, formatPercent, formatUsedTotal } from "./format.js";
import type { MetricsState } from "./metrics-client.js";
import type { MetricsHistory } from "./metrics-history.js";
import { setMetricsPanelOpen, useMetricsPanelOpen } from "./panel-state.js";
import { Sparkline } from "./Sparkline.js";
import { metricsClient, useMetrics, useMetricsDemand } from "./use-metrics.js";
import "./metrics.css";

/** Mounted once per page: drives the subscription and shows the panel when open. */
export function MetricsPanel({ currentPath }: { currentPath: string | null }) {
  const open = useMetricsPanelOpen();
  useMetricsDemand(open);
  useEffect(() => {
    document.documentElement.classList.toggle("metrics-open", open);
  }, [open]);
  return open ? <PanelBody currentPath={currentPath} /> : null;
}

function PanelBody({ currentPath }: { currentPath: string | null }) {
  const state = useMetrics();
  const history = metricsClient().history;
  const s = state.latest;
  return (
    <aside
      className="metrics-panel"
      aria-label="Resource monitor"
      onKeyDown={(e) => {
        if (e.key === "Escape") setMetricsPanelOpen(false);
      }}
    >
      <div className="metrics-head">
        <h2>Resources</h2>
        <Connection state={state} />
        <span className="header-spacer" />
        <button
          type="button"
          className="icon-btn"
          onClick={() => setMetricsPanelOpen(false)}
          title="Close (Esc)"
          aria-label="Close the resource monitor"
        >
          <svg
            width="14"
            height="14"
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            strokeWidth="2"
            strokeLinecap="round"
            aria-hidden="true"
          >
            <path d="M6 6l12 12M18 6L6 18" />
          </svg>
        </button>
      </div>
      {s === null ? (
        <p className="metrics-note">{state.status === "reconnecting" ? "Cannot reach the server; retrying…" : "Connecting…"}</p>
      ) : (
        <div className="metrics-body">
          <Section title="GPU">
            <GpuNote status={s.gpuStatus} count={s.gpus.length} />
            {s.gpus.map((g) => (
              <GpuCard key={g.uuid} gpu={g} sample={s} history={history} version={state.version} />
            ))}
          </Section>
          <Section title="Machine">
            <MetricRow label="CPU" value={`${formatPercent(s.system.cpuPercent)} · ${s.system.cpuCount} cores`} title="All cores together">
              <Sparkline
                xs={history.t}
                ys={history.values("system.cpuPercent")}
                version={state.version}
                colorVar="--metric-cpu"
                max={100}
                label="Machine CPU, last 10 minutes"
              />
            </MetricRow>
            <MetricRow label="RAM" value={formatUsedTotal(s.system.memoryUsedBytes, s.system.memoryTotalBytes)}>
              <Sparkline
                xs={history.t}
                ys={history.values("system.memoryUsedBytes")}
                version={state.version}
                colorVar="--metric-ram"
                max={s.system.memoryTotalBytes}
                label="Machine memory used, last 10 minutes"
              />
            </MetricRow>
          </Section>
          <Section title="Kernels">
            <KernelTable sample={s} currentPath={currentPath} />
          </Section>
        </div>
      )}
    </aside>
  );
}

function Connection({ state }: { state: MetricsState }) {
  const text =
    state.status === "open"
      ? "live"
      : state.status === "reconnecting"
        ? "reconnecting…"
        : state.status === "connecting"
          ? "connecting…"
          : "paused";
  return (
    <span className={`metrics-conn metrics-conn-${state.status}`} role="status" title={state.error ?? undefined}>
      <span className="metrics-conn-dot" aria-hidden="true" />
      {text}
    </span>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="metrics-section" aria-label={title}>
      <h3>{title}</h3>
      {children}
    </section>
  );
}

function MetricRow({ label, value, title, children }: { label: string; value: string; title?: string; children: ReactNode }) {
  return (
    <div className="metric-row" title={title}>
      <span className="metric-label">{label}</span>
      {children}
      <span className="metric-value">{value}</span>
    </div>
  );
}

/** Why there are no GPU numbers, in the server's words. */
function GpuNote({ status, count }: { status: GpuStatus; count: number }) {
  if (status.state === "starting") return <p className="metrics-note">Reading the GPUs…</p>;
  if (status.state === "unavailable")
    return <p className="metrics-note metrics-gpu-reason">No GPU: {status.message ?? "no NVIDIA driver found"}</p>;
  if (status.state === "error")
    return <p className="metrics-note metrics-gpu-reason metrics-gpu-error">GPU metrics failed: {status.message ?? "unknown error"}</p>;
  if (count === 0) return <p className="metrics-note">nvidia-smi reports no GPUs.</p>;
  return null;
}

/** Who holds memory on one GPU: kernels by notebook, then other processes together. */
function holders(gpu: GpuMetrics, s: MetricsSample): string | null {
  const procs = (s.gpuProcesses ?? []).filter((p) => p.gpuUuid === gpu.uuid);
  if (procs.length === 0) return null;
  const byKernel = new Map<string, number>();
  let other = 0;
  let otherCount = 0;
  for (const p of procs) {
    if (p.kernelId) byKernel.set(p.kernelId, (byKernel.get(p.kernelId) ?? 0) + (p.usedMemoryBytes ?? 0));
    else {
      other += p.usedMemoryBytes ?? 0;
      otherCount++;
    }
  }
  const parts = [...byKernel].map(([id, bytes]) => {
    const k = s.kernels.find((x) => x.kernelId === id);
    return `${k?.notebook ? basename(k.notebook) : `kernel ${id.slice(0, 8)}`} ${formatBytes(bytes)}`;
  });
  if (otherCount) parts.push(`${otherCount} other process${otherCount === 1 ? "" : "es"} ${formatBytes(other)}`);
  return parts.join(" · ");
}

function GpuCard({
  gpu: g,
  sample,
  history,
  version,
}: {
  gpu: GpuMetrics;
  sample: MetricsSample;
  history: MetricsHistory;
  version: number;
}) {
  const key = (f: string) => `gpu.${g.uuid}.${f}`;
  const held = holders(g, sample);
  return (
    <div className="gpu-card" data-gpu-uuid={g.uuid}>
      <div className="gpu-title">
        <span className="gpu-index">GPU {g.index}</span>
        <span
          className="gpu-name"
          title={`${g.name}${g.pciBusId ? ` · ${g.pciBusId}` : ""}${g.driverVersion ? ` · driver ${g.driverVersion}` : ""}`}
        >
          {g.name}
        </span>
        {g.migMode && <span className="metrics-tag">MIG</span>}
        {g.pstate && (
          <span className="gpu-pstate" title="Performance state: P0 is full speed">
            {g.pstate}
          </span>
        )}
      </div>
      <MetricRow label="Util" value={g.utilizationPercent === null ? (g.migMode ? "n/a (MIG)" : "—") : formatPercent(g.utilizationPercent)}>
        <Sparkline
          xs={history.t}
          ys={history.values(key("utilizationPercent"))}
          version={version}
          colorVar="--metric-gpu"
          max={100}
          label={`GPU ${g.index} utilization`}
        />
      </MetricRow>
      <MetricRow label="Memory" value={formatUsedTotal(g.memoryUsedBytes, g.memoryTotalBytes)}>
        <Sparkline
          xs={history.t}
          ys={history.values(key("memoryUsedBytes"))}
          version={version}
          colorVar="--metric-mem"
          max={g.memoryTotalBytes}
          label={`GPU ${g.index} memory used`}
        />
      </MetricRow>
      <MetricRow label="Temp" value={formatNumber(g.temperatureC, "°C")}>
        <Sparkline
          xs={history.t}
          ys={history.values(key("temperatureC"))}
          version={version}
          colorVar="--metric-temp"
          max={100}
          label={`GPU ${g.index} temperature`}
        />
      </MetricRow>
      <MetricRow
        label="Power"
        value={g.powerLimitW ? `${Math.round(g.powerDrawW ?? 0)} / ${Math.round(g.powerLimitW)} W` : formatNumber(g.powerDrawW, "W")}
      >
        <Sparkline
          xs={history.t}
          ys={history.values(key("powerDrawW"))}
          version={version}
          colorVar="--metric-power"
          max={g.powerLimitW}
          label={`GPU ${g.index} power draw`}
        />
      </MetricRow>
      {held && (
        <div className="gpu-holders" title="GPU memory by process">
          {held}
        </div>
      )}
    </div>
  );
}

function KernelTable({ sample: s, currentPath }: { sample: MetricsSample; currentPath: string | null }) {
  if (s.kernels.length === 0) return <p className="metrics-note">No kernels are running.</p>;
  const kernels = [...s.kernels].sort(
    (a, b) => (b.gpuMemoryBytes ?? 0) - (a.gpuMemoryBytes ?? 0) || (a.notebook ?? "").localeCompare(b.notebook ?? ""),
  );
  const others = (s.gpuProcesses ?? []).filter((p) => p.kernelId === null);
  return (
    <>
      <table className="metrics-kernels">
        <thead>
          <tr>
            <th scope="col">Notebook</th>
            <th scope="col">CPU</th>
            <th scope="col">RAM</th>
            <th scope="col">GPU</th>
          </tr>
        </thead>
        <tbody>
          {kernels.map((k) => (
            <KernelRow key={k.kernelId} k={k} current={k.notebook !== null && k.notebook === currentPath} />
          ))}
        </tbody>
      </table>
      {others.length > 0 && (
        <p className="metrics-note">
          {others.length} other process{others.length === 1 ? "" : "es"} on the GPUs:{" "}
          {formatBytes(others.reduce((n, p) => n + (p.usedMemoryBytes ?? 0), 0))}
        </p>
      )}
    </>
  );
}

function KernelRow({ k, current }: { k: KernelMetrics; current: boolean }) {
  return (
    <tr className={current ? "metrics-current" : undefined} data-kernel-id={k.kernelId}>
      <td>
        <div className="metrics-nb">
          <span className={`kernel-status kernel-${k.executionState}`} title={`Kernel ${k.executionState}${k.pid ? `, pid ${k.pid}` : ""}`}>
            <span className="kernel-dot" aria-hidden="true" />
          </span>
          {k.notebook ? (
            <a href={notebookUrl(k.notebook)} title={k.notebook}>
              {k.notebook}
            </a>
          ) : (
            <span className="muted">kernel {k.kernelId.slice(0, 8)}</span>
          )}
        </div>
      </td>
      <td>{formatPercent(k.cpuPercent)}</td>
      <td>{formatBytes(k.rssBytes)}</td>
      <td>{k.gpuMemoryBytes === null ? "—" : formatBytes(k.gpuMemoryBytes)}</td>
    </tr>
  );
}
