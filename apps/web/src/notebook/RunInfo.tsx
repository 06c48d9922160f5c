/** The prompt column of a code cell: [n], [*] while queued or running, and how long it took. */
import { useEffect, useState } from "react";
import type { CellRunState } from "@tessera/protocol";

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  if (m < 60) return `${m}m ${String(s).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
}

function Elapsed({ since }: { since: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, []);
  return <>{formatDuration(now - since)}</>;
}

export function RunInfo({ count, run }: { count: number | null; run: CellRunState | undefined }) {
  const state = run?.state ?? "idle";
  const busy = state !== "idle";
  const label = busy ? "*" : count === null ? " " : String(count);
  return (
    <div className={`run-info run-${state}${run?.status ? ` status-${run.status}` : ""}`}>
      <span className="exec-count" aria-label={busy ? `Cell ${state}` : count === null ? "Not run" : `Execution count ${count}`}>
        [{label}]
      </span>
      {state === "running" && (
        <span className="run-time" title="Running">
          <span className="spinner" aria-hidden="true" />
          {run?.startedAt ? <Elapsed since={run.startedAt} /> : null}
        </span>
      )}
      {state === "queued" && <span className="run-time">queued</span>}
      {state === "idle" && run?.durationMs !== undefined && (
        <span
          className="run-time"
          title={run.status === "error" ? "Finished with an error" : run.status === "aborted" ? "Aborted" : "Finished"}
        >
          {run.status === "error" ? "✗ " : run.status === "aborted" ? "◼ " : "✓ "}
          {formatDuration(run.durationMs)}
        </span>
      )}
    </div>
  );
}
